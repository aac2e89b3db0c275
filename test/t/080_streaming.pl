# The streaming export: scrub-dump with an allowlist plans, checks and
# reads everything from one exported snapshot, writes nothing to the
# source, and gives an artifact that restores like the scratch schema's.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use ScrubTest;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('streaming');
$node->init;
# Nothing else writes WAL while the source is watched.
$node->append_conf('postgresql.conf', "autovacuum = off\ncheckpoint_timeout = '1h'\n");
$node->start;
my $dir = PostgreSQL::Test::Utils::tempdir();

$node->safe_psql('postgres', 'CREATE DATABASE src');
$node->safe_psql('src', q{
CREATE EXTENSION scrub;
CREATE TABLE people (
    id serial PRIMARY KEY,
    email text NOT NULL CONSTRAINT email_has_at CHECK (email LIKE '%@%'),
    full_name text,
    note text);
CREATE UNIQUE INDEX people_email ON people (email);
INSERT INTO people (email, full_name, note)
SELECT 'user' || g || '@example.com', 'Person ' || g, E'tab\there, newline\nthere, back\\slash ' || g
  FROM generate_series(1, 500) AS g;
CREATE TABLE orders (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    person int NOT NULL REFERENCES people,
    total numeric(10, 2),
    memo text);
INSERT INTO orders (person, total, memo) SELECT 1 + g % 500, g / 7.0, 'memo ' || g FROM generate_series(1, 3000) AS g;
CREATE TABLE audit (id int, payload jsonb);
INSERT INTO audit SELECT g, jsonb_build_object('k', g) FROM generate_series(1, 10) AS g;
CREATE TABLE mood (id int PRIMARY KEY, mood text CONSTRAINT happy CHECK (mood IN ('happy', 'sad')));
INSERT INTO mood VALUES (1, 'happy'), (2, 'sad');
});
my $allowlist = "$dir/allowlist.json";
write_file($allowlist, '{"people": ["id", "email"], "orders": ["id", "person", "total"], "audit": [],
    "mood": ["id", "mood"]}');
my $conn = $node->connstr('src');

sub restore_into
{
    my ($db, @command) = @_;
    $node->safe_psql('postgres', qq{CREATE DATABASE "$db"});
    return run_tool(@command, $node->connstr($db));
}

# --- nothing written to the source ---------------------------------------

# Reading a page with dead tuples prunes it, which is WAL-logged whoever
# reads: statistics first, then no dead tuple anywhere (catalogs included).
$node->safe_psql('src', 'ANALYZE');
$node->safe_psql('src', 'VACUUM (FREEZE)');
$node->safe_psql('src', 'CHECKPOINT');
my $watch = q{SELECT pg_current_wal_lsn(),
    (SELECT count(*) FROM pg_class), (SELECT count(*) FROM pg_namespace),
    (SELECT sum(n_tup_ins + n_tup_upd + n_tup_del) FROM pg_stat_user_tables)};
my $before = $node->safe_psql('src', $watch);
my ($status, $stdout, $stderr) = run_tool('scrub-dump', '-d', $conn, '-a', $allowlist, '-o', "$dir/one.sql");
is($status, 0, 'a streaming dump succeeds') or diag($stderr);
like($stderr, qr/^scrub-dump: wrote .*: 3 tables with rows, 3502 rows, 2 sequences$/m,
    'the summary counts the streamed rows');
my $after = $node->safe_psql('src', $watch);
is($after, $before, 'no WAL, no relation, no schema, no row written to the source');
is($node->safe_psql('src', q{SELECT count(*) FROM pg_namespace WHERE nspname = 'scrubbed' OR nspname LIKE 'scrub_build%'}),
    '0', 'no scratch schema was built');
my $text = read_file("$dir/one.sql");
like($text, qr/rows\n-- streamed, both from one snapshot/, 'the header says the rows were streamed');
unlike($text, qr/Person \d+|memo \d+|newline/, 'scrubbed values are not in the artifact');
like($text, qr/^SELECT pg_catalog\.setval\('public\.people_id_seq', 500, true\);$/m,
    'the sequences are set to their source values');

# --- restorable, and equal to the scratch schema's export ------------------

($status, $stdout, $stderr) = restore_into('r_psql', 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-1',
    '-f', "$dir/one.sql", '-d');
is($status, 0, 'the artifact restores with psql -1 -f') or diag($stderr);
($status, $stdout, $stderr) = restore_into('r_one', 'scrub-restore', "$dir/one.sql", '-d');
is($status, 0, 'the artifact restores with scrub-restore') or diag($stderr);

