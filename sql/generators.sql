-- The value generators of the column rules: scrub_fake_text (realistic
-- fakes), scrub_hash (keyed pseudonyms under scrub.key_file) and
-- scrub_json_keep (the json rule).
SELECT p.oid::regprocedure AS function, p.provolatile AS volatility,
       p.proparallel AS parallel, p.proisstrict AS strict,
       obj_description(p.oid, 'pg_proc') IS NOT NULL AS has_comment
  FROM pg_proc p
 WHERE p.proname IN ('scrub_fake_text', 'scrub_hash', 'scrub_json_keep', 'scrub_json_keep_json')
 ORDER BY p.oid::regprocedure::text;

-- Shows SQLSTATE, message, detail and hint of a statement that must fail.
CREATE FUNCTION gen_error(statement text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    detail text;
    hint text;
BEGIN
    EXECUTE statement;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
    RETURN SQLSTATE || ': ' || SQLERRM || coalesce(E'\nDETAIL: ' || nullif(detail, ''), '')
           || coalesce(E'\nHINT: ' || nullif(hint, ''), '');
END $$;

-- True when the error of a statement that must fail (message, detail or
-- hint) contains `secret` anywhere. (Its context quotes the statement.)
CREATE FUNCTION gen_error_mentions(statement text, secret text) RETURNS bool LANGUAGE plpgsql AS $$
DECLARE
    message text;
    detail text;
    hint text;
BEGIN
    EXECUTE statement;
    RAISE EXCEPTION 'statement did not fail';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS message = MESSAGE_TEXT, detail = PG_EXCEPTION_DETAIL,
                            hint = PG_EXCEPTION_HINT;
    IF message = 'statement did not fail' THEN RAISE; END IF;
    RETURN strpos(concat_ws(' ', message, detail, hint), secret) > 0;
END $$;

------------------------------------------------------------------------
-- scrub_fake_text
------------------------------------------------------------------------
SELECT r.rule, s.seed, scrub_fake_text(r.rule, s.seed, NULL, 40) AS fake
  FROM unnest(ARRAY['email', 'first_name', 'last_name', 'full_name', 'username',
                    'phone', 'url', 'ip', 'text']) WITH ORDINALITY AS r (rule, n),
       generate_series(1, 3) AS s (seed)
 ORDER BY r.n, s.seed;

-- The same seed always gives the same value; NULL seed gives NULL; NULL
-- limits mean none.
SELECT scrub_fake_text('email', 7) = scrub_fake_text('email', 7, NULL, NULL) AS stable,
       scrub_fake_text('email', NULL) IS NULL AS null_seed,
       scrub_fake_text('text', 1, NULL, NULL) AS text_of_unknown_length;

-- Distinct seeds give distinct values, within the length limit.
SELECT r.rule, r.max_length,
       count(DISTINCT scrub_fake_text(r.rule, s, r.max_length)) AS distinct_values,
       max(length(scrub_fake_text(r.rule, s, r.max_length))) <= coalesce(r.max_length, 1000) AS fits
  FROM (VALUES ('email', NULL), ('email', 20), ('first_name', NULL), ('first_name', 6),
               ('last_name', 8), ('full_name', NULL), ('full_name', 12), ('username', NULL),
               ('username', 8), ('phone', NULL), ('url', NULL), ('url', 30), ('ip', NULL),
               ('ip', 14), ('text', NULL), ('text', 12)) AS r (rule, max_length),
       generate_series(1, 3000) AS s
 GROUP BY r.rule, r.max_length
 ORDER BY r.rule, r.max_length NULLS FIRST;

-- Past its capacity within a limit a rule wraps around: ip within 11
-- characters has only 192.0.2.1 .. 192.0.2.254.
SELECT count(DISTINCT scrub_fake_text('ip', s, 11)) AS distinct_ips,
       scrub_fake_text('ip', 1, 11) = scrub_fake_text('ip', 255, 11) AS wraps
  FROM generate_series(1, 1000) AS s;

-- text gives words of about the real value's length.
SELECT n, length(scrub_fake_text('text', 5, NULL, n)) BETWEEN n - 8 AND n AS about_right
  FROM unnest(ARRAY[40, 100, 500]) AS n;
SELECT length(scrub_fake_text('text', 5, 30, 500)) <= 30 AS capped;

-- Emails pass a validator equivalent to Django's EmailValidator (its user
-- and domain patterns); phone numbers are E.164; IPs are in the
-- documentation networks and already in canonical form; URLs and emails
-- use the reserved example domains.
SELECT count(*) FILTER (WHERE NOT (
           e ~* '^[-!#$%&''*+/=?^_`{}|~0-9a-z]+(\.[-!#$%&''*+/=?^_`{}|~0-9a-z]+)*@((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+)(?:[a-z0-9-]{2,63})$'
           AND e !~ '-$' AND length(e) <= 320)) AS invalid_emails,
       count(*) FILTER (WHERE split_part(e, '@', 2) NOT IN ('example.com', 'example.org', 'example.net')) AS unreserved_domains,
       count(*) FILTER (WHERE p !~ '^\+[1-9][0-9]{6,14}$') AS invalid_phones,
       count(*) FILTER (WHERE NOT (i::inet <<= '192.0.2.0/24' OR i::inet <<= '198.51.100.0/24'
                                   OR i::inet <<= '203.0.113.0/24' OR i::inet <<= '2001:db8::/32')) AS undocumented_ips,
       count(*) FILTER (WHERE host(i::inet) <> i) AS non_canonical_ips,
       count(*) FILTER (WHERE u !~ '^https://example\.org/') AS foreign_urls
  FROM generate_series(1, 100000, 7) AS s,
       LATERAL (SELECT scrub_fake_text('email', s) AS e, scrub_fake_text('phone', s) AS p,
                       scrub_fake_text('ip', s) AS i, scrub_fake_text('url', s) AS u) AS v;
