# Restoring on a developer's server, which has neither production's
# tablespaces nor its lock table size: tablespaces are left out of the
# artifact, and a restore that runs out of lock slots says which
# max_locks_per_transaction would do (and does).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use ScrubTest;
use Test::More;

my $source = PostgreSQL::Test::Cluster->new('ts_source');
$source->init;
$source->append_conf('postgresql.conf', 'allow_in_place_tablespaces = on');
$source->start;
my $laptop = PostgreSQL::Test::Cluster->new('ts_laptop');
$laptop->init;
$laptop->append_conf('postgresql.conf', "max_locks_per_transaction = 10\nmax_worker_processes = 0\n");
$laptop->start;
my $dir = PostgreSQL::Test::Utils::tempdir();

# Tables, an index and a partitioned table in tablespaces the laptop lacks.
$source->safe_psql('postgres', q{
    CREATE TABLESPACE fastssd LOCATION '';
    CREATE TABLESPACE "slow disk" LOCATION '';
    CREATE DATABASE ts;
});
$source->safe_psql('ts', q{
    CREATE TABLE hot (id integer PRIMARY KEY USING INDEX TABLESPACE "slow disk", v text) TABLESPACE fastssd;
    INSERT INTO hot SELECT i, 'v' || i FROM generate_series(1, 4) AS i;
    CREATE INDEX hot_v ON hot (v) TABLESPACE fastssd;
    CREATE TABLE parts (id integer, k integer) PARTITION BY RANGE (k) TABLESPACE fastssd;
    CREATE TABLE parts_1 PARTITION OF parts FOR VALUES FROM (0) TO (10) TABLESPACE "slow disk";
    INSERT INTO parts VALUES (1, 1);
    CREATE MATERIALIZED VIEW mv TABLESPACE fastssd AS SELECT count(*) AS n FROM hot;
    CREATE EXTENSION scrub;
});
write_file("$dir/ts.json", '{"hot": ["id", "v"], "parts": ["id", "k"]}');
my ($status, undef, $stderr) = run_tool('scrub-dump', '-d', $source->connstr('ts'), '-a', "$dir/ts.json",
    '-o', "$dir/ts.sql");
is($status, 0, 'scrub-dump exports tables in tablespaces') or diag($stderr);
my $ts_artifact = read_file("$dir/ts.sql");
like($ts_artifact, qr/^SET default_tablespace = '';$/m, 'the artifact puts objects in the database\'s tablespace');
$ts_artifact =~ s/^SET default_tablespace = '';$//mg;
unlike($ts_artifact, qr/tablespace|fastssd|slow disk/i, 'and names no tablespace');
$laptop->safe_psql('postgres', 'CREATE DATABASE ts');
($status, undef, $stderr) = run_tool('scrub-restore', '-d', $laptop->connstr('ts'), "$dir/ts.sql");
is($status, 0, 'it restores on a server without those tablespaces') or diag($stderr);
is($laptop->safe_psql('ts', 'SELECT count(*) FROM hot'), '4', 'with the rows');
is($laptop->safe_psql('ts', 'SELECT n FROM mv'), '4', 'and the materialized view filled');
is($laptop->safe_psql('ts', q{SELECT count(*) FROM pg_class WHERE reltablespace <> 0 AND relnamespace = 'public'::regnamespace}), '0',
    'everything is in the default tablespace');

# More relations than the laptop's lock table holds.
my $tables = 1000;
$source->safe_psql('postgres', 'CREATE DATABASE many');
$source->safe_psql('many', qq{
    DO \$\$BEGIN
        FOR i IN 1..$tables LOOP
            EXECUTE format('CREATE TABLE t%s (id integer PRIMARY KEY)', i);
        END LOOP;
    END\$\$;
    INSERT INTO t1 VALUES (1);
    CREATE EXTENSION scrub;
});
write_file("$dir/many.json", '{"t1": ["id"]}');
($status, undef, $stderr) = run_tool('scrub-dump', '-d', $source->connstr('many'), '-a', "$dir/many.json",
    '-o', "$dir/many.sql");
is($status, 0, "scrub-dump exports $tables tables") or diag($stderr);
$laptop->safe_psql('postgres', 'CREATE DATABASE many');
($status, undef, $stderr) = run_tool('scrub-restore', '-d', $laptop->connstr('many'), "$dir/many.sql");
is($status, 1, 'the restore fails on a server with a small lock table');
like($stderr, qr/out of shared memory/, 'test sanity: for want of lock slots');
my ($needed) = $stderr =~ /set max_locks_per_transaction to at least (\d+)/;
ok(defined $needed, 'the hint says which max_locks_per_transaction would do') or diag($stderr);
like($stderr, qr/about \d+ relations in one transaction/, 'and why');
is($laptop->safe_psql('many', q{SELECT count(*) FROM pg_class WHERE relname ~ '^t[0-9]+$'}), '0',
    'the database is left as it was');
SKIP:
{
    skip 'no hint to follow', 2 unless defined $needed;
    $laptop->append_conf('postgresql.conf', "max_locks_per_transaction = $needed");
    $laptop->restart;
    ($status, undef, $stderr) = run_tool('scrub-restore', '-d', $laptop->connstr('many'), "$dir/many.sql");
    is($status, 0, "with max_locks_per_transaction = $needed the restore succeeds") or diag($stderr);
    is($laptop->safe_psql('many', q{SELECT count(*) FROM pg_class WHERE relname ~ '^t[0-9]+$'}), "$tables",
        'every table is restored');
}

$source->stop;
$laptop->stop;
done_testing();
