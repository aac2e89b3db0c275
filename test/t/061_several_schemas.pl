# One artifact from a run over several schemas: scrub-dump of an allowlist
# naming tables of three schemas (one with a hostile name, a foreign key
# across schemas, a sequence of one schema feeding a table of another)
# restores into an empty database with every schema's scrubbed rows, by a
# direct run and with --from-schema, and leaves every scratch schema out.
# A manifest pointing a schema's rows at another schema is refused.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use ScrubTest;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('several_schemas');
$node->init;
$node->start;
my $out = PostgreSQL::Test::Utils::tempdir();

write_file("$out/source.sql", <<'EOF');
CREATE SCHEMA app;
CREATE SCHEMA audit;
CREATE SCHEMA "we.ird ""s";
CREATE SEQUENCE audit.ticket START 100;
CREATE TABLE app.users (id int PRIMARY KEY, email text NOT NULL, name text);
CREATE TABLE app.items (id int PRIMARY KEY DEFAULT nextval('audit.ticket'), label text);
CREATE TABLE audit.events (id int PRIMARY KEY, user_id int REFERENCES app.users, what text);
CREATE TABLE audit.items (sku text PRIMARY KEY, note text);
CREATE TABLE audit.unlisted (id int);
CREATE TABLE "we.ird ""s"."t 1" (id int PRIMARY KEY, event_id int REFERENCES audit.events, secret text);
INSERT INTO app.users SELECT i, 'user' || i || '@example.org', 'Name ' || i FROM generate_series(1, 5) i;
INSERT INTO app.items (label) SELECT 'label ' || i FROM generate_series(1, 3) i;
INSERT INTO audit.events SELECT 10 + i, i, 'what ' || i FROM generate_series(1, 5) i;
INSERT INTO audit.items VALUES ('A', 'note a'), ('B', 'note b');
INSERT INTO audit.unlisted VALUES (1), (2);
INSERT INTO "we.ird ""s"."t 1" VALUES (1, 11, 'real secret'), (2, NULL, 'other secret');
EOF
load_fixture($node, 'src', "$out/source.sql");
write_file("$out/allowlist.json", <<'EOF');
{"users": ["id"], "items": ["id", "label"], "audit.events": ["id", "user_id"],
 "audit.items": ["sku"], "\"we.ird \"\"s\".\"t 1\"": ["id", "event_id"]}
EOF

my @scratch = ('scrubbed', 'scrubbed__audit', '"scrubbed__we.ird ""s"');

# What a restored copy must hold: every copied table's rows in its own
# schema, kept columns equal to the source's, scrubbed ones faked, the
# unlisted table empty, the sequence at the source's value.
sub check_copy
{
    my ($db, $label) = @_;
    is(schema_dump($node, $db), schema_dump($node, 'src', @scratch),
        "$label: the copy has the source's structure, every scratch schema left out");
    for my $case (
        [ 'SELECT id FROM app.users', 'kept ids of app.users' ],
        [ 'SELECT id, label FROM app.items', 'app.items' ],
        [ 'SELECT id, user_id FROM audit.events', 'kept columns of audit.events' ],
        [ 'SELECT sku FROM audit.items', 'kept column of audit.items' ],
        [ 'SELECT id, event_id FROM "we.ird ""s"."t 1"', 'kept columns of the hostile schema' ])
    {
        is(ScrubTest::sorted_rows($node, $db, $case->[0]), ScrubTest::sorted_rows($node, 'src', $case->[0]),
            "$label: $case->[1] as in the source");
    }
    is($node->safe_psql($db, q{SELECT count(*) FROM app.users u JOIN audit.events e ON e.user_id = u.id}),
        '5', "$label: the foreign key across schemas joins");
    is($node->safe_psql($db, q{
        SELECT count(*) FROM app.users WHERE email LIKE 'user%@example.org' OR name LIKE 'Name %'}),
        '0', "$label: scrubbed columns of app.users hold no source value");
    is($node->safe_psql($db, q{
        SELECT count(*) FROM audit.events WHERE what LIKE 'what %'}),
        '0', "$label: scrubbed column of audit.events holds no source value");
    is($node->safe_psql($db, q{
        SELECT count(*) FROM audit.items WHERE note LIKE 'note %'}),
        '0', "$label: the scrubbed column of audit.items holds no source value");
    is($node->safe_psql($db, q{
        SELECT count(*) FROM "we.ird ""s"."t 1" WHERE secret LIKE '%secret'}),
        '0', "$label: the hostile schema's scrubbed column holds no source value");
    is($node->safe_psql($db, 'SELECT count(*) FROM audit.unlisted'), '0',
        "$label: a table of a covered schema not in the allowlist has no rows");
    is($node->safe_psql($db, 'SELECT last_value FROM audit.ticket'),
        $node->safe_psql('src', 'SELECT last_value FROM audit.ticket'),
        "$label: the other schema's sequence is at the source's value");
    is($node->safe_psql($db, q{SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'scrubbed%'}),
        '0', "$label: no scratch schema came over");
}

