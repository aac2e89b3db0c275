# Exit 0 must mean the artifact restores: cases that used to give an
# artifact scrub-restore refused, each dumped and restored here.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use ScrubTest;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('restorable');
$node->init;
$node->start;
my $dir = PostgreSQL::Test::Utils::tempdir();
my $n_copy = 0;

# Dumps database $db with $allowlist (or --from-schema when undef) and
# restores the artifact into a new database; returns the dump's and the
# restore's status and stderr, and the new database's name.
sub dump_and_restore
{
    my ($db, $allowlist) = @_;
    my $output = "$dir/$db.sql";
    my @dump = ('scrub-dump', '-d', $node->connstr($db), '-o', $output);
    if (defined $allowlist)
    {
        write_file("$dir/$db.json", $allowlist);
        push @dump, '-a', "$dir/$db.json";
    }
    else
    {
        push @dump, '--from-schema';
    }
    my ($status, undef, $stderr) = run_tool(@dump);
    return ($status, $stderr) if $status;
    my $copy = "copy_" . ++$n_copy;
    $node->safe_psql('postgres', qq{CREATE DATABASE "$copy"});
    my ($restore_status, undef, $restore_stderr) =
      run_tool('scrub-restore', '-d', $node->connstr($copy), $output);
    return ($status, $stderr, $restore_status, $restore_stderr, $copy);
}

# --- a default drawing from a sequence in another schema ------------------

$node->safe_psql('postgres', 'CREATE DATABASE seqs');
$node->safe_psql('seqs', q{
    CREATE EXTENSION scrub;
    CREATE SCHEMA counters;
    CREATE SEQUENCE counters.ticket_seq;
    CREATE TABLE public.tickets (
        id bigint PRIMARY KEY DEFAULT nextval('counters.ticket_seq'),
        subject text);
    INSERT INTO public.tickets (subject) SELECT 'subject ' || g FROM generate_series(1, 5) g;
});
my ($status, $stderr, $restore_status, $restore_stderr, $copy) =
  dump_and_restore('seqs', '{"tickets": ["id"]}');
is($status, 0, 'sequence in another schema: scrub-dump succeeds') or diag($stderr);
is($restore_status, 0, 'sequence in another schema: the artifact restores') or diag($restore_stderr);
is($node->safe_psql($copy, q{INSERT INTO public.tickets (subject) VALUES ('new') RETURNING id}),
    '6', 'the first insert after the restore gets a fresh key');

# --- --from-schema after a migration -------------------------------------

# Each migration leaves columns and types as they were, but the rows the
# scratch schema holds may no longer restore: the export must refuse,
# naming the table.
my @migrations = (
    [ 'SET NOT NULL', 'ALTER TABLE public.tickets ALTER COLUMN subject SET NOT NULL' ],
    [ 'a CHECK', q{ALTER TABLE public.tickets ADD CHECK (subject <> '')} ],
    [ 'a unique index', 'CREATE UNIQUE INDEX tickets_subject ON public.tickets (subject)' ],
    [ 'a collation', 'ALTER TABLE public.tickets ALTER COLUMN subject TYPE text COLLATE "C"' ],
    [ 'a domain constraint',
      q{CREATE DOMAIN public.short AS text; ALTER TABLE public.tickets ALTER COLUMN subject TYPE public.short; ALTER DOMAIN public.short ADD CHECK (length(VALUE) < 3) NOT VALID} ],
);
for my $migration (@migrations)
{
    my ($what, $sql) = @$migration;
    $node->safe_psql('seqs', q{SELECT count(*) FROM scrub_to_schema('{"tickets": ["id"]}')});
    $node->safe_psql('seqs', "BEGIN; $sql; COMMIT");
    ($status, $stderr) = dump_and_restore('seqs', undef);
    is($status, 1, "--from-schema after adding $what: refused");
    like($stderr, qr/source tables changed since the scratch schema was built: public\.tickets/,
        "--from-schema after adding $what: names the table");
    $node->safe_psql('seqs', q{
        DROP TABLE public.tickets;
        DROP DOMAIN IF EXISTS public.short;
        CREATE TABLE public.tickets (
            id bigint PRIMARY KEY DEFAULT nextval('counters.ticket_seq'),
            subject text);
        INSERT INTO public.tickets (subject) SELECT 'subject ' || g FROM generate_series(1, 5) g;
    });
}
# Without a migration, the same export goes through.
$node->safe_psql('seqs', q{SELECT count(*) FROM scrub_to_schema('{"tickets": ["id"]}')});
($status, $stderr, $restore_status, $restore_stderr) = dump_and_restore('seqs', undef);
is($status, 0, '--from-schema without a migration succeeds') or diag($stderr);
is($restore_status, 0, '--from-schema without a migration restores') or diag($restore_stderr);

