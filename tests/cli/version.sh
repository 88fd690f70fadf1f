#!/usr/bin/env bash
# `nnfield --version`: the version of project(nnfield VERSION ...) on the first line, then
# the git hash the binary was built from and how it was built; the Python module's
# __version__ is the same version.
# Usage: version.sh NNFIELD_EXE SOURCE_DIR PROJECT_VERSION PYTHON_MODULE_DIR|none
set -uo pipefail
exe=$1 src=$2 version=$3 module_dir=$4
source "$(dirname "${BASH_SOURCE[0]}")/checks.sh"

"$exe" --version > "$work/version.txt" 2> "$work/version.err"
check "--version exits 0" "[ $? -eq 0 ]"
check "--version writes nothing on stderr" "[ ! -s $work/version.err ]"
check "first line: nnfield $version" "[ \"\$(head -1 $work/version.txt)\" = \"nnfield $version\" ]"
check "the version is project(nnfield VERSION ...) of CMakeLists.txt" \
      "grep -q '^project(nnfield VERSION $version ' $src/CMakeLists.txt"
line() { sed -n "s/^$1: //p" "$work/version.txt"; }
# The commit the binary was built from: one of this repository's (HEAD may have moved on
# since the build), 12 hex digits, "-dirty" when tracked files differed.
if git -C "$src" rev-parse HEAD > /dev/null 2>&1; then
  built=$(line git)
  check "git: a commit of the source tree ($built)" \
        "[[ \$built =~ ^[0-9a-f]{12}(-dirty)?\$ ]] && git -C $src cat-file -e \${built%-dirty}^{commit}"
else
  check "git: unknown outside a git checkout" "[ \"\$(line git)\" = unknown ]"
fi
check "build type given" "[ -n \"\$(line 'build type')\" ]"
check "compiler given" "[[ \"\$(line compiler)\" == gcc* || \"\$(line compiler)\" == clang* ]]"
check "march=native yes or no, as the flags say" \
      "[[ ( \"\$(line march=native)\" == yes && \"\$(line flags)\" == *-march=native* ) || ( \"\$(line march=native)\" == no && \"\$(line flags)\" != *-march=native* ) ]]"
check "sanitizers none or listed, as the flags say" \
      "[[ ( \"\$(line sanitizers)\" == none && \"\$(line flags)\" != *-fsanitize* ) || \"\$(line flags)\" == *-fsanitize=\$(line sanitizers)* ]]"
check "flags given" "[ -n \"\$(line flags)\" ]"
check "--version with a subcommand's options still exits 0" "\"$exe\" --version run > /dev/null"

if [ "$module_dir" != none ]; then
  module_version=$(PYTHONPATH="$module_dir" /usr/bin/python3 -c 'import nnfield; print(nnfield.__version__)')
  check "nnfield.__version__ = $version" "[ \"$module_version\" = \"$version\" ]"
else
  echo "skip: no Python module in this build"
fi
summary
