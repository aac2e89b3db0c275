# Scheduling with pg_cron, as docs/operations.md shows it: pg_cron runs
# scrub_to_schema inside the database, and scrub-dump --from-schema exports
# the scratch schema it built without scrubbing again.
#
# Debian 12 ships pg_cron 1.4, whose finest schedule is one minute, so the
# wait for the first run is up to a minute; it is bounded by 90 seconds.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use ScrubTest;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('cron');
$node->init;
# Background workers: the test cluster listens on a Unix socket only, and
# pg_cron's default connection to localhost would not reach it.
$node->append_conf('postgresql.conf', q{
shared_preload_libraries = 'pg_cron'
cron.database_name = 'app'
cron.use_background_workers = on
max_worker_processes = 16
});
$node->start;
load_fixture($node, 'app', fixture('sample_app.sql'));
$node->safe_psql('app', 'CREATE EXTENSION pg_cron');
# pg_cron's launcher started before database app existed and may have given
# up on it: a restart starts it with database and extension in place.
$node->restart;
my $allowlist = read_file(fixture('sample_app.allowlist.json'));
$allowlist =~ s/'/''/g;

# A first run by hand, to have a scratch schema the scheduled run replaces.
$node->safe_psql('app', "SELECT count(*) FROM scrub_to_schema('$allowlist')");
my ($before, $before_pid) = split /\|/,
  $node->safe_psql('app', 'SELECT finished_at, backend_pid FROM scrubbed._scrub_run');

my $job = $node->safe_psql('app',
    "SELECT cron.schedule('scrub', '* * * * *', \$\$SELECT count(*) FROM scrub_to_schema('$allowlist')\$\$)");
like($job, qr/^\d+$/, 'cron.schedule accepts the scrub job');

{
    local $PostgreSQL::Test::Utils::timeout_default = 90;
    ok($node->poll_query_until('app',
            "SELECT EXISTS (SELECT FROM cron.job_run_details WHERE jobid = $job AND status IN ('succeeded', 'failed'))"),
        'the scheduled run finishes within 90 seconds')
      or diag($node->safe_psql('app', 'SELECT * FROM cron.job_run_details'),
        scalar `grep -i cron '${\ $node->logfile}' | tail -20`);
}
my ($status, $message) = split /\|/, $node->safe_psql('app',
    "SELECT status, return_message FROM cron.job_run_details WHERE jobid = $job ORDER BY runid LIMIT 1");
is($status, 'succeeded', 'cron.job_run_details reports success') or diag($message);
$node->safe_psql('app', "SELECT cron.unschedule($job)");

my ($after, $after_pid) = split /\|/,
  $node->safe_psql('app', 'SELECT finished_at, backend_pid FROM scrubbed._scrub_run');
is($node->safe_psql('app', "SELECT '$after'::timestamptz > '$before'::timestamptz"), 't',
    'the scheduled run rebuilt the scratch schema (finished_at is newer)');
isnt($after_pid, $before_pid, 'the rebuild was done by another backend (the cron job)');

# Export from the host without scrubbing again.
my $dir = PostgreSQL::Test::Utils::tempdir();
my ($exit, undef, $stderr) = run_tool('scrub-dump', '-d', $node->connstr('app'), '--from-schema',
    '-o', "$dir/app.sql");
is($exit, 0, 'scrub-dump --from-schema exports the scheduled run') or diag($stderr);
is($node->safe_psql('app', 'SELECT finished_at FROM scrubbed._scrub_run'), $after,
    '--from-schema did not run scrub_to_schema again');
my $artifact = read_file("$dir/app.sql");
like($artifact, qr/^--   finished_at:\s+\Q$after\E$/m, 'the artifact header names the scheduled run');
my $users = $node->safe_psql('app', 'SELECT count(*) FROM public.users');
my ($copied) = $artifact =~ /^COPY public\.users \(.*\) FROM stdin;\n(.*?)^\\\.$/ms;
is(scalar(() = ($copied // '') =~ /\n/g), $users, 'the artifact holds every scrubbed users row');
unlike($artifact, qr/pbkdf2_sha256\$/, 'the artifact holds no password hash of the source');

done_testing();
