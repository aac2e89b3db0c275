-- Replacing the scratch schema must never drop an object outside it: any
-- dependency from outside on anything inside (table, type, domain,
-- function, trigger function, operator, sequence, collation, text search
-- configuration, ...) fails the run with 2BP01 naming each dependent, and
-- nothing changes.
\set SHOW_CONTEXT never
CREATE SCHEMA dep_src;
CREATE TABLE dep_src.accounts (id int PRIMARY KEY, email text);
INSERT INTO dep_src.accounts VALUES (1, 'a@example.com');
SELECT table_name, rows_copied
  FROM scrub_to_schema('{"accounts": ["id"]}', 'dep_out', 'dep_src');

-- Someone creates objects in the scratch schema after the run, and
-- production objects start to use them.
CREATE FUNCTION dep_out.answer() RETURNS int LANGUAGE sql AS 'SELECT 42';
CREATE FUNCTION dep_out.touch() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
CREATE FUNCTION dep_out.same(int, int) RETURNS bool LANGUAGE sql AS 'SELECT $1 = $2';
CREATE OPERATOR dep_out.=== (FUNCTION = dep_out.same, LEFTARG = int, RIGHTARG = int);
CREATE SEQUENCE dep_out.ticket;
CREATE TYPE dep_out.mood AS ENUM ('ok');
CREATE DOMAIN dep_out.positive AS int CHECK (VALUE > 0);
CREATE COLLATION dep_out.binary (provider = libc, locale = 'C');
CREATE TEXT SEARCH CONFIGURATION dep_out.plain (COPY = pg_catalog.simple);
CREATE TABLE public.dep_app (
    id int DEFAULT dep_out.answer(),
    ticket bigint DEFAULT nextval('dep_out.ticket'),
    mood dep_out.mood,
    amount dep_out.positive,
    label text COLLATE dep_out.binary);
CREATE TRIGGER dep_app_touch BEFORE INSERT ON public.dep_app
    FOR EACH ROW EXECUTE FUNCTION dep_out.touch();
CREATE VIEW public.dep_answer AS SELECT dep_out.answer() AS answer;
CREATE VIEW public.dep_same AS SELECT 1 OPERATOR(dep_out.===) 1 AS same;
CREATE VIEW public.dep_accounts AS SELECT count(*) FROM dep_out.accounts;
CREATE INDEX dep_app_words ON public.dep_app
    USING gin (to_tsvector('dep_out.plain', label));
CREATE TEMP TABLE dep_before AS
SELECT (SELECT finished_at FROM dep_out._scrub_run) AS finished_at,
       (SELECT count(*) FROM pg_class WHERE relpersistence <> 't') AS relations,
       (SELECT count(*) FROM pg_proc WHERE pronamespace = 'dep_out'::regnamespace) AS functions;

SELECT * FROM scrub_to_schema('{"accounts": ["id"]}', 'dep_out', 'dep_src');
\echo :LAST_ERROR_SQLSTATE
-- Nothing was dropped, and the previous run is intact.
SELECT (SELECT finished_at FROM dep_out._scrub_run) = finished_at AS previous_run_intact,
       (SELECT count(*) FROM pg_class WHERE relpersistence <> 't') = relations AS no_relation_dropped,
       (SELECT count(*) FROM pg_proc WHERE pronamespace = 'dep_out'::regnamespace) = functions
           AS no_function_dropped
  FROM dep_before;
SELECT tgname FROM pg_trigger WHERE tgrelid = 'public.dep_app'::regclass;
SELECT pg_get_expr(adbin, adrelid) AS defaults FROM pg_attrdef
 WHERE adrelid = 'public.dep_app'::regclass ORDER BY adnum;

-- An extension installed into the scratch schema would go with it, and
-- take its members along.
DROP TABLE public.dep_app;
DROP VIEW public.dep_answer, public.dep_same, public.dep_accounts;
CREATE EXTENSION pg_trgm SCHEMA dep_out;
SELECT * FROM scrub_to_schema('{"accounts": ["id"]}', 'dep_out', 'dep_src');
\echo :LAST_ERROR_SQLSTATE
DROP EXTENSION pg_trgm;

-- With no outside dependent left, the run replaces the schema, objects
-- created inside it included.
SELECT table_name, rows_copied
  FROM scrub_to_schema('{"accounts": ["id"]}', 'dep_out', 'dep_src');
SELECT count(*) AS functions_left FROM pg_proc WHERE pronamespace = 'dep_out'::regnamespace;

DROP SCHEMA dep_src, dep_out CASCADE;
