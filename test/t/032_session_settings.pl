# The artifact does not depend on anyone's session settings. The source
# database and the exporting environment have hostile output settings
# (DateStyle 'SQL, DMY' writes 2024-05-03 as 03/05/2024, extra_float_digits
# 0 drops digits, IntervalStyle sql_standard, a far time zone, bytea_output
# escape, xmloption document, PGDATESTYLE, PGTZ, PGCLIENTENCODING), and the
# targets other hostile input settings (DateStyle 'SQL, MDY' would read
# 03/05/2024 as March 5th, array_nulls off reads NULL in an array as a
# string, xmloption document refuses XML content, standard_conforming_strings
# off). Every value of every type the fixture covers, kept or faked, must
# come back equal, through scrub-restore and through a plain psql -1 -f.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use ScrubTest;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('session_settings');
$node->init;
$node->start;
my $dir = PostgreSQL::Test::Utils::tempdir();

$node->safe_psql('postgres', 'CREATE DATABASE src');
$node->safe_psql('src', q{
    CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
    CREATE TYPE pair AS (label text, n integer);
    CREATE TABLE kept (
        id integer PRIMARY KEY, d date, ts timestamp, tstz timestamptz, t time, ttz timetz,
        iv interval, f4 real, f8 double precision, n numeric, m money, b bytea, x xml,
        j json, jb jsonb, ta text[], ia integer[], tx text, bo boolean, u uuid, ip inet,
        c cidr, mac macaddr, r int4range, tr tstzrange, bits bit varying, pt point,
        e mood, comp pair, dflt date DEFAULT '2024-05-03', ivd interval DEFAULT '-1 day +02:00:00');
    COMMENT ON TABLE kept IS 'Café des types';
    INSERT INTO kept VALUES
      (1, '2024-05-03', '2024-05-03 04:05:06.789', '2024-05-03 04:05:06.789+02', '04:05:06.5', '04:05:06+05:30',
       '-1 day +02:03:04.5', 0.1, 3.141592653589793, 1.23456789012345678901234567890, 1234.56,
       '\x00ff5c270a'::bytea, 'a<b/>c', '{"a": 1, "a": 2}', '{"k": [1, 2.50]}', ARRAY['NULL', NULL, 'x"y\z'],
       '{1,NULL}', E'tab\there back\\slash café €', true, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
       '192.0.2.1/24', '10.0.0.0/8', '08:00:2b:01:02:03', '[1,5)',
       '["2024-01-01 00:00+00","2024-06-01 12:00+05")', B'1011', '(1.5,2.25)', 'happy', ROW('x, y', 2),
       DEFAULT, DEFAULT),
      (2, '0044-03-15 BC', 'infinity', '-infinity', '24:00:00', '00:00:00-12:45',
       '1 year 2 mons -3 days -04:05:06', 'NaN', 1.7976931348623157e308, -0.000000000000000000001, -92233720368547758.08,
       '\x'::bytea, '<doc>ü</doc>', '[]', '"s"', '{}', '{}', '', false, '00000000-0000-0000-0000-000000000000',
       '::1', '2001:db8::/32', 'ff:ff:ff:ff:ff:ff', 'empty', '(,)', B'', '(-0,1e-300)', 'sad', ROW(NULL, NULL),
       '2024-12-31', '-00:00:01'),
      (3, '1999-12-31', '1850-06-01 12:00:00', '1850-06-01 12:00:00+00:19:32', '23:59:59.999999', '12:00+14',
       '-178000000 years', 1e-45, 5e-324, 'NaN', 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
    CREATE TABLE faked (
        id integer PRIMARY KEY, d date, tstz timestamptz, ts timestamp, t time, iv interval,
        ivy interval year, f8 double precision, f4 real, b bytea, j json, jb jsonb, n numeric(8,3),
        ta text[], da date[]);
    INSERT INTO faked SELECT i, '2020-01-01', now(), now(), now(), '1 day', '1 year', 1.5, 2.5, '\x01',
                             '{}', '{}', 1.5, '{a,b}', '{2020-01-01}'
                        FROM generate_series(1, 50) AS i;
    CREATE EXTENSION scrub;
});
my @all = map { qq{"$_"} } qw(id d ts tstz t ttz iv f4 f8 n m b x j jb ta ia tx bo u ip c mac r tr bits pt e comp dflt ivd);
write_file("$dir/allowlist.json", '{"kept": [' . join(', ', @all) . '], "faked": ["id"]}');

# Hostile settings: of the source database (output), and of each target
# database (input).
$node->safe_psql('postgres', q{
    ALTER DATABASE src SET DateStyle = 'SQL, DMY';
    ALTER DATABASE src SET IntervalStyle = 'sql_standard';
    ALTER DATABASE src SET extra_float_digits = 0;
    ALTER DATABASE src SET TimeZone = 'Pacific/Chatham';
    ALTER DATABASE src SET bytea_output = 'escape';
    ALTER DATABASE src SET xmloption = 'document';
    CREATE DATABASE dst;
    CREATE DATABASE dst_psql;
});
for my $db (qw(dst dst_psql))
{
    $node->safe_psql('postgres', qq{
        ALTER DATABASE $db SET DateStyle = 'SQL, MDY';
        ALTER DATABASE $db SET IntervalStyle = 'sql_standard';
        ALTER DATABASE $db SET TimeZone = 'America/St_Johns';
        ALTER DATABASE $db SET xmloption = 'document';
        ALTER DATABASE $db SET array_nulls = off;
        ALTER DATABASE $db SET standard_conforming_strings = off;
        ALTER DATABASE $db SET extra_float_digits = -15;
        ALTER DATABASE $db SET bytea_output = 'escape';});
}
my @dump_env = ('env', 'PGDATESTYLE=SQL, DMY', 'PGTZ=Asia/Kathmandu', 'PGCLIENTENCODING=LATIN1',
    'PGOPTIONS=-c IntervalStyle=iso_8601');
my @restore_env = ('env', 'PGDATESTYLE=Postgres, MDY', 'PGTZ=Pacific/Chatham', 'PGCLIENTENCODING=LATIN1',
    'PGOPTIONS=-c IntervalStyle=sql_standard');

my $output = "$dir/src.sql";
my ($status, undef, $stderr) = run_tool(@dump_env, 'scrub-dump', '-d', $node->connstr('src'),
    '-a', "$dir/allowlist.json", '-o', $output);
is($status, 0, 'scrub-dump succeeds under hostile settings') or diag($stderr);
($status, undef, $stderr) = run_tool(@restore_env, 'scrub-restore', '-d', $node->connstr('dst'), $output);
is($status, 0, 'scrub-restore succeeds under other hostile settings') or diag($stderr);
($status, undef, $stderr) = run_tool(@restore_env, 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-1',
    '-d', $node->connstr('dst_psql'), '-f', $output);
is($status, 0, 'psql -1 -f restores the artifact under hostile settings') or diag($stderr);

# Rows as text under one fixed set of settings, on both sides.
my $pinned = q{SET DateStyle = 'ISO, YMD'; SET IntervalStyle = postgres; SET extra_float_digits = 3;
    SET TimeZone = 'UTC'; SET bytea_output = hex; SET lc_monetary = 'C'; SET xmloption = content;};
sub rows
{
    my ($db, $table) = @_;
    return $node->safe_psql($db, "$pinned COPY (SELECT * FROM $table ORDER BY id) TO STDOUT");
}
# Kept rows: equal to the source's. Faked rows: equal to the scratch
# schema's, which scrub_to_schema writes in the source (the streaming dump
# above wrote nothing): the same fakes, row by row.
$node->safe_psql('src', qq{SELECT count(*) FROM scrub_to_schema(pg_read_file('$dir/allowlist.json')::jsonb)});
my $kept = rows('src', 'public.kept');
my $faked = rows('src', 'scrubbed.faked');
like($kept, qr/^1\t2024-05-03\t/, 'the source rows read back as written (test sanity)');
for my $db (qw(dst dst_psql))
{
    is(rows($db, 'public.kept'), $kept, "$db: every kept value is restored exactly");
    is(rows($db, 'public.faked'), $faked, "$db: every faked value is restored exactly");
    is($node->safe_psql($db, "$pinned SELECT obj_description('public.kept'::regclass)"), 'Café des types',
        "$db: non-ASCII text of the structure is restored exactly");
    is($node->safe_psql($db, "$pinned SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef
        WHERE adrelid = 'public.kept'::regclass ORDER BY adnum"),
        $node->safe_psql('src', "$pinned SELECT pg_get_expr(adbin, adrelid) FROM pg_attrdef
        WHERE adrelid = 'public.kept'::regclass ORDER BY adnum"),
        "$db: column defaults are restored exactly");
}

$node->stop;
done_testing();
