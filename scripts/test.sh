#!/usr/bin/env bash
# Run the whole test suite (ctest: C++ unit tests, CLI tests, example smoke tests).
# Usage: ./scripts/test.sh [extra ctest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${BUILD_DIR:-build}
if [ ! -x "$build_dir/nnfield" ]; then
  echo "test: $build_dir/nnfield not found; run ./scripts/setup.sh first" >&2
  exit 1
fi
cmake --build "$build_dir" -j"$(nproc)"
cd "$build_dir"
ctest --output-on-failure -j"$(nproc)" --timeout 900 "$@"
