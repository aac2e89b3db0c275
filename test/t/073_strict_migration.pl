# Strict mode as a scheduled job meets a migration: the job's statement
# (what pg_cron runs, docs/operations.md) passes, a migration adds a
# column, and the next run fails naming it, leaving the earlier copy in
# place, until the allowlist decides it. scrub-dump --strict and --plan
# show the same to a person and to CI, by exit status and output.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use ScrubTest;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('strict_migration');
$node->init;
$node->start;
my $out = PostgreSQL::Test::Utils::tempdir();

write_file("$out/source.sql", <<'SQL');
CREATE TABLE users (id int PRIMARY KEY, email text NOT NULL UNIQUE, joined date);
CREATE TABLE logins (id int PRIMARY KEY, user_id int REFERENCES users, at timestamptz);
INSERT INTO users SELECT i, 'user' || i || '@example.org', date '2024-01-01' + i
  FROM generate_series(1, 5) AS i;
INSERT INTO logins SELECT i, 1 + i % 5, timestamptz '2024-03-01 10:00+00' + i * interval '1 hour'
  FROM generate_series(1, 8) AS i;
SQL
load_fixture($node, 'app', "$out/source.sql");

my $allowlist = '{"users": {"columns": {"id": "keep", "email": "email", "joined": "keep"}},'
  . ' "logins": ["id", "user_id", "at"]}';
write_file("$out/allowlist.json", $allowlist);
my $job = "SELECT count(*) FROM scrub_to_schema('$allowlist', strict => true)";

# The first scheduled run passes.
is($node->safe_psql('app', $job), '2', 'the strict job copies both tables');
my $first_run = $node->safe_psql('app', 'SELECT started_at FROM scrubbed._scrub_run');

# The migration adds a column; the next run fails, naming it, and the copy
# of the first run stays as it was.
$node->safe_psql('app', 'ALTER TABLE users ADD COLUMN phone text');
my ($status, undef, $stderr) = $node->psql('app', $job, extra_params => [ '-v', 'VERBOSITY=verbose' ]);
isnt($status, 0, 'the strict job fails after the migration');
like($stderr, qr/ERROR:  22023: strict mode: the allowlist leaves 1 table or column undecided/,
    'with one error for the one undecided column');
like($stderr, qr/DETAIL:  Column "public\.users\.phone" has no decision \(key "users"\)\./,
    'naming the new column');
like($stderr, qr/"users": \{"columns": \{"phone": "fake"\}\}/, 'with the line to add in the hint');
is($node->safe_psql('app', 'SELECT started_at FROM scrubbed._scrub_run'), $first_run,
    'the earlier copy is left in place');
is($node->safe_psql('app', q{SELECT count(*) FROM pg_attribute
     WHERE attrelid = 'scrubbed.users'::regclass AND attname = 'phone'}),
    '0', 'and does not hold the new column');

# A job that is not strict goes on, faking the new column.
is($node->safe_psql('app', "SELECT count(*) FROM scrub_to_schema('$allowlist')"), '2',
    'without strict the run fakes the new column');

# scrub-dump --strict fails the same way and writes nothing.
my $dump = "$out/strict.sql";
my ($exit, $stdout);
($exit, undef, $stderr) =
  run_tool('scrub-dump', '-d', $node->connstr('app'), '-a', "$out/allowlist.json", '-o', $dump,
    '--strict');
is($exit, 1, 'scrub-dump --strict exits 1');
like($stderr, qr/Column "public\.users\.phone" has no decision/, 'naming the column');
ok(!-e $dump, 'and writes no artifact');

# --plan: a table of every column; exit 0 without strict (the run would
# pass), 1 with it (the run would fail), nothing written either way.
($exit, $stdout, $stderr) =
  run_tool('scrub-dump', '-d', $node->connstr('app'), '-a', "$out/allowlist.json", '--plan');
is($exit, 0, 'scrub-dump --plan exits 0 when a run would pass') or diag($stderr);
like($stdout, qr/^\s*table_name\s*\|\s*column_name\s*\|\s*type\s*\|\s*decision\s*\|\s*reason\s*\|\s*why\s*\|\s*problem\s*$/m,
    'it prints the plan as a table');
