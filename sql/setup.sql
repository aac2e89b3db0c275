-- The extension installs into the first schema of search_path and its one
-- function is reachable without qualification.
CREATE EXTENSION scrub;
SELECT extname, extversion, n.nspname AS schema
  FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
 WHERE extname = 'scrub';
\df scrub_to_schema
-- Pinned settings that make generated SQL immune to the caller's environment.
SELECT proconfig FROM pg_proc WHERE proname = 'scrub_to_schema';
-- Nobody may run it without an explicit grant.
SELECT has_function_privilege('public', 'scrub_to_schema(jsonb, text, text, boolean, boolean)', 'EXECUTE') AS public_can_execute;

-- Test helper: runs a statement that must fail and shows its SQLSTATE, its
-- message and the scrub_to_schema line of its error context (the context
-- also quotes generated SQL, which these tests do not pin down).
CREATE FUNCTION expect_error(statement text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    context text;
BEGIN
    EXECUTE statement;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS context = PG_EXCEPTION_CONTEXT;
    RETURN SQLSTATE || ': ' || SQLERRM || coalesce(' [' ||
        (SELECT string_agg(line, ' / ') FROM regexp_split_to_table(context, E'\n') AS line
          WHERE line LIKE 'scrub_to_schema:%') || ']', '');
END $$;
