-- scrub_suggest: a starter allowlist deciding every column; and the leak
-- check: scrubbed values equal to source values, counted per column in
-- _scrub_tables.leaked, and with leak_check => true a failed run.
CREATE SCHEMA sl;
CREATE TYPE sl.mood AS ENUM ('calm', 'cross');
CREATE TABLE sl.people (
    id int PRIMARY KEY,
    email text NOT NULL UNIQUE,
    "Mobile Phone" varchar(20),
    "FirstName" text,
    "e""mail.addr" varchar(200),
    "full_name;--" text,
    password_hash text,
    api_token text NOT NULL,
    notes text,
    date_of_birth date,
    created_at timestamptz NOT NULL,
    is_active boolean NOT NULL,
    status text,
    mood sl.mood,
    tiny_email varchar(3),
    last_ip inet,
    settings jsonb,
    misc text
);
CREATE TABLE sl."odd.table ""x""" (
    id bigint PRIMARY KEY,
    person_id int REFERENCES sl.people (id),
    amount numeric(10, 2),
    body text,
    avatar bytea
);
INSERT INTO sl.people VALUES
    (1, 'ann@corp.test', '+49 30 1234567', 'Ann', 'ann@home.test', 'Ann Real', 'x1', 't1',
     'likes cats', '1980-02-03', '2024-01-01', true, 'active', 'calm', 'a@b', '10.1.2.3',
     '{"theme": "dark"}', 'm1'),
    (2, 'bob@corp.test', NULL, 'Bob', NULL, 'Bob Real', NULL, 't2', NULL, NULL,
     '2024-01-02', false, 'gone', 'cross', NULL, NULL, NULL, NULL);
INSERT INTO sl."odd.table ""x""" VALUES (10, 1, 9.50, 'hello', '\x0102'), (11, 2, 1.25, NULL, NULL);

-- The suggestion: every column of every table, each with a rule and a why.
SELECT t.key AS table_key, c.key AS column_name, c.value->>'rule' AS rule
  FROM jsonb_each(scrub_suggest('sl')) AS t (key, value),
       jsonb_each(t.value->'columns') AS c
 ORDER BY 1, 2;
SELECT count(*) AS columns_without_why
  FROM jsonb_each(scrub_suggest('sl')) AS t,
       jsonb_each(t.value->'columns') AS c
 WHERE coalesce(c.value->>'why', '') = '';
SELECT scrub_suggest('sl')->'people'->'columns'->'api_token' AS not_null_secret;

-- It runs as it stands, in strict mode (every table and column decided),
-- leak check on; nothing leaked.
SELECT table_name, rows_copied, columns_kept, columns_scrubbed
  FROM scrub_to_schema(scrub_suggest('sl'), 'sl_scrubbed', 'sl', strict => true,
                       leak_check => true)
 ORDER BY table_name;
SELECT table_name, leaked FROM sl_scrubbed._scrub_tables ORDER BY table_name;
SELECT email, "FirstName", password_hash, api_token <> 't1' AS token_replaced
  FROM sl_scrubbed.people ORDER BY id;

-- A planted leak: an sql rule that copies the value. Without leak_check
-- the run succeeds and records the count...
SELECT table_name, rows_copied
  FROM scrub_to_schema('{"people": {"columns": {"id": "keep", "email": {"sql": "email"},
                          "misc": {"sql": "upper(misc)"}, "notes": {"sql": "notes || ''''"}}}}',
                       'sl_scrubbed', 'sl');
SELECT leaked FROM sl_scrubbed._scrub_tables WHERE table_name = 'people';
-- ...with it the run fails naming the columns, and the schema stays as it was.
SELECT table_name, rows_copied
  FROM scrub_to_schema('{"people": {"columns": {"id": "keep", "email": {"sql": "email"},
                          "notes": {"sql": "notes || ''''"}}}, "\"odd.table \"\"x\"\"\"": []}',
                       'sl_scrubbed', 'sl', leak_check => true);
SELECT table_name, leaked FROM sl_scrubbed._scrub_tables ORDER BY table_name;

-- A realistic rule on a column whose values are already such fakes: the
-- fake for row 1 is the value some source row holds.
UPDATE sl.people SET "e""mail.addr" = scrub_fake_text('email', 1, 200) WHERE id = 2;
SELECT table_name, rows_copied
  FROM scrub_to_schema('{"people": {"columns": {"id": "keep", "e\"mail.addr": "email"}}}',
                       'sl_scrubbed', 'sl', leak_check => true);
-- A constant is no leak, nor is null; keep is not scrubbed.
SELECT table_name, rows_copied
  FROM scrub_to_schema('{"people": {"columns": {"id": "keep", "status": {"constant": "active"},
                          "misc": "null", "notes": "keep"}}}',
                       'sl_scrubbed', 'sl', leak_check => true);
SELECT leaked FROM sl_scrubbed._scrub_tables WHERE table_name = 'people';

-- Errors.
SELECT scrub_suggest('no_such_schema');
SELECT scrub_suggest(NULL);
SELECT * FROM scrub_to_schema('{}', 'sl_scrubbed', 'sl', leak_check => NULL);

-- Northwind: the suggestion runs as it stands, and leaks nothing.
CREATE SCHEMA northwind;
SET search_path = northwind;
\set ECHO none
\i test/fixtures/northwind.sql
\set ECHO all
RESET client_min_messages;
RESET search_path;
SELECT t.key AS table_key, c.key AS column_name, c.value->>'rule' AS rule
  FROM jsonb_each(public.scrub_suggest('northwind')) AS t,
       jsonb_each(t.value->'columns') AS c
 WHERE c.value->>'rule' <> 'keep'
 ORDER BY 1, 2;
SELECT count(*) AS tables, sum(rows_copied) AS rows
  FROM scrub_to_schema(scrub_suggest('northwind'), 'northwind_scrubbed', 'northwind',
                       strict => true, leak_check => true);
SELECT count(*) AS leaking_columns
  FROM northwind_scrubbed._scrub_tables AS t, jsonb_each(t.leaked) AS l
 WHERE CAST(l.value AS int) > 0;

DROP SCHEMA northwind_scrubbed, northwind, sl_scrubbed, sl CASCADE;
