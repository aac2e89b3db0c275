#!/usr/bin/env bash
# What does each column rule cost per row, against copying the column
# verbatim? Copies a table of ROWS rows once with every column kept, then
# once per rule with one column under that rule and the others kept, and
# prints the medians and the extra nanoseconds per row.
#
#   sudo bash bench/rules_cost.sh [ROWS] [REPEATS]
#
# Needs the extension installed (make install). Starts a throwaway cluster
# as the postgres OS user on port 56433 and removes it afterwards.
set -euo pipefail
rows=${1:-1000000}
repeats=${2:-3}
pgbin=${PGBIN:-$(pg_config --bindir)}  # PGBIN: another installation
dir=$(mktemp -d /tmp/scrub-bench.XXXXXX)
chown postgres "$dir"
pg() { runuser -u postgres -- "$@"; }
cleanup() { pg "$pgbin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true; rm -rf "$dir"; }
trap cleanup EXIT

pg "$pgbin/initdb" -D "$dir/data" >/dev/null
# The key only lives in this throwaway cluster's configuration.
echo "scrub.key = 'bench-key-0123456789abcdef'" >>"$dir/data/postgresql.conf"
pg "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/log" -o "-p 56433 -k $dir -c shared_buffers=1GB -c max_wal_size=8GB -c checkpoint_timeout=1h" start >/dev/null
psql_() { pg psql -X -q -h "$dir" -p 56433 -d postgres -v ON_ERROR_STOP=1 "$@"; }

psql_ <<SQL
CREATE EXTENSION scrub;
CREATE TABLE people (id bigint PRIMARY KEY, value text, name varchar(80), address inet,
                     token uuid, counter integer, profile jsonb);
INSERT INTO people
SELECT i, 'person' || i || '@mail.test ' || repeat('x', (i % 40)), 'Person Number ' || i,
       '10.0.0.0'::inet + i, md5(i::text)::uuid, i,
       jsonb_build_object('name', 'Person ' || i, 'theme', 'dark', 'age', i % 90,
                          'tags', jsonb_build_array('a' || i, 'b'))
  FROM generate_series(1, $rows) i;
VACUUM ANALYZE people;
SQL

measure() {  # allowlist
    psql_ -At <<SQL
BEGIN;
SELECT extract(epoch FROM clock_timestamp()) AS t0 \gset
SELECT count(*) FROM scrub_to_schema('$1') \g /dev/null
SELECT round((extract(epoch FROM clock_timestamp()) - :t0) * 1000);
ROLLBACK;
SQL
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# One column under the rule, every other column kept.
allowlist() {  # column rule-json
    local columns='"id": "keep", "value": "keep", "name": "keep", "address": "keep", "token": "keep", "counter": "keep", "profile": "keep"'
    columns=${columns/\"$1\": \"keep\"/\"$1\": $2}
    echo "{\"people\": {\"columns\": {$columns}}}"
}

cases=(
    "keep|value|\"keep\""
    "fake (text)|value|\"fake\""
    "null|value|\"null\""
    "constant|value|{\"constant\": \"x\"}"
    "email|value|\"email\""
    "first_name|value|\"first_name\""
    "last_name|value|\"last_name\""
    "full_name|name|\"full_name\""
    "username|value|\"username\""
    "phone|value|\"phone\""
    "url|value|\"url\""
    "text|value|\"text\""
    "ip|address|\"ip\""
    "hash (text)|value|\"hash\""
    "hash (uuid)|token|\"hash\""
    "hash (integer)|counter|\"hash\""
    "json keep|profile|{\"json\": {\"keep\": [\"theme\", \"tags\"]}}"
    "fake (jsonb)|profile|\"fake\""
    "sql|value|{\"sql\": \"pg_catalog.upper(value)\"}"
)

echo "rows: $rows, median of $repeats runs"
echo "| rule | column | ms | extra ns per row vs keep |"
echo "|---|---|---:|---:|"
keep_ms=
for entry in "${cases[@]}"; do
    IFS='|' read -r label column rule <<<"$entry"
    list=$(allowlist "$column" "$rule")
    measure "$list" >/dev/null  # warm-up
    ms=$(for _ in $(seq "$repeats"); do measure "$list"; done | median)
    [ -z "$keep_ms" ] && keep_ms=$ms
    awk -v l="$label" -v c="$column" -v ms="$ms" -v k="$keep_ms" -v n="$rows" \
        'BEGIN { printf "| %s | %s | %d | %.0f |\n", l, c, ms, (ms - k) * 1e6 / n }'
done
