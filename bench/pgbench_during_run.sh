#!/usr/bin/env bash
# pgbench write workload with and without scrub_to_schema runs beside it.
#
#   sudo bash bench/pgbench_during_run.sh          # SCALE=20 SECONDS_PER_PHASE=30
#
# Starts a throwaway PostgreSQL 15 cluster (as the postgres OS user), loads
# pgbench at scale $SCALE and test/fixtures/sample_app.sql at the same
# scale, then runs the TPC-B-like pgbench workload (4 clients) twice for
# $SECONDS_PER_PHASE seconds: alone, and while scrub_to_schema runs in a
# loop. The runs copy pgbench_accounts/branches/tellers too, so pgbench
# writes to the very tables being copied. Prints TPS, p50/p99 latency and
# failed transactions of both phases as a markdown table, and writes it
# with the raw logs to bench/out/. Needs `make install` done first.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
scale=${SCALE:-20}
seconds=${SECONDS_PER_PHASE:-30}
clients=4
threads=2
pgbin=$(pg_config --bindir)
out="$root/bench/out"
port=$((56000 + RANDOM % 1000))

if [ "$(id -u)" -ne 0 ]; then
    echo "bench/pgbench_during_run.sh: run as root (it starts a server as postgres)" >&2
    exit 2
fi

work=$(mktemp -d /tmp/scrub-bench.XXXXXX)
chown postgres "$work"
mkdir -p "$out"
as_pg() { runuser -u postgres -- env PATH="$pgbin:$PATH" PGHOST="$work" PGPORT="$port" "$@"; }
stop() {
    as_pg pg_ctl -D "$work/data" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap stop EXIT

as_pg initdb -D "$work/data" -A trust >/dev/null
cat >>"$work/data/postgresql.conf" <<EOF
listen_addresses = ''
unix_socket_directories = '$work'
shared_buffers = 256MB
max_wal_size = 4GB
EOF
as_pg pg_ctl -D "$work/data" -l "$work/server.log" -w start >/dev/null

echo "loading pgbench (scale $scale) and sample_app (scale $scale)..."
as_pg createdb bench
as_pg pgbench -q -i -s "$scale" bench >/dev/null 2>&1
as_pg psql -X -q -d bench -v ON_ERROR_STOP=1 -c 'CREATE EXTENSION scrub'
as_pg psql -X -q -d bench -v ON_ERROR_STOP=1 -v scale="$scale" \
    -f "$root/test/fixtures/sample_app.sql" >/dev/null
cp "$root/test/fixtures/sample_app.allowlist.json" "$work/allowlist.json"
chown postgres "$work/allowlist.json"
# The sample_app allowlist plus pgbench's tables (filler is scrubbed).
cat >"$work/run.sql" <<'EOF'
\set allowlist `cat allowlist.json`
SELECT count(*) AS tables, sum(rows_copied) AS rows
  FROM scrub_to_schema(:'allowlist'::jsonb || '{"pgbench_accounts": ["aid", "bid", "abalance"],
    "pgbench_branches": ["bid", "bbalance"], "pgbench_tellers": ["tid", "bid", "tbalance"],
    "pgbench_history": []}'::jsonb);
EOF
chown postgres "$work/run.sql"
rows=$(cd "$work" && as_pg psql -X -At -d bench -v ON_ERROR_STOP=1 -f run.sql)
echo "one run copies (tables|rows): $rows"

# Both phases start from the same state of the tables and buffers.
prepare() { as_pg psql -X -q -d bench -c 'VACUUM ANALYZE' -c 'CHECKPOINT'; }

# Runs pgbench for one phase; per-transaction latencies go to
# $work/logs/<name>.*
mkdir "$work/logs" && chown postgres "$work/logs"
phase() {
    local name=$1
    (cd "$work" && as_pg pgbench -c "$clients" -j "$threads" -T "$seconds" -P 5 -r \
        --log --log-prefix="logs/$name" bench) >"$work/$name.out" 2>&1 ||
        echo "pgbench exited with status $? in phase $name" >>"$work/$name.out"
}

# Latency percentile (0..100) in ms from pgbench's per-transaction logs
# (third field: latency in microseconds).
percentile() {
    cat "$work/logs/$1".* | awk '{print $3}' | sort -n |
        awk -v p="$2" '{v[NR] = $1} END {i = int(NR * p / 100); if (i < 1) i = 1; printf "%.2f", v[i] / 1000}'
}

echo "phase 1: pgbench alone (${seconds}s)..."
prepare
phase alone

echo "phase 2: pgbench with scrub_to_schema looping beside it (${seconds}s)..."
prepare
: >"$work/runs.log"
(
    cd "$work"
    while [ ! -e "$work/stop" ]; do
        start=$(date +%s.%N)
        if as_pg psql -X -At -d bench -v ON_ERROR_STOP=1 -f run.sql >/dev/null 2>>"$work/runs.err"; then
            echo "ok $(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN {printf "%.3f", b - a}')" >>"$work/runs.log"
        else
            echo "failed" >>"$work/runs.log"
        fi
    done
) &
loop=$!
phase with_run
touch "$work/stop"
wait "$loop"

tps() { sed -nE 's/^tps = ([0-9.]+) \(without initial connection time\)/\1/p' "$work/$1.out" | xargs printf "%.1f"; }
failed() {
    local f
    f=$(sed -nE 's/^number of failed transactions: ([0-9]+).*/\1/p' "$work/$1.out")
    grep -q "pgbench exited" "$work/$1.out" && f="${f:-0} (pgbench exited non-zero)"
    echo "${f:-?}"
}
runs_ok=$(grep -c '^ok' "$work/runs.log" || true)
runs_failed=$(grep -c '^failed' "$work/runs.log" || true)
run_seconds=$(awk '/^ok/ {s += $2; n++} END {if (n) printf "%.1f", s / n; else print "-"}' "$work/runs.log")

report="$out/pgbench_during_run.md"
{
    echo "pgbench TPC-B-like, scale $scale, $clients clients, $threads threads, ${seconds}s per phase;"
    echo "scrub_to_schema copying $(echo "$rows" | cut -d'|' -f2) rows from $(echo "$rows" | cut -d'|' -f1) tables per run."
    echo
    echo "| phase | TPS | p50 latency (ms) | p99 latency (ms) | failed transactions | scrub runs completed (failed) | mean run time (s) |"
    echo "|---|---|---|---|---|---|---|"
    echo "| pgbench alone | $(tps alone) | $(percentile alone 50) | $(percentile alone 99) | $(failed alone) | - | - |"
    echo "| pgbench + scrub_to_schema loop | $(tps with_run) | $(percentile with_run 50) | $(percentile with_run 99) | $(failed with_run) | $runs_ok ($runs_failed) | $run_seconds |"
} >"$report"
cp "$work"/alone.out "$work"/with_run.out "$work"/runs.log "$out"/
[ -s "$work/runs.err" ] && cp "$work/runs.err" "$out"/
echo
cat "$report"
