#!/usr/bin/env bash
# Per-row cost of each column rule in a whole scrub_to_schema run: one
# table of ROWS rows, copied with every column kept, then with one column
# under each rule in turn (the others kept). Prints, per rule, the median
# run time and its cost per row over the all-kept run, which is measured
# first and again last: their difference is the noise of the machine.
#
#   sudo bash bench/rules_cost.sh [ROWS] [REPEATS]
#
# Needs the extension installed (make install). Starts a throwaway cluster
# as the postgres OS user on port 56434 and removes it afterwards.
set -euo pipefail
rows=${1:-1000000}
repeats=${2:-3}
pgbin=${PGBIN:-$(pg_config --bindir)}  # or a private copy (/work/wt/private-pg)
dir=$(mktemp -d /tmp/scrub-bench.XXXXXX)
chown postgres "$dir"
pg() { runuser -u postgres -- "$@"; }
cleanup() { pg "$pgbin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true; rm -rf "$dir"; }
trap cleanup EXIT

pg "$pgbin/initdb" -D "$dir/data" >/dev/null
pg "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/log" -o "-p 56434 -k $dir -c shared_buffers=512MB -c max_wal_size=8GB -c checkpoint_timeout=1h" start >/dev/null
psql_() { pg "$pgbin/psql" -X -q -h "$dir" -p 56434 -d postgres -v ON_ERROR_STOP=1 "$@"; }

psql_ <<SQL
CREATE EXTENSION scrub;
CREATE TABLE t (id bigint, n integer, u uuid, email varchar(80), name text, ip inet,
                code varchar(20), doc jsonb);
INSERT INTO t SELECT g, g::integer, md5(g::text)::uuid, 'user' || g || '@corp.test',
       'Person Number ' || g, inet '10.0.0.0' + g, 'C' || g,
       jsonb_build_object('theme', 'dark', 'n', g, 'tags', jsonb_build_array('a', 'b'))
  FROM generate_series(1, $rows) g;
VACUUM ANALYZE t;
SQL

# Each run in its own transaction, rolled back; the clock is the server's.
measure() {  # columns object
    psql_ -At <<SQL
SET scrub.key = 'benchmark-key-0123456789abcdef';
BEGIN;
SELECT extract(epoch FROM clock_timestamp()) AS t0 \gset
SELECT count(*) FROM scrub_to_schema('{"t": {"columns": $1}}') \g /dev/null
SELECT round((extract(epoch FROM clock_timestamp()) - :t0) * 1000);
ROLLBACK;
SQL
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
columns() {  # column rule: every column kept but that one
    local out="" c
    for c in id n u email name ip code doc; do
        out+="${out:+, }\"$c\": $([ "$c" = "$1" ] && echo "$2" || echo '"keep"')"
    done
    echo "{$out}"
}

cases=(
    "keep|id|\"keep\""
    "fake (text)|email|\"fake\""
    "null|name|\"null\""
    "constant|code|{\"constant\": \"X\"}"
    "sql|name|{\"sql\": \"upper(name)\"}"
    "email|email|\"email\""
    "full_name|name|\"full_name\""
    "phone|code|\"phone\""
    "text|name|\"text\""
    "ip (inet)|ip|\"ip\""
    "hash (bigint)|id|\"hash\""
    "hash (integer)|n|\"hash\""
    "hash (uuid)|u|\"hash\""
    "hash (text)|email|\"hash\""
    "json|doc|{\"json\": {\"keep\": [\"theme\"]}}"
    "keep (again, for the noise)|id|\"keep\""
)
echo "rows: $rows, median of $repeats runs"
echo "| rule | column | ms | µs per row over keep |"
echo "|---|---|---:|---:|"
base=""
for entry in "${cases[@]}"; do
    IFS='|' read -r label column rule <<<"$entry"
    spec=$(columns "$column" "$rule")
    measure "$spec" >/dev/null  # warm-up
    ms=$(for _ in $(seq "$repeats"); do measure "$spec"; done | median)
    [ -z "$base" ] && base=$ms
    awk -v l="$label" -v c="$column" -v ms="$ms" -v b="$base" -v r="$rows" \
        'BEGIN { printf "| %s | %s | %d | %.3f |\n", l, c, ms, (ms - b) * 1000 / r }'
done
