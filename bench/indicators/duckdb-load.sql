-- Loads onechild's population snapshot into DuckDB for postgres.sql, which
-- DuckDB runs unchanged given these two helpers. Not timed. Run from the
-- snapshot folder (bench/indicators/duckdb.mjs does): the tables and files
-- are those of postgres-load.sql.

CREATE TABLE children (
  child_id        BIGINT PRIMARY KEY,
  birth           DATE,
  died            DATE,
  moved_out       DATE,   -- "left" in the CSV: left the ICS
  sex             SMALLINT NOT NULL,
  ethnic_group    SMALLINT NOT NULL,
  imd_decile      SMALLINT NOT NULL,
  local_authority TEXT NOT NULL,
  pcn             TEXT NOT NULL,
  practice        TEXT NOT NULL,
  vulnerable      INTEGER NOT NULL
);

CREATE TABLE events (
  child_id   BIGINT NOT NULL,
  kind       TEXT NOT NULL,
  code       TEXT NOT NULL,
  status     TEXT NOT NULL,
  value      TEXT NOT NULL,
  start_date DATE NOT NULL,
  end_date   DATE
);

CREATE TABLE vulnerable_groups (bit INTEGER PRIMARY KEY, id TEXT NOT NULL);
CREATE TABLE settings (as_of DATE NOT NULL);

COPY children FROM 'children.csv' (FORMAT csv, HEADER true, FORCE_NOT_NULL (local_authority, pcn, practice));
COPY events FROM 'events.csv' (FORMAT csv, HEADER true, FORCE_NOT_NULL (kind, code, status, value));
COPY vulnerable_groups FROM 'vulnerable_groups.csv' (FORMAT csv, HEADER true);
COPY settings FROM 'settings.csv' (FORMAT csv, HEADER true);

-- Whole years of age on a day.
CREATE MACRO age_on(birth, on_day) AS
  (year(on_day) - year(birth))
  - CASE WHEN month(on_day) * 100 + day(on_day) < month(birth) * 100 + day(birth)
         THEN 1 ELSE 0 END;

-- The number a value starts with ("99.6 %" -> 99.6), NULL when none.
CREATE MACRO leading_number(v) AS
  TRY_CAST(nullif(regexp_extract(v, '^-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?'), '')
           AS DOUBLE);
