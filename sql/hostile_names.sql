-- Hostile names: schemas, tables, columns and enum labels spelled with
-- quotes, backslashes, semicolons, $$, spaces, mixed case, non-ASCII and
-- 63 bytes are copied under their exact names; allowlist keys holding SQL
-- text are only ever names, never executed.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS scrub;
-- Unaligned output: column widths of non-ASCII text would otherwise depend
-- on the database encoding.
\pset format unaligned

-- The source schema and everything in it have names that break any SQL
-- built by pasting names into text.
CREATE SCHEMA "Src ""Q"" \ ; $$ Ünï";
SET search_path = "Src ""Q"" \ ; $$ Ünï";

CREATE TYPE "mood ""enum""" AS ENUM
    ('it''s', 'a"b', 'back\slash', '$$', '; DROP TABLE victim; --', 'Ünï',
     'l23456789012345678901234567890123456789012345678901234567890123');

CREATE TABLE "Mixed Case" ("Id" int, "Full Name" text, "e-mail" varchar(20));
INSERT INTO "Mixed Case" VALUES (1, 'Ada', 'ada@example.com'), (2, 'Bob', NULL);

CREATE TABLE "semi;colon $$ dollar" (
    id int,
    "col'quote" text,
    "col""dq" text,
    "back\slash" text,
    "spa ce" text,
    "naïve" text,
    "$$body$$" text,
    mood "mood ""enum""",
    "mood; DROP TABLE victim; --" "mood ""enum""");
INSERT INTO "semi;colon $$ dollar" VALUES
    (1, 'o''k', 'd"q', 'b\s', 's p', 'ï', '$$x$$', '; DROP TABLE victim; --', 'a"b'),
    (2, NULL, NULL, NULL, NULL, NULL, NULL, 'back\slash', NULL),
    (3, '', '', '', '', '', '', 'l23456789012345678901234567890123456789012345678901234567890123', '$$');

CREATE TABLE "dot.ted" (id int, x text);
INSERT INTO "dot.ted" VALUES (1, 'kept'), (2, 'also kept');

-- 63 bytes, the longest name PostgreSQL keeps.
CREATE TABLE t23456789012345678901234567890123456789012345678901234567890123 (
    c23456789012345678901234567890123456789012345678901234567890123 text,
    "Ünïcödé column" text);
INSERT INTO t23456789012345678901234567890123456789012345678901234567890123
    VALUES ('long', 'secret');

CREATE TABLE "quo""te" (id int);
INSERT INTO "quo""te" VALUES (1);

CREATE TABLE victim (id int);
INSERT INTO victim VALUES (1);

RESET search_path;

-- Keys are built with jsonb_build_object so each name is exactly one SQL
-- string; a schema-qualified key names the hostile schema in quotes.
SELECT table_name, rows_copied, columns_kept, columns_scrubbed
  FROM scrub_to_schema(
    jsonb_build_object(
        'Mixed Case', jsonb_build_array('Id', 'Full Name'),
        '"Src ""Q"" \ ; $$ Ünï"."semi;colon $$ dollar"',
            jsonb_build_array('id', 'col''quote', 'col"dq', 'back\slash', 'spa ce', 'naïve',
                              '$$body$$', 'mood'),
        '"dot.ted"', jsonb_build_array('id', 'x'),
        't23456789012345678901234567890123456789012345678901234567890123',
            jsonb_build_array('c23456789012345678901234567890123456789012345678901234567890123'),
        '"quo""te"', '[]'::jsonb),
    target_schema => 'Tgt"; DROP TABLE victim; --',
    source_schema => 'Src "Q" \ ; $$ Ünï')
 ORDER BY table_name COLLATE "C";

-- The target has every table under its exact name; the structure-only and
-- unlisted tables are recorded in the manifest without rows.
SELECT c.relname
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'Tgt"; DROP TABLE victim; --' AND c.relkind = 'r'
 ORDER BY c.relname COLLATE "C";
SELECT table_name, copied, copied_rows, kept_columns, scrubbed_columns
  FROM "Tgt""; DROP TABLE victim; --"._scrub_tables ORDER BY table_name COLLATE "C";
SELECT source_schema FROM "Tgt""; DROP TABLE victim; --"._scrub_run;

-- Kept columns hold the source values; scrubbed ones the fakes (an enum's
-- fake is its first label, a text fake the column name and row number).
SELECT * FROM "Tgt""; DROP TABLE victim; --"."Mixed Case" ORDER BY "Id";
SELECT * FROM "Tgt""; DROP TABLE victim; --"."semi;colon $$ dollar" ORDER BY id;
SELECT * FROM "Tgt""; DROP TABLE victim; --"."dot.ted" ORDER BY id;
SELECT * FROM "Tgt""; DROP TABLE victim; --".t23456789012345678901234567890123456789012345678901234567890123;
-- Kept values compare equal to the source, column by column.
SELECT count(*) AS differing_rows FROM (
    SELECT id, "col'quote", "col""dq", "back\slash", "spa ce", "naïve", "$$body$$", mood
      FROM "Src ""Q"" \ ; $$ Ünï"."semi;colon $$ dollar"
    EXCEPT
    SELECT id, "col'quote", "col""dq", "back\slash", "spa ce", "naïve", "$$body$$", mood
      FROM "Tgt""; DROP TABLE victim; --"."semi;colon $$ dollar") d;
