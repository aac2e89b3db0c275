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
SELECT has_function_privilege('public', 'scrub_to_schema(jsonb,text,text)', 'EXECUTE') AS public_can_execute;