-- Far into the IPv6 part of ip and the numbered part of email.
SELECT scrub_fake_text('ip', 100000) AS ipv6, scrub_fake_text('ip', 100000)::inet::text AS as_inet,
       scrub_fake_text('email', 5000000) AS numbered_email;

-- Errors: an unknown rule, a NULL rule, a negative limit, a limit no value
-- of the rule fits.
SELECT gen_error($$SELECT scrub_fake_text('ssn', 1)$$);
SELECT gen_error($$SELECT scrub_fake_text(NULL, 1)$$);
SELECT gen_error($$SELECT scrub_fake_text('email', 1, -3)$$);
SELECT gen_error($$SELECT scrub_fake_text('email', 1, 10)$$);
SELECT gen_error($$SELECT scrub_fake_text('phone', 1, 11)$$);

------------------------------------------------------------------------
-- scrub_hash
------------------------------------------------------------------------
-- No key, or one too short: an error that never shows the key.
SELECT gen_error($$SELECT scrub_hash(1)$$);
\! umask 077 && printf '%s' 'Zq8shortkey' > tmp_check_regress/generators_1.key
SET scrub.key_file = '../generators_1.key';
SELECT gen_error($$SELECT scrub_hash(1)$$);
SELECT gen_error_mentions($$SELECT scrub_hash(1)$$, 'Zq8shortkey') AS error_shows_key;
-- (The check does see what an error says: a rule name is quoted back.)
SELECT gen_error_mentions($$SELECT scrub_fake_text('Zq8shortkey', 1)$$, 'Zq8shortkey') AS check_sees_it;
SELECT gen_error_mentions($$SELECT scrub_hash('x'::text)$$, 'Zq8shortkey') AS error_shows_key;

