#!/usr/bin/env bash
# Malformed model files: `EXE validate FILE` must reject each one the way a user needs:
# exit status 2, nothing on stdout, and exactly one line on stderr that names the file
# and contains the text after "# expect: " on the file's first line.
#
# Usage: bad_model_files.sh EXE DIR
set -u

if [ $# -ne 2 ]; then
  echo "usage: $0 EXE DIR" >&2
  exit 64
fi
exe=$1
dir=$2

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

passed=0
failed=0
shopt -s nullglob
files=("$dir"/*.toml)
if [ ${#files[@]} -eq 0 ]; then
  echo "no model files in $dir" >&2
  exit 1
fi

for file in "${files[@]}"; do
  name=$(basename "$file")
  first=$(head -n 1 "$file")
  expect=${first#\# expect: }
  problems=()
  if [ "$expect" = "$first" ] || [ -z "$expect" ]; then
    problems+=("first line is not '# expect: <message fragment>'")
  else
    "$exe" validate "$file" >"$work/out" 2>"$work/err"
    status=$?
    [ "$status" -eq 2 ] || problems+=("exit status $status, expected 2")
    [ -s "$work/out" ] && problems+=("wrote to stdout")
    # Count lines, including a last line without its newline.
    lines=$(awk 'END { print NR }' "$work/err")
    [ "$lines" -eq 1 ] || problems+=("stderr has $lines lines, expected 1")
    grep -qF -- "$expect" "$work/err" || problems+=("stderr lacks: $expect")
    grep -qF -- "$name" "$work/err" || problems+=("stderr does not name the file")
  fi
  if [ ${#problems[@]} -eq 0 ]; then
    echo "ok   $name"
    passed=$((passed + 1))
  else
    echo "FAIL $name"
    for p in "${problems[@]}"; do echo "     $p"; done
    [ -f "$work/err" ] && sed 's/^/     stderr: /' "$work/err"
    failed=$((failed + 1))
  fi
  rm -f "$work/out" "$work/err"
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
