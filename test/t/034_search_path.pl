# The client tools trust nothing on the search path. A plain role with only
# CREATE on the database (and on schema public, as older databases grant)
# plants look-alikes of what the tools call: scrub_to_schema, built-in
# functions and aggregates, operators whose argument types match better
# than pg_catalog's. It puts them in a schema named after the exporting
# superuser (first in the default search_path "$user", public) and in
# public. Each look-alike logs a marker and tries to make its author
# superuser. scrub-dump, scrub-dump --from-schema and scrub-restore run as
# the superuser: first with the default search_path, then with an ALTER
# ROLE ... SET search_path that puts pg_catalog last, so that even
# look-alikes with pg_catalog's exact signatures would win. No marker may
# appear, the planter must stay a plain role, and the copy must be right.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use ScrubTest;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('search_path');
$node->init;
$node->start;
load_fixture($node, 'app', fixture('sample_app.sql'));
my $dir = PostgreSQL::Test::Utils::tempdir();
my $allowlist = fixture('sample_app.allowlist.json');
my $me = $node->safe_psql('postgres', 'SELECT current_user');

# Queries of the test itself pin their search_path.
sub query
{
    my ($db, $sql) = @_;
    return $node->safe_psql($db, "SET search_path = pg_catalog, pg_temp;\n$sql");
}

$node->safe_psql('postgres', q{
    CREATE ROLE planter LOGIN;
    GRANT CREATE ON DATABASE app TO planter;
    CREATE DATABASE copy_default;
    CREATE DATABASE copy_last;
    GRANT CREATE ON DATABASE copy_default, copy_last TO planter;
});

