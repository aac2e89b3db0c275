-- A run either builds rows that restore, or fails before anything is
-- written, naming the object and the fix.
\set SHOW_CONTEXT never
CREATE SCHEMA rs;
CREATE SCHEMA rs_other;

-- Partition keys, at any level, plain or in an expression: fakes would
-- not fit the partitions.
CREATE TABLE rs.events (id int, region text, at date, note text) PARTITION BY LIST (region);
CREATE TABLE rs.events_eu PARTITION OF rs.events FOR VALUES IN ('eu')
    PARTITION BY RANGE (at);
CREATE TABLE rs.events_eu_2024 PARTITION OF rs.events_eu
    FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE rs_other.events_us PARTITION OF rs.events FOR VALUES IN ('us')
    PARTITION BY HASH (lower(note));
CREATE TABLE rs_other.events_us_0 PARTITION OF rs_other.events_us
    FOR VALUES WITH (MODULUS 1, REMAINDER 0);
INSERT INTO rs.events VALUES (1, 'eu', '2024-05-03', 'a'), (2, 'us', '2024-05-04', 'b');
SELECT * FROM scrub_to_schema('{"events": ["id"]}', 'rs_out', 'rs');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM scrub_to_schema('{"events": ["id", "region", "at"]}', 'rs_out', 'rs');
\echo :LAST_ERROR_SQLSTATE
-- Kept keys copy every partition's rows, those in another schema too.
SELECT table_name, rows_copied
  FROM scrub_to_schema('{"events": ["id", "region", "at", "note"]}', 'rs_out', 'rs');
-- A partition is named with its root's own schema.
SELECT * FROM scrub_to_schema('{"events_us_0": ["id"]}', 'rs_out', 'rs_other');
\echo :LAST_ERROR_SQLSTATE
DROP TABLE rs.events;

-- Exclusion constraints over scrubbed columns: fakes may overlap.
CREATE TABLE rs.bookings (
    id int, room int, starts int,
    CONSTRAINT one_code EXCLUDE USING btree (room WITH =),
    CONSTRAINT no_overlap EXCLUDE USING gist (box(point(starts, 0), point(starts + 1, 0)) WITH &&));
INSERT INTO rs.bookings VALUES (1, 10, 0), (2, 20, 5);
SELECT * FROM scrub_to_schema('{"bookings": ["id"]}', 'rs_out', 'rs');
\echo :LAST_ERROR_SQLSTATE
SELECT table_name, rows_copied
  FROM scrub_to_schema('{"bookings": ["id", "room", "starts"]}', 'rs_out', 'rs');
DROP TABLE rs.bookings;

-- Relations that are not tables say what they are.
CREATE TABLE rs.people (id int, email text, flag char(1) UNIQUE, code varchar(2) UNIQUE);
CREATE VIEW rs.people_view AS SELECT id FROM rs.people;
CREATE MATERIALIZED VIEW rs.people_stats AS SELECT count(*) FROM rs.people;
CREATE FOREIGN DATA WRAPPER rs_dummy;
CREATE SERVER rs_remote FOREIGN DATA WRAPPER rs_dummy;
CREATE FOREIGN TABLE rs.people_remote (id int) SERVER rs_remote;
SELECT * FROM scrub_to_schema(
    '{"people_view": ["id"], "people_stats": [], "people_remote": ["id"], "ghost": []}',
    'rs_out', 'rs');
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM scrub_to_schema('{"people_view": ["id"], "people_stats": [], "people_remote": ["id"]}',
                              'rs_out', 'rs');
\echo :LAST_ERROR_SQLSTATE

-- Unique fakes that cannot number every row: char(1) holds rows 1 to 9
-- only. (Without a unique index they would wrap: fake_fit.)
INSERT INTO rs.people SELECT g, 'p' || g || '@example.com', chr(64 + g), to_hex(g)
  FROM generate_series(1, 12) g;
SELECT * FROM scrub_to_schema('{"people": ["id", "email"]}', 'rs_out', 'rs');
\echo :LAST_ERROR_SQLSTATE
-- varchar(2) holds 99 rows: enough here.
SELECT table_name, rows_copied
  FROM scrub_to_schema('{"people": ["id", "email", "flag"]}', 'rs_out', 'rs');
CREATE TEMP TABLE rs_previous AS SELECT finished_at FROM rs_out._scrub_run;
INSERT INTO rs.people SELECT g, 'p' || g || '@example.com', chr(64 + g), to_hex(g)
  FROM generate_series(13, 100) g;
SELECT * FROM scrub_to_schema('{"people": ["id", "email", "flag"]}', 'rs_out', 'rs');
\echo :LAST_ERROR_SQLSTATE
SELECT r.finished_at = p.finished_at AS previous_run_intact
  FROM rs_out._scrub_run r, rs_previous p;
SELECT table_name, rows_copied
  FROM scrub_to_schema('{"people": ["id", "email", "flag", "code"]}', 'rs_out', 'rs');
DROP TABLE rs.people CASCADE;

