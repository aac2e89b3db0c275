-- The caller never plans a query over a table it does not own, and never
-- reads by name an object another role may have replaced since the
-- catalog was read. Planning a query over a table loads its expressions
-- (statistics expressions, expression indexes, partial index predicates,
-- partition keys) and const-folds them, which runs the IMMUTABLE
-- functions they call with the rights of whoever plans.
--
-- mallory owns the tables; k() is IMMUTABLE and calls payload(), which
-- records who ran it and, run with a superuser's rights, makes mallory
-- one.
SET client_min_messages = warning;
CREATE ROLE cr_mallory;
CREATE ROLE cr_app_owner;
CREATE ROLE cr_scrubber;
CREATE SCHEMA cr;
GRANT USAGE, CREATE ON SCHEMA cr TO cr_mallory;  -- not its owner (schema_owners)
GRANT USAGE ON SCHEMA cr TO cr_app_owner, cr_scrubber;
GRANT EXECUTE ON FUNCTION scrub_to_schema(jsonb, text, text, boolean, boolean) TO cr_scrubber;
DO $$ BEGIN
    EXECUTE format('GRANT CREATE ON DATABASE %I TO cr_scrubber', current_database());
END $$;
SET ROLE cr_mallory;
CREATE TABLE cr.log (who name, super bool, what text);
GRANT INSERT, SELECT ON cr.log TO PUBLIC;
CREATE FUNCTION cr.payload(what text) RETURNS int LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    INSERT INTO cr.log VALUES (current_user,
        (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user), what);
    IF (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) THEN
        EXECUTE 'ALTER ROLE cr_mallory SUPERUSER';
    END IF;
    RETURN 0;
END $$;
CREATE FUNCTION cr.k(what text) RETURNS int LANGUAGE plpgsql IMMUTABLE
    AS $$ BEGIN RETURN cr.payload(what); END $$;
