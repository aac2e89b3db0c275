# scrub-dump checks the schema the extension is installed in before it
# calls any of scrub's functions: a function there named like one of
# scrub's that is not part of the extension is refused (42501), naming it
# and its owner, by every path (a call it makes ambiguous would otherwise
# fail with PostgreSQL's "function ... is not unique", naming nothing the
# user can act on), and roles other than superusers that may create
# objects there get a warning.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use ScrubTest;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('extension_schema');
$node->init;
$node->start;
my $dir = PostgreSQL::Test::Utils::tempdir();

$node->safe_psql('postgres', 'CREATE DATABASE src; CREATE ROLE hostile');
$node->safe_psql('src', q{
    CREATE EXTENSION scrub;
    GRANT CREATE ON SCHEMA public TO hostile;
    CREATE TABLE t (id integer PRIMARY KEY, v text);
    INSERT INTO t VALUES (1, 'a'), (2, 'b');
    SELECT count(*) FROM public.scrub_to_schema('{"t": ["id"]}'::jsonb, 'scratch', 'public');
});
write_file("$dir/allowlist.json", '{"t": ["id"]}');

sub dump_with {
    my (@options) = @_;
    return run_tool('scrub-dump', '-d', $node->connstr('src'), @options);
}
my @run = ('-a', "$dir/allowlist.json", '-o', "$dir/out.sql");

# Each overload makes the call of one path ambiguous.
my %overloads = (
    'streaming' => [[@run], 'scrub_export_plan(allowlist jsonb, source_schema text, extra integer DEFAULT 0)',
        'scrub_export_plan\(allowlist jsonb, source_schema text, extra integer\)'],
    '--via-schema' => [[@run, '--via-schema'],
        'scrub_to_schema(allowlist jsonb, target_schema text, source_schema text, strict boolean, leak_check boolean, extra integer DEFAULT 0)',
        'scrub_to_schema\(allowlist jsonb, target_schema text, source_schema text, strict boolean, leak_check boolean, extra integer\)'],
    '--plan' => [['-a', "$dir/allowlist.json", '--plan'], 'scrub_plan(allowlist jsonb, source_schema text, strict boolean, extra integer DEFAULT 0)',
        'scrub_plan\(allowlist jsonb, source_schema text, strict boolean, extra integer\)'],
    '--from-schema' => [['-o', "$dir/out.sql", '--from-schema', '--target', 'scratch'], 'scrub_table_signature(relation regclass, extra integer DEFAULT 0)',
        'scrub_table_signature\(relation regclass, extra integer\)'],
);
for my $path (sort keys %overloads) {
    my ($options, $signature, $shown) = @{$overloads{$path}};
    $node->safe_psql('src', "SET ROLE hostile; CREATE FUNCTION public.$signature RETURNS integer LANGUAGE sql AS 'SELECT 1'");
    my ($status, undef, $stderr) = dump_with(@$options);
    isnt($status, 0, "$path: refused with a foreign overload in the extension's schema");
    like($stderr, qr/schema "public" of extension scrub holds functions named like scrub's own that are not scrub's/,
        "$path: the error says why");
    like($stderr, qr/function public\.$shown, owned by role hostile, is not part of extension scrub\./,
        "$path: and names the function and its owner") or diag($stderr);
    unlike($stderr, qr/is not unique/, "$path: before any ambiguous call");
    my $arguments = $signature =~ s/ DEFAULT 0//r;
    $node->safe_psql('src', "DROP FUNCTION public.$arguments");
}

# Nothing foreign: the export runs, with a warning naming the role that
# may create objects in public.
my ($status, undef, $stderr) = dump_with(@run);
is($status, 0, 'without the overloads the export runs') or diag($stderr);
like($stderr, qr/roles other than superusers may create objects in schema "public", where extension scrub is installed: hostile/,
    'with a warning naming the roles that may create objects in the extension\'s schema');
for my $path (['--via-schema', @run, '--via-schema'],
              ['--from-schema', '-o', "$dir/out.sql", '--from-schema', '--target', 'scratch']) {
    my ($name, @options) = @$path;
    ($status, undef, $stderr) = dump_with(@options);
    is($status, 0, "$name: the export runs") or diag($stderr);
    my $warnings = () = $stderr =~ /roles other than superusers may create objects/g;
    is($warnings, 1, "$name: and warns once");
}

# In a schema of its own, nobody else may create there: no warning.
$node->safe_psql('postgres', 'CREATE DATABASE own');
$node->safe_psql('own', q{
    CREATE SCHEMA scrub;
    CREATE EXTENSION scrub SCHEMA scrub;
    GRANT CREATE ON SCHEMA public TO hostile;
    CREATE TABLE t (id integer PRIMARY KEY, v text);
    INSERT INTO t VALUES (1, 'a');
    SELECT count(*) FROM scrub.scrub_to_schema('{"t": ["id"]}'::jsonb, 'scratch', 'public');
});
($status, undef, $stderr) = run_tool('scrub-dump', '-d', $node->connstr('own'), '-a', "$dir/allowlist.json",
    '-o', "$dir/own.sql");
is($status, 0, 'scrub in a schema of its own exports') or diag($stderr);
unlike($stderr, qr/warning/, 'without a warning');

# The extension's schema owned by a role that is not a superuser (which
# could rename it and plant functions of its own), directly or as
# pg_database_owner of a database such a role owns: every path refuses
# before it calls anything, naming the schema and its owner; no file.
for my $owner (['hostile', 'ALTER SCHEMA scrub OWNER TO hostile', 'role "hostile"'],
               ['pg_database_owner', 'ALTER SCHEMA scrub OWNER TO pg_database_owner; ALTER DATABASE own OWNER TO hostile',
                'role "hostile"']) {
    my ($name, $sql, $shown) = @$owner;
    $node->safe_psql('own', $sql);
    for my $path ([[]], [['--via-schema']], [['--from-schema', '--target', 'scratch']]) {
        my @extra = @{ $path->[0] };
        unlink "$dir/own2.sql";
        ($status, undef, $stderr) = run_tool('scrub-dump', '-d', $node->connstr('own'),
            (@extra && $extra[0] eq '--from-schema' ? () : ('-a', "$dir/allowlist.json")),
            '-o', "$dir/own2.sql", @extra);
        isnt($status, 0, "schema of $name, @extra: refused");
        like($stderr, qr/schema "scrub" of extension scrub is owned by \Q$shown\E, which is not a superuser/,
            "schema of $name, @extra: naming the schema and its owner") or diag($stderr);
        ok(!-e "$dir/own2.sql", "schema of $name, @extra: no file");
    }
    $node->safe_psql('own', 'ALTER DATABASE own OWNER TO CURRENT_USER; ALTER SCHEMA scrub OWNER TO CURRENT_USER');
}

$node->stop;
done_testing();
