#!/usr/bin/env bash
# A private PostgreSQL 15 cluster for the test suites: initdb into a temp
# directory, owned by an unprivileged user (postgres when run as root),
# listening only on a Unix socket in that directory, on a random port.
#
#   scripts/pg_cluster.sh start DIR    init + serve; prints the libpq conninfo
#   scripts/pg_cluster.sh init DIR     initdb only; prints the conninfo
#   scripts/pg_cluster.sh serve DIR    starts the server of an initialised DIR
#   scripts/pg_cluster.sh restart DIR  fast restart (connections are cut)
#   scripts/pg_cluster.sh crash DIR    kill -9 of the server, then start (crash recovery)
#   scripts/pg_cluster.sh stop DIR     stops the server and removes DIR
set -euo pipefail

bin=/usr/lib/postgresql/15/bin
cmd=${1:?usage: pg_cluster.sh start|init|serve|restart|crash|stop DIR}
dir=${2:?usage: pg_cluster.sh start|init|serve|restart|crash|stop DIR}

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

conninfo() { echo "host=$dir port=$(cat "$dir/port") user=postgres dbname=postgres"; }

init() {
  mkdir -p "$dir"
  if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$dir"; fi
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' >"$dir/port"
  as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; exit 1; }
}

serve() {
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/data/server.log" -w -t 60 \
    -o "-c listen_addresses='' -c unix_socket_directories='$dir' -p $(cat "$dir/port") -c max_connections=200 -c shared_buffers=256MB" \
    start >/dev/null || { cat "$dir/data/server.log" >&2; exit 1; }
}

case "$cmd" in
  start) init; serve; conninfo ;;
  init) init; conninfo ;;
  serve) serve ;;
  restart) as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 restart >/dev/null ;;
  crash)
    pid=$(head -1 "$dir/data/postmaster.pid")
    kill -9 "$pid"
    while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
    # Its backends exit once they notice the postmaster is gone; the new
    # server waits for the shared memory they hold, then recovers from WAL.
    for _ in $(seq 1 100); do
      serve 2>/dev/null && exit 0
      sleep 0.2
    done
    serve
    ;;
  stop)
    if [ -d "$dir/data" ]; then
      as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  *) echo "usage: pg_cluster.sh start|init|serve|restart|crash|stop DIR" >&2; exit 2 ;;
esac
