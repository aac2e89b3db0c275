-- Column rules in the allowlist's object form: what each rule writes, and
-- every rule refused before anything is copied.
CREATE SCHEMA rules;
CREATE TYPE rules.mood AS ENUM ('calm', 'cross');
CREATE DOMAIN rules.positive AS int CHECK (VALUE > 0);
CREATE TABLE rules.people (
    id int PRIMARY KEY,
    email text UNIQUE,
    nick varchar(20),
    country char(2) NOT NULL,
    score rules.positive,
    mood rules.mood,
    notes text,
    born date,
    settings jsonb,
    tags json,
    address inet
);
INSERT INTO rules.people VALUES
    (1, 'ann@corp.test', 'annie', 'DE', 7, 'calm', 'likes cats', '1980-02-03',
     '{"theme": "dark", "notifications": {"email": true, "sms": "+44 7700"}, "name": "Ann"}',
     '{"a": "x"}', '10.1.2.3'),
    (2, 'bob@corp.test', NULL, 'FR', 9, 'cross', NULL, NULL, NULL, NULL, NULL),
    (3, NULL, 'cy', 'DE', NULL, NULL, 'secret', '1990-12-31', '{"theme": "light"}', '[]', '10.9.9.9');

-- keep, fake, null, constant, sql, and the plain form beside the object form.
SELECT table_name, rows_copied, columns_kept, columns_scrubbed
  FROM scrub_to_schema('{
    "people": {"rows": "all", "columns": {
        "id": "keep",
        "email": {"rule": "fake", "why": "personal"},
        "nick": "null",
        "country": {"constant": "GB", "why": "one country is enough"},
        "score": {"constant": 5},
        "mood": {"constant": "calm"},
        "notes": {"sql": "upper(left(notes, 2)) || ''...''", "why": "a hint of the note"},
        "born": {"sql": "date_trunc(''year'', born)::date"}
    }}}', source_schema => 'rules');
SELECT id, email, nick, country, score, mood, notes, born, settings, tags, address
  FROM scrubbed.people ORDER BY id;
-- The manifest records each column's rule and reason (never a value).
SELECT t.table_name, r.key AS column_name, r.value AS rule, t.row_filter
  FROM scrubbed._scrub_tables t, jsonb_each(t.column_rules) r ORDER BY 1, 2;

-- An object without "columns" fakes every column; "rows": "none" copies none.
SELECT table_name, rows_copied, columns_kept, columns_scrubbed
  FROM scrub_to_schema('{"people": {}}', source_schema => 'rules');
SELECT id, country FROM scrubbed.people ORDER BY id;
SELECT table_name, rows_copied FROM scrub_to_schema('{"people": {"rows": "none"}}', source_schema => 'rules');
SELECT table_name, copied, column_rules FROM scrubbed._scrub_tables;

-- Malformed entries: 22023, naming the entry and the column.
\set VERBOSITY default
SELECT * FROM scrub_to_schema('{"people": {"cols": {}}}', source_schema => 'rules');
SELECT * FROM scrub_to_schema('{"people": {"rows": "some"}}', source_schema => 'rules');
SELECT * FROM scrub_to_schema('{"people": {"rows": {"where": 1}}}', source_schema => 'rules');
SELECT * FROM scrub_to_schema('{"people": {"columns": ["id"]}}', source_schema => 'rules');
SELECT * FROM scrub_to_schema('{"people": {"columns": {"id": "scramble"}}}', source_schema => 'rules');
SELECT * FROM scrub_to_schema('{"people": {"columns": {"id": "constant"}}}', source_schema => 'rules');
SELECT * FROM scrub_to_schema('{"people": {"columns": {"id": 7}}}', source_schema => 'rules');
SELECT * FROM scrub_to_schema('{"people": {"columns": {"id": {"why": "no rule"}}}}', source_schema => 'rules');
SELECT * FROM scrub_to_schema('{"people": {"columns": {"id": {"rule": "keep", "sql": "1"}}}}', source_schema => 'rules');
SELECT * FROM scrub_to_schema('{"people": {"columns": {"id": {"rule": "keep", "why": 3}}}}', source_schema => 'rules');
SELECT * FROM scrub_to_schema('{"people": {"columns": {"id": {"rule": "keep", "because": "x"}}}}', source_schema => 'rules');
SELECT * FROM scrub_to_schema('{"people": {"columns": {"settings": {"json": {"keep": "theme"}}}}}', source_schema => 'rules');
SELECT * FROM scrub_to_schema('{"people": {"columns": {"settings": {"json": {"keep": [1]}}}}}', source_schema => 'rules');
SELECT * FROM scrub_to_schema('{"people": {"columns": {"notes": {"sql": ""}}}}', source_schema => 'rules');
SELECT * FROM scrub_to_schema('{"people": {"columns": {"": "keep"}}}', source_schema => 'rules');
-- A column that does not exist: 42704, as in the plain form.
SELECT * FROM scrub_to_schema('{"people": {"columns": {"nope": "keep"}}}', source_schema => 'rules');

