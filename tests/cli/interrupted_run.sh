#!/usr/bin/env bash
# An interrupted run leaves a readable file: SIGINT and SIGHUP stop cleanly (exit 130,
# status "interrupted"); SIGKILL leaves every flushed row readable.
# Also: a run refuses to overwrite its output without --force, and a blow-up
# (NaN) stops with exit 3 keeping the rows written before.
# Usage: interrupted_run.sh NNFIELD_EXE SOURCE_DIR
set -uo pipefail
exe=$1 src=$2
source "$(dirname "${BASH_SOURCE[0]}")/checks.sh"
model="$src/models/teacher_tanh.toml"
long=(--set dynamics.t_end=1e6 --set output.every=0.05 --set output.flush_every=1 --progress off --no-resource-check)

read_rows() {  # prints the number of readable rows, or fails
  /usr/bin/python3 - "$1" "$2" <<'PY'
import sys, h5py
with h5py.File(sys.argv[1], "r") as f:
    status = f.attrs["status"]
    status = status.decode() if isinstance(status, bytes) else status
    assert status.startswith(sys.argv[2]), status
    n = min(f[k].shape[0] for k in ["trajectory/time", "trajectory/W", "energy/total"])
    assert n >= 1
    f["trajectory/W"][n - 1]
    print(n)
PY
}

wait_for_rows() {
  for _ in $(seq 1 200); do
    [ -s "$1" ] && sleep 0.5 && return 0
    sleep 0.1
  done
  return 1
}

# SIGINT, and SIGHUP (a closed terminal): clean stops, not status "running". The two
# runs go side by side, so that the test waits once.
"$exe" run "$model" -o "$work/int.h5" "${long[@]}" 2> "$work/int.err" &
pid_int=$!
"$exe" run "$model" -o "$work/hup.h5" "${long[@]}" 2> "$work/hup.err" &
pid_hup=$!
wait_for_rows "$work/int.h5"; wait_for_rows "$work/hup.h5"; sleep 1
kill -INT $pid_int; kill -HUP $pid_hup
wait $pid_int; code=$?
wait $pid_hup; code_hup=$?
check "SIGINT exits 130" "[ $code -eq 130 ]"
check "SIGINT message names the file" "grep -q 'int.h5' '$work/int.err'"
check "SIGINT file readable with status interrupted" "read_rows '$work/int.h5' interrupted > /dev/null"
check "SIGHUP exits 130" "[ $code_hup -eq 130 ]"
check "SIGHUP file readable with status interrupted" "read_rows '$work/hup.h5' interrupted > /dev/null"

# SIGKILL: no chance to close; flushed rows must still be readable.
"$exe" run "$model" -o "$work/kill.h5" "${long[@]}" &
pid=$!
wait_for_rows "$work/kill.h5"; sleep 1
kill -KILL $pid; wait $pid 2>/dev/null
check "SIGKILL file readable" "read_rows '$work/kill.h5' running > /dev/null"

# No overwrite without --force.
"$exe" run "$model" -o "$work/int.h5" --progress off 2> "$work/over.err"; code=$?
check "refuses to overwrite (exit 4)" "[ $code -eq 4 ] && grep -q 'force' '$work/over.err'"
"$exe" run "$model" -o "$work/int.h5" --force --progress off --set dynamics.t_end=0.5; code=$?
check "--force overwrites" "[ $code -eq 0 ]"

# A blow-up: SGD with a huge learning rate (a model of its own: the damped model's
# friction, times and integrator keys would not be read by an sgd run, and are refused).
printf '[network]\nM = 8\nN = 32\n[data]\nsource = "random"\nsamples = 4\n[dynamics]\nkind = "sgd"\neta = 1e6\nsteps = 2000\n[output]\nevery_steps = 1\n' > "$work/sgd.toml"
"$exe" run "$work/sgd.toml" -o "$work/nan.h5" --progress off 2> "$work/nan.err"; code=$?
check "NaN blow-up exits 3" "[ $code -eq 3 ]"
check "NaN message is one line naming NaN" "[ \$(wc -l < '$work/nan.err') -eq 1 ] && grep -q 'NaN' '$work/nan.err'"
check "NaN file keeps good rows" "read_rows '$work/nan.h5' failed > /dev/null"

# compare: SIGINT stops its runs and writes nothing (a comparison of a partial set of runs
# would mislead), exit 130 with the reason as the last line.
"$exe" compare "$src/models/field_coarse.toml" -o "$work/conv.h5" > /dev/null 2> "$work/conv.err" &
pid=$!
sleep 1.5
kill -INT $pid
for _ in $(seq 1 300); do kill -0 $pid 2> /dev/null || break; sleep 0.1; done
check "compare stops within 30 s of SIGINT" "! kill -0 $pid 2> /dev/null" || kill -KILL $pid
wait $pid; code=$?
check "compare interrupted exits 130" "[ $code -eq 130 ]"
check "compare interrupted says so" "tail -n 1 '$work/conv.err' | grep -q 'interrupted; no comparison was written'"
check "compare interrupted writes no file" "[ ! -e '$work/conv.h5' ]"

summary
