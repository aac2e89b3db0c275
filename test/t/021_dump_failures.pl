# scrub-dump and scrub-restore when things go wrong: bad allowlists, an
# unreachable server, an unwritable output directory, a server that dies
# mid-dump, a dump killed mid-way, a non-empty or corrupt restore target.
# In every case OUTPUT keeps its previous content, no temporary file is
# left (except after SIGKILL, which the next run cleans up) and a restore
# leaves the target database as it was.
#
# "Mid-dump" without timing: a session holds an ACCESS EXCLUSIVE lock on a
# scratch table, so scrub-dump's export blocks on it after the structure
# has been written to its temporary file; the test waits until the lock
# wait shows in pg_locks, then acts.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use IPC::Run ();
use ScrubTest;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('dump_failures');
$node->init;
$node->start;
load_fixture($node, 'app', fixture('sample_app.sql'));
my $conn = $node->connstr('app');
my $allowlist = fixture('sample_app.allowlist.json');
my $dir = PostgreSQL::Test::Utils::tempdir();
my $output = "$dir/app.sql";
my $previous = "previous artifact\n";

# OUTPUT holds an older artifact; after a failure it must be untouched and
# nothing else may be in the directory.
sub reset_output
{
    write_file($output, $previous);
}

sub output_untouched
{
    my ($label) = @_;
    is(read_file($output), $previous, "$label: the previous output file is unchanged");
    is(join(' ', dir_entries($dir)), 'app.sql', "$label: no temporary file is left");
}

sub scratch_finished_at
{
    return $node->safe_psql('app', 'SELECT finished_at FROM scrubbed._scrub_run');
}

# --- usage --------------------------------------------------------------

my ($status, $stdout, $stderr) = run_tool('scrub-dump', '--help');
is($status, 0, '--help exits 0');
like($stdout, qr/Exit status:.*\n\s+2\s+usage error/s, '--help documents the exit codes');
($status, undef, $stderr) = run_tool('scrub-dump', '-o', $output);
is($status, 2, 'a missing allowlist option is a usage error (exit 2)');
($status, undef, $stderr) = run_tool('scrub-restore', '--help');
is($status, 0, 'scrub-restore --help exits 0');
($status, undef, $stderr) = run_tool('scrub-restore', '--bogus', $output);
is($status, 2, 'scrub-restore: an unknown option is a usage error (exit 2)');

# --- bad allowlists -----------------------------------------------------

reset_output();
($status, undef, $stderr) = run_tool('scrub-dump', '-d', $conn, '-a', "$dir/missing.json", '-o', $output);
is($status, 2, 'an allowlist file that does not exist is a usage error (exit 2)');
like($stderr, qr/cannot read allowlist file/, 'the error names the unreadable allowlist');
output_untouched('missing allowlist');

write_file("$dir/../malformed.json", '{"users": ["id"');
($status, undef, $stderr) = run_tool('scrub-dump', '-d', $conn, '-a', "$dir/../malformed.json", '-o', $output);
is($status, 1, 'a malformed allowlist fails the dump (exit 1)');
like($stderr, qr/ERROR:  invalid input syntax for type json/, 'the server reports the malformed JSON');
output_untouched('malformed allowlist');

write_file("$dir/../wrong_shape.json", '{"users": "id"}');
($status, undef, $stderr) = run_tool('scrub-dump', '-d', $conn, '-a', "$dir/../wrong_shape.json", '-o', $output);
is($status, 1, 'an allowlist of the wrong shape fails the dump (exit 1)');
like($stderr, qr/ERROR:  .*allowlist/, 'scrub_to_schema reports the allowlist error');
output_untouched('allowlist of the wrong shape');

write_file("$dir/../unknown.json", '{"users": ["id", "no_such_column"], "no_such_table": ["id"]}');
($status, undef, $stderr) = run_tool('scrub-dump', '-d', $conn, '-a', "$dir/../unknown.json", '-o', $output);
is($status, 1, 'an allowlist naming missing objects fails the dump (exit 1)');
like($stderr, qr/no_such_table/, 'the error names the missing table');
like($stderr, qr/no_such_column/, 'the error names the missing column');
output_untouched('unknown table');
is($node->safe_psql('app', q{SELECT count(*) FROM pg_namespace WHERE nspname = 'scrubbed'}), '0',
    'a failed run leaves no scratch schema');

