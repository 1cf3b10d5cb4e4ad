#!/usr/bin/env bash
# Sets up, builds and runs every test: unit and differential tests, the
# end-to-end suite against the real binary, then the sanitizer build's tests
# (ASan+UBSan, warnings as errors) and each fuzzer for a bounded time.
# SKIP_SANITIZE=1 / SKIP_FUZZ=1 leave those parts out for a quick local run.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

echo "== build (RelWithDebInfo, -Werror)"
BUILD_DIR=build scripts/build.sh -DOTELHOUSE_WERROR=ON
echo "== tests"
ctest --test-dir build --output-on-failure -j2 --timeout 900

if [ "${SKIP_SANITIZE:-0}" != 1 ]; then
  echo "== sanitizer build (ASan+UBSan) and unit tests"
  BUILD_DIR=build-asan BUILD_TYPE=Debug scripts/build.sh -DOTELHOUSE_WERROR=ON -DOTELHOUSE_SANITIZE=ON
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build-asan --output-on-failure -j2 --timeout 900 -E '^e2e$'
fi

if [ "${SKIP_FUZZ:-0}" != 1 ]; then
  echo "== fuzzers (clang, libFuzzer), ${FUZZ_SECONDS:-20}s each"
  CC=clang CXX=clang++ BUILD_DIR=build-fuzz BUILD_TYPE=Debug scripts/build.sh -DOTELHOUSE_FUZZ=ON
  for f in build-fuzz/fuzz/*_fuzz; do
    name=$(basename "$f" _fuzz)
    corpus=fuzz/corpus/$name
    mkdir -p "build-fuzz/corpus-$name"
    echo "-- $name"
    "$f" -max_total_time="${FUZZ_SECONDS:-20}" -print_final_stats=0 "build-fuzz/corpus-$name" "$corpus" 2>&1 | tail -2
  done
fi
echo "all tests passed"