like($stdout, qr/^\s*users\s*\|\s*phone\s*\|\s*text\s*\|\s*fake\s*\|\s*default fake\s*\|/m,
    'showing the new column faked by default');
like($stdout, qr/^\s*logins\s*\|\s*user_id\s*\|\s*integer\s*\|\s*keep\s*\|\s*listed\s*\|/m,
    'and a listed column kept');
($exit, $stdout, $stderr) =
  run_tool('scrub-dump', '-d', $node->connstr('app'), '-a', "$out/allowlist.json", '--plan',
    '--strict');
is($exit, 1, 'scrub-dump --plan --strict exits 1 when a strict run would fail');
like($stdout, qr/^\s*users\s*\|\s*phone\s*\|.*has no decision/m, 'the plan names the problem');
like($stderr, qr/the plan lists 1 problems: a run would fail/, 'and says so on stderr');
is($node->safe_psql('app', q{SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'scrub_build_%'}),
    '0', '--plan leaves no build schema');

# The allowlist decides the column: everything passes again.
write_file("$out/allowlist.json",
    '{"users": {"columns": {"id": "keep", "email": "email", "joined": "keep",'
  . ' "phone": {"rule": "null", "why": "not needed in tests"}}},'
  . ' "logins": ["id", "user_id", "at"]}');
($exit, $stdout, $stderr) =
  run_tool('scrub-dump', '-d', $node->connstr('app'), '-a', "$out/allowlist.json", '--plan',
    '--strict');
is($exit, 0, 'scrub-dump --plan --strict exits 0 once the column is decided') or diag($stderr);
like($stdout, qr/^\s*users\s*\|\s*phone\s*\|\s*text\s*\|\s*null\s*\|\s*rule\s*\|\s*not needed in tests\s*\|\s*$/m,
    'showing its rule and why');
($exit, undef, $stderr) =
  run_tool('scrub-dump', '-d', $node->connstr('app'), '-a', "$out/allowlist.json", '-o', $dump,
    '--strict');
is($exit, 0, 'scrub-dump --strict writes the artifact') or diag($stderr);
ok(-s $dump, 'the artifact exists');

# What the run would fail on when it checks the allowlist's expressions
# (a constant the column's type refuses, a row filter naming no column)
# is a problem of its entry too: --plan prints each and exits 1, where the
# run would stop at the first.
write_file("$out/bad.json",
    '{"users": {"rows": {"where": "no_such_column > 0"},'
  . ' "columns": {"id": "keep", "email": "email", "joined": {"constant": "not a date"}}},'
  . ' "logins": ["id", "user_id", "at"]}');
($exit, $stdout, $stderr) =
  run_tool('scrub-dump', '-d', $node->connstr('app'), '-a', "$out/bad.json", '--plan');
is($exit, 1, 'scrub-dump --plan exits 1 when an expression of the allowlist is invalid')
  or diag($stderr);
like($stdout, qr/^\s*users\s*\|\s*joined\s*\|.*has a constant that is not a valid date/m,
    'the plan names the bad constant');
like($stdout, qr/^\s*users\s*\|\s*\|.*Row filter of allowlist entry "users" is not valid/m,
    'and the bad row filter');
like($stderr, qr/the plan lists 2 problems: a run would fail/, 'both counted');

# Usage: --plan writes nothing, so takes no -o; --from-schema runs nothing
# to make strict.
($exit, undef, $stderr) =
  run_tool('scrub-dump', '-d', $node->connstr('app'), '-a', "$out/allowlist.json", '--plan',
    '-o', "$out/x.sql");
is($exit, 2, '--plan with -o is a usage error');
($exit, undef, $stderr) =
  run_tool('scrub-dump', '-d', $node->connstr('app'), '--from-schema', '--strict', '-o',
    "$out/x.sql");
is($exit, 2, '--strict with --from-schema is a usage error');
like($stderr, qr/--strict applies to the run/, 'saying why');

done_testing();
