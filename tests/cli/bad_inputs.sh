#!/usr/bin/env bash
# Hostile and mistaken inputs (issue 13): each fails fast with one line on stderr and
# its documented status (README, "Exit status"), never a crash, a hang or a silent
# success. Every command runs under `timeout`, so a hang fails the test instead of
# blocking it.
# Usage: bad_inputs.sh NNFIELD_EXE SOURCE_DIR
set -uo pipefail
exe=$1 src=$2
source "$(dirname "${BASH_SOURCE[0]}")/checks.sh"
model="$src/models/teacher_tanh.toml"
# Keys a run does not read are refused (config_applicability.cpp), so the cases that switch
# the data or the initial state use models with nothing else set.
py=/usr/bin/python3

# --- crashes: nesting and length limits -------------------------------------------------
$py -c "print('[' + '.'.join(['a'] * 100000) + ']')" > "$work/tables.toml"
expect 2 "100 000 nested tables" "$exe" validate "$work/tables.toml"
check "nested tables: says how deep" "grep -q 'nested deeper than' '$work/err'"
$py -c "print('x = ' + '[' * 50000 + ']' * 50000)" > "$work/arrays.toml"
expect 2 "50 000 nested arrays" "$exe" validate "$work/arrays.toml"
$py -c "print('x = ' + '{a = ' * 50000 + '1' + '}' * 50000)" > "$work/inline.toml"
expect 2 "50 000 nested inline tables" "$exe" validate "$work/inline.toml"
sum=$($py -c "print('+'.join(['x'] * 50000))")
expect 2 "--set with a 50 000-term expression" "$exe" validate "$model" --set "continuum.phi=\"$sum\""
check "long expression: names the key" "grep -q \"key 'continuum.phi'\" '$work/err'"
parens=$($py -c "print('(' * 20000 + 'x' + ')' * 20000)")
expect 2 "--set with 20 000 nested parentheses" "$exe" validate "$model" --set "continuum.phi=\"$parens\""
parens=$($py -c "print('(' * 3000 + 'x' + ')' * 3000)")
expect 2 "--set with 3 000 nested parentheses" "$exe" validate "$model" --set "continuum.phi=\"$parens\""
check "nested parentheses: says how deep" "grep -q 'nested deeper than 64' '$work/err'"

$py -c "print('[init.smooth]\nmodes = [' + ', '.join(['{ field = \"phi\", kx = 1, amplitude = 0.1 }'] * 5000) + ']')" \
  > "$work/modes.toml"
expect 2 "5 000 smooth-field modes" "$exe" validate "$work/modes.toml"
check "modes: says how many" "grep -q 'init.smooth.modes has 5000 entries (at most 4096)' '$work/err'"

# --- hangs: a huge unknown key, pipes -----------------------------------------------------
$py -c "print('[network]\n' + 'a' * 1000000 + ' = 1')" > "$work/longkey.toml"
expect 2 "1 MB unknown key" "$exe" validate "$work/longkey.toml"
check "1 MB key: message is short" "[ \$(wc -c < '$work/err') -lt 400 ]"
printf '[network]\nM = 8\nN = 32\n' > "$work/plain.toml"
printf '[network]\nM = 8\nN = 32\n[data]\nsource = "file"\n[dynamics]\nkind = "sgd"\n' > "$work/file.toml"
mkfifo "$work/fifo"
expect 2 "FIFO as the model" "$exe" validate "$work/fifo"
expect 2 "FIFO as data.file" "$exe" validate "$work/file.toml" --set "data.file=\"$work/fifo\""
check "FIFO data file: named" "grep -q 'not a regular file' '$work/err'"
expect 2 "FIFO as init.file" "$exe" run "$work/plain.toml" -o "$work/fifo_init.h5" --set 'init.kind="file"' \
  --set "init.file=\"$work/fifo\""
check "FIFO init file: named" "grep -q 'not a regular file' '$work/err'"
check "FIFO init file: no output" "[ ! -e '$work/fifo_init.h5' ]"

# --- exit 0 on nonsense -------------------------------------------------------------------
mkdir "$work/dir.toml"
expect 2 "a directory as the model" "$exe" validate "$work/dir.toml"
: > "$work/empty.toml"
expect 2 "an empty model file" "$exe" run "$work/empty.toml" -o "$work/empty.h5"
check "empty model: points at nnfield keys" "grep -q 'empty model file; .nnfield keys. lists the keys' '$work/err'"
expect 2 "-o \"\"" "$exe" run "$model" -o "" --set dynamics.t_end=0.1
for bad in "log(x-1)" "1/(x-x)" "exp(1000*(x+1))"; do
  expect 2 "continuum.phi = $bad" "$exe" validate "$src/models/continuum_network.toml" --set "continuum.phi=\"$bad\""
  check "$bad: names the point" "grep -q 'is not finite: .* at x = ' '$work/err'"
done
expect 2 "a non-finite field refuses the run before any output" "$exe" run "$src/models/continuum_network.toml" \
  -o "$work/nonfinite.h5" --set 'continuum.c="log(-1)"'
check "non-finite field: no output" "[ ! -e '$work/nonfinite.h5' ]"

# validate opens the data file: wrong width, and a dataset declared (1e9, 32, 3) whose
# shape is refused from the metadata without reading it.
$py - "$work" <<'PY'
import sys, h5py, numpy as np
with h5py.File(sys.argv[1] + "/narrow.h5", "w") as f:
    f["X"] = np.zeros((4, 7)); f["Y"] = np.zeros((4, 7))