$node->safe_psql('src', qq{SELECT count(*) FROM scrub_to_schema(pg_read_file('$allowlist')::jsonb)});
($status, $stdout, $stderr) = run_tool('scrub-dump', '-d', $conn, '--from-schema', '-o', "$dir/scratch.sql");
is($status, 0, 'the --from-schema dump succeeds') or diag($stderr);
($status, $stdout, $stderr) = restore_into('r_scratch', 'scrub-restore', "$dir/scratch.sql", '-d');
is($status, 0, 'and restores') or diag($stderr);
my $contents = q{SELECT (SELECT count(*) FROM people) || ' ' || (SELECT count(*) FROM orders) || ' '
    || (SELECT count(*) FROM audit) || ' ' || (SELECT count(*) FROM mood) || ' '
    || (SELECT md5(string_agg(id || ':' || email, ',' ORDER BY id)) FROM people) || ' '
    || (SELECT md5(string_agg(id || ':' || person || ':' || total, ',' ORDER BY id)) FROM orders) || ' '
    || (SELECT count(DISTINCT full_name) FROM people) || ' ' || (SELECT count(*) FROM people WHERE note LIKE '%there%')
};
my $next_id = q{SELECT nextval('people_id_seq')};
my $expected = $node->safe_psql('r_scratch', $contents);
is($node->safe_psql('r_one', $contents), $expected,
    'the streamed copy has the rows, kept values, fakes and sequences of the scratch schema\'s');
is($node->safe_psql('r_psql', $contents), $expected, 'so has the copy psql -1 -f restored');
is($node->safe_psql('r_one', $next_id), '501', 'the sequences go on from their source values');
$node->safe_psql('src', 'DROP SCHEMA scrubbed CASCADE');

# --- --jobs 2 and --compress -------------------------------------------------

