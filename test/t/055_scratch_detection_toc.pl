# What scrub-dump leaves out of pg_dump's output is found by whole names:
# a scratch schema is one holding all three manifest tables (never the
# source schema, whose own table may be called _scrub_run), and every TOC
# pattern matches whole names, wherever the scrub extension lives.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use ScrubTest;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('scratch_detection');
$node->init;
$node->start;
my $dir = PostgreSQL::Test::Utils::tempdir();

$node->safe_psql('postgres', 'CREATE DATABASE src; CREATE ROLE cron_runner');
$node->safe_psql('src', q{
    CREATE TABLE t (id integer PRIMARY KEY, v text);
    INSERT INTO t VALUES (1, 'a'), (2, 'b');
    -- The source's own tables named like manifest tables.
    CREATE TABLE _scrub_run (id integer PRIMARY KEY, note text);
    INSERT INTO _scrub_run VALUES (1, 'mine');
    CREATE TABLE _scrub_tables (id integer);
    -- A schema that holds one manifest name only is no scratch schema.
    CREATE SCHEMA audit;
    CREATE TABLE audit._scrub_run (id integer);
    CREATE TABLE audit.log (id integer PRIMARY KEY);
    -- scrub in a schema whose name has a space; its function granted, and a
    -- user function whose name starts like scrub's, granted too.
    CREATE SCHEMA "scrub ext";
    CREATE EXTENSION scrub SCHEMA "scrub ext";
    GRANT USAGE ON SCHEMA "scrub ext" TO cron_runner;
    GRANT EXECUTE ON FUNCTION "scrub ext".scrub_to_schema(jsonb, text, text, boolean, boolean) TO cron_runner;
    CREATE FUNCTION scrub_to_schema_report() RETURNS integer LANGUAGE sql AS 'SELECT 1';
    REVOKE EXECUTE ON FUNCTION scrub_to_schema_report() FROM PUBLIC;
    GRANT EXECUTE ON FUNCTION scrub_to_schema_report() TO cron_runner;
    -- An older scratch schema, built by scrub_to_schema: left out.
    SELECT count(*) FROM "scrub ext".scrub_to_schema('{"t": ["id"]}', 'old_scratch', 'public');
});
write_file("$dir/allowlist.json", '{"t": ["id", "v"]}');
my ($status, undef, $stderr) = run_tool('scrub-dump', '-d', $node->connstr('src'), '-a', "$dir/allowlist.json",
    '-o', "$dir/src.sql");
is($status, 0, 'scrub-dump exports a source with tables named like manifest tables') or diag($stderr);
my $artifact = read_file("$dir/src.sql");
like($artifact, qr/^CREATE TABLE public\.t /m, 'the source schema is in the artifact');
like($artifact, qr/^CREATE TABLE public\._scrub_run /m, 'with its own table named _scrub_run');
like($artifact, qr/^CREATE TABLE audit\._scrub_run /m, 'a schema with only a _scrub_run is in it too');
unlike($artifact, qr/old_scratch/, 'the older scratch schema is not');
unlike($artifact, qr/^CREATE TABLE scrubbed\./m, 'nor this run\'s');
unlike($artifact, qr/^GRANT .* FUNCTION "scrub ext"\.scrub_to_schema\(/m,
    'the grant on scrub\'s function is left out, its schema\'s name notwithstanding');
like($artifact, qr/^GRANT ALL ON FUNCTION public\.scrub_to_schema_report\(\) TO cron_runner;$/m,
    'the grant on a function whose name only starts like it is kept');

$node->safe_psql('postgres', 'CREATE DATABASE dst');
($status, undef, $stderr) = run_tool('scrub-restore', '-d', $node->connstr('dst'), "$dir/src.sql");
is($status, 0, 'the artifact restores') or diag($stderr);
is($node->safe_psql('dst', 'SELECT count(*) FROM public.t'), '2', 'with the source\'s rows');
is($node->safe_psql('dst', q{SELECT count(*) FROM pg_tables WHERE tablename IN ('_scrub_run', '_scrub_tables')
    AND schemaname IN ('public', 'audit')}), '3', 'and its tables named like manifest tables');

$node->stop;
done_testing();