-- Plan-time refusals, each kind naming every entry at once.
-- Rules that cannot fill their column's type (42804).
SELECT * FROM scrub_to_schema('{"people": {"columns": {"id": "email", "born": "hash",
    "notes": {"json": {"keep": []}}, "settings": "phone", "mood": "ip", "score": "hash"}}}',
    source_schema => 'rules');
-- null (or a NULL constant) on a NOT NULL column (23502).
SELECT * FROM scrub_to_schema('{"people": {"columns": {"country": "null", "id": {"constant": null}}}}',
                              source_schema => 'rules');
-- A constant where a unique index needs distinct values (23505).
SELECT * FROM scrub_to_schema('{"people": {"columns": {"id": {"constant": 1}, "email": {"constant": "a@b.test"}}}}',
                              source_schema => 'rules');
-- A constant that does not cast to the column's type, or breaks its domain.
SELECT * FROM scrub_to_schema('{"people": {"columns": {"id": "keep", "born": {"constant": "yesterday-ish"}}}}',
                              source_schema => 'rules');
SELECT * FROM scrub_to_schema('{"people": {"columns": {"id": "keep", "score": {"constant": -1}}}}',
                              source_schema => 'rules');
SELECT * FROM scrub_to_schema('{"people": {"columns": {"id": "keep", "mood": {"constant": "happy"}}}}',
                              source_schema => 'rules');
-- sql expressions: PostgreSQL's error with the entry named; more than one
-- expression (closing the parentheses, a second statement, a comment
-- that would swallow the rest) is refused before anything is planned.
SELECT * FROM scrub_to_schema('{"people": {"columns": {"id": "keep", "notes": {"sql": "no_such_column"}}}}',
                              source_schema => 'rules');
SELECT * FROM scrub_to_schema('{"people": {"columns": {"id": "keep", "born": {"sql": "id"}}}}',
                              source_schema => 'rules');
SELECT * FROM scrub_to_schema('{"people": {"columns": {"id": "keep", "notes": {"sql": "count(*)"}}}}',
                              source_schema => 'rules');
SELECT * FROM scrub_to_schema('{"people": {"columns": {"id": "keep", "notes": {"sql": "1), (2"}}}}',
                              source_schema => 'rules');
SELECT * FROM scrub_to_schema('{"people": {"columns": {"id": "keep", "notes": {"sql": "''x''); DROP TABLE rules.people; SELECT (1"}}}}',
                              source_schema => 'rules');
SELECT * FROM scrub_to_schema('{"people": {"columns": {"id": "keep", "notes": {"sql": "notes) FROM rules.people --"}}}}',
                              source_schema => 'rules');
SELECT * FROM scrub_to_schema('{"people": {"columns": {"id": "keep", "notes": {"sql": "notes /*"}}}}',
                              source_schema => 'rules');
SELECT * FROM scrub_to_schema('{"people": {"columns": {"id": "keep", "notes": {"sql": "$1"}}}}',
                              source_schema => 'rules');
-- A comment at the end is harmless: the expression ends at the newline.
SELECT table_name, rows_copied FROM scrub_to_schema(
    '{"people": {"columns": {"id": "keep", "notes": {"sql": "''n/a'' -- hidden"}}}}',
    source_schema => 'rules');
SELECT id, notes FROM scrubbed.people ORDER BY id;
-- Every failure above left the database as it was.
SELECT count(*) AS people FROM rules.people;
SELECT count(*) AS build_schemas FROM pg_namespace WHERE nspname LIKE 'scrub_build%';

