SET client_min_messages = warning;
-- One run over several schemas: keys "schema.table" name tables of any
-- schema, a bare key one of source_schema; every schema named is read in
-- one snapshot and checked together, and each gets a scratch schema of
-- its own: the target for source_schema (with the manifest), and
-- "<target>__<schema>" for every other.
CREATE SCHEMA ms_app;
CREATE SCHEMA ms_audit;
CREATE SCHEMA "ms.we""ird s";
CREATE TABLE ms_app.users (id int PRIMARY KEY, email text, name text);
CREATE TABLE ms_app.items (id int PRIMARY KEY, label text);
CREATE TABLE ms_audit.events (id int PRIMARY KEY, user_id int REFERENCES ms_app.users, what text);
-- The same table name in two schemas, with other columns.
CREATE TABLE ms_audit.items (sku text PRIMARY KEY, price int CHECK (price > 4));
CREATE TABLE ms_audit.unlisted (id int);
CREATE TABLE "ms.we""ird s"."t.1" (id int PRIMARY KEY, event_id int REFERENCES ms_audit.events, note text);
CREATE SEQUENCE ms_audit.ticket START 41;
SELECT nextval('ms_audit.ticket');
ALTER TABLE ms_app.items ALTER COLUMN id SET DEFAULT nextval('ms_audit.ticket');
INSERT INTO ms_app.users VALUES (1, 'a@example.org', 'Ann'), (2, 'b@example.org', 'Bob');
INSERT INTO ms_app.items VALUES (1, 'pen'), (2, 'ink');
INSERT INTO ms_audit.events VALUES (10, 1, 'login'), (11, 2, 'logout'), (12, NULL, 'boot');
INSERT INTO ms_audit.items VALUES ('X-1', 5), ('X-2', 7);
INSERT INTO ms_audit.unlisted VALUES (1);
INSERT INTO "ms.we""ird s"."t.1" VALUES (1, 10, 'secret');

-- Two schemas; the foreign key from ms_audit.events into ms_app.users is
-- kept (both sides copied with their keys). A bare key means source_schema.
SELECT table_name, rows_copied, columns_kept, columns_scrubbed FROM scrub_to_schema('{"users": ["id"], "ms_audit.events": ["id", "user_id"],
                                "items": ["id", "label"], "ms_audit.items": ["sku", "price"]}',
                              target_schema => 'ms_out', source_schema => 'ms_app')
 ORDER BY table_name COLLATE "C";
-- The layout: the target holds source_schema's tables and the manifest,
-- ms_out__ms_audit the other schema's; its unlisted table gets no rows.
SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname LIKE 'ms\_out%' AND c.relkind = 'r' ORDER BY 1, 2;
SELECT source_schema, table_name, scratch_schema, copied, copied_rows, kept_columns, scrubbed_columns,
       source_signature IS NOT NULL AS signed
  FROM ms_out._scrub_tables ORDER BY source_schema, table_name;
SELECT source_schema FROM ms_out._scrub_run;
SELECT sequence_schema, sequence_name, last_value FROM ms_out._scrub_sequences ORDER BY 1, 2;
SELECT * FROM ms_out__ms_audit.events ORDER BY id;
SELECT * FROM ms_out__ms_audit.items ORDER BY sku;
SELECT * FROM ms_out.items ORDER BY id;
SELECT nspowner::regrole = current_user::regrole AS owned FROM pg_namespace WHERE nspname = 'ms_out__ms_audit';

-- Checks apply to every schema's tables: the CHECK of ms_audit.items
-- reads a scrubbed column, and the fakes 1 and 2 fail price > 4.
SELECT table_name, rows_copied, columns_kept, columns_scrubbed FROM scrub_to_schema('{"ms_audit.items": ["sku"]}', target_schema => 'ms_chk', source_schema => 'ms_app');
SELECT nspname FROM pg_namespace WHERE nspname LIKE 'ms\_chk%';

-- Foreign keys across schemas: the referenced table not listed, or its key
-- scrubbed, fails naming the constraint in its own schema; one into a
-- schema the allowlist does not name fails as before, saying so.
SELECT expect_error($$SELECT table_name, rows_copied, columns_kept, columns_scrubbed FROM scrub_to_schema('{"ms_audit.events": ["id", "user_id"]}',
                                                   target_schema => 'ms_out', source_schema => 'ms_app')$$);
SELECT table_name, rows_copied, columns_kept, columns_scrubbed FROM scrub_to_schema('{"users": ["email"], "ms_audit.events": ["id", "user_id"]}',
                              target_schema => 'ms_out', source_schema => 'ms_app');
SELECT table_name, rows_copied, columns_kept, columns_scrubbed FROM scrub_to_schema('{"events": ["id", "user_id"]}',
                              target_schema => 'ms_out', source_schema => 'ms_audit');

