-- The allowlist's expressions (row filters, sql rules) run with the rights
-- of their table's owner: here a superuser's. A role with CREATE on a
-- schema must not get its code run through them, however the expression
-- reaches it: an overload that matches better, an explicitly qualified
-- function, an operator, a cast, a domain, an aggregate's support
-- function, a view or table a subquery reads. Each is refused (42501)
-- before the expression is planned, naming the entry, the object and its
-- owner; the marker shows that nothing ran. Functions of pg_catalog and
-- of the table's owner are fine. The foreign-key probe after a filtered
-- copy runs as the caller, and refuses a cast the referencing table's
-- owner wrote.
SET client_min_messages = warning;
CREATE ROLE te_mallory;
CREATE ROLE te_owner;
CREATE SCHEMA te_shared;
GRANT CREATE, USAGE ON SCHEMA te_shared TO te_mallory, te_owner;
CREATE TABLE te_shared.marker (what text, run_as name);
GRANT INSERT, SELECT ON te_shared.marker TO PUBLIC;
-- A superuser's function, text overload.
CREATE FUNCTION te_shared.norm(text) RETURNS text LANGUAGE sql IMMUTABLE AS $$SELECT lower($1)$$;
CREATE SCHEMA te;
CREATE TABLE te.people (id int PRIMARY KEY, email varchar(80), code text);
INSERT INTO te.people VALUES (1, 'a@example.com', 'x'), (2, 'b@example.com', 'y');
CREATE TABLE te.parents (id int PRIMARY KEY);
INSERT INTO te.parents VALUES (1), (2), (3);
GRANT REFERENCES ON te.parents TO te_mallory;
GRANT USAGE ON SCHEMA te TO te_mallory;

SET ROLE te_mallory;
CREATE FUNCTION te_shared.evil(what text) RETURNS bool LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO te_shared.marker VALUES (what, current_user);
    RETURN true;
END $$;
-- 1. An overload of the superuser's norm(text) that matches varchar better.
CREATE FUNCTION te_shared.norm(varchar) RETURNS text LANGUAGE plpgsql AS $$
BEGIN PERFORM te_shared.evil('overload'); RETURN lower($1); END $$;
-- 2. A function named explicitly; one of text, for an sql rule.
CREATE FUNCTION te_shared.keep_it(text) RETURNS bool LANGUAGE plpgsql AS $$
BEGIN RETURN te_shared.evil('qualified'); END $$;
CREATE FUNCTION te_shared.mask(text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN PERFORM te_shared.evil('sql rule'); RETURN 'masked'; END $$;
-- 3. An operator.
CREATE FUNCTION te_shared.op(text, text) RETURNS bool LANGUAGE plpgsql AS $$
BEGIN RETURN te_shared.evil('operator'); END $$;
CREATE OPERATOR te_shared.=~= (leftarg = text, rightarg = text, function = te_shared.op);
-- 4. A type with a cast from text; 5. a domain with a CHECK.
CREATE TYPE te_shared.mood AS ENUM ('x', 'y');
CREATE FUNCTION te_shared.text_mood(text) RETURNS te_shared.mood LANGUAGE plpgsql AS $$
BEGIN PERFORM te_shared.evil('cast'); RETURN 'x'; END $$;
CREATE CAST (text AS te_shared.mood) WITH FUNCTION te_shared.text_mood(text);
CREATE DOMAIN te_shared.checked AS text CHECK (te_shared.evil('domain'));
-- 6. A view a subquery reads (its functions run as the reader), and a table.
CREATE VIEW te_shared.ids AS SELECT 1 AS id WHERE te_shared.evil('view');
CREATE TABLE te_shared.wanted (id int);
-- 7. A support function for a superuser's aggregate.
CREATE FUNCTION te_shared.add(int, int) RETURNS int LANGUAGE plpgsql AS $$
BEGIN PERFORM te_shared.evil('aggregate'); RETURN coalesce($1, 0) + coalesce($2, 0); END $$;
-- 8. The referencing side of a foreign key: a type with an implicit cast
-- to the referenced key's type.
CREATE TYPE te_shared.code AS ENUM ('1', '2', '3');
CREATE FUNCTION te_shared.code_int(te_shared.code) RETURNS int LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN PERFORM te_shared.evil('foreign key cast'); RETURN CAST(CAST($1 AS text) AS int); END $$;
CREATE CAST (te_shared.code AS int) WITH FUNCTION te_shared.code_int(te_shared.code) AS IMPLICIT;
CREATE TABLE te_shared.refs (id int PRIMARY KEY, parent te_shared.code REFERENCES te.parents (id));
INSERT INTO te_shared.refs VALUES (1, '1'), (3, '3');
RESET ROLE;
CREATE AGGREGATE te.total(int) (sfunc = te_shared.add, stype = int);
TRUNCATE te_shared.marker;

-- Each refused before it is planned, with the owner in the detail.
\set VERBOSITY default
SELECT * FROM scrub_to_schema('{"people": {"rows": {"where": "te_shared.norm(email) LIKE ''a%''"},
    "columns": {"id": "keep"}}}', source_schema => 'te');
