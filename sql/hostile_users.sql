-- Hostile users: somebody who can create functions and operators in a
-- schema on the caller's search_path (here the source schema itself, ahead
-- of pg_catalog) or in the caller's pg_temp cannot change what a run
-- computes, nor get code run with the caller's rights. Each hostile object
-- logs its call to a table and raises a warning; the run must call none of
-- them and must produce exactly what it produced before they existed.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS scrub;

CREATE ROLE regress_scrub_hu_caller;
CREATE ROLE regress_scrub_hu_hostile;

CREATE SCHEMA hu_src;
CREATE TYPE hu_src.mood AS ENUM ('calm', 'angry');
CREATE TABLE hu_src.people (
    id serial,
    name text,
    code varchar(10),
    n int,
    big bigint,
    amount numeric(6, 2),
    born date,
    seen timestamp,
    seen_tz timestamptz,
    token uuid,
    doc jsonb,
    blob bytea,
    addr inet,
    flag boolean,
    span interval,
    at time,
    mood hu_src.mood,
    tags text[]);
INSERT INTO hu_src.people (name, code, n, big, amount, born, seen, seen_tz, token, doc, blob,
                           addr, flag, span, at, mood, tags)
SELECT 'person ' || i, 'c' || i, i, i * 1000, i / 4.0, date '1990-01-01' + i,
       timestamp '2020-01-01' + i * interval '1 hour', timestamptz '2020-01-01 00:00+00' + i * interval '1 day',
       md5(i::text)::uuid, jsonb_build_object('i', i), int4send(i), inet '192.168.0.1' + i,
       i % 2 = 0, i * interval '1 minute', time '12:00' + i * interval '1 second',
       'angry', ARRAY['t' || i]
  FROM generate_series(1, 5) i;
CREATE TABLE hu_src.orders (id int, person_id int, note text);
INSERT INTO hu_src.orders VALUES (1, 1, 'first'), (2, 3, NULL);

-- The caller: a plain role with the minimal grants for a run.
GRANT USAGE ON SCHEMA hu_src TO regress_scrub_hu_caller;
GRANT SELECT ON ALL TABLES IN SCHEMA hu_src TO regress_scrub_hu_caller;
GRANT SELECT ON ALL SEQUENCES IN SCHEMA hu_src TO regress_scrub_hu_caller;
GRANT EXECUTE ON FUNCTION scrub_to_schema(jsonb, text, text, boolean, boolean) TO regress_scrub_hu_caller;
DO $$ BEGIN
    EXECUTE format('GRANT CREATE ON DATABASE %I TO regress_scrub_hu_caller', current_database());
END $$;
-- The hostile user may create objects in the source schema.
GRANT USAGE, CREATE ON SCHEMA hu_src TO regress_scrub_hu_hostile;

-- Where hostile calls are recorded; anybody may write to it.
CREATE TABLE hu_src.hu_log (called text, by_role text);
GRANT INSERT, SELECT ON hu_src.hu_log TO PUBLIC;
-- hu_log is not part of the application: keep it out of the copies.
\set allowlist '{"people": ["id", "name", "n", "born", "seen_tz", "doc", "addr", "span", "mood"], "orders": ["id", "person_id"]}'

-- A run before any hostile object exists: the reference result. The call
-- itself is schema-qualified, as any call from an untrusted search_path
-- must be; what is under test is what happens inside it.
SET ROLE regress_scrub_hu_caller;
SET search_path = hu_src, pg_catalog;
SELECT table_name, rows_copied, columns_kept, columns_scrubbed
  FROM public.scrub_to_schema(CAST(:'allowlist' AS pg_catalog.jsonb), 'hu_clean', 'hu_src') ORDER BY table_name COLLATE "C";
RESET ROLE;

