# The value generators in a LATIN1 database: scrub_json_keep converts the
# document and its keep paths to UTF-8 for the parser and the result back
# (kept non-ASCII values and keys survive, byte for byte in LATIN1);
# scrub_hash gives 16 characters whatever the value's length, and hashes its
# UTF-8 form, so a text's pseudonym is the same as in a UTF8 database; the ASCII
# values of scrub_fake_text are valid in any server encoding.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('generators_encoding');
$node->init;
my $dir = PostgreSQL::Test::Utils::tempdir();
append_to_file("$dir/scrub.key", 'encoding-test-key-0123456789');
chmod 0600, "$dir/scrub.key" or die "chmod: $!";
$node->start;
$node->safe_psql('postgres',
    "CREATE DATABASE latin ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0");
my $utf8 = qq{SET client_encoding = 'UTF8'; SET scrub.key_file = '$dir/scrub.key';};
$node->safe_psql('latin', 'CREATE EXTENSION scrub');
$node->safe_psql('postgres',
    "CREATE DATABASE utf ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0");
$node->safe_psql('utf', 'CREATE EXTENSION scrub');

is( $node->safe_psql('latin', $utf8 . q{
        SELECT scrub_json_keep('{"größe": "groß", "straße": "Hauptstraße", "n": 1.50,
                                 "liste": [{"café": "crème", "x": "é"}]}',
                               '{größe,liste.café}', 4)}),
    '{"n": 0, "größe": "groß", "liste": [{"x": "x_4", "café": "crème"}], "straße": "straße_4"}',
    'kept values and every key keep their non-ASCII characters');
is( $node->safe_psql('latin', $utf8 . q{
        SELECT convert_to(scrub_json_keep('{"ä": "ö"}', '{ä}', 1)::text, 'LATIN1')
               = convert_to('{"ä": "ö"}', 'LATIN1')}),
    't', 'the result is LATIN1 text of the same characters');
is( $node->safe_psql('latin', $utf8 . q{
        SELECT length(scrub_hash('äöüßéèêàáâçñÿ'::text)) || ' ' ||
               length(scrub_hash('ääääääääääääääääääää'::text))}),
    '16 16', 'scrub_hash gives 16 characters, whatever the value\'s length');
# One text, one pseudonym, whatever the server encoding: the UTF-8 form
# is hashed (the same value in a UTF8 database under the same key).
for my $value ('José', 'Ærøskøbing straße', 'plain ascii') {
    my $query = $utf8 . "SELECT scrub_hash('$value'::text) || ' ' || scrub_hash('$value'::text, 14)";
    is($node->safe_psql('latin', $query), $node->safe_psql('utf', $query),
        "scrub_hash('$value') is the same in LATIN1 and UTF8");
}
is( $node->safe_psql('latin', $utf8 . q{
        SELECT count(DISTINCT scrub_fake_text('full_name', s))
          FROM generate_series(1, 1000) AS s
         WHERE scrub_fake_text('full_name', s) ~ '^[A-Za-z]+ [A-Za-z.-]+( [A-Za-z-]+)?$'}),
    '1000', 'realistic fakes are plain ASCII there too');

done_testing();
