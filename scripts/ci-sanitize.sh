#!/usr/bin/env bash
# CI: the whole test suite under AddressSanitizer + UndefinedBehaviorSanitizer, warnings as
# errors, in build-asan (clang if installed, else gcc).  Benchmarks are not built.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup
BUILD=${ASAN_BUILD_DIR:-build-asan}
if command -v clang++ >/dev/null; then
  export CC=${ASAN_CC:-clang} CXX=${ASAN_CXX:-clang++}
fi
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DANNALS_SANITIZE=ON \
  -DANNALS_WERROR=ON -DANNALS_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build "$BUILD" -j"${JOBS:-2}"
# Leaks are checked (LSan); a UBSan finding stops the test (-fno-sanitize-recover).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
cd "$BUILD"
ctest --output-on-failure -j"${JOBS:-2}" --timeout 1500
