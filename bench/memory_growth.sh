#!/usr/bin/env bash
# Peak memory of the backend running scrub_to_schema, for N and 10N rows.
#
#   sudo bash bench/memory_growth.sh            # N = 200000
#   ROWS=50000 bash bench/memory_growth.sh      # as postgres, smaller N
#
# Starts a throwaway cluster (as the postgres OS user when run as root),
# builds one source table of ROWS rows and one of 10 * ROWS rows (text, int
# and timestamp columns, half of them scrubbed), runs scrub_to_schema on
# each in a fresh backend and reads that backend's peak resident set size
# (VmHWM in /proc/<pid>/status) while the session is still open. A
# benchmark, not a test: it prints the figures and PASS or FAIL against the
# target (peak RSS for 10x the rows grows by less than 10%), and exits 0
# either way unless the setup itself fails.
#
# shared_buffers is kept small (16MB) on purpose: RSS counts the shared
# buffer pages a backend touches, and a run over a large table touches them
# all. With a small pool both runs touch all of it, so the difference
# between the two peaks is the backend's own memory, which is what must
# stay flat.
set -euo pipefail

rows=${ROWS:-200000}
big_rows=$((rows * 10))
port=${PORT:-$((56000 + RANDOM % 1000))}
pgbin=$(pg_config --bindir 2>/dev/null || echo /usr/lib/postgresql/15/bin)

as_postgres() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

dir=$(mktemp -d /tmp/scrub-bench-memory.XXXXXX)
[ "$(id -u)" -eq 0 ] && chown postgres "$dir"
stop() {
    as_postgres "$pgbin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$dir"
}
trap stop EXIT

as_postgres "$pgbin/initdb" -D "$dir/data" -A trust --no-sync >/dev/null
cat >>"$dir/data/postgresql.conf" <<EOF
port = $port
unix_socket_directories = '$dir'
listen_addresses = ''
shared_buffers = 16MB
fsync = off
synchronous_commit = off
full_page_writes = off
autovacuum = off
max_wal_size = 4GB
jit = ${JIT:-on}
EOF
as_postgres "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w start >/dev/null

psql_() { as_postgres "$pgbin/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -d postgres "$@"; }

psql_ -c "CREATE EXTENSION scrub"
for size in small big; do
    n=$rows
    [ $size = big ] && n=$big_rows
    echo "creating source table of $n rows"
    psql_ <<SQL
CREATE SCHEMA src_$size;
CREATE TABLE src_$size.accounts (
    id bigint, name text, email text, note text, n int, created timestamptz);
INSERT INTO src_$size.accounts
SELECT i, 'name ' || i, 'user' || i || '@example.com', repeat('x', 40), i % 1000,
       timestamptz '2020-01-01 00:00+00' + i * interval '1 second'
  FROM generate_series(1, $n) i;
VACUUM ANALYZE src_$size.accounts;
SQL
done

allowlist='{"accounts": ["id", "n", "created"]}'  # name, email, note are scrubbed

# Runs scrub in a fresh backend; prints "peak_kb baseline_kb seconds".
measure() {  # size
    local out="$dir/run_$1.out" pid="" hwm="" baseline="" start end
    : >"$out"
    [ "$(id -u)" -eq 0 ] && chown postgres "$out"
    start=$(date +%s.%N)
    # The session stays open (pg_sleep) after the run so that its VmHWM
    # can still be read.
    as_postgres "$pgbin/psql" -X -At -v ON_ERROR_STOP=1 -h "$dir" -p "$port" -d postgres \
        -o "$out" >/dev/null <<SQL &
SELECT 'pid ' || pg_backend_pid();
SELECT pg_sleep(0.5);
SELECT 'copied ' || sum(rows_copied) FROM scrub_to_schema('$allowlist', 'out_$1', 'src_$1');
SELECT 'done';
SELECT pg_sleep(2);
SQL
    local psql_pid=$!
    while [ -z "$pid" ] && kill -0 $psql_pid 2>/dev/null; do
        pid=$(sed -n 's/^pid //p' "$out")
        sleep 0.05
    done
    [ -n "$pid" ] || { echo "could not get the backend pid" >&2; return 1; }
    baseline=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status")
    # VmHWM only grows: the last value read before the session ends is the
    # peak of the whole run.
    while ! grep -q '^done$' "$out"; do
        kill -0 $psql_pid 2>/dev/null || { echo "the run failed:" >&2; cat "$out" >&2; return 1; }
        hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
        sleep 0.1
    done
    end=$(date +%s.%N)
    hwm=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status")
    [ -n "${DEBUG:-}" ] && grep -E '^(Vm|Rss)' "/proc/$pid/status" >&2
    wait $psql_pid
    grep -q "^copied " "$out" || { echo "the run copied nothing" >&2; return 1; }
    echo "$hwm $baseline $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a - 0.5 }')"
}

read -r small_kb small_base small_s < <(measure small)
read -r big_kb big_base big_s < <(measure big)

growth=$(awk -v a="$small_kb" -v b="$big_kb" 'BEGIN { printf "%.1f", (b - a) * 100 / a }')
printf '%-10s %12s %14s %10s\n' rows "peak RSS kB" "at connect kB" "run s"
printf '%-10s %12s %14s %10.1f\n' "$rows" "$small_kb" "$small_base" "$small_s"
printf '%-10s %12s %14s %10.1f\n' "$big_rows" "$big_kb" "$big_base" "$big_s"
echo "peak RSS growth for 10x rows: $growth%"
if awk -v g="$growth" 'BEGIN { exit !(g < 10) }'; then
    echo "PASS (target: < 10%)"
else
    echo "FAIL (target: < 10%)"
fi
