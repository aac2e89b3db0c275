# The hash key never reaches the server log, a client's error, SHOW ALL or
# a role that is not a superuser, in the two documented setups
# (docs/operations.md, "The hash key"): scrub.key_file naming a file of
# mode 0600, and scrub.key in postgresql.conf with scrub preloaded. Every
# statement and every error is logged verbosely (detail, hint, context).
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

# scrub.key itself in postgresql.conf, with scrub preloaded so that the
# setting is superuser-only in every backend from the start.
$node->adjust_conf('postgresql.conf', 'scrub.key_file', q{''});
$node->append_conf('postgresql.conf', qq{shared_preload_libraries = 'scrub'
scrub.key = '$long_key'
});
$node->restart;
is($node->safe_psql('postgres', 'SELECT scrub_hash(42)'), $pseudonym,
    'the same key from scrub.key gives the same pseudonym');
($ret, $stdout, $stderr) = $node->psql('postgres', q{SELECT current_setting('scrub.key')},
    extra_params => [ '-U', 'key_probe' ]);
like($stderr, qr/must be superuser or have privileges of pg_read_all_settings/,
    'a non-superuser cannot read scrub.key');
unlike("$stdout $stderr", qr/\Q$long_key\E/, 'nor see it');
is($node->safe_psql('postgres', q{SELECT count(*) FROM pg_settings WHERE name = 'scrub.key'},
        extra_params => [ '-U', 'key_probe' ]),
    '0', 'nor find it in pg_settings');
my $show_all = $node->safe_psql('postgres', 'SHOW ALL');
unlike($show_all, qr/\Q$long_key\E/, 'SHOW ALL does not show it to a superuser either');
$node->adjust_conf('postgresql.conf', 'scrub.key_file', qq{'$other'});
$node->reload;
like(hash_error('SELECT scrub_hash(1)'), qr/scrub\.key and scrub\.key_file are both set/,
    'both settings at once are refused');

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
