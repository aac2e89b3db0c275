# scrub-dump --report: a Markdown (and JSON) report of the run from its
# manifest (when, which snapshot, the allowlist's SHA-256, per table the
# rows and the filter, per column the decision, why and leak count), and
# the artifact's header with the same summary but no allowlist text. Also
# scrub_suggest on the fixture with every type, run as it stands, and a
# planted leak that --verify's leak check refuses.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use ScrubTest;
use Test::More;
use JSON::PP;

my $node = PostgreSQL::Test::Cluster->new('report');
$node->init;
$node->start;
my $out = PostgreSQL::Test::Utils::tempdir();

load_fixture($node, 'src', fixture('sample_app.sql'));
my $why = 'shown on invoices | secret-why-text';
my $filter = q{id <> 424242};
write_file("$out/allowlist.json", qq({
  "plans": ["id", "name", "price"],
  "organisations": {"columns": {"id": "keep", "name": "keep", "slug": "keep", "created_at": "keep"}},
  "users": {"rows": {"where": "$filter"},
            "columns": {"id": "keep", "organisation_id": "keep",
                        "email": {"rule": "email", "why": "$why"},
                        "full_name": {"sql": "full_name"}}},
  "sessions": {"rows": "none"}
}));

my ($status, $stdout, $stderr) = run_tool('scrub-dump', '-d', $node->connstr('src'),
    '-a', "$out/allowlist.json", '-o', "$out/copy.sql", '--report', "$out/report.md");
is($status, 0, 'scrub-dump --report succeeds') or diag($stderr);
my $report = read_file("$out/report.md");
my $sha = $node->safe_psql('src', 'SELECT allowlist_sha256 FROM scrubbed._scrub_run');
my $snapshot = $node->safe_psql('src', 'SELECT run_snapshot FROM scrubbed._scrub_run');
like($snapshot, qr/^\d+:\d+:/, 'the manifest records the run snapshot');
my $users = $node->safe_psql('src', "SELECT count(*) FROM public.users WHERE $filter");
my $leaked = $node->safe_psql('src',
    q{SELECT leaked->>'full_name' FROM scrubbed._scrub_tables WHERE table_name = 'users'});
