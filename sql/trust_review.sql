-- Findings of a hostile-user review. Each part tests the class behind one
-- finding with variants of its own.
SET client_min_messages = warning;

-- The hash key, in a file only the server's OS user can read (psql runs
-- as that user beside the temporary instance; a relative key file path
-- is relative to the data directory).
\! umask 077 && printf 'trust-review-key-0123456789abcdef\n' > tmp_check_regress/trust_review.key
SET scrub.key_file = '../trust_review.key';

-- 1. scrub_hash is no oracle for code that runs during a run. The owner of
-- a copied table gets her function run by the copy (a domain CHECK, a
-- cast in a CHECK) and tries to hash guesses of her choosing, with no
-- token, a NULL token and a guessed token. Every attempt must be denied,
-- whether or not the run itself hashes a column.
CREATE ROLE tr_spy;
CREATE SCHEMA tr;
GRANT USAGE, CREATE ON SCHEMA tr TO tr_spy;  -- not its owner, who could rename it mid-run (schema_owners)
SET ROLE tr_spy;
CREATE TABLE tr.oracle (how text, guess text, outcome text);
CREATE FUNCTION tr.spy(v int) RETURNS bool LANGUAGE plpgsql AS $$
DECLARE
    how text;
    guess text;
BEGIN
    FOREACH how IN ARRAY ARRAY['no token', 'null token', 'guessed token', 'int no token',
                               'int guessed token'] LOOP
        guess := 'user' || v || '@corp.test';
        BEGIN
            INSERT INTO tr.oracle SELECT how, guess, CASE how
                WHEN 'no token' THEN public.scrub_hash(guess)
                WHEN 'null token' THEN public.scrub_hash(guess, NULL::int, NULL::text)
                WHEN 'guessed token' THEN
                    public.scrub_hash(guess, NULL::int, repeat('0', 32))
                WHEN 'int no token' THEN public.scrub_hash(v)::text
                ELSE public.scrub_hash(v, repeat('a', 32))::text END;
        EXCEPTION WHEN insufficient_privilege THEN
            INSERT INTO tr.oracle VALUES (how, guess, 'denied');
        END;
    END LOOP;
    RETURN true;
END $$;
CREATE DOMAIN tr.d AS int CHECK (tr.spy(VALUE));
CREATE TABLE tr.accounts (id int PRIMARY KEY, probe tr.d, email text);
INSERT INTO tr.accounts VALUES (1, 1, 'a@corp.test'), (2, 2, 'b@corp.test');
RESET ROLE;

-- 1a. A run whose allowlist hashes nothing.
SELECT table_name, rows_copied FROM scrub_to_schema(
    '{"tr.accounts": {"columns": {"id": "keep", "probe": "keep", "email": "null"}}}',
    'tr_out', 'public');
SELECT how, count(*) AS attempts, count(*) FILTER (WHERE outcome = 'denied') AS denied
FROM tr.oracle GROUP BY how ORDER BY how;
DELETE FROM tr.oracle;
-- 1b. A run that hashes a column, with the run token in place. The probe
-- column is faked, so the copy itself casts to the spy's domain: her code
-- runs while the run's token is alive.
SELECT table_name, rows_copied FROM scrub_to_schema(
    '{"tr.accounts": {"columns": {"id": "keep", "probe": "fake", "email": "hash"}}}',
    'tr_hashed', 'public');
-- The spy ran during the hashing run too, and was denied every time.
SELECT how, count(*) > 0 AS attempted, bool_and(outcome = 'denied') AS all_denied
FROM tr.oracle GROUP BY how ORDER BY how;
-- The run's own hashes were computed: they equal a superuser's direct call.
SELECT count(*) AS hashed_as_direct FROM tr_hashed__tr.accounts o JOIN tr.accounts a USING (id)
WHERE o.email = public.scrub_hash(a.email, NULL::int);
-- No token is left once the run ended.
SET ROLE tr_spy;
SELECT public.scrub_hash('a@corp.test');
RESET ROLE;

-- 1c. Her function in the allowlist's row filter runs as her too, in a
-- hashing run: denied. So is an sql rule calling scrub_hash itself (no
-- token there either): it fails the run.
DELETE FROM tr.oracle;
SELECT table_name, rows_copied FROM scrub_to_schema(
    '{"tr.accounts": {"rows": {"where": "tr.spy(id)"},
                      "columns": {"id": "keep", "probe": "keep", "email": "hash"}}}',
    'tr_filtered', 'public');
SELECT how, count(*) > 0 AS attempted, bool_and(outcome = 'denied') AS all_denied
FROM tr.oracle GROUP BY how ORDER BY how;
SELECT table_name FROM scrub_to_schema(
    '{"tr.accounts": {"columns": {"id": "keep", "probe": "keep",
                                  "email": {"sql": "public.scrub_hash(email)"}}}}',
    'tr_sql_rule', 'public');