SELECT * FROM scrub_to_schema('{"people": {"rows": {"where": "te_shared.keep_it(code)"}}}', source_schema => 'te');
SELECT * FROM scrub_to_schema('{"people": {"columns": {"id": "keep", "code": {"sql": "te_shared.mask(code)"}}}}',
    source_schema => 'te');
-- The others, by SQLSTATE and detail.
CREATE FUNCTION te_refusal(statement text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    detail text;
BEGIN
    EXECUTE statement;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL;
    RETURN SQLSTATE || ': ' || detail;
END $$;
\set VERBOSITY terse
SELECT te_refusal($$SELECT scrub_to_schema('{"people": {"rows": {"where": "code OPERATOR(te_shared.=~=) ''x''"}}}', source_schema => 'te')$$);
SELECT te_refusal($$SELECT scrub_to_schema('{"people": {"rows": {"where": "CAST(code AS te_shared.mood) = ''x''"}}}', source_schema => 'te')$$);
SELECT te_refusal($$SELECT scrub_to_schema('{"people": {"columns": {"id": "keep", "code": {"sql": "CAST(code AS te_shared.checked)"}}}}', source_schema => 'te')$$);
SELECT te_refusal($$SELECT scrub_to_schema('{"people": {"rows": {"where": "id IN (SELECT id FROM te_shared.ids)"}}}', source_schema => 'te')$$);
SELECT te_refusal($$SELECT scrub_to_schema('{"people": {"rows": {"where": "EXISTS (WITH w AS (SELECT id FROM te_shared.wanted) SELECT FROM w)"}}}', source_schema => 'te')$$);
SELECT te_refusal($$SELECT scrub_to_schema('{"people": {"rows": {"where": "id <= (SELECT te.total(p.id) FROM te.people p)"}}}', source_schema => 'te')$$);
-- A built-in that runs SQL text, or reads a relation named by a value.
SELECT te_refusal($$SELECT scrub_to_schema('{"people": {"rows": {"where": "length(CAST(query_to_xml(''SELECT te_shared.evil(''''xml'''')'', false, false, '''') AS text)) > 0"}}}', source_schema => 'te')$$);
SELECT te_refusal($$SELECT scrub_to_schema('{"people": {"rows": {"where": "CAST(table_to_xml(CAST(''te_shared.ids'' AS regclass), false, false, '''') AS text) <> ''''"}}}', source_schema => 'te')$$);
-- A subquery's DISTINCT and ORDER BY use pg_catalog's operators, and the
-- role's enum type runs no code of the role: fine.
SELECT table_name, rows_copied FROM scrub_to_schema('{"people": {"rows": {"where":
    "code IN (SELECT DISTINCT CAST(m AS text) FROM pg_catalog.unnest(enum_range(NULL::te_shared.mood)) m ORDER BY 1)"},
    "columns": {"id": "keep"}}}', source_schema => 'te');
SELECT * FROM te_shared.marker;

-- pg_catalog's functions and operators, qualified or not, are fine.
SELECT table_name, rows_copied FROM scrub_to_schema('{"people": {"rows": {"where":
    "lower(email) LIKE ''a%'' AND pg_catalog.length(code) OPERATOR(pg_catalog.=) 1"},
    "columns": {"id": "keep", "code": {"sql": "upper(code) || pg_catalog.md5(code)"}}}}', source_schema => 'te');
SELECT * FROM scrubbed.people;
-- So is the superuser's own norm(text), called with a text argument.
SELECT table_name, rows_copied FROM scrub_to_schema('{"people": {"rows": {"where":
    "te_shared.norm(CAST(email AS text)) LIKE ''b%''"}, "columns": {"id": "keep"}}}', source_schema => 'te');

-- A table another role owns may use that role's functions: they run with
-- its rights only.
SET ROLE te_owner;
CREATE FUNCTION te_shared.owner_ok(int) RETURNS bool LANGUAGE sql IMMUTABLE AS $$SELECT $1 > 1$$;
CREATE TABLE te_shared.owned (id int PRIMARY KEY, note text);
INSERT INTO te_shared.owned VALUES (1, 'a'), (2, 'b'), (3, 'c');
RESET ROLE;
SELECT table_name, rows_copied FROM scrub_to_schema('{"te_shared.owned": {"rows": {"where": "te_shared.owner_ok(id)"},
    "columns": {"id": "keep"}}}', source_schema => 'te');
-- But not another role's function.
SELECT te_refusal($$SELECT scrub_to_schema('{"te_shared.owned": {"rows": {"where": "te_shared.keep_it(note)"}}}', source_schema => 'te')$$);

-- scrub_plan reports it as the entry's problem, without planning it; the
-- export's check refuses it as the run does.
SELECT table_name, column_name, problem FROM scrub_plan('{"people": {"rows": {"where": "te_shared.keep_it(code)"},
    "columns": {"id": "keep", "code": {"sql": "te_shared.mask(code)"}, "email": "keep"}}}', 'te')
 WHERE problem IS NOT NULL ORDER BY 1, 2;
SELECT expect_error($$SELECT scrub_export_check('{"people": {"rows": {"where": "te_shared.keep_it(code)"}}}', 'te')$$);
SELECT * FROM te_shared.marker;

-- The foreign-key probe of a filtered referenced table runs as the
-- caller; the referencing owner's implicit cast would run in it: refused,
-- naming the constraint.
\set VERBOSITY default
SELECT * FROM scrub_to_schema('{"parents": {"rows": {"where": "id <> 2"}, "columns": {"id": "keep"}},
    "te_shared.refs": {"columns": {"id": "keep", "parent": "keep"}}}', source_schema => 'te');
\set VERBOSITY terse
SELECT * FROM te_shared.marker;
-- Without the filter there is no probe: the copy runs (the owner's cast
-- runs as that owner only, while its own table is copied).
SELECT table_name, rows_copied FROM scrub_to_schema('{"parents": {"columns": {"id": "keep"}},
    "te_shared.refs": {"columns": {"id": "keep", "parent": "keep"}}}', source_schema => 'te') ORDER BY 1;
SELECT DISTINCT * FROM te_shared.marker WHERE run_as <> 'te_mallory';

-- The schemas of what an expression names. The pinned expression names
-- each object by schema and name, resolved again by each later statement
-- of the run; a schema's owner can rename the schema and create another
-- of the same name with objects of its own at any moment. So the schema
-- too must be pg_catalog's or owned by a superuser or the table's owner;
-- pg_database_owner stands for the database's owner. Here every object is
-- a superuser's, in schemas of other roles: refused, naming the schema
-- and its owner, before anything is created.
DROP SCHEMA scrubbed, scrubbed__te_shared CASCADE;
CREATE ROLE te_schemer;
CREATE ROLE te_dbowner;
CREATE SCHEMA te_hostile AUTHORIZATION te_schemer;
CREATE FUNCTION te_hostile.fine(text) RETURNS bool LANGUAGE sql IMMUTABLE AS $$SELECT true$$;
CREATE OPERATOR te_hostile.=~= (leftarg = text, rightarg = text, function = pg_catalog.texteq);
CREATE DOMAIN te_hostile.dom AS text;
CREATE TYPE te_hostile.mood AS ENUM ('x', 'y');
CREATE COLLATION te_hostile.coll FROM "C";
CREATE TABLE te_hostile.ids (id int);
INSERT INTO te_hostile.ids VALUES (1);
CREATE SCHEMA te_owners AUTHORIZATION te_owner;
GRANT USAGE ON SCHEMA te_hostile TO PUBLIC;
CREATE FUNCTION te_owners.fine(int) RETURNS bool LANGUAGE sql IMMUTABLE AS $$SELECT $1 > 1$$;
\set VERBOSITY default
SELECT * FROM scrub_to_schema('{"people": {"rows": {"where": "te_hostile.fine(code)"},
    "columns": {"id": "keep"}}}', source_schema => 'te');
\set VERBOSITY terse
-- An operator (its function is pg_catalog's) in an sql rule; a domain, an
-- enum type (and its array), a collation; a table a subquery reads.
SELECT te_refusal($$SELECT scrub_to_schema('{"people": {"columns": {"id": "keep", "code": {"sql": "CASE WHEN code OPERATOR(te_hostile.=~=) ''x'' THEN ''a'' END"}}}}', source_schema => 'te')$$);
SELECT te_refusal($$SELECT scrub_to_schema('{"people": {"columns": {"id": "keep", "code": {"sql": "CAST(code AS te_hostile.dom)"}}}}', source_schema => 'te')$$);
SELECT te_refusal($$SELECT scrub_to_schema('{"people": {"rows": {"where": "CAST(code AS te_hostile.mood) = ''x''"}}}', source_schema => 'te')$$);
SELECT te_refusal($$SELECT scrub_to_schema('{"people": {"rows": {"where": "CAST(NULL AS te_hostile.mood[]) IS NULL"}}}', source_schema => 'te')$$);
SELECT te_refusal($$SELECT scrub_to_schema('{"people": {"rows": {"where": "code COLLATE te_hostile.coll < ''y''"}}}', source_schema => 'te')$$);
SELECT te_refusal($$SELECT scrub_to_schema('{"people": {"rows": {"where": "id IN (SELECT id FROM te_hostile.ids)"}}}', source_schema => 'te')$$);
-- A constant that names an object: 'te_hostile.ids'::regclass is
-- written back as that name.
SELECT te_refusal($$SELECT scrub_to_schema('{"people": {"rows": {"where": "pg_catalog.pg_relation_size(CAST(''te_hostile.ids'' AS regclass)) >= 0"}}}', source_schema => 'te')$$);
SELECT te_refusal($$SELECT scrub_to_schema('{"people": {"rows": {"where": "CAST(''te_hostile.mood'' AS regtype) IS NOT NULL AND CAST(''te_hostile'' AS regnamespace) IS NOT NULL"}}}', source_schema => 'te')$$);
-- A schema the table's owner owns is fine for its own tables only.
SELECT te_refusal($$SELECT scrub_to_schema('{"people": {"rows": {"where": "te_owners.fine(id)"}}}', source_schema => 'te')$$);
SELECT te_refusal($$SELECT scrub_to_schema('{"te_shared.owned": {"rows": {"where": "te_hostile.fine(note)"}}}', source_schema => 'te')$$);
SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'scrubbed%';
SELECT table_name, rows_copied FROM scrub_to_schema('{"te_shared.owned": {"rows": {"where": "te_owners.fine(id)"},
    "columns": {"id": "keep"}}}', source_schema => 'te');
-- scrub_plan reports it as the entry's problems.
SELECT table_name, column_name, problem FROM scrub_plan('{"people": {"rows": {"where": "te_hostile.fine(code)"},
    "columns": {"id": "keep", "code": {"sql": "CAST(code AS te_hostile.dom)"}, "email": "keep"}}}', 'te')
 WHERE problem IS NOT NULL ORDER BY 1, 2;

-- A schema owned by pg_database_owner is the database owner's: here a
-- superuser's, so fine for every table's owner.
CREATE SCHEMA te_dbo;
ALTER SCHEMA te_dbo OWNER TO pg_database_owner;
GRANT USAGE ON SCHEMA te_dbo TO PUBLIC;
CREATE FUNCTION te_dbo.fine(int) RETURNS bool LANGUAGE sql IMMUTABLE AS $$SELECT $1 > 1$$;
SELECT table_name, rows_copied FROM scrub_to_schema('{"people": {"rows": {"where": "te_dbo.fine(id)"},
    "columns": {"id": "keep"}}}', source_schema => 'te');
SELECT table_name, rows_copied FROM scrub_to_schema('{"te_shared.owned": {"rows": {"where": "te_dbo.fine(id)"},
    "columns": {"id": "keep"}}}', source_schema => 'te');
-- With a database owner that is no superuser, fine for that role's tables
-- only. (public, which holds scrub here, gets a superuser for owner
-- meanwhile: a run refuses an extension schema of another role.)
SELECT format('ALTER DATABASE %I OWNER TO %I', datname, datdba::regrole) AS te_restore_dba,
       format('ALTER DATABASE %I OWNER TO te_dbowner', datname) AS te_dbowner_dba,
       format('ALTER SCHEMA public OWNER TO %I', datdba::regrole) AS te_public_to_superuser
  FROM pg_database WHERE datname = current_database() \gset
:te_public_to_superuser;
:te_dbowner_dba;
GRANT USAGE ON SCHEMA te_shared TO te_dbowner;
CREATE TABLE te_shared.dbo_owned (id int PRIMARY KEY);
INSERT INTO te_shared.dbo_owned VALUES (1), (2), (3);
ALTER TABLE te_shared.dbo_owned OWNER TO te_dbowner;
\set VERBOSITY default
SELECT * FROM scrub_to_schema('{"people": {"rows": {"where": "te_dbo.fine(id)"},
    "columns": {"id": "keep"}}}', source_schema => 'te');
\set VERBOSITY terse
SELECT te_refusal($$SELECT scrub_to_schema('{"te_shared.owned": {"rows": {"where": "te_dbo.fine(id)"}}}', source_schema => 'te')$$);
SELECT table_name, rows_copied FROM scrub_to_schema('{"te_shared.dbo_owned": {"rows": {"where": "te_dbo.fine(id)"},
    "columns": {"id": "keep"}}}', source_schema => 'te');
:te_restore_dba;
ALTER SCHEMA public OWNER TO pg_database_owner;
DROP TABLE te_shared.dbo_owned;
REVOKE USAGE ON SCHEMA te_shared FROM te_dbowner;
DROP SCHEMA te_dbo CASCADE;
DROP SCHEMA te_hostile CASCADE;
DROP SCHEMA te_owners CASCADE;
DROP ROLE te_schemer;
DROP ROLE te_dbowner;

DROP SCHEMA scrubbed CASCADE;
DROP SCHEMA te_shared CASCADE;
DROP SCHEMA te CASCADE;
DROP FUNCTION te_refusal(text);
DROP ROLE te_mallory;
DROP ROLE te_owner;
