-- Expressions a restore evaluates over the copied rows are evaluated on the
-- faked rows first, as each table's owner: unique indexes with a
-- predicate or key expressions, the expressions and predicates of other
-- indexes, generated columns (and their NOT NULL). A copy that would not
-- restore fails here, naming the object, and the source is left as it was.
CREATE SCHEMA vr;
CREATE TYPE vr.sub_state AS ENUM ('active', 'cancelled');
CREATE TABLE vr.subscriptions (id int PRIMARY KEY, customer_id int NOT NULL,
                               state vr.sub_state NOT NULL);
CREATE UNIQUE INDEX one_active_per_customer ON vr.subscriptions (customer_id)
    WHERE state = 'active';
INSERT INTO vr.subscriptions VALUES (1, 10, 'cancelled'), (2, 10, 'active');
CREATE FUNCTION pg_temp.source_state() RETURNS text LANGUAGE sql AS $$
  SELECT string_agg(format('%s=%s', c.relname, c.relfilenode), ',' ORDER BY c.relname)
         || ' / ' || (SELECT count(*) FROM pg_namespace
                       WHERE nspname = 'scrubbed' OR nspname LIKE 'scrub_build%')
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname = 'vr' AND c.relname ~ '^(subscriptions|one_active)'
$$;
SELECT pg_temp.source_state() AS before \gset

-- The predicate reads the scrubbed state: both fakes are 'active'.
SELECT * FROM scrub_to_schema('{"subscriptions": ["id", "customer_id"]}', source_schema => 'vr');
\echo :LAST_ERROR_SQLSTATE
-- Kept, the predicate selects one row per customer, as in the source.
SELECT table_name, rows_copied
  FROM scrub_to_schema('{"subscriptions": ["id", "customer_id", "state"]}', source_schema => 'vr');

-- Key expressions: fakes that differ may still make equal keys (the
-- prefixes of faked codes); lower() of distinct faked emails stays distinct.
CREATE TABLE vr.accounts (id int PRIMARY KEY, email text, code text);
CREATE UNIQUE INDEX accounts_email_ci ON vr.accounts (lower(email));
CREATE UNIQUE INDEX accounts_code_prefix ON vr.accounts (left(code, 2)) WHERE code IS NOT NULL;
INSERT INTO vr.accounts VALUES (1, 'a@example.com', 'AB1'), (2, 'b@example.com', 'CD2');
SELECT * FROM scrub_to_schema('{"accounts": ["id", "email"]}', source_schema => 'vr');
\echo :LAST_ERROR_SQLSTATE
SELECT table_name, rows_copied
  FROM scrub_to_schema('{"accounts": ["id", "code"]}', source_schema => 'vr');
SELECT count(DISTINCT lower(email)) AS distinct_keys FROM scrubbed.accounts;
DROP TABLE vr.accounts;

-- A generated column whose expression fails on the fakes.
CREATE TABLE vr.addresses (id int PRIMARY KEY, street text, zip text NOT NULL,
                           zip_prefix int GENERATED ALWAYS AS (left(zip, 2)::int) STORED);
INSERT INTO vr.addresses (id, street, zip) VALUES (1, 'Main St 1', '10115'), (2, 'Elm St 2', '80331');
SELECT * FROM scrub_to_schema('{"addresses": ["id"]}', source_schema => 'vr');
\echo :LAST_ERROR_SQLSTATE
SELECT table_name, rows_copied
  FROM scrub_to_schema('{"addresses": ["id", "zip"]}', source_schema => 'vr');
DROP TABLE vr.addresses;

-- A NOT NULL generated column that comes out NULL on the fakes.
CREATE TABLE vr.people (id int PRIMARY KEY, name text,
                        kind int NOT NULL GENERATED ALWAYS AS
                            (CASE WHEN name LIKE 'real %' THEN 1 END) STORED);
INSERT INTO vr.people (id, name) VALUES (1, 'real Ann'), (2, 'real Bob');
SELECT * FROM scrub_to_schema('{"people": ["id"]}', source_schema => 'vr');
\echo :LAST_ERROR_SQLSTATE
DROP TABLE vr.people;

