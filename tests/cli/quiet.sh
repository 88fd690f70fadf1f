#!/usr/bin/env bash
# -q/--quiet on every command: progress, notes and summaries go away, errors still print,
# and the output a command exists to print (keys, validate --print, info, completion) stays.
# Usage: quiet.sh NNFIELD_EXE SOURCE_DIR
set -uo pipefail
exe=$1 src=$2
source "$(dirname "${BASH_SOURCE[0]}")/checks.sh"
cd "$work"
m="$src/models"
# quiet NAME ARGS...: the command with -q writes nothing on stdout or stderr and exits 0;
# without -q (and --progress plain where it has a progress display) it says something.
quiet() {
  local name=$1; shift
  "$exe" "$@" -q --force > q.out 2> q.err; local code=$?
  check "$name -q: exit 0, silent" "[ $code = 0 ] && [ ! -s q.out ] && [ ! -s q.err ]"
  "$exe" "$@" --force > loud.out 2> loud.err
  check "$name without -q: says something" "[ -s loud.out ] || [ -s loud.err ]"
}
quiet run run "$m/teacher_tanh.toml" -o run.h5 --set dynamics.t_end=1 --progress plain
quiet correlate correlate run.h5 -o corr.h5
quiet ensemble ensemble "$m/ensemble_teacher.toml" --seeds 0:2 --threads 1 -o ens.h5 --progress plain
quiet propagate propagate "$m/depth_scale_tanh.toml" --networks 4 --sigma-w 1:1.5:2 --threads 1 -o prop.h5
quiet compare compare "$m/compare_small.toml" --levels 2 --orders 1 -o conv.h5

"$exe" validate "$m/teacher_tanh.toml" --quiet > v.out 2> v.err; code=$?
check "validate --quiet: exit 0, silent" "[ $code = 0 ] && [ ! -s v.out ] && [ ! -s v.err ]"
check "validate without -q: says ok" "'$exe' validate '$m/teacher_tanh.toml' | grep -q ': ok$'"
check "validate --print -q: still prints the configuration" \
  "'$exe' validate '$m/teacher_tanh.toml' --print -q | grep -q '^\[network\]'"
# same_output NAME ARGS...: ARGS with -q print the same, non-empty, as without, exit 0.
same_output() {
  local name=$1; shift
  "$exe" "$@" -q > q.out 2> q.err; local code=$?
  "$exe" "$@" > loud.out 2> /dev/null
  check "$name -q: its output, unchanged" "[ $code = 0 ] && [ -s q.out ] && [ ! -s q.err ] && cmp -s q.out loud.out"
}
same_output keys keys
same_output info info run.h5
same_output completion completion bash

# Errors are not progress: they print with -q.
for cmd in run validate ensemble propagate compare; do
  "$exe" $cmd missing.toml -q -o out.h5 > /dev/null 2> err.txt; code=$?
  [ $cmd = validate ] && { "$exe" validate missing.toml -q > /dev/null 2> err.txt; code=$?; }
  check "$cmd -q on a missing model: exit 2, the error printed" "[ $code = 2 ] && grep -q 'missing.toml' err.txt"
done
"$exe" correlate missing.h5 -o c.h5 -q 2> err.txt; code=$?
check "correlate -q on a missing run: exit 2, the error printed" "[ $code = 2 ] && grep -q 'missing.h5' err.txt"
"$exe" info missing.h5 -q 2> err.txt; code=$?
check "info -q on a missing file: exit 2, the error printed" "[ $code = 2 ] && grep -q 'missing.h5' err.txt"
summary
