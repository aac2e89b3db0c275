# Release metadata: META.json is valid against the PGXN Meta Spec 1.0.0,
# and every place that states the version or the supported PostgreSQL
# versions agrees with the Makefile (EXTVERSION) and with the compile-time
# check in src/pg_boundary.h, which must refuse the versions outside the
# range; REGRESS lists every regress test and every TAP file has a
# number of its own; `make dist` leaves the development-only files out and
# the Debian package's recipe copies an unpacked tarball. Needs no server.
use strict;
use warnings;
use File::Temp ();
use JSON::PP ();
use IPC::Run ();
use Test::More;

my $top = $ENV{TESTDIR} // '.';

sub slurp
{
    my ($path) = @_;
    open my $fh, '<', "$top/$path" or die "cannot read $path: $!";
    local $/;
    return scalar <$fh>;
}

sub write_text
{
    my ($path, $content) = @_;
    open my $fh, '>', $path or die "cannot write $path: $!";
    print $fh $content;
    close $fh or die "cannot write $path: $!";
}

# What a list lacks and holds in excess of another ('' if they are equal).
sub list_diff
{
    my ($got, $want) = @_;
    my %got = map { $_ => 1 } @$got;
    my %want = map { $_ => 1 } @$want;
    my @missing = grep { !$got{$_} } sort keys %want;
    my @extra = grep { !$want{$_} } sort keys %got;
    return join('; ', (@missing ? "missing: @missing" : ()), (@extra ? "extra: @extra" : ()));
}

sub make_var
{
    my ($name) = @_;
    my $out = `make -s --no-print-directory -C '$top' print-$name`;
    die "make print-$name failed" if $?;
    chomp $out;
    return $out;
}

# Validates a META.json text against the schema; returns the errors.
sub meta_errors
{
    my ($text) = @_;
    my ($out, $err) = ('', '');
    IPC::Run::run(
        [ 'python3', '-c', <<'PY', "$top/test/release/pgxn-meta-1.0.0.schema.json" ],
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft7Validator.check_schema(schema)
errors = jsonschema.Draft7Validator(schema).iter_errors(json.load(sys.stdin))
for e in sorted(errors, key=lambda e: list(e.absolute_path)):
    print("/".join(map(str, e.absolute_path)) + ": " + e.message)
PY
        '<', \$text, '>', \$out, '2>', \$err) or die "validator failed: $err";
    return $out;
}

# --- META.json against the PGXN Meta Spec
my $meta_text = slurp('META.json');
is(meta_errors($meta_text), '', 'META.json is valid against the PGXN Meta Spec 1.0.0');
my $meta = JSON::PP->new->decode($meta_text);
# The validator rejects what the spec forbids (so the check above can fail).
for my $case (
    [ 'no provides', sub { delete $_[0]{provides} } ],
    [ 'a version that is not semver', sub { $_[0]{version} = '0.2' } ],
    [ 'an unknown license shortcut', sub { $_[0]{license} = 'PostgreSQL' } ],
    [ 'a key without x_ prefix', sub { $_[0]{homepage} = 'https://example.org' } ])
{
    my ($label, $break) = @$case;
    my $copy = JSON::PP->new->decode($meta_text);
    $break->($copy);
    isnt(meta_errors(JSON::PP->new->encode($copy)), '', "the META.json check rejects $label");
}

