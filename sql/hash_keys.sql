-- Keyed hashes of keys: joins through a hashed key give the same results
-- before and after scrubbing; the mapping is the same in every table and
-- run under one key, different under another; the key is never shown.
CREATE SCHEMA nwh;
SET search_path = nwh;
SET client_min_messages = warning;
\set ECHO none
\o /dev/null
\i test/fixtures/northwind.sql
\o
\set ECHO all
RESET client_min_messages;
RESET search_path;
-- Northwind has no emails: give its customers some to scrub.
ALTER TABLE nwh.customers ADD COLUMN email varchar(60);
UPDATE nwh.customers SET email = lower(replace(contact_name, ' ', '.')) || '@' || lower(customer_id) || '.corp.test';

\! umask 077 && printf '%s' 'hash-keys-regress-key-0123456789' > tmp_check_regress/hash_keys_1.key
SET scrub.key_file = '../hash_keys_1.key';
\set allowlist '{"customers": {"columns": {"customer_id": {"rule": "hash", "why": "joins must survive"}, "contact_name": "full_name", "email": "email", "city": "keep", "country": "keep"}}, "employees": {"columns": {"employee_id": "hash", "first_name": "first_name", "last_name": "last_name", "title": "keep", "country": "keep"}}, "orders": {"columns": {"order_id": "keep", "order_date": "keep", "freight": "keep", "ship_via": "keep", "ship_country": "keep"}}, "shippers": ["shipper_id", "company_name"]}'
SELECT table_name, rows_copied, columns_kept, columns_scrubbed
  FROM scrub_to_schema(:'allowlist', 'hk', 'nwh') ORDER BY 1;
-- The referencing columns nobody named follow their hashed keys.
SELECT t.table_name, r.key AS column_name, r.value AS rule
  FROM hk._scrub_tables t, jsonb_each(t.column_rules) r
 WHERE r.value->>'rule' = 'hash' ORDER BY 1, 2;

-- Joins and aggregates grouped by the hashed keys match the source's.
CREATE FUNCTION join_summary(schema_name text) RETURNS TABLE (what text, result text)
LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY EXECUTE format($q$
        SELECT 'orders x customers', count(*)::text FROM %1$I.orders o JOIN %1$I.customers c USING (customer_id)
        UNION ALL
        SELECT 'orders x employees', count(*)::text FROM %1$I.orders o JOIN %1$I.employees e USING (employee_id)
        UNION ALL
        SELECT 'employees x managers', count(*)::text FROM %1$I.employees e JOIN %1$I.employees m ON m.employee_id = e.reports_to
        UNION ALL
        SELECT 'per customer', string_agg(x, ',' ORDER BY x) FROM (
            SELECT count(*) || '/' || sum(freight)::numeric(12,2) || '/' || min(order_date) AS x
              FROM %1$I.orders GROUP BY customer_id) s
        UNION ALL
        SELECT 'per employee', string_agg(x, ',' ORDER BY x) FROM (
            SELECT count(*) || '/' || sum(freight)::numeric(12,2) || '/' || max(c.country) AS x
              FROM %1$I.orders o JOIN %1$I.customers c USING (customer_id) GROUP BY o.employee_id) s
        $q$, schema_name);
END $$;
SELECT s.what, s.result = h.result AS equal, length(s.result) > 0 AS not_empty
  FROM join_summary('nwh') s JOIN join_summary('hk') h USING (what) ORDER BY 1;
SELECT what, result FROM join_summary('hk') WHERE what LIKE '% x %' ORDER BY 1;
-- The keys did change, and stayed distinct.
SELECT count(*) AS orders, count(*) FILTER (WHERE h.customer_id = o.customer_id) AS same_customer_id,
       count(DISTINCT h.customer_id) = count(DISTINCT o.customer_id) AS distinct_kept
  FROM nwh.orders o JOIN hk.orders h USING (order_id);
-- One key, one mapping: every table's value is scrub_hash() of the source's.
SELECT bool_and(h.customer_id = public.scrub_hash(o.customer_id::text, 5)) AS customer_ids,
       bool_and(h.employee_id = public.scrub_hash(o.employee_id)) AS employee_ids
  FROM nwh.orders o JOIN hk.orders h USING (order_id);
-- A second run under the same key gives the same output.
SELECT count(*) FROM scrub_to_schema(:'allowlist', 'hk2', 'nwh');
SELECT count(*) AS customers, count(*) FILTER (WHERE a.customer_id = b.customer_id) AS same
  FROM hk.customers a JOIN hk2.customers b USING (email);
SELECT count(*) AS employees, count(*) FILTER (WHERE a.employee_id = b.employee_id) AS same
  FROM hk.employees a JOIN hk2.employees b USING (last_name);
