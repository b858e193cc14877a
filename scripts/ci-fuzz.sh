#!/usr/bin/env bash
# CI: builds the libFuzzer targets (clang, ASan + UBSan) in build-fuzz and runs each for a
# short bounded time with a seed corpus from the sample timeline; prints the executions.
# FUZZ_SECONDS (default 20) per target, from a fixed FUZZ_SEED (default 1) so that a CI
# failure replays the same way; long runs with fresh seeds find new inputs (fuzz/README.md).
# A crash fails the script (exit 1) and leaves the input in build-fuzz/fuzz-artifacts/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup
SECONDS_PER_TARGET=${FUZZ_SECONDS:-20}
SEED=${FUZZ_SEED:-1}
BUILD=${FUZZ_BUILD_DIR:-build-fuzz}
CC=${FUZZ_CC:-clang} CXX=${FUZZ_CXX:-clang++} cmake -S . -B "$BUILD" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DANNALS_FUZZ=ON -DANNALS_SANITIZE=ON \
  -DANNALS_WERROR=ON -DANNALS_BUILD_TESTS=OFF -DANNALS_BUILD_BENCHMARKS=OFF \
  -DANNALS_BUILD_EXAMPLES=OFF >/dev/null
cmake --build "$BUILD" -j"${JOBS:-2}" --target fuzzers

work="$BUILD/fuzz-work"
rm -rf "$work"
mkdir -p "$work/event_json" "$work/fuzzy_date" "$work/stored_event" "$work/server_message" \
         "$BUILD/fuzz-artifacts"
i=0
while IFS= read -r line; do
  printf '%s' "$line" > "$work/event_json/seed-$i"
  i=$((i + 1))
done < examples/apple-intelligence-cn.jsonl
while IFS= read -r d; do
  printf '%s' "$d" > "$work/fuzzy_date/seed-$(printf '%s' "$d" | md5sum | cut -c1-8)"
done < fuzz/seeds/dates.txt
printf '\x00\x00' > "$work/stored_event/seed-mutate"
# Append messages (what a client sends) made by the target itself from the sample files.
ANNALS_FUZZ_SEEDS="$work/server_message" "$BUILD/fuzz/server_message_fuzz"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
status=0
for target in event_json fuzzy_date stored_event server_message; do
  log="$BUILD/fuzz-$target.log"
  extra=()
  [ "$target" = event_json ] && extra+=(-dict=fuzz/json.dict)
  [ "$target" = fuzzy_date ] && extra+=(-dict=fuzz/fuzzy_date.dict)
  if "$BUILD/fuzz/${target}_fuzz" "$work/$target" -max_total_time="$SECONDS_PER_TARGET" -seed="$SEED" \
       -artifact_prefix="$BUILD/fuzz-artifacts/$target-" -print_final_stats=1 \
       "${extra[@]}" >"$log" 2>&1; then
    execs=$(grep -m1 'stat::number_of_executed_units' "$log" | awk '{print $2}')
    echo "fuzz: ${target}_fuzz ok: ${execs:-?} executions in ${SECONDS_PER_TARGET}s"
  else
    echo "fuzz: ${target}_fuzz FAILED (see $log; input in $BUILD/fuzz-artifacts/)" >&2
    tail -40 "$log" >&2
    status=1
  fi
done
exit $status
