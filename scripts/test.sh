#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite with ctest.
# --sanitize builds into ./build-sanitize with AddressSanitizer + UndefinedBehaviorSanitizer instead.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/deps.sh --test
if [ "${1:-}" = "--sanitize" ]; then
  shift
  export BUILD_DIR=build-sanitize BUILD_TYPE=Debug
  export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1" UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
  ./scripts/build.sh -DARAYIS_SANITIZE=ON
else
  export BUILD_DIR=build
  ./scripts/build.sh -DARAYIS_SANITIZE=OFF
fi
cd "$BUILD_DIR"
ctest --output-on-failure -j"$(nproc)" "$@"