-- Three schemas, one with a hostile name (quote, dot, space), whose table
-- name has a dot: the key quotes both parts.
SELECT table_name, rows_copied, columns_kept, columns_scrubbed FROM scrub_to_schema('{"users": ["id"], "ms_audit.events": ["id", "user_id"],
                                "\"ms.we\"\"ird s\".\"t.1\"": ["id", "event_id"]}',
                              target_schema => 'ms_out', source_schema => 'ms_app')
 ORDER BY table_name COLLATE "C";
SELECT * FROM "ms_out__ms.we""ird s"."t.1";
SELECT source_schema, table_name, scratch_schema, copied FROM ms_out._scrub_tables
 WHERE copied ORDER BY source_schema, table_name;
-- The re-run replaced every scratch schema: the old ms_out__ms_audit's
-- items table (not copied this time) is gone.
SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname LIKE 'ms\_out%' AND c.relkind = 'r' AND c.relname NOT LIKE '\_scrub%' ORDER BY 1, 2;

-- A re-run naming fewer schemas drops the scratch schemas no longer needed.
SELECT table_name, rows_copied, columns_kept, columns_scrubbed FROM scrub_to_schema('{"users": ["id"]}', target_schema => 'ms_out', source_schema => 'ms_app');
SELECT nspname FROM pg_namespace WHERE nspname LIKE 'ms\_out%' ORDER BY 1;
SELECT count(*) AS build_schemas_left FROM pg_namespace WHERE nspname LIKE 'scrub\_build%';

-- Objects outside a scratch schema that depend on it are refused (2BP01),
-- as for the target, and nothing changes.
SELECT table_name, rows_copied, columns_kept, columns_scrubbed FROM scrub_to_schema('{"users": ["id"], "ms_audit.events": ["id", "user_id"]}',
                              target_schema => 'ms_out', source_schema => 'ms_app');
CREATE VIEW public.ms_watch AS SELECT id FROM ms_out__ms_audit.events;
SELECT expect_error($$SELECT table_name, rows_copied, columns_kept, columns_scrubbed FROM scrub_to_schema('{"users": ["id"], "ms_audit.events": ["id", "user_id"]}',
                                                   target_schema => 'ms_out', source_schema => 'ms_app')$$);
SELECT expect_error($$SELECT table_name, rows_copied, columns_kept, columns_scrubbed FROM scrub_to_schema('{"users": ["id"]}',
                                                   target_schema => 'ms_out', source_schema => 'ms_app')$$);
SELECT count(*) FROM public.ms_watch;
DROP VIEW public.ms_watch;
-- A scratch schema another role owns is not replaced (42501).
CREATE ROLE ms_other;
ALTER SCHEMA ms_out__ms_audit OWNER TO ms_other;
SELECT expect_error($$SELECT * FROM scrub_to_schema('{"users": ["id"]}',
                                                   target_schema => 'ms_out', source_schema => 'ms_app')$$);
ALTER SCHEMA ms_out__ms_audit OWNER TO CURRENT_USER;
DROP ROLE ms_other;
-- The manifest names the scratch schemas a re-run drops, but only under
-- the name a run into the target gives them: a manifest edited to name
-- another schema (here the source schema ms_audit itself) drops nothing
-- else, and the scratch schema it no longer names is not touched either.
UPDATE ms_out._scrub_tables SET scratch_schema = 'ms_audit' WHERE source_schema = 'ms_audit';
SELECT table_name, rows_copied FROM scrub_to_schema('{"users": ["id"]}', target_schema => 'ms_out', source_schema => 'ms_app');
SELECT count(*) AS audit_events_kept FROM ms_audit.events;
SELECT nspname FROM pg_namespace WHERE nspname LIKE 'ms\_out%' OR nspname = 'ms_audit' ORDER BY 1;
SELECT expect_error($$SELECT * FROM scrub_to_schema('{"users": ["id"], "ms_audit.events": ["id", "user_id"]}',
                                                   target_schema => 'ms_out', source_schema => 'ms_app')$$);
DROP SCHEMA ms_out__ms_audit CASCADE;
SELECT table_name, rows_copied FROM scrub_to_schema('{"users": ["id"], "ms_audit.events": ["id", "user_id"]}',
                                                    target_schema => 'ms_out', source_schema => 'ms_app')
 ORDER BY table_name COLLATE "C";

-- A schema under the scratch name that scrub did not build for this
-- target is never replaced.
CREATE SCHEMA ms_new__ms_audit;
CREATE TABLE ms_new__ms_audit.precious (id int);
SELECT expect_error($$SELECT table_name, rows_copied, columns_kept, columns_scrubbed FROM scrub_to_schema('{"users": ["id"], "ms_audit.events": ["id", "user_id"]}',
                                                   target_schema => 'ms_new', source_schema => 'ms_app')$$);
SELECT table_name, rows_copied, columns_kept, columns_scrubbed FROM scrub_to_schema('{"users": ["id"], "ms_audit.events": ["id", "user_id"]}',
                              target_schema => 'ms_new', source_schema => 'ms_app');
SELECT count(*) AS precious_kept FROM ms_new__ms_audit.precious;
SELECT nspname FROM pg_namespace WHERE nspname = 'ms_new';
DROP SCHEMA ms_new__ms_audit CASCADE;

