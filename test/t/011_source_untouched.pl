# A run never modifies the source: every source table's rows (with their
# physical identity), its write counters in pg_stat_user_tables, its
# storage and the source sequences are the same before and after a run.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $root = $ENV{TESTDIR} or die 'TESTDIR is not set (run through make tapcheck)';

my $node = PostgreSQL::Test::Cluster->new('untouched');
$node->init;
# No autovacuum or autoanalyze: they would change counters and row
# versions behind the test's back.
$node->append_conf('postgresql.conf', 'autovacuum = off');
$node->start;

$node->safe_psql('postgres', 'CREATE EXTENSION scrub');
my ($rc, $out, $err) = $node->psql('postgres', '',
    extra_params => ['-v', 'scale=2', '-f', "$root/test/fixtures/sample_app.sql"]);
is($rc, 0, 'sample_app fixture loaded') or diag($err);

my $allowlist = slurp_file("$root/test/fixtures/sample_app.allowlist.json");
$allowlist =~ s/'/''/g;

my @tables = split /\n/, $node->safe_psql('postgres', q{
    SELECT relname FROM pg_class
     WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p')
     ORDER BY relname});
cmp_ok(scalar @tables, '>=', 5, 'source has tables to check');

# Per table: an md5 over every row with its ctid and xmin, so that an
# update writing identical values, a rewrite or a delete-and-reinsert
# would all show; and the storage file.
sub contents
{
    my $sql = join ' UNION ALL ', map {
        "SELECT '$_', (SELECT md5(coalesce(string_agg(t.ctid::text || t.xmin::text || t::text, ',' "
          . "ORDER BY t.ctid), '')) FROM public.\"$_\" t), "
          . "(SELECT relfilenode FROM pg_class WHERE oid = 'public.\"$_\"'::regclass)"
    } @tables;
    return $node->safe_psql('postgres', "$sql ORDER BY 1");
}

# Write counters of the source tables. Statistics reach shared memory when
# a backend flushes them; every session that wrote has ended or forced a
# flush before this reads them.
sub counters
{
    return $node->safe_psql('postgres', q{
        SELECT relname, n_tup_ins, n_tup_upd, n_tup_del, n_tup_hot_upd, n_live_tup, n_dead_tup
          FROM pg_stat_user_tables WHERE schemaname = 'public' ORDER BY relname});
}

sub sequences
{
    return $node->safe_psql('postgres', q{
        SELECT sequencename, last_value FROM pg_sequences
         WHERE schemaname = 'public' ORDER BY 1});
}

# The loading session's statistics are flushed when it exits; force a
# flush from a fresh session so nothing is pending when "before" is read.
$node->safe_psql('postgres', 'SELECT pg_stat_force_next_flush()');
$node->poll_query_until('postgres', q{
    SELECT sum(n_tup_ins) > 0 FROM pg_stat_user_tables WHERE schemaname = 'public'})
  or die 'statistics of the fixture never arrived';
my ($contents, $counters, $sequences) = (contents(), counters(), sequences());

# The run, in a session that then forces its statistics out before the
# next statement's reply, so the counters read below include the run.
my $report = $node->safe_psql('postgres', qq{
    SELECT count(*) FROM scrub_to_schema('$allowlist');
    SELECT pg_stat_force_next_flush();
    SELECT 1;});
like($report, qr/^\d+/, 'run completed');
cmp_ok($node->safe_psql('postgres',
        "SELECT sum(n_tup_ins) FROM pg_stat_user_tables WHERE schemaname = 'scrubbed'"),
    '>', 0, 'the run\'s own writes are counted, in the scratch schema');

is(contents(), $contents, 'source rows, row versions and storage unchanged');
is(counters(), $counters, 'source write counters unchanged');
is(sequences(), $sequences, 'source sequences unchanged');

# A failed run (injected after two tables) leaves the source alike.
($rc, $out, $err) = $node->psql('postgres', qq{
    SET scrub.debug_fail_after_tables = 2;
    SELECT count(*) FROM scrub_to_schema('$allowlist', 'scrubbed_again');});
isnt($rc, 0, 'injected failure makes the run fail');
like($err, qr/injected failure after 2 tables/, 'the run failed where it was told to');
$node->safe_psql('postgres', 'SELECT pg_stat_force_next_flush(); SELECT 1;');
is(contents(), $contents, 'after a failed run: source rows unchanged');
is(counters(), $counters, 'after a failed run: source write counters unchanged');

# The checks can fail: an update that writes the same value changes both.
$node->safe_psql('postgres', qq{
    UPDATE public.plans SET name = name WHERE id = (SELECT min(id) FROM public.plans);
    SELECT pg_stat_force_next_flush();
    SELECT 1;});
isnt(contents(), $contents, 'a same-value update is seen by the row check');
isnt(counters(), $counters, 'a same-value update is seen by the counters');

$node->stop;
done_testing();
