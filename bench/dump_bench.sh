#!/usr/bin/env bash
# scrub-dump against pg_dump on a generated database: time, ratio to plain
# pg_dump, rows per second, peak memory of client and backend, WAL written.
#
#   sudo make bench                                  # SCALE=1: about 2 GB
#   sudo make bench SCALE=0.05 REPEATS=3             # a quick run
#   sudo make bench MODE=memory SCALE=0.02           # SCALE and 10 * SCALE
#   sudo PGBIN=/tmp/pg/lib/postgresql/15/bin bash bench/dump_bench.sh
#
# Run as root: it starts a throwaway cluster as the postgres OS user (port
# PORT, socket and data in a temporary directory, removed at the end) with
# the PostgreSQL programs of PGBIN (default: pg_config --bindir), which
# must also hold scrub-dump and scrub-restore and have the extension
# installed (make install, or /work/wt/private-pg for a private copy).
#
# MODE=compare (default) measures, REPEATS times each (default 3, round
# robin so that load from elsewhere spreads over all variants) and prints
# the medians:
#   pg_dump           plain format, to a file
#   pg_dump -Fd -j 2  directory format, two jobs
#   scrub-dump        -a ALLOWLIST, one job (streaming if the installed
#                     scrub-dump streams, else it builds the scratch schema;
#                     the "path" column says which)
#   scrub-dump -j 2   --jobs 2 ("n/a" if scrub-dump has no --jobs)
#   to_schema+from    scrub_to_schema(), then scrub-dump --from-schema
#   psql -1 -f        restoring the plain dump into an empty database
#   scrub-restore     restoring scrub-dump's artifact into an empty database
# For each: wall time, ratio to plain pg_dump, source rows per second,
# peak RSS of the client (GNU time's maximum resident set size: the largest
# process of the command's tree), peak RSS of the backends serving it
# (VmHWM, and the largest RssAnon seen, of every backend connected to the
# database the variant reads or writes, polled from /proc every 0.05 s),
# WAL bytes written (pg_current_wal_lsn() before and after: the whole
# cluster's, so for a restore it is the restore's WAL) and output size
# (pg_dump -Fd compresses with gzip by default, the others do not).
#
# MODE=memory runs scrub-dump (one job) on a database of SCALE and one of
# 10 * SCALE and prints both peaks and the growth; the target is memory
# flat as tables grow 10 times.
#
# MODE=profile runs scrub-dump -a on a database of SCALE three times: its
# steps' times (from a bash -x trace), pg_stat_statements and pg_stat_wal
# over the run; under perf record (the backends' CPU by function); under
# strace -c (the client's system calls).
#
# Settings (environment or make variables): SCALE (1 = about 2 GB of
# tables and indexes), REPEATS, MODE, PGBIN, PORT, SHARED_BUFFERS (256MB;
# 16MB in MODE=memory), EXTRA_CONF (lines for postgresql.conf, e.g.
# "work_mem = 1MB"), KEEP=1 (keep the temporary directory), OUT (a file
# to copy the results to). A benchmark, not a test: it asserts
# nothing.
set -euo pipefail

scale=${SCALE:-1}
repeats=${REPEATS:-3}
mode=${MODE:-compare}
pgbin=${PGBIN:-$(pg_config --bindir 2>/dev/null || echo /usr/lib/postgresql/15/bin)}
port=${PORT:-$((57000 + RANDOM % 1000))}
# RSS counts the shared buffers a backend touches: in MODE=memory a small
# pool, which both runs fill, leaves the difference to the backend's own
# memory (RssAnon excludes shared memory in either mode).
shared_buffers=${SHARED_BUFFERS:-256MB}
[ "$mode" = memory ] && shared_buffers=${SHARED_BUFFERS:-16MB}
case $mode in compare | memory | profile) ;; *) echo "MODE must be compare, memory or profile" >&2; exit 2 ;; esac
[[ $scale =~ ^[0-9]*\.?[0-9]+$ ]] || { echo "SCALE must be a positive number" >&2; exit 2; }
[[ $repeats =~ ^[1-9][0-9]*$ ]] || { echo "REPEATS must be a positive integer" >&2; exit 2; }
for prog in initdb pg_ctl psql pg_dump scrub-dump scrub-restore; do
    [ -x "$pgbin/$prog" ] || { echo "$pgbin/$prog not found (set PGBIN, make install)" >&2; exit 2; }
