# scrub-dump --verify restores the artifact into a private temporary
# cluster before renaming it into place: an artifact that does not restore
# is refused (exit 1, OUTPUT unchanged, the failing statement shown), a
# materialized view left unpopulated by a failing refresh is reported, a
# NOT VALID constraint the fakes break is reported, and the temporary
# cluster and its directory are gone afterwards.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use ScrubTest;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('verify');
$node->init;
$node->start;
my $dir = PostgreSQL::Test::Utils::tempdir();
# The temporary clusters go here, so that the test sees what is left.
my $tmp = PostgreSQL::Test::Utils::tempdir();
local $ENV{TMPDIR} = $tmp;

load_fixture($node, 'app', fixture('sample_app.sql'));
my $conn = $node->connstr('app');
my $allowlist = fixture('sample_app.allowlist.json');
my $output = "$dir/app.sql";

# A clean database: verified and written.
my ($status, undef, $stderr) = run_tool('scrub-dump', '-d', $conn, '-a', $allowlist, '-o', $output, '--verify');
is($status, 0, '--verify accepts an artifact that restores') or diag($stderr);
like($stderr, qr/^scrub-dump: wrote /m, 'the artifact is written');
is(join(' ', dir_entries($tmp)), '', 'the temporary cluster is removed');

# A CHECK whose function finds its table through the search path works in
# the source, but not in a restore (pg_dump's output runs with an empty
# search_path): the artifact does not restore.
$node->safe_psql('app', q{
    CREATE TABLE public.limits (max_len int);
    INSERT INTO public.limits VALUES (100);
    CREATE FUNCTION public.short_enough(text) RETURNS boolean LANGUAGE sql STABLE
        AS 'SELECT length($1) <= (SELECT max_len FROM limits)';
    CREATE TABLE public.notes (id int PRIMARY KEY, body text CHECK (public.short_enough(body)));
    INSERT INTO public.notes VALUES (1, 'short note');
});
write_file("$dir/notes.json", '{"notes": ["id", "body"]}');
write_file($output, "previous\n");
($status, undef, $stderr) = run_tool('scrub-dump', '-d', $conn, '-a', "$dir/notes.json", '-o', $output);
is($status, 0, 'without --verify the unrestorable artifact is written (exit 0)');
$node->safe_psql('postgres', 'CREATE DATABASE copy_notes');
($status, undef, $stderr) = run_tool('scrub-restore', '-d', $node->connstr('copy_notes'), $output);
isnt($status, 0, '... and scrub-restore refuses it');

write_file($output, "previous\n");
($status, undef, $stderr) = run_tool('scrub-dump', '-d', $conn, '-a', "$dir/notes.json", '-o', $output, '--verify');
is($status, 1, '--verify refuses an artifact that does not restore (exit 1)');
like($stderr, qr/the artifact does not restore into an empty database:\n.*ERROR:  relation "limits" does not exist/s,
    'the error shows why the restore failed');
like($stderr, qr/STATEMENT:  COPY public\.notes /, 'the error shows the failing statement');
like($stderr, qr/the artifact failed verification; "\Q$output\E" was not changed/, 'the summary says OUTPUT is unchanged');
is(read_file($output), "previous\n", 'OUTPUT is unchanged');
is(join(' ', dir_entries($dir)), 'app.sql notes.json', 'no temporary file is left beside OUTPUT');
is(join(' ', dir_entries($tmp)), '', 'the temporary cluster is removed after a failure');
$node->safe_psql('app', 'DROP TABLE public.notes');

# A materialized view whose query fails on the fakes: reported, accepted.
$node->safe_psql('app', q{
    CREATE MATERIALIZED VIEW public.real_emails AS
        SELECT 1 / (SELECT count(*) FROM public.users WHERE email LIKE '%@%')::int AS ratio;
    CREATE MATERIALIZED VIEW public.never_filled AS SELECT id FROM public.users WITH NO DATA;
});
($status, undef, $stderr) = run_tool('scrub-dump', '-d', $conn, '-a', $allowlist, '-o', $output, '--verify');
is($status, 0, '--verify accepts an artifact whose failing view is left unpopulated') or diag($stderr);
like($stderr, qr/^scrub-dump: restore: WARNING:  materialized view public\.real_emails is left unpopulated: .*division by zero/m,
    '--verify shows the restore warning naming the view and the error');
like($stderr, qr/^scrub-dump: warning: materialized view public\.real_emails is left unpopulated: its refresh failed/m,
    '--verify reports the view whose state differs from the source');
unlike($stderr, qr/never_filled/, 'a view the source left unpopulated is no news');

# A NOT VALID CHECK in the source that the fakes break: a warning.
$node->safe_psql('app', q{
    DROP MATERIALIZED VIEW public.real_emails;
    ALTER TABLE public.users ADD CONSTRAINT email_has_at CHECK (email LIKE '%@%') NOT VALID;
});
($status, undef, $stderr) = run_tool('scrub-dump', '-d', $conn, '-a', $allowlist, '-o', $output, '--verify');
is($status, 0, '--verify accepts a NOT VALID constraint the fakes break') or diag($stderr);
like($stderr, qr/^scrub-dump: warning: constraint email_has_at of public\.users \(NOT VALID in the source\) does not hold on the scrubbed rows/m,
    '--verify warns about the NOT VALID constraint, naming it');
is(join(' ', dir_entries($tmp)), '', 'no temporary cluster is left');

# scrub-verify on its own, and its refusal of a truncated artifact.
($status, undef, $stderr) = run_tool('scrub-verify', $output);
is($status, 0, 'scrub-verify checks an existing artifact') or diag($stderr);
my $text = read_file($output);
$text =~ s/^COPY public\.users .*//ms;
write_file("$dir/cut.sql", $text);
($status, undef, $stderr) = run_tool('scrub-verify', "$dir/cut.sql");
is($status, 1, 'scrub-verify refuses an artifact cut short');

done_testing();
