-- The most favourable SQLite layout for a first load, as a second peer for
-- the ingest benchmark: the same 300,000 event rows as sqlite_floor.sql, but
-- inserted into a table with no secondary index, and both indexes built
-- afterwards by CREATE INDEX (a sort, not 300,000 random B-tree inserts).
-- No parsing, no hashing, no validation. If even this is below a throughput
-- target, no store layout that can still find a record's versions and a
-- person's events meets it. Run from the repository root: sqlite3 /tmp/floor2.db < bench/sqlite_floor_deferred.sql
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
PRAGMA cache_size = -262144;
DROP TABLE IF EXISTS e;
CREATE TABLE e (id INTEGER PRIMARY KEY, source INTEGER, original_id TEXT, person TEXT,
                kind TEXT, code_system TEXT, code TEXT, display TEXT, start_date TEXT,
                end_date TEXT, status TEXT, hash TEXT, batch INTEGER, line INTEGER,
                value TEXT, superseded_by INTEGER);
.timer on
.read bench/sqlite_floor_rows.sql
BEGIN;
CREATE INDEX e_by_original ON e (source, original_id);
CREATE INDEX e_by_person ON e (source, person);
COMMIT;