\! umask 077 && printf '%s' 'regress-key-0123456789abcdef' > tmp_check_regress/generators_2.key
SET scrub.key_file = '../generators_2.key';
-- Stable across calls; NULL in, NULL out; the same number gives the same
-- pseudonym in smallint, integer and bigint.
SELECT scrub_hash(42::int2) AS h2, scrub_hash(42) AS h4, scrub_hash(42::int8) AS h8,
       scrub_hash(42) = scrub_hash(42) AS stable,
       scrub_hash(NULL::int4) IS NULL AND scrub_hash(NULL::text) IS NULL
           AND scrub_hash(NULL::uuid) IS NULL AS nulls_stay;
-- A one-to-one permutation of all of smallint that keeps the sign.
SELECT count(DISTINCT scrub_hash(v::int2)) AS distinct_pseudonyms,
       count(*) FILTER (WHERE (scrub_hash(v::int2) >= 0) <> (v >= 0)) AS sign_changed,
       count(*) FILTER (WHERE scrub_hash(v::int2) = v) AS fixed_points_few
  FROM generate_series(-32768, 32767) AS v;
-- Sampled on integer and bigint: distinct, sign kept, within the type.
SELECT count(DISTINCT scrub_hash(v)) AS distinct_int4,
       count(DISTINCT scrub_hash(v::int8 * 1000003)) AS distinct_int8,
       bool_and(sign(scrub_hash(-v)) = -1) AS negatives_stay_negative,
       scrub_hash(2147483647) IS NOT NULL AND scrub_hash(-2147483648) < 0 AS extremes_int4,
       scrub_hash(9223372036854775807) > 0 AND scrub_hash('-9223372036854775808'::int8) < 0 AS extremes_int8
  FROM generate_series(1, 20000) AS v;
-- uuid to uuid, distinct; text within max_length, letters and digits, the
-- shorter limit giving a prefix of the longer one.
SELECT count(DISTINCT scrub_hash(u)) AS distinct_uuids
  FROM (SELECT md5(v::text)::uuid AS u FROM generate_series(1, 5000) AS v) AS s;
SELECT length(scrub_hash('alice@example.com'::text)) AS length_unbounded,
       scrub_hash('alice@example.com'::text) ~ '^[A-Za-z0-9]+$' AS alphanumeric,
       length(scrub_hash('alice@example.com'::text, 8)) AS length_capped,
       starts_with(scrub_hash('alice@example.com'::text), scrub_hash('alice@example.com'::text, 8)) AS prefix,
       scrub_hash(''::text) = '' AS empty_stays_empty,
       scrub_hash('héllo wörld'::text) ~ '^[A-Za-z0-9]{16}$' AS multibyte_gets_16;
-- A pseudonym's length says nothing of the value's: 16 characters for
-- values of 1 to 2,000 characters, fewer only under a shorter limit.
SELECT array_agg(DISTINCT length(scrub_hash(repeat('x', n)))) AS lengths_unbounded,
       array_agg(DISTINCT length(scrub_hash(repeat('x', n), 40))) AS lengths_under_40,
       array_agg(DISTINCT length(scrub_hash(repeat('x', n), 10))) AS lengths_under_10
  FROM generate_series(1, 2000) AS n;
SELECT count(DISTINCT scrub_hash(v::text)) AS distinct_texts FROM generate_series(1, 20000) AS v;
SELECT gen_error($$SELECT scrub_hash('x'::text, -1)$$);

-- A different key gives unrelated pseudonyms.
CREATE TEMP TABLE gen_first AS
    SELECT v, scrub_hash(v) AS h, scrub_hash(v::text) AS t FROM generate_series(1, 1000) AS v;
\! umask 077 && printf '%s' 'another-regress-key-fedcba9876543210' > tmp_check_regress/generators_3.key
SET scrub.key_file = '../generators_3.key';
SELECT count(*) FILTER (WHERE scrub_hash(v) = h) AS same_integer,
       count(*) FILTER (WHERE scrub_hash(v::text) = t) AS same_text
  FROM gen_first;

