-- A real sample database (test/fixtures/northwind.sql, Ms-PL) scrubbed with
-- a realistic allowlist: ids and business data kept; names, addresses,
-- phones, notes and photos scrubbed.
CREATE SCHEMA northwind;
SET search_path = northwind;
\set ECHO none
\i test/fixtures/northwind.sql
\set ECHO all
RESET client_min_messages;
SET search_path = northwind;

-- The allowlist is test/fixtures/northwind.allowlist.json, shared with the
-- dump/restore TAP test.
\set allowlist `cat test/fixtures/northwind.allowlist.json`
SELECT table_name, rows_copied, columns_kept, columns_scrubbed
  FROM public.scrub_to_schema(:'allowlist', 'northwind_scrubbed', 'northwind')
 ORDER BY table_name;

-- For every column: how many values the scrubbed copy shares with the
-- source. Kept columns must match row for row; scrubbed ones share nothing.
CREATE TEMP TABLE column_check (table_name text, column_name text, kept bool, rows bigint,
                                identical bigint, same_nullness bigint, shared_values bigint);
DO $$
DECLARE
    t record;
    c text;
BEGIN
    FOR t IN SELECT * FROM northwind_scrubbed._scrub_tables WHERE copied LOOP
        -- Rows are matched by position: the copy inserts in the source's
        -- scan order, and both tables are small enough to scan from the start.
        FOREACH c IN ARRAY t.kept_columns || t.scrubbed_columns LOOP
            EXECUTE format(
                'INSERT INTO column_check
                 SELECT %L, %L, %L, count(*),
                        count(*) FILTER (WHERE s.v IS NOT DISTINCT FROM x.v),
                        count(*) FILTER (WHERE (s.v IS NULL) = (x.v IS NULL)),
                        (SELECT count(*) FROM (SELECT %I::text FROM northwind.%I WHERE %I IS NOT NULL
                                               INTERSECT
                                               SELECT %I::text FROM northwind_scrubbed.%I) i)
                   FROM (SELECT row_number() OVER () AS r, %I::text AS v FROM northwind.%I) s
                   JOIN (SELECT row_number() OVER () AS r, %I::text AS v FROM northwind_scrubbed.%I) x
                     USING (r)',
                t.table_name, c, c = ANY (t.kept_columns),
                c, t.table_name, c, c, t.table_name,
                c, t.table_name, c, t.table_name);
        END LOOP;
    END LOOP;
END $$;
-- Kept columns: every value identical. Scrubbed columns: no non-NULL value
-- in common with the source, and NULL exactly where the source is NULL.
SELECT table_name, kept, count(*) AS columns,
       bool_and(identical = rows) AS all_identical,
       bool_and(same_nullness = rows) AS nulls_preserved,
       sum(shared_values) AS values_shared_with_source
  FROM column_check GROUP BY table_name, kept ORDER BY table_name, kept;

-- The manifest agrees with the source at the snapshot.
SELECT bool_and(source_rows = copied_rows) AS counts_agree, sum(copied_rows) AS rows
  FROM northwind_scrubbed._scrub_tables WHERE copied;
SELECT table_name FROM northwind_scrubbed._scrub_tables WHERE NOT copied ORDER BY 1;
-- What a developer sees.
SELECT employee_id, last_name, first_name, title, home_phone, notes, photo IS NULL AS no_photo
  FROM northwind_scrubbed.employees ORDER BY employee_id LIMIT 3;

RESET search_path;
DROP SCHEMA northwind_scrubbed, northwind CASCADE;
