#!/usr/bin/perl
# Runs TAP test files like prove does and counts assertions, so that
# test/run-all can add them to its total. A file that dies, exits non-zero
# or misses its plan counts as one more failure.
use strict;
use warnings;
use TAP::Parser;

# Accepts prove's -I DIR options (PGXS's prove_installcheck passes them),
# so that `make installcheck PROVE="perl test/tap-run.pl"` works.
my @lib;
while (@ARGV && $ARGV[0] =~ /^-I(.*)$/) {
    shift @ARGV;
    push @lib, length $1 ? $1 : shift @ARGV;
}
$ENV{PERL5LIB} = join ':', @lib, grep { defined && length } $ENV{PERL5LIB} if @lib;

my ($passed, $failed) = (0, 0);
for my $file (@ARGV) {
    print "# $file\n";
    my $parser = TAP::Parser->new({ source => $file, merge => 1 });
    while (my $result = $parser->next) {
        print $result->as_string, "\n";
    }
    $passed += scalar $parser->passed;
    $failed += scalar $parser->failed;
    if ($parser->has_problems && !$parser->failed) {
        print "# $file: exit ", ($parser->exit // '?'), ", ", ($parser->parse_errors ? join('; ', $parser->parse_errors) : 'no parse errors'), "\n";
        $failed += 1;
    }
}
print "tap: $passed passed, $failed failed\n";
exit($failed ? 1 : 0);
