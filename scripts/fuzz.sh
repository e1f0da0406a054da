#!/usr/bin/env bash
# Builds the libFuzzer harnesses with clang (ASan + UBSan) into ./build-fuzz and runs each for SECONDS
# (default 60) from the seed corpora in tests/fuzz/corpus; fails on any crash, leak or sanitizer report.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
./scripts/deps.sh --fuzz
CC=clang cmake -S . -B build-fuzz -DARAYIS_FUZZ=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build-fuzz -j"$(nproc)" >/dev/null
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
for name in application csv sigcheck codes; do
  work=$(mktemp -d)
  cp -r "tests/fuzz/corpus/$name/." "$work/"
  echo "== fuzz_$name: ${seconds}s"
  ./build-fuzz/tests/fuzz/fuzz_"$name" -max_total_time="$seconds" -max_len=65536 -timeout=10 \
    -artifact_prefix="build-fuzz/crash-$name-" "$work" 2>&1 | grep -E "^#[0-9]+ +DONE|Done [0-9]+ runs|ERROR|SUMMARY" || true
  rm -rf "$work"
  if ls build-fuzz/crash-"$name"-* >/dev/null 2>&1; then
    echo "fuzz_$name found a crash: build-fuzz/crash-$name-*" >&2
    exit 1
  fi
done
echo "fuzzing: 4 passed, 0 failed"
