# Shared helpers for scrub's TAP tests of scrub-dump and scrub-restore:
# loading fixtures, running the commands, comparing schema dumps and the
# contents of a source and a restored database.
package ScrubTest;

use strict;
use warnings;
use Exporter 'import';
use File::Temp ();
use IPC::Run ();
use PostgreSQL::Test::Utils;
use Test::More;

our @EXPORT = qw(fixture load_fixture run_tool dir_entries schema_dump
  write_file read_file check_restored_copy);

# Path of a file under test/fixtures.
sub fixture
{
    my ($name) = @_;
    return "$ENV{TESTDIR}/test/fixtures/$name";
}

sub write_file
{
    my ($path, $content) = @_;
    open my $fh, '>', $path or die "cannot write $path: $!";
    print $fh $content;
    close $fh or die "cannot write $path: $!";
}

sub read_file
{
    my ($path) = @_;
    open my $fh, '<', $path or die "cannot read $path: $!";
    local $/;
    my $content = <$fh>;
    close $fh;
    return $content;
}

# Creates database $db, loads a fixture file into it and installs scrub.
sub load_fixture
{
    my ($node, $db, $file, @psql_args) = @_;
    $node->safe_psql('postgres', qq{CREATE DATABASE "$db"});
    my ($stdout, $stderr);
    my $ok = IPC::Run::run(
        [ 'psql', '-X', '-q', '-v', 'ON_ERROR_STOP=1', @psql_args, '-d', $node->connstr($db),
          '-f', $file ],
        '>', \$stdout, '2>', \$stderr);
    die "loading $file failed: $stderr" unless $ok;
    $node->safe_psql($db, 'CREATE EXTENSION scrub');
}

# Runs a command; returns its exit status (as the shell reports it: 128+N
# for signal N), stdout and stderr.
sub run_tool
{
    my (@command) = @_;
    my ($stdout, $stderr) = ('', '');
    IPC::Run::run(\@command, '<', \undef, '>', \$stdout, '2>', \$stderr);
    my $status = $? & 127 ? 128 + ($? & 127) : $? >> 8;
    return ($status, $stdout, $stderr);
}

# Every entry of a directory, dot-files included.
sub dir_entries
{
    my ($dir) = @_;
    opendir my $dh, $dir or die "cannot open $dir: $!";
    my @entries = sort grep { $_ ne '.' && $_ ne '..' } readdir $dh;
    closedir $dh;
    return @entries;
}

# pg_dump --schema-only with a fixed \restrict key (pg_dump 15.14+ picks a
# random one), without the scratch schemas (pg_dump patterns) and the scrub
# extension, which a restored copy does not have. Every other line is compared as it is.
sub schema_dump
{
    my ($node, $db, @scratch) = @_;
    my @command = ('pg_dump', '--schema-only', '--restrict-key=scrubtest', '-d', $node->connstr($db));
    push @command, map { "--exclude-schema=$_" } grep { defined } @scratch;
    my ($status, $dump, $stderr) = run_tool(@command);
    die "pg_dump of $db failed: $stderr" if $status;
    # pg_dump writes one block per object, each starting with a
    # "-- Name: ...; Type: ..." comment header. The scrub extension's two
    # blocks go; SET lines pg_dump happened to emit at their end stay, and
    # runs of blank lines are collapsed, since what follows them moved up.
    my @blocks = split /(?=^--\n-- Name: )/m, $dump;
    for (@blocks)
    {
        next unless /\A--\n-- Name: (scrub; Type: EXTENSION|EXTENSION scrub; Type: COMMENT);/;
        $_ = join '', map { "$_\n\n" } /^(SET .*)$/mg;
    }
    my $result = join '', @blocks;
    $result =~ s/\n{3,}/\n\n/g;
    return $result;
}

# Rows of a query as a sorted list of lines (COPY text format), so that two
# databases can be compared as multisets.
sub sorted_rows
{
    my ($node, $db, $query) = @_;
    my $out = $node->safe_psql($db, "COPY ($query) TO STDOUT");
    return join "\n", sort split /\n/, $out;
}

sub quote_literal_perl
{
    my ($value) = @_;
    $value =~ s/'/''/g;
    return "'$value'";
}

sub ident
{
    my ($name) = @_;
    $name =~ s/"/""/g;
    return qq{"$name"};
}