-- The target's enum columns use the source's hostile enum type itself.
SELECT a.attname, format_type(a.atttypid, a.atttypmod)
  FROM pg_attribute a
 WHERE a.attrelid = '"Tgt""; DROP TABLE victim; --"."semi;colon $$ dollar"'::regclass
   AND a.attname LIKE 'mood%' ORDER BY a.attnum;

-- A second run with the allowlist written as JSON text (escaped quotes and
-- backslashes) replaces the hostile-named target it built before.
SELECT table_name, rows_copied
  FROM scrub_to_schema(
    '{"\"quo\"\"te\"": ["id"], "\"Src \"\"Q\"\" \\ ; $$ Ünï\".\"dot.ted\"": ["x"]}',
    target_schema => 'Tgt"; DROP TABLE victim; --',
    source_schema => 'Src "Q" \ ; $$ Ünï')
 ORDER BY table_name COLLATE "C";
SELECT * FROM "Tgt""; DROP TABLE victim; --"."quo""te";
SELECT table_name, copied FROM "Tgt""; DROP TABLE victim; --"._scrub_tables
 WHERE copied ORDER BY table_name COLLATE "C";

-- A target schema name of 63 bytes, the longest PostgreSQL keeps, with
-- non-ASCII characters and quotes.
SELECT table_name, rows_copied
  FROM scrub_to_schema('{"\"dot.ted\"": ["id"]}',
    target_schema => 'Ünï "63" ' || repeat('x', 63 - octet_length('Ünï "63" ')),
    source_schema => 'Src "Q" \ ; $$ Ünï');
SELECT octet_length(nspname) AS name_bytes,
       (SELECT count(*) FROM pg_class WHERE relnamespace = n.oid AND relname = 'dot.ted') AS tables
  FROM pg_namespace n WHERE nspname LIKE 'Ünï "63" %';
SELECT 'DROP SCHEMA ' || quote_ident(nspname) || ' CASCADE' FROM pg_namespace
 WHERE nspname LIKE 'Ünï "63" %' \gexec

-- Allowlist keys and column names holding SQL text are names: the run
-- fails because no such table or column exists, and nothing is executed.
CREATE SCHEMA hostile_keys;
CREATE TABLE hostile_keys.users (id int, email text);
CREATE TABLE hostile_keys.y (id int);
INSERT INTO hostile_keys.users VALUES (1, 'a@example.com');
INSERT INTO hostile_keys.y VALUES (1);
SELECT count(*) AS relations_before FROM pg_class \gset
SELECT count(*) AS schemas_before FROM pg_namespace \gset

SELECT * FROM scrub_to_schema(
    '{"users; DROP TABLE users; --": ["id"],
      "x''); DROP TABLE y; --": [],
      "users": ["id); DROP TABLE users; --", "email"]}',
    target_schema => 'hostile_keys_out', source_schema => 'hostile_keys');
-- A quote inside an unquoted key is malformed, not a way out of the name.
SELECT * FROM scrub_to_schema(
    '{"users\"; DROP TABLE users; --": []}',
    target_schema => 'hostile_keys_out', source_schema => 'hostile_keys');
-- A dot makes the first part a schema; a system schema is never read.
SELECT * FROM scrub_to_schema(
    '{"hostile_keys.users; DROP TABLE y": [], "pg_catalog.pg_class": []}',
    target_schema => 'hostile_keys_out', source_schema => 'hostile_keys');
-- A target schema name holding SQL text is rejected by length, not run.
SELECT * FROM scrub_to_schema('{}',
    target_schema => repeat('x"; DROP TABLE hostile_keys.users; --', 2),
    source_schema => 'hostile_keys');

-- Nothing was created, dropped or changed.
SELECT count(*) = :relations_before AS same_relations FROM pg_class;
SELECT count(*) = :schemas_before AS same_schemas FROM pg_namespace;
SELECT * FROM hostile_keys.users;
SELECT * FROM hostile_keys.y;
SELECT * FROM "Src ""Q"" \ ; $$ Ünï".victim;
SELECT count(*) AS out_schemas FROM pg_namespace WHERE nspname = 'hostile_keys_out';

DROP SCHEMA hostile_keys CASCADE;
DROP SCHEMA "Tgt""; DROP TABLE victim; --" CASCADE;
DROP SCHEMA "Src ""Q"" \ ; $$ Ünï" CASCADE;
