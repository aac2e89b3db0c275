#!/usr/bin/env bash
# Cost of the leak check (docs/performance.md, "The leak check"): one
# table of ROWS rows, an integer key kept and four measured columns
# (email, full_name and text with realistic rules, a uuid faked), copied
# by scrub_to_schema; then the same run with every column kept, which
# measures no column. Prints the median of REPEATS runs of each, each
# rolled back, and the load average. The difference is the leak check's
# share (with the rules' own per-row cost, docs/performance.md "Column
# rules against keep").
#
#   sudo bash bench/leak_check.sh [ROWS] [REPEATS] [PGBIN]
#
# Needs the extension installed (make install), or PGBIN of a private
# PostgreSQL (/work/wt/private-pg). Starts a throwaway cluster as the
# postgres OS user on port 56435 and removes it afterwards.
set -euo pipefail
rows=${1:-1000000}
repeats=${2:-3}
PGBIN=${3:-${PGBIN:-}}
port=56435
settings="-c shared_buffers=512MB -c max_wal_size=8GB -c checkpoint_timeout=1h"
. "$(dirname "$0")/cluster.sh"

psql_ <<SQL
CREATE EXTENSION scrub;
CREATE TABLE t (id integer PRIMARY KEY, email text, full_name text, notes text, u uuid);
INSERT INTO t SELECT g, 'user' || g || '@corp.test', 'Person Number ' || g,
       'note ' || md5(g::text) || ' about customer ' || g, md5(g::text)::uuid
  FROM generate_series(1, $rows) g;
VACUUM ANALYZE t;
SQL

# Each run in its own transaction, rolled back; the clock is the server's.
measure() {  # columns object
    psql_ -At <<SQL
BEGIN;
SELECT extract(epoch FROM clock_timestamp()) AS t0 \gset
SELECT count(*) FROM scrub_to_schema('{"t": {"columns": $1}}') \g /dev/null
SELECT round((extract(epoch FROM clock_timestamp()) - :t0) * 1000);
ROLLBACK;
SQL
}
scrubbed='{"id": "keep", "email": "email", "full_name": "full_name", "notes": "text", "u": "fake"}'
kept='{"id": "keep", "email": "keep", "full_name": "keep", "notes": "keep", "u": "keep"}'
echo "rows: $rows, median of $repeats runs; load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| run | ms |"
echo "|---|---:|"
for case in scrubbed kept; do
    spec=${!case}
    measure "$spec" >/dev/null  # warm-up
    ms=$(for _ in $(seq "$repeats"); do measure "$spec"; done | median)
    echo "| $case | $ms |"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
