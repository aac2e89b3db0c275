-- The streaming export's functions: the SELECT each table's scrubbed rows
-- come from, the checks a run makes evaluated over those SELECTs, and the
-- sequences; all in the caller's transaction, writing nothing.
CREATE SCHEMA exp;
CREATE TABLE exp.people (
    id serial PRIMARY KEY,
    email text CONSTRAINT email_has_at CHECK (email LIKE '%@%'),
    name text,
    "odd ""name""" text,
    note text);
INSERT INTO exp.people (email, name, "odd ""name""", note)
VALUES ('a@example.com', 'Ann', 'x', 'it''s \ here'), ('b@example.com', 'Bob', NULL, NULL);
CREATE TABLE exp.orders (id int PRIMARY KEY, person int REFERENCES exp.people, total numeric);
INSERT INTO exp.orders VALUES (1, 1, 10), (2, 2, 20);
CREATE TABLE exp.secrets (id int, secret text);

-- One row per table copied with rows, columns in the table's order;
-- values such as a constant's text are literals, not parameters.
SELECT schema_name, table_name, columns, owned_by_caller, uses_hash, estimated_bytes > 0 AS sized,
       select_sql LIKE '%$1%' AS has_parameters
  FROM scrub_export_plan('{"people": {"columns": {"id": "keep", "email": "keep", "note": {"constant": "it''s \\ c"}}},
                           "orders": ["id", "person", "total"]}', 'exp')
 ORDER BY 1, 2;

-- The SELECT yields the rows a run copies: same kept values, same fakes.
SELECT table_name, rows_copied, columns_kept, columns_scrubbed FROM scrub_to_schema('{"people": {"columns": {"id": "keep", "email": "keep", "note": {"constant": "it''s \\ c"}}},
                                "orders": ["id", "person", "total"]}', 'exp_scrubbed', 'exp') ORDER BY 1;
DO $$
DECLARE
    q text;
    same boolean;
BEGIN
    SELECT select_sql INTO q
      FROM scrub_export_plan('{"people": {"columns": {"id": "keep", "email": "keep", "note": {"constant": "it''s \\ c"}}},
                               "orders": ["id", "person", "total"]}', 'exp')
     WHERE table_name = 'people';
    EXECUTE format('SELECT (SELECT array_agg(t ORDER BY t.id) FROM (%s) AS t)::text
                         = (SELECT array_agg(s ORDER BY s.id) FROM exp_scrubbed.people AS s)::text', q)
       INTO same;
    RAISE NOTICE 'export select equals the scratch rows: %', same;
END $$;
SELECT note FROM exp_scrubbed.people ORDER BY id;

-- The checks pass for this allowlist, and fail as a run fails when a fake
-- breaks a CHECK, naming the constraint; nothing is created either way.
SELECT scrub_export_check('{"people": ["id", "email"], "orders": ["id", "person"]}', 'exp');
SELECT expect_error($$SELECT scrub_export_check('{"people": ["id"]}', 'exp')$$);
-- A foreign key into a table copied without rows fails the check.
SELECT expect_error($$SELECT scrub_export_check('{"orders": ["id", "person"], "people": []}', 'exp')$$);
-- A missing column is named, as in a run.
SELECT expect_error($$SELECT * FROM scrub_export_plan('{"people": ["id", "nope"]}', 'exp')$$);
-- A row filter on a referenced table: rows left pointing at removed rows.
SELECT expect_error($$SELECT scrub_export_check('{"people": {"columns": {"id": "keep", "email": "keep"}, "rows": {"where": "id = 1"}},
                                                 "orders": ["id", "person"]}', 'exp')$$);
SELECT count(*) AS schemas_created FROM pg_namespace WHERE nspname LIKE 'scrub_build%';

-- In a read-only transaction, as scrub-dump calls them.
BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY;
SELECT count(*) FROM scrub_export_plan('{"people": ["id", "email"], "orders": ["id", "person"]}', 'exp');
SELECT scrub_export_check('{"people": ["id", "email"], "orders": ["id", "person"]}', 'exp');
SELECT * FROM scrub_export_sequences('{"people": ["id", "email"]}', 'exp');
SELECT mode, relation::regclass FROM pg_locks
 WHERE locktype = 'relation' AND pid = pg_backend_pid() AND relation::regclass::text LIKE 'exp.%'
   AND relation::regclass::text NOT LIKE '%pkey' ORDER BY relation::regclass::text COLLATE "C", mode;
COMMIT;

-- Nobody may run them without an explicit grant.
SELECT p.proname, has_function_privilege('public', p.oid, 'EXECUTE') AS public_can_execute
  FROM pg_proc p WHERE p.proname LIKE 'scrub_export%' ORDER BY 1;
DROP SCHEMA exp_scrubbed CASCADE;
DROP SCHEMA exp CASCADE;
