-- scrub extension, version 0.1.0
\echo Use "CREATE EXTENSION scrub" to load this file. \quit

-- Builds target_schema from the rows of source_schema: tables the allowlist
-- lists with columns get every row, those columns verbatim and the others
-- faked; every other table gets no rows. See docs/allowlist.md.
--
-- search_path is pinned so that no object a user creates can change what
-- the generated SQL means; row_security is off so that a policy which
-- would hide rows makes the run fail instead of silently dropping them;
-- client_min_messages hides the NOTICE listing the old scratch tables that
-- the swap drops; JIT is off because past jit_above_cost it loads LLVM
-- (tens of MB of backend memory) and compiles longer than a one-pass
-- INSERT ... SELECT saves (bench/memory_growth.sh: 2M rows 9.2 s with JIT,
-- 3.4 s without).
CREATE FUNCTION scrub_to_schema(
    allowlist jsonb,
    target_schema text DEFAULT 'scrubbed',
    source_schema text DEFAULT 'public')
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
SET jit = off;

COMMENT ON FUNCTION scrub_to_schema(jsonb, text, text) IS
    'build a scrubbed copy of source_schema in target_schema, driven by an allowlist';

-- Running scrub reads every listed table in full: grant it deliberately.
REVOKE ALL ON FUNCTION scrub_to_schema(jsonb, text, text) FROM PUBLIC;
