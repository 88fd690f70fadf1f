# Sourced by the CLI test scripts: a scratch directory $work, removed on exit;
# `check NAME CONDITION` evaluates CONDITION, prints "ok: NAME" or "FAIL: NAME" and
# counts; `summary` prints the counts and fails if any check failed (end a script with it).
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0 passed=0
check() { if eval "$2"; then echo "ok: $1"; passed=$((passed+1)); else echo "FAIL: $1"; failures=$((failures+1)); fi; }
summary() { echo "$passed passed, $failures failed"; [ "$failures" -eq 0 ]; }
