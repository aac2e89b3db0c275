-- Objects other roles create in the extension's schema (public here). A
-- run calls scrub's functions qualified with that schema and with
-- arguments of exactly their declared types, and every entry point but
-- scrub_suggest refuses (42501) when the schema holds a function,
-- procedure or aggregate named like one of scrub's that is not scrub's.
SET client_min_messages = warning;
\! umask 077 && printf 'extension-schema-key-0123456789ab\n' > tmp_check_regress/extension_schema.key
SET scrub.key_file = '../extension_schema.key';

CREATE ROLE es_hostile;
GRANT CREATE ON SCHEMA public TO es_hostile;
CREATE SCHEMA es;
GRANT USAGE, CREATE ON SCHEMA es TO es_hostile;  -- not its owner (schema_owners)
CREATE TABLE es.calls (fn text, caller text);
GRANT INSERT ON es.calls TO PUBLIC;
CREATE TABLE es.people (id int PRIMARY KEY, email text);
INSERT INTO es.people SELECT g, 'user' || g || '@corp.test' FROM generate_series(1, 3) g;

-- 1. An overload of scrub_table_signature taking oid (the run once passed
-- its argument as oid, so this was an exact match and ran as the caller).
SET ROLE es_hostile;
CREATE FUNCTION public.scrub_table_signature(relation oid) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO es.calls VALUES ('scrub_table_signature(oid)', current_user);
    RETURN public.scrub_table_signature(relation::regclass);
END $$;
RESET ROLE;
-- Refused by every entry point that reaches scrub, naming it and its owner.
SELECT * FROM public.scrub_to_schema(
    CAST('{"es.people": {"columns": {"id": "keep", "email": "hash"}}}' AS pg_catalog.jsonb),
    'es_out', 'public');
SELECT count(*) FROM public.scrub_plan(CAST('{"es.people": ["id"]}' AS pg_catalog.jsonb),
                                       'public', false);
SELECT count(*) FROM public.scrub_export_plan(CAST('{"es.people": ["id"]}' AS pg_catalog.jsonb),
                                              'public');
SELECT public.scrub_export_check(CAST('{"es.people": ["id"]}' AS pg_catalog.jsonb), 'public');
SELECT count(*) FROM public.scrub_export_sequences(
    CAST('{"es.people": ["id"]}' AS pg_catalog.jsonb), 'public');
SELECT * FROM es.calls;
SELECT count(*) FROM pg_namespace WHERE nspname = 'es_out__es';

-- 2. The same overload created during the run, after the refusal's check,
-- by the CHECK of a table the hostile role owns (evaluated as its owner
-- on the copied rows, whose v is faked). The run's own signature calls pass regclass, so
-- the overload is never chosen.
DROP FUNCTION public.scrub_table_signature(oid);
SET ROLE es_hostile;
CREATE TABLE es.armed ();
CREATE FUNCTION es.plant(v int) RETURNS boolean LANGUAGE plpgsql AS $plant$
BEGIN
    IF EXISTS (SELECT FROM es.armed)
       AND pg_catalog.to_regprocedure('public.scrub_table_signature(oid)') IS NULL THEN
        EXECUTE $f$CREATE FUNCTION public.scrub_table_signature(relation oid) RETURNS text
            LANGUAGE plpgsql AS $b$
            BEGIN
                INSERT INTO es.calls VALUES ('scrub_table_signature(oid)', current_user);
                RETURN public.scrub_table_signature(relation::regclass);
            END $b$ $f$;
    END IF;
    RETURN true;
END $plant$;
CREATE TABLE es.aaa_planter (id int PRIMARY KEY, v int CHECK (es.plant(v)));
INSERT INTO es.aaa_planter VALUES (1, 1);
INSERT INTO es.armed DEFAULT VALUES;
SELECT pg_catalog.to_regprocedure('public.scrub_table_signature(oid)') IS NOT NULL AS planted;
RESET ROLE;
SELECT table_name, rows_copied FROM public.scrub_to_schema(
    CAST('{"es.aaa_planter": ["id"], "es.people": ["id", "email"]}' AS pg_catalog.jsonb),
    'es_out', 'public')
 ORDER BY table_name;
SELECT pg_catalog.to_regprocedure('public.scrub_table_signature(oid)') IS NOT NULL AS planted;
SELECT * FROM es.calls;
-- Its signatures are those of the real function.
SELECT t.table_name, t.source_signature IS NOT DISTINCT FROM
       public.scrub_table_signature(CAST(pg_catalog.format('es.%I', t.table_name) AS regclass)) AS same
  FROM es_out._scrub_tables t WHERE t.copied ORDER BY 1;
DROP FUNCTION public.scrub_table_signature(oid);
DROP SCHEMA es_out, es_out__es CASCADE;
DROP TABLE es.aaa_planter;

-- 3. Overloads with an extra DEFAULT argument make scrub's own calls
-- ambiguous ("function ... is not unique"): refused first, with an error
-- naming each one, whatever the rules use.
SET ROLE es_hostile;
CREATE FUNCTION public.scrub_hash(value text, max_length integer, run_token text,
                                  extra integer DEFAULT 0)
RETURNS text LANGUAGE sql AS $$ SELECT 'x' $$;
CREATE FUNCTION public.scrub_fake_text(rule text, seed bigint, max_length integer,
                                       source_length integer, extra integer DEFAULT 0)
