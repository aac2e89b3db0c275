# A run stopped in the middle (pg_cancel_backend, pg_terminate_backend,
# statement_timeout, a server crash) leaves no partial scratch schema, the
# previous scratch schema as it was, the source untouched, and the next run
# works.
#
# To stop a run at a known point without relying on timing, the source has
# a table b_pause whose scrubbed column is a domain with a CHECK that waits
# for advisory lock 42. Tables are copied in name order, so with the lock
# held elsewhere, a run has copied a_big (300,000 rows) into its build
# schema and waits inside the copy of b_pause; the test then stops it.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('faults');
$node->init;
$node->start;

$node->safe_psql('postgres', q{
    CREATE EXTENSION scrub;
    CREATE FUNCTION public.pause_point(value text) RETURNS boolean
        LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM pg_catalog.pg_advisory_lock(42);
        PERFORM pg_catalog.pg_advisory_unlock(42);
        RETURN true;
    END $$;
    CREATE DOMAIN public.paused_text AS text CHECK (public.pause_point(VALUE));
    CREATE TABLE public.a_big (id bigint PRIMARY KEY, email text, note text);
    INSERT INTO public.a_big
        SELECT i, 'user' || i || '@example.com', repeat('x', 50) FROM generate_series(1, 300000) i;
    CREATE TABLE public.b_pause (id int, note public.paused_text);
    INSERT INTO public.b_pause VALUES (1, 'a note');
    CREATE TABLE public.c_users (id int PRIMARY KEY, email text);
    INSERT INTO public.c_users SELECT i, 'c' || i || '@example.com' FROM generate_series(1, 100) i;
});

my $allowlist = q('{"a_big": ["id", "note"], "b_pause": ["id"], "c_users": ["id"]}');
my $run_sql = "SELECT count(*) FROM scrub_to_schema($allowlist)";

# One checksum per table of a schema, over every row: equal checksums mean
# equal contents.
sub checksums
{
    my ($schema) = @_;
    my $tables = $node->safe_psql('postgres', qq{
        SELECT string_agg(format('SELECT %L, md5(coalesce(string_agg(t::text, '','' ORDER BY t::text), '''')) FROM %I.%I t',
                                 c.relname, n.nspname, c.relname), ' UNION ALL ' ORDER BY c.relname)
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = '$schema' AND c.relkind = 'r'});
    return $node->safe_psql('postgres', "$tables ORDER BY 1");
}

sub scratch_state
{
    return $node->safe_psql('postgres',
        "SELECT finished_at, backend_pid FROM scrubbed._scrub_run")
      . "\n" . checksums('scrubbed');
}

sub build_schemas
{
    return $node->safe_psql('postgres',
        "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'scrub\\_build\\_%'");
}

# Starts a run in a background session while advisory lock 42 is held in
# another, and returns both sessions and the run's pid once the run waits
# inside the copy of b_pause.
sub start_paused_run
{
    my (%opts) = @_;
    my $gate = $node->background_psql('postgres');
    $gate->query_safe('SELECT pg_advisory_lock(42)');
    my $run = $node->background_psql('postgres', on_error_stop => 0);
    $run->query_safe($opts{setup}) if $opts{setup};
    $run->query_until(qr/started/, "\\echo started\n$run_sql;\n");
    return ($gate, $run) if $opts{no_wait};
    $node->poll_query_until('postgres', q{
        SELECT count(*) = 1 FROM pg_locks
         WHERE locktype = 'advisory' AND objid = 42 AND NOT granted})
      or die 'the run never reached b_pause';
    my $pid = $node->safe_psql('postgres', q{
        SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objid = 42 AND NOT granted});
    return ($gate, $run, $pid);
}

# A first, complete run: the scratch schema that later failures must keep.
is($node->safe_psql('postgres', $run_sql), '3', 'first run copies three tables');
my $source = checksums('public');
my $scratch = scratch_state();
is($node->safe_psql('postgres', 'SELECT count(*) FROM scrubbed.a_big'),
    '300000', 'scratch schema holds every row of a_big');

# What must hold after a stopped run: nothing of it left, the earlier
# scratch schema as it was, the source as it was.
sub check_nothing_left
{
    my ($what) = @_;
    is(build_schemas(), '0', "$what: no scrub_build_ schema remains");
    is(scratch_state(), $scratch, "$what: previous scratch schema intact");
    is(checksums('public'), $source, "$what: source untouched");
}

# Cancel: the run's statement fails, its transaction rolls back.
{
    my ($gate, $run, $pid) = start_paused_run();
    # The build schema exists, uncommitted, in the run's transaction.
    ok($node->safe_psql('postgres', "SELECT pg_cancel_backend($pid)") eq 't', 'cancel sent');
    $run->query('SELECT 1');    # waits for the cancelled statement to end
    like($run->{stderr}, qr/canceling statement due to user request/,
        'cancel: the run fails with the cancel error');
    $run->quit;
    $gate->quit;
    check_nothing_left('cancel');
}

# Terminate: the backend exits, its transaction is aborted.
{
    my ($gate, $run, $pid) = start_paused_run();
    # With a timeout, pg_terminate_backend waits for the backend to exit.
    ok($node->safe_psql('postgres', "SELECT pg_terminate_backend($pid, 60000)") eq 't',
        'terminate: signal sent and backend exited');
    is($node->safe_psql('postgres', "SELECT count(*) FROM pg_stat_activity WHERE pid = $pid"),
        '0', 'terminate: the run\'s backend is gone');
    eval { $run->quit };    # psql has lost its connection
    $gate->quit;
    check_nothing_left('terminate');
}

# statement_timeout: the run fails with 57014 and rolls back. With the
# lock held the run cannot finish, so the timeout fires whether the run is
# still copying a_big or already waiting in b_pause.
{
    my ($gate, $run) = start_paused_run(
        setup => "\\set VERBOSITY verbose\nSET statement_timeout = '200ms'",
        no_wait => 1);
    $run->query('SELECT 1');    # returns once the timeout has ended the run
    like($run->{stderr}, qr/ERROR:  57014: canceling statement due to statement timeout/,
        'statement_timeout: the run fails with SQLSTATE 57014');
    $run->quit;
    $gate->quit;
    check_nothing_left('statement_timeout');
}

# A server crash mid-run: crash recovery discards the uncommitted run.
{
    my ($gate, $run, $pid) = start_paused_run();
    $node->stop('immediate');
    eval { $run->quit };
    eval { $gate->quit };
    $node->start;
    check_nothing_left('server crash');
}

# After all that, a run goes through and replaces the scratch schema.
is($node->safe_psql('postgres', $run_sql), '3', 'next run succeeds');
isnt(scratch_state(), $scratch, 'next run replaced the scratch schema');
is(build_schemas(), '0', 'next run: no scrub_build_ schema remains');
is(checksums('public'), $source, 'next run: source untouched');

$node->stop;
done_testing();