# The planted objects: $schema is the schema they go in; $exact adds
# look-alikes with pg_catalog's exact signatures (they win only where
# pg_catalog comes later in the search_path).
sub plant_sql
{
    my ($schema, $exact) = @_;
    my $s = qq{"$schema"};
    my $sql = qq{
        CREATE FUNCTION $s.format(text, name) RETURNS text LANGUAGE plpgsql
            AS \$\$BEGIN PERFORM marks.hit('format(text, name)'); RETURN pg_catalog.format(\$1, \$2); END\$\$;
        CREATE FUNCTION $s.quote_ident(name) RETURNS text LANGUAGE plpgsql
            AS \$\$BEGIN PERFORM marks.hit('quote_ident(name)'); RETURN pg_catalog.quote_ident(\$1::text); END\$\$;
        CREATE FUNCTION $s.sa_step(text, name, text) RETURNS text LANGUAGE plpgsql
            AS \$\$BEGIN PERFORM marks.hit('string_agg(name, text)');
                       RETURN CASE WHEN \$1 IS NULL THEN \$2::text ELSE \$1 OPERATOR(pg_catalog.||) \$3 OPERATOR(pg_catalog.||) \$2::text END; END\$\$;
        CREATE AGGREGATE $s.string_agg(name, text) (SFUNC = $s.sa_step, STYPE = text);
        CREATE FUNCTION $s.eq_oid_regclass(oid, regclass) RETURNS boolean LANGUAGE plpgsql
            AS \$\$BEGIN PERFORM marks.hit('=(oid, regclass)'); RETURN \$1 OPERATOR(pg_catalog.=) \$2::oid; END\$\$;
        CREATE OPERATOR $s.= (LEFTARG = oid, RIGHTARG = regclass, FUNCTION = $s.eq_oid_regclass);
        CREATE FUNCTION $s.eq_oid_regnamespace(oid, regnamespace) RETURNS boolean LANGUAGE plpgsql
            AS \$\$BEGIN PERFORM marks.hit('=(oid, regnamespace)'); RETURN \$1 OPERATOR(pg_catalog.=) \$2::oid; END\$\$;
        CREATE OPERATOR $s.= (LEFTARG = oid, RIGHTARG = regnamespace, FUNCTION = $s.eq_oid_regnamespace);
    };
    $sql .= qq{
        CREATE FUNCTION $s.set_config(text, text, boolean) RETURNS text LANGUAGE plpgsql
            AS \$\$BEGIN PERFORM marks.hit('set_config'); RETURN pg_catalog.set_config(\$1, \$2, \$3); END\$\$;
        CREATE FUNCTION $s.current_setting(text) RETURNS text LANGUAGE plpgsql
            AS \$\$BEGIN PERFORM marks.hit('current_setting'); RETURN pg_catalog.current_setting(\$1); END\$\$;
        CREATE FUNCTION $s.current_database() RETURNS name LANGUAGE plpgsql
            AS \$\$BEGIN PERFORM marks.hit('current_database'); RETURN pg_catalog.current_database(); END\$\$;
        CREATE FUNCTION $s.pg_backend_pid() RETURNS integer LANGUAGE plpgsql
            AS \$\$BEGIN PERFORM marks.hit('pg_backend_pid'); RETURN pg_catalog.pg_backend_pid(); END\$\$;
        CREATE FUNCTION $s.round(numeric, integer) RETURNS numeric LANGUAGE plpgsql
            AS \$\$BEGIN PERFORM marks.hit('round'); RETURN pg_catalog.round(\$1, \$2); END\$\$;
        CREATE FUNCTION $s.count_step(bigint) RETURNS bigint LANGUAGE plpgsql
            AS \$\$BEGIN PERFORM marks.hit('count(*)'); RETURN \$1 OPERATOR(pg_catalog.+) 1; END\$\$;
        CREATE AGGREGATE $s.count(*) (SFUNC = $s.count_step, STYPE = bigint, INITCOND = '0');
        CREATE FUNCTION $s.eq_text(text, text) RETURNS boolean LANGUAGE plpgsql
            AS \$\$BEGIN PERFORM marks.hit('=(text, text)'); RETURN \$1 OPERATOR(pg_catalog.=) \$2; END\$\$;
        CREATE OPERATOR $s.= (LEFTARG = text, RIGHTARG = text, FUNCTION = $s.eq_text);
        CREATE FUNCTION $s.eq_name(name, name) RETURNS boolean LANGUAGE plpgsql
            AS \$\$BEGIN PERFORM marks.hit('=(name, name)'); RETURN \$1 OPERATOR(pg_catalog.=) \$2; END\$\$;
        CREATE OPERATOR $s.= (LEFTARG = name, RIGHTARG = name, FUNCTION = $s.eq_name);
        CREATE FUNCTION $s.cat(text, text) RETURNS text LANGUAGE plpgsql
            AS \$\$BEGIN PERFORM marks.hit('||(text, text)'); RETURN \$1 OPERATOR(pg_catalog.||) \$2; END\$\$;
        CREATE OPERATOR $s.|| (LEFTARG = text, RIGHTARG = text, FUNCTION = $s.cat);
        CREATE FUNCTION $s.gt(bigint, integer) RETURNS boolean LANGUAGE plpgsql
            AS \$\$BEGIN PERFORM marks.hit('>(bigint, integer)'); RETURN \$1 OPERATOR(pg_catalog.>) \$2; END\$\$;
        CREATE OPERATOR $s.> (LEFTARG = bigint, RIGHTARG = integer, FUNCTION = $s.gt);
    } if $exact;
    return $sql;
}

# The marker: a LOG line in the server log (it survives a rolled-back or
# read-only transaction), and an attempt to make the planter superuser.
my $marks = q{
    CREATE SCHEMA marks;
    GRANT USAGE ON SCHEMA marks TO PUBLIC;
    CREATE FUNCTION marks.hit(what text) RETURNS void LANGUAGE plpgsql AS $$
    BEGIN
        RAISE LOG 'scrub-test-marker: % ran as %', what, current_user;
        BEGIN
            EXECUTE 'ALTER ROLE planter SUPERUSER';
        EXCEPTION WHEN OTHERS THEN NULL;
        END;
    END$$;
};

