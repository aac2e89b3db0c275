# scrub-dump --verify executes the artifact: every function a CHECK, a
# domain, a generated column, an index expression or a materialized view
# calls runs in the temporary cluster. Whoever could create functions in
# production wrote that code, so it must never run as a superuser there (a
# superuser runs programs as the OS user running scrub-dump with COPY ...
# TO PROGRAM, and reads its files with pg_read_file). The hostile functions
# below try both and report who they ran as; the test asserts that no
# attempt succeeded and that they never ran as a superuser. Ordinary
# artifacts (owners, grants, a policy, trusted extensions, northwind) still
# verify; one that needs a superuser to restore is refused, saying why.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use ScrubTest;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('unprivileged');
$node->init;
$node->start;
my $dir = PostgreSQL::Test::Utils::tempdir();
my $tmp = PostgreSQL::Test::Utils::tempdir();
local $ENV{TMPDIR} = $tmp;
my $pwned = "$dir/pwned";
mkdir $pwned or die "cannot create $pwned: $!";

$node->safe_psql('postgres', 'CREATE DATABASE hostile');
$node->safe_psql('hostile', 'CREATE EXTENSION scrub');
# Roles, owners and grants as production has them: a schema owned by one
# role holding tables owned by another, which has no CREATE on it. The
# schema's owner is a superuser here: a run refuses a schema owned by a
# role that is neither that nor the tables' owner (sql/schema_owners.sql),
# and the verification recreates every role without superuser rights.
$node->safe_psql('hostile', q{
    CREATE ROLE app_owner NOLOGIN;
    CREATE ROLE app_reader NOLOGIN;
    CREATE ROLE "Schema Owner" NOLOGIN SUPERUSER;
    CREATE SCHEMA app AUTHORIZATION "Schema Owner";
    GRANT USAGE ON SCHEMA app TO app_owner, app_reader;
    CREATE EXTENSION citext;
    CREATE EXTENSION hstore WITH SCHEMA app;
    CREATE EXTENSION pg_trgm;
});
# hostile(what) acts only outside the source (no scrub extension there): it
# tries to run a program and to read a server file, and reports in a
# WARNING as whom it ran and what succeeded.
my $hostile = q{
    CREATE FUNCTION public.hostile(what text) RETURNS boolean LANGUAGE plpgsql VOLATILE AS $f$
    DECLARE
        super boolean;
        done text := '';
    BEGIN
        IF EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname OPERATOR(pg_catalog.=) 'scrub') THEN
            RETURN true;
        END IF;
        SELECT r.rolsuper INTO super FROM pg_catalog.pg_roles AS r
         WHERE r.rolname OPERATOR(pg_catalog.=) CAST(current_user AS pg_catalog.text);
        BEGIN
            EXECUTE pg_catalog.format('COPY (SELECT 1) TO PROGRAM %L',
                'touch ' OPERATOR(pg_catalog.||) '@PWNED@/' OPERATOR(pg_catalog.||) what);
            done := done OPERATOR(pg_catalog.||) ' program-ran';
        EXCEPTION WHEN OTHERS THEN NULL;
        END;
        BEGIN
            PERFORM pg_catalog.pg_read_file('PG_VERSION');
            done := done OPERATOR(pg_catalog.||) ' file-read';
        EXCEPTION WHEN OTHERS THEN NULL;
        END;
        RAISE WARNING 'hostile %: current_user=% rolsuper=%', what, current_user,
            CAST(super AS pg_catalog.text) OPERATOR(pg_catalog.||) done;
        RETURN true;
    END
    $f$;
    -- Generated columns and index expressions need an immutable function.
    CREATE FUNCTION public.hostile_imm(what text, n integer) RETURNS integer LANGUAGE sql IMMUTABLE
        AS $f$SELECT CASE WHEN public.hostile(what) THEN n END$f$;
    CREATE DOMAIN public.hostile_int AS integer CHECK (public.hostile('domain'));
    CREATE TABLE app.checked (id integer PRIMARY KEY, n integer CHECK (public.hostile('check')));
    CREATE TABLE app.domained (id integer PRIMARY KEY, n public.hostile_int);
    CREATE TABLE app.generated (id integer PRIMARY KEY,
        g integer GENERATED ALWAYS AS (public.hostile_imm('generated', id)) STORED);
    CREATE TABLE app.indexed (id integer PRIMARY KEY);
    CREATE INDEX indexed_expr ON app.indexed ((public.hostile_imm('index', id)));
    CREATE TABLE app.validated (id integer PRIMARY KEY);
    INSERT INTO app.checked VALUES (1, 1);
    INSERT INTO app.domained VALUES (1, 1);
    INSERT INTO app.generated VALUES (1);
    INSERT INTO app.indexed VALUES (1);
    INSERT INTO app.validated VALUES (1);
    ALTER TABLE app.validated ADD CONSTRAINT later CHECK (public.hostile('validate')) NOT VALID;
    CREATE MATERIALIZED VIEW public.hostile_view AS SELECT public.hostile('matview') AS ok;
    -- Ordinary objects: extension types and operators, owners, grants, a policy.
    CREATE TABLE app.people (id integer PRIMARY KEY, email public.citext, tags app.hstore);
    CREATE INDEX people_email_trgm ON app.people USING gin (CAST(email AS text) public.gin_trgm_ops);
    INSERT INTO app.people VALUES (1, 'A@example.com', 'a=>1');
    ALTER TABLE app.people ENABLE ROW LEVEL SECURITY;
    CREATE POLICY readers ON app.people FOR SELECT TO app_reader USING (id OPERATOR(pg_catalog.>) 0);
    GRANT SELECT ON ALL TABLES IN SCHEMA app TO app_reader;
    ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO app_reader;
};
$hostile =~ s/\@PWNED\@/$pwned/g;
$node->safe_psql('hostile', $hostile);
$node->safe_psql('hostile', q{
    DO $$DECLARE t text; BEGIN
        FOR t IN SELECT c.relname FROM pg_class c WHERE c.relnamespace = 'app'::regnamespace AND c.relkind = 'r' LOOP
            EXECUTE format('ALTER TABLE app.%I OWNER TO app_owner', t);
        END LOOP;
    END$$;
    ALTER FUNCTION public.hostile(text) OWNER TO app_owner;
    ALTER MATERIALIZED VIEW public.hostile_view OWNER TO app_owner;
});
write_file("$dir/hostile.json", q{{
    "checked": ["id", "n"], "domained": ["id", "n"], "generated": ["id"],
    "indexed": ["id"], "validated": ["id"], "people": ["id", "email", "tags"]
}});

