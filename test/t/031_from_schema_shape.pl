# scrub-dump --from-schema trusts nothing of whoever owns the scratch
# schema. As the documented pg_cron setup has it, a plain role builds the
# scratch schema and a superuser exports it. That role then changes what it
# owns so that the export would run its code as the superuser, or read rows
# scrub never wrote: manifest and scratch tables replaced by views that call
# its function, by a foreign or a partitioned table; an index or statistics
# whose expression calls it (evaluated when a query is planned); a rule; a
# child table; a column of its own type with its own cast to text. Every
# case must be refused before anything is read, naming the object, with no
# marker, the role still plain, and the previous artifact untouched.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use ScrubTest;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('from_schema_shape');
$node->init;
$node->start;
load_fixture($node, 'app', fixture('sample_app.sql'));
my $dir = PostgreSQL::Test::Utils::tempdir();
my $conn = $node->connstr('app');
my $allowlist = read_file(fixture('sample_app.allowlist.json'));
$allowlist =~ s/'/''/g;

$node->safe_psql('app', q{
    CREATE ROLE builder LOGIN;
    GRANT CREATE ON DATABASE app TO builder;
    GRANT EXECUTE ON FUNCTION scrub_to_schema(jsonb, text, text, boolean, boolean) TO builder;
    GRANT SELECT ON ALL TABLES IN SCHEMA public TO builder;
    GRANT SELECT ON ALL SEQUENCES IN SCHEMA public TO builder;
    CREATE EXTENSION postgres_fdw;
    CREATE SERVER loopback FOREIGN DATA WRAPPER postgres_fdw OPTIONS (dbname 'app');
    GRANT USAGE ON FOREIGN SERVER loopback TO builder;
    CREATE USER MAPPING FOR PUBLIC SERVER loopback;
});
# The builder's own function: logs a marker and tries to make the builder
# superuser. IMMUTABLE, so that an index or statistics expression may call it.
$node->safe_psql('app', q{
    SET ROLE builder;
    CREATE SCHEMA tools;
    GRANT USAGE ON SCHEMA tools TO PUBLIC;
    CREATE FUNCTION tools.evil(integer) RETURNS integer LANGUAGE plpgsql IMMUTABLE AS $$
    BEGIN
        IF current_user = 'builder' THEN
            RETURN $1;    -- creating an index runs it as its owner
        END IF;
        RAISE LOG 'scrub-test-marker: evil ran as %', current_user;
        BEGIN
            EXECUTE 'ALTER ROLE builder SUPERUSER';
        EXCEPTION WHEN OTHERS THEN NULL;
        END;
        RETURN $1;
    END$$;
    CREATE FUNCTION tools.evil_bool() RETURNS boolean LANGUAGE sql AS 'SELECT tools.evil(1) = 1';
    CREATE TYPE tools.flag AS (value boolean);
    CREATE FUNCTION tools.flag_text(tools.flag) RETURNS text LANGUAGE sql AS 'SELECT tools.evil(1)::text';
    CREATE CAST (tools.flag AS text) WITH FUNCTION tools.flag_text(tools.flag);
});

sub build
{
    # Tampering may leave a schema scrub_to_schema would not replace.
    $node->safe_psql('app', 'DROP SCHEMA IF EXISTS scrubbed CASCADE');
    $node->safe_psql('app', "SET ROLE builder; SELECT count(*) FROM public.scrub_to_schema('$allowlist')");
}

my $output = "$dir/app.sql";
build();
my ($status, undef, $stderr) = run_tool('scrub-dump', '-d', $conn, '--from-schema', '-o', $output);
is($status, 0, 'the untouched scratch schema exports') or diag($stderr);
my $good = read_file($output);