done
[ -x /usr/bin/time ] || { echo "needs GNU time (/usr/bin/time)" >&2; exit 2; }

run_as=()
[ "$(id -u)" -eq 0 ] && run_as=(runuser -u postgres --)
as_postgres() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

dir=$(mktemp -d /tmp/scrub-dump-bench.XXXXXX)
chmod 0755 "$dir"
[ "$(id -u)" -eq 0 ] && chown postgres "$dir"
poller=
stop() {
    [ -n "$poller" ] && kill "$poller" 2>/dev/null
    as_postgres "$pgbin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    if [ "${KEEP:-0}" = 1 ]; then echo "kept $dir" >&2; else rm -rf "$dir"; fi
}
trap stop EXIT

as_postgres "$pgbin/initdb" -D "$dir/data" -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
cat >>"$dir/data/postgresql.conf" <<EOF
port = $port
unix_socket_directories = '$dir'
listen_addresses = ''
shared_buffers = $shared_buffers
max_wal_size = 16GB
checkpoint_timeout = 1h
autovacuum = off
${EXTRA_CONF:-}
EOF
[ "$mode" = profile ] && cat >>"$dir/data/postgresql.conf" <<EOF
shared_preload_libraries = 'pg_stat_statements'
pg_stat_statements.track = all
track_wal_io_timing = on
EOF
as_postgres "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w start >/dev/null
postmaster=$(head -1 "$dir/data/postmaster.pid")
export PGHOST=$dir PGPORT=$port PGUSER=postgres

psql_() {  # database, psql arguments...
    local db=$1; shift
    as_postgres "$pgbin/psql" -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"
}
value() { psql_ "$1" -At -c "$2"; }

# --- the source database -----------------------------------------------------

