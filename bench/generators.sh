#!/usr/bin/env bash
# Per-row cost of the value generators (scrub_fake_text, scrub_hash,
# scrub_json_keep) over a plain expression, computed for every row of a
# table: the median of several runs of SELECT count(expression).
#
#   sudo bash bench/generators.sh [ROWS] [REPEATS]
#
# Needs the extension installed (make install). Starts a throwaway cluster
# as the postgres OS user on port 56433 and removes it afterwards.
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
pg "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/log" -o "-p 56433 -k $dir -c shared_buffers=256MB -c jit=off -c max_parallel_workers_per_gather=0" start >/dev/null
psql_() { pg "$pgbin/psql" -X -q -h "$dir" -p 56433 -d postgres -v ON_ERROR_STOP=1 "$@"; }

psql_ <<SQL
CREATE EXTENSION scrub;
CREATE TABLE t (id bigint, i integer, u uuid, email text, doc jsonb);
INSERT INTO t SELECT g, g::integer, md5(g::text)::uuid, 'user' || g || '@example.com',
       jsonb_build_object('theme', 'dark', 'n', g, 'tags', jsonb_build_array('a', 'b'))
  FROM generate_series(1, $rows) g;
VACUUM ANALYZE t;
SQL

measure() {  # expression
    psql_ -At <<SQL
SET scrub.key = 'benchmark-key-0123456789abcdef';
SELECT extract(epoch FROM clock_timestamp()) AS t0 \gset
SELECT count($1) FROM t \g /dev/null
SELECT round((extract(epoch FROM clock_timestamp()) - :t0) * 1000);
SQL
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
run() {  # expression
    measure "$1" >/dev/null  # warm-up
    for _ in $(seq "$repeats"); do measure "$1"; done | median
}

base=$(run "email")
echo "rows: $rows, median of $repeats runs; baseline count(email): $base ms"
echo "| expression | ms | ns per row over baseline |"
echo "|---|---:|---:|"
for expr in \
    "scrub_fake_text('email', id)" "scrub_fake_text('full_name', id)" \
    "scrub_fake_text('phone', id)" "scrub_fake_text('ip', id)" \
    "scrub_fake_text('text', id, NULL, 60)" "scrub_hash(i)" "scrub_hash(id)" "scrub_hash(u)" \
    "scrub_hash(email)" "doc::text::jsonb" "scrub_json_keep(doc, '{theme}', id)"; do
    ms=$(run "$expr")
    echo "| \`$expr\` | $ms | $(( (ms - base) * 1000000 / rows )) |"
done
