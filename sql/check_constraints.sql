-- CHECK constraints that read scrubbed columns, and unique indexes whose
-- faked columns may repeat, are checked on the faked rows before the run
-- commits, so a copy that would not restore fails here, naming each
-- constraint, instead of in scrub-restore.
CREATE SCHEMA chk;
CREATE TABLE chk.people (
    id int PRIMARY KEY,
    email text CONSTRAINT email_has_at CHECK (email LIKE '%@%'),
    phone varchar(20) CONSTRAINT phone_long_enough CHECK (char_length(phone) >= 10),
    age int CONSTRAINT adult CHECK (age >= 18),
    nickname text CONSTRAINT nickname_short CHECK (char_length(nickname) < 40),
    CONSTRAINT contact_given CHECK (email IS NOT NULL OR phone IS NOT NULL));
INSERT INTO chk.people VALUES (1, 'a@example.com', '07700900001', 30, 'Al'),
                              (2, NULL, '07700900002', NULL, NULL);
CREATE TABLE chk.rooms (id int, floor int CHECK (floor BETWEEN 1 AND 99), PRIMARY KEY (id));
INSERT INTO chk.rooms VALUES (1, 3);

-- email, phone and age fakes break their constraints; nickname's and the
-- table-wide one hold; rooms' floor fake (1) holds.
SELECT * FROM scrub_to_schema('{"people": ["id"], "rooms": ["id"]}', source_schema => 'chk');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS schemas_created FROM pg_namespace WHERE nspname = 'scrubbed' OR nspname LIKE 'scrub_build%';

-- Keeping the columns those constraints read lets the run through.
SELECT table_name, rows_copied, columns_scrubbed
  FROM scrub_to_schema('{"people": ["id", "email", "phone", "age"], "rooms": ["id"]}',
                       source_schema => 'chk')
 ORDER BY 1;
SELECT id, email, phone, age, nickname FROM scrubbed.people ORDER BY id;

-- A constraint that calls another role's function is evaluated too, with
-- the rights of the table's owner (here the superuser, who trusts that
-- function as every INSERT into the table does); SECURITY DEFINER or not,
-- the fake breaks it.
CREATE ROLE scrub_chk_owner;
CREATE SCHEMA chk_fn AUTHORIZATION scrub_chk_owner;
SET ROLE scrub_chk_owner;
CREATE FUNCTION chk_fn.looks_faked(text) RETURNS bool LANGUAGE sql AS $$SELECT $1 LIKE 'body\_%'$$;
RESET ROLE;
CREATE TABLE chk.notes (id int, body text CONSTRAINT real_body CHECK (NOT chk_fn.looks_faked(body)));
INSERT INTO chk.notes VALUES (1, 'x');
SELECT table_name, rows_copied FROM scrub_to_schema('{"notes": ["id"]}', source_schema => 'chk');
ALTER FUNCTION chk_fn.looks_faked(text) SECURITY DEFINER;
SELECT table_name, rows_copied FROM scrub_to_schema('{"notes": ["id"]}', source_schema => 'chk');

-- Unique indexes: enum and boolean fakes repeat; numeric ones repeat
-- past their range; a unique fake (text, integer, ...) in the key, or a
-- kept column that differs, keeps the index satisfied.
CREATE TYPE chk.tier AS ENUM ('gold', 'silver');
CREATE TABLE chk.members (id int PRIMARY KEY, tier chk.tier UNIQUE, active boolean,
                          handle text, CONSTRAINT one_per_handle UNIQUE (active, handle));
INSERT INTO chk.members VALUES (1, 'gold', true, 'a'), (2, 'silver', true, 'b');
SELECT * FROM scrub_to_schema('{"members": ["id"]}', source_schema => 'chk');
\echo :LAST_ERROR_SQLSTATE
SELECT table_name, rows_copied FROM scrub_to_schema('{"members": ["id", "tier"]}', source_schema => 'chk');
-- Both kinds at once.
SELECT * FROM scrub_to_schema('{"members": ["id"], "people": ["id", "email", "phone"]}', source_schema => 'chk');
\echo :LAST_ERROR_SQLSTATE

SET client_min_messages = warning;
DROP SCHEMA scrubbed, chk, chk_fn CASCADE;
DROP ROLE scrub_chk_owner;
RESET client_min_messages;
