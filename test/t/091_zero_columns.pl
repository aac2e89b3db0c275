# A table with rows but no column to copy: none at all (a marker table),
# or only generated columns. Its rows are copied by every path (streaming,
# --jobs, the scratch schema) into an artifact that restores with
# scrub-restore and psql -1 -f: no "()" column list anywhere, and the
# generated column computed again on restore.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use ScrubTest;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('zero_columns');
$node->init;
$node->start;
my $dir = PostgreSQL::Test::Utils::tempdir();

$node->safe_psql('postgres', q{
    CREATE DATABASE prod;
});
$node->safe_psql('prod', q{
    CREATE EXTENSION scrub;
    CREATE TABLE marker ();
    INSERT INTO marker DEFAULT VALUES;
    INSERT INTO marker DEFAULT VALUES;
    CREATE TABLE gonly (a int GENERATED ALWAYS AS (7) STORED);
    INSERT INTO gonly DEFAULT VALUES;
    CREATE TABLE "odd ""name""" (secret text);
    INSERT INTO "odd ""name""" VALUES ('s1'), ('s2'), ('s3');
});
write_file("$dir/allowlist.json",
    '{"marker": {}, "gonly": ["a"], "odd \"name\"": {"columns": {}}}');

my $n = 0;
for my $mode ([], ['--jobs', '2'], ['--via-schema'], ['--verify'])
{
    $n++;
    my $label = @$mode ? join(' ', @$mode) : 'streaming';
    my $artifact = "$dir/zero_$n.sql";
    my ($status, undef, $stderr) = run_tool('scrub-dump', '-d', $node->connstr('prod'),
        '-a', "$dir/allowlist.json", '-o', $artifact, @$mode);
    is($status, 0, "$label: scrub-dump exports tables without copied columns") or diag($stderr);
    unlike(read_file($artifact), qr/\(\) (FROM|TO)/, "$label: no empty column list");
    for my $how ('scrub-restore', 'psql')
    {
        my $db = "dst_${n}_" . ($how eq 'psql' ? 'psql' : 'tool');
        $node->safe_psql('postgres', "CREATE DATABASE $db");
        ($status, undef, $stderr) = $how eq 'psql'
          ? run_tool('psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-1', '-d', $node->connstr($db),
            '-f', $artifact)
          : run_tool('scrub-restore', '-d', $node->connstr($db), $artifact);
        is($status, 0, "$label: $how restores it") or diag($stderr);
        is($node->safe_psql($db, q{SELECT (SELECT count(*) FROM marker) || '/' ||
                                          (SELECT string_agg(a::text, ',') FROM gonly) || '/' ||
                                          (SELECT count(*) FILTER (WHERE secret LIKE 's_') || ' of ' || count(*)
                                             FROM "odd ""name""")}),
            '2/7/0 of 3', "$label: $how: every row, the generated value recomputed, no source value");
    }
}

$node->stop;
done_testing();