my $output = "$dir/hostile.sql";
my ($status, undef, $stderr) = run_tool('scrub-dump', '-d', $node->connstr('hostile'), '--schema', 'app',
    '-a', "$dir/hostile.json", '-o', $output, '--verify');
is($status, 0, '--verify accepts the artifact') or diag($stderr);
is(join(' ', dir_entries($pwned)), '', 'no program ran during the verification');
for my $what (qw(check domain generated index validate matview))
{
    like($stderr, qr/(?:WARNING:  |warning: )hostile \Q$what\E: current_user=\S+ rolsuper=false$/m,
        "the $what function ran, as a role without superuser rights, and could do nothing");
}
unlike($stderr, qr/rolsuper=true|program-ran|file-read/, 'no artifact code ran as a superuser')
    or diag($stderr);
is(join(' ', dir_entries($tmp)), '', 'the temporary cluster is removed');

# The artifact as written keeps its owners and grants: scrub-restore as a
# superuser gives the source's structure back.
like(read_file($output), qr/^ALTER TABLE app\.people OWNER TO app_owner;$/m, 'the artifact keeps the owners');
like(read_file($output), qr/^GRANT SELECT ON TABLE app\.people TO app_reader;$/m, 'the artifact keeps the grants');

# scrub-verify on its own runs it the same way (no expectations: the roles
# are created from the artifact's own statements).
($status, undef, $stderr) = run_tool('scrub-verify', $output);
is($status, 0, 'scrub-verify on its own accepts the artifact') or diag($stderr);
is(join(' ', dir_entries($pwned)), '', '... and no program ran');
unlike($stderr, qr/rolsuper=true|program-ran|file-read/, '... nor any code as a superuser');

# A statement only a superuser may run: the artifact cannot be verified.
$node->safe_psql('hostile', q{
    CREATE FUNCTION public.on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$BEGIN NULL; END$$;
    CREATE EVENT TRIGGER audit_ddl ON ddl_command_end EXECUTE FUNCTION public.on_ddl();
});
write_file($output, "previous\n");
($status, undef, $stderr) = run_tool('scrub-dump', '-d', $node->connstr('hostile'), '--schema', 'app',
    '-a', "$dir/hostile.json", '-o', $output, '--verify');
is($status, 1, '--verify refuses an artifact that needs a superuser to restore');
like($stderr, qr/ERROR:  permission denied to create event trigger "audit_ddl"/, 'the error names the object');
like($stderr, qr/STATEMENT:  CREATE EVENT TRIGGER audit_ddl /, 'the error shows the statement');
like($stderr, qr/HINT:  .*needs a superuser.*cannot be verified/, 'the hint says why it cannot be verified');
is(read_file($output), "previous\n", 'OUTPUT is unchanged');
is(join(' ', dir_entries($pwned)), '', 'no program ran');
is(join(' ', dir_entries($tmp)), '', 'the temporary cluster is removed');

# The restore leaves the owner and privilege statements out: psql's line
# numbers are still the artifact's.
($status, undef, $stderr) = run_tool('scrub-dump', '-d', $node->connstr('hostile'), '--schema', 'app',
    '-a', "$dir/hostile.json", '-o', $output);
is($status, 0, 'without --verify the artifact is written');
my @lines = split /\n/, read_file($output);
my ($start) = grep { $lines[$_ - 1] =~ /^CREATE EVENT TRIGGER audit_ddl / } 1 .. @lines;
# psql gives the line the statement ends on.
my ($line) = grep { $lines[$_ - 1] =~ /;$/ } $start .. @lines;
($status, undef, $stderr) = run_tool('scrub-verify', $output);
is($status, 1, 'scrub-verify on its own refuses it too');
like($stderr, qr/^  psql:\Q$output\E:$line: ERROR:  permission denied to create event trigger/m,
    'the error names the artifact and the line of the statement');

# Northwind and the sample app, as before.
for my $name (qw(northwind sample_app))
{
    load_fixture($node, $name, fixture("$name.sql"));
    ($status, undef, $stderr) = run_tool('scrub-dump', '-d', $node->connstr($name),
        '-a', fixture("$name.allowlist.json"), '-o', "$dir/$name.sql", '--verify');
    is($status, 0, "--verify accepts $name") or diag($stderr);
}

done_testing();
