# What other roles and other users of the same host can plant: a
# directory in a shared TMPDIR that points scrub-verify's cleanup at a
# running server, a schema made to look like a scratch schema so that
# pg_dump leaves it out, and a TimeZone that means another zone on each
# host.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use ScrubTest;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('shared_hosts');
$node->init;
$node->start;
my $dir = PostgreSQL::Test::Utils::tempdir();
my $tmp = PostgreSQL::Test::Utils::tempdir();

$node->safe_psql('postgres', 'CREATE DATABASE app; CREATE ROLE alice LOGIN');
$node->safe_psql('app', q{
    CREATE EXTENSION scrub;
    CREATE TABLE public.users (id int PRIMARY KEY, email text);
    INSERT INTO public.users VALUES (1, 'a@example.com'), (2, 'b@example.com');
    CREATE SCHEMA shared;
    CREATE TABLE shared.settings (k text PRIMARY KEY, v text);
    INSERT INTO shared.settings VALUES ('theme', 'dark');
    CREATE FUNCTION shared.answer() RETURNS int LANGUAGE sql AS 'SELECT 42';
    GRANT CREATE, USAGE ON SCHEMA shared TO alice;
});
my $allowlist = "$dir/allowlist.json";
write_file($allowlist, '{"users": ["id"]}');
my $conn = $node->connstr('app');

# A role with CREATE on a schema of the application dresses it up as a
# scratch schema: the schema must still be in the artifact.
$node->safe_psql('app', q{
    SET ROLE alice;
    CREATE TABLE shared._scrub_run (source_schema text, allowlist_sha256 text,
        extension_version text, started_at timestamptz, finished_at timestamptz, backend_pid int);
    CREATE TABLE shared._scrub_tables (x int);
    CREATE TABLE shared._scrub_sequences (x int);
});
my ($status, undef, $stderr) = run_tool('scrub-dump', '-d', $conn, '-a', $allowlist, '-o', "$dir/a.sql");
is($status, 0, 'scrub-dump writes the artifact') or diag($stderr);
like(read_file("$dir/a.sql"), qr/CREATE TABLE shared\.settings/,
    'a schema dressed up as a scratch schema by another role stays in the artifact');
like(read_file("$dir/a.sql"), qr/CREATE FUNCTION shared\.answer\(\)/, 'with its function');

# A superuser's restore runs the artifact's constraint code with its
# rights: scrub-restore says so, and an ordinary role's restore does not.
$node->safe_psql('postgres', 'CREATE DATABASE copy_su; CREATE ROLE dev LOGIN; CREATE DATABASE copy_dev OWNER dev');
($status, undef, $stderr) = run_tool('scrub-restore', '-d', $node->connstr('copy_su'), "$dir/a.sql");
is($status, 0, 'a superuser restores the artifact') or diag($stderr);
like($stderr, qr/warning: restoring as a superuser runs the artifact's CHECK/, 'with a warning saying why');
run_tool('scrub-dump', '-d', $conn, '-a', $allowlist, '-o', "$dir/plain.sql", '--no-owner', '--no-privileges');
($status, undef, $stderr) =
  run_tool('scrub-restore', '-d', $node->connstr('copy_dev') . ' user=dev', "$dir/plain.sql");
is($status, 0, 'an ordinary role restores a --no-owner --no-privileges artifact') or diag($stderr);
unlike($stderr, qr/restoring as a superuser/, 'without the warning');

# A directory planted in the shared TMPDIR, named like a scrub-verify
# leftover of a process that is gone (pid 1 cannot be signalled, as
# another user's live process), whose data directory leads to a running
# server: scrub-verify must not stop that server.
my $other = PostgreSQL::Test::Cluster->new('bystander');
$other->init;
$other->start;
mkdir "$tmp/scrub-verify.1.planted" or die;
symlink($other->data_dir, "$tmp/scrub-verify.1.planted/data") or die;
symlink($other->data_dir, "$tmp/scrub-verify.1.linked") or die;
{
    local $ENV{TMPDIR} = $tmp;
    ($status, undef, $stderr) = run_tool('scrub-verify', "$dir/a.sql");
}
is($status, 0, 'scrub-verify verifies the artifact') or diag($stderr);
is($other->safe_psql('postgres', 'SELECT 1'), '1',
    'a server that planted leftovers lead to keeps running');
ok(-d "$tmp/scrub-verify.1.planted" && -l "$tmp/scrub-verify.1.linked",
    'what scrub-verify did not make is left alone');
$other->stop;

# TimeZone 'localtime' names each host's own zone: refused, naming it.
$node->safe_psql('postgres', q{ALTER DATABASE app SET TimeZone = 'localtime'});
write_file("$dir/b.sql", "previous\n");
($status, undef, $stderr) = run_tool('scrub-dump', '-d', $conn, '-a', $allowlist, '-o', "$dir/b.sql");
is($status, 1, 'a session in TimeZone localtime is refused');
like($stderr, qr/TimeZone is "localtime", which means another zone on each host.*\nHINT:  Set an explicit zone/s,
    'the error says why and how to fix it');
is(read_file("$dir/b.sql"), "previous\n", 'the output file is unchanged');

done_testing();