with h5py.File(sys.argv[1] + "/huge.h5", "w") as f:
    f.create_dataset("X", shape=(10**9, 32, 3), chunks=(1, 32, 3), dtype="f8")
    f.create_dataset("Y", shape=(10**9, 32, 3), chunks=(1, 32, 3), dtype="f8")
with h5py.File(sys.argv[1] + "/many.h5", "w") as f:
    f.create_dataset("X", shape=(5 * 10**6, 32), chunks=(1, 32), dtype="f8")
    f.create_dataset("Y", shape=(5 * 10**6, 32), chunks=(1, 32), dtype="f8")
with h5py.File(sys.argv[1] + "/nan.h5", "w") as f:
    x = np.zeros((4, 32)); x[2, 5] = np.nan
    f["X"] = x; f["Y"] = np.zeros((4, 32))
PY
expect 2 "validate: data file of the wrong width" "$exe" validate "$work/file.toml" \
  --set "data.file=\"$work/narrow.h5\""
expect 2 "validate: data file declared (1e9, 32, 3)" "$exe" validate "$work/file.toml" \
  --set "data.file=\"$work/huge.h5\""
check "declared shape named" "grep -q '(1000000000,32,3)' '$work/err'"
expect 5 "validate: a data file too large for --max-memory" "$exe" validate "$work/file.toml" \
  --set "data.file=\"$work/many.h5\"" --max-memory 1G
check "large data file: named with its samples" "grep -q 'data.file with 5000000 samples' '$work/err'"
expect 2 "validate: data file with a NaN" "$exe" validate "$work/file.toml" --set "data.file=\"$work/nan.h5\""

# --- resources: refused up front, naming the keys (a fixed budget: not machine-dependent) --
expect 5 "M = N = 1e4 over --max-memory 1G" "$exe" run "$model" -o "$work/big.h5" --max-memory 1G \
  --set network.M=10000 --set network.N=10000
check "memory: names the keys" "grep -q 'network.M = 10000, network.N = 10000' '$work/err'"
check "memory: nothing written" "[ ! -e '$work/big.h5' ]"
expect 5 "validate: the same estimate" "$exe" validate "$model" --max-memory 1G --set network.M=10000 \
  --set network.N=10000
expect 2 "ensemble --seeds 0:1000000000" "$exe" ensemble "$model" --seeds 0:1000000000 -o "$work/ens.h5"
expect 5 "propagate: 1.6e7 networks x 64 sigma_w over --max-memory 1G" "$exe" propagate \
  "$src/models/depth_scale_tanh.toml" --networks 16000000 --sigma-w 0.5:2:64 --max-memory 1G -o "$work/prop.h5"
check "propagate estimate: names --networks" "grep -q -- '--networks 16000000' '$work/err'"
check "propagate estimate: nothing written" "[ ! -e '$work/prop.h5' ]"
expect 5 "propagate: a network too wide for --max-memory 1G" "$exe" propagate "$src/models/depth_scale_tanh.toml" \
  --set network.N=1000000 --max-memory 1G -o "$work/prop.h5"
check "propagate estimate: names network.N" "grep -q 'network.N = 1000000' '$work/err'"

# --- data loss: the output is never an input ----------------------------------------------
cp "$model" "$work/model.toml"
cp "$work/model.toml" "$work/model.orig"
expect 2 "output = model file, --force" "$exe" run "$work/model.toml" -o "$work/model.toml" --force
check "model file intact" "cmp -s '$work/model.toml' '$work/model.orig'"
ln "$work/model.toml" "$work/hardlink.h5"
expect 2 "output = model file under another name, --force" "$exe" run "$work/model.toml" -o "$work/hardlink.h5" --force
check "model file intact (hard link)" "cmp -s '$work/model.toml' '$work/model.orig'"
"$exe" run "$model" -o "$work/run.h5" --progress off --set dynamics.t_end=0.5 2> /dev/null
cp "$work/run.h5" "$work/run.orig"
expect 2 "correlate run.h5 -o run.h5 --force" "$exe" correlate "$work/run.h5" -o "$work/run.h5" --force
check "run file intact" "cmp -s '$work/run.h5' '$work/run.orig'"
# A second writer of one path is refused while the first holds the lock (held here by
# flock(1) on the lock file nnfield uses).
flock "$work/.locked.h5.lock" timeout 5 "$exe" run "$model" -o "$work/locked.h5" --progress off \
  --set dynamics.t_end=0.1 2> "$work/err"; code=$?
check "second writer refused (exit 4, got $code)" "[ $code -eq 4 ] && grep -q 'being written by another process' '$work/err'"
check "second writer: nothing written" "[ ! -e '$work/locked.h5' ]"
"$exe" run "$model" -o "$work/locked.h5" --progress off --set dynamics.t_end=0.1 2> /dev/null; code=$?
check "lock released after a run: a later writer proceeds" "[ $code -eq 0 ] && [ ! -e '$work/.locked.h5.lock' ]"
check "no temporary files left" "[ -z \"\$(ls -A '$work' | grep '\\.tmp\$')\" ]"

# --- std::bad_alloc is a one-line exit 5, not exit 1 with the library's text ---------------
if [ -z "$(ldd "$exe" 2> /dev/null | grep asan)" ]; then  # ASan reserves more address space than any limit
  (ulimit -v 1000000; timeout 5 "$exe" run "$model" -o "$work/oom.h5" --no-resource-check --progress off \
    --set network.M=20000 --set network.N=20000 > /dev/null 2> "$work/err"); code=$?
  check "bad_alloc: exit 5 (got $code)" "[ $code -eq 5 ] && [ \$(wc -l < '$work/err') -eq 1 ]"
  check "bad_alloc: says out of memory" "grep -q 'out of memory' '$work/err'"
fi

summary
