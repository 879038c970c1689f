-- The most favourable SQLite layout for a first load, as a second peer for
-- the ingest benchmark: the same 300,000 event rows as sqlite_floor.sql, but
-- inserted into a table with no secondary index, and both indexes built
-- afterwards by CREATE INDEX (a sort, not 300,000 random B-tree inserts).
-- No parsing, no hashing, no validation. If even this is below a throughput
-- target, no store layout that can still find a record's versions and a
-- person's events meets it. Run: sqlite3 /tmp/floor2.db < bench/sqlite_floor_deferred.sql
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
PRAGMA cache_size = -262144;
DROP TABLE IF EXISTS e;
CREATE TABLE e (id INTEGER PRIMARY KEY, source INTEGER, original_id TEXT, person TEXT,
                kind TEXT, code_system TEXT, code TEXT, display TEXT, start_date TEXT,
                end_date TEXT, status TEXT, hash TEXT, batch INTEGER, line INTEGER,
                value TEXT, superseded_by INTEGER);
.timer on
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300000)
INSERT INTO e (source, original_id, person, kind, code_system, code, display, start_date,
               end_date, status, hash, batch, line, value)
SELECT 3, 'EC' || abs(random() % 10000000000), 'RZA' || abs(random() % 10000000),
       'ed-attendance', 'http://snomed.info/sct', '82271004', 'Injury of head', '2025-10-28',
       NULL, '01', lower(hex(randomblob(16))), 1, i, '306689006'
FROM n;
CREATE INDEX e_by_original ON e (source, original_id);
CREATE INDEX e_by_person ON e (source, person);
COMMIT;