-- No setting holds the key: scrub.key is refused for everyone, superusers
-- too (scrub's prefix is reserved), and the value is never quoted back.
SELECT gen_error($$SET scrub.key = 'attacker-chosen-key-123456'$$);
SELECT gen_error_mentions($$SET scrub.key = 'attacker-chosen-key-123456'$$, 'attacker-chosen') AS error_shows_value;
SELECT current_setting('scrub.key', true) AS no_key_setting;
-- The key file's path is superuser-only; a non-superuser cannot read it,
-- set it, see it in pg_settings, or call scrub_hash outside a scrub run
-- (it would be an oracle for the key). scrub_fake_text and
-- scrub_json_keep need no key.
CREATE ROLE regress_gen_user;
SET ROLE regress_gen_user;
SELECT gen_error($$SELECT current_setting('scrub.key_file')$$);
SELECT gen_error($$SET scrub.key_file = '/tmp/attacker.key'$$);
SELECT gen_error($$SELECT current_setting('scrub.key')$$);
SELECT count(*) AS visible_settings FROM pg_settings WHERE name LIKE 'scrub.key%';
SELECT gen_error($$SELECT scrub_hash(1)$$);
SELECT gen_error($$SELECT scrub_hash(gen_random_uuid())$$);
SELECT gen_error($$SELECT scrub_hash('x'::text)$$);
SELECT scrub_fake_text('first_name', 1) AS fake_needs_no_key;
RESET ROLE;

-- Not inside a run either: the run's permit is a token only the run's own
-- SQL passes, so a table's CHECK that calls scrub_hash (run by the copy,
-- as the table's owner) is refused, and with it the run.
CREATE SCHEMA gen_src AUTHORIZATION regress_gen_user;
GRANT EXECUTE ON FUNCTION scrub_to_schema(jsonb, text, text, boolean, boolean) TO regress_gen_user;
DO $$ BEGIN
    EXECUTE format('GRANT CREATE ON DATABASE %I TO regress_gen_user', current_database());
END $$;
SET ROLE regress_gen_user;
CREATE TABLE gen_src.accounts (id int PRIMARY KEY CHECK (scrub_hash(id) IS NOT NULL), note text);
RESET ROLE;
INSERT INTO gen_src.accounts VALUES (1, 'a'), (2, 'b'), (3, 'c');
SET ROLE regress_gen_user;
SELECT gen_error($$INSERT INTO gen_src.accounts VALUES (4, 'd')$$);
SELECT gen_error($$SELECT * FROM scrub_to_schema('{"accounts": ["note"]}', 'gen_out', 'gen_src')$$);
-- The permit ends with the run, and with a failed run too.
SELECT gen_error($$SELECT scrub_hash(1)$$);
RESET ROLE;
SET scrub.debug_fail_after_tables = 0;
SET ROLE regress_gen_user;
SELECT gen_error($$SELECT * FROM scrub_to_schema('{"accounts": ["note"]}', 'gen_out', 'gen_src')$$);
SELECT gen_error($$SELECT scrub_hash(1)$$);
RESET ROLE;
RESET scrub.debug_fail_after_tables;

------------------------------------------------------------------------
-- scrub_json_keep
------------------------------------------------------------------------
-- Every key and array element stays; kept paths keep their values (a whole
-- subtree for an object or array); arrays are walked; other strings become
-- fakes from the key and seed, other numbers 0; booleans and nulls stay.
SELECT jsonb_pretty(scrub_json_keep(
    '{"theme": "dark", "notifications": {"email": true, "sms": "+447700900123", "hour": 9},
      "items": [{"sku": "A-1", "price": 12.5, "note": "gift"}, {"sku": "B-2", "price": 3}],
      "address": {"city": "Leeds", "lines": ["1 Main St", "Flat 2"]},
      "tags": ["vip", "beta"], "score": 123456789012345678901234567890.10, "deleted": null}',
    ARRAY['theme', 'items.sku', 'address', 'score'], 17));
