-- The peer for the ingest benchmark: SQLite itself, with no parsing at all,
-- inserting 300,000 event rows shaped like onechild's (same columns, same
-- three B-trees as since migration 5: rowid, (source, original id), by
-- person) with random ids, in one INSERT ... SELECT. What this takes is the floor for a
-- row-per-record store on this machine; bench/run prints it beside
-- BM_IngestCsv. Run: sqlite3 /tmp/floor.db < bench/sqlite_floor.sql
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
PRAGMA cache_size = -262144;
DROP TABLE IF EXISTS e;
CREATE TABLE e (id INTEGER PRIMARY KEY, source INTEGER, original_id TEXT, person TEXT,
                kind TEXT, code_system TEXT, code TEXT, display TEXT, start_date TEXT,
                end_date TEXT, status TEXT, hash TEXT, batch INTEGER, line INTEGER,
                value TEXT, superseded_by INTEGER);
CREATE INDEX e_by_original ON e (source, original_id);
CREATE INDEX e_by_person ON e (source, person);
.timer on
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300000)
INSERT INTO e (source, original_id, person, kind, code_system, code, display, start_date,
               end_date, status, hash, batch, line, value)
SELECT 3, 'EC' || abs(random() % 10000000000), 'RZA' || abs(random() % 10000000),
       'ed-attendance', 'http://snomed.info/sct', '82271004', 'Injury of head', '2025-10-28',
       NULL, '01', lower(hex(randomblob(16))), 1, i, '306689006'
FROM n;
COMMIT;
