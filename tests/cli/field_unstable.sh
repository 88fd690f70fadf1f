#!/usr/bin/env bash
# A field model the stability check refuses (SPEC 4.3): `validate` and `run` exit 2 with
# one line naming the file and the worst depth, and write no output; `run --allow-unstable`
# integrates it anyway. Usage: field_unstable.sh EXE MODEL
set -u
exe=$1
model=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$exe" validate "$model" >"$work/out" 2>"$work/err"
[ $? -eq 2 ] || fail "validate: expected exit 2"
[ "$(wc -l <"$work/err")" -eq 1 ] || fail "validate: expected one line on stderr"
grep -q "$model: field: the stability check refuses form \"midpoint\"" "$work/err" || fail "validate: message: $(cat "$work/err")"
grep -q "allow-unstable" "$work/err" || fail "validate: no hint"

"$exe" run "$model" -o "$work/run.h5" -q 2>"$work/err"
[ $? -eq 2 ] || fail "run: expected exit 2"
[ -e "$work/run.h5" ] && fail "run: wrote an output file"

"$exe" run "$model" -o "$work/run.h5" -q --allow-unstable || fail "run --allow-unstable failed"
[ -s "$work/run.h5" ] || fail "run --allow-unstable: no output"
echo "ok"
