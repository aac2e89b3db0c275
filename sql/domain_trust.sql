-- Faking a column of a domain casts the fake into the domain, which runs
-- the domain's CHECK. A table owner could hide code there and wait for a
-- superuser (or a pg_cron job) to run scrub; the copy runs as the table's
-- owner, so that code never has more than its author's rights
-- (owner_rights tests the model in depth).
CREATE ROLE scrub_evil;
CREATE SCHEMA evs AUTHORIZATION scrub_evil;
SET ROLE scrub_evil;
CREATE FUNCTION evs.chk(text) RETURNS bool LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) THEN
        EXECUTE 'ALTER ROLE scrub_evil SUPERUSER';
    END IF;
    RETURN true;
END $$;
CREATE DOMAIN evs.email AS text CHECK (evs.chk(VALUE));
CREATE FUNCTION evs.same(text, text) RETURNS bool LANGUAGE sql AS 'SELECT true';
CREATE OPERATOR evs.=== (leftarg = text, rightarg = text, function = evs.same);
CREATE DOMAIN evs.code AS text CHECK (VALUE OPERATOR(evs.===) 'x');
CREATE DOMAIN evs.nested AS evs.email;
CREATE TABLE evs.users (id int, email evs.email, code evs.code, tags evs.nested[], note text);
INSERT INTO evs.users VALUES (1, 'a@example.com', 'x', ARRAY['t'], 'n');
RESET ROLE;

-- A superuser's run fakes the columns: the checks run as scrub_evil.
SELECT table_name, rows_copied FROM scrub_to_schema('{"users": ["id"]}', 'evs_copy', 'evs');
SELECT rolsuper AS escalated FROM pg_roles WHERE rolname = 'scrub_evil';

-- Columns kept verbatim are not cast, so nothing runs.
SELECT table_name, rows_copied
  FROM scrub_to_schema('{"users": ["id", "email", "code", "tags"]}', 'evs_copy', 'evs');
SELECT rolsuper AS escalated FROM pg_roles WHERE rolname = 'scrub_evil';

-- A SECURITY DEFINER check runs with its owner's rights, not the caller's.
ALTER FUNCTION evs.chk(text) SECURITY DEFINER;
SELECT table_name, rows_copied
  FROM scrub_to_schema('{"users": ["id", "code"]}', 'evs_copy', 'evs');
SELECT rolsuper AS escalated FROM pg_roles WHERE rolname = 'scrub_evil';

-- The functions' owner may run scrub itself over its own tables.
ALTER FUNCTION evs.chk(text) SECURITY INVOKER;
GRANT EXECUTE ON FUNCTION scrub_to_schema(jsonb, text, text, boolean, boolean) TO scrub_evil;
SELECT format('GRANT CREATE ON DATABASE %I TO scrub_evil', current_database()) \gexec
SET ROLE scrub_evil;
SELECT table_name, rows_copied FROM scrub_to_schema('{"users": ["id"]}', 'evs_own', 'evs');
RESET ROLE;
SELECT rolsuper AS escalated FROM pg_roles WHERE rolname = 'scrub_evil';

SET client_min_messages = warning;
DROP SCHEMA evs_copy, evs_own, evs CASCADE;
SELECT format('REVOKE CREATE ON DATABASE %I FROM scrub_evil', current_database()) \gexec
REVOKE EXECUTE ON FUNCTION scrub_to_schema(jsonb, text, text, boolean, boolean) FROM scrub_evil;
DROP ROLE scrub_evil;
RESET client_min_messages;
