# Expressions a restore evaluates over the copied rows (unique indexes with
# a predicate or key expressions, other indexes' expressions and
# predicates, generated columns) are evaluated on the faked rows by the
# run: scrub-dump refuses what scrub-restore would fail on, naming the
# object, and what it writes restores.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use ScrubTest;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('verify_restore');
$node->init;
$node->start;
my $dir = PostgreSQL::Test::Utils::tempdir();
my $n_copy = 0;

$node->safe_psql('postgres', 'CREATE DATABASE src');
$node->safe_psql('src', q{
    CREATE EXTENSION scrub;
    CREATE TYPE sub_state AS ENUM ('active', 'cancelled');
    CREATE TABLE subscriptions (id int PRIMARY KEY, customer_id int NOT NULL,
                                state sub_state NOT NULL);
    CREATE UNIQUE INDEX one_active_per_customer ON subscriptions (customer_id)
        WHERE state = 'active';
    INSERT INTO subscriptions VALUES (1, 10, 'cancelled'), (2, 10, 'active');
    CREATE TABLE addresses (id int PRIMARY KEY, street text, zip text NOT NULL,
                            zip_prefix int GENERATED ALWAYS AS (left(zip, 2)::int) STORED);
    INSERT INTO addresses (id, street, zip) VALUES (1, 'Main St 1', '10115'), (2, 'Elm St 2', '80331');
    CREATE TABLE events (id int PRIMARY KEY, payload text, code text);
    CREATE INDEX events_payload ON events ((payload::jsonb));
    CREATE INDEX events_code ON events (id) WHERE left(code, 2)::int > 0;
    INSERT INTO events VALUES (1, '{"a": 1}', '12x'), (2, '[2]', '34y');
    CREATE TABLE accounts (id int PRIMARY KEY, email text);
    CREATE UNIQUE INDEX accounts_email_ci ON accounts (lower(email));
    INSERT INTO accounts VALUES (1, 'a@example.com'), (2, 'b@example.com');
    CREATE SCHEMA archive;
    CREATE TABLE orders (id int, region text, payload text) PARTITION BY LIST (region);
    CREATE TABLE archive.orders_eu PARTITION OF orders FOR VALUES IN ('eu');
    CREATE TABLE orders_us PARTITION OF orders FOR VALUES IN ('us');
    CREATE INDEX orders_eu_payload ON archive.orders_eu ((payload::jsonb));
    INSERT INTO orders VALUES (1, 'eu', '{"a": 1}'), (2, 'us', 'not json');
});

# Dumps database src with $allowlist; on success restores the artifact
# into a new database. Returns the dump's status and stderr, whether the
# artifact exists, and the restore's status, stderr and database.
sub dump_and_restore
{
    my ($name, $allowlist) = @_;
    my $output = "$dir/$name.sql";
    write_file("$dir/$name.json", $allowlist);
    my ($status, undef, $stderr) =
      run_tool('scrub-dump', '-d', $node->connstr('src'), '-a', "$dir/$name.json", '-o', $output);
    return ($status, $stderr, -e $output) if $status;
    my $copy = "copy_" . ++$n_copy;
    $node->safe_psql('postgres', qq{CREATE DATABASE "$copy"});
    my ($restore_status, undef, $restore_stderr) =
      run_tool('scrub-restore', '-d', $node->connstr($copy), $output);
    return ($status, $stderr, -e $output, $restore_status, $restore_stderr, $copy);
}

my @refused = (
    [ 'partial unique index', '{"subscriptions": ["id", "customer_id"]}',
      qr/Unique index "one_active_per_customer" of table "public.subscriptions" would hold duplicate faked values/ ],
    [ 'generated column', '{"addresses": ["id", "street"]}',
      qr/generated column "zip_prefix" of table "public.addresses" cannot be computed from the faked values.*invalid input syntax for type integer/s ],
    [ 'expression index', '{"events": ["id", "code"]}',
      qr/index "events_payload" of table "public.events" cannot be built on the faked values.*invalid input syntax for type json/s ],
    [ 'partial index', '{"events": ["id", "payload"]}',
      qr/index "events_code" of table "public.events" cannot be built on the faked values/ ],
    [ "a partition's own index", '{"orders": ["id", "region"]}',
      qr/index "orders_eu_payload" of partition "archive.orders_eu" of table "public.orders" cannot be built/ ],
);
my $before = $node->safe_psql('src', 'SELECT * FROM subscriptions, addresses, events ORDER BY 1, 4, 8');
for my $case (@refused)
{
    my ($what, $allowlist, $message) = @$case;
    (my $name = $what) =~ s/\W/_/g;
    my ($status, $stderr, $written) = dump_and_restore($name, $allowlist);
    is($status, 1, "$what over a scrubbed column: scrub-dump refuses");
    like($stderr, $message, "$what: the error names it");
    ok(!$written, "$what: no artifact is written");
}
is($node->safe_psql('src', 'SELECT * FROM subscriptions, addresses, events ORDER BY 1, 4, 8'),
    $before, 'the source is unchanged');

# With the columns they read kept, or with fakes that fit, the same
# objects restore, indexes valid.
my @restored = (
    [ 'partial unique index', '{"subscriptions": ["id", "customer_id", "state"]}' ],
    [ 'generated column', '{"addresses": ["id", "zip"]}' ],
    [ 'expression and partial indexes', '{"events": ["id", "payload", "code"]}' ],
    [ 'unique expression index, distinct fakes', '{"accounts": ["id"]}' ],
    [ "a partition's own index", '{"orders": ["id", "region", "payload"]}' ],
);
for my $case (@restored)
{
    my ($what, $allowlist) = @$case;
    (my $name = "kept_$what") =~ s/\W/_/g;
    my ($status, $stderr, $written, $restore_status, $restore_stderr, $copy) =
      dump_and_restore($name, $allowlist);
    is($status, 0, "$what: scrub-dump succeeds") or diag($stderr);
    is($restore_status, 0, "$what: the artifact restores") or diag($restore_stderr);
    is($node->safe_psql($copy, 'SELECT count(*) FROM pg_index WHERE NOT indisvalid'),
        '0', "$what: every index is valid");
}

# An index that evaluates a scrubbed column, added after the scratch schema
# was built: --from-schema sees the table changed and refuses.
$node->safe_psql('src', q{
    CREATE TABLE notes (id int PRIMARY KEY, body text);
    INSERT INTO notes VALUES (1, '{}');
    SELECT count(*) FROM scrub_to_schema('{"notes": ["id"]}');
    CREATE INDEX notes_body ON notes ((body::jsonb));
});
my ($status, undef, $stderr) =
  run_tool('scrub-dump', '-d', $node->connstr('src'), '--from-schema', '-o', "$dir/from.sql");
is($status, 1, '--from-schema after adding an expression index: refused');
like($stderr, qr/source tables changed since the scratch schema was built: public\.notes/,
    '--from-schema after adding an expression index: names the table');

done_testing();
