-- Findings of a hostile review of fakes, constants and the json rule.
CREATE SCHEMA review;
SET search_path = review, public;

-- Default text fakes are distinct by construction: the whole prefix
-- (column name and "_") or none, never a shortened one. A shortened
-- prefix joined a digit at the end of the column name onto the row
-- number: in char(6), line2 gave "line2" + "1" at row 1 and "line" + "21"
-- at row 21.
CREATE TABLE t5 (id int PRIMARY KEY, line2 char(6) UNIQUE, a1 varchar(4) UNIQUE,
                 b22 varchar(7) UNIQUE, "ça" char(3) UNIQUE, "é9" varchar(6) UNIQUE);
INSERT INTO t5 SELECT i, 'l' || i, i, i, i, i FROM generate_series(1, 999) i;
SELECT rows_copied FROM scrub_to_schema('{"t5": ["id"]}', 'review_scrubbed', 'review');
SELECT count(*) AS rows, count(DISTINCT line2) AS line2, count(DISTINCT a1) AS a1,
       count(DISTINCT b22) AS b22, count(DISTINCT "ça") AS "ça", count(DISTINCT "é9") AS "é9"
  FROM review_scrubbed.t5;
SELECT id, line2, a1, b22, "ça", "é9" FROM review_scrubbed.t5
 WHERE id IN (1, 9, 10, 11, 21, 99, 100, 111, 999) ORDER BY id;

-- The json rule reads numbers without converting them: valid jsonb whose
-- numbers no double holds passes, kept or not, kept ones verbatim.
SELECT scrub_json_keep('{"big": 1e400, "x": "s"}'::jsonb, '{x}', 1) AS not_kept,
       scrub_json_keep('{"big": 1e309, "small": -1e-400}'::jsonb, '{big,small}', 1) AS kept;
-- A json column keeps its text: key order, duplicate keys, the spelling of
-- numbers and escapes such as \u0000 that jsonb refuses.
CREATE TABLE docs (id int PRIMARY KEY, j json, jb jsonb);
INSERT INTO docs VALUES
    (1, '{"b": 1E+2, "a": "secret", "b": "\u0000x", "n": 1.10}', '{"b": 1E+2, "n": 1.10}');
SELECT rows_copied FROM scrub_to_schema(
    '{"docs": {"columns": {"id": "keep", "j": {"json": {"keep": ["b", "n"]}},
                           "jb": {"json": {"keep": ["n"]}}}}}', 'review_docs', 'review');
SELECT j, jb FROM review_docs.docs;
SELECT scrub_json_keep_json('{"k": 1.0, "k": [1e400]}', '{k}', 1) AS json_text;

-- A faked boolean read by a unique index's predicate takes one value: the
-- soft-delete pattern fails, and the detail says to keep the flag.
CREATE TABLE accounts (id int PRIMARY KEY, login text, deleted boolean);
CREATE UNIQUE INDEX live_login ON accounts (login) WHERE NOT deleted;
INSERT INTO accounts VALUES (1, 'ann', true), (2, 'ann', false);
SELECT rows_copied FROM scrub_to_schema('{"accounts": ["id", "login"]}', 'review_acc', 'review');
SELECT rows_copied FROM scrub_to_schema('{"accounts": ["id", "login", "deleted"]}', 'review_acc', 'review');
