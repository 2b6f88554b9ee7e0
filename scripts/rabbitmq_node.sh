#!/usr/bin/env bash
# A private RabbitMQ node for the receiver tests and benchmarks (issue 10):
# its own node name, data, logs, Erlang cookie and epmd, all in DIR; AMQP,
# AMQP over TLS and STOMP listening on free loopback ports; run by an
# unprivileged user (rabbitmq when run as root). Nothing of the system's
# RabbitMQ (/etc/rabbitmq, /var/lib/rabbitmq, port 5672) is used.
#
#   scripts/rabbitmq_node.sh start DIR   set up DIR and start; prints KEY=VALUE lines:
#                                        AMQP_PORT, AMQPS_PORT, STOMP_PORT, TLS_DIR
#   scripts/rabbitmq_node.sh serve DIR   start the node of a set-up DIR again
#   scripts/rabbitmq_node.sh stop DIR    stop the node (data kept)
#   scripts/rabbitmq_node.sh kill DIR    kill -9 the node (data kept)
#   scripts/rabbitmq_node.sh ctl DIR ARGS…  rabbitmqctl against the node
#   scripts/rabbitmq_node.sh remove DIR  stop the node, its epmd, and remove DIR
set -euo pipefail

lib=/usr/lib/rabbitmq/bin
cmd=${1:?usage: rabbitmq_node.sh start|serve|stop|kill|ctl|remove DIR}
dir=${2:?usage: rabbitmq_node.sh start|serve|stop|kill|ctl|remove DIR}
shift 2
dir=$(realpath -m "$dir")

owner=$(id -un)
[ "$(id -u)" -eq 0 ] && owner=rabbitmq

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Every variable the node and its CLI read, pointing into DIR.
node_env() {
  # shellcheck disable=SC1091
  . "$dir/ports"
  echo HOME="$dir/home" \
    RABBITMQ_NODENAME="herald-$AMQP_PORT@localhost" \
    RABBITMQ_CONF_ENV_FILE="$dir/rabbitmq-env.conf" \
    RABBITMQ_CONFIG_FILE="$dir/rabbitmq.conf" \
    RABBITMQ_ADVANCED_CONFIG_FILE="$dir/advanced.config" \
    RABBITMQ_ENABLED_PLUGINS_FILE="$dir/enabled_plugins" \
    RABBITMQ_MNESIA_BASE="$dir/mnesia" \
    RABBITMQ_LOG_BASE="$dir/log" \
    RABBITMQ_PID_FILE="$dir/node.pid" \
    RABBITMQ_DIST_PORT="$DIST_PORT" \
    ERL_EPMD_PORT="$EPMD_PORT" \
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="'+S 2:2 +sbwt none +sbwtdcpu none +sbwtdio none'"
}

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    eval runuser -u rabbitmq -- env "$(node_env)" '"$@"'
  else
    eval env "$(node_env)" '"$@"'
  fi
}

# A CA, a server certificate for 127.0.0.1/localhost and a client
# certificate, for amqps with CA and client certificates.
make_tls() {
  local t=$dir/tls
  mkdir -p "$t"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=herald test CA" \
    -keyout "$t/ca.key" -out "$t/ca.pem" 2>/dev/null
  for who in server client; do
    openssl req -newkey rsa:2048 -nodes -subj "/CN=$who" \
      -keyout "$t/$who.key" -out "$t/$who.csr" 2>/dev/null
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' >"$t/$who.ext"
    openssl x509 -req -in "$t/$who.csr" -CA "$t/ca.pem" -CAkey "$t/ca.key" -CAcreateserial \
      -days 2 -extfile "$t/$who.ext" -out "$t/$who.pem" 2>/dev/null
  done
  chmod 0644 "$t"/*
}

setup() {
  mkdir -p "$dir/home" "$dir/mnesia" "$dir/log"
  {
    echo "AMQP_PORT=$(free_port)"
    echo "AMQPS_PORT=$(free_port)"
    echo "STOMP_PORT=$(free_port)"
    echo "DIST_PORT=$(free_port)"
    echo "EPMD_PORT=$(free_port)"
  } >"$dir/ports"
  # shellcheck disable=SC1091
  . "$dir/ports"
  make_tls
  head -c 24 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' >"$dir/home/.erlang.cookie"
  chmod 0400 "$dir/home/.erlang.cookie"
  : >"$dir/rabbitmq-env.conf"
  echo "[]." >"$dir/advanced.config"
  echo "[rabbitmq_stomp]." >"$dir/enabled_plugins"
  cat >"$dir/rabbitmq.conf" <<EOF
listeners.tcp.default = 127.0.0.1:$AMQP_PORT
listeners.ssl.default = 127.0.0.1:$AMQPS_PORT
ssl_options.cacertfile = $dir/tls/ca.pem
ssl_options.certfile = $dir/tls/server.pem
ssl_options.keyfile = $dir/tls/server.key
ssl_options.verify = verify_peer
ssl_options.fail_if_no_peer_cert = true
stomp.listeners.tcp.1 = 127.0.0.1:$STOMP_PORT
loopback_users = none
default_user = guest
default_pass = guest
disk_free_limit.absolute = 1MB
log.console = false
log.file.level = warning
EOF
  if [ "$(id -u)" -eq 0 ]; then chown -R rabbitmq:rabbitmq "$dir"; fi
}

serve() {
  as_owner "$lib/rabbitmq-server" >"$dir/log/stdout.log" 2>&1 &
  # await_startup returns once the node booted, or fails if it never does.
  if ! as_owner timeout 120 "$lib/rabbitmqctl" --timeout 110 wait "$dir/node.pid" >/dev/null 2>&1; then
    cat "$dir/log/stdout.log" >&2
    exit 1
  fi
  as_owner "$lib/rabbitmqctl" await_startup >/dev/null
}

stop_node() {
  [ -f "$dir/ports" ] || return 0
  as_owner "$lib/rabbitmqctl" stop "$dir/node.pid" >/dev/null 2>&1 || true
}

case "$cmd" in
  start)
    setup
    serve
    # shellcheck disable=SC1091
    . "$dir/ports"
    echo "AMQP_PORT=$AMQP_PORT"
    echo "AMQPS_PORT=$AMQPS_PORT"
    echo "STOMP_PORT=$STOMP_PORT"
    echo "TLS_DIR=$dir/tls"
    ;;
  serve) serve ;;
  stop) stop_node ;;
  kill)
    pid=$(cat "$dir/node.pid")
    kill -9 "$pid"
    while kill -0 "$pid" 2>/dev/null; do sleep 0.05; done
    ;;
  ctl) as_owner "$lib/rabbitmqctl" "$@" ;;
  remove)
    stop_node
    if [ -f "$dir/ports" ]; then
      # shellcheck disable=SC1091
      . "$dir/ports"
      pkill -f "epmd.*-port $EPMD_PORT" 2>/dev/null || true
      as_owner epmd -port "$EPMD_PORT" -kill >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  *) echo "unknown command $cmd" >&2; exit 2 ;;
esac