-- Another key, unrelated output.
\! umask 077 && printf '%s' 'another-hash-keys-key-9876543210' > tmp_check_regress/hash_keys_2.key
SET scrub.key_file = '../hash_keys_2.key';
SELECT count(*) FROM scrub_to_schema(:'allowlist', 'hk2', 'nwh');
SELECT count(*) AS orders, count(*) FILTER (WHERE a.customer_id = b.customer_id) AS same_customer_id,
       count(*) FILTER (WHERE a.employee_id = b.employee_id) AS same_employee_id
  FROM hk.orders a JOIN hk2.orders b USING (order_id);
-- The key is in no manifest table.
SELECT count(*) AS key_in_manifest FROM (
    SELECT t::text AS row FROM hk._scrub_run t UNION ALL SELECT t::text FROM hk._scrub_tables t
    UNION ALL SELECT t::text FROM hk2._scrub_run t UNION ALL SELECT t::text FROM hk2._scrub_tables t) r
 WHERE row LIKE '%hash-keys-regress-key%' OR row LIKE '%another-hash-keys-key%';

-- Rules that would break a join through a hashed key fail at plan time,
-- naming the constraint.
\set VERBOSITY default
SELECT * FROM scrub_to_schema('{"customers": {"columns": {"customer_id": "hash"}},
    "orders": {"columns": {"order_id": "keep", "customer_id": "keep", "employee_id": "null"}},
    "employees": ["employee_id"], "shippers": ["shipper_id"]}', 'hk3', 'nwh');
SELECT * FROM scrub_to_schema('{"customers": ["customer_id"],
    "orders": {"columns": {"order_id": "keep", "customer_id": "hash", "employee_id": "null", "ship_via": "null"}}}',
    'hk3', 'nwh');
-- The plain form lists kept columns: a hashed key's referencing column
-- listed there breaks the join too.
SELECT * FROM scrub_to_schema('{"employees": {"columns": {"employee_id": "hash"}},
    "orders": ["order_id", "employee_id"]}', 'hk3', 'nwh');
-- Text hashes cut to a short column may collide: the run fails (23505).
CREATE TABLE nwh.codes (code varchar(1));
INSERT INTO nwh.codes SELECT chr(ascii('a') + g) FROM generate_series(0, 25) g;
SELECT * FROM scrub_to_schema('{"codes": {"columns": {"code": "hash"}}}', 'hk3', 'nwh');
-- Without a key, hash fails and says how to set one, never showing a key.
RESET scrub.key_file;
SELECT * FROM scrub_to_schema('{"employees": {"columns": {"employee_id": "hash"}}}', 'hk3', 'nwh');
SELECT count(*) AS hk3_schemas FROM pg_namespace WHERE nspname = 'hk3' OR nspname LIKE 'scrub_build%';

-- Realistic names and emails pass a stand-in for Django's EmailValidator
-- (its user and domain patterns), are on reserved domains, unique, of the
-- column's length, and never the real values.
CREATE FUNCTION django_email_valid(email text) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$
    SELECT length(email) <= 320
       AND split_part(email, '@', 1) ~* '^[-!#$%&''*+/=?^_`{}|~0-9a-z]+(\.[-!#$%&''*+/=?^_`{}|~0-9a-z]+)*$'
       AND substring(email from '@([^@]*)$') ~* '^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$'
       AND substring(email from '@([^@]*)$') !~ '-$'
       AND email ~ '^[^@]+@[^@]+$'
$$;
SELECT django_email_valid('a.b@example.com') AS good, django_email_valid('a..b@example.com') AS double_dot,
       django_email_valid('a b@example.com') AS space, django_email_valid('a@example') AS no_tld;
SELECT count(*) AS customers, count(email) AS emails,
       count(*) FILTER (WHERE django_email_valid(email)) AS valid_emails,
       count(*) FILTER (WHERE email ~ '@example\.(com|org|net)$') AS reserved_domains,
       count(DISTINCT email) = count(email) AS unique_emails,
       count(*) FILTER (WHERE contact_name ~ '^[A-Z][A-Za-z''-]+( [A-Z][A-Za-z''-]+)+$') AS plausible_names,
       max(length(contact_name)) <= 30 AS names_fit
  FROM hk.customers;
SELECT count(*) AS employees,
       count(*) FILTER (WHERE first_name ~ '^[A-Z][A-Za-z''-]*$' AND last_name ~ '^[A-Z][A-Za-z'' -]*$') AS plausible,
       max(length(first_name)) <= 10 AND max(length(last_name)) <= 20 AS fit
  FROM hk.employees;
SELECT count(*) AS real_values_left
  FROM nwh.customers c JOIN hk.customers h ON h.email = c.email OR h.contact_name = c.contact_name;