# SCALE 1 (about 2 GB): 700k users, 420k sessions (about 1.3 kB of
# payload each), 1.4M orders, 3.5M order lines, 1.05M audit rows with a
# jsonb document; every table has a primary key, foreign keys to its
# parent and indexes on them.
generate() {  # database scale
    local db=$1 s=$2
    local users sessions orders lines audit
    users=$(awk -v s="$s" 'BEGIN { n = int(700000 * s); print (n < 100 ? 100 : n) }')
    sessions=$(awk -v u="$users" 'BEGIN { print int(u * 0.6) }')
    orders=$((users * 2))
    lines=$((users * 5))
    audit=$(awk -v u="$users" 'BEGIN { print int(u * 1.5) }')
    as_postgres "$pgbin/createdb" "$db"
    psql_ "$db" <<SQL
CREATE EXTENSION scrub;
CREATE TABLE users (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    email text NOT NULL UNIQUE,
    username text NOT NULL,
    full_name text NOT NULL,
    password_hash text NOT NULL,
    phone text,
    country char(2) NOT NULL,
    is_staff boolean NOT NULL,
    created_at timestamptz NOT NULL,
    last_login timestamptz);
CREATE TABLE sessions (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES users,
    token text NOT NULL UNIQUE,
    ip inet,
    user_agent text,
    payload text NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL);
CREATE TABLE orders (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    user_id bigint NOT NULL REFERENCES users,
    status text NOT NULL CHECK (status IN ('new', 'paid', 'shipped', 'cancelled')),
    total_cents bigint NOT NULL,
    currency char(3) NOT NULL,
    shipping_address text,
    created_at timestamptz NOT NULL);
CREATE TABLE order_lines (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    order_id bigint NOT NULL REFERENCES orders,
    line_no int NOT NULL,
    sku text NOT NULL,
    quantity int NOT NULL CHECK (quantity > 0),
    unit_price_cents bigint NOT NULL,
    description text);
CREATE TABLE audit_log (
    id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    user_id bigint REFERENCES users,
    action text NOT NULL,
    ip inet,
    details jsonb NOT NULL,
    created_at timestamptz NOT NULL);

INSERT INTO users (email, username, full_name, password_hash, phone, country, is_staff, created_at, last_login)
SELECT 'user' || i || '@mail' || (i % 97) || '.example.com', 'user_' || i,
       'Given' || (i % 5000) || ' Family' || (i % 7919),
       'pbkdf2_sha256\$600000\$' || substr(md5(i::text), 1, 22) || '\$' || md5('p' || i) || md5('q' || i),
       CASE WHEN i % 5 <> 0 THEN '+4930' || (1000000 + i) END,
       (ARRAY['DE', 'GB', 'FR', 'US', 'NL'])[1 + i % 5], i % 100 = 0,
       timestamptz '2020-01-01 00:00+00' + i * interval '37 seconds',
       CASE WHEN i % 3 <> 0 THEN timestamptz '2026-01-01 00:00+00' + i * interval '3 seconds' END
  FROM generate_series(1, $users) AS i;
INSERT INTO sessions (user_id, token, ip, user_agent, payload, created_at, expires_at)
SELECT 1 + (i::bigint * 7919) % $users, md5('t' || i) || md5('u' || i),
       ('10.' || (i % 256) || '.' || (i / 256 % 256) || '.' || (i / 65536 % 256))::inet,
       'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/' || (100 + i % 30) || '.0',
       repeat(md5('s' || i), 40),
       timestamptz '2026-01-01 00:00+00' + i * interval '11 seconds',
       timestamptz '2026-02-01 00:00+00' + i * interval '11 seconds'
  FROM generate_series(1, $sessions) AS i;
INSERT INTO orders (user_id, status, total_cents, currency, shipping_address, created_at)
SELECT 1 + (i::bigint * 104729) % $users, (ARRAY['new', 'paid', 'shipped', 'cancelled'])[1 + i % 4],
       (i * 31) % 100000, (ARRAY['EUR', 'GBP', 'USD'])[1 + i % 3],
       i || ' Some Street, ' || (10000 + i % 89999) || ' City ' || (i % 1000),
       timestamptz '2021-01-01 00:00+00' + i * interval '13 seconds'
  FROM generate_series(1, $orders) AS i;
INSERT INTO order_lines (order_id, line_no, sku, quantity, unit_price_cents, description)
SELECT 1 + (i - 1) / 5 * 2 % $orders, 1 + (i - 1) % 5, 'SKU-' || (i % 20000), 1 + i % 4, (i * 17) % 20000,
       CASE WHEN i % 2 = 0 THEN 'gift wrap, note: happy birthday ' || i END
  FROM generate_series(1, $lines) AS i;
INSERT INTO audit_log (user_id, action, ip, details, created_at)
SELECT CASE WHEN i % 10 <> 0 THEN 1 + (i * 15485863::bigint) % $users END,
       (ARRAY['login', 'logout', 'password_change', 'order', 'refund'])[1 + i % 5],
       ('192.168.' || (i % 256) || '.' || (i / 256 % 256))::inet,
       jsonb_build_object('kind', (ARRAY['web', 'api', 'job'])[1 + i % 3], 'version', 1 + i % 3,
                          'email', 'user' || i || '@mail.example.com', 'user_agent', 'Mozilla/5.0 Chrome/' || i % 130,
                          'changes', jsonb_build_object('field', 'status', 'old', 'new', 'new', 'paid')),
       timestamptz '2025-01-01 00:00+00' + i * interval '7 seconds'
  FROM generate_series(1, $audit) AS i;
CREATE INDEX ON sessions (user_id);
CREATE INDEX ON orders (user_id);
CREATE INDEX ON order_lines (order_id);
CREATE INDEX ON audit_log (user_id);
CREATE INDEX ON audit_log (created_at);
VACUUM (FREEZE, ANALYZE);
SQL
}