# In the source: the look-alike scrub_to_schema (it runs the real one, as
# an attacker would, so that nothing seems wrong) and the rest.
$node->safe_psql('app', 'GRANT CREATE ON SCHEMA public TO planter');
$node->safe_psql('app', "SET ROLE planter; $marks CREATE SCHEMA \"$me\";" . q{
    CREATE FUNCTION "} . $me . q{".scrub_to_schema(allowlist jsonb, target_schema text, source_schema text)
        RETURNS TABLE (table_name text, rows_copied bigint, columns_kept integer,
                       columns_scrubbed integer, milliseconds double precision)
        LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM marks.hit('scrub_to_schema');
        RETURN QUERY SELECT * FROM public.scrub_to_schema(allowlist, target_schema, source_schema);
    END$$;
} . plant_sql($me, 1) . plant_sql('public', 0));

for my $copy (qw(copy_default copy_last))
{
    $node->safe_psql($copy, "SET ROLE planter; $marks CREATE SCHEMA \"$me\";" . plant_sql($me, 1));
}

sub markers
{
    my @lines = grep { /LOG:  scrub-test-marker: / } split /\n/, slurp_file($node->logfile);
    return join "\n", @lines;
}

sub check_clean
{
    my ($label) = @_;
    is(markers(), '', "$label: no look-alike ran");
    is(query('postgres', q{SELECT rolsuper FROM pg_roles WHERE rolname = 'planter'}), 'f',
        "$label: the planter is not superuser");
}

my %artifact;
for my $case (['default', 'copy_default'], ['pg_catalog last', 'copy_last'])
{
    my ($label, $copy) = @$case;
    if ($label eq 'pg_catalog last')
    {
        $node->safe_psql('postgres', qq{
            ALTER ROLE "$me" IN DATABASE app SET search_path = "\$user", public, pg_catalog;
            ALTER ROLE "$me" IN DATABASE $copy SET search_path = "\$user", public, pg_catalog;});
    }
    my $output = "$dir/$copy.sql";
    my ($status, undef, $stderr) = run_tool('scrub-dump', '-d', $node->connstr('app'), '-a', $allowlist,
        '-o', $output);
    is($status, 0, "$label: scrub-dump succeeds") or diag($stderr);
    check_clean("$label: scrub-dump");

    ($status, undef, $stderr) = run_tool('scrub-dump', '-d', $node->connstr('app'), '-a', $allowlist,
        '-o', "$output.via", '--via-schema');
    is($status, 0, "$label: scrub-dump --via-schema succeeds") or diag($stderr);
    check_clean("$label: scrub-dump --via-schema");

    ($status, undef, $stderr) = run_tool('scrub-dump', '-d', $node->connstr('app'), '--from-schema',
        '-o', "$output.from");
    is($status, 0, "$label: scrub-dump --from-schema succeeds") or diag($stderr);
    check_clean("$label: scrub-dump --from-schema");

    # The target holds the planter's schema: not empty, refused, after a
    # check that must not run the look-alikes either.
    ($status, undef, $stderr) = run_tool('scrub-restore', '-d', $node->connstr($copy), $output);
    is($status, 3, "$label: scrub-restore refuses the target holding the planter's schema") or diag($stderr);
    check_clean("$label: scrub-restore");

    ($status, undef, $stderr) = run_tool('scrub-restore', '--clean', '-d', $node->connstr($copy), $output);
    is($status, 0, "$label: scrub-restore --clean succeeds") or diag($stderr);
    check_clean("$label: scrub-restore --clean");
    $artifact{$copy} = $output;
}
diag(markers()) if markers() ne '';

# The copies are right (queries of the checks use the default search_path).
$node->safe_psql('postgres', qq{
    ALTER ROLE "$me" IN DATABASE app RESET search_path;
    ALTER ROLE "$me" IN DATABASE copy_last RESET search_path;});
check_restored_copy(node => $node, source => 'app', restored => 'copy_last', label => 'copy');

$node->stop;
done_testing();
