#!/usr/bin/env bash
# One measurement, both lattices: the correlator observer written for network runs also
# measures a field run on its own grid. The in-run correlators of models/field_coarse.toml
# must equal those `nnfield correlate` computes afterwards from the run file's
# /trajectory/phi, to the last bit; the field run still refuses observe.lagrangian.
# Usage: field_correlators.sh NNFIELD_EXE SOURCE_DIR
set -uo pipefail
exe=$1 src=$2
source "$(dirname "${BASH_SOURCE[0]}")/checks.sh"
cd "$src"

"$exe" run models/field_coarse.toml -o "$work/run.h5" -q --set 'observe.correlators=["width","depth","xi"]'
check "field run with correlators exits 0" "[ $? -eq 0 ]"
"$exe" correlate "$work/run.h5" -o "$work/offline.h5" --only width,depth,xi,layer_mean 2> "$work/err.txt"
check "nnfield correlate reads the field run" "[ $? -eq 0 ]"
/usr/bin/python3 - "$work/run.h5" "$work/offline.h5" <<'PY'
import sys, h5py, numpy as np
run, off = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
nx, ny = int(run.attrs["nx"]), int(run.attrs["ny"])
assert run["correlators/width"].shape[1:] == (nx, ny), run["correlators/width"].shape
for name in ["width", "depth", "xi", "layer_mean"]:
    a, b = run["correlators/" + name][()], off["correlators/" + name][()]
    assert a.shape == b.shape and np.array_equal(a, b), name
print("in-run field correlators equal the offline ones bitwise")
PY
check "in-run correlators of a field run equal nnfield correlate's" "[ $? -eq 0 ]"
"$exe" run models/field_coarse.toml -o "$work/lag.h5" -q --set observe.lagrangian=true 2> "$work/lag.txt"
code=$?
check "a field run refuses observe.lagrangian with exit 2 and one line" \
  "[ $code -eq 2 ] && [ \$(wc -l < '$work/lag.txt') -eq 1 ] && grep -q 'observe.lagrangian' '$work/lag.txt' && [ ! -e '$work/lag.h5' ]"
summary