ok($leaked > 0, "the copied full_name leaks ($leaked values) and the manifest counts it");
like($report, qr/^# scrub report/m, 'markdown: a title');
like($report, qr/allowlist SHA-256: \Q$sha\E/, 'markdown: the allowlist hash');
like($report, qr/snapshot: \Q$snapshot\E/, 'markdown: the snapshot');
like($report, qr/- run: \d{4}-\d\d-\d\d [\d:.]+ UTC to /, 'markdown: when, in UTC');
like($report, qr/^\| public\.users \| $users \| `\Q$filter\E` \|$/m,
    'markdown: the rows copied and the filter of a table');
like($report, qr/^\| public\.sessions \| no rows \|  \|$/m, 'markdown: a table without rows');
like($report, qr/^\| public\.users \| email \| email \| shown on invoices \\\| secret-why-text \| 0 \|$/m,
    'markdown: a column with its decision, why (pipe escaped) and leak count');
like($report, qr/^\| public\.users \| full_name \| sql \|  \| $leaked \|$/m,
    'markdown: the planted leak is counted');
like($report, qr/^\| public\.users \| id \| keep \|  \|  \|$/m, 'markdown: a kept column');

my $artifact = read_file("$out/copy.sql");
my ($header) = $artifact =~ /\A((?:--[^\n]*\n)+)/;
like($header, qr/^--   run snapshot: +\Q$snapshot\E$/m, 'header: the snapshot');
like($header, qr/^--   allowlist_sha256: +\Q$sha\E$/m, 'header: the allowlist hash');
like($header, qr/^--     public\.users: $users rows, filtered$/m, 'header: rows, filtered');
like($header, qr/^--       full_name: sql, leaked $leaked$/m, 'header: decision and leak count');
unlike($header, qr/secret-why-text|424242/, 'header: no why, no filter text');

# The default, streaming path writes the same summary into its header,
# from scrub_plan in the exporting transaction: rows streamed per table,
# the filter flag, each column's decision and reason; no leak counts
# (only a run makes them), and the header says so.
($status, $stdout, $stderr) = run_tool('scrub-dump', '-d', $node->connstr('src'),
    '-a', "$out/allowlist.json", '-o', "$out/streamed.sql");
is($status, 0, 'scrub-dump streams') or diag($stderr);
my ($streamed) = read_file("$out/streamed.sql") =~ /\A((?:--[^\n]*\n)+)/;
like($streamed, qr/rows\n-- streamed, both from one snapshot/, 'stream header: the rows were streamed');
like($streamed, qr/^--   tables \(rows copied, filtered or not; per column: decision, reason; leak counts only with --report or --verify/m,
    'stream header: says leak counts are made only on the scratch path');
like($streamed, qr/^--     public\.users: $users rows, filtered$/m, 'stream header: rows, filtered');
like($streamed, qr/^--       email: email \(rule\)$/m, 'stream header: a rule and its reason');
like($streamed, qr/^--       full_name: sql \(rule\)$/m, 'stream header: an sql rule');
like($streamed, qr/^--       id: keep \(listed\)$/m, 'stream header: a listed column');
my $plans = $node->safe_psql('src', 'SELECT count(*) FROM public.plans');
like($streamed, qr/^--     public\.plans: $plans rows$/m, 'stream header: a table without filter');
like($streamed, qr/^--     public\.sessions: no rows$/m, 'stream header: a table without rows');
unlike($streamed, qr/leaked/, 'stream header: no leak count');
unlike($streamed, qr/secret-why-text|424242/, 'stream header: no why, no filter text');

# A role that may stream (it owns the table, EXECUTE on scrub_export_*)
# but not plan (scrub_plan is revoked from PUBLIC) still streams; its
# header says the summary needs EXECUTE on scrub_plan. Granted, it has it.
$node->safe_psql('postgres', 'CREATE DATABASE own');
$node->safe_psql('own', q{
    CREATE EXTENSION scrub;
    CREATE ROLE exporter LOGIN;
    CREATE TABLE items (id int PRIMARY KEY, label text);
    INSERT INTO items VALUES (1, 'a'), (2, 'b');
    ALTER TABLE items OWNER TO exporter;
    GRANT EXECUTE ON FUNCTION scrub_export_plan(jsonb, text), scrub_export_check(jsonb, text),
        scrub_export_sequences(jsonb, text) TO exporter;
});
write_file("$out/own.json", '{"items": ["id"]}');
my $own = $node->connstr('own') . ' user=exporter';
($status, $stdout, $stderr) =
  run_tool('scrub-dump', '-d', $own, '-a', "$out/own.json", '-o', "$out/own1.sql");
is($status, 0, 'a role without EXECUTE on scrub_plan streams') or diag($stderr);
my ($own_header) = read_file("$out/own1.sql") =~ /\A((?:--[^\n]*\n)+)/;
like($own_header, qr/rows\n-- streamed, both from one snapshot/, 'it streamed');
like($own_header, qr/^--   tables: no per-table summary \(it needs EXECUTE on scrub_plan\)$/m,
    'its header says why it has no summary');
$node->safe_psql('own', 'GRANT EXECUTE ON FUNCTION scrub_plan(jsonb, text, boolean) TO exporter');
($status, $stdout, $stderr) =
  run_tool('scrub-dump', '-d', $own, '-a', "$out/own.json", '-o', "$out/own2.sql");
is($status, 0, 'with EXECUTE on scrub_plan it streams') or diag($stderr);
($own_header) = read_file("$out/own2.sql") =~ /\A((?:--[^\n]*\n)+)/;
like($own_header, qr/^--     public\.items: 2 rows\n--       id: keep \(listed\)\n--       label: fake \(default fake\)$/m,
    'and its header has the summary');

# A role granted only scrub_to_schema, as 0.1.0 documented and as an
# upgrade leaves it, may not execute scrub_export_*: its default dump
# takes the scratch-schema path instead of failing on the first of them.
$node->safe_psql('postgres', 'CREATE DATABASE built');
$node->safe_psql('built', q{
    CREATE EXTENSION scrub;
    CREATE ROLE builder LOGIN;
    GRANT CREATE ON DATABASE built TO builder;
    GRANT EXECUTE ON FUNCTION scrub_to_schema(jsonb, text, text, boolean, boolean) TO builder;
    CREATE TABLE built (id int PRIMARY KEY, label text);
    INSERT INTO built VALUES (1, 'x'), (2, 'y');
    ALTER TABLE built OWNER TO builder;
});
write_file("$out/built.json", '{"built": ["id"]}');
($status, $stdout, $stderr) = run_tool('scrub-dump', '-d', $node->connstr('built') . ' user=builder',
    '-a', "$out/built.json", '-o', "$out/built.sql");
is($status, 0, 'a role without EXECUTE on scrub_export_* dumps through scrub_to_schema')
  or diag($stderr);
unlike($stderr, qr/permission denied/, '... without a permission error');
my $built = -e "$out/built.sql" ? read_file("$out/built.sql") : '';
unlike($built, qr/^-- streamed, both from one snapshot/m, '... not streamed');
like($built, qr/^COPY public\.built \(id, label\) FROM stdin;\n1\t/m, '... with its rows');

($status, $stdout, $stderr) = run_tool('scrub-dump', '-d', $node->connstr('src'), '--from-schema',
    '-o', "$out/copy2.sql", '--report', "$out/report.json", '--report-format', 'json');
is($status, 0, 'scrub-dump --from-schema --report-format json succeeds') or diag($stderr);
my $doc = decode_json(read_file("$out/report.json"));
is($doc->{allowlist_sha256}, $sha, 'json: the allowlist hash');
is($doc->{run_snapshot}, $snapshot, 'json: the snapshot');
my ($users_doc) = grep { $_->{table} eq 'users' } @{ $doc->{tables} };
is($users_doc->{rows_copied}, $users, 'json: rows copied');
is($users_doc->{row_filter}, $filter, 'json: the filter');
my %columns = map { $_->{column} => $_ } @{ $users_doc->{columns} };
is($columns{email}{why}, $why, 'json: the why');
is($columns{full_name}{leaked}, $leaked, 'json: the leak count');
is($columns{id}{leaked}, undef, 'json: a kept column is not measured');

($status, $stdout, $stderr) = run_tool('scrub-dump', '-d', $node->connstr('src'), '--from-schema',
    '-o', "$out/copy3.sql", '--report-format', 'yaml');
is($status, 2, 'an unknown report format is a usage error');

# --verify turns the leak check on: the planted leak fails the run.
($status, $stdout, $stderr) = run_tool('scrub-dump', '-d', $node->connstr('src'),
    '-a', "$out/allowlist.json", '-o', "$out/leak.sql", '--verify');
isnt($status, 0, 'scrub-dump --verify refuses a run that leaks');
like($stderr, qr/scrubbed values equal source values/, 'the leak check names the failure');
like($stderr, qr/users\.full_name/, '... and the column');
ok(!-e "$out/leak.sql", 'no artifact was written');

# scrub_suggest on the fixture with every type: the suggestion runs as
# it stands (through the scratch schema, whose manifest holds the leak
# counts: a streamed dump writes none); the fixture's IP addresses are already in the documentation
# range the ip rule writes from, so the leak check counts those.
load_fixture($node, 'fidelity', fixture('fidelity.sql'));
my $suggested = $node->safe_psql('fidelity', 'SELECT scrub_suggest()');
write_file("$out/suggested.json", $suggested);
($status, $stdout, $stderr) = run_tool('scrub-dump', '-d', $node->connstr('fidelity'),
    '-a', "$out/suggested.json", '-o', "$out/fidelity.sql", '--via-schema');
is($status, 0, 'the suggestion for the fidelity fixture runs as it stands') or diag($stderr);
is($node->safe_psql('fidelity', q{
    SELECT string_agg(t.table_name || '.' || l.key || ': ' || l.value, ', ')
      FROM scrubbed._scrub_tables AS t, jsonb_each(t.leaked) AS l
     WHERE CAST(l.value AS int) > 0}), 'Mixed Case "Quoted" Table.ip: 4',
    '... and the leak check counts only the addresses the source already holds in the '
      . 'documentation range the ip rule writes (192.0.2.1-4)');
my $suggestion = decode_json($suggested);
my @undecided;
for my $line (split /\n/, $node->safe_psql('fidelity', q{
    SELECT c.relname || E'\t' || a.attname FROM pg_catalog.pg_attribute a
      JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition
       AND a.attnum > 0 AND NOT a.attisdropped}))
{
    my ($table, $column) = split /\t/, $line;
    utf8::decode($table);
    utf8::decode($column);
    my $key = $table =~ /[."]/ ? '"' . ($table =~ s/"/""/gr) . '"' : $table;
    push @undecided, "$table.$column"
      unless exists $suggestion->{$key}{columns}{$column};
}
is_deeply(\@undecided, [], 'every column of every table is decided');

done_testing();
