# Column rules and row filters end to end: scrub-dump an allowlist in the
# object form (realistic fakes, a constant, json, hashed keys that
# foreign keys follow, row filters on both sides of each key), then
# scrub-restore the artifact into an empty database: it restores, holds
# the filtered rows, its joins give the source's results, and neither the
# real values nor the hash key are in it.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use ScrubTest;
use Test::More;

my $key = 'tap-rules-roundtrip-key-0123456789';
my $node = PostgreSQL::Test::Cluster->new('rules_roundtrip');
$node->init;
my $out = PostgreSQL::Test::Utils::tempdir();
write_file("$out/scrub.key", "$key\n");
chmod 0600, "$out/scrub.key" or die "chmod: $!";
$node->append_conf('postgresql.conf', "scrub.key_file = '$out/scrub.key'");
$node->start;

load_fixture($node, 'src', fixture('sample_app.sql'));
$node->safe_psql('postgres', 'CREATE DATABASE dst');
my $keep = '"id % 4 <> 0"';
write_file("$out/allowlist.json", qq({
  "plans": ["id", "name", "price"],
  "organisations": {"columns": {"id": "keep", "name": "keep", "slug": "keep", "created_at": "keep"}},
  "users": {"rows": {"where": $keep},
            "columns": {"id": {"rule": "hash", "why": "joins survive"}, "organisation_id": "keep",
                        "email": "email", "full_name": "full_name", "phone": "phone",
                        "password_hash": {"constant": "!", "why": "nobody logs in"},
                        "is_staff": "keep", "date_joined": "keep"}},
  "api_tokens": {"rows": {"where": "user_id % 4 <> 0"},
                 "columns": {"id": "keep", "token": "hash", "created_at": "keep"}},
  "memberships": {"rows": {"where": "user_id % 4 <> 0"},
                  "columns": {"organisation_id": "keep", "role": "keep"}},
  "audit_events": {"rows": {"where": "user_id IS NULL OR user_id % 4 <> 0"},
                   "columns": {"id": "keep", "action": "keep", "ip": "ip",
                               "payload": {"json": {"keep": []}}, "occurred_at": "keep"}},
  "sessions": {"rows": "none"}
}));

my ($status, $stdout, $stderr) = run_tool('scrub-dump', '-d', $node->connstr('src'),
    '-a', "$out/allowlist.json", '-o', "$out/copy.sql");
is($status, 0, 'scrub-dump with column rules and row filters succeeds') or diag($stderr);
($status, $stdout, $stderr) = run_tool('scrub-restore', '-d', $node->connstr('dst'), "$out/copy.sql");
is($status, 0, 'scrub-restore of that artifact succeeds') or diag($stderr);

# The filtered rows, and only those.
for my $case (
    [ 'users', 'id % 4 <> 0' ],
    [ 'api_tokens', 'user_id % 4 <> 0' ],
    [ 'memberships', 'user_id % 4 <> 0' ],
    [ 'audit_events', 'user_id IS NULL OR user_id % 4 <> 0' ])
{
    my ($table, $where) = @$case;
    my $want = $node->safe_psql('src', "SELECT count(*) FROM public.$table WHERE $where");
    is($node->safe_psql('dst', "SELECT count(*) FROM public.$table"), $want,
        "$table: the copy holds the $want rows its filter selects");
}
is($node->safe_psql('dst', 'SELECT count(*) FROM public.sessions'), '0', 'sessions: no rows');

# Joins through the hashed key give the source's results.
my $joins = q{
    SELECT (SELECT count(*) FROM public.api_tokens t JOIN public.users u ON u.id = t.user_id),
           (SELECT count(*) FROM public.memberships m JOIN public.users u ON u.id = m.user_id),
           (SELECT count(*) FROM public.audit_events a JOIN public.users u ON u.id = a.user_id),
           (SELECT string_agg(n::text, ',' ORDER BY n) FROM
               (SELECT count(*) AS n FROM public.audit_events GROUP BY user_id) s)};
my $filtered = q{
    WITH users AS (SELECT * FROM public.users WHERE id % 4 <> 0),
         api_tokens AS (SELECT * FROM public.api_tokens WHERE user_id % 4 <> 0),
         memberships AS (SELECT * FROM public.memberships WHERE user_id % 4 <> 0),
         audit_events AS (SELECT * FROM public.audit_events WHERE user_id IS NULL OR user_id % 4 <> 0)
    SELECT (SELECT count(*) FROM api_tokens t JOIN users u ON u.id = t.user_id),
           (SELECT count(*) FROM memberships m JOIN users u ON u.id = m.user_id),
           (SELECT count(*) FROM audit_events a JOIN users u ON u.id = a.user_id),
           (SELECT string_agg(n::text, ',' ORDER BY n) FROM
               (SELECT count(*) AS n FROM audit_events GROUP BY user_id) s)};
is($node->safe_psql('dst', $joins), $node->safe_psql('src', $filtered),
    'joins and per-user counts through the hashed key match the source');
isnt($node->safe_psql('dst', q{SELECT string_agg(id::text, ',' ORDER BY id) FROM public.users}),
    $node->safe_psql('src', q{SELECT string_agg(id::text, ',' ORDER BY id) FROM public.users WHERE id % 4 <> 0}),
    'the user ids were replaced');

# Realistic values only; none of the real ones.
my $emails = $node->safe_psql('dst', q{
    SELECT count(*) FILTER (WHERE email !~ '^[a-z0-9._-]+@example\.(com|org|net)$'),
           count(*) FILTER (WHERE phone IS NOT NULL AND phone !~ '^\+[1-9][0-9]{6,14}$'),
           count(*) FILTER (WHERE password_hash <> '!'),
           count(DISTINCT lower(email)) = count(*)
      FROM public.users});
is($emails, '0|0|0|t', 'emails, phones and the constant are as their rules say');
my $real = $node->safe_psql('src', q{
    SELECT string_agg(quote_literal(email), ',') FROM public.users WHERE id % 4 <> 0});
is($node->safe_psql('dst', "SELECT count(*) FROM public.users WHERE email IN ($real)"), '0',
    'no real email is left');
is($node->safe_psql('dst', q{
    SELECT count(*) FROM public.audit_events
     WHERE ip IS NOT NULL AND NOT (ip << inet '192.0.2.0/24' OR ip << inet '198.51.100.0/24'
                                   OR ip << inet '203.0.113.0/24' OR ip << inet '2001:db8::/32')}),
    '0', 'addresses are in the documentation ranges');

# The key is nowhere in the artifact.
my $text = read_file("$out/copy.sql");
unlike($text, qr/\Q$key\E/, 'the hash key is not in the artifact');
unlike($text, qr/scrub\.key/, 'the setting is not named in the artifact');

done_testing();