-- Realistic rules, json and hash: plausible values of the column's type
-- and length, from the row number only; NULL stays NULL.
CREATE TABLE rules.contacts (
    id int PRIMARY KEY,
    email varchar(40) UNIQUE,
    first text, last text, full_name text, login varchar(12),
    phone text, site text, addr inet, addr_text text, bio text,
    prefs jsonb, legacy json, token uuid, ref bigint
);
INSERT INTO rules.contacts VALUES
    (1, 'ann.real@corp.test', 'Ann', 'Real', 'Ann Real', 'annreal', '+49 30 1234567',
     'https://corp.test/ann', '10.1.2.3', '10.1.2.3', 'Loves long walks on the beach',
     '{"theme": "dark", "notifications": {"email": true, "sms": "+44 7700"}, "tags": ["a", "b"], "n": 42}',
     '{"k": "v", "list": [1, "x"]}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 17),
    (2, 'bob.real@corp.test', 'Bob', 'Real', 'Bob Real', 'bobreal', '+1 555 0100',
     'https://corp.test/bob', '10.9.9.9', '10.9.9.9', 'Short', NULL, NULL, NULL, -5),
    (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '[]', '{}', NULL, NULL);
\! umask 077 && printf '%s' 'rules-regress-key-0123456789' > tmp_check_regress/rules_1.key
SET scrub.key_file = '../rules_1.key';
SELECT table_name, rows_copied, columns_kept, columns_scrubbed
  FROM scrub_to_schema('{"contacts": {"columns": {
    "id": "keep", "email": "email", "first": "first_name", "last": "last_name",
    "full_name": "full_name", "login": "username", "phone": "phone", "site": "url",
    "addr": "ip", "addr_text": "ip", "bio": "text",
    "prefs": {"json": {"keep": ["theme", "notifications.email"]}},
    "legacy": {"json": {"keep": ["list"]}}, "token": "hash", "ref": "hash"}}}', source_schema => 'rules');
\x on
SELECT * FROM scrubbed.contacts ORDER BY id;
\x off
-- Nothing of the real values is left; lengths hold; hash keeps the sign.
SELECT c.id, s.email NOT LIKE '%real%' AND s.email LIKE '%@example.%' AS email_reserved,
       length(s.email) <= 40 AS email_fits, length(s.login) <= 12 AS login_fits,
       s.token <> c.token AS token_changed, sign(s.ref) = sign(c.ref) AS sign_kept,
       s.ref <> c.ref AS ref_changed
  FROM rules.contacts c JOIN scrubbed.contacts s USING (id) ORDER BY id;
-- The hash of a value is scrub_hash() of it: the same in every table and run.
SELECT bool_and(s.ref = public.scrub_hash(c.ref)) AND bool_and(s.token = public.scrub_hash(c.token)) AS same_as_scrub_hash
  FROM rules.contacts c JOIN scrubbed.contacts s USING (id) WHERE c.ref IS NOT NULL;

-- A realistic rule on a column too short for any of its values (22001).
CREATE TABLE rules.short (id int, mail varchar(4), who varchar(1));
SELECT * FROM scrub_to_schema('{"short": {"columns": {"mail": "email", "who": "full_name"}}}',
                              source_schema => 'rules');
-- A malformed json path is refused when the allowlist is read (22023).
SELECT * FROM scrub_to_schema('{"contacts": {"columns": {"prefs": {"json": {"keep": ["a..b"]}}}}}',
                              source_schema => 'rules');
-- A unique column with more rows than its realistic rule has values (23505).
CREATE TABLE rules.many (id int, code varchar(6) UNIQUE);
INSERT INTO rules.many SELECT g, 'c' || g FROM generate_series(1, 20000) g;
SELECT * FROM scrub_to_schema('{"many": {"columns": {"id": "keep", "code": "first_name"}}}',
                              source_schema => 'rules');
SELECT count(*) AS build_schemas FROM pg_namespace WHERE nspname LIKE 'scrub_build%';
RESET scrub.key_file;

-- Hostile names in the object form: every name is quoted, every value bound.
CREATE TABLE rules."we""ird; DROP TABLE rules.people; --" (
    "i""d" int PRIMARY KEY, "e-mail; --" text, "$1" text, "a.b" jsonb);
INSERT INTO rules."we""ird; DROP TABLE rules.people; --"
    VALUES (1, 'x@corp.test', 'secret', '{"a": {"b": "kept"}, "c": "gone"}'),
           (2, 'y@corp.test', 'secret', NULL);
\! umask 077 && printf '%s' 'rules-regress-key-0123456789' > tmp_check_regress/rules_2.key
SET scrub.key_file = '../rules_2.key';
SELECT table_name, rows_copied
  FROM scrub_to_schema('{"\"we\"\"ird; DROP TABLE rules.people; --\"": {
    "rows": {"where": "\"i\"\"d\" > 0 AND \"e-mail; --\" <> ''x''"},
    "columns": {"i\"d": "hash", "e-mail; --": {"rule": "email", "why": "it''s \"personal\"; --"},
                "$1": {"constant": "$1''); DROP TABLE rules.people; --"},
                "a.b": {"json": {"keep": ["a.b"]}}}}}', source_schema => 'rules');
SELECT "i""d" <> 1 AS id_hashed, "e-mail; --", "$1", "a.b"
  FROM scrubbed."we""ird; DROP TABLE rules.people; --" ORDER BY 1;
SELECT r.key AS column_name, r.value AS rule
  FROM scrubbed._scrub_tables t, jsonb_each(t.column_rules) r ORDER BY 1;
SELECT count(*) AS people FROM rules.people;
RESET scrub.key_file;