-- A document that is a scalar or an array; no paths; the same seed gives
-- the same document.
SELECT scrub_json_keep('"secret"', '{}', 3) AS scalar,
       scrub_json_keep('[1, "a", [true, "b"]]', '{}', 3) AS array,
       scrub_json_keep('{"a": {"b": "x"}}', '{a.b}', 3) AS nested_path,
       scrub_json_keep('{"a.b": "x", "a": {"b": "y"}}', '{a.b}', 3) AS dotted_key_is_not_a_path,
       scrub_json_keep('{"k": "v"}', '{}', 1) = scrub_json_keep('{"k": "v"}', '{}', 1) AS stable;
-- NULL in, NULL out; malformed paths and NULL paths are errors.
SELECT scrub_json_keep(NULL, '{a}', 1) IS NULL AS null_document,
       scrub_json_keep('{}', NULL, 1) IS NULL AS null_keep,
       scrub_json_keep('{}', '{a}', NULL) IS NULL AS null_seed;
SELECT gen_error($$SELECT scrub_json_keep('{}', '{a..b}', 1)$$);
SELECT gen_error($$SELECT scrub_json_keep('{}', ARRAY['ok', ''], 1)$$);
SELECT gen_error($$SELECT scrub_json_keep('{}', ARRAY['ok', NULL], 1)$$);
-- A jsonb document is walked as jsonb, a json one read as text: both give
-- the same document, for scalars, empty and nested containers, arrays of
-- arrays, escapes, non-ASCII keys, numbers beyond a double and seeds at
-- the ends of bigint. The keep paths change from row to row here, so the
-- paths cached per call site must follow them.
CREATE TEMP TABLE json_docs (doc jsonb);
INSERT INTO json_docs VALUES ('5'), ('"s"'), ('null'), ('true'), ('[]'), ('{}'),
    ('[1, "a", [2, "b", {"x": "y"}], {}]'),
    ('{"a": 1, "b": "x", "c": [1, 2, {"d": "e", "f": [3, "g"]}], "e": {"f": {"g": "h"}}, "n": null}'),
    ('{"kind": "web", "version": 2, "changes": {"field": "status", "old": "new"}}'),
    ('{"ключ": "значение", "a\"b": "c\\d", "tab\t": "\u0001", "é": ["😀", 1.50, -0, 1e400]}'),
    ('[[[]], [{}], {"a": [[1]]}]'), ('12345678901234567890.123456789'),
    ('[{"a": {"b": [{"c": 1, "d": "x"}]}}]');
CREATE TEMP TABLE json_paths (keep text[]);
INSERT INTO json_paths VALUES ('{}'), ('{a}'), ('{b}'), ('{c}'), ('{c.d}'), ('{c.f}'), ('{e.f}'),
    ('{e.f.g,a}'), ('{kind,changes.field}'), ('{ключ}'), ('{é}'), ('{x}'), ('{a.b.c}'),
    ('{a.b}'), ('{a,b,c,e,n}');
SELECT count(*) AS cases,
       count(*) FILTER (WHERE scrub_json_keep(d.doc, p.keep, s.seed)::text IS DISTINCT FROM
                              scrub_json_keep_json(CAST(d.doc::text AS json), p.keep, s.seed)::jsonb::text)
           AS differ
  FROM json_docs AS d, json_paths AS p,
       (VALUES (0::bigint), (-7), (9223372036854775807), (-9223372036854775808)) AS s (seed);
SELECT p.keep, scrub_json_keep('{"a": "x", "b": [1, "y"]}', p.keep, 5) AS kept
  FROM (VALUES (1, '{a}'::text[]), (2, '{b}'), (3, '{a}'), (4, '{}'), (5, '{a,b}')) AS p (n, keep)
 ORDER BY p.n;

DROP SCHEMA IF EXISTS gen_out CASCADE;
DROP SCHEMA gen_src CASCADE;
DO $$ BEGIN
    EXECUTE format('REVOKE CREATE ON DATABASE %I FROM regress_gen_user', current_database());
END $$;
REVOKE EXECUTE ON FUNCTION scrub_to_schema(jsonb, text, text, boolean, boolean) FROM regress_gen_user;
DROP ROLE regress_gen_user;
RESET scrub.key_file;
