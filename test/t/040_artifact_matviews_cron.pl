# Materialized views and server-side extensions in the artifact:
# - every materialized view ends in the state the source had, or stays
#   unpopulated with a warning naming it and saying why: one the source
#   left unpopulated stays so; one reading a foreign table (directly,
#   through a view, a function with an SQL-standard body, a foreign
#   partition, or another such materialized view) is never refreshed; one
#   whose query fails on the fakes is left unpopulated by a WARNING, and
#   the restore still succeeds;
# - pg_cron, with its grants, comments and jobs, stays out of the artifact,
#   which then restores into a cluster where pg_cron is not preloaded; an
#   object that depends on pg_cron fails the dump before anything is
#   written, naming it.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use ScrubTest;
use Test::More;

my $source = PostgreSQL::Test::Cluster->new('mv_source');
$source->init;
$source->append_conf('postgresql.conf', q{
shared_preload_libraries = 'pg_cron'
cron.database_name = 'app'
});
$source->start;
# The restore target: a plain cluster, pg_cron not preloaded.
my $target = PostgreSQL::Test::Cluster->new('mv_target');
$target->init;
$target->start;

my $dir = PostgreSQL::Test::Utils::tempdir();
load_fixture($source, 'app', fixture('sample_app.sql'));
$source->safe_psql('app', q{
    CREATE EXTENSION pg_cron;
    COMMENT ON EXTENSION pg_cron IS 'jobs of the production server';
    CREATE ROLE cron_reader;
    GRANT USAGE ON SCHEMA cron TO cron_reader;
    GRANT SELECT ON cron.job TO cron_reader;
    SELECT cron.schedule('nightly-report', '0 4 * * *', 'SELECT 1');

    CREATE TABLE public.contacts (id int PRIMARY KEY, email text NOT NULL);
    INSERT INTO public.contacts SELECT i, 'person' || i || '@example.com' FROM generate_series(1, 20) i;
    CREATE MATERIALIZED VIEW public.mv_populated AS SELECT count(*) AS n FROM public.contacts;
    CREATE MATERIALIZED VIEW public.mv_unpopulated AS SELECT id FROM public.contacts WITH NO DATA;
    -- Fails once every email is a fake (email_N): division by zero.
    CREATE MATERIALIZED VIEW public.mv_fails_on_fakes AS
        SELECT 1 / (SELECT count(*) FROM public.contacts WHERE email LIKE '%@%')::int AS ratio;
    CREATE MATERIALIZED VIEW public.mv_reads_unpopulated AS SELECT count(*) AS n FROM public.mv_unpopulated WITH NO DATA;

    -- Foreign tables (file_fdw reads /dev/null, so the source can refresh).
    CREATE EXTENSION file_fdw;
    CREATE SERVER files FOREIGN DATA WRAPPER file_fdw;
    CREATE FOREIGN TABLE public.remote_rates (code text, rate numeric) SERVER files OPTIONS (filename '/dev/null');
    CREATE VIEW public.rates_view AS SELECT code, rate FROM public.remote_rates;
    CREATE MATERIALIZED VIEW public.mv_foreign_direct AS SELECT * FROM public.remote_rates;
    CREATE MATERIALIZED VIEW public.mv_foreign_via_view AS SELECT count(*) AS n FROM public.rates_view;
    CREATE FUNCTION public.rate_count() RETURNS bigint LANGUAGE sql STABLE
        BEGIN ATOMIC SELECT count(*) FROM public.remote_rates; END;
    CREATE MATERIALIZED VIEW public.mv_foreign_via_function AS SELECT public.rate_count() AS n;
    CREATE TABLE public.measurements (region text NOT NULL, value int) PARTITION BY LIST (region);
    CREATE TABLE public.measurements_local PARTITION OF public.measurements FOR VALUES IN ('local');
    CREATE FOREIGN TABLE public.measurements_remote PARTITION OF public.measurements FOR VALUES IN ('remote')
        SERVER files OPTIONS (filename '/dev/null');
    CREATE MATERIALIZED VIEW public.mv_foreign_partition AS SELECT count(*) AS n FROM public.measurements;
    CREATE MATERIALIZED VIEW public.mv_reads_foreign_mv AS SELECT n FROM public.mv_foreign_via_view;
});
my $allowlist = "$dir/allowlist.json";
write_file($allowlist, '{"contacts": ["id"], "users": ["id", "organisation_id"], "organisations": ["id"]}');

my $artifact = "$dir/app.sql";
my ($status, undef, $stderr) = run_tool('scrub-dump', '-d', $source->connstr('app'),
    '-a', $allowlist, '-o', $artifact);
is($status, 0, 'scrub-dump succeeds') or diag($stderr);
my $text = read_file($artifact);

# --- pg_cron --------------------------------------------------------------