-- 1. A statistics expression (the tester's F1).
CREATE TABLE cr.notes (id int, body text);
INSERT INTO cr.notes VALUES (1, 'hello');
CREATE STATISTICS cr.trap ON (id + cr.k('statistics')), body FROM cr.notes;
-- 2. An expression index; 3. a partial index's predicate.
CREATE TABLE cr.indexed (id int, body text);
INSERT INTO cr.indexed VALUES (1, 'x');
CREATE INDEX ON cr.indexed ((id + cr.k('index expression')));
CREATE INDEX ON cr.indexed (id) WHERE cr.k('index predicate') = 0;
-- 4. A partitioned table's key expression.
CREATE TABLE cr.parted (id int, body text) PARTITION BY RANGE ((id + cr.k('partition key')));
CREATE TABLE cr.parted_1 PARTITION OF cr.parted FOR VALUES FROM (0) TO (1000);
INSERT INTO cr.parted VALUES (1, 'p');
RESET ROLE;

-- A superuser runs scrub: each expression runs as mallory only (when the
-- copy, run as mallory, plans over the table), never as the caller.
SELECT table_name, rows_copied FROM scrub_to_schema(
    '{"notes": ["id"], "indexed": ["id"], "parted": ["id"]}', 'cr_out', 'cr');
SELECT DISTINCT who, super FROM cr.log ORDER BY 1;
SELECT DISTINCT what FROM cr.log ORDER BY 1;
SELECT rolsuper AS mallory_is_superuser FROM pg_roles WHERE rolname = 'cr_mallory';
TRUNCATE cr.log;

-- The same for a caller that is not a superuser, with SELECT on the
-- tables: nothing runs as cr_scrubber.
GRANT SELECT ON ALL TABLES IN SCHEMA cr TO cr_scrubber;
SET ROLE cr_scrubber;
SELECT table_name, rows_copied FROM scrub_to_schema(
    '{"notes": ["id"], "indexed": ["id"], "parted": ["id"]}', 'cr_out2', 'cr');
RESET ROLE;
SELECT DISTINCT who, super FROM cr.log ORDER BY 1;
TRUNCATE cr.log;

-- The caller's rights are still checked, by OID: no SELECT, or row-level
-- security that would hide rows, fails before anything runs as mallory.
REVOKE SELECT ON cr.notes FROM cr_scrubber;
SET ROLE cr_scrubber;
SELECT expect_error($$SELECT * FROM scrub_to_schema('{"notes": ["id"]}', 'cr_out2', 'cr')$$);
RESET ROLE;
GRANT SELECT ON cr.notes TO cr_scrubber;
ALTER TABLE cr.notes ENABLE ROW LEVEL SECURITY;
SET ROLE cr_scrubber;
SELECT expect_error($$SELECT * FROM scrub_to_schema('{"notes": ["id"]}', 'cr_out2', 'cr')$$);
RESET ROLE;
ALTER TABLE cr.notes DISABLE ROW LEVEL SECURITY;
SELECT count(*) AS payload_runs FROM cr.log;

-- 5. A partition owned by mallory under a root owned by another role
-- (the tester's F3): the copy, as the root's owner, would plan over the
-- partition and run mallory's statistics expression with the root
-- owner's rights. The run refuses, naming the partition, before reading.
CREATE TABLE cr.orders (id int, note text) PARTITION BY RANGE (id);
CREATE TABLE cr.orders_2025 PARTITION OF cr.orders FOR VALUES FROM (0) TO (1000);
-- A partition in another schema is found too.
CREATE SCHEMA cr_other;
CREATE TABLE cr_other.orders_2026 PARTITION OF cr.orders FOR VALUES FROM (1000) TO (2000);
INSERT INTO cr.orders VALUES (1, 'o1'), (1001, 'o2');
ALTER TABLE cr.orders OWNER TO cr_app_owner;
ALTER TABLE cr_other.orders_2026 OWNER TO cr_app_owner;
ALTER TABLE cr.orders_2025 OWNER TO cr_mallory;
GRANT SELECT ON cr.orders TO cr_scrubber;
SET ROLE cr_mallory;
CREATE STATISTICS cr.trap2 ON (id + cr.k('partition statistics')), note FROM cr.orders_2025;
RESET ROLE;
SET ROLE cr_scrubber;
SELECT expect_error($$SELECT * FROM scrub_to_schema('{"orders": ["id"]}', 'cr_out3', 'cr')$$);
RESET ROLE;
SELECT expect_error($$SELECT * FROM scrub_to_schema('{"orders": ["id"]}', 'cr_out3', 'cr')$$);
SELECT count(*) AS payload_runs FROM cr.log;
-- Once the root's owner owns every partition, the table copies.
ALTER TABLE cr.orders_2025 OWNER TO cr_app_owner;
SELECT table_name, rows_copied FROM scrub_to_schema('{"orders": ["id"]}', 'cr_out3', 'cr');
SELECT DISTINCT who, super, what FROM cr.log ORDER BY 1;
TRUNCATE cr.log;

-- 6. A sequence swapped for a view after the catalog was read (the
-- tester's F2): here mallory's statistics expression does it while the
-- foreign-key probe, run as mallory, plans over her table, before the run
-- records sequence values with the caller's rights. The run fails instead
-- of reading the view.
CREATE SCHEMA cs AUTHORIZATION cr_mallory;
SET ROLE cr_mallory;
CREATE TABLE cs.parent (id int PRIMARY KEY);
CREATE TABLE cs.child (id int, parent_id int REFERENCES cs.parent);
INSERT INTO cs.child VALUES (1, NULL);
CREATE SEQUENCE cs.mseq;
CREATE FUNCTION cs.swap() RETURNS int LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    IF to_regclass('cs.mseq_old') IS NULL THEN
        ALTER SEQUENCE cs.mseq RENAME TO mseq_old;
        CREATE VIEW cs.mseq AS SELECT cr.payload('sequence view')::bigint AS last_value,
                                      true AS is_called;
    END IF;
    RETURN 0;
END $$;
CREATE FUNCTION cs.k() RETURNS int LANGUAGE plpgsql IMMUTABLE
    AS $$ BEGIN RETURN cs.swap(); END $$;
CREATE STATISTICS cs.trap ON (id + cs.k()), parent_id FROM cs.child;
RESET ROLE;
SELECT expect_error($$SELECT * FROM scrub_to_schema(
    '{"child": ["id", "parent_id"], "parent": []}', 'cr_out4', 'cs')$$);
SELECT count(*) AS payload_runs FROM cr.log;
SELECT rolsuper AS mallory_is_superuser FROM pg_roles WHERE rolname = 'cr_mallory';

-- 7. A type renamed and replaced after the catalog was read (the tester's
-- F4): a domain CHECK of a_first, run as mallory while a_first is copied,
-- replaces the domain payments.amount uses. The scratch table would get
-- the new type and the kept amounts would be cast into it; the run fails.
CREATE SCHEMA ct AUTHORIZATION cr_mallory;
SET ROLE cr_mallory;
CREATE DOMAIN ct.amount AS numeric(12,2);
CREATE TABLE ct.armed ();
CREATE FUNCTION ct.swap(text) RETURNS bool LANGUAGE plpgsql AS $$
BEGIN
    IF to_regtype('ct.amount_orig') IS NULL AND EXISTS (SELECT FROM ct.armed) THEN
        ALTER DOMAIN ct.amount RENAME TO amount_orig;
        CREATE DOMAIN ct.amount AS int;
    END IF;
    RETURN true;
END $$;
CREATE DOMAIN ct.trigger_d AS text CHECK (ct.swap(VALUE));
CREATE TABLE ct.a_first (id int, t ct.trigger_d);
INSERT INTO ct.a_first VALUES (1, 'x');
CREATE TABLE ct.payments (id int, amount ct.amount, note varchar(20));
INSERT INTO ct.payments VALUES (1, 12.34, 'a'), (2, 99.99, 'b');
INSERT INTO ct.armed DEFAULT VALUES;
RESET ROLE;
SELECT expect_error($$SELECT * FROM scrub_to_schema(
    '{"a_first": ["id"], "payments": ["id", "amount"]}', 'cr_out5', 'ct')$$);
SELECT to_regnamespace('cr_out5') AS target_built, to_regtype('ct.amount_orig') AS swapped;

-- 8. A target schema that another role made, with a table _scrub_run in
-- it and objects elsewhere that depend on it (the tester's F7): the run
-- refuses to replace a target it does not own, and drops nothing.
CREATE SCHEMA cr_forged AUTHORIZATION cr_mallory;
SET ROLE cr_mallory;
CREATE TABLE cr_forged._scrub_run (x int);
CREATE FUNCTION cr_forged.f() RETURNS int LANGUAGE sql AS 'SELECT 1';
CREATE TABLE cr.uses_forged (a int DEFAULT cr_forged.f());
RESET ROLE;
SELECT expect_error($$SELECT * FROM scrub_to_schema('{"notes": ["id"]}', 'cr_forged', 'cr')$$);
SELECT to_regprocedure('cr_forged.f()') IS NOT NULL AS function_kept,
       pg_get_expr(d.adbin, d.adrelid) AS default_kept
  FROM pg_attrdef d WHERE d.adrelid = 'cr.uses_forged'::regclass;
-- A target the caller built is replaced as before.
SELECT table_name FROM scrub_to_schema('{"notes": ["id"]}', 'cr_out', 'cr');

SELECT rolsuper AS mallory_is_superuser FROM pg_roles WHERE rolname = 'cr_mallory';