-- Scratch names that clash with a schema the run reads, or are too long
-- (63 bytes is the limit: PostgreSQL would cut a longer name short).
CREATE SCHEMA ms_x__ms_audit;
CREATE TABLE ms_x__ms_audit.t (id int);
SELECT expect_error($$SELECT table_name, rows_copied, columns_kept, columns_scrubbed FROM scrub_to_schema('{"ms_audit.events": [], "ms_x__ms_audit.t": []}',
                                                   target_schema => 'ms_x', source_schema => 'ms_app')$$);
DROP SCHEMA ms_x__ms_audit CASCADE;
CREATE SCHEMA ms_long_56_bytes_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx;
CREATE TABLE ms_long_56_bytes_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.t (id int);
SELECT expect_error($$SELECT table_name, rows_copied, columns_kept, columns_scrubbed FROM scrub_to_schema('{"ms_long_56_bytes_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.t": ["id"]}',
                                                   target_schema => 'ms_out5', source_schema => 'ms_app')$$);
SELECT table_name, rows_copied
  FROM scrub_to_schema('{"ms_long_56_bytes_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.t": ["id"]}',
                       target_schema => 'ms_o5', source_schema => 'ms_app');
SELECT length(nspname) FROM pg_namespace WHERE nspname LIKE 'ms\_o5\_\_%';
DROP SCHEMA ms_o5, "ms_o5__ms_long_56_bytes_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" CASCADE;

-- Keys naming schemas a run cannot read.
SELECT expect_error($$SELECT table_name, rows_copied, columns_kept, columns_scrubbed FROM scrub_to_schema('{"nope.t": []}', target_schema => 'ms_out', source_schema => 'ms_app')$$);
SELECT expect_error($$SELECT table_name, rows_copied, columns_kept, columns_scrubbed FROM scrub_to_schema('{"pg_catalog.pg_class": []}', target_schema => 'ms_out', source_schema => 'ms_app')$$);
SELECT expect_error($$SELECT table_name, rows_copied, columns_kept, columns_scrubbed FROM scrub_to_schema('{"ms_out.users": []}', target_schema => 'ms_out', source_schema => 'ms_app')$$);
SELECT expect_error($$SELECT table_name, rows_copied, columns_kept, columns_scrubbed FROM scrub_to_schema('{"users": [], "ms_out__ms_audit.events": []}', target_schema => 'ms_out', source_schema => 'ms_app')$$);
SELECT expect_error($$SELECT table_name, rows_copied, columns_kept, columns_scrubbed FROM scrub_to_schema('{"users": [], "ms_app.users": []}', target_schema => 'ms_out', source_schema => 'ms_app')$$);
SELECT expect_error($$SELECT table_name, rows_copied, columns_kept, columns_scrubbed FROM scrub_to_schema('{"ms_audit.users": []}', target_schema => 'ms_out', source_schema => 'ms_app')$$);
SELECT expect_error($$SELECT * FROM scrub_to_schema('{"events": []}', target_schema => 'ms_out', source_schema => 'ms_out__ms_audit')$$);
-- A hostile 63-byte schema name (quote, dot, spaces, SQL): as
-- source_schema its tables go into the target as ever; as a key's schema
-- its scratch schema's name would be too long.
SELECT rpad('h"; DROP SCHEMA ms_app; --. ', 63, 'x') AS hostile \gset
CREATE SCHEMA :"hostile";
CREATE TABLE :"hostile".t (id int, secret text);
INSERT INTO :"hostile".t VALUES (1, 'real');
SELECT table_name, rows_copied, columns_kept, columns_scrubbed
  FROM scrub_to_schema('{"t": ["id"], "ms_audit.items": ["sku", "price"]}', target_schema => 'ms_h',
                       source_schema => :'hostile')
 ORDER BY table_name COLLATE "C";
SELECT * FROM ms_h.t;
SELECT * FROM ms_h__ms_audit.items ORDER BY sku;
SELECT source_schema = :'hostile' AS hostile_recorded FROM ms_h._scrub_run;
SELECT count(*) FILTER (WHERE source_schema = :'hostile' AND scratch_schema = 'ms_h') AS in_target,
       count(*) FILTER (WHERE source_schema = 'ms_audit' AND scratch_schema = 'ms_h__ms_audit') AS in_scratch
  FROM ms_h._scrub_tables;
DROP SCHEMA ms_h, ms_h__ms_audit CASCADE;
SELECT expect_error(format($$SELECT * FROM scrub_to_schema(%L, target_schema => 'ms_out', source_schema => 'ms_app')$$,
                           jsonb_build_object(format('%I.t', :'hostile'), '[]'::jsonb)));
DROP SCHEMA :"hostile" CASCADE;
-- Nothing changed by the failures.
SELECT nspname FROM pg_namespace WHERE nspname LIKE 'ms\_out%' ORDER BY 1;

DROP SCHEMA ms_out, ms_out__ms_audit CASCADE;
DROP SCHEMA ms_app, ms_audit, "ms.we""ird s", ms_long_56_bytes_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx CASCADE;
