-- Privileges: who may run scrub, what a run needs, and what it refuses.
--  - EXECUTE is revoked from PUBLIC; a role without the grant cannot run.
--  - The minimal role (USAGE on the source schema, SELECT on its tables and
--    sequences, CREATE on the database, EXECUTE on the function) runs scrub
--    without being a superuser.
--  - Missing SELECT on a source table fails naming the table; nothing is
--    written.
--  - Row-level security never filters the copy silently: the run fails.
--  - The target can be neither the source nor a schema scrub did not build;
--    either case drops nothing.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS scrub;
-- Error context names the build schema, which differs per run.
\set SHOW_CONTEXT never

CREATE ROLE regress_scrub_pr_nogrant;
CREATE ROLE regress_scrub_pr_runner;
CREATE ROLE regress_scrub_pr_owner;

-- Returns 'ok' or the SQLSTATE and message of the run's error. The
-- exception block rolls back whatever the failed run did, as a top-level
-- error would.
CREATE FUNCTION pg_temp.try_scrub(allowlist jsonb, target text, source text)
RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    PERFORM public.scrub_to_schema(allowlist, target, source);
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

CREATE SCHEMA pr_src;
CREATE TABLE pr_src.customers (id serial, email text, city text);
INSERT INTO pr_src.customers (email, city) VALUES ('a@example.com', 'Oslo'), ('b@example.com', 'Rome');
CREATE TABLE pr_src.secrets (id int, secret text);
INSERT INTO pr_src.secrets VALUES (1, 'hunter2');
CREATE TABLE pr_src.audit (id int, what text);
INSERT INTO pr_src.audit VALUES (1, 'login');

-- EXECUTE is not granted to PUBLIC, only to the owner (the superuser).
SELECT has_function_privilege('regress_scrub_pr_nogrant',
                              'scrub_to_schema(jsonb, text, text, boolean, boolean)', 'EXECUTE') AS nogrant_may_run;
SELECT count(*) AS public_grants
  FROM pg_proc p, aclexplode(p.proacl) a
 WHERE p.proname = 'scrub_to_schema' AND a.grantee = 0;
GRANT USAGE ON SCHEMA pr_src TO regress_scrub_pr_nogrant;
GRANT SELECT ON ALL TABLES IN SCHEMA pr_src TO regress_scrub_pr_nogrant;
SET ROLE regress_scrub_pr_nogrant;
SELECT * FROM scrub_to_schema('{"customers": ["id"]}', 'pr_out', 'pr_src');
RESET ROLE;

-- The minimal role: no superuser, no ownership of the source.
GRANT USAGE ON SCHEMA pr_src TO regress_scrub_pr_runner;
GRANT SELECT ON pr_src.customers, pr_src.audit TO regress_scrub_pr_runner;
GRANT EXECUTE ON FUNCTION scrub_to_schema(jsonb, text, text, boolean, boolean) TO regress_scrub_pr_runner;
DO $$ BEGIN
    EXECUTE format('GRANT CREATE ON DATABASE %I TO regress_scrub_pr_runner', current_database());
END $$;

-- Without SELECT on the source's sequences the manifest cannot record
-- them: the run fails naming the sequence, and writes nothing.
SET ROLE regress_scrub_pr_runner;
SELECT * FROM scrub_to_schema('{"customers": ["id", "city"]}', 'pr_out', 'pr_src');
RESET ROLE;
SELECT count(*) AS schemas_written FROM pg_namespace
 WHERE nspname = 'pr_out' OR nspname LIKE 'scrub\_build\_%';
GRANT SELECT ON ALL SEQUENCES IN SCHEMA pr_src TO regress_scrub_pr_runner;

SET ROLE regress_scrub_pr_runner;
SELECT rolsuper FROM pg_roles WHERE rolname = current_user;
SELECT table_name, rows_copied, columns_kept, columns_scrubbed
  FROM scrub_to_schema('{"customers": ["id", "city"], "audit": ["id", "what"]}', 'pr_out', 'pr_src')
 ORDER BY table_name COLLATE "C";
SELECT * FROM pr_out.customers ORDER BY id;
SELECT table_name, copied FROM pr_out._scrub_tables ORDER BY table_name COLLATE "C";
RESET ROLE;
SELECT nspowner::regrole AS target_owner FROM pg_namespace WHERE nspname = 'pr_out';

-- No SELECT on one listed table: the error names it, and nothing is
-- written (pr_out2 and no scrub_build_ schema).
SET ROLE regress_scrub_pr_runner;
SELECT * FROM scrub_to_schema('{"customers": ["id"], "secrets": ["id"]}', 'pr_out2', 'pr_src');
SELECT pg_temp.try_scrub('{"customers": ["id"], "secrets": ["id"]}', 'pr_out', 'pr_src');
RESET ROLE;
SELECT count(*) AS schemas_written FROM pg_namespace
 WHERE nspname = 'pr_out2' OR nspname LIKE 'scrub\_build\_%';
