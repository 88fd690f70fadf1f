# Sourced by the CLI test scripts: a scratch directory $work, removed on exit;
# `check NAME CONDITION` evaluates CONDITION, prints "ok: NAME" or "FAIL: NAME" and
# counts; `expect STATUS NAME COMMAND...` checks a command's exit status and one-line stderr;
# `refused NAME MESSAGE COMMAND...` checks a refusal: exit 2, one line on stderr holding MESSAGE;
# `interrupt PID FILE` sends SIGINT to PID 2 s after FILE appears and waits (30 s at most)
# for it to end, setting $code to its exit status;
# `summary` prints the counts and fails if any check failed (end a script with it).
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0 passed=0
check() { if eval "$2"; then echo "ok: $1"; passed=$((passed+1)); else echo "FAIL: $1"; failures=$((failures+1)); fi; }
# expect STATUS NAME COMMAND...: runs COMMAND (5 s at most), checks the status and that
# stderr ($work/err) is exactly one line.
expect() {
  local want=$1 name=$2
  shift 2
  timeout 5 "$@" > "$work/out" 2> "$work/err"
  local code=$?
  check "$name: exit $want (got $code)" "[ $code -eq $want ]"
  check "$name: one line on stderr" "[ \$(awk 'END { print NR }' '$work/err') -eq 1 ]"
}
refused() {
  local name=$1 message=$2
  shift 2
  expect 2 "$name" "$@"
  check "$name: says '$message'" "grep -qF -- \"\$message\" '$work/err'"
}
interrupt() {
  local pid=$1 file=$2
  for _ in $(seq 1 100); do [ -e "$file" ] && break; sleep 0.1; done
  sleep 2
  kill -INT "$pid"
  for _ in $(seq 1 300); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
  check "interrupted: ends within 30 s of SIGINT" "! kill -0 $pid 2> /dev/null" || kill -KILL "$pid"
  wait "$pid"
  code=$?
}
summary() { echo "$passed passed, $failures failed"; [ "$failures" -eq 0 ]; }
