# The hash key never reaches the server log, a client's error, SHOW ALL or
# a role that is not a superuser, a member of pg_monitor included, in the
# one documented setup (docs/operations.md, "The hash key"): scrub.key_file
# naming a file of mode 0600. A leftover scrub.key (a setting anyone who
# reads settings could read) stops every run. Every statement and every
# error is logged verbosely (detail, hint, context).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use ScrubTest;
use Test::More;
use Time::HiRes qw(usleep);

my $short_key = 'Kq9shortKEY';
my $long_key = 'Kq9long-secret-KEY-0123456789abcdef';
my $other_key = 'Kq9other-secret-KEY-fedcba9876543210';
my $dir = PostgreSQL::Test::Utils::tempdir();

sub key_file
{
    my ($name, $content, $mode) = @_;
    my $path = "$dir/$name";
    write_file($path, $content);
    chmod $mode, $path or die "chmod $path: $!";
    return $path;
}

my $node = PostgreSQL::Test::Cluster->new('key_secrecy');
$node->init;
my $file = key_file('scrub.key', "$short_key\n", 0600);
$node->append_conf('postgresql.conf', qq{
log_min_messages = debug1
log_min_error_statement = error
log_error_verbosity = verbose
log_statement = 'all'
scrub.key_file = '$file'
});
$node->start;
$node->safe_psql('postgres', 'CREATE EXTENSION scrub');
$node->safe_psql('postgres', 'CREATE ROLE key_probe LOGIN');

sub hash_error
{
    my ($sql, $user) = @_;
    my ($ret, $stdout, $stderr) =
      $node->psql('postgres', $sql, extra_params => [ defined $user ? ('-U', $user) : () ]);
    return $stderr;
}

# scrub.key_file: errors name the file, never its content.
my $stderr = hash_error('SELECT scrub_hash(1)');
like($stderr, qr/scrub\.key_file is too short/, 'a short key in the file is refused');
unlike($stderr, qr/\Q$short_key\E/, 'the error does not show it');
chmod 0644, $file;
like(hash_error('SELECT scrub_hash(1)'),
    qr/scrub\.key_file "\Q$file\E" is accessible to other users/,
    'a file others may read is refused');
unlink $file;
like(hash_error('SELECT scrub_hash(1)'), qr/could not read scrub\.key_file "\Q$file\E"/,
    'a missing file is an error');
key_file('scrub.key', "$long_key\n", 0600);
my $pseudonym = $node->safe_psql('postgres', 'SELECT scrub_hash(42)');
like($pseudonym, qr/^\d+$/, 'a long enough key works');
is($node->safe_psql('postgres', 'SELECT scrub_hash(42)'), $pseudonym, 'stable across sessions');

# A role that is not a superuser, in a backend that has not loaded scrub.
like(hash_error('SELECT scrub_hash(42)', 'key_probe'),
    qr/permission denied for function scrub_hash/, 'a non-superuser may not call scrub_hash');
my ($ret, $stdout);
($ret, $stdout, $stderr) = $node->psql('postgres',
    q{SELECT current_setting('scrub.key', true), current_setting('scrub.key_file', true)},
    extra_params => [ '-U', 'key_probe' ]);
unlike("$stdout $stderr", qr/\Q$long_key\E/, 'a non-superuser never reads the key');

# Another file, switched by a reload: the "parameter changed" line the
# postmaster logs shows the path only.
my $other = key_file('other.key', $other_key, 0600);
$node->adjust_conf('postgresql.conf', 'scrub.key_file', qq{'$other'});
$node->reload;
my $changed;
for (1 .. 100)
{
    $changed = $node->safe_psql('postgres', 'SELECT scrub_hash(42)');
    last if $changed ne $pseudonym;
    usleep(100_000);
}
isnt($changed, $pseudonym, 'another key gives another pseudonym');
like(hash_error('SELECT scrub_hash(1)', 'key_probe'), qr/permission denied/,
    'still refused to a non-superuser');

# A member of pg_monitor (so of pg_read_all_settings) reads every setting,
# superuser-only ones included: the key file's path, never the key, which
# no setting holds; and it may not read files of the server.
$node->safe_psql('postgres', 'CREATE ROLE key_monitor LOGIN IN ROLE pg_monitor');
my $monitor = sub {
    my ($sql) = @_;
    my ($ret, $stdout, $stderr) =
      $node->psql('postgres', $sql, extra_params => [ '-U', 'key_monitor' ]);
    return "$stdout $stderr";
};
is($node->safe_psql('postgres', q{SELECT current_setting('scrub.key_file')},
        extra_params => [ '-U', 'key_monitor' ]),
    $other, 'pg_monitor reads the key file\'s path');
