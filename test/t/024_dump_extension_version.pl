# scrub-dump against a database whose extension scrub is at another
# version than the program's: after the files of a new release are
# installed (apt install, make install) and before ALTER EXTENSION scrub
# UPDATE, the database still has the old version's SQL objects, which lack
# the functions scrub-dump calls. Every path (streaming, --via-schema,
# --plan, --from-schema) refuses before it calls any of them, naming both
# versions and saying how to update, exits 1 and writes nothing; after the
# update the dump works. Variants: a version newer than the program knows
# (numerically newer but sorting lower as text, and one of another form),
# and no extension at all.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use ScrubTest;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('dump_extension_version');
$node->init;
$node->start;
my $dir = PostgreSQL::Test::Utils::tempdir();
my $conn = $node->connstr('app');

# The version the installed files make the default: the one scrub-dump,
# installed with them, needs.
my $current = $node->safe_psql('postgres',
    q{SELECT default_version FROM pg_available_extensions WHERE name = 'scrub'});
isnt($current, '0.1.0', "the installed files are of a later version ($current)");

$node->safe_psql('postgres', 'CREATE DATABASE app');
$node->safe_psql('app', q{
    CREATE EXTENSION scrub VERSION '0.1.0';
    CREATE TABLE t (id integer PRIMARY KEY, v text);
    INSERT INTO t SELECT i, 'secret ' || i FROM generate_series(1, 3) AS i;
    -- A scratch schema built by 0.1.0's scrub_to_schema, for --from-schema.
    SELECT count(*) FROM scrub_to_schema('{"t": ["id"]}');
});
write_file("$dir/allowlist.json", '{"t": ["id"]}');

my $output = "$dir/out.sql";
my %paths = (
    'streaming' => [ '-a', "$dir/allowlist.json", '-o', $output ],
    '--via-schema' => [ '-a', "$dir/allowlist.json", '-o', $output, '--via-schema' ],
    '--plan' => [ '-a', "$dir/allowlist.json", '--plan' ],
    '--from-schema' => [ '-o', $output, '--from-schema' ],
);

# Runs every path against the database as it is; each must refuse with
# the message, detail and hint given, and leave nothing behind.
sub refused_everywhere
{
    my ($label, $message, $detail, $hint) = @_;
    for my $path (sort keys %paths)
    {
        my ($status, undef, $stderr) = run_tool('scrub-dump', '-d', $conn, @{ $paths{$path} });
        note("$label, $path:\n$stderr");
        is($status, 1, "$label, $path: exit status 1");
        like($stderr, $message, "$label, $path: the error names the versions and the database")
          or diag($stderr);
        like($stderr, $detail, "$label, $path: the detail says why") if $detail;
        like($stderr, $hint, "$label, $path: the hint says what to do");
        unlike($stderr, qr/function .* does not exist|syntax error/,
            "$label, $path: refused before any call of scrub's functions");
        ok(!-e $output, "$label, $path: no artifact");
        is_deeply([ dir_entries($dir) ], ['allowlist.json'], "$label, $path: no temporary file left");
    }
}

# --- the extension at 0.1.0, the files at the current version
refused_everywhere('at 0.1.0',
    qr/ERROR:  extension scrub is at version 0\.1\.0 in database "app"; scrub-dump needs \Q$current\E\n/,
    qr/DETAIL:  scrub-dump calls SQL functions of extension scrub \Q$current\E that version 0\.1\.0 does not have/,
    qr/HINT:  Run ALTER EXTENSION scrub UPDATE TO '\Q$current\E' in that database \(as its owner or a superuser\)\./);
is($node->safe_psql('app', q{SELECT extversion FROM pg_extension WHERE extname = 'scrub'}), '0.1.0',
    'the refusals changed nothing');

# The hint's statement, then every streaming path works.
$node->safe_psql('app', "ALTER EXTENSION scrub UPDATE TO '$current'");
my ($status, undef, $stderr) = run_tool('scrub-dump', '-d', $conn, @{ $paths{streaming} });
is($status, 0, 'after the update, scrub-dump writes the artifact') or diag($stderr);
like(read_file($output), qr/-- scrub artifact end\n\z/, 'a complete artifact');
unlink $output;
($status, undef, $stderr) = run_tool('scrub-dump', '-d', $conn, @{ $paths{'--plan'} });
is($status, 0, 'after the update, --plan works') or diag($stderr);

# --- a version the program does not know: newer (0.10.0 sorts before
# 0.2.0 as text, not as a version), or of another form
for my $unknown ('0.10.0', "$current-beta1", '99.0.0')
{
    $node->safe_psql('app', "UPDATE pg_extension SET extversion = '$unknown' WHERE extname = 'scrub'");
    refused_everywhere("at $unknown",
        qr/ERROR:  extension scrub is at version \Q$unknown\E in database "app"; scrub-dump needs \Q$current\E\n/,
        qr/DETAIL:  This scrub-dump belongs to scrub \Q$current\E and does not know the SQL functions of version \Q$unknown\E\./,
        qr/HINT:  Run the scrub-dump installed with scrub \Q$unknown\E\./);
}
# An older version than the current, numerically (0.1.10 sorts after
# 0.1.9, and before 0.2.0 whatever the current is, if it is 0.2.0 or later).
$node->safe_psql('app', q{UPDATE pg_extension SET extversion = '0.1.10' WHERE extname = 'scrub'});
refused_everywhere('at 0.1.10',
    qr/ERROR:  extension scrub is at version 0\.1\.10 in database "app"; scrub-dump needs \Q$current\E\n/,
    qr/does not have: installing the files of a new release does not update the extension/,
    qr/HINT:  Run ALTER EXTENSION scrub UPDATE TO '\Q$current\E'/);
$node->safe_psql('app', "UPDATE pg_extension SET extversion = '$current' WHERE extname = 'scrub'");

# --- no extension at all
$node->safe_psql('app', 'DROP EXTENSION scrub');
refused_everywhere('without the extension',
    qr/ERROR:  extension "scrub" is not installed in database app\n/, undef,
    qr/HINT:  Connect to the database to scrub, or run CREATE EXTENSION scrub there\./);

done_testing();