# Everything the issue asks of a restored copy, checked against its source:
# the same schema dump, row counts as the manifest says, sequences at the
# manifest's values and ahead of every key, kept columns identical,
# scrubbed columns sharing no value with the source, NULLs kept NULL,
# materialized views populated as in the source.
sub check_restored_copy
{
    my (%args) = @_;
    my ($node, $src, $dst, $label) = @args{qw(node source restored label)};
    my $schema = $args{schema} // 'public';
    my $scratch = $args{scratch} // 'scrubbed';

    my $source_dump = schema_dump($node, $src, $scratch);
    my $restored_dump = schema_dump($node, $dst);
    ok($source_dump eq $restored_dump, "$label: pg_dump --schema-only of the copy equals the source's");
    if ($source_dump ne $restored_dump)
    {
        my $dir = PostgreSQL::Test::Utils::tempdir();
        write_file("$dir/source.sql", $source_dump);
        write_file("$dir/restored.sql", $restored_dump);
        diag(scalar `diff -u $dir/source.sql $dir/restored.sql | head -60`);
    }

    # Row counts: the manifest, the source and the copy agree per table.
    my @manifest = map { [ split /\t/ ] } split /\n/, $node->safe_psql($src, qq{
        COPY (SELECT table_name, copied, coalesce(copied_rows, 0),
                     array_to_string(kept_columns, chr(1)), array_to_string(scrubbed_columns, chr(1))
              FROM "$scratch"._scrub_tables ORDER BY table_name) TO STDOUT});
    # One query per database counts every table of the manifest.
    my $count_query = join ' UNION ALL ', map {
        my $name = ident($schema) . '.' . ident($_->[0]);
        'SELECT ' . quote_literal_perl($_->[0]) . ", count(*) FROM $name"
    } @manifest;
    my %source_counts = map { split /\t/ } split /\n/, $node->safe_psql($src, "COPY ($count_query) TO STDOUT");
    my %restored_counts = map { split /\t/ } split /\n/, $node->safe_psql($dst, "COPY ($count_query) TO STDOUT");
    my ($count_errors, $copied) = (0, 0);
    for my $entry (@manifest)
    {
        my ($table, $is_copied, $rows) = @$entry;
        my ($source_rows, $restored_rows) = ($source_counts{$table}, $restored_counts{$table});
        my $expected = $is_copied eq 't' ? $source_rows : 0;
        $copied++ if $is_copied eq 't';
        if ($restored_rows != $expected || ($is_copied eq 't' && $rows != $source_rows))
        {
            $count_errors++;
            diag("$label: $table: source $source_rows, manifest $rows, restored $restored_rows");
        }
    }
    ok(@manifest > 0 && $copied > 0, "$label: the manifest lists tables copied with rows");
    is($count_errors, 0, "$label: row counts of every table match the manifest and the source");

    # Tables outside the source schema come over as structure only.
    my $outside = $node->safe_psql($dst, qq{
        SELECT coalesce(string_agg(format('SELECT %L AS t, count(*) AS n FROM %I.%I',
                                          c.oid::regclass, n.nspname, c.relname), ' UNION ALL '), '')
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema', '$schema')
          AND n.nspname NOT LIKE 'pg\\_%'});
    if ($outside ne '')
    {
        is($node->safe_psql($dst, "SELECT coalesce(sum(n), 0) FROM ($outside) s"),
            '0', "$label: tables outside schema $schema are restored without rows");
    }

    # Sequences: at the manifest's values, and ahead of every key they feed.
    my $sequences = $node->safe_psql($src, qq{
        SELECT string_agg(format(E'%s\t%s\t%s', quote_ident(sequence_name), last_value, is_called), E'\\n'
                          ORDER BY sequence_name)
        FROM "$scratch"._scrub_sequences});
    my $seq_errors = 0;
    for my $line (grep { length } split /\n/, $sequences)
    {
        my ($seq, $last, $called) = split /\t/, $line;
        my $got = $node->safe_psql($dst, "SELECT last_value || ' ' || is_called FROM " . ident($schema) . ".$seq");
        my $want = "$last " . ($called eq 't' ? 'true' : 'false');
        if ($got ne $want) { $seq_errors++; diag("$label: sequence $seq: restored $got, manifest $want"); }
    }
    is($seq_errors, 0, "$label: sequences are restored at the manifest's values");

    my $keyed = $node->safe_psql($dst, qq{
        SELECT coalesce(string_agg(format(
            'SELECT %L AS c, nextval(%L) > coalesce(max(%I)::bigint, 0) AS ok FROM %I.%I',
            c.relname || '.' || a.attname, pg_get_serial_sequence(format('%I.%I', n.nspname, c.relname), a.attname),
            a.attname, n.nspname, c.relname), ' UNION ALL '), '')
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
        WHERE n.nspname = '$schema' AND c.relkind IN ('r', 'p')
          AND pg_get_serial_sequence(format('%I.%I', n.nspname, c.relname), a.attname) IS NOT NULL});
    if ($keyed ne '')
    {
        is($node->safe_psql($dst, "SELECT coalesce(string_agg(c, ', '), '') FROM ($keyed) s WHERE NOT ok"),
            '', "$label: every serial/identity sequence is ahead of its column's values");
    }
    # Column contents, table by table.
    my (@kept_mismatch, @shared, @nullness);
    for my $entry (grep { $_->[1] eq 't' } @manifest)
    {
        my ($table, undef, undef, $kept, $scrubbed) = @$entry;
        my $name = ident($schema) . '.' . ident($table);
        my @kept = grep { length } split /\x01/, $kept // '';
        my @scrubbed = grep { length } split /\x01/, $scrubbed // '';
        if (@kept)
        {
            my $query = 'SELECT ' . join(', ', map { ident($_) } @kept) . " FROM $name";
            push @kept_mismatch, $table
              if sorted_rows($node, $src, $query) ne sorted_rows($node, $dst, $query);
        }
        next unless @scrubbed;
        # Fakes of integer, boolean and enum columns come from a small
        # domain (the row number, false, the first label) and may meet a
        # source value by chance: check that the fake was applied instead.
        my %small = map { split /\t/ } split /\n/, $node->safe_psql($src, qq{
            COPY (SELECT a.attname, CASE WHEN t.typtype = 'e' THEN 'enum' ELSE t.typname END
                  FROM pg_attribute a
                  JOIN pg_type d ON d.oid = a.atttypid
                  JOIN pg_type t ON t.oid = CASE WHEN d.typtype = 'd' THEN d.typbasetype ELSE d.oid END
                  WHERE a.attrelid = '$name'::regclass AND a.attnum > 0
                    AND (t.typtype = 'e' OR t.typname IN ('int2', 'int4', 'int8', 'bool'))) TO STDOUT});
        for my $column (grep { $small{$_} } @scrubbed)
        {
            my $c = ident($column);
            my $check = {
                enum => "bool_and($c = enum_first($c))",
                bool => "bool_and(NOT $c)",
            }->{ $small{$column} } // "count(DISTINCT $c) = count($c) AND bool_and($c BETWEEN 1 AND (SELECT count(*) FROM $name))";
            push @shared, "$table.$column (not faked)"
              unless $node->safe_psql($dst, "SELECT coalesce($check, true) FROM $name") eq 't';
        }
        # Every other scrubbed column: every distinct non-NULL value, tagged
        # with its column, must be absent from the source. NULL counts too.
        my @wide = grep { !$small{$_} } @scrubbed;
        my $values = join ', ', map { '(' . quote_literal_perl($_) . ', ' . ident($_) . '::text)' } @wide;
        my $value_query = "SELECT DISTINCT v.c, v.value FROM $name, LATERAL (VALUES $values) AS v (c, value) WHERE v.value IS NOT NULL";
        if (@wide)
        {
            my %source_values = map { $_ => 1 } split /\n/, $node->safe_psql($src, "COPY ($value_query) TO STDOUT");
            my %common;
            for (split /\n/, $node->safe_psql($dst, "COPY ($value_query) TO STDOUT"))
            {
                $common{ (split /\t/)[0] }++ if $source_values{$_};
            }
            push @shared, map { "$table.$_ ($common{$_} values)" } sort keys %common;
        }
        my $null_query = 'SELECT ' . join(', ', map { 'count(*) FILTER (WHERE ' . ident($_) . ' IS NULL)' } @scrubbed) . " FROM $name";
        push @nullness, "$table (" . join(', ', @scrubbed) . ')'
          if $node->safe_psql($src, $null_query) ne $node->safe_psql($dst, $null_query);
    }
    is(join(', ', @kept_mismatch), '', "$label: kept columns are identical to the source's");
    is(join(', ', @shared), '', "$label: scrubbed columns share no value with the source");
    is(join(', ', @nullness), '', "$label: scrubbed columns keep NULLs where the source has them");

    # Materialized views: populated as in the source, from the restored rows.
    my $matviews = $node->safe_psql($dst, qq{
        SELECT string_agg(format('%I.%I', n.nspname, c.relname), ' ') FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'm'});
    for my $mv (grep { length } split / /, $matviews)
    {
        my $definition = $node->safe_psql($dst, "SELECT pg_get_viewdef('$mv'::regclass)");
        $definition =~ s/;\s*\z//;
        my $populated = $node->safe_psql($dst, "SELECT relispopulated FROM pg_class WHERE oid = '$mv'::regclass");
        my $in_source = $node->safe_psql($src, "SELECT relispopulated FROM pg_class WHERE oid = '$mv'::regclass");
        is($populated, $in_source, "$label: materialized view $mv is populated as in the source");
        next unless $populated eq 't';
        is($node->safe_psql($dst, qq{
            SELECT NOT EXISTS ((TABLE $mv EXCEPT ALL ($definition)) UNION ALL (($definition) EXCEPT ALL TABLE $mv))}),
            't', "$label: materialized view $mv holds what its query gives on the restored rows");
    }

    # Last, since they add rows: the application can insert new rows.
    for my $insert (@{ $args{inserts} // [] })
    {
        my ($ret, $out, $err) = $node->psql($dst, $insert);
        is($ret, 0, "$label: insert with a default key works: " . substr($insert, 0, 60))
          or diag($err);
    }
}

1;
