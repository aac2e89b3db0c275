-- Code another role wrote never runs with the caller's rights. Every
-- statement that reads or evaluates a table's rows (the copy, its row
-- count, foreign-key probes, CHECK and duplicate checks) runs as the
-- table's owner in a security-restricted operation, as ANALYZE and CREATE
-- INDEX do: whatever a constraint, domain, cast or operator reaches, it
-- runs with the owner's rights, cannot SET ROLE or create temporary
-- tables, and every setting it changes is reverted.
--
-- The attacker owns tables whose constraints reach evil() in many ways.
-- evil() records who evaluated it and, if that role is a superuser, makes
-- the attacker one. A superuser runs scrub over all of them.
SET client_min_messages = warning;
CREATE ROLE attacker;
CREATE SCHEMA att AUTHORIZATION attacker;
SET ROLE attacker;
CREATE TABLE att.marker (what text, current_usr name, session_usr name, is_super bool);
CREATE FUNCTION att.evil(what text) RETURNS bool LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO att.marker VALUES (what, current_user, session_user,
        (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user));
    IF (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) THEN
        EXECUTE 'ALTER ROLE attacker SUPERUSER';
    END IF;
    RETURN true;
END $$;

-- 1. The issue's case: a built-in that runs SQL text (query_to_xml).
CREATE TABLE att.accounts (id int, email text CHECK (email IS NULL OR
    length(query_to_xml('SELECT att.evil(''query_to_xml'')', false, false, '')::text) > 0));
-- 2. A plain SQL function.
CREATE FUNCTION att.plausible(text) RETURNS bool LANGUAGE sql AS $$SELECT att.evil('sql function')$$;
CREATE TABLE att.people (id int, name text CHECK (att.plausible(name)));
-- 3. A domain's CHECK; 4. a domain nested in another; 5. a domain over
-- an array's elements; each reached by the fake's cast into the column.
CREATE DOMAIN att.d_plain AS text CHECK (att.evil('domain'));
CREATE DOMAIN att.d_inner AS text CHECK (att.evil('nested domain'));
CREATE DOMAIN att.d_outer AS att.d_inner;
CREATE DOMAIN att.d_elem AS text CHECK (att.evil('array element domain'));
CREATE TABLE att.contacts (id int, plain att.d_plain, nested att.d_outer, tags att.d_elem[]);
-- 6. User-defined casts between text and the attacker's enum, used by a
-- CHECK on a faked enum column.
CREATE TYPE att.mood AS ENUM ('happy', 'sad');
CREATE FUNCTION att.mood_text(att.mood) RETURNS text LANGUAGE plpgsql AS $$
BEGIN PERFORM att.evil('cast enum to text'); RETURN format('%s', $1); END $$;
CREATE FUNCTION att.text_mood(text) RETURNS att.mood LANGUAGE plpgsql AS $$
BEGIN PERFORM att.evil('cast text to enum'); RETURN enum_first(NULL::att.mood); END $$;
CREATE CAST (att.mood AS text) WITH FUNCTION att.mood_text(att.mood);
CREATE CAST (text AS att.mood) WITH FUNCTION att.text_mood(text);
CREATE TABLE att.moods (id int, mood att.mood CHECK (CAST(CAST(mood AS text) AS att.mood) IS NOT NULL));
-- 7. A user-defined operator.
CREATE FUNCTION att.op(text, text) RETURNS bool LANGUAGE sql AS $$SELECT att.evil('operator')$$;
CREATE OPERATOR att.=~= (leftarg = text, rightarg = text, function = att.op);
CREATE TABLE att.codes (id int, code text CHECK (code OPERATOR(att.=~=) 'x'));
-- 8. A table CHECK that casts into a domain (no function of its own).
CREATE TABLE att.casts (id int, note text CHECK (CAST(note AS att.d_plain) IS NOT NULL));
-- 9. A domain on a table with a foreign key.
CREATE TABLE att.parents (id int PRIMARY KEY);
CREATE TABLE att.children (id int, parent_id int REFERENCES att.parents, label att.d_plain);
INSERT INTO att.parents VALUES (1);
INSERT INTO att.accounts VALUES (1, 'a@example.com');
INSERT INTO att.people VALUES (1, 'Ann');
INSERT INTO att.contacts VALUES (1, 'p', 'n', ARRAY['t']);
INSERT INTO att.moods VALUES (1, 'sad');
INSERT INTO att.codes VALUES (1, 'x');
INSERT INTO att.casts VALUES (1, 'n');
INSERT INTO att.children VALUES (1, 1, 'l');
RESET ROLE;
-- 10. A partitioned table of the superuser with a partition the attacker
-- owns, carrying a CHECK of its own; the partitioned table's CHECK is the
-- superuser's own.
CREATE TABLE att.events (id int, at date, kind text CHECK (kind <> ''))
    PARTITION BY RANGE (at);