-- A foreign partition's rows live on its server: never read (this
-- server's wrapper has no handler, so reading it would fail), never copied.
CREATE TABLE rs.orders (id int, region text) PARTITION BY LIST (region);
CREATE TABLE rs.orders_local PARTITION OF rs.orders FOR VALUES IN ('local');
CREATE FOREIGN TABLE rs.orders_remote PARTITION OF rs.orders FOR VALUES IN ('remote')
    SERVER rs_remote;
INSERT INTO rs.orders_local VALUES (1, 'local'), (2, 'local');
SELECT table_name, rows_copied FROM scrub_to_schema('{"orders": ["id", "region"]}', 'rs_out', 'rs');
SELECT * FROM rs_out.orders ORDER BY id;
DROP TABLE rs.orders;

-- A CHECK reading a generated column is verified with the column
-- computed from the fakes, and fails naming the constraint.
CREATE TABLE rs.accounts (
    id int, email text,
    domain text GENERATED ALWAYS AS (split_part(email, '@', 2)) STORED,
    CONSTRAINT has_domain CHECK (domain <> ''),
    CONSTRAINT short_domain CHECK (length(domain) < 40));
INSERT INTO rs.accounts (id, email) VALUES (1, 'a@example.com');
SELECT * FROM scrub_to_schema('{"accounts": ["id"]}', 'rs_out', 'rs');
\echo :LAST_ERROR_SQLSTATE
SELECT table_name, rows_copied FROM scrub_to_schema('{"accounts": ["id", "email"]}', 'rs_out', 'rs');
ALTER TABLE rs.accounts DROP CONSTRAINT has_domain;
SELECT table_name, rows_copied FROM scrub_to_schema('{"accounts": ["id"]}', 'rs_out', 'rs');
DROP TABLE rs.accounts;

-- Unique indexes compare as the index does: under a nondeterministic
-- collation 'A' and 'a' are one value, whatever their bytes.
CREATE COLLATION rs.ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE TABLE rs.codes (id int, code text COLLATE rs.ci, label text, active bool,
                       UNIQUE (code, active));
CREATE UNIQUE INDEX codes_label ON rs.codes (label COLLATE rs.ci, active);
INSERT INTO rs.codes VALUES (1, 'A', 'x', true), (2, 'a', 'y', false);
SELECT * FROM scrub_to_schema('{"codes": ["id", "code", "label"]}', 'rs_out', 'rs');
\echo :LAST_ERROR_SQLSTATE
UPDATE rs.codes SET code = 'b' WHERE id = 2;
SELECT table_name, rows_copied
  FROM scrub_to_schema('{"codes": ["id", "code", "label"]}', 'rs_out', 'rs');
UPDATE rs.codes SET label = 'X' WHERE id = 2;
SELECT * FROM scrub_to_schema('{"codes": ["id", "code", "label"]}', 'rs_out', 'rs');
\echo :LAST_ERROR_SQLSTATE
DROP TABLE rs.codes;

-- A wide table whose real values are shorter than prefixed fakes: its
-- text fakes are the row number alone, so the faked rows fit.
DO $$BEGIN
    EXECUTE (SELECT format('CREATE TABLE rs.wide (id int, %s)',
                           string_agg(format('column_number_%s text', g), ', '))
               FROM generate_series(1, 600) g);
    EXECUTE (SELECT format('INSERT INTO rs.wide VALUES (1, %s), (2, %s)',
                           string_agg(quote_literal('x'), ', '), string_agg('NULL', ', '))
               FROM generate_series(1, 600) g);
END$$;
SELECT table_name, rows_copied FROM scrub_to_schema('{"wide": ["id"]}', 'rs_out', 'rs');
SELECT id, column_number_1, column_number_600 FROM rs_out.wide ORDER BY id;
DROP TABLE rs.wide;

-- None of the failures above left anything behind.
SELECT count(*) AS build_schemas_left FROM pg_namespace WHERE nspname LIKE 'scrub_build_%';

-- Every sequence a copied table's default draws from is recorded with
-- its schema, wherever it lives.
CREATE SEQUENCE rs_other.ticket_seq;
SELECT setval('rs_other.ticket_seq', 41);
CREATE TABLE rs.tickets (id bigint DEFAULT nextval('rs_other.ticket_seq'), subject text);
SELECT table_name, rows_copied FROM scrub_to_schema('{"tickets": ["id"]}', 'rs_out', 'rs');
SELECT sequence_schema, sequence_name, last_value, is_called
  FROM rs_out._scrub_sequences ORDER BY 1, 2;

-- The source signature recorded per copied table changes with anything
-- that decides whether its rows restore.
SELECT source_signature = scrub_table_signature('rs.tickets') AS signature_matches
  FROM rs_out._scrub_tables WHERE table_name = 'tickets';
ALTER TABLE rs.tickets ALTER COLUMN subject SET NOT NULL;
SELECT source_signature = scrub_table_signature('rs.tickets') AS signature_matches
  FROM rs_out._scrub_tables WHERE table_name = 'tickets';
SELECT scrub_table_signature('rs.tickets');
SELECT scrub_table_signature(NULL) IS NULL AS null_for_null;

DROP SCHEMA rs, rs_other, rs_out CASCADE;
DROP SERVER rs_remote;
DROP FOREIGN DATA WRAPPER rs_dummy;
