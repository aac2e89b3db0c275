# The locale: a source whose default collation is ICU records its
#   provider and ICU locale in the header; scrub-verify restores into a
#   cluster of that provider and locale (a CHECK and a range partition
#   that hold only in ICU "en" pass --verify), refuses an ICU locale this
#   host lacks, and scrub-restore warns about a libc target or another ICU
#   locale, naming both, and about another collation version.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use ScrubTest;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('icu_locale');
$node->init;
$node->start;
my $dir = PostgreSQL::Test::Utils::tempdir();

$node->safe_psql('postgres', q{
    CREATE DATABASE prodicu ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en' LOCALE 'C.UTF-8'
        TEMPLATE template0;
});
# In ICU "en", 'ä' sorts before 'b'; in C.UTF-8 after it.
$node->safe_psql('prodicu', q{
    CREATE TABLE city (name text PRIMARY KEY CHECK (name < 'b'));
    INSERT INTO city VALUES ('ärhus'), ('aalborg');
    CREATE TABLE places (name text NOT NULL) PARTITION BY RANGE (name);
    CREATE TABLE places_a PARTITION OF places FOR VALUES FROM (MINVALUE) TO ('b');
    CREATE TABLE places_b PARTITION OF places FOR VALUES FROM ('b') TO (MAXVALUE);
    INSERT INTO places VALUES ('äa'), ('bonn');
    CREATE EXTENSION scrub;
});
write_file("$dir/allowlist.json", '{"city": ["name"], "places": ["name"]}');
my $artifact = "$dir/prodicu.sql";
my ($status, undef, $stderr) = run_tool('scrub-dump', '-d', $node->connstr('prodicu'),
    '-a', "$dir/allowlist.json", '-o', $artifact, '--verify');
is($status, 0, 'an ICU-default source whose rows hold only in ICU passes --verify') or diag($stderr);
my $header = read_file($artifact);
like($header, qr/^--   locale_provider: +icu$/m, 'the header records the locale provider');
like($header, qr/^--   icu_locale: +en$/m, 'and the ICU locale');
like($header, qr/^--   collation_version: +\S+$/m, 'and the collation version');

# scrub-verify on its own reads the locale from the header.
($status, undef, $stderr) = run_tool('scrub-verify', $artifact);
is($status, 0, 'scrub-verify alone restores into an ICU "en" cluster') or diag($stderr);
($status, undef, $stderr) = run_tool('scrub-verify', '--locale-provider=libc', $artifact);
is($status, 1, 'the same artifact fails in a libc cluster (what --verify did before)');
like($stderr, qr/violates check constraint|no partition of relation/, 'with the constraint\'s error');
($status, undef, $stderr) = run_tool('scrub-verify', '--icu-locale=qq-zz', $artifact);
is($status, 1, 'an ICU locale this host lacks: refused');
like($stderr, qr/ICU library has no locale "qq-zz", the source database's default collation/,
    'naming the locale');

# A libc target: a warning naming both locales, then the restore fails in
# one transaction; an ICU "en" target: no warning, every row.
$node->safe_psql('postgres', q{
    CREATE DATABASE dst_libc ENCODING 'UTF8' LOCALE 'C.UTF-8' TEMPLATE template0;
    CREATE DATABASE dst_icu ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en' LOCALE 'C.UTF-8'
        TEMPLATE template0;
    CREATE DATABASE dst_icu_de ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'de' LOCALE 'C.UTF-8'
        TEMPLATE template0;
});
($status, undef, $stderr) = run_tool('scrub-restore', '-d', $node->connstr('dst_libc'), $artifact);
like($stderr,
    qr/warning: database "dst_libc" has libc LC_COLLATE "C\.UTF-8" and LC_CTYPE "C\.UTF-8", the source had ICU locale "en" \(LC_COLLATE "C\.UTF-8", LC_CTYPE "C\.UTF-8"\)/,
    'restoring into a libc database warns, naming both locales');
like($stderr, qr/--locale-provider=icu --icu-locale="en"/, 'the hint says how to create a matching one');
is($status, 1, 'and the restore fails as the warning said it might');
($status, undef, $stderr) = run_tool('scrub-restore', '-d', $node->connstr('dst_icu_de'), $artifact);
like($stderr, qr/has ICU locale "de" .* the source had ICU locale "en"/, 'another ICU locale: a warning too');
($status, undef, $stderr) = run_tool('scrub-restore', '-d', $node->connstr('dst_icu'), $artifact);
is($status, 0, 'an ICU "en" target restores') or diag($stderr);
unlike($stderr, qr/warning: database/, 'without a locale warning');
is($node->safe_psql('dst_icu', 'SELECT count(*) FROM city') . '/' . $node->safe_psql('dst_icu', 'SELECT count(*) FROM places_a'),
    '2/1', 'every row, in the source\'s partition');

# The same locale in another version of ICU (as a laptop's may be): a
# warning naming both versions. (The target's recorded version is made
# up: one host has one ICU.)
my $version = $node->safe_psql('prodicu', q{SELECT datcollversion FROM pg_database WHERE datname = 'prodicu'});
$node->safe_psql('postgres', q{
    CREATE DATABASE dst_icu_old ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en' LOCALE 'C.UTF-8'
        TEMPLATE template0;
    UPDATE pg_database SET datcollversion = '1.0' WHERE datname = 'dst_icu_old';
});
($status, undef, $stderr) = run_tool('scrub-restore', '-d', $node->connstr('dst_icu_old'), $artifact);
is($status, 0, 'the same ICU locale in another version restores') or diag($stderr);
like($stderr, qr/warning: database "dst_icu_old" has collation version 1\.0 of its locale, the source had \Q$version\E/,
    'with a warning naming both versions');

$node->stop;
done_testing();
