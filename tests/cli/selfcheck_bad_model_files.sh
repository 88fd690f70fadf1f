#!/usr/bin/env bash
# Runs bad_model_files.sh without the nnfield program: builds a tiny stand-in in a
# temporary directory that does what `nnfield validate FILE` does on a bad file
# (print "nnfield: <ConfigError::what()>" to stderr, exit 2), from the config sources
# alone. Useful while the CLI is being written, and to tell a config bug from a CLI bug.
#
# Usage: selfcheck_bad_model_files.sh [SOURCES...]
#   SOURCES provide activation_*/loss_* name functions (default: src/core/activation.cpp
#   src/core/loss.cpp). Needs g++ and toml++ (Debian: libtomlplusplus-dev).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
if [ $# -eq 0 ]; then
  set -- "$root/src/core/activation.cpp" "$root/src/core/loss.cpp"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cat >"$work/driver.cpp" <<'CPP'
#include <cstring>
#include <iostream>

#include "nnfield/config.hpp"

int main(int argc, char** argv) {
  if (argc != 3 || std::strcmp(argv[1], "validate") != 0) {
    std::cerr << "usage: driver validate FILE\n";
    return 64;
  }
  try {
    nnfield::load_model_file(argv[2]);
  } catch (const nnfield::ConfigError& e) {
    std::cerr << "nnfield: " << e.what() << "\n";
    return 2;
  }
  return 0;
}
CPP

g++ -std=c++17 -O1 -DTOML_HEADER_ONLY=0 -DTOML_SHARED_LIB=1 -I"$root/include" -I"$root/src" \
    "$work/driver.cpp" "$root"/src/config*.cpp "$@" -ltomlplusplus -o "$work/nnfield"

bash "$here/bad_model_files.sh" "$work/nnfield" "$root/tests/models_bad"
