# The daily workflow end to end: scrub-dump a database, scrub-restore the
# artifact into an empty one, and check that the copy has the source's exact
# schema, the manifest's rows, working sequences, kept columns identical and
# scrubbed ones sharing nothing with the source. Run on three databases:
# test/fixtures/fidelity.sql (every awkward object kind), northwind (a real
# sample database, Ms-PL) and test/fixtures/sample_app.sql (the demo app).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use ScrubTest;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('dump_restore');
$node->init;
$node->start;
my $out = PostgreSQL::Test::Utils::tempdir();

my @cases = (
    {   name => 'fidelity',
        fixture => fixture('fidelity.sql'),
        allowlist => fixture('fidelity.allowlist.json'),
        inserts => [
            q{INSERT INTO public.customers (email, full_name, created_at) VALUES ('new@example.com', 'New Customer', now())},
            q{INSERT INTO public.products (sku, name, price) VALUES ('new-0001', 'New Product', 1.50)},
            q{INSERT INTO public.customer_notes (customer_id, body, created_at) SELECT min(id), 'new note', now() FROM public.customers},
            q{INSERT INTO public."Mixed Case ""Quoted"" Table" ("Device Name", device_uuid) VALUES ('new device', gen_random_uuid())},
            q{INSERT INTO public."café_menü" (menu_date, course, plat_du_jour, prix) VALUES ('2030-01-01', 'plat', 'Cassoulet', 14.50)},
            q{INSERT INTO public.loyalty_point_adjustments_recorded_by_the_customer_service_team (customer_id, points, adjusted_on) SELECT min(id), 10, current_date FROM public.customers},
            q{INSERT INTO "Accounts Dept".ledger_entries (side, amount, posted_on) VALUES ('debit', 5, current_date)},
        ],
    },
    {   name => 'northwind',
        fixture => fixture('northwind.sql'),
        allowlist => fixture('northwind.allowlist.json'),
        inserts => [],
    },
    {   name => 'sample_app',
        fixture => fixture('sample_app.sql'),
        allowlist => fixture('sample_app.allowlist.json'),
        inserts => [
            q{INSERT INTO public.plans (name, price) VALUES ('New plan', 1)},
            q{INSERT INTO public.organisations (name, slug, created_at) VALUES ('New Org', 'new-org', now())},
            q{INSERT INTO public.users (organisation_id, email, full_name, password_hash, date_joined) SELECT min(id), 'new@example.com', 'New User', 'x', now() FROM public.organisations},
            q{INSERT INTO public.api_tokens (user_id, token, created_at) SELECT min(id), 'new-token', now() FROM public.users},
            q{INSERT INTO public.audit_events (user_id, action, occurred_at) SELECT min(id), 'login', now() FROM public.users},
        ],
    },
);

for my $case (@cases)
{
    my $name = $case->{name};
    my ($src, $dst) = ("src_$name", "copy_$name");
    load_fixture($node, $src, $case->{fixture});
    $node->safe_psql('postgres', qq{CREATE DATABASE "$dst"});
    my $artifact = "$out/$name.sql";

    my ($status, $stdout, $stderr) = run_tool('scrub-dump', '-d', $node->connstr($src),
        '-a', $case->{allowlist}, '-o', $artifact, '--via-schema');
    is($status, 0, "$name: scrub-dump succeeds") or diag($stderr);
    like($stderr, qr/^scrub-dump: wrote \Q$artifact\E: \d+ tables with rows, \d+ rows, \d+ sequences$/m,
        "$name: scrub-dump prints a one-line summary");
    my $manifest_rows = $node->safe_psql($src,
        'SELECT coalesce(sum(copied_rows), 0) FROM scrubbed._scrub_tables WHERE copied');
    like($stderr, qr/, $manifest_rows rows,/, "$name: the summary counts the manifest's rows");
    is((stat $artifact)[2] & 07777, 0600, "$name: the artifact has mode 0600");
    is(join(' ', grep { /^\.\Q$name\E\.sql/ } dir_entries($out)), '',
        "$name: no temporary file is left beside the artifact");
    my $text = read_file($artifact);
    my $sha = $node->safe_psql($src, 'SELECT allowlist_sha256 FROM scrubbed._scrub_run');
    like($text, qr/^--   allowlist_sha256:  \Q$sha\E$/m, "$name: the header records the allowlist's sha256");
    unlike($text, qr/\bscrub_to_schema\b|CREATE EXTENSION IF NOT EXISTS scrub\b|"?scrubbed"?\._scrub/,
        "$name: the artifact holds neither the scrub extension nor the scratch schema");

    ($status, $stdout, $stderr) = run_tool('scrub-restore', '-d', $node->connstr($dst), $artifact);
    is($status, 0, "$name: scrub-restore into an empty database succeeds") or diag($stderr);
    like($stderr, qr/^scrub-restore: restored .*: \d+ tables with rows, $manifest_rows rows$/m,
        "$name: scrub-restore's summary counts every restored row");

    check_restored_copy(node => $node, source => $src, restored => $dst, label => $name,
        inserts => $case->{inserts});
}

# A source schema other than public: bare allowlist keys and the COPY
# targets follow --schema.
$node->safe_psql('postgres', 'CREATE DATABASE src_schema');
$node->safe_psql('src_schema', q{
    CREATE EXTENSION scrub;
    CREATE SCHEMA app;
    CREATE TABLE app.people (id serial PRIMARY KEY, email text NOT NULL UNIQUE, country text);
    INSERT INTO app.people (email, country) SELECT 'p' || i || '@example.com', 'GB' FROM generate_series(1, 25) i;
    CREATE TABLE public.unrelated (id int);
    INSERT INTO public.unrelated VALUES (1);
});
write_file("$out/app.json", '{"people": ["id", "country"]}');
my ($status, undef, $stderr) = run_tool('scrub-dump', '-d', $node->connstr('src_schema'),
    '-a', "$out/app.json", '-o', "$out/app.sql", '--schema', 'app', '--target', 'app_scrubbed',
    '--via-schema');
is($status, 0, '--schema/--target: scrub-dump succeeds') or diag($stderr);
$node->safe_psql('postgres', 'CREATE DATABASE copy_schema');
($status, undef, $stderr) = run_tool('scrub-restore', '-d', $node->connstr('copy_schema'), "$out/app.sql");
is($status, 0, '--schema/--target: scrub-restore succeeds') or diag($stderr);
check_restored_copy(node => $node, source => 'src_schema', restored => 'copy_schema',
    label => 'schema app', schema => 'app', scratch => 'app_scrubbed',
    inserts => [q{INSERT INTO app.people (email) VALUES ('new@example.com')}]);

done_testing();