for my $sql (q{SHOW ALL}, q{SELECT * FROM pg_settings},
    q{SELECT current_setting('scrub.key', true)},
    qq{SELECT pg_read_file('$other')}, qq{SELECT pg_read_binary_file('$other')},
    qq{SELECT pg_stat_file('$other')}, qq{COPY (SELECT 1) TO STDOUT; CREATE TEMP TABLE k (t text); COPY k FROM '$other'},
    qq{SELECT lo_import('$other')}, q{SELECT scrub_hash(42)})
{
    unlike($monitor->($sql), qr/\Q$other_key\E|\Q$pseudonym\E|\Q$changed\E/,
        "pg_monitor does not get the key or a pseudonym: $sql");
}
like($monitor->(qq{SELECT pg_read_file('$other')}), qr/permission denied/,
    'pg_monitor may not read the key file');
like($monitor->(q{SELECT scrub_hash(42)}), qr/permission denied for function scrub_hash/,
    'nor call scrub_hash');

# scrub.key is no setting any more: SET is refused once scrub is loaded.
like(hash_error(q{LOAD 'scrub'; SET scrub.key = 'Kq9typed-secret-0123456789'}),
    qr/invalid configuration parameter name "scrub\.key"/, 'SET scrub.key is refused');
unlike(hash_error(q{LOAD 'scrub'; SET scrub.key = 'Kq9typed-secret-0123456789'}),
    qr/Kq9typed-secret/, 'without showing the value');

# A scrub.key left in postgresql.conf: a placeholder that every role can
# read in a backend that has not loaded scrub, and pg_monitor in any. Every
# run refuses to start, saying why, with scrub preloaded or not.
# (A restart, not a reload: a reload would log the placeholder's new
# value, "parameter changed", as docs/operations.md warns.)
$node->append_conf('postgresql.conf', qq{scrub.key = '$long_key'
});
$node->restart;
$node->safe_psql('postgres', 'CREATE TABLE kt (id int PRIMARY KEY); INSERT INTO kt VALUES (1)');
for my $preload (0, 1)
{
    if ($preload)
    {
        $node->append_conf('postgresql.conf', qq{shared_preload_libraries = 'scrub'
});
        $node->restart;
    }
    else
    {
        # Readable by a plain role before scrub is loaded: the exposure.
        is($node->safe_psql('postgres', q{SELECT current_setting('scrub.key', true)},
                extra_params => [ '-U', 'key_probe' ]),
            $long_key, 'a leftover scrub.key is readable by any role before scrub loads');
    }
    my $label = $preload ? 'preloaded' : 'loaded on demand';
    my $error = hash_error(q{SELECT * FROM public.scrub_to_schema(
        CAST('{"kt": ["id"]}' AS jsonb), 'kt_out', 'public')});
    like($error, qr/ERROR:  scrub\.key is no longer supported/, "a run refuses to start ($label)");
    like($error, qr/pg_read_all_settings/, "saying who can read it ($label)");
    like($error, qr/HINT:  Remove scrub\.key .*scrub\.key_file/, "and what to do ($label)");
    unlike($error, qr/\Q$long_key\E/, "without showing it ($label)");
    like(hash_error('SELECT scrub_hash(42)'), qr/scrub\.key is no longer supported/,
        "scrub_hash refuses too ($label)");
    like(hash_error(q{SELECT * FROM public.scrub_export_plan(CAST('{"kt": ["id"]}' AS jsonb), 'public')}),
        qr/scrub\.key is no longer supported/, "so does the export ($label)");
}
is($node->safe_psql('postgres', q{SELECT count(*) FROM pg_namespace WHERE nspname = 'kt_out'}),
    '0', 'no run happened');
is($node->safe_psql('postgres', q{SELECT current_setting('scrub.key', true)},
        extra_params => [ '-U', 'key_monitor' ]),
    '', 'preloaded, the placeholder is gone even for pg_monitor');
my $show_all = $node->safe_psql('postgres', 'SHOW ALL');
unlike($show_all, qr/\Q$long_key\E/, 'SHOW ALL does not show it to a superuser either');

$node->stop;
my $log = slurp_file($node->logfile);
like($log, qr/scrub\.key_file is too short/, 'the log holds the errors');
like($log, qr/permission denied for function scrub_hash/, 'those of the non-superuser too');
like($log, qr/parameter "scrub\.key_file" changed/, 'and the reload');
for my $key ($short_key, $long_key, $other_key)
{
    unlike($log, qr/\Q$key\E/, "the log never holds a key ($key)");
}

done_testing();