# About half the columns kept (22 of 38), in the object form: realistic
# fakes, a constant, a JSON rule, NULLs, default fakes.
cat >"$dir/allowlist.json" <<'EOF'
{
  "users": {"columns": {
    "id": "keep", "email": "email", "username": "username", "full_name": "full_name",
    "password_hash": {"constant": "!disabled", "why": "nobody logs in to a copy"},
    "phone": "phone", "country": "keep", "is_staff": "keep", "created_at": "keep", "last_login": "keep"}},
  "sessions": {"columns": {
    "id": "keep", "user_id": "keep", "ip": "ip", "created_at": "keep", "expires_at": "keep"}},
  "orders": {"columns": {
    "id": "keep", "user_id": "keep", "status": "keep", "currency": "keep", "created_at": "keep"}},
  "order_lines": {"columns": {
    "id": "keep", "order_id": "keep", "line_no": "keep", "quantity": "keep", "description": "null"}},
  "audit_log": {"columns": {
    "id": "keep", "user_id": "keep", "action": "keep", "ip": "ip",
    "details": {"json": {"keep": ["kind", "version"]}}, "created_at": "keep"}}
}
EOF
cat >"$dir/to_schema.sql" <<EOF
\\set allowlist \`cat $dir/allowlist.json\`
SELECT count(*) FROM scrub_to_schema(:'allowlist');
EOF
chmod 0644 "$dir/allowlist.json" "$dir/to_schema.sql"
out=$dir/out
mkdir "$out"
[ "$(id -u)" -eq 0 ] && chown postgres "$out"

# --- measuring -----------------------------------------------------------------

has_jobs=no
"$pgbin/scrub-dump" --help 2>&1 | grep -q -- '--jobs' && has_jobs=yes

# The pids of the backends connected to database $1.
backends_of() {
    local pid cmd
    for pid in $(pgrep -P "$postmaster" || true); do
        cmd=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") || continue
        case $cmd in "postgres: postgres $1 "*) echo "$pid" ;; esac
    done
}

# Peak memory of the backends connected to database $1, until killed:
# writes "max VmHWM kB, max RssAnon kB" to $2 at every poll.
poll_backends() {  # database file
    local db=$1 file=$2 hwm=0 anon=0 pid h a
    while :; do
        for pid in $(backends_of "$db"); do
            read -r h a < <(awk '/^VmHWM:/ {h = $2} /^RssAnon:/ {a = $2} END {print h + 0, a + 0}' \
                "/proc/$pid/status" 2>/dev/null) || continue
            [ "$h" -gt "$hwm" ] && hwm=$h
            [ "$a" -gt "$anon" ] && anon=$a
        done
        echo "$hwm $anon" >"$file.tmp" && mv -f "$file.tmp" "$file"
        sleep 0.05
    done
}

# Runs a command as postgres and appends one line to $out/results:
# variant seconds client_kB backend_hwm_kB backend_anon_kB wal_bytes output_bytes
measure() {  # variant source-db served-db output-path command...
    local variant=$1 src=$2 served=$3 path=$4
    shift 4
    local lsn0 t0 t1 wal size
    lsn0=$(value postgres "SELECT pg_current_wal_lsn()")
    echo "0 0" >"$out/backend"
    poll_backends "$served" "$out/backend" &
    poller=$!
    t0=$EPOCHREALTIME
    if ! /usr/bin/time -f %M -o "$out/client" "${run_as[@]}" "$@" >"$out/stdout" 2>"$out/stderr"; then
        kill "$poller"; poller=
        echo "$variant failed:" >&2
        cat "$out/stderr" >&2
        exit 1
    fi
    t1=$EPOCHREALTIME
    # The backends outlive their clients briefly: wait for them to be gone.
    for _ in $(seq 100); do
        backends_of "$served" | grep -q . || backends_of "$src" | grep -q . || break
        sleep 0.1
    done
    kill "$poller"; wait "$poller" 2>/dev/null || true; poller=
    wal=$(value postgres "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '$lsn0')")
    size=$(du -sb "$path" 2>/dev/null | cut -f1)
    echo "$variant $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }') $(tail -1 "$out/client") \
$(cat "$out/backend") $wal ${size:-0}" >>"$out/results"
}

# The scratch schema a scrub-dump or scrub_to_schema() left in the source
# is dropped before pg_dump runs again (untimed), so that every pg_dump
# dumps the same database.
drop_scratch() {
    psql_ "$1" -c "SET client_min_messages = warning" -c "DROP SCHEMA IF EXISTS scrubbed CASCADE"
}

dump_variants() {  # source-db
    local db=$1 conn="host=$dir port=$port dbname=$1"
    local sd=("$pgbin/scrub-dump" -d "$conn")
    drop_scratch "$db"
    measure pg_dump "$db" "$db" "$out/plain.sql" "$pgbin/pg_dump" -d "$conn" -f "$out/plain.sql"
    rm -rf "$out/dir"
    measure pg_dump_j2 "$db" "$db" "$out/dir" "$pgbin/pg_dump" -d "$conn" -Fd -j 2 -f "$out/dir"
    measure scrub_dump "$db" "$db" "$out/scrub.sql" "${sd[@]}" -a "$dir/allowlist.json" -o "$out/scrub.sql"
    if [ "$(value "$db" "SELECT to_regnamespace('scrubbed') IS NOT NULL")" = t ]; then
        echo scratch >"$out/path"
    else
        echo streaming >"$out/path"
    fi
    drop_scratch "$db"
    if [ "$has_jobs" = yes ]; then
        measure scrub_dump_j2 "$db" "$db" "$out/scrub2.sql" "${sd[@]}" -a "$dir/allowlist.json" --jobs 2 \
            -o "$out/scrub2.sql"
        drop_scratch "$db"
    fi
    measure from_schema "$db" "$db" "$out/from.sql" bash -c '
        set -e
        "$1/psql" -X -q -v ON_ERROR_STOP=1 -d "$2" -f "$3" >/dev/null
        "$1/scrub-dump" -d "$2" --from-schema -o "$4"' \
        from_schema "$pgbin" "$conn" "$dir/to_schema.sql" "$out/from.sql"
    drop_scratch "$db"
}

restore_variants() {
    local db
    for db in r_psql r_scrub; do
        psql_ postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $db"
        as_postgres "$pgbin/createdb" "$db"
    done
    measure psql_restore r_psql r_psql "$out/plain.sql" \
        "$pgbin/psql" -X -q -1 -v ON_ERROR_STOP=1 -d "host=$dir port=$port dbname=r_psql" -f "$out/plain.sql"
    measure scrub_restore r_scrub r_scrub "$out/scrub.sql" \
        "$pgbin/scrub-restore" -d "host=$dir port=$port dbname=r_scrub" "$out/scrub.sql"
    for db in r_psql r_scrub; do psql_ postgres -c "DROP DATABASE $db"; done
}

median() { sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
field() {  # variant column(2..7): the median of that column
    awk -v v="$1" -v c="$2" '$1 == v {print $c}' "$out/results" | median
}

source_rows() {
    value "$1" "SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM sessions) + (SELECT count(*) FROM orders)
                     + (SELECT count(*) FROM order_lines) + (SELECT count(*) FROM audit_log)"
}

# --- compare -----------------------------------------------------------------

host_line() {
    echo "host: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)," \
        "$(awk '/MemTotal/ {printf "%.0f GB", $2 / 1048576}' /proc/meminfo) RAM; $("$pgbin/postgres" --version)"
}

# --- profile -----------------------------------------------------------------

# One scrub-dump -a run, three times over the same database:
# 1. its steps, timed from a bash -x trace of the script (each `run` of a
#    psql, pg_dump or pg_restore is a step; "sync" is fsync and rename),
#    with pg_stat_statements (track = all, so the statements a function
#    runs count too) and pg_stat_wal over the run;
# 2. under `perf record -g` attached to the postmaster (every backend it
#    forks is followed): where the backends' CPU time goes;
# 3. under `strace -f -c`: the client's system calls.
profile() {
    local conn="host=$dir port=$port dbname=src" t0
    local sd=("$pgbin/scrub-dump" -d "$conn" -a "$dir/allowlist.json" -o "$out/scrub.sql")
    echo "generating the source database at SCALE=$scale" >&2
    generate src "$scale"
    psql_ src -c "CREATE EXTENSION pg_stat_statements"
    echo "SCALE=$scale: $(source_rows src) rows, database $(value src "SELECT pg_size_pretty(pg_database_size('src'))"); $(host_line)"
    echo
    drop_scratch src
    psql_ src -c "SELECT pg_stat_statements_reset(), pg_stat_reset_shared('wal')" >/dev/null
    if head -1 "$pgbin/scrub-dump" | grep -q bash; then
        t0=$EPOCHREALTIME
        as_postgres env PS4='+ $EPOCHREALTIME ' bash -x "${sd[@]}" 2>"$out/trace"
        echo "steps of scrub-dump -a (bash -x trace; total $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }') s):"
        echo
        echo "| step | s |"
        echo "|---|---:|"
        # The outermost script's lines have one "+"; a step starts at a
        # run, or at the final sync.
        awk -v end="$EPOCHREALTIME" '
            /^\+ [0-9.]+ (run|sync) / {
                what = $3 == "sync" ? "fsync and rename" : $4
                f = ""; for (i = 4; i <= NF; i++) if ($i == "-f") f = $(i + 1)
                if (f != "") what = what " -f " f
                for (i = 4; i <= NF; i++) if ($i ~ /^--(schema-only|section=|list)/) what = what " " $i
                if ($3 == "sync" && seen_sync) next
                if ($3 == "sync") seen_sync = 1
                n++; start[n] = $2; step[n] = what
            }
            END {
                start[n + 1] = end
                for (i = 1; i <= n; i++) {
                    gsub(/\/[^ ]*\//, "", step[i])
                    printf "| %s | %.2f |\n", step[i], start[i + 1] - start[i]
                }
            }' "$out/trace"
    else
        t0=$EPOCHREALTIME
        as_postgres "${sd[@]}"
        echo "scrub-dump -a took $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }') s (not a bash script: no step timing)"
    fi
    echo
    echo "statements over 1% of the run's server time (pg_stat_statements, track = all):"
    echo
    value src "SELECT '| ' || replace(regexp_replace(left(query, 90), '\s+', ' ', 'g'), '|', '\|') || ' | ' || calls
                      || ' | ' || round((total_exec_time / 1000)::numeric, 2) || ' | ' || rows || ' | '
                      || pg_size_pretty(wal_bytes) || ' | ' || round(shared_blks_hit + shared_blks_read) || ' |'
                 FROM pg_stat_statements
                WHERE total_exec_time > 0.01 * (SELECT sum(total_exec_time) FROM pg_stat_statements WHERE toplevel)
                ORDER BY total_exec_time DESC" | sed '1i | statement (first 90 characters) | calls | s | rows | WAL | blocks touched |\n|---|---:|---:|---:|---:|---:|'
    echo
    echo "WAL over the run (pg_stat_wal): $(value src "SELECT wal_records || ' records, ' || wal_fpi || ' full-page images, '
        || pg_size_pretty(wal_bytes) || ', write ' || round(wal_write_time::numeric / 1000, 2) || ' s, sync '
        || round(wal_sync_time::numeric / 1000, 2) || ' s' FROM pg_stat_wal")"
    echo
    drop_scratch src
    if command -v perf >/dev/null; then
        perf record -q -g -o "$out/perf.data" -p "$postmaster" 2>"$out/perf.err" &
        local perf_pid=$!
        sleep 1
        t0=$EPOCHREALTIME
        as_postgres "${sd[@]}" 2>/dev/null
        echo "under perf record: $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }') s"
        kill -INT "$perf_pid"; wait "$perf_pid" || true
        echo
        echo "backends' CPU samples by function, self time over 1% (perf report --no-children):"
        echo
        perf report -i "$out/perf.data" --no-children --stdio --sort dso,sym --percent-limit 1 2>/dev/null |
            grep -E '^ +[0-9.]+%' | sed 's/^/    /' | head -40
        echo
        echo "by object:"
        perf report -i "$out/perf.data" --no-children --stdio --sort dso --percent-limit 1 2>/dev/null |
            grep -E '^ +[0-9.]+%' | sed 's/^/    /' | head -10
        echo
    fi
    drop_scratch src
    if command -v strace >/dev/null; then
        t0=$EPOCHREALTIME
        as_postgres strace -f -c -o "$out/strace" "${sd[@]}" 2>/dev/null
        echo "client system calls (strace -f -c, all processes of scrub-dump; $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }') s under strace):"
        echo
        head -20 "$out/strace" | sed 's/^/    /'
    fi
    drop_scratch src
}

if [ "$mode" = profile ]; then
    profile | tee "${OUT:-/dev/null}"
    exit 0
fi

if [ "$mode" = compare ]; then
    echo "generating the source database at SCALE=$scale" >&2
    t0=$EPOCHREALTIME
    generate src "$scale"
    rows=$(source_rows src)
    dbsize=$(value src "SELECT pg_size_pretty(pg_database_size('src'))")
    echo "generated in $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }') s: $rows rows, $dbsize" >&2
    value src "SELECT c.relname || ': ' || c.reltuples::bigint || ' rows, ' || pg_size_pretty(pg_total_relation_size(c.oid))
                 FROM pg_class AS c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
                 ORDER BY c.relname" >"$out/tables"
    : >"$out/results"
    for round in $(seq "$repeats"); do
        echo "round $round of $repeats" >&2
        dump_variants src
        restore_variants
    done

    base=$(field pg_dump 2)
    path=$(cat "$out/path")
    {
        echo "SCALE=$scale: $rows rows in 5 tables, database $dbsize; median of $repeats runs; $(host_line)"
        sed 's/^/  /' "$out/tables"
        echo
        echo "| variant | s | vs pg_dump | rows/s | client peak RSS MB | backend VmHWM MB | backend RssAnon MB | WAL MB | output MB |"
        echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
        for v in pg_dump pg_dump_j2 scrub_dump scrub_dump_j2 from_schema psql_restore scrub_restore; do
            case $v in
            pg_dump) label='`pg_dump` (plain, to a file)' ;;
            pg_dump_j2) label='`pg_dump -Fd -j 2`' ;;
            scrub_dump) label="\`scrub-dump -a\` ($path)" ;;
            scrub_dump_j2) label='`scrub-dump -a --jobs 2`' ;;
            from_schema) label='`scrub_to_schema()` + `scrub-dump --from-schema`' ;;
            psql_restore) label='`psql -1 -f` of the plain dump' ;;
            scrub_restore) label='`scrub-restore` of the artifact' ;;
            esac
            if ! grep -q "^$v " "$out/results"; then
                echo "| $label | n/a | n/a | n/a | n/a | n/a | n/a | n/a | n/a |"
                continue
            fi
            awk -v l="$label" -v s="$(field "$v" 2)" -v b="$base" -v r="$rows" -v c="$(field "$v" 3)" \
                -v h="$(field "$v" 4)" -v a="$(field "$v" 5)" -v w="$(field "$v" 6)" \
                -v o="$(field "$v" 7)" 'BEGIN {
                printf "| %s | %.2f | %.2f | %.0f | %.1f | %.1f | %.1f | %.1f | %.1f |\n",
                    l, s, s / b, r / s, c / 1024, h / 1024, a / 1024, w / 1048576, o / 1048576 }'
        done
        echo
        awk -v a="$(field scrub_restore 2)" -v b="$(field psql_restore 2)" \
            'BEGIN { printf "scrub-restore / psql -1 -f: %.2f\n", a / b }'
        echo "all runs (variant s client_kB backend_hwm_kB backend_anon_kB wal_bytes output_bytes):"
        sed 's/^/  /' "$out/results"
    } | tee "${OUT:-/dev/null}"
    exit 0
fi

# --- memory ------------------------------------------------------------------

big=$(awk -v s="$scale" 'BEGIN { print s * 10 }')
: >"$out/results"
for s in "$scale" "$big"; do
    db=src_${s//./_}
    echo "generating $db at SCALE=$s" >&2
    generate "$db" "$s"
    echo "$db $(source_rows "$db")" >>"$out/rows"
    measure "$db" "$db" "$db" "$out/scrub.sql" "$pgbin/scrub-dump" -d "host=$dir port=$port dbname=$db" \
        -a "$dir/allowlist.json" -o "$out/scrub.sql"
    psql_ postgres -c "DROP DATABASE $db WITH (FORCE)"
done
{
    echo "scrub-dump -a at SCALE=$scale and SCALE=$big; $(host_line)"
    echo
    echo "| SCALE | rows | s | client peak RSS MB | backend VmHWM MB | backend RssAnon MB | WAL MB |"
    echo "|---:|---:|---:|---:|---:|---:|---:|"
    for s in "$scale" "$big"; do
        db=src_${s//./_}
        awk -v s="$s" -v db="$db" -v r="$(awk -v d="$db" '$1 == d {print $2}' "$out/rows")" '
            $1 == db { printf "| %s | %d | %.2f | %.1f | %.1f | %.1f | %.1f |\n",
                       s, r, $2, $3 / 1024, $4 / 1024, $5 / 1024, $6 / 1048576 }' "$out/results"
    done
    echo
    awk 'NR == 1 {c = $3; h = $4; a = $5} NR == 2 {
        printf "growth for 10x the rows: client %+.1f%%, backend VmHWM %+.1f%%, backend RssAnon %+.1f%%\n",
               ($3 / c - 1) * 100, ($4 / h - 1) * 100, ($5 / a - 1) * 100 }' "$out/results"
} | tee "${OUT:-/dev/null}"
