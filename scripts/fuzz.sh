#!/usr/bin/env bash
# Builds the libFuzzer targets (preset `fuzz`, clang) and runs each one for
# SECONDS (default 60), two at a time, starting from the seed corpus in
# tests/fuzz/corpus/<target>. Fails when any target finds a crash, a leak,
# undefined behaviour or a broken invariant; the input that did it is kept
# in build/fuzz/artifacts/ and the run's log in build/fuzz/logs/.
#   bash scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(request_body_fuzz config_fuzz page_token_fuzz http_request_fuzz
           stomp_frame_fuzz json_stream_fuzz version_dpkg_fuzz version_rpm_fuzz version_apk_fuzz)
fi

cmake --preset fuzz > /dev/null
cmake --build --preset fuzz -j "$(nproc 2>/dev/null || echo 2)" --target "${targets[@]}"

out=build/fuzz
rm -rf "$out/logs" "$out/artifacts" "$out/corpus"
mkdir -p "$out/logs" "$out/artifacts"

run_one() {
  local target=$1 seconds=$2 out=$3
  local seeds=tests/fuzz/corpus/${target%_fuzz}
  local corpus=$out/corpus/$target
  mkdir -p "$corpus"
  # New inputs go to the scratch corpus; the seeds in the repo stay as they are.
  if "$out/tests/fuzz/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
       -print_final_stats=1 -artifact_prefix="$out/artifacts/$target-" \
       "$corpus" "$seeds" > "$out/logs/$target.log" 2>&1; then
    echo "fuzz $target: $(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$out/logs/$target.log" \
      | grep -o '[0-9]*$') runs in ${seconds} s, no failure"
  else
    echo "fuzz $target: FAILED; the input is in $out/artifacts/, the log ends:"
    tail -n 40 "$out/logs/$target.log"
    return 1
  fi
}
export -f run_one

printf "%s\n" "${targets[@]}" | xargs -P 2 -I{} bash -c 'run_one "$@"' _ {} "$seconds" "$out"
