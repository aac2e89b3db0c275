# What the client tools say about their input and their connection: an
# allowlist file naming a key twice (jsonb would keep the last silently) is
# refused naming the key, at any depth; a UTF-8 byte order mark is accepted;
# a database that does not exist is reported as such, not as a failed run;
# the extension is found in whatever schema it was created in; a target
# without schema public is not a connection failure.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use ScrubTest;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('client_messages');
$node->init;
$node->start;
$node->safe_psql('postgres', 'CREATE DATABASE app');
$node->safe_psql('app', q{
    CREATE TABLE public.t (id integer PRIMARY KEY, email text);
    INSERT INTO public.t SELECT i, 'user' || i || '@example.com' FROM generate_series(1, 5) AS i;
    CREATE SCHEMA tools;
    CREATE EXTENSION scrub SCHEMA tools;
});
my $conn = $node->connstr('app');
my $dir = PostgreSQL::Test::Utils::tempdir();
my $output = "$dir/app.sql";

sub dump_with
{
    my ($content) = @_;
    write_file("$dir/allowlist.json", $content);
    return run_tool('scrub-dump', '-d', $conn, '-a', "$dir/allowlist.json", '-o', $output);
}

# Duplicate keys.
my ($status, undef, $stderr) = dump_with('{"t": [], "t": ["id"]}');
is($status, 1, 'a key named twice fails the dump');
like($stderr, qr/ERROR:  allowlist has duplicate keys/, 'the error says what is wrong');
like($stderr, qr/DETAIL:  Key "t" appears 2 times in the top-level object\./, 'and names the key');
ok(!-e $output, 'nothing is written');
is($node->safe_psql('app', q{SELECT count(*) FROM pg_namespace WHERE nspname = 'scrubbed'}), '0',
    'scrub_to_schema did not run');

($status, undef, $stderr) = dump_with('{"t": ["id"], "other": [{"x": 1, "x": 2}], "t": ["id"]}');
is($status, 1, 'duplicates at any depth fail the dump');
like($stderr, qr/Key "t" appears 2 times in the top-level object\.\n.*Key "x" appears 2 times in \$\."other"\[0\]\./,
    'every duplicate is named, with where it is');

($status, undef, $stderr) = dump_with('{"t": ["id"], "T": ["id"]}');
unlike($stderr, qr/duplicate keys/, 'keys differing in case are not duplicates');

# A UTF-8 byte order mark.
($status, undef, $stderr) = dump_with("\xEF\xBB\xBF" . '{"t": ["id"]}');
is($status, 0, 'an allowlist starting with a UTF-8 byte order mark is accepted') or diag($stderr);
like(read_file($output), qr/^COPY public\.t \(id, email\) FROM stdin;$/m, 'and its tables are copied');

# The extension lives in schema tools: found through pg_extension.
like($stderr, qr/wrote \Q$output\E: 1 tables with rows, 5 rows/, 'the extension is found outside public');

# The user's own PGOPTIONS still apply (here a lock_timeout, while another
# session holds a lock the export needs), and cannot undo the pinning.
# (The dumps above streamed: the scratch schema is built here.)
$node->safe_psql('app', q{SELECT count(*) FROM tools.scrub_to_schema('{"t": ["id"]}')});
my $holder = $node->background_psql('app');
$holder->query_safe('BEGIN; LOCK TABLE scrubbed.t IN ACCESS EXCLUSIVE MODE;');
($status, undef, $stderr) = run_tool('env', 'PGOPTIONS=-c lock_timeout=50ms -c search_path=public',
    'scrub-dump', '-d', $conn, '--from-schema', '-o', "$dir/locked.sql");
is($status, 1, 'a lock_timeout from PGOPTIONS applies to the export');
like($stderr, qr/canceling statement due to lock timeout/, 'the export stops at the timeout');
$holder->query_safe('ROLLBACK;');
$holder->quit;
($status, undef, $stderr) = run_tool('env', 'PGOPTIONS=-c lock_timeout=50ms -c search_path=public',
    'scrub-dump', '-d', $conn, '--from-schema', '-o', "$dir/locked.sql");
is($status, 0, 'with PGOPTIONS setting search_path, the export still works') or diag($stderr);

$node->safe_psql('app', 'DROP EXTENSION scrub CASCADE');
($status, undef, $stderr) = dump_with('{"t": ["id"]}');
is($status, 1, 'a database without the extension fails the dump');
like($stderr, qr/extension "scrub" is not installed in database app/, 'and says so');

# A database that does not exist.
($status, undef, $stderr) = run_tool('scrub-dump', '-d', $node->connstr('no_such_db'),
    '-a', "$dir/allowlist.json", '-o', "$dir/none.sql");
is($status, 1, 'a missing database fails the dump');
like($stderr, qr/database "no_such_db" does not exist/, 'psql\'s message says why');
like($stderr, qr/scrub-dump: error: cannot connect to the database/, 'scrub-dump says it could not connect');
unlike($stderr, qr/scrub_to_schema|scrub run failed/, 'and does not blame the run');

# A connection string whose options would replace the pinned settings.
($status, undef, $stderr) = run_tool('scrub-dump', '-d', $node->connstr('app') . " options='-c work_mem=8MB'",
    '-a', "$dir/allowlist.json", '-o', "$dir/none.sql");
is($status, 1, 'a connection string with options fails the dump');
like($stderr, qr/settings given at connection start \(PGOPTIONS\) did not take effect/, 'and says why');
like($stderr, qr/sets options replaces PGOPTIONS/, 'and what may have caused it');

# scrub-restore: a target without schema public, and a missing target.
$node->safe_psql('postgres', 'CREATE DATABASE nopublic');
$node->safe_psql('nopublic', 'DROP SCHEMA public');
($status, undef, $stderr) = run_tool('scrub-restore', '-d', $node->connstr('nopublic'), $output);
is($status, 1, 'restoring into a database without schema public fails');
unlike($stderr, qr/cannot connect/, 'without claiming it cannot connect');
like($stderr, qr/schema "public" does not exist/, 'the SQL error says what is missing');
like($stderr, qr/has no schema public.*--clean/, 'and the hint says how to fix it');
($status, undef, $stderr) = run_tool('scrub-restore', '--clean', '-d', $node->connstr('nopublic'), $output);
is($status, 0, '--clean creates schema public and restores') or diag($stderr);

($status, undef, $stderr) = run_tool('scrub-restore', '-d', $node->connstr('no_such_db'), $output);
is($status, 1, 'a missing target database fails the restore');
like($stderr, qr/database "no_such_db" does not exist/, 'psql\'s message says why');
like($stderr, qr/scrub-restore: error: cannot connect to the target database/, 'scrub-restore says so');

$node->stop;
done_testing();