# Everything after the header comment.
my ($body) = $text =~ /^(-- PostgreSQL database dump.*)/ms;
ok(defined $body && $body !~ /pg_cron|\bcron\.|SCHEMA cron\b|nightly-report|jobs of the production server/,
    'the artifact holds nothing of pg_cron: no extension, schema grants, comment or job')
  or diag(join "\n", grep { /cron/ } split /\n/, $body // $text);
like($text, qr/^-- Left out, .*\n-- extension pg_cron /m, 'the artifact header says pg_cron was left out');

# --- materialized views ---------------------------------------------------

my @foreign = qw(mv_foreign_direct mv_foreign_via_view mv_foreign_via_function mv_foreign_partition
  mv_reads_foreign_mv);
for my $mv (@foreign)
{
    like($stderr, qr/^scrub-dump: warning: materialized view public\.$mv will be left unpopulated: it reads foreign table public\.(remote_rates|measurements_remote)/m,
        "scrub-dump warns that $mv reads a foreign table and stays unpopulated");
    unlike($text, qr/REFRESH MATERIALIZED VIEW public\.$mv\b/, "$mv is never refreshed by the artifact");
}
unlike($stderr, qr/mv_unpopulated|mv_reads_unpopulated/,
    'views the source left unpopulated cause no warning');
unlike($text, qr/REFRESH MATERIALIZED VIEW public\.mv_(unpopulated|reads_unpopulated)\b/,
    'views the source left unpopulated are not refreshed');

$target->safe_psql('postgres', 'CREATE DATABASE copy');
($status, undef, $stderr) = run_tool('scrub-restore', '-d', $target->connstr('copy'), $artifact);
is($status, 0, 'scrub-restore succeeds where pg_cron is not preloaded, despite a failing view')
  or diag($stderr);
like($stderr, qr/WARNING:  materialized view public\.mv_fails_on_fakes is left unpopulated: its query failed on the scrubbed rows: division by zero/,
    'the restore warns, naming the view whose query fails on the fakes and why');

my %state = map { split /\|/ } split /\n/, $target->safe_psql('copy',
    q{SELECT relname, relispopulated FROM pg_class WHERE relkind = 'm'});
my %want = (mv_populated => 't', mv_unpopulated => 'f', mv_fails_on_fakes => 'f',
    mv_reads_unpopulated => 'f', map { $_ => 'f' } @foreign);
is_deeply(\%state, \%want, 'every materialized view is in the expected state after the restore');
is($target->safe_psql('copy', 'SELECT n FROM public.mv_populated'), '20',
    'the populated view is filled from the restored rows');
is($target->safe_psql('copy', q{SELECT count(*) FROM pg_extension WHERE extname = 'pg_cron'}), '0',
    'pg_cron is not installed in the copy');

# psql -1 -f works as well (the failing refresh does not abort the transaction).
$target->safe_psql('postgres', 'CREATE DATABASE copy_psql');
my ($ret, $out, $err) = run_tool('psql', '-X', '-1', '-v', 'ON_ERROR_STOP=1', '-d', $target->connstr('copy_psql'),
    '-f', $artifact);
is($ret, 0, 'psql -1 -v ON_ERROR_STOP=1 -f restores the artifact') or diag($err);

# A source view the source left unpopulated can become populated in the
# source later: then it is refreshed.
$source->safe_psql('app', 'REFRESH MATERIALIZED VIEW public.mv_unpopulated; REFRESH MATERIALIZED VIEW public.mv_reads_unpopulated');
($status, undef, $stderr) = run_tool('scrub-dump', '-d', $source->connstr('app'), '-a', $allowlist, '-o', $artifact);
is($status, 0, 'scrub-dump succeeds after the views were populated') or diag($stderr);
$target->safe_psql('postgres', 'CREATE DATABASE copy2');
($status, undef, $stderr) = run_tool('scrub-restore', '-d', $target->connstr('copy2'), $artifact);
is($status, 0, 'scrub-restore succeeds') or diag($stderr);
is($target->safe_psql('copy2', q{SELECT string_agg(relname || '=' || relispopulated, ' ' ORDER BY relname) FROM pg_class
        WHERE relname IN ('mv_unpopulated', 'mv_reads_unpopulated')}),
    'mv_reads_unpopulated=true mv_unpopulated=true', 'views populated in the source are populated in the copy');

# One populated view reading one the source left unpopulated (its refresh
# would fail): left unpopulated with a warning.
$source->safe_psql('app', 'REFRESH MATERIALIZED VIEW public.mv_unpopulated WITH NO DATA');
($status, undef, $stderr) = run_tool('scrub-dump', '-d', $source->connstr('app'), '-a', $allowlist, '-o', $artifact);
is($status, 0, 'scrub-dump succeeds with a view reading an unpopulated one') or diag($stderr);
like($stderr, qr/^scrub-dump: warning: materialized view public\.mv_reads_unpopulated will be left unpopulated: it reads materialized view public\.mv_unpopulated, which the source left unpopulated/m,
    'scrub-dump warns about a view reading an unpopulated one');

# --- an object depending on pg_cron ------------------------------------------

$source->safe_psql('app', 'CREATE VIEW public.job_names AS SELECT jobname FROM cron.job');
write_file($artifact, "previous\n");
($status, undef, $stderr) = run_tool('scrub-dump', '-d', $source->connstr('app'), '-a', $allowlist, '-o', $artifact);
is($status, 1, 'a view over cron.job fails the dump (exit 1)');
like($stderr, qr/objects depend on extensions the artifact leaves out \(pg_cron\):\n\s+.*view job_names.*table cron\.job of extension pg_cron/,
    'the error names the dependent view and what it depends on');
is(read_file($artifact), "previous\n", 'the output file is unchanged');

done_testing();