# --- connection and output directory -----------------------------------

($status, undef, $stderr) = run_tool('scrub-dump', '-d', "host=$dir port=1 dbname=app", '-a', $allowlist,
    '-o', $output);
is($status, 1, 'an unreachable server fails the dump (exit 1)');
like($stderr, qr/connection to server .* failed/, 'the error is the connection failure');
output_untouched('unreachable server');

my $locked_dir = "$dir/../readonly";
mkdir $locked_dir;
chmod 0555, $locked_dir;
SKIP:
{
    skip 'running as root: directory permissions are not enforced', 3 if $> == 0;
    ($status, undef, $stderr) = run_tool('scrub-dump', '-d', $conn, '-a', $allowlist, '-o', "$locked_dir/app.sql");
    is($status, 1, 'an unwritable output directory fails the dump (exit 1)');
    like($stderr, qr/not writable/, 'the error says the directory is not writable');
    is(join(' ', dir_entries($locked_dir)), '', 'nothing is written into the unwritable directory');
}
($status, undef, $stderr) = run_tool('scrub-dump', '-d', $conn, '-a', $allowlist, '-o', "$dir/no/such/dir/app.sql");
is($status, 1, 'a missing output directory fails the dump (exit 1)');

($status, undef, $stderr) = run_tool('scrub-dump', '-d', $conn, '--from-schema', '-o', $output);
is($status, 1, '--from-schema without a scratch schema fails (exit 1)');
like($stderr, qr/does not exist or holds no scrub manifest/, '--from-schema says the scratch schema is missing');
output_untouched('--from-schema without a scratch schema');

# libpq environment instead of -d.
($status, undef, $stderr) = run_tool('env', "PGHOST=" . $node->host, "PGPORT=" . $node->port, 'PGDATABASE=app',
    'scrub-dump', '-a', $allowlist, '-o', $output, '--via-schema');
is($status, 0, 'scrub-dump connects through the libpq environment') or diag($stderr);
like(read_file($output), qr/\n-- scrub artifact end\n\z/, 'the artifact is complete');
my $good = read_file($output);
$previous = $good;

# --- a server that dies mid-dump, and signals -----------------------------

# Starts scrub-dump --from-schema blocked on a lock the returned session
# holds; returns the harness once scrub-dump is waiting.
sub start_blocked_dump
{
    my ($table) = @_;
    my $session = $node->background_psql('app');
    $session->query_safe("BEGIN; LOCK TABLE $table IN ACCESS EXCLUSIVE MODE;");
    my ($out, $err) = ('', '');
    my $harness = IPC::Run::start([ 'scrub-dump', '-d', $conn, '--from-schema', '-o', $output ],
        '<', \undef, '>', \$out, '2>', \$err);
    ok($node->poll_query_until('postgres', "SELECT EXISTS (SELECT FROM pg_locks WHERE NOT granted)"),
        "scrub-dump waits on the lock on $table");
    my @temp = grep { /^\.app\.sql\.scrub-tmp\./ } dir_entries($dir);
    is(scalar @temp, 1, 'mid-dump: scrub-dump works in a temporary directory beside OUTPUT');
    ok(-s "$dir/$temp[0]/artifact.sql", 'mid-dump: the temporary artifact already holds the structure');
    return ($harness, $session, \$err);
}

my $finished_at = scratch_finished_at();
my ($harness, $session, $err) = start_blocked_dump('scrubbed.users');
$node->stop('immediate');
$harness->finish;
isnt($harness->result(0), 0, 'a server that dies mid-dump fails the dump');
like($$err, qr/error/, 'and scrub-dump reports the failure');
output_untouched('server died mid-dump');
eval { $session->quit };
$node->start;

