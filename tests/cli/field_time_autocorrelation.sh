#!/usr/bin/env bash
# One estimator, in flight and afterwards: observe.autocorrelation (the time
# autocorrelations of the layer means and of the loss, on network runs and field runs)
# must equal what `nnfield correlate --only autocorrelation` computes from the written
# rows, to the last bit, for each observed field (a field run's phi, w and beta); and a
# field run writes only the output.trajectory datasets it is given.
# Usage: field_time_autocorrelation.sh NNFIELD_EXE SOURCE_DIR
set -uo pipefail
exe=$1 src=$2
source "$(dirname "${BASH_SOURCE[0]}")/checks.sh"
cd "$src"

# observe.every = 0.5 is every second output row (output.every = 0.25): correlate --every 2.
for field in phi w b; do
  "$exe" run models/field_coarse.toml -o "$work/$field.h5" -q --set observe.autocorrelation=true \
    --set observe.every=0.5 --set "observe.field=\"$field\"" --set 'output.trajectory=["loss", "phi", "w", "beta"]'
  check "field run with observe.autocorrelation (field $field) exits 0" "[ $? -eq 0 ]"
  "$exe" correlate "$work/$field.h5" -o "$work/${field}_offline.h5" --field "$field" --every 2 \
    --only autocorrelation 2> /dev/null
  check "nnfield correlate --field $field reads the field run" "[ $? -eq 0 ]"
done
"$exe" run models/continuum_network.toml -o "$work/net.h5" -q --set observe.autocorrelation=true --set observe.every=0.5
check "network run with observe.autocorrelation exits 0" "[ $? -eq 0 ]"
"$exe" correlate "$work/net.h5" -o "$work/net_offline.h5" --every 2 --only autocorrelation 2> /dev/null
check "nnfield correlate reads the network run" "[ $? -eq 0 ]"
/usr/bin/python3 - "$work" <<'PY'
import sys, h5py, numpy as np
work = sys.argv[1]
for run_name in ["phi", "w", "b", "net"]:
    run, off = h5py.File(f"{work}/{run_name}.h5", "r"), h5py.File(f"{work}/{run_name}_offline.h5", "r")
    names = sorted(off["autocorrelation"].keys())
    assert sorted(run["autocorrelation"].keys()) == names, (run_name, names)
    assert len(names) == 10, names  # layer_mean and loss: rho, tau_int, error, window, converged
    for name in names:
        a, b = run["autocorrelation/" + name][()], off["autocorrelation/" + name][()]
        assert a.shape == b.shape and np.array_equal(a, b, equal_nan=True), (run_name, name)
        assert run["autocorrelation/" + name].attrs["index_order"] == off["autocorrelation/" + name].attrs["index_order"]
    assert run["autocorrelation/layer_mean"].shape[0] == 5, run["autocorrelation/layer_mean"].shape  # t = 0, 0.5, .., 2
    assert np.all(run["autocorrelation/layer_mean"][0][np.isfinite(run["autocorrelation/layer_mean"][0])] == 1.0)
w = h5py.File(f"{work}/w.h5", "r")
assert w["autocorrelation/layer_mean"].shape[1:] == (w["trajectory/w"].shape[3], int(w.attrs["nx"]))  # (lag, K, nx)
assert sorted(w["trajectory"].keys()) == ["beta", "loss", "max_gain_deviation_over_ax", "phi", "step", "time", "w"]
print("in-run time autocorrelations equal nnfield correlate's bitwise (field phi, w, b; network)")
PY
check "in-run time autocorrelations equal nnfield correlate's" "[ $? -eq 0 ]"

"$exe" run models/field_coarse.toml -o "$work/v.h5" -q --set 'output.trajectory=["phi", "w_dot"]' 2> "$work/v.txt"
code=$?
check "a gradient-flow field run refuses a velocity dataset with exit 2 and one line" \
  "[ $code -eq 2 ] && [ \$(wc -l < '$work/v.txt') -eq 1 ] && grep -q 'w_dot' '$work/v.txt' && [ ! -e '$work/v.h5' ]"
"$exe" run models/field_coarse.toml -o "$work/u.h5" -q --set 'output.trajectory=["ph"]' 2> "$work/u.txt"
code=$?
check "an unknown dataset is refused with exit 2 and a suggestion" \
  "[ $code -eq 2 ] && grep -q 'did you mean \"phi\"' '$work/u.txt' && [ ! -e '$work/u.h5' ]"
summary
