#!/usr/bin/env bash
# The API write path at the default configuration (issue 12): `wrk` POSTs
# vulnerabilities, each with a name no other request uses (so each is a real
# write that makes a notification), to a release `herald serve` on a fresh
# database, and this prints the rate, the latency percentiles and the CPU
# that herald (and PostgreSQL) spent per request.
#
#   bench/api_write_bench.sh sqlite|postgres [--seconds=10] [--connections=8] [--threads=8]
#
# SQLite is a file in a temp directory; PostgreSQL a private cluster started
# with scripts/pg_cluster.sh (or HERALD_TEST_POSTGRES, whose public schema
# is dropped first). Needs build/release/herald and Debian's wrk.
set -euo pipefail
cd "$(dirname "$0")/.."
store=${1:?sqlite or postgres}
shift
seconds=10 connections=8 threads=8
for arg in "$@"; do
  case $arg in
    --seconds=*) seconds=${arg#*=} ;;
    --connections=*) connections=${arg#*=} ;;
    --threads=*) threads=${arg#*=} ;;
    *) echo "unknown option $arg" >&2; exit 2 ;;
  esac
done
herald=build/release/herald
[ -x "$herald" ] || { echo "build it first: cmake --build --preset release --target herald" >&2; exit 1; }
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }

work=$(mktemp -d /tmp/herald-write-bench.XXXXXX)
pg_dir=""
herald_pid=""
cleanup() {
  [ -n "$herald_pid" ] && kill "$herald_pid" 2>/dev/null && wait "$herald_pid" 2>/dev/null || true
  [ -n "$pg_dir" ] && bash scripts/pg_cluster.sh stop "$pg_dir"
  rm -rf "$work"
}
trap cleanup EXIT

case $store in
  sqlite) database=$work/herald.db ;;
  postgres)
    if [ -n "${HERALD_TEST_POSTGRES:-}" ]; then
      database=$HERALD_TEST_POSTGRES
      psql "$database" -q -v ON_ERROR_STOP=1 \
        -c "SET client_min_messages = warning; DROP SCHEMA public CASCADE; CREATE SCHEMA public;"
    else
      pg_dir=$work/pg
      database=$(bash scripts/pg_cluster.sh start "$pg_dir")
    fi ;;
  *) echo "store must be sqlite or postgres" >&2; exit 2 ;;
esac

port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
health=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$herald" serve --database "$database" --api-port "$port" --health-port "$health" \
  --log-level warn >"$work/herald.log" 2>&1 &
herald_pid=$!
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$health/health" >/dev/null && break
  sleep 0.1  # polling for readiness: the server has no other way to say so
done
curl -sf "http://127.0.0.1:$health/health" >/dev/null || { cat "$work/herald.log"; exit 1; }

ticks() { awk '{print $14 + $15}' "/proc/$1/stat" 2>/dev/null || echo 0; }
postgres_ticks() {
  local total=0
  for p in $(pgrep -u postgres postgres || true); do total=$((total + $(ticks "$p"))); done
  echo $total
}
h0=$(ticks $herald_pid) p0=$(postgres_ticks)
wrk -t"$threads" -c"$connections" -d"${seconds}s" --latency \
  -s bench/wrk/post_vulnerabilities.lua "http://127.0.0.1:$port" >"$work/wrk.out" 2>&1
h1=$(ticks $herald_pid) p1=$(postgres_ticks)
hz=$(getconf CLK_TCK)

requests=$(awk '/requests in/ {print $1}' "$work/wrk.out")
rate=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.out")
errors=$(awk '/Non-2xx/ {print $NF}' "$work/wrk.out")
echo "store=$store connections=$connections seconds=$seconds"
grep -E '^ +(50|75|90|99)%' "$work/wrk.out" | sed 's/^ */latency p/'
echo "requests $requests, $rate/s, non-2xx ${errors:-0}"
echo "herald CPU per request: $(( (h1 - h0) * 1000000 / hz / requests )) us"
[ "$store" = postgres ] && echo "PostgreSQL CPU per request: $(( (p1 - p0) * 1000000 / hz / requests )) us"
grep -iE "error|warn" "$work/herald.log" | head -3 || true
