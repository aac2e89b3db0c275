-- The C++/PostgreSQL error boundary: a PostgreSQL error raised inside SPI
-- during a run and a C++ exception thrown during a run each end as a clean
-- SQL error, roll back everything, and the session goes on working.
CREATE SCHEMA edge;
CREATE DOMAIN edge.email AS text CHECK (VALUE LIKE '%@%');
CREATE TABLE edge.people (id int, contact edge.email);
CREATE TABLE edge.notes (id int, body text);
INSERT INTO edge.people VALUES (1, 'a@example.com');
INSERT INTO edge.notes VALUES (1, 'hello');
SELECT table_name, rows_copied FROM scrub_to_schema('{"notes": ["id"]}', source_schema => 'edge');

-- PostgreSQL error inside SPI: the generic fake violates the domain's
-- CHECK. The original SQLSTATE (23514) and a context naming the table
-- come through.
\set SHOW_CONTEXT never
SELECT * FROM scrub_to_schema('{"notes": ["id"], "people": ["id"]}', source_schema => 'edge');
\echo :LAST_ERROR_SQLSTATE
\set SHOW_CONTEXT errors
SELECT expect_error($$SELECT * FROM scrub_to_schema('{"notes": ["id"], "people": ["id"]}',
                                                     source_schema => 'edge')$$);
SELECT 1 AS session_still_works;
SELECT table_name FROM scrubbed._scrub_tables WHERE copied;

-- C++ exception in the middle of a run (after one table was copied).
SET scrub.debug_fail_after_tables = 1;
SELECT * FROM scrub_to_schema('{"notes": ["id", "body"], "people": ["id", "contact"]}',
                              source_schema => 'edge');
\echo :LAST_ERROR_SQLSTATE
RESET scrub.debug_fail_after_tables;
SELECT 1 AS session_still_works;
SELECT table_name FROM scrubbed._scrub_tables WHERE copied;
SELECT count(*) AS build_schemas FROM pg_namespace WHERE nspname LIKE 'scrub_build_%';

-- Errors inside a subtransaction leave the outer transaction usable.
BEGIN;
SAVEPOINT before_run;
SET LOCAL scrub.debug_fail_after_tables = 0;
SELECT * FROM scrub_to_schema('{"notes": ["id"]}', source_schema => 'edge');
\echo :LAST_ERROR_SQLSTATE
ROLLBACK TO SAVEPOINT before_run;
SELECT table_name, rows_copied FROM scrub_to_schema('{"notes": ["id"], "people": ["id", "contact"]}',
                                                    source_schema => 'edge');
COMMIT;
SELECT table_name FROM scrubbed._scrub_tables WHERE copied ORDER BY 1;

DROP SCHEMA scrubbed, edge CASCADE;
