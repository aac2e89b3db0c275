-- scrub upgrade from 0.1.0 to 0.2.0
\echo Use "ALTER EXTENSION scrub UPDATE TO '0.2.0'" to load this file. \quit

-- scrub_to_schema gains the parameters strict and leak_check: the
-- function is made again, with the SET clauses, comment and privileges of
-- a fresh install (output styles pinned as pg_dump pins them). EXECUTE
-- granted on the old one goes with it, and is not granted again here: what
-- an extension script grants is recorded as the extension's initial
-- privileges (pg_init_privs), which pg_dump leaves out, so dumps of the
-- database would silently lose those grants. Instead every grantee of
-- EXECUTE on the old function (PUBLIC included) other than its owner and
-- the extension's initial privileges gets a WARNING naming it, with the
-- GRANT to run after the update. Names are read from the catalog and
-- quoted with %I / quote_ident; every name the block uses is qualified.
DO $grants$
DECLARE
    lost record;
BEGIN
    FOR lost IN
        SELECT g.who,
               pg_catalog.format('GRANT EXECUTE ON FUNCTION %I.scrub_to_schema(jsonb, text, text, boolean, boolean) TO %s%s;',
                                 n.nspname, g.grantee,
                                 CASE WHEN g.grantable THEN ' WITH GRANT OPTION' ELSE '' END) AS statement
          FROM pg_catalog.pg_extension AS e
          JOIN pg_catalog.pg_depend AS d
            ON d.refclassid OPERATOR(pg_catalog.=) CAST('pg_catalog.pg_extension' AS pg_catalog.regclass)
           AND d.refobjid OPERATOR(pg_catalog.=) e.oid
           AND d.classid OPERATOR(pg_catalog.=) CAST('pg_catalog.pg_proc' AS pg_catalog.regclass)
           AND d.deptype OPERATOR(pg_catalog.=) 'e'
          JOIN pg_catalog.pg_proc AS p ON p.oid OPERATOR(pg_catalog.=) d.objid
          JOIN pg_catalog.pg_namespace AS n ON n.oid OPERATOR(pg_catalog.=) p.pronamespace
         CROSS JOIN LATERAL (
            SELECT CASE WHEN a.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC'
                        ELSE pg_catalog.quote_ident(pg_catalog.min(CAST(r.rolname AS pg_catalog.text))) END AS grantee,
                   CASE WHEN a.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC'
                        ELSE 'role ' OPERATOR(pg_catalog.||)
                             pg_catalog.quote_ident(pg_catalog.min(CAST(r.rolname AS pg_catalog.text))) END AS who,
                   pg_catalog.bool_or(a.is_grantable) AS grantable
              FROM pg_catalog.aclexplode(p.proacl) AS a
              LEFT JOIN pg_catalog.pg_roles AS r ON r.oid OPERATOR(pg_catalog.=) a.grantee
             WHERE a.privilege_type OPERATOR(pg_catalog.=) 'EXECUTE'
               AND a.grantee OPERATOR(pg_catalog.<>) p.proowner
               AND NOT EXISTS (
                       SELECT FROM pg_catalog.pg_init_privs AS i
                        CROSS JOIN LATERAL pg_catalog.aclexplode(i.initprivs) AS ia
                        WHERE i.classoid OPERATOR(pg_catalog.=) CAST('pg_catalog.pg_proc' AS pg_catalog.regclass)
                          AND i.objoid OPERATOR(pg_catalog.=) p.oid
                          AND i.objsubid OPERATOR(pg_catalog.=) 0
                          AND ia.grantee OPERATOR(pg_catalog.=) a.grantee
                          AND ia.privilege_type OPERATOR(pg_catalog.=) 'EXECUTE')
             GROUP BY a.grantee) AS g
         WHERE e.extname OPERATOR(pg_catalog.=) 'scrub'
           AND p.proname OPERATOR(pg_catalog.=) 'scrub_to_schema'
           AND p.pronargs OPERATOR(pg_catalog.=) 3
         ORDER BY g.grantee COLLATE pg_catalog."C"
    LOOP
        RAISE WARNING '% loses EXECUTE on scrub_to_schema: the update replaces the function', lost.who
            USING DETAIL = 'scrub 0.2.0 drops scrub_to_schema(jsonb, text, text) and creates '
                           'scrub_to_schema(jsonb, text, text, boolean, boolean); '
                           'privileges granted on the old function are not carried over.',
                  HINT = pg_catalog.format('After the update, run: %s', lost.statement);
    END LOOP;
