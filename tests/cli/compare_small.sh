#!/usr/bin/env bash
# nnfield compare on models/compare_small.toml: exit 0, the table on stdout, the
# conv.h5 layout (levels, self-convergence, studies with (L, Q) errors, gain, verdicts,
# provenance), refusal to overwrite without --force, bad input exits 2 with one line,
# and scripts/plot_convergence.py draws a PNG.
# Usage: compare_small.sh NNFIELD_EXE SOURCE_DIR
set -uo pipefail
exe=$1 src=$2
py=/usr/bin/python3
source "$(dirname "${BASH_SOURCE[0]}")/checks.sh"

"$exe" compare "$src/models/compare_small.toml" -o "$work/conv.h5" --coarsen 1,2 --times 0.25,0.5 \
  > "$work/table.txt" 2> "$work/err.txt"
check "compare exits 0" "[ $? -eq 0 ] && [ -s '$work/conv.h5' ]"
check "table names the levels, the self-convergence and the lattice-exact check" \
  "grep -q 'network self-convergence' '$work/table.txt' && grep -q 'lattice-exact check: max rel diff' '$work/table.txt' && grep -q 'study p2_r2' '$work/table.txt'"

$py - "$work/conv.h5" <<'PY'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
assert f.attrs["status"] == "complete"
for key in ["model_text", "resolved_config", "seed", "command_line", "git_hash", "verdict", "self_convergence_verdict"]:
    assert key in f.attrs, key
assert list(f["levels/M"][()]) == [16, 32, 64] and list(f["levels/N"][()]) == [16, 32, 64]
assert np.allclose(f["levels/ax"][()], [1 / 16, 1 / 32, 1 / 64])
assert list(f["times"][()]) == [0.25, 0.5]
assert f["self_convergence/error"].shape == (2,) and f["self_convergence/order"].shape == (1,)
assert set(f["studies"]) == {"p1_r1", "p1_r2", "p2_r1", "p2_r2"}, list(f["studies"])
for name, g in f["studies"].items():
    assert g["error"].shape == (3, 4) and g["error"].attrs["index_order"] == "L,quantity"
    assert np.all(np.isfinite(g["error"][()])) and np.all(g["error"][()] > 0)
    assert g["error_by_time"].shape == (2, 3, 4)
    assert g["pair_order"].shape == (2, 4)
    for d in ["fit_order", "fit_uncertainty", "fit_C", "fit_D"]:
        assert g[d].shape == (4,), d
    assert g["rx"][()] == g["ry"][()] == int(name.split("_r")[1])
    assert g["p"][()] == g["theoretical_order"][()] == int(name[1])
    assert f.attrs[f"verdict.{name}"]
    # the field tracks the network's response: errors fall with the level
    e = g["error"][:, 0]
    assert e[2] < e[0], (name, e)
assert f["gain/max_over_ax"].shape == (3,)
assert f.attrs["lattice_exact_max_rel_diff"] < 1e-9
print("layout ok")
PY
check "conv.h5 layout" "[ $? -eq 0 ]"

"$exe" compare "$src/models/compare_small.toml" -o "$work/conv.h5" -q > /dev/null 2> "$work/exists.err"
check "existing output refused without --force (exit 4)" "[ $? -eq 4 ] && grep -q -- '--force' '$work/exists.err'"
"$exe" compare "$src/models/compare_small.toml" -o "$work/conv.h5" -q --force --levels 2 --orders 1 > /dev/null 2>&1
check "--force overwrites" "[ $? -eq 0 ]"

bad() {  # bad NAME PATTERN ARGS...
  local name=$1 pattern=$2; shift 2
  rm -f "$work/out.h5"
  "$exe" compare "$@" -o "$work/out.h5" -q > /dev/null 2> "$work/bad.err"; local code=$?
  check "$name: exit 2, one line naming '$pattern'" \
    "[ $code -eq 2 ] && [ \$(wc -l < '$work/bad.err') -eq 1 ] && grep -q -- '$pattern' '$work/bad.err' && [ ! -e '$work/out.h5' ]"
}
bad "time outside the run" "compare_small.toml" "$src/models/compare_small.toml" --times 0.7
bad "not a field model" "teacher_tanh.toml" "$src/models/teacher_tanh.toml"
bad "bad --orders" "--orders" "$src/models/compare_small.toml" --orders 1,x
bad "bad --set key" "network.MM" "$src/models/compare_small.toml" --set network.MM=3

bad "bad --coarsen item" "is not R or RXxRY" "$src/models/compare_small.toml" --coarsen 1,4x
bad "bad --refine" "is not both, depth or width" "$src/models/compare_small.toml" --refine depths
bad "field.ry with --coarsen" "field.ry is not read by nnfield compare: --coarsen gives" \
  "$src/models/compare_small.toml" --coarsen 2 --set field.ry=1

$py "$src/scripts/plot_convergence.py" "$work/conv.h5" -o "$work/conv.png" > /dev/null
check "plot_convergence.py writes a PNG" "[ -s '$work/conv.png' ]"

# Width refined alone, a study coarse-grained in depth only: N doubles at fixed M, the
# orders are in ay, the study is named p2_r2x1 with rx = 2, ry = 1; without --coarsen the
# model's field.rx x field.ry (2 x 2) is the study.
"$exe" compare "$src/models/compare_small.toml" -o "$work/width.h5" --refine width --coarsen 2x1 --orders 2 \
  --levels 2 --times 0.5 > "$work/width.txt" 2> /dev/null
check "compare --refine width --coarsen 2x1 exits 0" "[ $? -eq 0 ]"
check "its table says the orders are in ay" \
  "grep -q 'levels refine N alone at fixed M (ay); orders in ay' '$work/width.txt' && grep -q 'study p2_r2x1 (midpoint p = 2, rx = 2, ry = 1, theory order 0 in ay)' '$work/width.txt'"
"$exe" compare "$src/models/compare_small.toml" -o "$work/depth.h5" --refine depth --orders 1 --levels 2 \
  --times 0.5 -q --set field.ry=1
check "compare --refine depth takes field.rx x field.ry from the model" "[ $? -eq 0 ]"
$py - "$work/width.h5" "$work/depth.h5" <<'PY'
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r") as f:
    assert f.attrs["refined"] == "width" and f.attrs["spacing"] == "ay"
    assert list(f["levels/M"][()]) == [16, 16] and list(f["levels/N"][()]) == [16, 32]
    assert np.allclose(f["levels/ay"][()], [1 / 16, 1 / 32]) and np.allclose(f["levels/ax"][()], [1 / 16, 1 / 16])
    g = f["studies/p2_r2x1"]
    assert g["rx"][()] == 2 and g["ry"][()] == 1 and g["theoretical_order"][()] == 0
with h5py.File(sys.argv[2], "r") as f:
    assert f.attrs["refined"] == "depth" and f.attrs["spacing"] == "ax"
    assert list(f["levels/M"][()]) == [16, 32] and list(f["levels/N"][()]) == [16, 16]
    assert set(f["studies"]) == {"p1_r2x1"}, list(f["studies"])
print("refined layouts ok")
PY
check "conv.h5 of --refine width and depth" "[ $? -eq 0 ]"
$py "$src/scripts/plot_convergence.py" "$work/width.h5" -o "$work/width.png" > /dev/null
check "plot_convergence.py plots against ay" "[ -s '$work/width.png' ]"

summary
