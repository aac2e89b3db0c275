-- Names that need quoting are copied under the same names: mixed case,
-- spaces, quotes, semicolons, non-ASCII and 63-byte identifiers.
CREATE SCHEMA "Odd Schema; ""quoted""";
SET search_path = "Odd Schema; ""quoted""", public;
CREATE TYPE "Mood ""Type""" AS ENUM ('it''s fine', 'semi;colon');
CREATE TABLE "Users Table" (
    "ID" int PRIMARY KEY,
    "e-mail; DROP TABLE x" text,
    "naïve café" varchar(20),
    "state" "Mood ""Type""",
    abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij123 text);
INSERT INTO "Users Table" VALUES (1, 'a@x', 'René', 'semi;colon', 'long'), (2, 'b@x', 'Zoë', 'it''s fine', NULL);
CREATE TABLE abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij123 (id int, v text);
INSERT INTO abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij123 VALUES (1, 'x');

SELECT table_name, rows_copied, columns_kept, columns_scrubbed
  FROM scrub_to_schema(
    '{"Users Table": ["ID", "state"],
      "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij123": ["id", "v"]}',
    'Scrubbed "Copy"', 'Odd Schema; "quoted"');
SELECT * FROM "Scrubbed ""Copy"""."Users Table" ORDER BY "ID";
SELECT * FROM "Scrubbed ""Copy""".abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij123;
SELECT table_name, kept_columns, scrubbed_columns FROM "Scrubbed ""Copy"""._scrub_tables ORDER BY 1;
-- Schema-qualified and quoted keys work too.
SELECT table_name, rows_copied
  FROM scrub_to_schema('{"\"Odd Schema; \"\"quoted\"\"\".\"Users Table\"": ["ID"]}',
                       'Scrubbed "Copy"', 'Odd Schema; "quoted"');

DROP SCHEMA "Scrubbed ""Copy""" CASCADE;
RESET search_path;
DROP SCHEMA "Odd Schema; ""quoted""" CASCADE;