END
$grants$;

DROP FUNCTION scrub_to_schema(jsonb, text, text);

CREATE FUNCTION scrub_to_schema(
    allowlist jsonb,
    target_schema text DEFAULT 'scrubbed',
    source_schema text DEFAULT 'public',
    strict boolean DEFAULT false,
    leak_check boolean DEFAULT false)
RETURNS TABLE (
    table_name text,
    rows_copied bigint,
    columns_kept integer,
    columns_scrubbed integer,
    milliseconds double precision)
AS 'MODULE_PATHNAME', 'scrub_to_schema'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET row_security = off
SET client_min_messages = warning
SET jit = off
SET DateStyle = 'ISO, YMD'
SET IntervalStyle = postgres
SET extra_float_digits = 3
SET lc_monetary = 'C'
SET xmloption = content;

COMMENT ON FUNCTION scrub_to_schema(jsonb, text, text, boolean, boolean) IS
    'build a scrubbed copy of source_schema in target_schema, driven by an allowlist';

-- Running scrub reads every listed table in full: grant it deliberately.
REVOKE ALL ON FUNCTION scrub_to_schema(jsonb, text, text, boolean, boolean) FROM PUBLIC;

-- The dry run: what scrub_to_schema would do with each column of every
-- table it covers, and every problem it would fail on. Writes nothing,
-- takes no lock beyond what reading the catalog and counting rows takes.
CREATE FUNCTION scrub_plan(
    allowlist jsonb,
    source_schema text DEFAULT 'public',
    strict boolean DEFAULT false)
RETURNS TABLE (
    table_name text,
    column_name text,
    type text,
    decision text,
    reason text,
    why text,
    problem text)
AS 'MODULE_PATHNAME', 'scrub_plan'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET row_security = off
SET client_min_messages = warning
SET jit = off
SET DateStyle = 'ISO, YMD'
SET IntervalStyle = postgres
SET extra_float_digits = 3
SET lc_monetary = 'C'
SET xmloption = content;

COMMENT ON FUNCTION scrub_plan(jsonb, text, boolean) IS
    'what scrub_to_schema would do with each column, and what it would fail on, without running it';

-- It counts rows as the tables' owners: grant it as deliberately.
REVOKE ALL ON FUNCTION scrub_plan(jsonb, text, boolean) FROM PUBLIC;

-- The definition of a table that decides whether rows taken from it still
-- restore into it: for the table and every partition in its tree, columns
-- (type, typmod, collation, NOT NULL, identity, generation expression, and
-- the constraints and labels of the domains and enums they use), CHECK,
-- UNIQUE, PRIMARY KEY, FOREIGN KEY and exclusion constraints, unique,
-- expression and partial indexes (a restore evaluates them over the rows),
-- partition key and bounds. A run records it per copied table in
-- _scrub_tables.source_signature; scrub-dump --from-schema compares it
-- with the table's current one and refuses a scratch schema built before a
-- migration. Readable text, so two signatures can be diffed.
CREATE FUNCTION scrub_table_signature(relation pg_catalog.regclass) RETURNS pg_catalog.text
LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $function$
WITH RECURSIVE relations AS (
    SELECT c.oid, c.relkind, c.relpartbound
      FROM pg_catalog.pg_class c
     WHERE c.oid OPERATOR(pg_catalog.=) relation
        OR c.oid OPERATOR(pg_catalog.=) ANY (ARRAY(
               SELECT t.relid FROM pg_catalog.pg_partition_tree(relation) t))),