($harness, $session, $err) = start_blocked_dump('scrubbed.users');
$harness->signal('TERM');
$harness->finish;
is($harness->full_result(0) >> 8, 143, 'SIGTERM mid-dump: scrub-dump exits with 128+15');
like($$err, qr/interrupted by SIGTERM/, 'SIGTERM mid-dump: scrub-dump says it was interrupted');
output_untouched('SIGTERM mid-dump');
ok($node->poll_query_until('postgres', "SELECT NOT EXISTS (SELECT FROM pg_locks WHERE NOT granted)"),
    'SIGTERM mid-dump: the blocked query is cancelled on the server');
$session->query_safe('COMMIT');

# SIGTERM while scrub_to_schema runs (blocked on a source table): the run
# is cancelled, so the previous scratch schema stays.
$session->query_safe('BEGIN; LOCK TABLE public.users IN ACCESS EXCLUSIVE MODE;');
my ($out2, $err2) = ('', '');
$harness = IPC::Run::start([ 'scrub-dump', '-d', $conn, '-a', $allowlist, '-o', $output ],
    '<', \undef, '>', \$out2, '2>', \$err2);
ok($node->poll_query_until('postgres', "SELECT EXISTS (SELECT FROM pg_locks WHERE NOT granted)"),
    'scrub_to_schema waits on the lock on public.users');
$harness->signal('TERM');
$harness->finish;
is($harness->full_result(0) >> 8, 143, 'SIGTERM during scrub_to_schema: exit 128+15');
ok($node->poll_query_until('postgres', "SELECT NOT EXISTS (SELECT FROM pg_locks WHERE NOT granted)"),
    'SIGTERM during scrub_to_schema: the run is cancelled on the server');
$session->query_safe('COMMIT');
is(scratch_finished_at(), $finished_at, 'SIGTERM during scrub_to_schema: the previous scratch schema stays');
output_untouched('SIGTERM during scrub_to_schema');

# The same signal sent to the whole process group (a closed terminal, a
# service manager stopping a job) reaches psql too: it must still be
# scrub-dump that stops the run, so the server cancels it instead of
# finishing it unobserved once the lock goes.
$session->query_safe('BEGIN; LOCK TABLE public.users IN ACCESS EXCLUSIVE MODE;');
my ($out3, $err3) = ('', '');
$harness = IPC::Run::start([ 'setsid', 'scrub-dump', '-d', $conn, '-a', $allowlist, '-o', $output ],
    '<', \undef, '>', \$out3, '2>', \$err3);
ok($node->poll_query_until('postgres', "SELECT EXISTS (SELECT FROM pg_locks WHERE NOT granted)"),
    'process group: scrub_to_schema waits on the lock on public.users');
my $dump_pid = $harness->{KIDS}[0]{PID};
my ($group) = (read_file("/proc/$dump_pid/stat") =~ /^\d+ \(.*\) \S+ \d+ (\d+)/);
kill 'TERM', -$group;
$harness->finish;
is($harness->full_result(0) >> 8, 143, 'process group SIGTERM: exit 128+15');
ok($node->poll_query_until('postgres', "SELECT NOT EXISTS (SELECT FROM pg_locks WHERE NOT granted)"),
    'process group SIGTERM: the run is cancelled on the server');
$session->query_safe('COMMIT');
ok($node->poll_query_until('postgres',
        "SELECT NOT EXISTS (SELECT FROM pg_stat_activity WHERE query LIKE 'scrub_to_schema%')"),
    'process group SIGTERM: no run is left behind');
is(scratch_finished_at(), $finished_at, 'process group SIGTERM: the previous scratch schema stays');
output_untouched('process group SIGTERM');

# SIGKILL cannot be trapped: the temporary directory stays, OUTPUT does
# not change, and the next run to the same OUTPUT removes the leftover.
($harness, $session, $err) = start_blocked_dump('scrubbed.users');
$harness->signal('KILL');
# The orphaned psql child still holds scrub-dump's output pipes: let it
# finish (into the temporary file) before reaping.
$session->query_safe('COMMIT');
$session->quit;
$harness->finish;
is(read_file($output), $previous, 'SIGKILL mid-dump: OUTPUT is unchanged');
is(scalar(grep { /^\.app\.sql\.scrub-tmp\./ } dir_entries($dir)), 1,
    'SIGKILL mid-dump: the temporary directory is left behind');