CREATE TABLE att.events_2024 PARTITION OF att.events
    FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
ALTER TABLE att.events_2024 OWNER TO attacker;
INSERT INTO att.events VALUES (1, '2024-05-03', 'login');
SET ROLE attacker;
ALTER TABLE att.events_2024 ADD CONSTRAINT sneaky CHECK (att.evil('partition'));
RESET ROLE;
DELETE FROM att.marker;

-- Table CHECKs first (the guard scrub had before inspected direct calls
-- only, and missed query_to_xml and the cast into a domain), then domains.
SELECT table_name, rows_copied, columns_scrubbed
  FROM scrub_to_schema('{"accounts": ["id"], "people": ["id"], "moods": ["id"],
                         "codes": ["id"], "casts": ["id"]}',
                       'att_copy', 'att')
 ORDER BY 1;
SELECT table_name, rows_copied, columns_scrubbed
  FROM scrub_to_schema('{"contacts": ["id"], "parents": ["id"],
                         "children": ["id", "parent_id"]}', 'att_copy', 'att')
 ORDER BY 1;
-- A statement over att.events plans over its partitions and loads their
-- expressions, which the partition's owner wrote, so the run refuses a
-- partition owned by another role than the table (caller_rights.sql
-- tests why); once the attacker owns the whole table, its CHECKs run as
-- the attacker.
SELECT expect_error($$SELECT * FROM scrub_to_schema('{"events": ["id", "at"]}', 'att_copy2', 'att')$$);
ALTER TABLE att.events OWNER TO attacker;
SELECT table_name, rows_copied, columns_scrubbed
  FROM scrub_to_schema('{"events": ["id", "at"]}', 'att_copy2', 'att');

-- Every indirection ran, and each ran as the attacker, never as a
-- superuser; the session user stays the caller's.
SELECT what, current_usr, session_usr = session_user AS session_is_caller, is_super
  FROM att.marker GROUP BY 1, 2, 3, 4 ORDER BY 1;
SELECT rolsuper AS attacker_is_superuser FROM pg_roles WHERE rolname = 'attacker';
-- The grants the run gave the attacker on its scratch tables are gone.
SELECT count(*) AS grants_left FROM information_schema.role_table_grants
 WHERE grantee = 'attacker' AND table_schema = 'att_copy';
SELECT has_schema_privilege('attacker', 'att_copy', 'USAGE') AS attacker_uses_copy;

-- A restricted operation forbids temporary tables and SET ROLE; the error
-- names the table and its owner, and the run leaves nothing behind.
\set SHOW_CONTEXT never
SET ROLE attacker;
CREATE FUNCTION att.temp_table(text) RETURNS bool LANGUAGE plpgsql AS $$
BEGIN
    IF $1 <> 'x' THEN CREATE TEMP TABLE stash (x text); END IF;
    RETURN true;
END $$;
CREATE TABLE att.stashes (id int, v text CHECK (att.temp_table(v)));
INSERT INTO att.stashes VALUES (1, 'x');
CREATE FUNCTION att.set_role(text) RETURNS bool LANGUAGE plpgsql AS $$
BEGIN
    IF $1 <> 'x' THEN PERFORM set_config('role', 'attacker', false); END IF;
    RETURN true;
END $$;
CREATE TABLE att.roles (id int, v text CHECK (att.set_role(v)));
INSERT INTO att.roles VALUES (1, 'x');
RESET ROLE;
SELECT * FROM scrub_to_schema('{"stashes": ["id"]}', 'att_fail', 'att');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM scrub_to_schema('{"roles": ["id"]}', 'att_fail', 'att');
SELECT count(*) AS schemas_left FROM pg_namespace
 WHERE nspname = 'att_fail' OR nspname LIKE 'scrub\_build\_%';

