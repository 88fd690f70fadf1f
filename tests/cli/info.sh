#!/usr/bin/env bash
# nnfield info on every kind of file: run, field run, ensemble, propagate scan,
# correlators, compare, the two input formats; a file still "running", integer-typed
# attributes and dimension scales (as newer writers store them); and bad files: missing,
# a directory, not HDF5, HDF5 but not nnfield's (one line, exit 2).
# Usage: info.sh NNFIELD_EXE SOURCE_DIR
set -uo pipefail
exe=$1 src=$2
py=/usr/bin/python3
source "$(dirname "${BASH_SOURCE[0]}")/checks.sh"
cd "$work"
m="$src/models"
"$exe" run "$m/teacher_tanh.toml" -o run.h5 -q --set dynamics.t_end=1
"$exe" run "$m/field_coarse.toml" -o field.h5 -q --set dynamics.t_end=0.2
"$exe" ensemble "$m/ensemble_teacher.toml" --seeds 0:2 --threads 1 -o ens.h5 -q
"$exe" propagate "$m/depth_scale_tanh.toml" --networks 4 --sigma-w 1:1.5:2 --threads 1 -o prop.h5 -q
"$exe" correlate run.h5 -o corr.h5 -q
"$exe" compare "$m/compare_small.toml" --levels 2 --orders 1 -o conv.h5 -q

info() {  # info FILE: nnfield info's stdout in FILE.txt, stderr in FILE.err, status in $code
  "$exe" info "$1" > "$1.txt" 2> "$1.err"; code=$?
}
has() { grep -qF -- "$2" "$1.txt"; }

info run.h5
check "run: exit 0, kind" "[ $code = 0 ] && head -1 run.h5.txt | grep -qx 'run.h5: run'"
check "run: status, provenance" "has run.h5 'status:     complete' && has run.h5 'nnfield:    0.1' && has run.h5 'git ' && has run.h5 'teacher-student, tanh, damped' && has run.h5 'seed:       1' && has run.h5 'created:'"
check "run: last time and final loss" "has run.h5 'last time:  t = 1 (' && grep -Eq 'final loss: [0-9.e+-]+$' run.h5.txt"
check "run: datasets with shapes" "grep -Eq '^ +/trajectory/W +\([0-9]+, 8, 32, 3\) +T,M,N,K$' run.h5.txt"
info field.h5
check "field run: kind and last time" "head -1 field.h5.txt | grep -qx 'field.h5: field run' && has field.h5 't = 0.2 (' && has field.h5 '/grid/x'"
info ens.h5
check "ensemble: kind, loss" "head -1 ens.h5.txt | grep -qx 'ens.h5: ensemble' && has ens.h5 'final loss:' && has ens.h5 '/seeds/final_loss'"
info prop.h5
check "propagate: kind, datasets" "head -1 prop.h5.txt | grep -qx 'prop.h5: propagate scan' && has prop.h5 '/mean_field/xi_c' && ! has prop.h5 'final loss'"
info corr.h5
check "correlators: kind, source" "head -1 corr.h5.txt | grep -qx 'corr.h5: correlators' && has corr.h5 'source run: run.h5 (phi, status complete)'"
info conv.h5
check "compare: kind, verdicts" "head -1 conv.h5.txt | grep -q 'conv.h5: compare' && has conv.h5 'verdict:    verdict.p1_r2: ' && has conv.h5 'self_convergence_verdict'"

# Inputs, a file whose writer never closed it, and newer attribute storage: integers as
# integers, and dimension scales (axes), which info names as axes, not as data.
$py - <<'PY'
import h5py, numpy as np, shutil
with h5py.File("init.h5", "w") as f:
    f["W"] = np.zeros((2, 8, 3)); f["b"] = np.zeros((2, 8))
with h5py.File("data.h5", "w") as f:
    f["X"] = np.zeros((4, 8)); f["Y"] = np.zeros((4, 8))
shutil.copy("run.h5", "running.h5")
with h5py.File("running.h5", "a") as f:
    f.attrs["status"] = "running"
    del f.attrs["finished"]
shutil.copy("run.h5", "interrupted.h5")
with h5py.File("interrupted.h5", "a") as f:
    f.attrs["status"] = "interrupted"
shutil.copy("run.h5", "typed.h5")
with h5py.File("typed.h5", "a") as f:
    f.attrs["M"] = np.int64(8)
    f.attrs["seed"] = np.int32(77)
with h5py.File("foreign.h5", "w") as f:
    f["x"] = np.zeros(3)
PY
info init.h5
check "initial state file" "[ $code = 0 ] && head -1 init.h5.txt | grep -q 'init.h5: initial state' && has init.h5 '/W'"
info data.h5
check "data file" "[ $code = 0 ] && head -1 data.h5.txt | grep -q 'data.h5: data' && has data.h5 '/Y'"
info running.h5
check "running file: status says so" "[ $code = 0 ] && has running.h5 'status:     running (' && has running.h5 'finished (not yet)'"
info interrupted.h5
check "interrupted file: status says so" "[ $code = 0 ] && has interrupted.h5 'status:     interrupted'"
info typed.h5
check "integer attributes read" "[ $code = 0 ] && has typed.h5 'seed:       77'"
# Run files carry their own dimension scales (the root coordinate /time; docs/output-schema.md).
check "dimension scale shown as an axis, not as data" "has typed.h5 'axes:' && grep -Eq 'axes: *.*/time( |,|$)' typed.h5.txt && ! grep -Eq '^ +/time ' typed.h5.txt"

echo "not hdf5" > text.h5
mkdir dir.h5
for bad in missing.h5 dir.h5 text.h5 foreign.h5; do
  info "$bad"
  check "bad file $bad: exit 2, one line naming it, nothing on stdout" \
    "[ $code = 2 ] && [ \$(wc -l < '$bad.err') = 1 ] && grep -q '$bad' '$bad.err' && [ ! -s '$bad.txt' ]"
done
check "foreign HDF5: says not an nnfield file" "grep -q 'not an nnfield file' foreign.h5.err"
check "directory: says so" "grep -q 'is a directory' dir.h5.err"
"$exe" info > /dev/null 2> noarg.err; code=$?
check "no file: exit 2" "[ $code = 2 ]"
summary
