#!/usr/bin/env bash
# How much slower is scrub_to_schema than a plain INSERT ... SELECT copy of
# the same table? Prints the median of several runs of each.
#
#   sudo bash bench/copy_overhead.sh [ROWS] [REPEATS]
#
# Needs the extension installed (make install). Starts a throwaway cluster
# (bench/cluster.sh) as the postgres OS user on port 56432.
set -euo pipefail
rows=${1:-2000000}
repeats=${2:-5}
port=56432
settings="-c shared_buffers=1GB -c max_wal_size=8GB -c checkpoint_timeout=1h"
. "$(dirname "$0")/cluster.sh"

psql_ <<SQL
CREATE EXTENSION scrub;
CREATE TABLE users (id bigint PRIMARY KEY, email text, full_name varchar(80), created_at timestamptz,
                    is_staff boolean, balance numeric(12,2), profile jsonb);
INSERT INTO users SELECT i, 'user' || i || '@example.com', 'Person Number ' || i,
       timestamptz '2020-01-01' + i * interval '1 minute', i % 10 = 0, i * 0.37,
       jsonb_build_object('city', 'City ' || (i % 100))
  FROM generate_series(1, $rows) i;
VACUUM ANALYZE users;
SQL

# Each measurement runs in its own transaction that is rolled back, so
# every run starts from the same state; the clock is the server's.
measure() {  # sql
    psql_ -At <<SQL
BEGIN;
SELECT extract(epoch FROM clock_timestamp()) AS t0 \gset
$1
SELECT round((extract(epoch FROM clock_timestamp()) - :t0) * 1000);
ROLLBACK;
SQL
}

baseline_sql="CREATE SCHEMA plain; CREATE TABLE plain.users AS SELECT * FROM users WITH NO DATA; INSERT INTO plain.users SELECT * FROM users;"
kept_sql="SELECT count(*) FROM scrub_to_schema('{\"users\": [\"id\", \"email\", \"full_name\", \"created_at\", \"is_staff\", \"balance\", \"profile\"]}') \\g /dev/null"
scrubbed_sql="SELECT count(*) FROM scrub_to_schema('{\"users\": [\"id\", \"created_at\", \"is_staff\"]}') \\g /dev/null"

for name in baseline kept scrubbed; do
    var="${name}_sql"
    measure "${!var}" >/dev/null  # warm-up
    for _ in $(seq "$repeats"); do measure "${!var}"; done | median >"$dir/$name"
done
b=$(cat "$dir/baseline"); k=$(cat "$dir/kept"); s=$(cat "$dir/scrubbed")
echo "rows: $rows, median of $repeats runs"
echo "| copy | ms | vs INSERT ... SELECT |"
echo "|---|---:|---:|"
echo "| INSERT ... SELECT (baseline) | $b | 1.00 |"
awk -v b="$b" -v k="$k" -v s="$s" 'BEGIN {
    printf "| scrub_to_schema, all 7 columns kept | %d | %.2f |\n", k, k / b
    printf "| scrub_to_schema, 4 of 7 columns faked | %d | %.2f |\n", s, s / b }'