-- Settings the owner's code changes, even for the session, are reverted.
SET ROLE attacker;
CREATE FUNCTION att.settings(text) RETURNS bool LANGUAGE plpgsql AS $$
BEGIN
    IF $1 <> 'x' THEN
        PERFORM set_config('application_name', 'owned', false);
        PERFORM set_config('search_path', 'att, pg_catalog', false);
    END IF;
    RETURN true;
END $$;
CREATE TABLE att.settings_t (id int, v text CHECK (att.settings(v)));
INSERT INTO att.settings_t VALUES (1, 'x');
RESET ROLE;
SET application_name = 'owner_rights';
SELECT table_name, rows_copied FROM scrub_to_schema('{"settings_t": ["id"]}', 'att_copy', 'att');
SHOW application_name;
SHOW search_path;

-- Code that runs as the owner while the copy holds INSERT on the scratch
-- table cannot slip rows of its own into the copy: the run fails.
SET ROLE attacker;
CREATE FUNCTION att.forge(v text) RETURNS bool LANGUAGE plpgsql AS $$
BEGIN
    IF v <> 'real value' THEN
        EXECUTE format('INSERT INTO %I.forged (id) VALUES (999)',
                       (SELECT nspname FROM pg_namespace WHERE nspname LIKE 'scrub\_build\_%'));
    END IF;
    RETURN true;
END $$;
CREATE DOMAIN att.d_forge AS text CHECK (att.forge(VALUE));
CREATE TABLE att.forged (id int, secret att.d_forge);
INSERT INTO att.forged VALUES (1, 'real value');
RESET ROLE;
SELECT * FROM scrub_to_schema('{"forged": ["id"]}', 'att_fail', 'att');
\echo :LAST_ERROR_SQLSTATE

-- Nor can it leave objects of its own over its scratch table, which
-- would tie its schema to the copy: the run fails, naming them.
SET ROLE attacker;
CREATE FUNCTION att.peek(v text) RETURNS bool LANGUAGE plpgsql AS $$
BEGIN
    IF v <> 'x' THEN
        EXECUTE format('CREATE VIEW att.peeking AS SELECT * FROM %I.peeked',
                       (SELECT nspname FROM pg_namespace WHERE nspname LIKE 'scrub\_build\_%'));
    END IF;
    RETURN true;
END $$;
CREATE TABLE att.peeked (id int, v text CHECK (att.peek(v)));
INSERT INTO att.peeked VALUES (1, 'x');
RESET ROLE;
SELECT * FROM scrub_to_schema('{"peeked": ["id"]}', 'att_fail', 'att');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS views_left FROM pg_class WHERE relname = 'peeking';

-- Code run as the owner cannot swap one of its sequences for a view that
-- the run would then read with the caller's rights: sequences are read
-- before any owner's code runs.
SET ROLE attacker;
CREATE SEQUENCE att.counter;
CREATE FUNCTION att.swap(v text) RETURNS bool LANGUAGE plpgsql AS $$
BEGIN
    IF v <> 'x' THEN
        DROP SEQUENCE att.counter;
        CREATE VIEW att.counter AS SELECT CAST(1 AS bigint) AS last_value, true AS is_called
          FROM (SELECT att.evil('sequence swapped for a view')) AS s;
    END IF;
    RETURN true;
END $$;
CREATE TABLE att.swaps (id int, v text CHECK (att.swap(v)));
INSERT INTO att.swaps VALUES (1, 'x');
RESET ROLE;
SELECT table_name, rows_copied FROM scrub_to_schema('{"swaps": ["id"]}', 'att_copy', 'att');
SELECT sequence_name, last_value FROM att_copy._scrub_sequences;
SELECT relkind AS counter_is_now FROM pg_class WHERE oid = 'att.counter'::regclass;
SELECT count(*) AS superuser_evaluations FROM att.marker WHERE is_super;

-- An error the owner's code raises keeps its message; the context says
-- whose rights ran it.
SET ROLE attacker;
CREATE FUNCTION att.fails(text) RETURNS bool LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'rejected %', $1; END $$;
CREATE TABLE att.rejects (id int, v text CHECK (v = 'x' OR att.fails(v)));
INSERT INTO att.rejects VALUES (1, 'x');
RESET ROLE;
\set SHOW_CONTEXT errors
SELECT expect_error($$SELECT * FROM scrub_to_schema('{"rejects": ["id"]}', 'att_fail', 'att')$$);
\set SHOW_CONTEXT never

