-- Strict mode and the dry run (scrub_plan): every column decided, and
-- everything a run would do or fail on shown before anything is written.

-- Shows a failing statement's SQLSTATE, message, detail and hint.
CREATE FUNCTION ps_error(statement text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    detail text;
    hint text;
BEGIN
    EXECUTE statement;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
    RETURN SQLSTATE || ': ' || SQLERRM || E'\nDETAIL: ' || detail || E'\nHINT: ' || hint;
END $$;

CREATE SCHEMA ps;
CREATE SCHEMA ps_audit;
CREATE TABLE ps.users (
    id int PRIMARY KEY,
    email text NOT NULL UNIQUE,
    nickname text,
    double_id int GENERATED ALWAYS AS (id * 2) STORED
);
CREATE TABLE ps.orders (id int PRIMARY KEY, user_id int REFERENCES ps.users, note text);
CREATE TABLE ps.tags (id int PRIMARY KEY, label text);
CREATE TABLE ps_audit.events (id int PRIMARY KEY, user_id int, payload jsonb);
INSERT INTO ps.users (id, email, nickname) VALUES (1, 'a@x.test', 'ann'), (2, 'b@x.test', NULL);
INSERT INTO ps.orders VALUES (10, 1, 'first'), (11, 2, NULL);
INSERT INTO ps.tags VALUES (1, 'red');
INSERT INTO ps_audit.events VALUES (1, 1, '{"ip": "10.0.0.1"}');

-- Every table of every covered schema listed, every copied column decided:
-- the strict run goes through, in both forms (plain: listed = keep).
SELECT table_name, rows_copied, columns_kept, columns_scrubbed
  FROM scrub_to_schema('{
    "users": {"columns": {"id": "keep", "email": "email", "nickname": {"rule": "null", "why": "free text"}}},
    "orders": ["id", "user_id", "note"],
    "tags": [],
    "ps_audit.events": {"rows": "none"}}', 'ps_out', 'ps', strict => true)
 ORDER BY 1;

-- Not strict (the default): the same gaps run as before.
SELECT table_name, rows_copied, columns_kept, columns_scrubbed
  FROM scrub_to_schema('{"users": ["id"], "orders": ["id", "user_id"]}', 'ps_out', 'ps')
 ORDER BY 1;
SELECT count(*) AS tables_recorded FROM ps_out._scrub_tables;

-- Strict: one error names every undecided table and column (a plain-form
-- table's unlisted columns, an object-form table's unnamed ones, tables
-- of the source schema and of the other covered schema left unlisted);
-- the hint holds JSON that keeps what the run does now. Nothing changes.
SELECT ps_error($$SELECT * FROM scrub_to_schema('{
    "users": ["id"],
    "orders": {"columns": {"id": "keep"}},
    "ps_audit.events": {"columns": {"id": "keep", "user_id": "keep"}}}', 'ps_out', 'ps', strict => true)$$);
SELECT count(*) AS tables_recorded FROM ps_out._scrub_tables;

-- The hint's entries are valid JSON: merged into the allowlist (an
-- unlisted table's entry added, undecided columns added to "columns", a
-- plain-form table's array replaced), the strict run goes through.
CREATE FUNCTION ps_fixed(allowlist jsonb, source text) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    hint text;
    fragment jsonb;
BEGIN
    PERFORM scrub_to_schema(allowlist, 'ps_hint_out', source, strict => true);
    RETURN allowlist;
EXCEPTION WHEN invalid_parameter_value THEN
    GET STACKED DIAGNOSTICS hint = PG_EXCEPTION_HINT;
    fragment := CAST('{' || substr(hint, strpos(hint, E'\n') + 1) || '}' AS jsonb);
    RETURN (SELECT jsonb_object_agg(k,
                CASE WHEN jsonb_typeof(allowlist -> k) = 'object' AND fragment ? k
                     THEN jsonb_set(allowlist -> k, '{columns}',
                                    coalesce(allowlist -> k -> 'columns', '{}') || (fragment -> k -> 'columns'))
                     WHEN fragment ? k THEN fragment -> k
                     ELSE allowlist -> k END)
              FROM jsonb_object_keys(allowlist || fragment) AS k);
END $$;
SELECT ps_fixed('{"users": ["id"], "orders": {"columns": {"id": "keep", "user_id": "keep"}}}', 'ps');
SELECT table_name, rows_copied, columns_kept, columns_scrubbed
  FROM scrub_to_schema(ps_fixed('{"users": ["id"], "orders": {"columns": {"id": "keep", "user_id": "keep"}}}', 'ps'),
                       'ps_hint_out', 'ps', strict => true)
 ORDER BY 1;
DROP SCHEMA ps_hint_out CASCADE;

-- A column hashed through its foreign key to a hashed key needs no
-- decision of its own: the key decides it.
\! umask 077 && printf '%s' 'plan-strict-regress-key-0123456789' > tmp_check_regress/plan_strict_1.key
SET scrub.key_file = '../plan_strict_1.key';
SELECT table_name, rows_copied, columns_kept, columns_scrubbed
  FROM scrub_to_schema('{
    "users": {"columns": {"id": "hash", "email": "email", "nickname": "null"}},
    "orders": {"columns": {"id": "keep", "note": "fake"}},
    "tags": []}', 'ps_out', 'ps', strict => true)
 ORDER BY 1;
SELECT * FROM scrub_plan('{
    "users": {"columns": {"id": "hash", "email": "email", "nickname": "null"}},
    "orders": {"columns": {"id": "keep", "note": "fake"}},
    "tags": []}', 'ps', strict => true);
RESET scrub.key_file;

-- scrub_plan: one row per column of every covered table, with what the
-- run does and why; plain form "listed", object form "rule", unnamed
-- columns "default fake", generated columns recomputed, tables without
-- rows. No problem here.
SELECT * FROM scrub_plan('{
    "users": {"columns": {"id": "keep", "email": {"rule": "email", "why": "contact"}}},
    "orders": ["id", "user_id"],
    "ps_audit.events": []}', 'ps');

-- The same allowlist in strict mode: the undecided ones are problems, a
-- whole table's on a row of its own (column_name NULL).
SELECT table_name, column_name, decision, problem
  FROM scrub_plan('{
    "users": {"columns": {"id": "keep", "email": {"rule": "email", "why": "contact"}}},
    "orders": ["id", "user_id"],
    "ps_audit.events": []}', 'ps', true)
 WHERE problem IS NOT NULL;

-- Every kind of problem at once, where the run stops at the first kind.
CREATE SCHEMA ps_bad;
CREATE TYPE ps_bad.pair AS (a int, b int);
CREATE TABLE ps_bad.parent (id int PRIMARY KEY, code varchar(1) UNIQUE, tiny varchar(2));
CREATE TABLE ps_bad.child (
    id int PRIMARY KEY,
    parent_id int REFERENCES ps_bad.parent,
    must text NOT NULL,
    odd ps_bad.pair,
    slot text UNIQUE,
    n int
);
CREATE VIEW ps_bad.a_view AS SELECT 1 AS one;
CREATE TABLE ps_bad.parted (id int, k int) PARTITION BY RANGE (k);
CREATE TABLE ps_bad.parted_1 PARTITION OF ps_bad.parted FOR VALUES FROM (0) TO (100);
CREATE TABLE ps_bad._scrub_run (id int);
INSERT INTO ps_bad.parent SELECT i, NULL, NULL FROM generate_series(1, 12) AS i;
UPDATE ps_bad.parent SET code = chr(64 + id);
INSERT INTO ps_bad.child VALUES (1, 1, 'x', '(1,2)', 's', 1);
SELECT * FROM scrub_plan('{
    "no_such_table": ["id"],
    "parent": {"columns": {"id": "keep", "tiny": "email"}},
    "child": {"columns": {"id": "keep", "no_such_column": "keep", "must": "null",
                          "slot": {"constant": "same"}, "n": "email"}},
    "a_view": [],
    "parted_1": [],
    "parted": {"columns": {"id": "keep"}},
    "_scrub_run": ["id"],
    "pg_catalog.pg_class": []}', 'ps_bad', strict => true)
 ORDER BY table_name, column_name NULLS FIRST;

-- What the run finds wrong in the allowlist's expressions on the server
-- (a constant its column's type refuses, an sql rule or a row filter that
-- does not parse, names no column, is not boolean or has the wrong type,
-- an aggregate) and a hash rule without a key: each a problem of its
-- entry, all at once, and the plan goes on to the other checks (the
-- unique column too narrow for "tiny" below) instead of ending with the
-- first error. No key is configured here (neither scrub.key nor
-- scrub.key_file), so the hashed key and the column hashed through its
-- foreign key are both problems.
SELECT table_name, column_name, problem FROM scrub_plan('{
    "parent": {"rows": {"where": "no_such_column > 1"},
               "columns": {"id": "hash", "code": {"constant": "too long"}, "tiny": "email"}},
    "child": {"rows": {"where": "id + 1"},
              "columns": {"id": {"constant": "not a number"}, "must": {"sql": "must ||"},
                          "odd": {"sql": "n"}, "slot": {"sql": "count(*)"}, "n": {"sql": "nope"}}},
    "parted": {"rows": {"where": "k = ''abc''"}, "columns": {"id": {"constant": "99999999999"}}}}', 'ps_bad')
 WHERE problem IS NOT NULL
 ORDER BY table_name, column_name NULLS FIRST;
-- Valid expressions in the same tables leave no problem; nothing was
-- written by the failed checks either.
SELECT count(problem) AS problems FROM scrub_plan('{
    "parent": {"rows": {"where": "id > 0"}, "columns": {"id": "keep", "code": "keep", "tiny": {"constant": "Z"}}},
    "child": {"columns": {"id": "keep", "parent_id": "keep", "odd": "keep", "must": {"sql": "must || ''!''"}}}}', 'ps_bad');
SELECT count(*) AS schemas_made FROM pg_namespace WHERE nspname LIKE 'scrub_build_%';
-- A table with a row filter has a row of its own, with the filter.
SELECT * FROM scrub_plan('{"parent": {"rows": {"where": "id > 0"}, "columns": {"id": "keep", "code": "keep", "tiny": "keep"}}}', 'ps_bad')
 WHERE column_name IS NULL;
-- The run still fails on the first of them, with its own error.
SELECT ps_error($$SELECT * FROM scrub_to_schema('{"child": {"columns": {"id": "keep", "odd": "keep", "n": {"constant": "x"}}}}', 'ps_out', 'ps_bad')$$);
SELECT ps_error($$SELECT * FROM scrub_to_schema('{"child": {"rows": {"where": "id + 1"}, "columns": {"id": "keep", "odd": "keep"}}}', 'ps_out', 'ps_bad')$$);
SELECT ps_error($$SELECT * FROM scrub_to_schema('{"parent": {"columns": {"id": "hash"}}}', 'ps_out', 'ps_bad')$$);

-- The run fails on these, one kind after the other, as it always has.
SELECT ps_error($$SELECT * FROM scrub_to_schema('{"no_such_table": [], "child": {"columns": {"no_such_column": "keep"}}}', 'ps_out', 'ps_bad')$$);
SELECT ps_error($$SELECT * FROM scrub_to_schema('{"parent": ["id"]}', 'ps_out', 'ps_bad')$$);
SELECT ps_error($$SELECT * FROM scrub_to_schema('{"child": ["id", "odd", "slot", "n", "must"]}', 'ps_out', 'ps_bad')$$);

-- scrub_plan writes nothing and locks nothing but what reading takes: in
-- a READ ONLY transaction, no transaction id is assigned, no advisory lock
-- (the run lock) and no relation lock stronger than ACCESS SHARE is held.
BEGIN READ ONLY;
SELECT count(*) AS rows_planned, count(problem) AS problems
  FROM scrub_plan('{"parent": ["id"], "child": ["id", "parent_id", "odd", "must"]}', 'ps_bad');
SELECT pg_current_xact_id_if_assigned() IS NULL AS nothing_written;
SELECT locktype, mode, count(*) FROM pg_locks
 WHERE pid = pg_backend_pid()
   AND (locktype = 'advisory' OR (locktype = 'relation' AND mode <> 'AccessShareLock'))
 GROUP BY 1, 2;
-- No table is locked unless its rows are counted (parent, for its unique
-- code column) or reading the catalog opens it (a partition's bound).
SELECT c.relname FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
 WHERE l.pid = pg_backend_pid() AND c.relnamespace = 'ps_bad'::regnamespace AND c.relkind IN ('r', 'p')
 ORDER BY 1;
COMMIT;
SELECT count(*) AS schemas_made FROM pg_namespace WHERE nspname LIKE 'scrub_build_%';

-- Hostile names: quotes, dots and backslashes in schema, table and column
-- names, in the plan and in the strict hint, whose JSON still parses and
-- makes the strict run go through.
CREATE SCHEMA "ps.we""ird\";
CREATE TABLE "ps.we""ird\"."ta.ble ""x""\" (id int PRIMARY KEY, "co""l\" text, "a.b" int);
INSERT INTO "ps.we""ird\"."ta.ble ""x""\" VALUES (1, 'v', 2);
SELECT * FROM scrub_plan('{"\"ps.we\"\"ird\\\".\"ta.ble \"\"x\"\"\\\"": {"columns": {"id": "keep"}}}', 'ps', true)
 WHERE table_name NOT IN ('users', 'orders', 'tags', 'ps_audit.events');
SELECT ps_error($$SELECT * FROM scrub_to_schema('{"\"ps.we\"\"ird\\\".\"ta.ble \"\"x\"\"\\\"": {"columns": {"id": "keep"}}, "users": [], "orders": [], "tags": [], "ps_audit.events": []}', 'ps_hint_out', 'ps', strict => true)$$);
SELECT table_name, rows_copied, columns_kept, columns_scrubbed
  FROM scrub_to_schema(ps_fixed('{"\"ps.we\"\"ird\\\".\"ta.ble \"\"x\"\"\\\"": {"columns": {"id": "keep"}}, "users": [], "orders": [], "tags": [], "ps_audit.events": []}', 'ps'),
                       'ps_hint_out', 'ps', strict => true);

-- A sequence the caller may not read: the run fails (42501) before it
-- copies anything; the plan names it as a problem of its own.
CREATE ROLE ps_reader;
CREATE SCHEMA ps_seq;
CREATE TABLE ps_seq.items (id serial PRIMARY KEY, label text);
INSERT INTO ps_seq.items (label) VALUES ('a');
GRANT USAGE ON SCHEMA ps_seq TO ps_reader;
GRANT SELECT ON ps_seq.items TO ps_reader;
GRANT EXECUTE ON FUNCTION scrub_plan(jsonb, text, boolean) TO ps_reader;
GRANT EXECUTE ON FUNCTION scrub_to_schema(jsonb, text, text, boolean, boolean) TO ps_reader;
SET ROLE ps_reader;
SELECT table_name, column_name, problem FROM scrub_plan('{"items": ["id"]}', 'ps_seq')
 WHERE problem IS NOT NULL;
SELECT ps_error($$SELECT * FROM scrub_to_schema('{"items": ["id"]}', 'ps_seq_out', 'ps_seq')$$);
RESET ROLE;
GRANT SELECT ON SEQUENCE ps_seq.items_id_seq TO ps_reader;
SET ROLE ps_reader;
SELECT count(*) AS problems FROM scrub_plan('{"items": ["id"]}', 'ps_seq') WHERE problem IS NOT NULL;
RESET ROLE;
DROP SCHEMA ps_seq CASCADE;
REVOKE EXECUTE ON FUNCTION scrub_plan(jsonb, text, boolean) FROM ps_reader;
REVOKE EXECUTE ON FUNCTION scrub_to_schema(jsonb, text, text, boolean, boolean) FROM ps_reader;
DROP ROLE ps_reader;

-- Arguments: NULL strict is refused, like every other argument.
SELECT ps_error($$SELECT * FROM scrub_plan('{}', 'ps', NULL)$$);
SELECT ps_error($$SELECT * FROM scrub_to_schema('{}', 'ps_out', 'ps', NULL)$$);
SELECT ps_error($$SELECT * FROM scrub_plan('{}', 'no_such_schema')$$);

DROP SCHEMA ps_hint_out, ps_hint_out__ps_audit, "ps_hint_out__ps.we""ird\", ps_out CASCADE;
DROP SCHEMA ps, ps_audit, ps_bad, "ps.we""ird\" CASCADE;
DROP FUNCTION ps_error(text), ps_fixed(jsonb, text);
