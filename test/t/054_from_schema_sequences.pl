# --from-schema exports a scratch schema built earlier: every sequence the
# run recorded must still be a sequence of the source, or the artifact's
# setval() fails the restore. scrub-dump refuses, naming each one.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use ScrubTest;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('from_schema_sequences');
$node->init;
$node->start;
my $dir = PostgreSQL::Test::Utils::tempdir();

$node->safe_psql('postgres', 'CREATE DATABASE src');
$node->safe_psql('src', q{
    CREATE TABLE t (id serial PRIMARY KEY, v text);
    INSERT INTO t (v) SELECT 'v' || i FROM generate_series(1, 3) AS i;
    CREATE SEQUENCE counter;
    CREATE SEQUENCE "odd ""name";
    SELECT nextval('counter');
    CREATE EXTENSION scrub;
});
my $build = q{SELECT count(*) FROM scrub_to_schema('{"t": ["id", "v"]}', 'scrubbed', 'public')};

sub export
{
    my ($label) = @_;
    my $output = "$dir/out.sql";
    unlink $output;
    my ($status, undef, $stderr) = run_tool('scrub-dump', '-d', $node->connstr('src'), '--from-schema',
        '-o', $output);
    return ($status, $stderr, -e $output);
}

$node->safe_psql('src', $build);
my ($status, $stderr, $written) = export();
is($status, 0, 'test sanity: the unchanged scratch schema is exported') or diag($stderr);

$node->safe_psql('src', 'DROP SEQUENCE counter');
($status, $stderr, $written) = export();
is($status, 1, 'a recorded sequence dropped since the run: refused');
like($stderr, qr/no longer sequences of the source: public\.counter\b/, 'the error names it');
ok(!$written, 'no artifact is written');

$node->safe_psql('src', 'CREATE VIEW counter AS SELECT 1 AS last_value');
($status, $stderr, $written) = export();
is($status, 1, 'a recorded sequence replaced by a view: refused');
like($stderr, qr/public\.counter\b/, 'the error names it');

$node->safe_psql('src', 'DROP VIEW counter; CREATE SEQUENCE counter; DROP SEQUENCE "odd ""name";');
($status, $stderr, $written) = export();
is($status, 1, 'a sequence with an odd name gone: refused');
like($stderr, qr/public\."odd ""name"(?!")/, 'the error names it, quoted');
unlike($stderr, qr/public\.counter\b/, 'a sequence created again under its name is a sequence again');

$node->safe_psql('src', q{CREATE SEQUENCE "odd ""name";});
($status, $stderr, $written) = export();
is($status, 0, 'all recorded sequences exist again: exported') or diag($stderr);
$node->safe_psql('postgres', 'CREATE DATABASE dst');
($status, undef, $stderr) = run_tool('scrub-restore', '-d', $node->connstr('dst'), "$dir/out.sql");
is($status, 0, 'and the artifact restores') or diag($stderr);

$node->stop;
done_testing();