types (relid, attnum, typid, depth) AS (
    SELECT a.attrelid, a.attnum, a.atttypid, 0
      FROM pg_catalog.pg_attribute a JOIN relations r ON r.oid OPERATOR(pg_catalog.=) a.attrelid
     WHERE a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped
  UNION ALL
    SELECT s.relid, s.attnum,
           CASE WHEN t.typtype OPERATOR(pg_catalog.=) 'd' THEN t.typbasetype ELSE t.typelem END,
           s.depth OPERATOR(pg_catalog.+) 1
      FROM types s JOIN pg_catalog.pg_type t ON t.oid OPERATOR(pg_catalog.=) s.typid
     WHERE s.depth OPERATOR(pg_catalog.<) 32
       AND (t.typtype OPERATOR(pg_catalog.=) 'd'
            OR (t.typelem OPERATOR(pg_catalog.<>) 0
                AND t.typsubscript OPERATOR(pg_catalog.=) CAST('pg_catalog.array_subscript_handler' AS pg_catalog.regproc)))),
type_lines AS (
    SELECT s.relid, s.attnum,
           pg_catalog.string_agg(pg_catalog.concat_ws(' ',
               pg_catalog.format_type(t.typid, NULL),
               CASE WHEN y.typnotnull THEN 'not null' END,
               (SELECT pg_catalog.string_agg(pg_catalog.concat_ws(' ', pg_catalog.quote_ident(k.conname),
                                             pg_catalog.pg_get_constraintdef(k.oid)), ', ' ORDER BY k.conname)
                  FROM pg_catalog.pg_constraint k WHERE k.contypid OPERATOR(pg_catalog.=) t.typid),
               (SELECT 'labels ' OPERATOR(pg_catalog.||) pg_catalog.string_agg(pg_catalog.quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder)
                  FROM pg_catalog.pg_enum e WHERE e.enumtypid OPERATOR(pg_catalog.=) t.typid)),
               '; ' ORDER BY s.depth) AS line
      FROM types s
      JOIN pg_catalog.pg_type y ON y.oid OPERATOR(pg_catalog.=) s.typid
     CROSS JOIN LATERAL (SELECT s.typid) AS t (typid)
     GROUP BY s.relid, s.attnum),
lines (relid, section, position, line) AS (
    SELECT r.oid, 0, 0,
           pg_catalog.concat_ws(' ', 'relation', CAST(CAST(r.oid AS pg_catalog.regclass) AS pg_catalog.text),
               'kind', CAST(r.relkind AS pg_catalog.text),
               'bound', pg_catalog.pg_get_expr(r.relpartbound, r.oid),
               'key', pg_catalog.pg_get_partkeydef(r.oid))
      FROM relations r
  UNION ALL
    SELECT a.attrelid, 1, a.attnum,
           pg_catalog.concat_ws(' ', 'column', pg_catalog.quote_ident(a.attname),
               pg_catalog.format_type(a.atttypid, a.atttypmod),
               (SELECT 'collate ' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(n.nspname)
                       OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(l.collname)
                  FROM pg_catalog.pg_collation l
                  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) l.collnamespace
                 WHERE l.oid OPERATOR(pg_catalog.=) a.attcollation),
               CASE WHEN a.attnotnull THEN 'not null' END,
               CASE WHEN a.attidentity OPERATOR(pg_catalog.<>) '' THEN 'identity ' OPERATOR(pg_catalog.||) CAST(a.attidentity AS pg_catalog.text) END,
               CASE WHEN a.attgenerated OPERATOR(pg_catalog.<>) '' THEN
                   'generated ' OPERATOR(pg_catalog.||) pg_catalog.pg_get_expr(d.adbin, d.adrelid) END,
               'type', t.line)
      FROM pg_catalog.pg_attribute a
      JOIN relations r ON r.oid OPERATOR(pg_catalog.=) a.attrelid
      LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid OPERATOR(pg_catalog.=) a.attrelid
                                       AND d.adnum OPERATOR(pg_catalog.=) a.attnum
      LEFT JOIN type_lines t ON t.relid OPERATOR(pg_catalog.=) a.attrelid
                            AND t.attnum OPERATOR(pg_catalog.=) a.attnum
     WHERE a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped
  UNION ALL
    SELECT k.conrelid, 2, 0,
           pg_catalog.concat_ws(' ', 'constraint', pg_catalog.quote_ident(k.conname),
               pg_catalog.pg_get_constraintdef(k.oid),
               CASE WHEN NOT k.convalidated THEN 'not valid' END)
      FROM pg_catalog.pg_constraint k JOIN relations r ON r.oid OPERATOR(pg_catalog.=) k.conrelid
     WHERE k.contype OPERATOR(pg_catalog.=) ANY (CAST('{c,f,p,u,x}' AS pg_catalog."char"[]))
  UNION ALL
    SELECT i.indrelid, 3, 0, pg_catalog.concat_ws(' ', 'index', pg_catalog.pg_get_indexdef(i.indexrelid))
      FROM pg_catalog.pg_index i JOIN relations r ON r.oid OPERATOR(pg_catalog.=) i.indrelid
     WHERE i.indisunique OR i.indexprs IS NOT NULL OR i.indpred IS NOT NULL)
