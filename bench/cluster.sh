# Sourced by the benchmarks (copy_overhead.sh, generators.sh,
# rules_cost.sh, leak_check.sh), as root: starts a throwaway cluster as
# the postgres OS user, with socket and data in a temporary directory,
# and removes both when the script exits. Set before sourcing:
#   port      the port to listen on
#   settings  server options for pg_ctl -o, e.g. "-c shared_buffers=1GB"
# Defines dir (the temporary directory, for the script's own files too),
# pgbin, pg (runs a command as postgres), psql_ (psql on the cluster's
# postgres database, stopping at the first error) and median (of numbers
# on stdin, one a line), and writes the hash key file $dir/scrub.key
# (for scrub.key_file). Needs the extension installed (make install).
pgbin=${PGBIN:-$(pg_config --bindir)}  # or a private copy of PostgreSQL
dir=$(mktemp -d /tmp/scrub-bench.XXXXXX)
chown postgres "$dir"
pg() { runuser -u postgres -- "$@"; }
cleanup() { pg "$pgbin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true; rm -rf "$dir"; }
trap cleanup EXIT

pg "$pgbin/initdb" -D "$dir/data" >/dev/null
# The hash key, in a file only the server's OS user can read.
printf 'benchmark-key-0123456789abcdef' >"$dir/scrub.key"
chown postgres "$dir/scrub.key"
chmod 600 "$dir/scrub.key"
pg "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/log" -o "-p $port -k $dir $settings" -w start >/dev/null
psql_() { pg "$pgbin/psql" -X -q -h "$dir" -p "$port" -d postgres -v ON_ERROR_STOP=1 "$@"; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
