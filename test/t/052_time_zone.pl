# Expressions evaluated while an artifact is restored (CHECK constraints,
# generated columns, materialized views) give what they give in
# production: the artifact restores in the time zone a session of the
# exporting role gets from its role, database or server settings. PGTZ of
# the exporting and of the restoring environment changes nothing, nor does
# the target database's own TimeZone.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use ScrubTest;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('time_zone');
$node->init;
$node->start;
my $dir = PostgreSQL::Test::Utils::tempdir();

# New Year's morning in Auckland is still 2023 in UTC; 00:30 in Berlin is
# the day before in UTC; and in Kathmandu (PGTZ below) it is yet another
# local time.
$node->safe_psql('postgres', q{
    CREATE DATABASE src;
    ALTER DATABASE src SET TimeZone = 'Pacific/Auckland';
    CREATE DATABASE dst;
    ALTER DATABASE dst SET TimeZone = 'America/Los_Angeles';
    CREATE DATABASE dst_psql;
    ALTER DATABASE dst_psql SET TimeZone = 'America/Los_Angeles';
    CREATE ROLE berlin LOGIN SUPERUSER;
    ALTER ROLE berlin SET TimeZone = 'Europe/Berlin';
    CREATE DATABASE src_role;
    CREATE DATABASE dst_role;
});
$node->safe_psql('src', q{
    CREATE TABLE invoices (id integer PRIMARY KEY, issued_at timestamptz NOT NULL,
        CONSTRAINT issued_in_2024 CHECK (issued_at::date >= date '2024-01-01'));
    INSERT INTO invoices VALUES (1, '2024-01-01 09:00'), (2, '2024-06-01 12:00');
    CREATE MATERIALIZED VIEW daily AS SELECT issued_at::date AS day, count(*) AS n FROM invoices GROUP BY 1;
    CREATE EXTENSION scrub;
});
$node->safe_psql('src_role', q{
    SET TimeZone = 'Europe/Berlin';
    CREATE FUNCTION local_day(timestamptz) RETURNS date LANGUAGE sql IMMUTABLE AS $$ SELECT $1::date $$;
    CREATE TABLE sales (id integer PRIMARY KEY, sold_at timestamptz NOT NULL,
        sale_day date GENERATED ALWAYS AS (public.local_day(sold_at)) STORED);
    INSERT INTO sales (id, sold_at) VALUES (1, '2024-03-01 00:30');
    CREATE MATERIALIZED VIEW daily AS SELECT sold_at::date AS day, count(*) AS n FROM sales GROUP BY 1;
    CREATE EXTENSION scrub;
});
write_file("$dir/invoices.json", '{"invoices": ["id", "issued_at"]}');
write_file("$dir/sales.json", '{"sales": ["id", "sold_at"]}');

my @dump_env = ('env', 'PGTZ=Asia/Kathmandu', 'PGOPTIONS=');
my @restore_env = ('env', 'PGTZ=Asia/Kathmandu');
my $pinned = q{SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD';};

# The database's zone.
my ($status, undef, $stderr) = run_tool(@dump_env, 'scrub-dump', '-d', $node->connstr('src'),
    '-a', "$dir/invoices.json", '-o', "$dir/src.sql");
is($status, 0, 'scrub-dump exports a database whose time zone decides a CHECK') or diag($stderr);
like(read_file("$dir/src.sql"), qr/^SET TimeZone = 'Pacific\/Auckland';$/m,
    'the artifact restores in the database\'s time zone, not PGTZ\'s');
unlike(read_file("$dir/src.sql"), qr/^SET TimeZone = '(?!Pacific\/Auckland')/m,
    'the artifact sets no other time zone');
($status, undef, $stderr) = run_tool(@restore_env, 'scrub-restore', '-d', $node->connstr('dst'), "$dir/src.sql");
is($status, 0, 'scrub-restore restores it: the CHECK holds as in production') or diag($stderr);
($status, undef, $stderr) = run_tool(@restore_env, 'psql', '-X', '-q', '-1', '-v', 'ON_ERROR_STOP=1',
    '-d', $node->connstr('dst_psql'), '-f', "$dir/src.sql");
is($status, 0, 'psql -X -1 -f restores it too') or diag($stderr);
for my $db (qw(dst dst_psql))
{
    is($node->safe_psql($db, "$pinned COPY (SELECT * FROM invoices ORDER BY id) TO STDOUT"),
        $node->safe_psql('src', "$pinned COPY (SELECT * FROM invoices ORDER BY id) TO STDOUT"),
        "$db: the rows are the source's");
    is($node->safe_psql($db, "$pinned COPY (SELECT * FROM daily ORDER BY day) TO STDOUT"),
        $node->safe_psql('src', "$pinned COPY (SELECT * FROM daily ORDER BY day) TO STDOUT"),
        "$db: the materialized view holds what production's does");
}

# The role's zone; the restoring role has none.
my $as_berlin = $node->connstr('src_role') . ' user=berlin';
($status, undef, $stderr) = run_tool(@dump_env, 'scrub-dump', '-d', $as_berlin,
    '-a', "$dir/sales.json", '-o', "$dir/role.sql");
is($status, 0, 'scrub-dump exports as a role with its own time zone') or diag($stderr);
like(read_file("$dir/role.sql"), qr/^SET TimeZone = 'Europe\/Berlin';$/m, 'the artifact restores in the role\'s zone');
($status, undef, $stderr) = run_tool(@restore_env, 'scrub-restore', '-d', $node->connstr('dst_role'),
    "$dir/role.sql");
is($status, 0, 'scrub-restore restores it') or diag($stderr);
is($node->safe_psql('dst_role', "$pinned COPY (SELECT * FROM sales ORDER BY id) TO STDOUT"),
    $node->safe_psql('src_role', "$pinned COPY (SELECT * FROM sales ORDER BY id) TO STDOUT"),
    'the generated column is computed as in production');
is($node->safe_psql('dst_role', "$pinned COPY (SELECT * FROM daily ORDER BY day) TO STDOUT"),
    $node->safe_psql('src_role', "$pinned COPY (SELECT * FROM daily ORDER BY day) TO STDOUT"),
    'the materialized view holds what production\'s does');

# A zone that is no zone name is refused before it could reach the artifact.
$node->safe_psql('postgres', q{CREATE DATABASE src_bad; ALTER DATABASE src_bad SET TimeZone = '<+0530>-05:30'});
$node->safe_psql('src_bad', 'CREATE TABLE t (id integer PRIMARY KEY); CREATE EXTENSION scrub');
write_file("$dir/t.json", '{"t": ["id"]}');
($status, undef, $stderr) = run_tool(@dump_env, 'scrub-dump', '-d', $node->connstr('src_bad'),
    '-a', "$dir/t.json", '-o', "$dir/bad.sql");
is($status, 0, 'a POSIX zone specification is a zone too') or diag($stderr);
like(read_file("$dir/bad.sql"), qr/^SET TimeZone = '<\+0530>-05:30';$/m, 'and is written as it is');

$node->stop;
done_testing();