SELECT pg_catalog.string_agg(l.line, E'\n'
           ORDER BY CAST(CAST(l.relid AS pg_catalog.regclass) AS pg_catalog.text) COLLATE "C",
                    l.section, l.position, l.line COLLATE "C")
  FROM lines l
$function$;

COMMENT ON FUNCTION scrub_table_signature(pg_catalog.regclass) IS
    'the definition of a table that decides whether copied rows restore into it';

-- Value generators of the column rules (docs/allowlist.md). A run calls
-- them qualified with the extension's schema.

-- Realistic fakes from word lists built into the extension: rule is one of
-- email, first_name, last_name, full_name, username, phone, url, ip, text.
-- The value is computed from seed (the row's number) alone, never from a
-- real value; distinct seeds give distinct values until the rule runs out
-- of them within max_length characters, then they repeat. text gives words
-- of about source_length characters. NULL seed: NULL.
CREATE FUNCTION scrub_fake_text(
    rule pg_catalog.text,
    seed pg_catalog.int8,
    max_length pg_catalog.int4 DEFAULT NULL,
    source_length pg_catalog.int4 DEFAULT NULL)
RETURNS pg_catalog.text
AS 'MODULE_PATHNAME', 'scrub_fake_text'
LANGUAGE C IMMUTABLE PARALLEL SAFE;

COMMENT ON FUNCTION scrub_fake_text(pg_catalog.text, pg_catalog.int8, pg_catalog.int4, pg_catalog.int4) IS
    'a realistic fake (email, name, phone, ...) for a row number, never derived from real data';

-- Keyed pseudonyms under a secret key (in the file the superuser-only
-- setting scrub.key_file names): the same value and key
-- give the same pseudonym everywhere; integers and uuids are permuted
-- one-to-one (integers keep their sign and stay within their type), text
-- becomes 16 letters and digits whatever its length, at most max_length
-- characters. Only superusers may call them: nobody else may use them to
-- probe the key. PARALLEL RESTRICTED: a run's permit lives in the backend
-- running the scrub.
CREATE FUNCTION scrub_hash(value pg_catalog.int2) RETURNS pg_catalog.int2
AS 'MODULE_PATHNAME', 'scrub_hash_int2'
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;

CREATE FUNCTION scrub_hash(value pg_catalog.int4) RETURNS pg_catalog.int4
AS 'MODULE_PATHNAME', 'scrub_hash_int4'
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;

CREATE FUNCTION scrub_hash(value pg_catalog.int8) RETURNS pg_catalog.int8
AS 'MODULE_PATHNAME', 'scrub_hash_int8'
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;

CREATE FUNCTION scrub_hash(value pg_catalog.uuid) RETURNS pg_catalog.uuid
AS 'MODULE_PATHNAME', 'scrub_hash_uuid'
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;

-- Not STRICT: a NULL max_length means no limit; a NULL value gives NULL.
CREATE FUNCTION scrub_hash(value pg_catalog.text, max_length pg_catalog.int4 DEFAULT NULL)
RETURNS pg_catalog.text
AS 'MODULE_PATHNAME', 'scrub_hash_text'
LANGUAGE C STABLE PARALLEL RESTRICTED;

-- The same, for a scrub_to_schema run: run_token is the run's permit (a
-- random 128-bit token the run binds as a parameter, never in query
-- text). Anyone may call these, but a token other than that of the run
-- in progress in the backend is refused: code of other roles that runs
-- during a run cannot hash values of its choosing.
CREATE FUNCTION scrub_hash(value pg_catalog.int2, run_token pg_catalog.text)
RETURNS pg_catalog.int2
AS 'MODULE_PATHNAME', 'scrub_hash_int2'
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;