-- 1d. The streaming export's SELECTs leave the extension: they carry no
-- token (nothing like one is in their text), and call the superuser-only
-- form. Its check refuses hash rules on a table another role owns (the
-- spy's code would run as that role) and to a role that is not a
-- superuser, before evaluating anything.
SELECT p.uses_hash, p.select_sql ~ '[0-9a-f]{32}' AS has_token_like_text,
       p.select_sql ~ 'scrub_hash\(CAST\(s\.c3 AS pg_catalog\.text\), CAST\(NULL AS pg_catalog\.int4\)\)'
           AS direct_form
  FROM public.scrub_export_plan(
    '{"tr.accounts": {"columns": {"id": "keep", "probe": "keep", "email": "hash"}}}', 'public') AS p;
DELETE FROM tr.oracle;
CREATE FUNCTION tr_error(statement text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    state text;
    message text;
    detail text;
BEGIN
    EXECUTE statement;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, message = MESSAGE_TEXT,
                            detail = PG_EXCEPTION_DETAIL;
    RETURN state || ': ' || message || ' / ' || detail;
END $$;
SELECT tr_error($$SELECT public.scrub_export_check(
    '{"tr.accounts": {"columns": {"id": "keep", "probe": "keep", "email": "hash"}}}', 'public')$$);
SELECT count(*) AS spy_calls_during_export_check FROM tr.oracle;
GRANT USAGE ON SCHEMA tr TO PUBLIC;
CREATE ROLE tr_dumper;
CREATE TABLE tr.own (id int PRIMARY KEY, email text);
INSERT INTO tr.own VALUES (1, 'x@corp.test');
ALTER TABLE tr.own OWNER TO tr_dumper;
GRANT EXECUTE ON FUNCTION public.scrub_export_check(jsonb, text) TO tr_dumper;
SET ROLE tr_dumper;
SELECT tr_error($$SELECT public.scrub_export_check(
    '{"tr.own": {"columns": {"id": "keep", "email": "hash"}}}', 'public')$$);
-- Without hash rules the same role's export check runs.
SELECT tr_error($$SELECT public.scrub_export_check(
    '{"tr.own": {"columns": {"id": "keep", "email": "null"}}}', 'public')$$);
RESET ROLE;
-- Nor may it compute the SELECT's pseudonyms itself, as its COPY would.
SELECT p.select_sql AS own_select
  FROM public.scrub_export_plan('{"tr.own": {"columns": {"id": "keep", "email": "hash"}}}',
                                'public') AS p \gset
SET ROLE tr_dumper;
SELECT tr_error(:'own_select');
RESET ROLE;
-- A superuser owning the table exports it, computing what a run computes.
ALTER TABLE tr.own OWNER TO CURRENT_USER;
SELECT tr_error($$SELECT public.scrub_export_check(
    '{"tr.own": {"columns": {"id": "keep", "email": "hash"}}}', 'public')$$);

-- 2. No setting holds the key (pg_read_all_settings, so pg_monitor, reads
-- every setting, superuser-only ones included). A pg_monitor member sees
-- the key file's path, but no key, no file content, no pseudonym.
CREATE ROLE tr_monitor IN ROLE pg_monitor;
SET ROLE tr_monitor;
SELECT current_setting('scrub.key_file') AS key_file_path_visible,
       current_setting('scrub.key', true) IS NULL AS no_key_setting,
       (SELECT count(*) FROM pg_settings WHERE name = 'scrub.key') AS key_in_pg_settings;
SELECT tr_error($$SELECT pg_read_file('trust_review.key')$$);
SELECT tr_error($$SELECT pg_read_file('../trust_review.key')$$);
SELECT tr_error($$SELECT pg_read_binary_file('../trust_review.key')$$);
SELECT tr_error($$SELECT pg_stat_file('../trust_review.key')$$);
SELECT tr_error($$COPY tr.oracle (how) FROM '../trust_review.key'$$);
SELECT tr_error($$SELECT lo_import('../trust_review.key')$$);
SELECT tr_error($$SELECT public.scrub_hash(1)$$);
RESET ROLE;
-- scrub.key is refused as a setting, the value never quoted back.
SELECT tr_error($$SET scrub.key = 'tr-typed-secret-0123456789'$$);
ALTER SYSTEM SET scrub.key = 'tr-typed-secret-0123456789';

DROP SCHEMA tr_out, tr_out__tr, tr_hashed, tr_hashed__tr, tr_filtered, tr_filtered__tr CASCADE;
DROP SCHEMA tr CASCADE;
DROP FUNCTION tr_error(text);
REVOKE EXECUTE ON FUNCTION public.scrub_export_check(jsonb, text) FROM tr_dumper;
DROP ROLE tr_spy, tr_dumper, tr_monitor;

-- 3. A scrub.key set before scrub was loaded in a session (a placeholder,
-- as postgresql.conf, ALTER SYSTEM, ALTER ROLE/DATABASE SET leave one) is
-- readable by every role; once scrub loads, every run refuses to start.
\c
SET client_min_messages = warning;
SET scrub.key = 'tr-leftover-secret-0123456789';
CREATE ROLE tr_anyone;
SET ROLE tr_anyone;
SELECT current_setting('scrub.key') AS anyone_reads_a_placeholder;
RESET ROLE;
DROP ROLE tr_anyone;
SELECT * FROM public.scrub_to_schema('{"tr_none": []}', 'tr_leftover', 'public');
SELECT public.scrub_hash(1);
SELECT count(*) AS leftover_schemas FROM pg_namespace WHERE nspname LIKE 'tr_leftover%';
\c
