#!/usr/bin/env bash
# Installs what Herald needs, builds, and runs every test:
#   1. the dev build: unit tests, the integration tests that drive the real
#      build/herald binary over HTTP, the multi-process PostgreSQL tests and
#      the crash-consistency runs (tests/chaos: kill -9 of herald and of
#      PostgreSQL mid-backlog);
#   2. the unit tests again under AddressSanitizer + UndefinedBehaviorSanitizer;
#   3. the unit tests (the engine, the stores, the receivers) under
#      ThreadSanitizer;
#   4. every libFuzzer target for 25 s (scripts/fuzz.sh; clang, ASan+UBSan);
#   and, after the dev tests, the Debian package installed and removed for
#   real (tests/package/test_deb.sh, as root).
# The store and integration suites run against SQLite and against a private
# PostgreSQL 15 cluster this script starts (Unix socket in a temp directory,
# random port) and removes on exit; the receiver conformance suite
# (tests/receivers) against a private RabbitMQ node it starts the same way
# (scripts/rabbitmq_node.sh: own node name, free loopback ports, data in a
# temp directory, run as an unprivileged user).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

pg_dir=$(mktemp -d /tmp/herald-pg.XXXXXX)
rmdir "$pg_dir"
rabbit_dir=$(mktemp -d /tmp/herald-rabbitmq.XXXXXX)
trap 'bash scripts/pg_cluster.sh stop "$pg_dir"; bash scripts/rabbitmq_node.sh remove "$rabbit_dir"' EXIT
echo "== private PostgreSQL cluster in $pg_dir"
HERALD_TEST_POSTGRES=$(bash scripts/pg_cluster.sh start "$pg_dir")
export HERALD_TEST_POSTGRES
echo "== private RabbitMQ node in $rabbit_dir"
bash scripts/rabbitmq_node.sh start "$rabbit_dir"
export HERALD_TEST_RABBITMQ=$rabbit_dir



jobs=$(nproc 2>/dev/null || echo 2)
started=$(date +%s)

# Each tree is built once from scratch here, where unity batches of
# herald_core halve the compile time (HERALD_UNITY in CMakeLists.txt).
echo "== dev build"
cmake --preset dev -DHERALD_UNITY=ON
cmake --build --preset dev -j "$jobs"

echo "== unit and integration tests (dev)"
ctest --preset dev -j "$jobs"

echo "== the Debian package: dpkg -i, its unit's command, dpkg -r (needs root)"
bash tests/package/test_deb.sh build/dev

echo "== unit tests under ASan+UBSan"
cmake --preset asan -DHERALD_UNITY=ON
cmake --build --preset asan -j "$jobs" --target herald_unit_tests
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --preset asan -j "$jobs" -L unit

echo "== unit tests under ThreadSanitizer"
cmake --preset tsan -DHERALD_UNITY=ON
cmake --build --preset tsan -j "$jobs" --target herald_unit_tests
TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 ctest --preset tsan -j "$jobs" -L unit

echo "== fuzzing, 25 s per target"
bash scripts/fuzz.sh 25

echo "== all suites passed in $(( $(date +%s) - started )) s"
