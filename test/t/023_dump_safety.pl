# What must never reach an artifact or make one unrestorable: production
# credentials in user mappings and subscriptions, grants on scrub's own
# function, and rows whose table changed shape since the scratch schema
# was built.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use ScrubTest;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('dump_safety');
$node->init;
$node->start;
load_fixture($node, 'app', fixture('sample_app.sql'));
my $conn = $node->connstr('app');
my $dir = PostgreSQL::Test::Utils::tempdir();
my $allowlist = fixture('sample_app.allowlist.json');

$node->safe_psql('app', q{
    CREATE EXTENSION postgres_fdw;
    CREATE SERVER billing FOREIGN DATA WRAPPER postgres_fdw
        OPTIONS (host 'billing.internal', dbname 'billing');
    CREATE USER MAPPING FOR CURRENT_USER SERVER billing
        OPTIONS (user 'billing_ro', password 'Pr0d-S3cret');
    CREATE PUBLICATION everything FOR ALL TABLES;
    GRANT EXECUTE ON FUNCTION scrub_to_schema(jsonb, text, text, boolean, boolean) TO pg_monitor;
});
$node->safe_psql('app', q{
    CREATE SUBSCRIPTION upstream
        CONNECTION 'host=upstream.internal dbname=app password=Repl-S3cret'
        PUBLICATION everything WITH (connect = false);
});
# A second scratch schema, built by another run, must stay out too.
$node->safe_psql('app', q{SELECT count(*) FROM scrub_to_schema('{"plans": ["id"]}', 'other_copy')});

my $output = "$dir/app.sql";
my ($status, undef, $stderr) = run_tool('scrub-dump', '-d', $conn, '-a', $allowlist, '-o', $output,
    '--via-schema');
is($status, 0, 'scrub-dump succeeds') or diag($stderr);
my $artifact = read_file($output);
unlike($artifact, qr/S3cret/, 'no password from a user mapping or a subscription');
unlike($artifact, qr/USER MAPPING|CREATE SUBSCRIPTION/, 'neither user mappings nor subscriptions');
unlike($artifact, qr/scrub_to_schema/, 'no grant on scrub\'s own function');
unlike($artifact, qr/other_copy/, 'no other scratch schema');
like($artifact, qr/CREATE SERVER billing/, 'the foreign server itself is kept');

$node->safe_psql('postgres', 'CREATE DATABASE copy');
($status, undef, $stderr) = run_tool('scrub-restore', '-d', $node->connstr('copy'), $output);
is($status, 0, 'the artifact restores where scrub is not installed') or diag($stderr);

# A table changed after the scratch schema was built: the export refuses.
$node->safe_psql('app', 'ALTER TABLE public.plans ADD COLUMN tier text');
my $before = read_file($output);
($status, undef, $stderr) = run_tool('scrub-dump', '-d', $conn, '--from-schema', '-o', $output);
is($status, 1, 'scrub-dump --from-schema fails when a copied table changed shape');
like($stderr, qr/source tables changed since the scratch schema was built: public\.plans/,
    'the failure names the table');
is(read_file($output), $before, 'the previous artifact is unchanged');
($status, undef, $stderr) = run_tool('scrub-dump', '-d', $conn, '-a', $allowlist, '-o', $output);
is($status, 0, 'a fresh run exports the new shape') or diag($stderr);

$node->stop;
done_testing();
