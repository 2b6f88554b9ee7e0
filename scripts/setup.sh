#!/usr/bin/env bash
# Installs every Debian package Herald's build, tests and benchmarks need.
# Idempotent: packages already present are not fetched again, and apt's index
# is refreshed only when something is missing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config clang-format librabbitmq-dev rabbitmq-server
  libboost-dev libcurl4-openssl-dev libpq-dev libsqlite3-dev libssl-dev
  nlohmann-json3-dev rapidjson-dev libyaml-cpp-dev libspdlog-dev libfmt-dev libcli11-dev
  prometheus-cpp-dev libgtest-dev libgmock-dev libbenchmark-dev
  libarchive-dev librpm-dev libisal-dev libxml2-dev
  postgresql-15 openssl curl python3 python3-jsonschema wrk
  chromium chromium-driver python3-selenium
  rpm db5.3-util isal zstd bzip2 xz-utils
  faketime clang-14 libclang-rt-14-dev
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
echo "setup: installing ${missing[*]}"
"${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
