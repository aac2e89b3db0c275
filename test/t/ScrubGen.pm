# A seeded generator of source databases and allowlists for the randomized
# round-trip test (test/t/042_random_roundtrip.pl). One seed gives one
# case: the SQL of a schema with rows, an allowlist, and the names of every
# object it created, always the same for the same seed (its own xorshift
# generator, not Perl's rand).
#
# Covered: column types with default fakes (from test/fixtures/fidelity.sql
# and docs/allowlist.md) and some without (a composite type: the run must
# refuse it, naming the column); NOT NULL, CHECK (some the fakes break),
# UNIQUE, primary keys of several kinds (serial, identity, plain, uuid),
# foreign keys, exclusion constraints; range, list and hash partitioning;
# views and materialized views (populated or not, some over others);
# sequences feeding defaults, identities; domains and enums; generated
# columns.
#
# known => 'all' (or a comma-separated list of the names below) also
# produces the cases the engine once got wrong (issue 7 section 6); the
# round-trip test asks for all of them unless SCRUB_GEN_KNOWN=none:
#   partition_key          a scrubbed partition key, no default partition
#   exclusion              an exclusion constraint over a scrubbed column
#                          whose fakes repeat (an enum)
#   unique_repeating       UNIQUE over a boolean or enum whose fakes repeat
#   nocase                 UNIQUE text column, nondeterministic collation
#   foreign_partition      a partition that is a foreign table, with rows
#                          (postgres_fdw back into the same database)
#   other_schema_sequence  a default drawing from a sequence in another schema
#   generated_check        a CHECK reading a generated column
#   wide                   a table of 1000 columns whose fakes overflow a row
# The same seed with other switches gives another case.
package ScrubGen;

use strict;
use warnings;

sub new
{
    my ($class, %args) = @_;
    my $seed = $args{seed} // 1;
    # xorshift32 state: never zero.
    my $state = ($seed * 2654435761 + 0x9E3779B9) & 0xFFFFFFFF;
    $state ||= 1;
    my $known = $args{known} // '';
    my %known = map { $_ => 1 } grep { length } split /\s*,\s*/, $known;
    if ($known{all} || $known{1})
    {
        %known = map { $_ => 1 } qw(partition_key exclusion unique_repeating nocase foreign_partition
          other_schema_sequence generated_check wide);
    }
    my $self = bless { seed => $seed, known => \%known, state => $state }, $class;
    $self->next_u32 for 1 .. 8;
    return $self;
}

sub next_u32
{
    my ($self) = @_;
    my $x = $self->{state};
    $x ^= ($x << 13) & 0xFFFFFFFF;
    $x ^= $x >> 17;
    $x ^= ($x << 5) & 0xFFFFFFFF;
    $self->{state} = $x & 0xFFFFFFFF;
    return $self->{state};
}

# An integer in [0, n).
sub below { my ($self, $n) = @_; return $self->next_u32 % $n; }
sub chance { my ($self, $p) = @_; return $self->below(1000) < $p * 1000; }
sub pick { my ($self, @list) = @_; return $list[ $self->below(scalar @list) ]; }