($status, $stdout, $stderr) = run_tool('scrub-dump', '-d', $conn, '-a', $allowlist, '-o', "$dir/two.sql", '--jobs', '2');
is($status, 0, '--jobs 2 succeeds') or diag($stderr);
# From the data section's heading to the last setval().
my $data = sub { my ($t) = @_; $t =~ /(-- Data: scrubbed rows\n.*\nSELECT pg_catalog\.setval\([^\n]*)/s or return ''; return $1 };
isnt($data->($text), '', 'the artifact has a data section');
is($data->(read_file("$dir/two.sql")), $data->($text), '--jobs 2 writes the same data section in the same order');
($status, $stdout, $stderr) = restore_into('r_two', 'scrub-restore', "$dir/two.sql", '-d');
is($status, 0, 'the --jobs 2 artifact restores') or diag($stderr);
is($node->safe_psql('r_two', $contents), $expected, 'to the same copy');

($status, $stdout, $stderr) = run_tool('scrub-dump', '-d', $conn, '-a', $allowlist, '-o', "$dir/gz.sql.gz",
    '--compress', '-j', '2');
is($status, 0, '--compress succeeds') or diag($stderr);
is(unpack('H4', substr(read_file("$dir/gz.sql.gz"), 0, 2)), '1f8b', 'the artifact is gzip');
($status, $stdout, $stderr) = restore_into('r_gz', 'scrub-restore', "$dir/gz.sql.gz", '-d');
is($status, 0, 'scrub-restore reads the compressed artifact') or diag($stderr);
is($node->safe_psql('r_gz', $contents), $expected, 'to the same copy');
write_file("$dir/cut.sql.gz", substr(read_file("$dir/gz.sql.gz"), 0, 200));
($status, $stdout, $stderr) = restore_into('r_cut', 'scrub-restore', "$dir/cut.sql.gz", '-d');
is($status, 1, 'a cut compressed artifact is refused');
like($stderr, qr/cannot be decompressed|incomplete/, 'naming why');

SKIP:
{
    skip 'zstd is not installed', 3 unless system('sh', '-c', 'command -v zstd >/dev/null') == 0;
    ($status, $stdout, $stderr) = run_tool('scrub-dump', '-d', $conn, '-a', $allowlist, '-o', "$dir/z.sql.zst",
        '--compress=zstd');
    is($status, 0, '--compress=zstd succeeds') or diag($stderr);
    ($status, $stdout, $stderr) = restore_into('r_zst', 'scrub-restore', "$dir/z.sql.zst", '-d');
    is($status, 0, 'scrub-restore reads the zstd artifact') or diag($stderr);
    is($node->safe_psql('r_zst', $contents), $expected, 'to the same copy');
}
# No table copied with rows: the structure alone.
write_file("$dir/none.json", '{"people": [], "orders": [], "mood": []}');
($status, $stdout, $stderr) = run_tool('scrub-dump', '-d', $conn, '-a', "$dir/none.json", '-o', "$dir/none.sql");
is($status, 0, 'an allowlist copying no rows streams the structure alone') or diag($stderr);
($status, $stdout, $stderr) = restore_into('r_none', 'scrub-restore', "$dir/none.sql", '-d');
is($status, 0, 'and restores') or diag($stderr);
for my $bad (['--jobs', '0'], ['--jobs=x'], ['--compress=lz4'])
{
    ($status, $stdout, $stderr) = run_tool('scrub-dump', '-d', $conn, '-a', $allowlist, '-o', "$dir/u.sql", @$bad);
    is($status, 2, "@$bad is a usage error");
}

# --- a check that fails: nothing written -------------------------------------

write_file("$dir/bad.json", '{"people": ["id", "email"], "mood": ["id"]}');
($status, $stdout, $stderr) = run_tool('scrub-dump', '-d', $conn, '-a', "$dir/bad.json", '-o', "$dir/bad.sql");
is($status, 1, 'a CHECK that a fake breaks fails the dump');
like($stderr, qr/violate check constraints.*\n.*Constraint "happy" of table "public\.mood"/,
    'naming the constraint');
ok(!-e "$dir/bad.sql", 'and writes no artifact');
is(join(' ', grep { /^\.bad\.sql/ } dir_entries($dir)), '', 'nor leaves a temporary directory');

# --- the snapshot follows the locks -------------------------------------------

# A schema change committed while the dump waits for its locks is in the
# copy: the tables are locked before the transaction takes its snapshot.
my $blocker = $node->background_psql('src');
$blocker->query_safe('BEGIN; ALTER TABLE mood ADD COLUMN extra int DEFAULT 7;');
my ($out, $err) = ('', '');
my $harness = IPC::Run::start([ 'scrub-dump', '-d', $conn, '-a', $allowlist, '-o', "$dir/ddl.sql" ],
    '<', \undef, '>', \$out, '2>', \$err);
ok($node->poll_query_until('src', q{SELECT EXISTS (SELECT FROM pg_locks WHERE NOT granted AND relation = 'mood'::regclass)}),
    'the dump waits for its lock on a table being altered');
$blocker->query_safe('COMMIT');
$harness->finish;
is($harness->result(0), 0, 'and then succeeds') or diag($err);
($status, $stdout, $stderr) = restore_into('r_ddl', 'scrub-restore', "$dir/ddl.sql", '-d');
is($status, 0, 'its artifact restores') or diag($stderr);
is($node->safe_psql('r_ddl', q{SELECT count(extra) FROM mood}), '2', 'with the column added meanwhile');
$node->safe_psql('src', 'ALTER TABLE mood DROP COLUMN extra');

# --- the snapshot: a writer during the streaming changes nothing -------------

# The orders' row filter waits on an advisory lock this test holds: the
# dump stops inside the first COPY (largest table first, one job), after
# its snapshot, before the people's rows are read. Rows written then are
# not in the copy.
$node->safe_psql('src', q{CREATE FUNCTION gate() RETURNS boolean LANGUAGE plpgsql AS $$
    BEGIN PERFORM pg_advisory_lock_shared(4242); PERFORM pg_advisory_unlock_shared(4242); RETURN true; END $$});
write_file("$dir/gated.json", '{"people": ["id", "email"], "mood": ["id", "mood"],
    "orders": {"rows": {"where": "public.gate()"}, "columns": {"id": "keep", "person": "keep", "total": "keep"}}}');
my $gate = $node->background_psql('src');
$gate->query_safe('SELECT pg_advisory_lock(4242)');
($out, $err) = ('', '');
$harness = IPC::Run::start([ 'scrub-dump', '-d', $conn, '-a', "$dir/gated.json", '-o', "$dir/snap.sql", '-j', '1' ],
    '<', \undef, '>', \$out, '2>', \$err);
ok($node->poll_query_until('src', q{SELECT EXISTS (SELECT FROM pg_locks WHERE NOT granted AND locktype = 'advisory')}),
    'the dump is streaming the orders, held by the gate');
$node->safe_psql('src', q{INSERT INTO people (email) VALUES ('late@example.com');
    INSERT INTO orders (person, total) VALUES (1, 1); UPDATE people SET email = 'x' || email WHERE id < 10});
$gate->query_safe('SELECT pg_advisory_unlock(4242)');
$gate->quit;
$harness->finish;
is($harness->result(0), 0, 'the dump finishes') or diag($err);
($status, $stdout, $stderr) = restore_into('r_snap', 'scrub-restore', "$dir/snap.sql", '-d');
is($status, 0, 'and restores') or diag($stderr);
is($node->safe_psql('r_snap', $contents), $expected, 'without the rows written after its snapshot');
is($node->safe_psql('r_snap', q{SELECT count(*) FROM people WHERE email LIKE 'x%'}), '0',
    'nor the update');
# Sequences are not transactional: read, as pg_dump reads them, when the
# export gets to them, at or past every value a row of the snapshot holds.
cmp_ok($node->safe_psql('r_snap', $next_id), '>=', 501, 'its sequences go on past every copied key');

# --- SIGTERM while a worker streams ------------------------------------------

$gate = $node->background_psql('src');
$gate->query_safe('SELECT pg_advisory_lock(4242)');
($out, $err) = ('', '');
$harness = IPC::Run::start([ 'scrub-dump', '-d', $conn, '-a', "$dir/gated.json", '-o', "$dir/term.sql", '-j', '2' ],
    '<', \undef, '>', \$out, '2>', \$err);
ok($node->poll_query_until('src', q{SELECT EXISTS (SELECT FROM pg_locks WHERE NOT granted AND locktype = 'advisory')}),
    'SIGTERM: the dump is held inside a COPY');
$harness->signal('TERM');
$harness->finish;
is($harness->full_result(0) >> 8, 143, 'SIGTERM mid-stream: exit 128+15');
like($err, qr/interrupted by SIGTERM/, 'SIGTERM mid-stream: scrub-dump says so');
ok($node->poll_query_until('src', q{SELECT NOT EXISTS (SELECT FROM pg_locks WHERE NOT granted)}),
    'SIGTERM mid-stream: the worker\'s COPY is cancelled on the server');
ok($node->poll_query_until('src', q{SELECT NOT EXISTS (SELECT FROM pg_stat_activity
    WHERE datname = 'src' AND state = 'idle in transaction' AND pid <> pg_backend_pid())}),
    'SIGTERM mid-stream: the exporting transaction is gone');
ok(!-e "$dir/term.sql", 'SIGTERM mid-stream: no artifact');
is(join(' ', grep { /^\.term\.sql/ } dir_entries($dir)), '', 'SIGTERM mid-stream: no temporary directory');
$gate->query_safe('SELECT pg_advisory_unlock(4242)');
$gate->quit;

# --- another owner: the scratch schema's path, with the owner's rights -------

$node->safe_psql('src', q{CREATE ROLE stream_owner; ALTER TABLE mood OWNER TO stream_owner});
($status, $stdout, $stderr) = run_tool('scrub-dump', '-d', $conn, '-a', $allowlist, '-o', "$dir/owner.sql");
is($status, 0, 'a table of another owner: the dump succeeds') or diag($stderr);
like(read_file("$dir/owner.sql"), qr/rows from\n-- the scrub scratch schema/,
    'through scrub_to_schema, which runs the copy as the owner');

# --- the fixtures: the streamed copy is the scratch schema's copy ------------

# Every awkward object kind (fidelity), a real sample database (northwind)
# and the demo app: restored from a streamed artifact and from the scratch
# schema's (--via-schema), the two copies hold the same rows, fakes
# included (both are functions of the row number in the same scan order).
sub data_of
{
    my ($db) = @_;
    my ($status, $stdout, $stderr) = run_tool('pg_dump', '--data-only', '-d', $node->connstr($db));
    die $stderr if $status;
    $stdout =~ s/^\\(un)?restrict .*$//mg;
    return $stdout;
}
for my $name (qw(fidelity northwind sample_app))
{
    load_fixture($node, "f_$name", fixture("$name.sql"));
    my $list = fixture("$name.allowlist.json");
    ($status, $stdout, $stderr) = run_tool('scrub-dump', '-d', $node->connstr("f_$name"), '-a', $list,
        '-o', "$dir/$name.stream.sql", '-j', '2');
    is($status, 0, "$name: the streaming dump succeeds") or diag($stderr);
    ($status, $stdout, $stderr) = run_tool('scrub-dump', '-d', $node->connstr("f_$name"), '-a', $list,
        '-o', "$dir/$name.via.sql", '--via-schema');
    is($status, 0, "$name: the --via-schema dump succeeds") or diag($stderr);
    ($status, $stdout, $stderr) = restore_into("s_$name", 'scrub-restore', "$dir/$name.stream.sql", '-d');
    is($status, 0, "$name: the streamed artifact restores") or diag($stderr);
    ($status, $stdout, $stderr) = restore_into("v_$name", 'scrub-restore', "$dir/$name.via.sql", '-d');
    is($status, 0, "$name: the --via-schema artifact restores") or diag($stderr);
    is(data_of("s_$name"), data_of("v_$name"), "$name: both copies hold the same rows");
}

done_testing();
