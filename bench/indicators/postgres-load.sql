-- Loads onechild's population snapshot into PostgreSQL for
-- bench/indicators/postgres.sql. Not timed. DIR is the snapshot folder
-- (onechild indicators --snapshot-out DIR; bench/indicators/run adds
-- vulnerable_groups.csv, bit,id in config/vulnerable_groups.toml order, and
-- settings.csv, the as-of day); the server reads the files (COPY), so it
-- must be able to.
--
--   psql -v snapshot=DIR -f postgres-load.sql
\set ON_ERROR_STOP on
SET client_min_messages = warning;
\set children_csv :snapshot '/children.csv'
\set events_csv :snapshot '/events.csv'
\set groups_csv :snapshot '/vulnerable_groups.csv'
\set settings_csv :snapshot '/settings.csv'

DROP TABLE IF EXISTS children, events, vulnerable_groups, settings;

-- One row per child. Dates are empty when not known. sex: 0 not known,
-- 1 male, 2 female; ethnic_group 0-5; imd_decile 0 (not known) or 1-10;
-- areas are codes, empty when not known; vulnerable is a bitmask.
CREATE TABLE children (
  child_id        bigint PRIMARY KEY,
  birth           date,
  died            date,
  moved_out       date,   -- "left" in the CSV: left the ICS
  sex             smallint NOT NULL,
  ethnic_group    smallint NOT NULL,
  imd_decile      smallint NOT NULL,
  local_authority text NOT NULL,
  pcn             text NOT NULL,
  practice        text NOT NULL,
  vulnerable      integer NOT NULL
);

-- One row per event (a fact of the child's record).
CREATE TABLE events (
  child_id   bigint NOT NULL,
  kind       text NOT NULL,
  code       text NOT NULL,
  status     text NOT NULL,
  value      text NOT NULL,
  start_date date NOT NULL,
  end_date   date
);

CREATE TABLE vulnerable_groups (bit integer PRIMARY KEY, id text NOT NULL);
CREATE TABLE settings (as_of date NOT NULL);

COPY children FROM :'children_csv' WITH (FORMAT csv, HEADER true, FORCE_NOT_NULL (local_authority, pcn, practice));
COPY events FROM :'events_csv' WITH (FORMAT csv, HEADER true, FORCE_NOT_NULL (kind, code, status, value));
COPY vulnerable_groups FROM :'groups_csv' WITH (FORMAT csv, HEADER true);
COPY settings FROM :'settings_csv' WITH (FORMAT csv, HEADER true);

-- What an analyst would index: events by kind (every indicator picks one or
-- two kinds) and by child and day (the conditions look up a child's events).
CREATE INDEX events_kind ON events (kind, code);
CREATE INDEX events_child ON events (child_id, kind, start_date);
ANALYZE children;
ANALYZE events;
ANALYZE vulnerable_groups;
ANALYZE settings;

-- Two helpers the query uses (the same two are defined for DuckDB in duckdb.mjs).

-- Whole years of age on a day.
CREATE OR REPLACE FUNCTION age_on(birth date, on_day date) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (date_part('year', on_day) - date_part('year', birth))::integer
         - CASE WHEN date_part('month', on_day) * 100 + date_part('day', on_day)
                     < date_part('month', birth) * 100 + date_part('day', birth)
                THEN 1 ELSE 0 END
$$;

-- The number a value starts with ("99.6 %" -> 99.6), NULL when none.
CREATE OR REPLACE FUNCTION leading_number(v text) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT substring(v FROM '^-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?')::double precision
$$;
