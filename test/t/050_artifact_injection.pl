# Nothing read from the database reaches the artifact outside SQL quoting
# unchecked. The manifest's values (which whoever can write _scrub_run
# chooses, e.g. the role pg_cron runs scrub_to_schema as) must have their
# form, or scrub-dump refuses the export naming the value; and whatever is
# echoed into the header's comments (the database name, the manifest
# summary) carries no control character, since psql ends a comment at \r
# as at \n and runs the rest of the line (\! a shell command) on restore.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use ScrubTest;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('artifact_injection');
$node->init;
$node->start;
my $dir = PostgreSQL::Test::Utils::tempdir();
my $marker = "$dir/pwned";

$node->safe_psql('postgres', 'CREATE DATABASE src');
$node->safe_psql('src', q{
    CREATE TABLE t (id integer PRIMARY KEY, name text);
    INSERT INTO t SELECT i, 'n' || i FROM generate_series(1, 5) AS i;
    CREATE EXTENSION scrub;
});
my $build = q{SELECT count(*) FROM scrub_to_schema('{"t": ["id"]}', 'scrubbed', 'public')};

# Values written into _scrub_run after a run (--from-schema exports them).
my %hostile = (
    'sha256 with \r and a meta-command' =>
      [ 'allowlist_sha256', "E'abc\\r\\\\! touch $marker\\r-- '", 'allowlist_sha256' ],
    'sha256 with \n' => [ 'allowlist_sha256', "E'abc\\n\\\\! touch $marker'", 'allowlist_sha256' ],
    'sha256 of the right length with a \r' =>
      [ 'allowlist_sha256', "repeat('a', 62) || E'\\r!'", 'allowlist_sha256' ],
    'sha256 with a meta-command, no control character' =>
      [ 'allowlist_sha256', "'\\\\! touch $marker'", 'allowlist_sha256' ],
    'sha256 with a tab (would shift the fields)' =>
      [ 'allowlist_sha256', "repeat('a', 32) || E'\\t' || repeat('b', 31)", 'allowlist_sha256' ],
    'version with \r and a meta-command' =>
      [ 'extension_version', "E'0.2.0\\r\\\\! touch $marker\\r-- '", 'extension_version' ],
    'version with an escape sequence' => [ 'extension_version', "E'0.2\\u001b[2J'", 'extension_version' ],
    'version with \x01' => [ 'extension_version', "E'0.2.0\\x01'", 'extension_version' ],
    'source schema with \r' => [ 'source_schema', "E'public\\r\\\\! touch $marker'", 'source_schema' ],
);
for my $label (sort keys %hostile)
{
    my ($column, $value, $named) = @{ $hostile{$label} };
    $node->safe_psql('src', $build);
    $node->safe_psql('src', "UPDATE scrubbed._scrub_run SET $column = $value");
    my $output = "$dir/out.sql";
    unlink $output;
    my ($status, undef, $stderr) = run_tool('scrub-dump', '-d', $node->connstr('src'), '--from-schema',
        '-o', $output);
    is($status, 1, "$label: scrub-dump refuses the export");
    like($stderr, qr/_scrub_run holds values scrub_to_schema does not write/, "$label: the error says why");
    like($stderr, qr/\Q$named\E/, "$label: the error names $named");
    unlike($stderr, qr/[\r\x01\x1b]/, "$label: the message carries no control character");
    ok(!-e $output, "$label: no artifact is written");
}

# A well-formed manifest with its own values is exported as usual.
$node->safe_psql('src', $build);
my ($status, undef, $stderr) = run_tool('scrub-dump', '-d', $node->connstr('src'), '--from-schema',
    '-o', "$dir/ok.sql");
is($status, 0, 'a manifest as scrub_to_schema writes it is exported') or diag($stderr);

# Database names with control characters and meta-commands: the artifact is
# written, its header shows them without control characters, and restoring
# runs nothing.
my %names = (
    'cr' => "db\r\\! touch $marker\r-- ",
    'lf' => "db\n\\! touch $marker",
    'esc' => "db\e[31mred\x07",
    'bytes' => "db\x01\x02\x7f\x1f",
);
for my $label (sort keys %names)
{
    my $db = $names{$label};
    (my $quoted = $db) =~ s/"/""/g;
    $node->safe_psql('postgres', qq{CREATE DATABASE "$quoted"});
    $node->safe_psql($db, q{
        CREATE TABLE t (id integer PRIMARY KEY, name text);
        INSERT INTO t VALUES (1, 'x');
        CREATE EXTENSION scrub;
    });
    write_file("$dir/allowlist.json", '{"t": ["id"]}');
    my $output = "$dir/db_$label.sql";
    ($status, undef, $stderr) = run_tool('scrub-dump', '-d', $node->connstr($db), '-a', "$dir/allowlist.json",
        '-o', $output);
    is($status, 0, "database name with $label: the artifact is written") or diag($stderr);
    my $artifact = read_file($output);
    my ($header) = $artifact =~ /\A(.*?)\n\n/s;
    ok(defined $header && $header =~ /\A-- scrub artifact: scrubbed copy of database "db/,
        "database name with $label: the header names the database");
    my @bad = grep { !/\A--/ || /[\x00-\x1f\x7f]/ } split /\n/, $header // '';
    is(scalar @bad, 0, "database name with $label: every header line is one comment without control characters")
      or diag(join "\n", map { s/([\x00-\x1f\x7f])/sprintf '\\x%02x', ord $1/ger } @bad);
    $node->safe_psql('postgres', "CREATE DATABASE dst_$label");
    ($status, undef, $stderr) = run_tool('psql', '-X', '-q', '-1', '-v', 'ON_ERROR_STOP=1',
        '-d', $node->connstr("dst_$label"), '-f', $output);
    is($status, 0, "database name with $label: psql restores the artifact") or diag($stderr);
    ok(!-e $marker, "database name with $label: restoring runs no shell command");
}

$node->stop;
done_testing();