my ($status, $stdout, $stderr) = run_tool('scrub-dump', '-d', $node->connstr('src'), '--schema', 'app',
    '-a', "$out/allowlist.json", '-o', "$out/direct.sql");
is($status, 0, 'scrub-dump of a three-schema allowlist succeeds') or diag($stderr);
like($stderr, qr/: 5 tables with rows, 17 rows,/, 'the summary counts the rows of every schema');
is($node->safe_psql('src', q{SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'scrubbed%'}), '0',
    'the streaming dump built no scratch schema');
($status, $stdout, $stderr) = run_tool('scrub-dump', '-d', $node->connstr('src'), '--schema', 'app',
    '-a', "$out/allowlist.json", '-o', "$out/via.sql", '--via-schema');
is($status, 0, 'scrub-dump --via-schema of a three-schema allowlist succeeds') or diag($stderr);
like($stderr, qr/: 5 tables with rows, 17 rows,/, 'and counts the same rows');
is($node->safe_psql('src', q{SELECT string_agg(nspname, ',' ORDER BY nspname) FROM pg_namespace
                             WHERE nspname LIKE 'scrubbed%'}),
    'scrubbed,scrubbed__audit,scrubbed__we.ird "s', 'the run built one scratch schema per source schema');
$node->safe_psql('postgres', 'CREATE DATABASE direct');
($status, $stdout, $stderr) = run_tool('scrub-restore', '-d', $node->connstr('direct'), "$out/direct.sql");
is($status, 0, 'scrub-restore of the artifact succeeds') or diag($stderr);
check_copy('direct', 'direct run');

($status, $stdout, $stderr) = run_tool('scrub-dump', '-d', $node->connstr('src'), '--from-schema',
    '-o', "$out/from_schema.sql");
is($status, 0, 'scrub-dump --from-schema of the three scratch schemas succeeds') or diag($stderr);
$node->safe_psql('postgres', 'CREATE DATABASE from_schema');
($status, $stdout, $stderr) = run_tool('psql', '-X', '-q', '-1', '-v', 'ON_ERROR_STOP=1',
    '-d', $node->connstr('from_schema'), '-f', "$out/from_schema.sql");
is($status, 0, 'psql -1 -f restores the --from-schema artifact') or diag($stderr);
check_copy('from_schema', '--from-schema');

# --verify restores the artifact of every schema into a temporary cluster.
($status, $stdout, $stderr) = run_tool('scrub-dump', '-d', $node->connstr('src'), '--from-schema',
    '--verify', '-o', "$out/verified.sql");
is($status, 0, 'scrub-dump --verify accepts the artifact of three schemas') or diag($stderr);

# A manifest whose row for audit.unlisted (a plain table, which passes
# every shape check) names the source schema itself as its scratch schema
# would export its real rows: refused, naming it.
$node->safe_psql('src', q{UPDATE scrubbed._scrub_tables SET scratch_schema = 'audit', copied = true
                          WHERE source_schema = 'audit' AND table_name = 'unlisted'});
($status, $stdout, $stderr) = run_tool('scrub-dump', '-d', $node->connstr('src'), '--from-schema',
    '-o', "$out/tampered.sql");
isnt($status, 0, 'scrub-dump refuses a manifest pointing at another schema');
like($stderr, qr/_scrub_tables names scratch schema audit for schema audit, not scrubbed__audit/,
    'the error names the redirected scratch schema');
unlike($stderr, qr/audit\.unlisted has/, 'the table itself has the shape of a scratch table');
ok(!-e "$out/tampered.sql", 'no artifact is written');
# Moving the real rows into a schema of the right name but another owner
# is refused too.
$node->safe_psql('src', q{
    UPDATE scrubbed._scrub_tables SET scratch_schema = 'scrubbed__audit', copied = false
     WHERE source_schema = 'audit' AND table_name = 'unlisted';
    CREATE ROLE intruder;
    ALTER SCHEMA scrubbed__audit OWNER TO intruder});
($status, $stdout, $stderr) = run_tool('scrub-dump', '-d', $node->connstr('src'), '--from-schema',
    '-o', "$out/tampered.sql");
isnt($status, 0, 'scrub-dump refuses a scratch schema of another owner');
like($stderr, qr/scratch schema scrubbed__audit is owned by role intruder/,
    'the error names the scratch schema and its owner');

$node->stop;
done_testing();
