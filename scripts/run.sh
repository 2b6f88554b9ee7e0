#!/usr/bin/env bash
# Installs what Herald needs, builds the release preset and runs
# `herald serve` on the embedded SQLite default (./herald.db, API on 6060,
# health on 6061). Extra arguments go to `herald serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
cmake --preset release
cmake --build --preset release --target herald
exec ./build/herald serve "$@"
