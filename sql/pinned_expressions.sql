-- The allowlist's expressions are analysed once, as their table's owner,
-- and the copy and the export's SELECTs must run exactly what that
-- analysis checked. Owner code runs between the two: here a CHECK of
-- pe_hostile's table, evaluated while that table is copied (before
-- pe.staff, whose sql rule and filter name the superuser's function and
-- operator), plants overloads that match a varchar argument better. Had
-- the copy parsed the allowlist's text again, it would call them as the
-- superuser owning pe.staff. The run uses the pinned text instead (every
-- name qualified, every implicit cast written out): only the superuser's
-- function and operator run. The same holds for an export's SELECT run
-- later by another session (scrub-dump's workers): simulated by planting
-- the overloads between scrub_export_plan and running its SELECT.
SET client_min_messages = warning;
CREATE ROLE pe_hostile;
CREATE SCHEMA pe_shared;
GRANT CREATE, USAGE ON SCHEMA pe_shared TO pe_hostile;
CREATE TABLE pe_shared.log (what text, run_as name);
GRANT INSERT ON pe_shared.log TO PUBLIC;
-- The superuser's function and operator, over text.
CREATE FUNCTION pe_shared.mask_email(e text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO pe_shared.log VALUES ('superuser mask_email', current_user);
    RETURN 'user' || length(e) || '@example.com';
END $$;
CREATE FUNCTION pe_shared.same(a text, b text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO pe_shared.log VALUES ('superuser operator', current_user);
    RETURN lower(a) = lower(b);
END $$;
CREATE OPERATOR pe_shared.=~= (leftarg = text, rightarg = text, function = pe_shared.same);
CREATE SCHEMA pe;
GRANT USAGE, CREATE ON SCHEMA pe TO pe_hostile;
CREATE TABLE pe.staff (id int PRIMARY KEY, email varchar(100));
INSERT INTO pe.staff VALUES (1, 'carol@corp.com'), (2, 'Dave@corp.com'), (3, 'erin@corp.com');

-- pe_hostile's code: overloads of both for varchar, which match
-- pe.staff.email better than the superuser's text ones; plant() creates
-- them when they are missing, and tries to shadow pg_catalog.pg_namespace
-- with a temporary table.
SET ROLE pe_hostile;
CREATE FUNCTION pe_shared.plant(v text) RETURNS boolean LANGUAGE plpgsql AS $f$
BEGIN
    IF to_regprocedure('pe_shared.mask_email(character varying)') IS NULL THEN
        CREATE FUNCTION pe_shared.mask_email(e varchar) RETURNS text LANGUAGE plpgsql AS $b$
        BEGIN
            INSERT INTO pe_shared.log VALUES ('hostile mask_email', current_user);
            RETURN 'hostile@example.com';
        END $b$;
        CREATE FUNCTION pe_shared.same(a varchar, b text) RETURNS boolean LANGUAGE plpgsql AS $b$
        BEGIN
            INSERT INTO pe_shared.log VALUES ('hostile operator', current_user);
            RETURN true;
        END $b$;
        CREATE OPERATOR pe_shared.=~= (leftarg = varchar, rightarg = text,
                                       function = pe_shared.same);
    END IF;
    IF to_regclass('pg_temp.pg_namespace') IS NULL THEN
        BEGIN
            CREATE TEMP TABLE pg_namespace (oid oid, nspname name);
        EXCEPTION WHEN OTHERS THEN
            INSERT INTO pe_shared.log VALUES ('hostile temporary table refused', current_user);
        END;
    END IF;
    RETURN true;
END $f$;
-- Copied before pe.staff (the tables are copied in name order); its
-- CHECK runs on the faked body. Inserting a row here, in the superuser's
-- session, already creates the temporary pg_namespace (empty) in it.
CREATE TABLE pe.aaa_notes (id int PRIMARY KEY, body text CHECK (pe_shared.plant(body)));
INSERT INTO pe.aaa_notes VALUES (1, 'x');
SELECT count(*) AS temporary_rows FROM pg_temp.pg_namespace;
CREATE FUNCTION pe_shared.unplant() RETURNS void LANGUAGE sql AS $$
    DROP OPERATOR IF EXISTS pe_shared.=~= (varchar, text);
    DROP FUNCTION IF EXISTS pe_shared.same(varchar, text);
    DROP FUNCTION IF EXISTS pe_shared.mask_email(varchar);
$$;
SELECT pe_shared.unplant();
RESET ROLE;
TRUNCATE pe_shared.log;

-- 1. The scratch path: the CHECK plants the overloads during the run.
-- The filter reads pg_namespace by its bare name: pg_catalog's, never the
-- temporary table (row 1 is kept).
SELECT table_name, rows_copied FROM scrub_to_schema('{
    "aaa_notes": ["id"],
    "staff": {"rows": {"where": "email OPERATOR(pe_shared.=~=) ''dave@corp.com'' OR id IN (SELECT 1 FROM pg_namespace WHERE nspname = ''pe'')"},
              "columns": {"id": "keep", "email": {"sql": "pe_shared.mask_email(email)"}}}}',
    source_schema => 'pe') ORDER BY 1;
SELECT * FROM scrubbed.staff ORDER BY id;
-- They were planted, and never ran; the superuser's did. (The CHECK ran
-- as pe_hostile in a security-restricted operation.)
SELECT to_regprocedure('pe_shared.mask_email(character varying)') IS NOT NULL AS planted;
SELECT what, run_as, count(*) FROM pe_shared.log GROUP BY 1, 2 ORDER BY 1, 2;
-- The manifest keeps the allowlist's own text of the filter.
SELECT table_name, row_filter FROM scrubbed._scrub_tables WHERE table_name = 'staff';
DROP SCHEMA scrubbed CASCADE;

-- 2. An export: the SELECT scrub_export_plan gives, run after the
-- overloads appear, still calls what the plan checked; and it names
-- pg_catalog's pg_namespace, which this session's temporary table
-- shadows, qualified (row 1 is kept).
SET ROLE pe_hostile;
SELECT pe_shared.unplant();
RESET ROLE;
TRUNCATE pe_shared.log;
SELECT select_sql FROM scrub_export_plan('{"staff": {"rows": {"where": "email OPERATOR(pe_shared.=~=) ''dave@corp.com'' OR id IN (SELECT 1 FROM pg_namespace WHERE nspname = ''pe'')"},
    "columns": {"id": "keep", "email": {"sql": "pe_shared.mask_email(email)"}}}}', 'pe') \gset
\echo :select_sql
SET ROLE pe_hostile;
SELECT pe_shared.plant('');
RESET ROLE;
SELECT * FROM (:select_sql) AS s;
SELECT what, run_as, count(*) FROM pe_shared.log GROUP BY 1, 2 ORDER BY 1, 2;
-- A column of the table read in a correlated subquery comes out as
-- src.column, the alias every statement gives the table's rows.
SELECT select_sql FROM scrub_export_plan('{"staff": {"rows": {"where": "EXISTS (SELECT FROM pg_catalog.pg_namespace AS n WHERE n.nspname = ''pe'' AND length(email) = 14)"},
    "columns": {"id": "keep", "email": "keep"}}}', 'pe') \gset
\echo :select_sql
SELECT * FROM (:select_sql) AS s;
-- The allowlist's text itself would now reach pe_hostile's overloads.
SELECT pe_shared.mask_email(email) FROM pe.staff WHERE id = 1;

DROP TABLE pg_temp.pg_namespace;
DROP SCHEMA pe CASCADE;
DROP SCHEMA pe_shared CASCADE;
DROP ROLE pe_hostile;
