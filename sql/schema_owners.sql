-- A schema's owner decides what the names in it mean while a run goes on:
-- it may rename the schema at any moment (no lock of the run stops it)
-- and create another of the same name holding views or functions of its
-- own, which the run's next statement would then read or call with the
-- rights of the table's owner. So every schema a run names, the tables'
-- own (with every partition's) and their column types', must be owned by
-- a superuser or by the table's owner; pg_database_owner stands for the
-- database's owner.
SET client_min_messages = warning;
SELECT current_database() AS db \gset
CREATE ROLE so_hostile;
CREATE ROLE so_app;
GRANT CREATE ON DATABASE :"db" TO so_hostile, so_app;
CREATE SCHEMA so_hostile AUTHORIZATION so_hostile;
CREATE SCHEMA so_main;

-- 1. A superuser's table in a schema another role owns: refused by the
-- run, the export and scrub_plan, naming the table, the schema and its
-- owner; nothing is built.
CREATE TABLE so_hostile.people (id int PRIMARY KEY, email text);
INSERT INTO so_hostile.people VALUES (1, 'a@corp.test'), (2, 'b@corp.test');
SELECT * FROM public.scrub_to_schema(
    CAST('{"people": ["id"]}' AS pg_catalog.jsonb), 'so_out', 'so_hostile');
SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'so_out%' OR nspname LIKE 'scrub_build%';
SELECT public.scrub_export_check(CAST('{"people": ["id"]}' AS pg_catalog.jsonb), 'so_hostile');
SELECT table_name, column_name, problem FROM public.scrub_plan(
    CAST('{"people": ["id"]}' AS pg_catalog.jsonb), 'so_hostile', false)
 WHERE problem IS NOT NULL;
-- Copied without rows, nothing of it is read: accepted.
SELECT table_name, rows_copied FROM public.scrub_to_schema(
    CAST('{"people": []}' AS pg_catalog.jsonb), 'so_out', 'so_hostile');
DROP SCHEMA so_out CASCADE;

-- 2. The same table owned by the schema's owner: whatever that role puts
-- in the schema runs with its own rights only. Accepted.
ALTER TABLE so_hostile.people OWNER TO so_hostile;
SELECT table_name, rows_copied FROM public.scrub_to_schema(
    CAST('{"people": ["id"]}' AS pg_catalog.jsonb), 'so_out', 'so_hostile');
DROP SCHEMA so_out CASCADE;

-- 3. A superuser's table in a superuser's schema whose column's type, or
-- an array's element type, lives in the other role's schema: refused,
-- naming the column and the type.
SET ROLE so_hostile;
CREATE DOMAIN so_hostile.code AS text CHECK (VALUE <> '');
CREATE TYPE so_hostile.mood AS ENUM ('ok', 'sad');
RESET ROLE;
CREATE TABLE so_main.tickets (id int PRIMARY KEY, code so_hostile.code, moods so_hostile.mood[]);
INSERT INTO so_main.tickets VALUES (1, 'x', '{ok}');
SELECT * FROM public.scrub_to_schema(
    CAST('{"tickets": ["id"]}' AS pg_catalog.jsonb), 'so_out', 'so_main');
-- Types of pg_catalog and of a superuser's schema are trusted.
ALTER TABLE so_main.tickets DROP COLUMN code, DROP COLUMN moods;
ALTER TABLE so_main.tickets ADD COLUMN tags text[];
SELECT table_name, rows_copied FROM public.scrub_to_schema(
    CAST('{"tickets": ["id"]}' AS pg_catalog.jsonb), 'so_out', 'so_main');
DROP SCHEMA so_out CASCADE;

-- 4. A partition in the other role's schema, owned like its root by a
-- superuser: refused, naming the partition.
CREATE TABLE so_main.events (id int, at date) PARTITION BY RANGE (at);
CREATE TABLE so_hostile.events_2026 PARTITION OF so_main.events
    FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
INSERT INTO so_main.events VALUES (1, '2026-05-01');
SELECT * FROM public.scrub_to_schema(
    CAST('{"events": ["id", "at"]}' AS pg_catalog.jsonb), 'so_out', 'so_main');
DROP TABLE so_main.events;

-- 5. A schema owned by pg_database_owner (as public is): trusted while the
-- database's owner is a superuser or the table's owner, refused for a
-- superuser's table once another role owns the database.
CREATE SCHEMA so_shared AUTHORIZATION pg_database_owner;
CREATE TABLE so_shared.items (id int PRIMARY KEY, name text);
INSERT INTO so_shared.items VALUES (1, 'one');
SELECT table_name, rows_copied FROM public.scrub_to_schema(
    CAST('{"items": ["id"]}' AS pg_catalog.jsonb), 'so_out', 'so_shared');
DROP SCHEMA so_out CASCADE;
SELECT pg_catalog.pg_get_userbyid(datdba) AS original_owner
  FROM pg_database WHERE datname = current_database() \gset
-- (public, which holds scrub here, gets a superuser for owner meanwhile:
-- a run refuses an extension schema of another role.)
ALTER SCHEMA public OWNER TO :"original_owner";
ALTER DATABASE :"db" OWNER TO so_app;
SELECT * FROM public.scrub_to_schema(
    CAST('{"items": ["id"]}' AS pg_catalog.jsonb), 'so_out', 'so_shared');
-- The database's owner owning the table: accepted.
ALTER TABLE so_shared.items OWNER TO so_app;
SELECT table_name, rows_copied FROM public.scrub_to_schema(
    CAST('{"items": ["id"]}' AS pg_catalog.jsonb), 'so_out', 'so_shared');
DROP SCHEMA so_out CASCADE;
ALTER DATABASE :"db" OWNER TO :"original_owner";
ALTER SCHEMA public OWNER TO pg_database_owner;

-- Production is as it was.
SELECT * FROM so_hostile.people ORDER BY id;
SELECT * FROM so_main.tickets ORDER BY id;
SELECT * FROM so_shared.items ORDER BY id;

DROP SCHEMA so_hostile, so_main, so_shared CASCADE;
REVOKE CREATE ON DATABASE :"db" FROM so_hostile, so_app;
DROP ROLE so_hostile;
DROP ROLE so_app;