RETURNS text LANGUAGE sql AS $$ SELECT 'x' $$;
CREATE FUNCTION public.scrub_plan(allowlist jsonb, source_schema text, strict boolean,
                                  extra int DEFAULT 0)
RETURNS TABLE (x int) LANGUAGE sql AS 'SELECT 1';
RESET ROLE;
SELECT * FROM public.scrub_to_schema(
    CAST('{"es.people": {"columns": {"id": "keep", "email": "email"}}}' AS pg_catalog.jsonb),
    'es_out', 'public');
-- A call the overload makes ambiguous never reaches scrub: PostgreSQL's
-- own error (scrub-dump checks the schema first, and says why).
SELECT count(*) FROM public.scrub_plan(CAST('{"es.people": ["id"]}' AS pg_catalog.jsonb),
                                       'public', false);
DROP FUNCTION public.scrub_plan(jsonb, text, boolean, int);
DROP FUNCTION public.scrub_fake_text(text, bigint, integer, integer, integer);
DROP FUNCTION public.scrub_hash(text, integer, text, integer);

-- 4. Owned by a superuser, an aggregate, a procedure: refused all the
-- same (each makes calls ambiguous); named after none of scrub's
-- functions: left alone.
CREATE ROLE es_admin SUPERUSER;
SET ROLE es_admin;
CREATE AGGREGATE public.scrub_json_keep(pg_catalog.jsonb) (SFUNC = pg_catalog.jsonb_concat,
                                                           STYPE = pg_catalog.jsonb);
CREATE PROCEDURE public.scrub_to_schema(allowlist text) LANGUAGE sql AS 'SELECT 1';
CREATE FUNCTION public.scrub_nightly() RETURNS int LANGUAGE sql AS 'SELECT 1';
RESET ROLE;
SELECT count(*) FROM public.scrub_plan(CAST('{"es.people": ["id"]}' AS pg_catalog.jsonb),
                                       'public', false);
DROP AGGREGATE public.scrub_json_keep(pg_catalog.jsonb);
DROP PROCEDURE public.scrub_to_schema(text);
SELECT count(*) FROM public.scrub_plan(CAST('{"es.people": ["id"]}' AS pg_catalog.jsonb),
                                       'public', false);
DROP FUNCTION public.scrub_nightly();
DROP ROLE es_admin;

-- 5. In a schema of its own, out of other roles' reach, scrub ignores
-- what they create in public.
SELECT current_database() AS es_regress_db \gset
CREATE DATABASE es_db;
\c es_db
SET client_min_messages = warning;
CREATE ROLE es_hostile2;
GRANT CREATE ON SCHEMA public TO es_hostile2;
CREATE SCHEMA scrub;
CREATE EXTENSION scrub SCHEMA scrub;
CREATE TABLE people (id int PRIMARY KEY, email text);
INSERT INTO people VALUES (1, 'a@corp.test');
SET ROLE es_hostile2;
CREATE FUNCTION public.scrub_table_signature(relation oid) RETURNS text
LANGUAGE sql AS $$ SELECT 'x' $$;
RESET ROLE;
SELECT table_name, rows_copied FROM scrub.scrub_to_schema(
    CAST('{"people": ["id"]}' AS pg_catalog.jsonb), 'out', 'public');
SELECT t.source_signature IS NOT DISTINCT FROM scrub.scrub_table_signature('public.people')
  FROM out._scrub_tables t WHERE t.table_name = 'people';

-- 6. The extension's schema owned by a role that is not a superuser: its
-- owner could rename it mid-run and put its own scrub_table_signature
-- there, which the run calls as the caller. Refused by every entry point
-- before anything else, naming the schema and its owner; for
-- pg_database_owner, the database's owner decides.
SELECT pg_catalog.pg_get_userbyid(datdba) AS es_superuser
  FROM pg_database WHERE datname = current_database() \gset
ALTER SCHEMA scrub OWNER TO es_hostile2;
SELECT table_name FROM scrub.scrub_to_schema(
    CAST('{"people": ["id"]}' AS pg_catalog.jsonb), 'out', 'public');
SELECT count(*) FROM scrub.scrub_plan(CAST('{"people": ["id"]}' AS pg_catalog.jsonb),
                                      'public', false);
ALTER SCHEMA scrub OWNER TO pg_database_owner;
SELECT table_name, rows_copied FROM scrub.scrub_to_schema(
    CAST('{"people": ["id"]}' AS pg_catalog.jsonb), 'out', 'public');
ALTER DATABASE es_db OWNER TO es_hostile2;
SELECT count(*) FROM scrub.scrub_export_plan(CAST('{"people": ["id"]}' AS pg_catalog.jsonb),
                                             'public');
ALTER DATABASE es_db OWNER TO :"es_superuser";
ALTER SCHEMA scrub OWNER TO :"es_superuser";
\c :es_regress_db
SET client_min_messages = warning;
DROP DATABASE es_db;
DROP ROLE es_hostile2;

DROP SCHEMA es CASCADE;
REVOKE CREATE ON SCHEMA public FROM es_hostile;
DROP ROLE es_hostile;
\! rm -f tmp_check_regress/extension_schema.key