# --- partitions in several schemas, a foreign partition, collations ------

$node->safe_psql('postgres', 'CREATE DATABASE parts');
$node->safe_psql('parts', q{
    CREATE EXTENSION scrub;
    CREATE SCHEMA archive;
    CREATE FOREIGN DATA WRAPPER dummy;
    CREATE SERVER remote FOREIGN DATA WRAPPER dummy;
    CREATE TABLE public.orders (id int, region text, placed date, note text)
        PARTITION BY LIST (region);
    CREATE TABLE public.orders_eu PARTITION OF public.orders FOR VALUES IN ('eu')
        PARTITION BY RANGE (placed);
    CREATE TABLE archive.orders_eu_2023 PARTITION OF public.orders_eu
        FOR VALUES FROM ('2023-01-01') TO ('2024-01-01');
    CREATE TABLE public.orders_eu_2024 PARTITION OF public.orders_eu
        FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
    CREATE FOREIGN TABLE public.orders_us PARTITION OF public.orders FOR VALUES IN ('us')
        SERVER remote;
    INSERT INTO public.orders_eu SELECT g, 'eu', date '2023-12-25' + g, 'secret ' || g
      FROM generate_series(1, 20) g;
    CREATE COLLATION public.ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
    CREATE TABLE public.codes (id int PRIMARY KEY, code text COLLATE public.ci, active bool,
                               UNIQUE (code, active));
    INSERT INTO public.codes VALUES (1, 'A', true), (2, 'b', false);
    CREATE TABLE public.accounts (
        id int PRIMARY KEY, email text,
        domain text GENERATED ALWAYS AS (split_part(email, '@', 2)) STORED,
        CHECK (length(domain) < 40));
    INSERT INTO public.accounts (id, email) VALUES (1, 'a@example.com');
});
my $allowlist = '{"orders": ["id", "region", "placed"], "codes": ["id", "code"], "accounts": ["id"]}';
($status, $stderr, $restore_status, $restore_stderr, $copy) = dump_and_restore('parts', $allowlist);
is($status, 0, 'partitions, collations, generated columns: scrub-dump succeeds') or diag($stderr);
is($restore_status, 0, 'partitions, collations, generated columns: the artifact restores')
  or diag($restore_stderr);
is($node->safe_psql($copy, 'SELECT count(*) FROM ONLY archive.orders_eu_2023'), '6',
    'rows went back to the partition in the other schema');
is($node->safe_psql($copy, 'SELECT count(*) FROM public.orders_eu_2024'), '14',
    'and to the partition in the source schema');
is($node->safe_psql($copy, q{SELECT count(*) FROM pg_class WHERE relname = 'orders_us' AND relkind = 'f'}),
    '1', 'the foreign partition is restored as a foreign table');
unlike(read_file("$dir/parts.sql"), qr/secret/, 'no scrubbed value in the artifact');

# 'a' and 'A' are one value under the index's collation: the run fails,
# and scrub-dump writes nothing.
$node->safe_psql('parts', q{UPDATE public.codes SET code = 'a' WHERE id = 2});
unlink "$dir/parts.sql";
($status, $stderr) = dump_and_restore('parts', $allowlist);
is($status, 1, 'a duplicate under a nondeterministic collation fails the run');
like($stderr, qr/Unique index "codes_code_active_key" of table "public.codes"/,
    'the failure names the index');
ok(!-e "$dir/parts.sql", 'no artifact was written');

$node->stop;
done_testing();
