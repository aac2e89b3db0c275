# What of the target database, beyond its objects, the artifact and
# scrub-restore must not depend on:
# - the locale: a source whose default collation is ICU records its
#   provider and ICU locale in the header; scrub-verify restores into a
#   cluster of that provider and locale (a CHECK and a range partition
#   that hold only in ICU "en" pass --verify), refuses an ICU locale this
#   host lacks, and scrub-restore warns about a libc target or another ICU
#   locale, naming both, and about another collation version; both read
#   the settings however long the header's summary is, and only from its
#   settings block;
# - its defaults: a read-only default (ALTER DATABASE ... SET
#   default_transaction_read_only) does not block scrub-restore, psql -1 -f
#   or psql -f, and a default_tablespace the restoring role may not use
#   does not redirect (and fail) the restore.
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
# A wide table makes the header's per-column summary long, so that the
# source settings come after line 40; a table and a column named like the
# settings must not pass for them.
$node->safe_psql('prodicu', 'CREATE TABLE wide (id int PRIMARY KEY, '
    . join(', ', map { "c$_ int" } 1 .. 40) . ', lc_collate text, locale_provider text)');
$node->safe_psql('prodicu', q{CREATE TABLE "lc_collate" (icu_locale text)});
write_file("$dir/allowlist.json",
    '{"city": ["name"], "places": ["name"], "wide": ["id"], "lc_collate": ["icu_locale"]}');
my $artifact = "$dir/prodicu.sql";
my ($status, undef, $stderr) = run_tool('scrub-dump', '-d', $node->connstr('prodicu'),
    '-a', "$dir/allowlist.json", '-o', $artifact, '--verify');
is($status, 0, 'an ICU-default source whose rows hold only in ICU passes --verify') or diag($stderr);
my $header = read_file($artifact);
like($header, qr/^--   locale_provider: +icu$/m, 'the header records the locale provider');
like($header, qr/^--   icu_locale: +en$/m, 'and the ICU locale');
like($header, qr/^--   collation_version: +\S+$/m, 'and the collation version');
my @lines = split /\n/, $header;
my ($settings_at) = grep { $lines[$_] =~ /^--   locale_provider:/ } 0 .. $#lines;
cmp_ok($settings_at, '>', 40, 'the settings come after a long summary (more than 40 lines)');

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

# Read-only defaults: scrub-restore, psql -1 -f and psql -f all write.
for my $db (qw(ro_tool ro_single ro_auto))
{
    $node->safe_psql('postgres', qq{
        CREATE DATABASE $db ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en' LOCALE 'C.UTF-8'
            TEMPLATE template0;
        ALTER DATABASE $db SET default_transaction_read_only = on;
    });
}
($status, undef, $stderr) = run_tool('scrub-restore', '-d', $node->connstr('ro_tool'), $artifact);
is($status, 0, 'scrub-restore writes into a database whose default is read-only') or diag($stderr);
($status, undef, $stderr) = run_tool('psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-1', '-d', $node->connstr('ro_single'),
    '-f', $artifact);
is($status, 0, 'so does psql -1 -f') or diag($stderr);
unlike($stderr, qr/WARNING|ERROR/, 'without a warning');
($status, undef, $stderr) = run_tool('psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', $node->connstr('ro_auto'),
    '-f', $artifact);
is($status, 0, 'and psql -f, statement by statement') or diag($stderr);
unlike($stderr, qr/WARNING|ERROR/, 'without a warning');
for my $db (qw(ro_tool ro_single ro_auto))
{
    is($node->safe_psql($db, 'SELECT count(*) FROM city'), '2', "$db holds the rows");
}

# A default_tablespace the restoring role may not create in: objects go to
# the database's own tablespace, with scrub-restore and with psql -1 -f.
my $plain = "$dir/plain.sql";
($status, undef, $stderr) = run_tool('scrub-dump', '-d', $node->connstr('prodicu'),
    '-a', "$dir/allowlist.json", '-o', $plain, '--no-owner', '--no-privileges');
is($status, 0, 'scrub-dump --no-owner --no-privileges exports') or diag($stderr);
mkdir "$dir/ts" or die "mkdir: $!";
$node->safe_psql('postgres', qq{
    CREATE TABLESPACE elsewhere LOCATION '$dir/ts';
    CREATE ROLE dev LOGIN;
});
for my $db (qw(ts_tool ts_psql))
{
    $node->safe_psql('postgres', qq{
        CREATE DATABASE $db OWNER dev ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en' LOCALE 'C.UTF-8'
            TEMPLATE template0;
        ALTER DATABASE $db SET default_tablespace = elsewhere;
    });
    $node->safe_psql($db, 'ALTER SCHEMA public OWNER TO dev');
}
($status, undef, $stderr) = run_tool('scrub-restore', '-d', $node->connstr('ts_tool') . ' user=dev', $plain);
is($status, 0, 'a default_tablespace of the target does not redirect scrub-restore') or diag($stderr);
($status, undef, $stderr) = run_tool('psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-1',
    '-d', $node->connstr('ts_psql') . ' user=dev', '-f', $plain);
is($status, 0, 'nor psql -1 -f') or diag($stderr);
for my $db (qw(ts_tool ts_psql))
{
    is($node->safe_psql($db, q{SELECT count(*) FILTER (WHERE reltablespace <> 0) || ' of ' || count(*)
                                 FROM pg_class WHERE relnamespace = 'public'::regnamespace}),
        '0 of 5', "$db: every object is in the database's tablespace");
    is($node->safe_psql($db, 'SELECT count(*) FROM city'), '2', "$db holds the rows");
}

$node->stop;
done_testing();
