-- Upgrades: a database that used 0.1.0 and was brought up to date with
-- ALTER EXTENSION scrub UPDATE must hold exactly what a fresh install of
-- the default version holds, and runs must work at every step. Each new
-- version adds its step below (CONTRIBUTING.md, Releasing a version).
-- The test works in a database of its own, so it needs nothing from setup.
\set regress_db :DBNAME
CREATE DATABASE scrub_upgrade;
\c scrub_upgrade

-- Every object of the extension with its whole definition: functions with
-- pg_get_functiondef (arguments, result, language, volatility, parallel
-- safety, cost, SET options), privileges, initial privileges and comment;
-- tables, views and sequences with their columns, constraints, indexes,
-- privileges and comment; any other member at least by its identity, so an
-- object that only one path creates shows up either way.
CREATE FUNCTION scrub_definition() RETURNS TABLE (object text, definition text)
LANGUAGE sql AS $$
SELECT 'extension scrub',
       format('schema %s, relocatable %s, config %s, condition %s, comment %s',
              e.extnamespace::regnamespace, e.extrelocatable, e.extconfig::regclass[],
              e.extcondition, obj_description(e.oid, 'pg_extension'))
  FROM pg_extension e WHERE e.extname = 'scrub'
UNION ALL
SELECT pg_describe_object(d.classid, d.objid, d.objsubid),
       concat_ws(E'\n',
         CASE
         WHEN d.classid = 'pg_proc'::regclass THEN
             (SELECT CASE WHEN p.prokind = 'a' THEN 'aggregate' ELSE pg_get_functiondef(p.oid) END
                     || E'\nacl ' || coalesce(p.proacl::text, 'default')
                FROM pg_proc p WHERE p.oid = d.objid)
         WHEN d.classid = 'pg_class'::regclass THEN
             (SELECT format('kind %s, acl %s', c.relkind, coalesce(c.relacl::text, 'default'))
                     || coalesce(E'\nview ' || pg_get_viewdef(c.oid), '')
                     || coalesce(E'\ncolumns ' || (
                            SELECT string_agg(format('%I %s%s%s', a.attname,
                                       format_type(a.atttypid, a.atttypmod),
                                       CASE WHEN a.attnotnull THEN ' not null' END,
                                       ' default ' || pg_get_expr(ad.adbin, ad.adrelid)),
                                   ', ' ORDER BY a.attnum)
                              FROM pg_attribute a
                              LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
                             WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), '')
                     || coalesce(E'\nconstraints ' || (
                            SELECT string_agg(format('%I %s', co.conname, pg_get_constraintdef(co.oid)),
                                              ', ' ORDER BY co.conname)
                              FROM pg_constraint co WHERE co.conrelid = c.oid), '')
                     || coalesce(E'\nindexes ' || (
                            SELECT string_agg(pg_get_indexdef(i.indexrelid), ', '
                                              ORDER BY pg_get_indexdef(i.indexrelid))
                              FROM pg_index i WHERE i.indrelid = c.oid), '')
                FROM pg_class c WHERE c.oid = d.objid)
         WHEN d.classid = 'pg_type'::regclass THEN
             (SELECT format('type %s, kind %s', format_type(t.oid, NULL), t.typtype)
                     || coalesce(E'\nlabels ' || (SELECT string_agg(l.enumlabel, ', ' ORDER BY l.enumsortorder)
                                                    FROM pg_enum l WHERE l.enumtypid = t.oid), '')
                FROM pg_type t WHERE t.oid = d.objid)
         ELSE 'identity ' || (SELECT format('%s %s', i.type, i.identity)
                                FROM pg_identify_object(d.classid, d.objid, d.objsubid) i)
         END,
         'comment ' || obj_description(d.objid, d.classid::regclass::name),
         (SELECT format('initial privileges %s %s', ip.privtype, ip.initprivs)
            FROM pg_init_privs ip
           WHERE ip.classoid = d.classid AND ip.objoid = d.objid AND ip.objsubid = d.objsubid))
  FROM pg_depend d
 WHERE d.refclassid = 'pg_extension'::regclass
   AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'scrub')
   AND d.deptype = 'e'
$$;

CREATE SCHEMA app;
CREATE TABLE app.customers (id int PRIMARY KEY, email text NOT NULL UNIQUE, joined date);
INSERT INTO app.customers
SELECT i, 'person' || i || '@example.com', date '2020-01-01' + i FROM generate_series(1, 5) AS i;

-- The first version, used.
CREATE EXTENSION scrub VERSION '0.1.0';
SELECT table_name, rows_copied, columns_kept, columns_scrubbed
  FROM scrub_to_schema('{"customers": ["id", "joined"]}', source_schema => 'app');
SELECT extension_version FROM scrubbed._scrub_run;
-- A rule whose function only 0.2.0's SQL objects have, behind the newer
-- library: refused before anything is written, naming the rule, the
-- column and the update to run; nothing changed.
SELECT table_name FROM scrub_to_schema(
    '{"customers": {"columns": {"id": "keep", "email": "email", "joined": "keep"}}}',
    'scrubbed_new', 'app');
SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'scrubbed_new%' OR nspname LIKE 'scrub_build%';

-- Every version the default one can be reached from, and how.
SELECT source, path FROM pg_extension_update_paths('scrub')
 WHERE target = (SELECT default_version FROM pg_available_extensions WHERE name = 'scrub')
   AND path IS NOT NULL
 ORDER BY source;

