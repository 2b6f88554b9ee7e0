#!/usr/bin/env bash
# The Debian package of SPEC §10, installed for real (issue 11): builds it in
# the given build folder, installs it with dpkg -i, and checks the files, the
# conffile, `systemd-analyze verify` on the unit, that the unit's ExecStart
# run as the package's user serves /health, and that dpkg -r removes the
# package but leaves /var/lib/herald. Needs root (CI runs as root); it
# changes the machine as installing the package does, and removes it again.
#   tests/package/test_deb.sh build/dev
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:?usage: test_deb.sh BUILD_DIR}

fail() { echo "FAIL: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || fail "installing a package needs root; run as root (CI does)"

echo "-- building the package in $build"
cmake --build "$build" --target package >/dev/null
deb=$(ls "$build"/herald_*_"$(dpkg --print-architecture)".deb)
echo "-- $deb"

if dpkg-query -W -f='${Status}' herald 2>/dev/null | grep -q "install ok installed"; then
  fail "herald is installed already; this test would replace it"
fi
work=$(mktemp -d /tmp/herald-deb.XXXXXX)
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null || true
  dpkg -r herald >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# What the package holds, before installing it.
dpkg-deb --info "$deb" > "$work/info"
grep -q "^ Package: herald$" "$work/info" || fail "not the herald package"
grep -q "^ Depends:.*adduser" "$work/info" || fail "no dependency on adduser"
grep -q "^ Depends:.*libcurl" "$work/info" || fail "shared library dependencies missing"
dpkg-deb --contents "$deb" | awk '{print $6}' | sed 's|^\./|/|' > "$work/files"
for f in /usr/bin/herald /etc/herald/config.yaml /usr/lib/systemd/system/herald.service \
         /usr/share/herald/grafana-dashboard.json /usr/share/doc/herald/README.md \
         /usr/share/doc/herald/operations.md /usr/share/doc/herald/openapi.json; do
  grep -qx "$f" "$work/files" || fail "the package does not hold $f"
done
dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles | grep -qx /etc/herald/config.yaml \
  || fail "/etc/herald/config.yaml is not a conffile"

echo "-- dpkg -i"
dpkg -i "$deb" >/dev/null
test -x /usr/bin/herald || fail "/usr/bin/herald missing after install"
getent passwd herald >/dev/null || fail "no herald user"
[ "$(stat -c %U /var/lib/herald)" = herald ] || fail "/var/lib/herald is not herald's"
/usr/bin/herald check-config --config /etc/herald/config.yaml >/dev/null \
  || fail "the packaged config does not pass check-config"

echo "-- systemd-analyze verify"
unit=/usr/lib/systemd/system/herald.service
systemd-analyze verify "$unit"
for option in "User=herald" "StateDirectory=herald" "ProtectSystem=strict" \
              "NoNewPrivileges=yes" "Restart=on-failure"; do
  grep -qx "$option" "$unit" || fail "the unit lacks $option"
done

echo "-- the unit's ExecStart as the herald user"
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
read -r -a command <<< "$exec_start"
# The packaged ports (6060/6061) may be taken on a developer's machine: the
# same command with the ports moved to free ones.
ports=$(python3 -c 'import socket
s=[socket.socket() for _ in range(2)]
[x.bind(("127.0.0.1",0)) for x in s]
print(" ".join(str(x.getsockname()[1]) for x in s))')
read -r api_port health_port <<< "$ports"
# setpriv execs the command itself (runuser would stay as its parent).
(cd /var/lib/herald && exec setpriv --reuid=herald --regid=herald --init-groups -- "${command[@]}" \
  --api-port "$api_port" --health-port "$health_port" > "$work/serve.log" 2>&1) &
server=$!
healthy=""
for _ in $(seq 1 300); do
  if curl -fsS -o /dev/null "http://127.0.0.1:$health_port/health" 2>/dev/null; then
    healthy=yes
    break
  fi
  kill -0 "$server" 2>/dev/null || break
  sleep 0.1   # polling /health: an observation of the process, not a timing assumption
done
[ -n "$healthy" ] || { cat "$work/serve.log" >&2; fail "ExecStart did not serve /health"; }
[ -f /var/lib/herald/herald.db ] || fail "no SQLite file in the state directory"
[ "$(stat -c %U /var/lib/herald/herald.db)" = herald ] || fail "the database is not herald's"
kill -TERM "$server"
wait "$server" || fail "herald did not stop cleanly on SIGTERM"
server=""

echo "-- dpkg -r"
dpkg -r herald >/dev/null
[ ! -e /usr/bin/herald ] || fail "/usr/bin/herald is still there after dpkg -r"
[ -f /var/lib/herald/herald.db ] || fail "dpkg -r removed the database in /var/lib/herald"
echo "PASS: the Debian package installs, serves as its unit says, and removes cleanly"
