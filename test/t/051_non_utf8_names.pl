# A database in an encoding other than UTF-8 (LATIN1) with non-ASCII names:
# pg_dump writes them in LATIN1, which is not valid UTF-8, and the text
# tools run over the dump must treat it as bytes whatever the caller's
# locale (C.UTF-8 here), or lines vanish ("binary file matches"). The
# allowlist (JSON, so UTF-8) must name them too: it is sent as UTF-8 and
# the server converts it.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use ScrubTest;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('non_utf8_names');
$node->init;
$node->start;
my $dir = PostgreSQL::Test::Utils::tempdir();

for my $db (qw(src dst))
{
    $node->safe_psql('postgres',
        "CREATE DATABASE $db ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0");
}
# This file is UTF-8: the session says so, and the server converts.
my $utf8 = q{SET client_encoding = 'UTF8';};
$node->safe_psql('src', $utf8 . q{
    CREATE TABLE "menü" (id integer PRIMARY KEY, "größe" text, secret text);
    INSERT INTO "menü" SELECT i, 'g' || i, 's' || i FROM generate_series(1, 7) AS i;
    CREATE TABLE "übrig" (id integer PRIMARY KEY, note text);
    INSERT INTO "übrig" VALUES (1, 'x');
    CREATE TABLE plain (id integer PRIMARY KEY);
    INSERT INTO plain SELECT generate_series(1, 3);
    CREATE MATERIALIZED VIEW "übersicht" AS SELECT count(*) AS n FROM "menü";
    COMMENT ON TABLE "menü" IS 'Speisekarte für Gäste';
    CREATE EXTENSION scrub;
});
write_file("$dir/allowlist.json", '{"menü": ["id", "größe"], "plain": ["id"]}');

my @env = ('env', 'LC_ALL=C.UTF-8', 'LANG=C.UTF-8');
my $output = "$dir/src.sql";
my ($status, undef, $stderr) = run_tool(@env, 'scrub-dump', '-d', $node->connstr('src'),
    '-a', "$dir/allowlist.json", '-o', $output);
is($status, 0, 'scrub-dump exports a LATIN1 database with non-ASCII names in an allowlist') or diag($stderr);
unlike($stderr, qr/binary file/i, 'no tool took the dump for a binary file');
($status, undef, $stderr) = run_tool(@env, 'scrub-restore', '-d', $node->connstr('dst'), $output);
is($status, 0, 'scrub-restore restores it') or diag($stderr);

sub sq { my ($db, $sql) = @_; return $node->safe_psql($db, "$utf8 $sql"); }
is(sq('dst', q{SELECT count(*) FROM "menü"}), '7', 'the allowlisted non-ASCII table is restored with its rows');
is(sq('dst', q{SELECT string_agg("größe", ',' ORDER BY id) FROM "menü"}),
    sq('src', q{SELECT string_agg("größe", ',' ORDER BY id) FROM "menü"}),
    'its allowlisted non-ASCII column is kept verbatim');
is(sq('dst', q{SELECT count(*) FROM "übrig"}), '0', 'the table the allowlist does not name is restored empty');
is(sq('dst', q{SELECT n FROM "übersicht"}), '7', 'the non-ASCII materialized view is restored and filled');
is(sq('dst', q{SELECT obj_description('"menü"'::regclass)}), 'Speisekarte für Gäste',
    'the non-ASCII comment is restored');
is(sq('dst', q{SELECT count(*) FROM plain}), '3', 'the ASCII table is restored too');
is(schema_dump($node, 'dst'), schema_dump($node, 'src', 'scrubbed'),
    'pg_dump --schema-only of the copy equals the source\'s');

$node->stop;
done_testing();
