# A run shows which table it is on in pg_stat_activity and writes one LOG
# line per table, so an operator can see where a long run is.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('progress');
$node->init;
$node->start;
$node->safe_psql('postgres', q{
    CREATE EXTENSION scrub;
    -- A domain whose check waits on advisory lock 7: the fake for the
    -- scrubbed column slow.id is cast to it, which holds a run in the middle
    -- of copying "slow" for as long as another session keeps the lock.
    CREATE FUNCTION public.wait_for_release(int) RETURNS bool LANGUAGE plpgsql AS
        'BEGIN PERFORM pg_catalog.pg_advisory_lock(7); PERFORM pg_catalog.pg_advisory_unlock(7); RETURN true; END';
    CREATE DOMAIN public.gated AS int CHECK (public.wait_for_release(VALUE));
    CREATE TABLE fast (id int, secret text);
    CREATE TABLE slow (id public.gated, secret text);
    INSERT INTO fast SELECT i, 'x' FROM generate_series(1, 10) i;
    INSERT INTO slow VALUES (1, 'y');
});

my $holder = $node->background_psql('postgres');
$holder->query_safe('SELECT pg_advisory_lock(7)');

my $runner = $node->background_psql('postgres');
$runner->query_until(qr/started/, q{
    \echo started
    SELECT count(*) FROM scrub_to_schema('{"fast": ["id"], "slow": ["secret"]}');
});

ok( $node->poll_query_until('postgres', q{
        SELECT count(*) = 1 FROM pg_stat_activity
         WHERE query = 'scrub_to_schema: copying table public.slow'}),
    'pg_stat_activity shows the table being copied');

$holder->query_safe('SELECT pg_advisory_unlock(7)');
$runner->quit;
$holder->quit;

is($node->safe_psql('postgres', 'SELECT count(*) FROM scrubbed.slow'), '1', 'the held run finished');
ok($node->log_contains(
        qr/LOG:  scrub: copied table public\.fast: 10 rows, 1 columns kept, 1 scrubbed, [0-9.]+ ms/),
    'one LOG line per table, with its counts');
ok($node->log_contains(qr/LOG:  scrub: copied table public\.slow: 1 rows, 1 columns kept, 1 scrubbed/),
    'the second table is logged too');
ok($node->log_contains(qr/LOG:  scrub: built schema scrubbed from public \(2 tables copied with rows, 0 structure only\)/),
    'a summary line closes the run');

$node->stop;
done_testing();