-- The hostile user shadows, in hu_src, every function and operator the
-- run's SQL uses, with the exact argument types so that an unqualified
-- call on the caller's search_path would pick the hostile one.
SET ROLE regress_scrub_hu_hostile;
CREATE FUNCTION hu_src.hu_note(what text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO hu_src.hu_log VALUES (what, current_user);
    RAISE WARNING 'hostile % called by %', what, current_user;
END $$;
DO $$
DECLARE
    f record;
BEGIN
    FOR f IN SELECT * FROM (VALUES
        ('textcat', 'a text, b text', 'text', '''evil'''),
        ('"left"', 'a text, n int', 'text', '''evil'''),
        ('length', 'a text', 'int', '1'),
        ('md5', 'a text', 'text', '''evil'''),
        ('lower', 'a text', 'text', '''evil'''),
        ('upper', 'a text', 'text', '''evil'''),
        ('lpad', 'a text, n int, p text', 'text', '''0'''),
        ('to_hex', 'a bigint', 'text', '''0'''),
        ('int8send', 'a bigint', 'bytea', '''\x00'''),
        ('make_date', 'y int, m int, d int', 'date', 'date ''1900-01-01'''),
        ('make_time', 'h int, m int, s double precision', 'time', 'time ''00:00'''),
        ('make_timestamp', 'y int, mo int, d int, h int, mi int, s double precision',
         'timestamp', 'timestamp ''1900-01-01'''),
        ('make_timestamptz', 'y int, mo int, d int, h int, mi int, s double precision, tz text',
         'timestamptz', 'timestamptz ''1900-01-01 00:00+00'''),
        ('make_interval', 'secs double precision', 'interval', 'interval ''0'''),
        ('jsonb_build_object', 'k text, v bigint', 'jsonb', '''{}'''),
        ('json_build_object', 'k text, v bigint', 'json', '''{}'''),
        ('enum_first', 'e hu_src.mood', 'hu_src.mood', '''calm'''),
        ('row_number', '', 'bigint', '0'),
        ('hashtext', 'a text', 'int', '0'),
        ('pg_try_advisory_xact_lock', 'a int, b int', 'boolean', 'true'),
        ('pg_backend_pid', '', 'int', '0'),
        ('clock_timestamp', '', 'timestamptz', 'timestamptz ''1900-01-01 00:00+00'''),
        ('now', '', 'timestamptz', 'timestamptz ''1900-01-01 00:00+00'''),
        ('sha256', 'a bytea', 'bytea', '''\x00'''),
        ('encode', 'a bytea, f text', 'text', '''evil'''),
        ('convert_to', 'a text, e name', 'bytea', '''\x00'''),
        ('format_type', 'a oid, b int', 'text', '''evil'''),
        ('pg_partition_root', 'a regclass', 'regclass', '0'),
        ('quote_ident', 'a text', 'text', '''evil'''),
        ('eq_text', 'a text, b text', 'boolean', 'true'),
        ('eq_name_text', 'a name, b text', 'boolean', 'true'),
        ('eq_oid', 'a oid, b oid', 'boolean', 'true'),
        ('minus_int', 'a int, b int', 'int', '0'),
        ('mod_bigint', 'a bigint, b int', 'bigint', '0'),
        ('plus_date', 'a date, b int', 'date', 'date ''1900-01-01'''),
        ('plus_ts', 'a timestamp, b interval', 'timestamp', 'timestamp ''1900-01-01'''),
        ('plus_inet', 'a inet, b bigint', 'inet', 'inet ''0.0.0.0'''),
        ('concat_text', 'a text, b text', 'text', '''evil''')
    ) AS v(name, args, result, value) LOOP
        EXECUTE format(
            'CREATE FUNCTION hu_src.%s(%s) RETURNS %s LANGUAGE plpgsql AS %L',
            f.name, f.args, f.result,
            format('BEGIN PERFORM hu_src.hu_note(%L); RETURN %s; END', f.name, f.value));
    END LOOP;
END $$;
CREATE FUNCTION hu_src.count_step(state bigint) RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN PERFORM hu_src.hu_note('count(*)'); RETURN 0; END $$;
CREATE AGGREGATE hu_src.count(*) (SFUNC = hu_src.count_step, STYPE = bigint, INITCOND = '0');
CREATE OPERATOR hu_src.= (LEFTARG = text, RIGHTARG = text, FUNCTION = hu_src.eq_text);
CREATE OPERATOR hu_src.= (LEFTARG = name, RIGHTARG = text, FUNCTION = hu_src.eq_name_text);
CREATE OPERATOR hu_src.= (LEFTARG = oid, RIGHTARG = oid, FUNCTION = hu_src.eq_oid);
CREATE OPERATOR hu_src.- (LEFTARG = int, RIGHTARG = int, FUNCTION = hu_src.minus_int);
CREATE OPERATOR hu_src.% (LEFTARG = bigint, RIGHTARG = int, FUNCTION = hu_src.mod_bigint);
CREATE OPERATOR hu_src.+ (LEFTARG = date, RIGHTARG = int, FUNCTION = hu_src.plus_date);
CREATE OPERATOR hu_src.+ (LEFTARG = timestamp, RIGHTARG = interval, FUNCTION = hu_src.plus_ts);
CREATE OPERATOR hu_src.+ (LEFTARG = inet, RIGHTARG = bigint, FUNCTION = hu_src.plus_inet);
CREATE OPERATOR hu_src.|| (LEFTARG = text, RIGHTARG = text, FUNCTION = hu_src.concat_text);
RESET ROLE;

-- The trap works: unqualified SQL on the caller's search_path calls the
-- hostile objects, with the caller's rights.
SET ROLE regress_scrub_hu_caller;
SET search_path = hu_src, pg_catalog;
SELECT textcat('a', 'b') AS textcat, 'x' = 'y' AS equal, count(*) AS count FROM hu_src.orders;
SELECT called, by_role FROM hu_src.hu_log ORDER BY called COLLATE "C";
RESET ROLE;
TRUNCATE hu_src.hu_log;

-- The caller also holds hostile functions in its own pg_temp.
SET ROLE regress_scrub_hu_caller;
CREATE FUNCTION pg_temp.textcat(a text, b text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN PERFORM hu_src.hu_note('pg_temp.textcat'); RETURN 'evil'; END $$;
CREATE FUNCTION pg_temp."left"(a text, n int) RETURNS text LANGUAGE plpgsql AS $$
BEGIN PERFORM hu_src.hu_note('pg_temp.left'); RETURN 'evil'; END $$;
CREATE FUNCTION pg_temp.row_number() RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN PERFORM hu_src.hu_note('pg_temp.row_number'); RETURN 0; END $$;

-- The run with every hostile object in place, on the same search_path.
SET search_path = pg_temp, hu_src, pg_catalog;
SELECT table_name, rows_copied, columns_kept, columns_scrubbed
  FROM public.scrub_to_schema(CAST(:'allowlist' AS pg_catalog.jsonb), 'hu_dirty', 'hu_src') ORDER BY table_name COLLATE "C";
-- Replacing an existing target goes through the same paths again.
SELECT table_name, rows_copied
  FROM public.scrub_to_schema(CAST(:'allowlist' AS pg_catalog.jsonb), 'hu_dirty', 'hu_src') ORDER BY table_name COLLATE "C";
RESET search_path;
RESET ROLE;

-- No hostile object was called.
SELECT count(*) AS hostile_calls FROM hu_src.hu_log;

-- The result is the reference result: same tables, same rows, same manifest.
SELECT count(*) AS differing_people FROM (
    (TABLE hu_clean.people EXCEPT ALL TABLE hu_dirty.people)
    UNION ALL
    (TABLE hu_dirty.people EXCEPT ALL TABLE hu_clean.people)) d;
SELECT count(*) AS differing_orders FROM (
    (TABLE hu_clean.orders EXCEPT ALL TABLE hu_dirty.orders)
    UNION ALL
    (TABLE hu_dirty.orders EXCEPT ALL TABLE hu_clean.orders)) d;
SELECT count(*) AS differing_manifest_rows FROM (
    (SELECT table_name, copied, source_rows, copied_rows, kept_columns, scrubbed_columns
       FROM hu_clean._scrub_tables
     EXCEPT ALL
     SELECT table_name, copied, source_rows, copied_rows, kept_columns, scrubbed_columns
       FROM hu_dirty._scrub_tables)
    UNION ALL
    (SELECT table_name, copied, source_rows, copied_rows, kept_columns, scrubbed_columns
       FROM hu_dirty._scrub_tables
     EXCEPT ALL
     SELECT table_name, copied, source_rows, copied_rows, kept_columns, scrubbed_columns
       FROM hu_clean._scrub_tables)) d;
SELECT (SELECT allowlist_sha256 FROM hu_clean._scrub_run)
     = (SELECT allowlist_sha256 FROM hu_dirty._scrub_run) AS same_allowlist_hash,
       (SELECT backend_pid FROM hu_dirty._scrub_run) = pg_backend_pid() AS real_backend_pid,
       (SELECT finished_at FROM hu_dirty._scrub_run) > '2000-01-01' AS real_clock;
SELECT * FROM hu_clean._scrub_sequences ORDER BY sequence_name;
SELECT * FROM hu_dirty._scrub_sequences ORDER BY sequence_name;
-- The fakes themselves, as computed (first rows).
SELECT id, name, code, big, amount, seen, token, blob, flag, at, tags
  FROM hu_dirty.people ORDER BY id LIMIT 2;

DROP SCHEMA hu_clean CASCADE;
DROP SCHEMA hu_dirty CASCADE;
DROP SCHEMA hu_src CASCADE;
DO $$ BEGIN
    EXECUTE format('REVOKE CREATE ON DATABASE %I FROM regress_scrub_hu_caller', current_database());
END $$;
REVOKE EXECUTE ON FUNCTION scrub_to_schema(jsonb, text, text, boolean, boolean) FROM regress_scrub_hu_caller;
DROP OWNED BY regress_scrub_hu_caller, regress_scrub_hu_hostile;
DROP ROLE regress_scrub_hu_caller;
DROP ROLE regress_scrub_hu_hostile;
