#!/usr/bin/env bash
# Mistyped subcommands and options: one line naming the nearest valid name, exit 2,
# before any other complaint (a missing -o, a missing model file).
# Usage: suggestions.sh NNFIELD_EXE
set -uo pipefail
exe=$1
source "$(dirname "${BASH_SOURCE[0]}")/checks.sh"
cd "$work"
# says EXPECTED_LINE ARGS...: nnfield ARGS exits 2 with exactly that one line on stderr.
says() {
  local expected=$1; shift
  "$exe" "$@" > out.txt 2> err.txt; local code=$?
  check "nnfield $*: '$expected'" "[ $code = 2 ] && [ \"\$(cat err.txt)\" = \"$expected\" ] && [ ! -s out.txt ]"
}
says "nnfield: unknown command 'rn', did you mean 'run'?" rn
says "nnfield: unknown command 'valdiate', did you mean 'validate'?" valdiate m.toml
says "nnfield: unknown command 'inof', did you mean 'info'?" inof x.h5
says "nnfield: unknown command 'frobnicate'; see nnfield --help" frobnicate
says "nnfield: run: unknown option '--forse', did you mean '--force'?" run m.toml --forse
says "nnfield: run: unknown option '--FORCE', did you mean '--force'?" run m.toml -o x.h5 --FORCE
says "nnfield: correlate: unknown option '--conected', did you mean '--connected'?" correlate r.h5 -o c.h5 --conected
says "nnfield: ensemble: unknown option '--seed', did you mean '--seeds'?" ensemble m.toml --seed=0:4 -o e.h5
says "nnfield: run: unknown option '--frobnicate'; see nnfield run --help" run m.toml --frobnicate
says "nnfield: run: unknown option '-z' (in '-qz'); see nnfield run --help" run m.toml -qz
says "nnfield: unknown option '--hlep', did you mean '--help'?" --hlep
# Values are not options: a negative number, a --set value, an -o name starting with '-'.
"$exe" propagate missing.toml --c0 -0.5 -o p.h5 2> err.txt
check "a negative value is not taken for an option" "grep -q 'missing.toml' err.txt"
"$exe" validate missing.toml --set "run.title=--forse" 2> err.txt
check "a --set value is not taken for an option" "grep -q 'missing.toml' err.txt"
# CLI11's own errors are one line too.
"$exe" > out.txt 2> err.txt; code=$?
check "no command: exit 2, one line" "[ $code = 2 ] && [ \$(wc -l < err.txt) = 1 ]"
"$exe" run m.toml 2> err.txt; code=$?
check "missing -o: exit 2, one line naming --output" "[ $code = 2 ] && [ \$(wc -l < err.txt) = 1 ] && grep -q -- '--output' err.txt"
summary
