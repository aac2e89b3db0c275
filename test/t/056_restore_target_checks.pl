# What of the target, beyond its objects, changes a restored copy:
# default privileges would grant on every restored object what the source
# never granted (refused, each entry named), and another collation or
# character classification sorts text differently (warned about, naming
# both sides).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use ScrubTest;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('restore_target_checks');
$node->init;
$node->start;
my $dir = PostgreSQL::Test::Utils::tempdir();

$node->safe_psql('postgres', q{
    CREATE DATABASE src ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0;
    CREATE ROLE reader;
});
$node->safe_psql('src', q{
    CREATE TABLE t (id integer PRIMARY KEY, v text);
    INSERT INTO t VALUES (1, 'a');
    CREATE EXTENSION scrub;
});
write_file("$dir/allowlist.json", '{"t": ["id", "v"]}');
my ($status, undef, $stderr) = run_tool('scrub-dump', '-d', $node->connstr('src'), '-a', "$dir/allowlist.json",
    '-o', "$dir/src.sql");
is($status, 0, 'scrub-dump exports') or diag($stderr);
like(read_file("$dir/src.sql"), qr/^--   lc_collate: +C$/m, 'the header records the source\'s collation');

sub restore
{
    my ($db, @options) = @_;
    return run_tool('scrub-restore', '-d', $node->connstr($db), @options, "$dir/src.sql");
}
sub grants
{
    my ($db) = @_;
    return $node->safe_psql($db, q{SELECT coalesce(relacl::text, '') FROM pg_class WHERE oid = 'public.t'::regclass});
}

# Default privileges, for all schemas and in one schema.
$node->safe_psql('postgres', 'CREATE DATABASE dst_global; CREATE DATABASE dst_schema; CREATE DATABASE dst_clean;');
$node->safe_psql('dst_global', 'ALTER DEFAULT PRIVILEGES GRANT ALL ON TABLES TO PUBLIC');
($status, undef, $stderr) = restore('dst_global');
is($status, 1, 'default privileges on the target: refused');
like($stderr, qr/default privileges/, 'the error says why');
like($stderr, qr/for role \S+ on tables: \{=arwdDxt\/\S+\}/, 'and names the entry');
is($node->safe_psql('dst_global', q{SELECT count(*) FROM pg_class WHERE relname = 't'}), '0',
    'nothing is restored');
($status, undef, $stderr) = restore('dst_global', '--clean');
is($status, 1, 'default privileges for all schemas outlive --clean: refused too');
like($stderr, qr/for role \S+ on tables/, 'naming the entry');

$node->safe_psql('dst_schema', q{ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO reader;
    ALTER DEFAULT PRIVILEGES GRANT EXECUTE ON FUNCTIONS TO reader;});
($status, undef, $stderr) = restore('dst_schema');
is($status, 1, 'default privileges in a schema: refused');
like($stderr, qr/for role \S+ in schema public on tables: \{reader=r\/\S+\}/, 'naming the entry and its schema');
like($stderr, qr/on functions: /, 'and every other entry');

# In schema public only: --clean drops public, and its default privileges.
$node->safe_psql('dst_clean', 'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO reader');
($status, undef, $stderr) = restore('dst_clean', '--clean');
is($status, 0, '--clean drops default privileges of the schemas it drops, and restores') or diag($stderr);
is(grants('dst_clean'), grants('src'), 'the restored table has the source\'s privileges');

# Another collation.
$node->safe_psql('postgres', q{
    CREATE DATABASE dst_locale ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8' TEMPLATE template0;
    CREATE DATABASE dst_same ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0;
});
($status, undef, $stderr) = restore('dst_locale');
is($status, 0, 'a target with another collation is restored into') or diag($stderr);
like($stderr, qr/warning: database "dst_locale" has libc LC_COLLATE "C\.UTF-8" and LC_CTYPE "C\.UTF-8", the source had libc LC_COLLATE "C" and LC_CTYPE "C"/,
    'with a warning naming both sides');
like($stderr, qr/rows may go to other partitions/, 'saying what may differ');
($status, undef, $stderr) = restore('dst_same');
is($status, 0, 'a target with the source\'s collation is restored into') or diag($stderr);
unlike($stderr, qr/warning: database/, 'without a collation warning');

$node->stop;
done_testing();