CREATE FUNCTION scrub_hash(value pg_catalog.int4, run_token pg_catalog.text)
RETURNS pg_catalog.int4
AS 'MODULE_PATHNAME', 'scrub_hash_int4'
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;

CREATE FUNCTION scrub_hash(value pg_catalog.int8, run_token pg_catalog.text)
RETURNS pg_catalog.int8
AS 'MODULE_PATHNAME', 'scrub_hash_int8'
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;

CREATE FUNCTION scrub_hash(value pg_catalog.uuid, run_token pg_catalog.text)
RETURNS pg_catalog.uuid
AS 'MODULE_PATHNAME', 'scrub_hash_uuid'
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED;

CREATE FUNCTION scrub_hash(value pg_catalog.text, max_length pg_catalog.int4,
                           run_token pg_catalog.text)
RETURNS pg_catalog.text
AS 'MODULE_PATHNAME', 'scrub_hash_text'
LANGUAGE C STABLE PARALLEL RESTRICTED;

COMMENT ON FUNCTION scrub_hash(pg_catalog.int2) IS
    'keyed pseudonym (scrub.key_file): a one-to-one permutation of smallint keeping the sign';
COMMENT ON FUNCTION scrub_hash(pg_catalog.int4) IS
    'keyed pseudonym (scrub.key_file): a one-to-one permutation of integer keeping the sign';
COMMENT ON FUNCTION scrub_hash(pg_catalog.int8) IS
    'keyed pseudonym (scrub.key_file): a one-to-one permutation of bigint keeping the sign';
COMMENT ON FUNCTION scrub_hash(pg_catalog.uuid) IS
    'keyed pseudonym (scrub.key_file): a one-to-one permutation of uuid';
COMMENT ON FUNCTION scrub_hash(pg_catalog.text, pg_catalog.int4) IS
    'keyed pseudonym (scrub.key_file): 16 letters and digits whatever the value''s length, at most max_length';
COMMENT ON FUNCTION scrub_hash(pg_catalog.int2, pg_catalog.text) IS
    'scrub_hash for a scrub_to_schema run: run_token is the run''s permit';
COMMENT ON FUNCTION scrub_hash(pg_catalog.int4, pg_catalog.text) IS
    'scrub_hash for a scrub_to_schema run: run_token is the run''s permit';
COMMENT ON FUNCTION scrub_hash(pg_catalog.int8, pg_catalog.text) IS
    'scrub_hash for a scrub_to_schema run: run_token is the run''s permit';
COMMENT ON FUNCTION scrub_hash(pg_catalog.uuid, pg_catalog.text) IS
    'scrub_hash for a scrub_to_schema run: run_token is the run''s permit';
COMMENT ON FUNCTION scrub_hash(pg_catalog.text, pg_catalog.int4, pg_catalog.text) IS
    'scrub_hash for a scrub_to_schema run: run_token is the run''s permit';

-- The json rule: the document keeps its shape and the values under the
-- dotted key paths of keep (arrays are walked); every other string becomes
-- a fake made from the key and seed, every other number 0.
CREATE FUNCTION scrub_json_keep(document pg_catalog.jsonb, keep pg_catalog.text[], seed pg_catalog.int8)
RETURNS pg_catalog.jsonb
AS 'MODULE_PATHNAME', 'scrub_json_keep'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION scrub_json_keep(pg_catalog.jsonb, pg_catalog.text[], pg_catalog.int8) IS
    'a json document with its shape and the listed key paths kept, every other value faked';