-- EXECUTE granted on 0.1.0's scrub_to_schema, which the step to 0.2.0
-- makes again: the step warns, per grantee but the owner, with the GRANT
-- to run afterwards (names quoted as they must be), and grants nothing
-- itself (see the comparison with a fresh install below).
CREATE ROLE regress_scrub_runner;
CREATE ROLE "regress_scrub ""o'hara"" x";
CREATE ROLE regress_scrub_revoked;
GRANT EXECUTE ON FUNCTION scrub_to_schema(jsonb, text, text) TO regress_scrub_runner;
GRANT EXECUTE ON FUNCTION scrub_to_schema(jsonb, text, text) TO "regress_scrub ""o'hara"" x" WITH GRANT OPTION;
GRANT EXECUTE ON FUNCTION scrub_to_schema(jsonb, text, text) TO PUBLIC;
GRANT EXECUTE ON FUNCTION scrub_to_schema(jsonb, text, text) TO regress_scrub_revoked;
REVOKE EXECUTE ON FUNCTION scrub_to_schema(jsonb, text, text) FROM regress_scrub_revoked;

-- Step to 0.2.0, then run again: the run replaces the previous copy.
ALTER EXTENSION scrub UPDATE TO '0.2.0';
-- The grants are gone; the statements the warnings give restore them.
SELECT r.rolname, has_function_privilege(r.oid, 'scrub_to_schema(jsonb, text, text, boolean, boolean)', 'EXECUTE')
  FROM pg_roles r WHERE r.rolname LIKE 'regress\_scrub%' ORDER BY 1;
GRANT EXECUTE ON FUNCTION public.scrub_to_schema(jsonb, text, text, boolean, boolean) TO "regress_scrub ""o'hara"" x" WITH GRANT OPTION;
GRANT EXECUTE ON FUNCTION public.scrub_to_schema(jsonb, text, text, boolean, boolean) TO PUBLIC;
GRANT EXECUTE ON FUNCTION public.scrub_to_schema(jsonb, text, text, boolean, boolean) TO regress_scrub_runner;
SELECT r.rolname, has_function_privilege(r.oid, 'scrub_to_schema(jsonb, text, text, boolean, boolean)', 'EXECUTE') AS execute,
       has_function_privilege(r.oid, 'scrub_to_schema(jsonb, text, text, boolean, boolean)', 'EXECUTE WITH GRANT OPTION') AS grant_option
  FROM pg_roles r WHERE r.rolname LIKE 'regress\_scrub%' ORDER BY 1;
-- Made by the DBA, not by the extension: not initial privileges.
SELECT count(*) AS scrub_to_schema_init_privs_with_others
  FROM pg_init_privs i, aclexplode(i.initprivs) a
 WHERE i.objoid = 'scrub_to_schema(jsonb, text, text, boolean, boolean)'::regprocedure
   AND a.grantee <> (SELECT proowner FROM pg_proc WHERE oid = i.objoid);
-- Taken back, so that the comparison below sees the extension's own.
REVOKE EXECUTE ON FUNCTION scrub_to_schema(jsonb, text, text, boolean, boolean)
    FROM PUBLIC, regress_scrub_runner, "regress_scrub ""o'hara"" x";
SELECT table_name, rows_copied, columns_kept, columns_scrubbed
  FROM scrub_to_schema('{"customers": ["id", "joined"]}', source_schema => 'app');
SELECT extension_version FROM scrubbed._scrub_run;
SELECT count(*) AS kept_values_differing
  FROM app.customers s JOIN scrubbed.customers c USING (id)
 WHERE s.joined IS DISTINCT FROM c.joined;

-- Nothing left to update: the upgraded database is at the default version.
ALTER EXTENSION scrub UPDATE;
SELECT extversion = default_version AS at_default_version
  FROM pg_extension JOIN pg_available_extensions ON name = extname
 WHERE extname = 'scrub';

-- The upgraded definition equals a fresh install's, object for object.
CREATE TABLE upgraded AS SELECT * FROM scrub_definition();
DROP EXTENSION scrub;
CREATE EXTENSION scrub;
CREATE TABLE fresh AS SELECT * FROM scrub_definition();
SELECT 'after upgrade only' AS side, * FROM (TABLE upgraded EXCEPT TABLE fresh) AS u
UNION ALL
SELECT 'fresh install only', * FROM (TABLE fresh EXCEPT TABLE upgraded) AS f
ORDER BY 2, 1;
-- The comparison covered the extension and its functions.
SELECT count(*) FILTER (WHERE object = 'extension scrub') AS extension_rows,
       count(*) FILTER (WHERE object LIKE 'function %') > 0 AS functions_compared
  FROM fresh;

-- A fresh install runs as well.
SELECT table_name, rows_copied, columns_kept, columns_scrubbed
  FROM scrub_to_schema('{"customers": ["id", "joined"]}', source_schema => 'app');

-- Installed in a schema whose name needs quoting: the warning's GRANT
-- quotes it.
DROP EXTENSION scrub;
CREATE SCHEMA "scrub ""tools"" x";
CREATE EXTENSION scrub VERSION '0.1.0' SCHEMA "scrub ""tools"" x";
GRANT EXECUTE ON FUNCTION "scrub ""tools"" x".scrub_to_schema(jsonb, text, text) TO "regress_scrub ""o'hara"" x";
ALTER EXTENSION scrub UPDATE;
GRANT EXECUTE ON FUNCTION "scrub ""tools"" x".scrub_to_schema(jsonb, text, text, boolean, boolean) TO "regress_scrub ""o'hara"" x";
SELECT has_function_privilege('regress_scrub "o''hara" x',
                              '"scrub ""tools"" x".scrub_to_schema(jsonb, text, text, boolean, boolean)', 'EXECUTE');

\c :regress_db
DROP DATABASE scrub_upgrade;
DROP ROLE regress_scrub_runner, "regress_scrub ""o'hara"" x", regress_scrub_revoked;
