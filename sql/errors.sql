-- Every error scrub_to_schema raises for bad input: SQLSTATE, message,
-- detail naming the offending entry, hint; and nothing changes.
\set SHOW_CONTEXT never
CREATE SCHEMA shop;
CREATE TABLE shop.users (id int PRIMARY KEY, email text);
CREATE TABLE shop.orders (id int, total numeric) PARTITION BY RANGE (id);
CREATE TABLE shop.orders_low PARTITION OF shop.orders FOR VALUES FROM (0) TO (100);
INSERT INTO shop.users VALUES (1, 'a@example.com');
CREATE SCHEMA precious;
CREATE TABLE precious.keep_me (id int);
-- A previous good run, which every failure below must leave untouched.
SELECT table_name, rows_copied FROM scrub_to_schema('{"users": ["id"]}', source_schema => 'shop');
CREATE TEMP TABLE state_before AS
SELECT (SELECT finished_at FROM scrubbed._scrub_run) AS finished_at,
       (SELECT count(*) FROM pg_class WHERE relpersistence <> 't') AS relations;

-- Malformed allowlists: 22023, the key named in the message or detail.
SELECT * FROM scrub_to_schema('["users"]', source_schema => 'shop');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM scrub_to_schema('"users"', source_schema => 'shop');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM scrub_to_schema('{"users": "id"}', source_schema => 'shop');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM scrub_to_schema('{"users": ["id", 7]}', source_schema => 'shop');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM scrub_to_schema('{"users": ["id", ""]}', source_schema => 'shop');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM scrub_to_schema('{"users": ["id", "id"]}', source_schema => 'shop');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM scrub_to_schema('{"users": ["id"], "shop.users": ["id"]}', source_schema => 'shop');
\echo :LAST_ERROR_SQLSTATE
-- A key may name a table of another schema, which must exist.
SELECT * FROM scrub_to_schema('{"other.users": ["id"]}', source_schema => 'shop');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM scrub_to_schema('{"": ["id"]}', source_schema => 'shop');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM scrub_to_schema('{"a.b.c": ["id"]}', source_schema => 'shop');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM scrub_to_schema('{"\"users": ["id"]}', source_schema => 'shop');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM scrub_to_schema('{"us\"ers": ["id"]}', source_schema => 'shop');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM scrub_to_schema('{"shop.": ["id"]}', source_schema => 'shop');
\echo :LAST_ERROR_SQLSTATE
-- Quoted keys name the same table as bare ones.
SELECT * FROM scrub_to_schema('{"\"shop\".\"users\"": ["id"], "users": []}', source_schema => 'shop');
\echo :LAST_ERROR_SQLSTATE

-- Objects that do not exist: every one named at once (42704).
SELECT * FROM scrub_to_schema('{"users": ["id", "emial", "name"], "user": ["id"], "orders": ["nope"]}',
                              source_schema => 'shop');
\echo :LAST_ERROR_SQLSTATE
-- A partition instead of its partitioned table.
SELECT * FROM scrub_to_schema('{"orders_low": ["id"]}', source_schema => 'shop');
\echo :LAST_ERROR_SQLSTATE

-- Schemas: missing source, target equal to source, target scrub did not
-- build, empty and over-long names, NULL arguments.
SELECT * FROM scrub_to_schema('{}', source_schema => 'nowhere');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM scrub_to_schema('{}', 'shop', 'shop');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM scrub_to_schema('{}', 'precious', 'shop');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS precious_tables FROM pg_tables WHERE schemaname = 'precious';
SELECT * FROM scrub_to_schema('{}', '', 'shop');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM scrub_to_schema('{}', repeat('x', 64), 'shop');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM scrub_to_schema(NULL, source_schema => 'shop');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM scrub_to_schema('{}', NULL, 'shop');
\echo :LAST_ERROR_SQLSTATE
-- A source table whose name clashes with the manifest.
CREATE TABLE shop._scrub_run (id int);
SELECT * FROM scrub_to_schema('{"_scrub_run": ["id"]}', source_schema => 'shop');
\echo :LAST_ERROR_SQLSTATE
DROP TABLE shop._scrub_run;

-- None of the failures changed anything.
SELECT (SELECT finished_at FROM scrubbed._scrub_run) = finished_at AS previous_run_intact,
       (SELECT count(*) FROM pg_class WHERE relpersistence <> 't') = relations AS no_relations_added
  FROM state_before;
SELECT count(*) AS build_schemas FROM pg_namespace WHERE nspname LIKE 'scrub_build_%';

-- Reserved schema names fail before anything happens.
SELECT * FROM scrub_to_schema('{}', 'pg_scratch', 'shop');
\echo :LAST_ERROR_SQLSTATE
-- Objects outside the target that depend on it are never dropped silently.
CREATE VIEW public.users_report AS SELECT count(*) FROM scrubbed.users;
SELECT * FROM scrub_to_schema('{"users": ["id"]}', source_schema => 'shop');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS report_view_kept FROM pg_views WHERE viewname = 'users_report';
DROP VIEW public.users_report;

DROP SCHEMA scrubbed, shop, precious CASCADE;