# --- one version everywhere
my $version = make_var('EXTVERSION');
like($version, qr/^\d+\.\d+\.\d+$/, "EXTVERSION is a version ($version)");
is($meta->{version}, $version, 'META.json version is EXTVERSION');
is($meta->{provides}{scrub}{version}, $version, 'META.json provides scrub at EXTVERSION');
is($meta->{provides}{scrub}{file}, "scrub--$version.sql", 'META.json names the install script of EXTVERSION');
my ($default) = slurp('scrub.control') =~ /^default_version\s*=\s*'([^']*)'/m;
is($default, $version, 'scrub.control default_version is EXTVERSION');
my ($deb) = slurp('debian/changelog') =~ /^scrub \(([^)-]+)(?:-[^)]*)?\)/;
is($deb, $version, 'debian/changelog is at EXTVERSION');
like(slurp('CHANGELOG.md'), qr/^## \Q$version\E\b/m, 'CHANGELOG.md has a section for EXTVERSION');
my ($maintainer) = slurp('debian/control') =~ /^Maintainer: (.+)$/m;
like($maintainer, qr/^[^<>]+ <[^<>@\s]+@[^<>\s]+>$/, 'debian/control names a maintainer as "name <email>"');
is($meta->{maintainer}, $maintainer, 'META.json names the maintainer of debian/control');

# --- extension scripts: shipped, and every older version can be upgraded
opendir my $dh, $top or die;
my @scripts = sort grep { /^scrub--.*\.sql$/ } readdir $dh;
closedir $dh;
is(join(' ', sort split ' ', make_var('DATA')), join(' ', @scripts),
    'DATA installs every extension script at the top of the tree');
ok(-f "$top/scrub--$version.sql", "the install script scrub--$version.sql exists");
my %next;
for (@scripts) { push @{ $next{$1} }, $2 if /^scrub--(.+)--(.+)\.sql$/ }
for my $old (map { /^scrub--([^-]+)\.sql$/ ? $1 : () } @scripts)
{
    next if $old eq $version;
    my %seen = ($old => 1);
    my @queue = ($old);
    while (my $v = shift @queue)
    {
        for my $n (@{ $next{$v} // [] }) { push @queue, $n unless $seen{$n}++ }
    }
    ok($seen{$version}, "upgrade scripts lead from $old to $version");
}

# --- programs that call the extension's functions: each states the
# version whose SQL functions it calls (scrub_version=, checked against the
# database's extversion before any call), which is EXTVERSION, and each
# function it calls is one the install script of EXTVERSION creates.
my $install_script = slurp("scrub--$version.sql");
my @callers;
for my $program (sort map { s{.*/}{}r } glob("$top/bin/*"))
{
    my $text = slurp("bin/$program");
    my %called = map { $_ => 1 } $text =~ /:"?scrub_schema"?\.(\w+)\(/g;
    next unless %called;
    push @callers, $program;
    my @stated = $text =~ /^scrub_version=(\S*)$/mg;
    is("@stated", $version, "bin/$program states the extension version it calls: EXTVERSION");
    like($text, qr/AS scrub_version_matches \\gset\n\\if :scrub_version_matches\n/,
        "bin/$program compares it with the database's extension version");
    for my $function (sort keys %called)
    {
        like($install_script, qr/^CREATE FUNCTION \Q$function\E\(/m,
            "bin/$program calls $function, which scrub--$version.sql creates");
    }
}
ok(grep({ $_ eq 'scrub-dump' } @callers), 'scrub-dump is among the programs checked');

# --- test files: each TAP file has a number of its own (people and
# PROVE_TESTS name a file by it)
{
    opendir my $tdh, "$top/test/t" or die;
    my %by_number;
    for my $file (sort readdir $tdh)
    {
        push @{ $by_number{$1} }, $file if $file =~ /^(\d+)_.*\.pl$/;
    }
    closedir $tdh;
    my @shared = map { "@{ $by_number{$_} }" } grep { @{ $by_number{$_} } > 1 } sort keys %by_number;
    is("@shared", '', 'no two TAP files share a number');
    my @unnumbered = grep { !/^\d{3}_[a-z0-9_]+\.pl$/ } map { s{.*/}{}r } glob("$top/test/t/*.pl");
    is("@unnumbered", '', 'every TAP file is named NNN_name.pl');
}

# --- regress tests: REGRESS in the Makefile is the one list of them
# (test/schedule only says which run first, and each of those is in
# REGRESS too); every test has its expected output.
{
    my ($listed) = slurp('Makefile') =~ /^REGRESS = ((?:.*\\\n)*.*)$/m;
    my @regress = sort grep { $_ ne '\\' } split ' ', $listed // '';
    my @sql = sort map { m{([^/]+)\.sql$} } glob("$top/sql/*.sql");
    is("@regress", "@sql", 'REGRESS in the Makefile lists every sql/*.sql');
    my %in_regress = map { $_ => 1 } @regress;
    my @scheduled = slurp('test/schedule') =~ /^test:\s*(.*)$/mg;
    my @not_listed = grep { !$in_regress{$_} } map { split ' ' } @scheduled;
    is("@not_listed", '', 'every test of test/schedule is in REGRESS');
    my @no_output = grep { !-f "$top/expected/$_.out" } @sql;
    is("@no_output", '', 'every regress test has expected/NAME.out');
}

# --- the release tarball: `make dist` writes every file of HEAD but the
# development-only ones (.gitattributes), and the Debian package's recipe
# copies an unpacked tarball (no .git) without its build products.
SKIP:
{
    # test/run-all's copy of a worktree belongs to postgres, the repository
    # it points to may belong to root: let git read it anyway.
    local $ENV{GIT_CONFIG_COUNT} = 1;
    local $ENV{GIT_CONFIG_KEY_0} = 'safe.directory';
    local $ENV{GIT_CONFIG_VALUE_0} = '*';
    skip 'not a git checkout', 3
      unless -e "$top/.git" && system("git -C '$top' rev-parse -q --verify HEAD >/dev/null") == 0;
    my $tmp = File::Temp->newdir();
    system("make -s --no-print-directory -C '$top' dist DIST_DIR='$tmp' >/dev/null") == 0 or die 'make dist failed';
    my $tarball = "$tmp/scrub-$version.tar.gz";
    my @in_tarball = sort grep { length && !m{/$} } map { s{^scrub-\Q$version\E/}{}r } split /\n/,
      `tar -tzf '$tarball'`;
    my $development = qr{^(?:\.ci/|\.clang-format$|\.gitattributes$|\.gitignore$)};
    my @expected = sort grep { !/$development/ } split /\n/, `git -C '$top' ls-tree -r --name-only HEAD`;
    is(list_diff(\@in_tarball, \@expected), '',
        'make dist writes every file of HEAD but .ci, .clang-format, .gitattributes, .gitignore');
    system("tar -xzf '$tarball' -C '$tmp'") == 0 or die 'cannot unpack the tarball';
    my $unpacked = "$tmp/scrub-$version";
    # Build products, as make, make installcheck and make fuzz leave them.
    for my $product ('src/allowlist.o', 'scrub.so', 'test/unit/unit_tests', 'test/fuzz/allowlist_fuzzer',
                     'results/setup.out', 'regression.diffs', 'tmp_check/log/x', 'tmp_deb/old/x')
    {
        my $dir = "$unpacked/$product" =~ s{/[^/]+$}{}r;
        system('mkdir', '-p', $dir) == 0 or die;
        write_text("$unpacked/$product", "product\n");
    }
    my ($out, $err) = ('', '');
    my $ok = IPC::Run::run([ 'make', '-s', '-C', $unpacked, 'deb-tree', "DEB_DIR=$tmp/deb" ],
                           '>', \$out, '2>', \$err);
    ok($ok, 'make deb-tree copies an unpacked tarball') or diag($err);
    my @copied = sort map { s{^\Q$tmp/deb/scrub-$version/\E}{}r }
      split /\n/, `find '$tmp/deb/scrub-$version' -type f -o -type l`;
    is(list_diff(\@copied, \@in_tarball), '', 'make deb-tree copies the tarball\'s files and no build product');
}

# --- supported PostgreSQL versions
my $boundary = slurp('src/pg_boundary.h');
my ($low) = $boundary =~ /#if PG_VERSION_NUM < (\d+)0000\n/;
my ($high) = $boundary =~ /#elif PG_VERSION_NUM >= (\d+)0000\n/;
ok(defined $low && defined $high, 'src/pg_boundary.h refuses versions outside a range');
my @supported = ($low .. $high - 1);
is($meta->{prereqs}{runtime}{requires}{PostgreSQL}, ">= $low.0.0, < $high.0.0",
    'META.json requires the supported PostgreSQL versions');
my @pgversions = grep { /\S/ } split /\n/, slurp('debian/pgversions');
is("@pgversions", "@supported", 'debian/pgversions lists the supported versions');
my $list = join(' and ', @supported);
like(slurp('README.md'), qr/supports PostgreSQL \Q$list\E\b/, 'README.md states the supported versions');
my $control = slurp('debian/control.in');
$control =~ s/PGVERSION/$supported[-1]/g;
is(slurp('debian/control'), $control, 'debian/control is generated from debian/control.in');

# The check fires: compile src/pg_boundary.cpp against the installed
# server headers with PG_VERSION_NUM changed (a copy of the include
# directory whose pg_config.h overrides it).
chomp(my $server = `pg_config --includedir-server`);
my $includes = File::Temp->newdir();
symlink("$server/$_", "$includes/$_") or die "symlink: $!"
  for map { s{.*/}{}r } grep { !m{/pg_config\.h$} } glob("$server/*");
my @cases = ([ $low - 1, 'older' ], [ $low, undef ], [ $high, 'newer' ]);
splice @cases, 2, 0, [ $high - 1, undef ] if $high - 1 > $low;
for my $case (@cases)
{
    my ($major, $refused) = @$case;
    open my $fh, '>', "$includes/pg_config.h" or die;
    print $fh qq{#include "$server/pg_config.h"\n#undef PG_VERSION_NUM\n#define PG_VERSION_NUM ${major}0002\n};
    close $fh;
    my ($out, $err) = ('', '');
    my $ok = IPC::Run::run([ 'g++', '-std=c++17', '-fsyntax-only', "-I$includes", "-I$top/src",
                             "$top/src/pg_boundary.cpp" ], '>', \$out, '2>', \$err);
    if ($refused)
    {
        ok(!$ok && $err =~ /#error "scrub (needs|supports) PostgreSQL/,
            "a build against PostgreSQL $major stops with scrub's #error ($refused)");
    }
    else
    {
        ok($ok, "a build against PostgreSQL $major passes the version check") or diag($err);
    }
}

# The pure modules never see a PostgreSQL header, by the compiler's word:
# each includes src/pure_only.h last, which stops a build that pulled in
# postgres.h before it.
chomp(my $pure_objs = `make -s -C '$top' print-PURE_OBJS`);
for my $object (split ' ', $pure_objs)
{
    my $source = $object =~ s/\.o$/.cpp/r;
    my @includes = slurp($source) =~ /^#include [<"]([^>"]+)[>"]/mg;
    is($includes[-1], 'pure_only.h', "$source includes pure_only.h last");
}
{
    my $probe = File::Temp->new(SUFFIX => '.cpp');
    print $probe qq{#include "postgres.h"\n#include "pure_only.h"\n};
    close $probe;
    my ($out, $err) = ('', '');
    my $ok = IPC::Run::run([ 'g++', '-std=c++17', '-fsyntax-only', "-I$server", "-I$top/src",
                             $probe->filename ], '>', \$out, '2>', \$err);
    ok(!$ok && $err =~ /#error "a pure scrub module includes a PostgreSQL header/,
        'a pure module that includes postgres.h does not build');
    ($out, $err) = ('', '');
    $ok = IPC::Run::run([ 'g++', '-std=c++17', '-fsyntax-only', "-I$top/src", "$top/src/plan.cpp" ],
                        '>', \$out, '2>', \$err);
    ok($ok, 'a pure module builds without PostgreSQL headers') or diag($err);
}

done_testing();
