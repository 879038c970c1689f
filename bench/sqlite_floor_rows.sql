-- The 300,000 event rows both SQLite peers insert (sqlite_floor.sql,
-- sqlite_floor_deferred.sql), into a table e they have already made: random
-- ids as real feeds have, one INSERT ... SELECT, no parsing.
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300000)
INSERT INTO e (source, original_id, person, kind, code_system, code, display, start_date,
               end_date, status, hash, batch, line, value)
SELECT 3, 'EC' || abs(random() % 10000000000), 'RZA' || abs(random() % 10000000),
       'ed-attendance', 'http://snomed.info/sct', '82271004', 'Injury of head', '2025-10-28',
       NULL, '01', lower(hex(randomblob(16))), 1, i, '306689006'
FROM n;
COMMIT;