-- Indexes that are not unique: CREATE INDEX evaluates their expressions
-- and predicates on every row.
CREATE TABLE vr.events (id int PRIMARY KEY, payload text, code text);
CREATE INDEX events_payload ON vr.events ((payload::jsonb));
INSERT INTO vr.events VALUES (1, '{"a": 1}', '12x'), (2, '[2]', '34y');
SELECT * FROM scrub_to_schema('{"events": ["id", "code"]}', source_schema => 'vr');
\echo :LAST_ERROR_SQLSTATE
DROP INDEX vr.events_payload;
CREATE INDEX events_code ON vr.events (id) WHERE left(code, 2)::int > 0;
SELECT * FROM scrub_to_schema('{"events": ["id", "payload"]}', source_schema => 'vr');
\echo :LAST_ERROR_SQLSTATE
-- An expression index over a generated column, computed from a scrubbed one.
DROP INDEX vr.events_code;
ALTER TABLE vr.events ADD COLUMN doc text GENERATED ALWAYS AS (payload) STORED;
CREATE INDEX events_doc ON vr.events ((doc::json ->> 'a'));
SELECT * FROM scrub_to_schema('{"events": ["id", "code"]}', source_schema => 'vr');
\echo :LAST_ERROR_SQLSTATE
-- Kept, the expressions evaluate as they did in the source.
SELECT table_name, rows_copied
  FROM scrub_to_schema('{"events": ["id", "payload"]}', source_schema => 'vr');
DROP TABLE vr.events;

-- A partition's own index (not on its partitioned table) is evaluated on
-- the rows of that partition: those its partition constraint selects.
CREATE TABLE vr.orders (id int, region text, payload text, state vr.sub_state)
    PARTITION BY LIST (region);
CREATE TABLE vr.orders_eu PARTITION OF vr.orders FOR VALUES IN ('eu');
CREATE TABLE vr.orders_us PARTITION OF vr.orders FOR VALUES IN ('us');
CREATE INDEX orders_eu_payload ON vr.orders_eu ((payload::jsonb));
CREATE UNIQUE INDEX orders_us_state ON vr.orders_us (state);
INSERT INTO vr.orders VALUES (1, 'eu', '{}', 'active'), (2, 'us', 'x', 'cancelled');
SELECT * FROM scrub_to_schema('{"orders": ["id", "region", "state"]}', source_schema => 'vr');
\echo :LAST_ERROR_SQLSTATE
-- With the state scrubbed, both fakes are alike, but the us partition holds
-- one row only.
SELECT table_name, rows_copied
  FROM scrub_to_schema('{"orders": ["id", "region", "payload"]}', source_schema => 'vr');
-- A partition's own CHECK, likewise: eu_payload holds for the eu row's
-- fake (payload_1), us_payload fails for the us row's (payload_2).
DROP INDEX vr.orders_eu_payload;
ALTER TABLE vr.orders_us ADD CONSTRAINT us_payload CHECK (payload <> 'payload_2');
ALTER TABLE vr.orders_eu ADD CONSTRAINT eu_payload CHECK (payload <> 'payload_2');
SELECT * FROM scrub_to_schema('{"orders": ["id", "region", "state"]}', source_schema => 'vr');
\echo :LAST_ERROR_SQLSTATE
ALTER TABLE vr.orders_us DROP CONSTRAINT us_payload;
SELECT table_name, rows_copied
  FROM scrub_to_schema('{"orders": ["id", "region", "state"]}', source_schema => 'vr');
-- A partition another role owns would have its index evaluated with the
-- table owner's rights: the run refuses the table instead.
CREATE INDEX orders_eu_payload ON vr.orders_eu ((payload::jsonb));
CREATE ROLE scrub_vr_other;
ALTER TABLE vr.orders_eu OWNER TO scrub_vr_other;
SELECT table_name, rows_copied
  FROM scrub_to_schema('{"orders": ["id", "region", "state"]}', source_schema => 'vr');
DROP TABLE vr.orders;
DROP ROLE scrub_vr_other;

-- A domain's CHECK on a scrubbed column fails in the copy itself: the
-- scratch column has the domain type.
CREATE DOMAIN vr.digits AS text CHECK (VALUE ~ '^[0-9]+$');
CREATE TABLE vr.phones (id int PRIMARY KEY, number vr.digits);
INSERT INTO vr.phones VALUES (1, '0123');
\set SHOW_CONTEXT never
SELECT * FROM scrub_to_schema('{"phones": ["id"]}', source_schema => 'vr');
\echo :LAST_ERROR_SQLSTATE
\set SHOW_CONTEXT errors
DROP TABLE vr.phones;

-- The source is as it was, and no run left a schema behind but the one
-- that succeeded.
DROP SCHEMA scrubbed CASCADE;
SELECT pg_temp.source_state() = :'before' AS source_unchanged;
SELECT * FROM vr.subscriptions ORDER BY id;

SET client_min_messages = warning;
DROP SCHEMA vr CASCADE;
RESET client_min_messages;
