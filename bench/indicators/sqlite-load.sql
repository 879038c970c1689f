-- Loads onechild's population snapshot into SQLite for
-- bench/indicators/sqlite.sql. Not timed. Run from the snapshot folder
-- (onechild indicators --snapshot-out DIR; bench/indicators/run adds
-- vulnerable_groups.csv, bit,id in config/vulnerable_groups.toml order, and
-- settings.csv, the as-of day):
--
--   cd DIR && sqlite3 FILE.db < sqlite-load.sql
.bail on
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
PRAGMA cache_size = -2000000;

DROP TABLE IF EXISTS children;
DROP TABLE IF EXISTS events;
DROP TABLE IF EXISTS vulnerable_groups;
DROP TABLE IF EXISTS settings;

-- The CSV as text first: .import reads an empty field as '', not NULL.
CREATE TEMP TABLE children_csv (child_id, birth, died, moved_out, sex, ethnic_group,
                                imd_decile, local_authority, pcn, practice, vulnerable);
CREATE TEMP TABLE events_csv (child_id, kind, code, status, value, start_date, end_date);
.import --csv --skip 1 children.csv children_csv
.import --csv --skip 1 events.csv events_csv

-- One row per child. Dates are ISO text, NULL when not known. sex: 0 not
-- known, 1 male, 2 female; ethnic_group 0-5; imd_decile 0 (not known) or
-- 1-10; areas are codes, '' when not known; vulnerable is a bitmask.
CREATE TABLE children (
  child_id        INTEGER PRIMARY KEY,
  birth           TEXT,
  died            TEXT,
  moved_out       TEXT,   -- "left" in the CSV: left the ICS
  sex             INTEGER NOT NULL,
  ethnic_group    INTEGER NOT NULL,
  imd_decile      INTEGER NOT NULL,
  local_authority TEXT NOT NULL,
  pcn             TEXT NOT NULL,
  practice        TEXT NOT NULL,
  vulnerable      INTEGER NOT NULL
);
INSERT INTO children
SELECT CAST(child_id AS INTEGER), nullif(birth, ''), nullif(died, ''), nullif(moved_out, ''),
       CAST(sex AS INTEGER), CAST(ethnic_group AS INTEGER), CAST(imd_decile AS INTEGER),
       local_authority, pcn, practice, CAST(vulnerable AS INTEGER)
FROM children_csv;

-- One row per event (a fact of the child's record).
CREATE TABLE events (
  child_id   INTEGER NOT NULL,
  kind       TEXT NOT NULL,
  code       TEXT NOT NULL,
  status     TEXT NOT NULL,
  value      TEXT NOT NULL,
  start_date TEXT NOT NULL,
  end_date   TEXT
);
INSERT INTO events
SELECT CAST(child_id AS INTEGER), kind, code, status, value, start_date, nullif(end_date, '')
FROM events_csv;
DROP TABLE children_csv;
DROP TABLE events_csv;

CREATE TABLE vulnerable_groups (bit INTEGER PRIMARY KEY, id TEXT NOT NULL);
.import --csv --skip 1 vulnerable_groups.csv vulnerable_groups
CREATE TABLE settings (as_of TEXT NOT NULL);
.import --csv --skip 1 settings.csv settings

-- What an analyst would index: events by kind (every indicator picks one or
-- two kinds) and by child and day (the conditions look up a child's events).
CREATE INDEX events_kind ON events (kind, code);
CREATE INDEX events_child ON events (child_id, kind, start_date);
ANALYZE;