-- The previous target is intact after the failed replacement.
SELECT count(*) AS customers_in_pr_out FROM pr_out.customers;
-- A table listed with [] has no rows read, so needs no SELECT.
SET ROLE regress_scrub_pr_runner;
SELECT table_name, rows_copied
  FROM scrub_to_schema('{"customers": ["id"], "secrets": []}', 'pr_out', 'pr_src');
RESET ROLE;

-- Row-level security: a policy that would hide rows from the caller makes
-- the run fail instead of copying fewer rows.
CREATE TABLE pr_src.tenants (id int, tenant text, note text);
INSERT INTO pr_src.tenants VALUES (1, 'regress_scrub_pr_runner', 'mine'), (2, 'other', 'theirs');
ALTER TABLE pr_src.tenants OWNER TO regress_scrub_pr_owner;
ALTER TABLE pr_src.tenants ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_rows ON pr_src.tenants USING (tenant = current_user);
GRANT SELECT ON pr_src.tenants TO regress_scrub_pr_runner;
SET ROLE regress_scrub_pr_runner;
SELECT count(*) AS rows_visible_to_runner FROM pr_src.tenants;
SELECT * FROM scrub_to_schema('{"tenants": ["id", "tenant"]}', 'pr_out', 'pr_src');
RESET ROLE;
SELECT count(*) AS customers_in_pr_out FROM pr_out.customers;

-- The table's owner is not subject to its policies (without FORCE ROW
-- LEVEL SECURITY): the owner's run copies every row.
GRANT USAGE ON SCHEMA pr_src TO regress_scrub_pr_owner;
GRANT SELECT ON ALL TABLES IN SCHEMA pr_src TO regress_scrub_pr_owner;
GRANT SELECT ON ALL SEQUENCES IN SCHEMA pr_src TO regress_scrub_pr_owner;
GRANT EXECUTE ON FUNCTION scrub_to_schema(jsonb, text, text, boolean, boolean) TO regress_scrub_pr_owner;
DO $$ BEGIN
    EXECUTE format('GRANT CREATE ON DATABASE %I TO regress_scrub_pr_owner', current_database());
END $$;
SET ROLE regress_scrub_pr_owner;
SELECT table_name, rows_copied
  FROM scrub_to_schema('{"tenants": ["id", "tenant"]}', 'pr_owner_out', 'pr_src');
SELECT * FROM pr_owner_out.tenants ORDER BY id;
-- With FORCE ROW LEVEL SECURITY the owner is subject too, and fails.
ALTER TABLE pr_src.tenants FORCE ROW LEVEL SECURITY;
SELECT * FROM scrub_to_schema('{"tenants": ["id", "tenant"]}', 'pr_owner_out', 'pr_src');
RESET ROLE;
SELECT count(*) AS tenants_in_pr_owner_out FROM pr_owner_out.tenants;

-- A target built by another role cannot be replaced: dropping it needs
-- ownership, and the run fails with it intact.
SET ROLE regress_scrub_pr_runner;
SELECT * FROM scrub_to_schema('{"customers": ["id"]}', 'pr_owner_out', 'pr_src');
RESET ROLE;
SELECT count(*) AS tenants_in_pr_owner_out FROM pr_owner_out.tenants;

-- The target must not be the source schema (22023), nor a schema scrub
-- did not build (42P06); neither case drops anything.
CREATE SCHEMA pr_other;
CREATE TABLE pr_other.keep_me (id int);
INSERT INTO pr_other.keep_me VALUES (42);
GRANT ALL ON SCHEMA pr_other TO regress_scrub_pr_runner;
SET ROLE regress_scrub_pr_runner;
SELECT pg_temp.try_scrub('{"customers": ["id"]}', 'pr_src', 'pr_src');
SELECT pg_temp.try_scrub('{"customers": ["id"]}', 'pr_other', 'pr_src');
SELECT pg_temp.try_scrub('{"customers": ["id"]}', 'pg_catalog', 'pr_src');
SELECT pg_temp.try_scrub('{}', 'public', 'pr_src');
RESET ROLE;
SELECT pg_temp.try_scrub('{"customers": ["id"]}', 'pr_src', 'pr_src');
SELECT pg_temp.try_scrub('{"customers": ["id"]}', 'pr_other', 'pr_src');
SELECT * FROM pr_other.keep_me;
SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'pr_src' AND c.relkind = 'r' ORDER BY c.relname COLLATE "C";
SELECT count(*) AS customers_in_source FROM pr_src.customers;

DROP SCHEMA pr_out, pr_owner_out, pr_other, pr_src CASCADE;
DO $$ BEGIN
    EXECUTE format('REVOKE CREATE ON DATABASE %I FROM regress_scrub_pr_runner, regress_scrub_pr_owner',
                   current_database());
END $$;
REVOKE EXECUTE ON FUNCTION scrub_to_schema(jsonb, text, text, boolean, boolean)
    FROM regress_scrub_pr_runner, regress_scrub_pr_owner;
DROP OWNED BY regress_scrub_pr_nogrant, regress_scrub_pr_runner, regress_scrub_pr_owner;
DROP ROLE regress_scrub_pr_nogrant, regress_scrub_pr_runner, regress_scrub_pr_owner;
