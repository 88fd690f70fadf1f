#!/usr/bin/env bash
# Run the whole test suite (ctest: C++ unit tests, CLI tests, the fuzz harness, golden outputs,
# example smoke tests, lint, pytest).
# Usage: ./scripts/test.sh [extra ctest arguments]
#        ./scripts/test.sh --sanitize [extra ctest arguments]
#          configures and builds build-sanitize/ (AddressSanitizer + UBSan, warnings as errors,
#          no benchmarks) and runs the suite there, fuzz harness included; golden outputs are
#          skipped on that build (they are fingerprints of the default build's rounding).
# Environment: BUILD_DIR (default: build, or build-sanitize with --sanitize).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${1:-}" = "--sanitize" ]; then
  shift
  build_dir=${BUILD_DIR:-build-sanitize}
  cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=Release -DPYTHON_EXECUTABLE=/usr/bin/python3 \
    -DNNFIELD_SANITIZE=ON -DNNFIELD_BENCH=OFF -DNNFIELD_WERROR=ON > /dev/null
else
  build_dir=${BUILD_DIR:-build}
  if [ ! -x "$build_dir/nnfield" ]; then
    echo "test: $build_dir/nnfield not found; run ./scripts/setup.sh first" >&2
    exit 1
  fi
fi
cmake --build "$build_dir" -j"$(nproc)"
cd "$build_dir"
ctest --output-on-failure -j"$(nproc)" --timeout 900 "$@"