-- The streaming export (scrub-dump without --from-schema). Each call plans
-- the allowlist as scrub_to_schema does, in the caller's transaction,
-- takes ACCESS SHARE on the tables whose rows are read, and writes nothing.
-- scrub_export_plan: per table copied with rows, the SELECT that yields its
-- scrubbed rows in the order of `columns` (values inlined as literals, no
-- parameters), its owner, whether the caller is that owner, whether it
-- calls scrub_hash, and its size on disk. scrub_export_check: every check
-- scrub_to_schema makes, evaluated as each table's owner over these
-- SELECTs. scrub_export_sequences: every sequence's value, as a run
-- records it. Settings pinned as for scrub_to_schema.
CREATE FUNCTION scrub_export_plan(
    allowlist jsonb,
    source_schema text DEFAULT 'public')
RETURNS TABLE (
    schema_name text,
    table_name text,
    columns text[],
    select_sql text,
    owner_name text,
    owned_by_caller boolean,
    uses_hash boolean,
    estimated_bytes bigint)
AS 'MODULE_PATHNAME', 'scrub_export_plan'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET row_security = off
SET jit = off
SET DateStyle = 'ISO, YMD'
SET IntervalStyle = postgres
SET extra_float_digits = 3
SET lc_monetary = 'C'
SET xmloption = content;

CREATE FUNCTION scrub_export_check(
    allowlist jsonb,
    source_schema text DEFAULT 'public')
RETURNS void
AS 'MODULE_PATHNAME', 'scrub_export_check'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET row_security = off
SET jit = off
SET DateStyle = 'ISO, YMD'
SET IntervalStyle = postgres
SET extra_float_digits = 3
SET lc_monetary = 'C'
SET xmloption = content;

CREATE FUNCTION scrub_export_sequences(
    allowlist jsonb,
    source_schema text DEFAULT 'public')
RETURNS TABLE (
    schema_name text,
    sequence_name text,
    last_value bigint,
    is_called boolean)
AS 'MODULE_PATHNAME', 'scrub_export_sequences'
LANGUAGE C VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
SET row_security = off
SET DateStyle = 'ISO, YMD'
SET IntervalStyle = postgres
SET extra_float_digits = 3
SET lc_monetary = 'C'
SET xmloption = content;

COMMENT ON FUNCTION scrub_export_plan(jsonb, text) IS
    'per table copied with rows, the SELECT of its scrubbed rows, for a streaming export';
COMMENT ON FUNCTION scrub_export_check(jsonb, text) IS
    'every check scrub_to_schema makes, over the scrubbing SELECTs, writing nothing';
COMMENT ON FUNCTION scrub_export_sequences(jsonb, text) IS
    'the value of every sequence a scrubbed copy restores';

-- They read every listed table in full: grant them deliberately.
REVOKE ALL ON FUNCTION scrub_export_plan(jsonb, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION scrub_export_check(jsonb, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION scrub_export_sequences(jsonb, text) FROM PUBLIC;

-- A starter allowlist in the object form: every column of every table of
-- source_schema decided from the catalog alone (names, types, keys,
-- constraints; no row is read), each with a why. Keys are kept; a column
-- whose name or type suggests personal data gets a realistic rule that
-- fits it, else a fake or null; see docs/allowlist.md.
CREATE FUNCTION scrub_suggest(source_schema pg_catalog.text DEFAULT 'public')
RETURNS pg_catalog.jsonb
AS 'MODULE_PATHNAME', 'scrub_suggest'
LANGUAGE C STABLE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp;

COMMENT ON FUNCTION scrub_suggest(pg_catalog.text) IS
    'a starter allowlist deciding every column of a schema, each with a why';

REVOKE ALL ON FUNCTION scrub_suggest(pg_catalog.text) FROM PUBLIC;

-- Its own name, not an overload: a literal document would match both.
CREATE FUNCTION scrub_json_keep_json(document pg_catalog.json, keep pg_catalog.text[], seed pg_catalog.int8)
RETURNS pg_catalog.json
AS 'MODULE_PATHNAME', 'scrub_json_keep_json'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION scrub_json_keep_json(pg_catalog.json, pg_catalog.text[], pg_catalog.int8) IS
    'a json document with its shape and the listed key paths kept, every other value faked; key order, duplicate keys and number text as written';