($status, undef, $stderr) = run_tool('scrub-dump', '-d', $conn, '--from-schema', '-o', $output);
is($status, 0, 'the next scrub-dump succeeds') or diag($stderr);
is(join(' ', dir_entries($dir)), 'app.sql', 'the next scrub-dump removed the leftover of the killed run');
my $artifact = read_file($output);

# --- scrub-restore ---------------------------------------------------------

$node->safe_psql('postgres', 'CREATE DATABASE target');
my $target = $node->connstr('target');
$node->safe_psql('target', q{CREATE TABLE public.mine (note text); INSERT INTO public.mine VALUES ('keep me');});
($status, undef, $stderr) = run_tool('scrub-restore', '-d', $target, $output);
is($status, 3, 'scrub-restore into a non-empty database refuses (exit 3)');
like($stderr, qr/database "target" is not empty.*\n.*--clean/, 'the refusal explains itself and suggests --clean');
is($node->safe_psql('target', q{SELECT string_agg(relname, ',') FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'}),
    'mine', 'the refused database is unchanged');

# A corrupt artifact: one row of the users data replaced by garbage.
(my $corrupt = $artifact) =~ s/^(COPY public\.users .*\n(?:.*\n){5}).*\n/$1garbage\n/m
  or die 'users data not found';
write_file("$dir/../corrupt.sql", $corrupt);
($status, undef, $stderr) = run_tool('scrub-restore', '-d', $target, '--clean', "$dir/../corrupt.sql");
is($status, 1, 'scrub-restore --clean of a corrupt artifact fails (exit 1)');
like($stderr, qr/ERROR:.*\n(?:.*\n)*scrub-restore: error: restore failed/, 'the SQL error and the failure are reported');
is($node->safe_psql('target', 'SELECT string_agg(note, \',\') FROM public.mine'), 'keep me',
    'a failed --clean restore leaves the database unchanged (one transaction)');
is($node->safe_psql('target', q{SELECT count(*) FROM pg_class WHERE relname = 'users'}), '0',
    'a failed restore leaves none of the artifact behind');

$node->safe_psql('postgres', 'CREATE DATABASE empty');
($status, undef, $stderr) = run_tool('scrub-restore', '-d', $node->connstr('empty'), "$dir/../corrupt.sql");
is($status, 1, 'scrub-restore of a corrupt artifact into an empty database fails');
is($node->safe_psql('empty', q{SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace}), '0',
    'the empty database stays empty');

# A truncated artifact (a dump cut short by hand) is refused up front.
write_file("$dir/../truncated.sql", substr($artifact, 0, length($artifact) / 2));
($status, undef, $stderr) = run_tool('scrub-restore', '-d', $node->connstr('empty'), "$dir/../truncated.sql");
is($status, 1, 'a truncated artifact is refused');
like($stderr, qr/incomplete/, 'the refusal says the artifact is incomplete');

# --clean never empties a source database (one with the scrub extension).
my $app_tables = $node->safe_psql('app', q{SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace});
($status, undef, $stderr) = run_tool('scrub-restore', '-d', $conn, '--clean', $output);
is($status, 1, 'scrub-restore --clean into a database with the scrub extension fails');
like($stderr, qr/refusing to clean a database where the scrub extension is installed/,
    'the refusal says why');
is($node->safe_psql('app', q{SELECT count(*) FROM pg_class WHERE relnamespace = 'public'::regnamespace}),
    $app_tables, 'the source database is untouched');

# --clean replaces the contents of a non-empty database.
($status, undef, $stderr) = run_tool('scrub-restore', '-d', $target, '--clean', $output);
is($status, 0, 'scrub-restore --clean into a non-empty database succeeds') or diag($stderr);
is($node->safe_psql('target', q{SELECT count(*) FROM pg_class WHERE relname = 'mine'}), '0',
    '--clean removed the previous contents');
is(schema_dump($node, 'target'), schema_dump($node, 'app', 'scrubbed'),
    '--clean: the schema equals the source\'s');
is($node->safe_psql('target', 'SELECT count(*) FROM public.users'),
    $node->safe_psql('app', 'SELECT count(*) FROM public.users'), '--clean: the rows are restored');

done_testing();