sub quote { my ($s) = @_; $s =~ s/'/''/g; return "'$s'"; }

# Column types: SQL type, a literal for row i (distinct per i), whether
# its fakes are distinct per row (UNIQUE survives scrubbing), and whether
# it orders with btree (for UNIQUE/exclusion with =).
sub column_types
{
    return (
        { type => 'integer', value => sub { $_[0] * 7 + 3 }, unique_fakes => 1 },
        { type => 'bigint', value => sub { $_[0] * 1000003 + 11 }, unique_fakes => 1 },
        { type => 'smallint', value => sub { $_[0] + 100 }, unique_fakes => 1 },
        { type => 'numeric(10,2)', value => sub { "$_[0].25" }, unique_fakes => 1 },
        { type => 'double precision', value => sub { "$_[0].5" }, unique_fakes => 1 },
        { type => 'text', value => sub { quote("person $_[0] o'neil") }, unique_fakes => 1, textual => 1 },
        { type => 'varchar(24)', value => sub { quote("v$_[0]\@example.com") }, unique_fakes => 1, textual => 1 },
        { type => 'char(10)', value => sub { quote("c$_[0]") }, unique_fakes => 1, textual => 1 },
        # Nine distinct fakes: past 9 rows they wrap, or fail the run
        # naming the column where a unique index needs them distinct.
        { type => 'char(1)', value => sub { quote(chr(65 + $_[0] % 26)) }, unique_fakes => 0 },
        { type => 'boolean', value => sub { $_[0] % 2 ? 'true' : 'false' }, unique_fakes => 0 },
        { type => 'date', value => sub { "DATE '2021-03-01' + $_[0]" }, unique_fakes => 1 },
        { type => 'timestamptz', value => sub { "TIMESTAMPTZ '2022-05-06 07:08:09+02' + interval '$_[0] hours'" }, unique_fakes => 1 },
        { type => 'timestamp', value => sub { "TIMESTAMP '2019-12-31 23:59:59' + interval '$_[0] minutes'" }, unique_fakes => 1 },
        { type => 'time', value => sub { "TIME '08:00' + interval '$_[0] minutes'" }, unique_fakes => 1 },
        { type => 'interval', value => sub { "interval '$_[0] days 3 hours'" }, unique_fakes => 1 },
        { type => 'uuid', value => sub { quote(sprintf('%08x-1234-4abc-8def-%012x', $_[0] * 977, $_[0])) }, unique_fakes => 1 },
        { type => 'jsonb', value => sub { quote(qq({"n": $_[0], "name": "x$_[0]"})) }, unique_fakes => 1, no_btree => 0 },
        { type => 'bytea', value => sub { sprintf("'\\x%08x'", $_[0] + 4096) }, unique_fakes => 1 },
        { type => 'inet', value => sub { quote('192.168.' . int($_[0] / 250) . '.' . ($_[0] % 250 + 1)) }, unique_fakes => 1 },
        { type => 'macaddr', value => sub { quote(sprintf('08:00:2b:%02x:%02x:%02x', 1, int($_[0] / 256) % 256, $_[0] % 256)) }, unique_fakes => 1 },
        { type => 'text[]', value => sub { quote("{a$_[0],b}") }, unique_fakes => 1 },
        { type => 'integer[]', value => sub { "ARRAY[$_[0], 2]" }, unique_fakes => 1 },
        { type => 'gen_mood', value => sub { quote((qw(calm busy cross))[ $_[0] % 3 ]) }, unique_fakes => 0 },
        { type => 'gen_positive', value => sub { $_[0] + 1 }, unique_fakes => 1 },
        { type => 'gen_short_text', value => sub { quote("s$_[0]") }, unique_fakes => 1, textual => 1 },
        { type => 'gen_point', value => sub { "ROW($_[0], 2)::gen_point" }, unique_fakes => 1, no_fake => 1, no_btree => 1 },
    );
}

# Generates one case: { sql, allowlist, names, tables }.
sub generate
{
    my ($self) = @_;
    my $known = sub { $self->{known}{ $_[0] } };
    my @sql;
    my @names;
    my %allow;
    my @tables;
    my @types = column_types();

    push @sql, q{CREATE TYPE public.gen_mood AS ENUM ('calm', 'busy', 'cross');},
      q{CREATE DOMAIN public.gen_positive AS integer CHECK (VALUE > 0);},
      q{CREATE DOMAIN public.gen_short_text AS text CHECK (length(VALUE) < 40);},
      q{CREATE TYPE public.gen_point AS (x integer, y integer);};
    push @sql, q{CREATE COLLATION public.gen_nocase (provider = icu, locale = 'und-u-ks-level2', deterministic = false);}
      if $known->('nocase');

    my $ntables = 2 + $self->below(4);
    for my $t (1 .. $ntables)
    {
        my $table = "gt$t";
        push @names, $table;
        my $rows = $self->pick(0, 1, 3, 8, 15, 25);
        my (@cols, @constraints, @after_rows);
        my %col;    # name -> type info

        # Primary key.
        my $pk_kind = $self->pick(qw(serial identity_always identity_default plain uuid none));
        my $partition = $t > 1 && $self->chance(0.2) ? $self->pick(qw(range list hash)) : '';
        # A foreign partition (known issue) rules out unique indexes.
        my $foreign_part = $known->('foreign_partition') && $partition && $partition ne 'hash' && $self->chance(0.3);
        my $id_sql = {
            serial => 'serial', identity_always => 'integer GENERATED ALWAYS AS IDENTITY',
            identity_default => 'bigint GENERATED BY DEFAULT AS IDENTITY', plain => 'integer NOT NULL',
            uuid => 'uuid NOT NULL', none => 'integer',
        }->{$pk_kind};
        push @cols, "id $id_sql";
        $col{id} = { type => $pk_kind eq 'uuid' ? 'uuid' : 'integer', unique_fakes => 1 };
        if ($partition)
        {
            push @cols, 'pkey integer NOT NULL';
            $col{pkey} = { type => 'integer', unique_fakes => 1 };
            push @constraints, "CONSTRAINT ${table}_pk PRIMARY KEY (id, pkey)" if $pk_kind ne 'none' && !$foreign_part;
        }
        elsif ($pk_kind ne 'none')
        {
            push @constraints, "CONSTRAINT ${table}_pk PRIMARY KEY (id)";
        }

        # Other columns.
        my $ncols = 1 + $self->below(5);
        my @value_of = (id => sub { $pk_kind eq 'uuid' ? quote(sprintf('%08x-0000-4000-8000-%012x', $t, $_[0])) : $_[0] });
        my %values;
        $values{id} = $value_of[1];
        # Partition keys 100-129: fakes (row numbers) fit no partition but
        # a default one.
        $values{pkey} = sub { 100 + $_[0] % 30 };
        my @plain_cols;
        for my $c (1 .. $ncols)
        {
            my $name = "c${t}_$c";
            my $info = $self->pick(@types);
            next if $info->{no_fake} && !$self->chance(0.3);
            my $not_null = $self->chance(0.4);
            push @cols, "$name $info->{type}" . ($not_null ? ' NOT NULL' : '');
            $col{$name} = { %$info, not_null => $not_null };
            $values{$name} = $info->{value};
            push @plain_cols, $name;
            push @names, $name;
            if ($foreign_part) { }
            elsif (!$info->{no_btree} && $info->{type} !~ /jsonb|\[\]|boolean|gen_mood|double|interval/ && $self->chance(0.25))
            {
                push @constraints, "CONSTRAINT ${name}_uq UNIQUE ($name" . ($partition ? ', pkey' : '') . ')';
                push @names, "${name}_uq";
                $col{$name}{unique} = 1;
            }
            elsif ($known->('unique_repeating') && $info->{type} =~ /boolean|gen_mood/ && $self->chance(0.2))
            {
                push @constraints, "CONSTRAINT ${name}_uq UNIQUE ($name" . ($partition ? ', pkey' : '') . ')';
                push @names, "${name}_uq";
                $col{$name}{unique} = 1;
                $col{$name}{known_issue} = 'unique over repeating fakes';
                $rows = 2 if $rows > 2;
            }
            if ($info->{type} =~ /^(integer|bigint|smallint|numeric\(10,2\))$/ && $self->chance(0.3))
            {
                push @constraints, "CONSTRAINT ${name}_ck CHECK ($name >= 0)";
                push @names, "${name}_ck";
            }
            elsif ($info->{textual} && $self->chance(0.15))
            {
                # Fakes are the column name, _ and the row number: a run
                # must refuse this one, naming it.
                push @constraints, "CONSTRAINT ${name}_nf CHECK ($name IS NULL OR $name NOT LIKE '${name}\\_%')";
                push @names, "${name}_nf";
            }
        }

        # Generated column, CHECK over it (known issue).
        my $int_col = (grep { $col{$_}{type} =~ /^(integer|bigint|smallint)$/ } @plain_cols)[0];
        if ($int_col && $self->chance(0.3))
        {
            push @cols, "g$t bigint GENERATED ALWAYS AS ($int_col * 2) STORED";
            if ($known->('generated_check') && $self->chance(0.5))
            {
                push @constraints, "CONSTRAINT g${t}_ck CHECK (g$t IS NULL OR g$t >= 0)";
                push @names, "g${t}_ck";
            }
        }

        # A sequence feeding a default.
        if ($self->chance(0.3))
        {
            my $seq = $known->('other_schema_sequence') && $self->chance(0.5) ? 'gen_other.shared_seq' : "public.gt${t}_counter";
            push @sql, "CREATE SEQUENCE public.gt${t}_counter START 100;" if $seq =~ /^public/;
            push @sql, 'CREATE SCHEMA IF NOT EXISTS gen_other;', 'CREATE SEQUENCE IF NOT EXISTS gen_other.shared_seq START 500;'
              if $seq =~ /^gen_other/;
            push @cols, "n$t bigint NOT NULL DEFAULT nextval('$seq')";
            push @names, "n$t", "gt${t}_counter";
        }

        # Foreign key to an earlier, non-partitioned table with an integer key.
        my @parents = grep { !$_->{partition} && $_->{pk} =~ /serial|identity|plain/ && $_->{rows} > 0 } @tables;
        my $fk_parent;
        if (@parents && !$foreign_part && $self->chance(0.5))
        {
            $fk_parent = $self->pick(@parents);
            push @cols, "ref$t bigint";
            push @constraints, "CONSTRAINT ref${t}_fk FOREIGN KEY (ref$t) REFERENCES public.$fk_parent->{name} (id)";
            push @names, "ref$t", "ref${t}_fk";
            $col{"ref$t"} = { type => 'bigint', unique_fakes => 1 };
            my $prows = $fk_parent->{rows};
            $values{"ref$t"} = sub { 1 + $_[0] % $prows };
        }

        # Exclusion constraint: on a column whose fakes are distinct, or
        # (known issue) on one whose fakes repeat.
        my ($excl) = grep { $col{$_}{type} =~ /^(integer|text|bigint)$/ && !$col{$_}{unique} } @plain_cols;
        if ($excl && !$partition && $self->chance(0.2))
        {
            push @constraints, "CONSTRAINT ${excl}_ex EXCLUDE USING btree ($excl WITH =)";
            push @names, "${excl}_ex";
        }
        elsif ($known->('exclusion') && !$partition && $self->chance(0.15))
        {
            # At most three rows, each its own label; the fakes are all
            # the first label.
            push @cols, "mood$t public.gen_mood";
            push @constraints, "CONSTRAINT mood${t}_ex EXCLUDE USING btree (mood$t WITH =)";
            push @names, "mood$t", "mood${t}_ex";
            $col{"mood$t"} = { type => 'gen_mood' };
            $values{"mood$t"} = sub { quote((qw(calm busy cross))[ $_[0] % 3 ]) };
            $rows = 3 if $rows > 3;
        }

        # Nondeterministic collation (known issue).
        if ($known->('nocase') && !$partition && $self->chance(0.15))
        {
            push @cols, "nc$t text COLLATE public.gen_nocase UNIQUE";
            push @names, "nc$t";
            $values{"nc$t"} = sub { quote($_[0] % 2 ? "Name$_[0]" : "NAME$_[0]x") };
            $col{"nc$t"} = { type => 'text' };
        }

        # Wide table (known issue): many columns with empty values.
        if ($known->('wide') && $self->chance(0.05))
        {
            # 1000 empty values fit a row; 1000 fakes of 11 bytes do not.
            for my $w (1 .. 1000)
            {
                push @cols, sprintf("w%04d_t%d text NOT NULL DEFAULT ''", $w, $t);
            }
            push @names, "gt$t";
        }

        my $create = "CREATE TABLE public.$table (\n    " . join(",\n    ", @cols, @constraints) . "\n)";
        if ($partition)
        {
            $create .= { range => ' PARTITION BY RANGE (pkey)', list => ' PARTITION BY LIST (pkey)',
                hash => ' PARTITION BY HASH (pkey)' }->{$partition};
            push @sql, "$create;";
            my $with_default = !$known->('partition_key') || $self->chance(0.5);
            if ($partition eq 'range')
            {
                push @sql, "CREATE TABLE public.${table}_p1 PARTITION OF public.$table FOR VALUES FROM (100) TO (115);",
                  "CREATE TABLE public.${table}_p2 PARTITION OF public.$table FOR VALUES FROM (115) TO (130);";
            }
            elsif ($partition eq 'list')
            {
                push @sql, "CREATE TABLE public.${table}_p1 PARTITION OF public.$table FOR VALUES IN (" . join(', ', 100 .. 114) . ');',
                  "CREATE TABLE public.${table}_p2 PARTITION OF public.$table FOR VALUES IN (" . join(', ', 115 .. 129) . ');';
            }
            else
            {
                push @sql, "CREATE TABLE public.${table}_p1 PARTITION OF public.$table FOR VALUES WITH (MODULUS 2, REMAINDER 0);",
                  "CREATE TABLE public.${table}_p2 PARTITION OF public.$table FOR VALUES WITH (MODULUS 2, REMAINDER 1);";
                $with_default = 0;
            }
            push @sql, "CREATE TABLE public.${table}_pd PARTITION OF public.$table DEFAULT;"
              if $with_default && $partition ne 'hash';
            if ($foreign_part)
            {
                # postgres_fdw back into this database, so that the foreign
                # partition has rows (copied from the table's first row).
                push @sql, 'CREATE EXTENSION IF NOT EXISTS postgres_fdw;',
                  q{DO $$BEGIN IF NOT EXISTS (SELECT FROM pg_foreign_server WHERE srvname = 'gen_loopback') THEN }
                  . q{EXECUTE format('CREATE SERVER gen_loopback FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host %L, port %L, dbname %L)', }
                  . q{split_part(current_setting('unix_socket_directories'), ',', 1), current_setting('port'), current_database()); }
                  . q{CREATE USER MAPPING FOR CURRENT_USER SERVER gen_loopback; END IF; END$$;},
                  'CREATE SCHEMA IF NOT EXISTS gen_remote;',
                  "CREATE TABLE gen_remote.${table}_data (LIKE public.$table);";
                my $range = $partition eq 'range' ? 'FROM (200) TO (300)' : 'IN (200)';
                push @sql, "CREATE FOREIGN TABLE public.${table}_remote PARTITION OF public.$table FOR VALUES $range "
                  . "SERVER gen_loopback OPTIONS (schema_name 'gen_remote', table_name '${table}_data');";
                push @after_rows, "INSERT INTO gen_remote.${table}_data SELECT * FROM public.$table LIMIT 1;",
                  "UPDATE gen_remote.${table}_data SET pkey = 200;";
                push @names, "${table}_remote";
            }
            push @names, "${table}_p1", "${table}_p2", "${table}_pd";
        }
        else
        {
            push @sql, "$create;";
        }

        # Rows.
        my @insert_cols = grep { defined $values{$_} } ('id', 'pkey', @plain_cols, "ref$t", "nc$t", "mood$t");
        @insert_cols = grep { $_ ne 'id' } @insert_cols if $pk_kind =~ /serial|identity/;
        @insert_cols = grep { exists $col{$_} } @insert_cols;
        if ($rows > 0 && !@insert_cols)
        {
            push @sql, "INSERT INTO public.$table DEFAULT VALUES;" for 1 .. $rows;
        }
        elsif ($rows > 0)
        {
            my @tuples;
            for my $i (1 .. $rows)
            {
                push @tuples, '(' . join(', ', map {
                    my $c = $_;
                    (!$col{$c}{not_null} && $c =~ /^c/ && $i % 5 == 0) ? 'NULL' : $values{$c}->($i)
                } @insert_cols) . ')';
            }
            push @sql, "INSERT INTO public.$table (" . join(', ', @insert_cols) . ") VALUES\n    " . join(",\n    ", @tuples) . ';';
        }

        push @sql, @after_rows;

        # Allowlist entry.
        my $mode = $self->pick(qw(omit empty list list list));
        my @kept;
        if ($mode eq 'list')
        {
            @kept = grep { $self->chance(0.5) } grep { $_ ne 'id' } keys %col;
            @kept = sort @kept;
            unshift @kept, 'id' if $self->chance(0.85);
            push @kept, 'pkey' if $partition && !grep { $_ eq 'pkey' } @kept
              and !($known->('partition_key') && $self->chance(0.5));
            # Unique columns whose fakes repeat stay kept unless testing that.
            @kept = ('id') unless @kept;
        }
        if ($mode eq 'empty') { $allow{$table} = []; }
        elsif ($mode eq 'list') { $allow{$table} = \@kept; }

        push @tables, { name => $table, rows => $rows, partition => $partition, pk => $pk_kind,
            mode => $mode, kept => \@kept };
    }

    # Views and materialized views.
    for my $v (1 .. $self->below(4))
    {
        my $base = $self->pick(@tables);
        my $name = "gv$v";
        if ($self->chance(0.4))
        {
            push @sql, "CREATE VIEW public.$name AS SELECT id FROM public.$base->{name};";
        }
        else
        {
            my $populated = $self->chance(0.7);
            my $source = "public.$base->{name}";
            my ($prev) = grep { /^CREATE MATERIALIZED VIEW public\.gv\d+ AS SELECT count/ } reverse @sql;
            push @sql, "CREATE MATERIALIZED VIEW public.$name AS SELECT count(*) AS n, max(id::text) AS top FROM $source"
              . ($populated ? ';' : ' WITH NO DATA;');
            if ($populated && $prev && $prev !~ /WITH NO DATA/ && $self->chance(0.3))
            {
                my ($other) = $prev =~ /public\.(gv\d+)/;
                push @sql, "CREATE MATERIALIZED VIEW public.${name}_over AS SELECT n FROM public.$other;";
                push @names, "${name}_over";
            }
        }
        push @names, $name;
    }
    push @sql, 'ANALYZE;';

    my $allowlist = '{' . join(', ', map {
        my $t = $_;
        qq("$t": [) . join(', ', map { qq("$_") } @{ $allow{$t} }) . ']'
    } sort keys %allow) . '}';
    return { sql => join("\n", @sql) . "\n", allowlist => $allowlist, names => \@names, tables => \@tables };
}

1;