-- An owner that cannot read its own table fails the run, naming it; a
-- caller that may read it does not lend it the right.
SET ROLE attacker;
REVOKE SELECT ON att.parents FROM attacker;
RESET ROLE;
SELECT * FROM scrub_to_schema('{"parents": ["id"]}', 'att_fail', 'att');
\echo :LAST_ERROR_SQLSTATE
SET ROLE attacker;
GRANT SELECT ON att.parents TO attacker;
RESET ROLE;

-- Row-level security the owner forced on itself would hide rows from it:
-- the run fails rather than copy fewer rows, even for a superuser caller.
SET ROLE attacker;
CREATE TABLE att.private (id int, v text);
INSERT INTO att.private VALUES (1, 'x');
ALTER TABLE att.private ENABLE ROW LEVEL SECURITY;
ALTER TABLE att.private FORCE ROW LEVEL SECURITY;
RESET ROLE;
SELECT * FROM scrub_to_schema('{"private": ["id"]}', 'att_fail', 'att');

-- Legitimate schemas work: a CHECK calling its owner's own function is
-- evaluated (here the fake breaks it, so the run says so).
CREATE ROLE app_owner;
CREATE SCHEMA app AUTHORIZATION app_owner;
SET ROLE app_owner;
CREATE FUNCTION app.is_email(text) RETURNS bool LANGUAGE sql IMMUTABLE AS $$SELECT $1 LIKE '%@%'$$;
CREATE DOMAIN app.code AS text CHECK (length(VALUE) < 20);
CREATE TABLE app.users (id int PRIMARY KEY, email text CHECK (app.is_email(email)),
                        code app.code, note text CHECK (note <> ''));
INSERT INTO app.users VALUES (1, 'a@example.com', 'c1', 'n'), (2, 'b@example.com', 'c2', NULL);
RESET ROLE;
SELECT table_name, rows_copied FROM scrub_to_schema('{"users": ["id", "email"]}', 'app_copy', 'app');
SELECT * FROM scrub_to_schema('{"users": ["id"]}', 'app_copy', 'app');
\echo :LAST_ERROR_SQLSTATE

-- A caller that is not a superuser and does not own the tables: the run
-- reads them as their owner, to whom it lends its scratch table for the
-- time of the copy.
CREATE ROLE scrub_runner;
GRANT USAGE ON SCHEMA app TO scrub_runner;
GRANT SELECT ON app.users TO scrub_runner;
GRANT EXECUTE ON FUNCTION scrub_to_schema(jsonb, text, text, boolean, boolean) TO scrub_runner;
SELECT format('GRANT CREATE ON DATABASE %I TO scrub_runner', current_database()) \gexec
SET ROLE scrub_runner;
SELECT table_name, rows_copied FROM scrub_to_schema('{"users": ["id", "email"]}', 'runner_copy', 'app');
SELECT id, email, code, note FROM runner_copy.users ORDER BY id;
RESET ROLE;
SELECT count(*) AS grants_left FROM information_schema.role_table_grants
 WHERE grantee = 'app_owner' AND table_schema = 'runner_copy';
-- The caller still needs SELECT itself: the owner's right is not lent back.
REVOKE SELECT ON app.users FROM scrub_runner;
SET ROLE scrub_runner;
SELECT * FROM scrub_to_schema('{"users": ["id", "email"]}', 'runner_copy', 'app');
RESET ROLE;

-- Nothing ever ran as a superuser.
SELECT count(*) AS superuser_evaluations FROM att.marker WHERE is_super;
SELECT rolsuper AS attacker_is_superuser FROM pg_roles WHERE rolname = 'attacker';

DROP SCHEMA att_copy, app_copy, runner_copy, att, app CASCADE;
SELECT format('REVOKE CREATE ON DATABASE %I FROM scrub_runner', current_database()) \gexec
REVOKE EXECUTE ON FUNCTION scrub_to_schema(jsonb, text, text, boolean, boolean) FROM scrub_runner;
DROP OWNED BY scrub_runner;
DROP ROLE attacker, app_owner, scrub_runner;
RESET client_min_messages;