my @cases = (
    [ 'a manifest table replaced by a view calling the builder\'s function',
      q{ALTER TABLE scrubbed._scrub_tables RENAME TO real_tables;
        CREATE VIEW scrubbed._scrub_tables AS SELECT * FROM scrubbed.real_tables WHERE tools.evil_bool()},
      qr/scrubbed\._scrub_tables is a view, not a table/ ],
    [ '_scrub_run replaced by a view',
      q{ALTER TABLE scrubbed._scrub_run RENAME TO real_run;
        CREATE VIEW scrubbed._scrub_run AS SELECT * FROM scrubbed.real_run WHERE tools.evil_bool()},
      qr/scrubbed\._scrub_run is a view, not a table/ ],
    [ 'a scratch table replaced by a view',
      q{ALTER TABLE scrubbed.users RENAME TO real_users;
        CREATE VIEW scrubbed.users AS SELECT * FROM scrubbed.real_users WHERE tools.evil_bool()},
      qr/scrubbed\.users is a view, not a table/ ],
    [ 'a scratch table replaced by a foreign table',
      q{DROP TABLE scrubbed.plans;
        CREATE FOREIGN TABLE scrubbed.plans (id integer, name text, price numeric(10,2))
            SERVER loopback OPTIONS (schema_name 'public', table_name 'plans')},
      qr/scrubbed\.plans is a foreign table, not a table/ ],
    [ 'a scratch table replaced by a partitioned table',
      q{CREATE TABLE scrubbed.new_plans (LIKE scrubbed.plans) PARTITION BY LIST (id);
        CREATE TABLE scrubbed.new_plans_all PARTITION OF scrubbed.new_plans DEFAULT;
        INSERT INTO scrubbed.new_plans SELECT * FROM scrubbed.plans;
        DROP TABLE scrubbed.plans;
        ALTER TABLE scrubbed.new_plans RENAME TO plans},
      qr/scrubbed\.plans is a partitioned table, not a table/ ],
    [ 'an index whose expression calls the builder\'s function',
      q{CREATE INDEX tables_evil ON scrubbed._scrub_tables ((copied_rows + tools.evil(1)))},
      qr/scrubbed\._scrub_tables has index tables_evil/ ],
    [ 'statistics whose expression calls the builder\'s function',
      q{CREATE STATISTICS scrubbed.stats_evil ON (copied_rows + tools.evil(1)), copied FROM scrubbed._scrub_tables},
      qr/scrubbed\._scrub_tables has statistics object stats_evil/ ],
    [ 'a rule on a scratch table',
      q{CREATE RULE no_insert AS ON INSERT TO scrubbed.users DO INSTEAD NOTHING},
      qr/scrubbed\.users has rule no_insert/ ],
    [ 'a child table adding rows to a scratch table',
      q{CREATE TABLE scrubbed.more_users () INHERITS (scrubbed.users);
        INSERT INTO scrubbed.more_users SELECT * FROM scrubbed.users LIMIT 1},
      qr/scrubbed\.users has child table scrubbed\.more_users/ ],
    [ 'a manifest column of the builder\'s type with its own cast to text',
      q{ALTER TABLE scrubbed._scrub_sequences ALTER COLUMN is_called TYPE tools.flag USING ROW(is_called)::tools.flag},
      qr/column scrubbed\._scrub_sequences\.is_called is of type tools\.flag, not boolean/ ],
    [ 'a manifest column dropped',
      q{ALTER TABLE scrubbed._scrub_tables DROP COLUMN copied_rows},
      qr/column scrubbed\._scrub_tables\.copied_rows is missing/ ],
    [ 'a scratch table listed twice',
      q{INSERT INTO scrubbed._scrub_tables SELECT * FROM scrubbed._scrub_tables WHERE table_name = 'plans'},
      qr/scrubbed\.plans is listed 2 times in _scrub_tables/ ],
);

for my $case (@cases)
{
    my ($label, $tamper, $expected) = @$case;
    build();
    $node->safe_psql('app', "SET ROLE builder; $tamper");
    my $log_offset = -s $node->logfile;
    ($status, undef, $stderr) = run_tool('scrub-dump', '-d', $conn, '--from-schema', '-o', $output);
    is($status, 1, "$label: the export is refused");
    like($stderr, $expected, "$label: the refusal names the object") or diag($stderr);
    like($stderr, qr/holds objects scrub_to_schema does not build/, "$label: and says why");
    my @markers = grep { /LOG:  scrub-test-marker: / } split /\n/, slurp_file($node->logfile, $log_offset);
    is(scalar @markers, 0, "$label: the builder's function did not run") or diag(join "\n", @markers);
    is($node->safe_psql('app', q{SELECT rolsuper FROM pg_roles WHERE rolname = 'builder'}), 'f',
        "$label: the builder is not superuser");
    ok(read_file($output) eq $good, "$label: the previous artifact is unchanged");
    $node->safe_psql('postgres', 'ALTER ROLE builder NOSUPERUSER');
}

# Objects the manifest does not list are never read or called, even named
# like what scrub-dump uses.
build();
$node->safe_psql('app', q{SET ROLE builder;
    CREATE VIEW scrubbed.extra AS SELECT tools.evil(1);
    CREATE TABLE scrubbed.pg_class (oid oid, relname name, relnamespace oid, relkind "char");
    CREATE FUNCTION scrubbed.format(text, name) RETURNS text LANGUAGE sql AS 'SELECT tools.evil(1)::text';
    CREATE FUNCTION scrubbed.count_step(bigint) RETURNS bigint LANGUAGE sql AS 'SELECT $1 + tools.evil(1)';
    CREATE AGGREGATE scrubbed.count(*) (SFUNC = scrubbed.count_step, STYPE = bigint, INITCOND = '0');});
my $log_offset = -s $node->logfile;
($status, undef, $stderr) = run_tool('scrub-dump', '-d', $conn, '--from-schema', '-o', $output);
is($status, 0, 'objects the manifest does not list are left alone') or diag($stderr);
is(scalar(grep { /LOG:  scrub-test-marker: / } split /\n/, slurp_file($node->logfile, $log_offset)), 0,
    'and it is not read');

$node->stop;
done_testing();
