-- The peer for the ingest benchmark: SQLite itself, with no parsing at all,
-- inserting 300,000 event rows shaped like onechild's (same columns, same
-- three B-trees as since migration 5: rowid, (source, original id), by
-- person) with random ids, in one INSERT ... SELECT. What this takes is the floor for a
-- row-per-record store on this machine; bench/run prints it beside
-- BM_IngestCsv. Run from the repository root: sqlite3 /tmp/floor.db < bench/sqlite_floor.sql
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
.read bench/sqlite_floor_rows.sql
