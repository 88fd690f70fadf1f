#!/usr/bin/env bash
# nnfield correlate round trip: a tiny run, its correlators checked against NumPy's
# FFT and direct sums, every dataset labelled with its index order, the provenance
# copied; a field-run layout (/trajectory/phi) is read too; the plot script draws the
# file; bad input exits 2 (one line, naming file/dataset) and leaves no output file.
# Usage: correlate_roundtrip.sh NNFIELD_EXE SOURCE_DIR
set -uo pipefail
exe=$1 src=$2
py=/usr/bin/python3
source "$(dirname "${BASH_SOURCE[0]}")/checks.sh"

cat > "$work/model.toml" <<'TOML'
[run]
seed = 3
[network]
M = 4
N = 16
r = 1
[init]
sigma_w = 1.2
sigma_b = 0.3
[data]
source = "teacher"
samples = 4
presentation = "fixed"
[dynamics]
kind = "damped"
gamma = 1.0
t_end = 2.0
[output]
every = 0.05
TOML

"$exe" run "$work/model.toml" -o "$work/run.h5" --progress off
check "run" "[ -s '$work/run.h5' ]"
"$exe" correlate "$work/run.h5" -o "$work/corr.h5" 2> "$work/corr.err"
check "correlate exits 0" "[ $? -eq 0 ]"
"$exe" correlate "$work/run.h5" -o "$work/conn.h5" --connected --every 4 2> /dev/null
check "correlate --connected --every 4 exits 0" "[ $? -eq 0 ]"
"$exe" correlate "$work/run.h5" -o "$work/w.h5" --field w --times 0,1,2 --only width,xi 2> /dev/null
check "correlate --field w --times exits 0" "[ $? -eq 0 ]"

$py - "$work" <<'PY'
import sys, h5py, numpy as np
work = sys.argv[1]
run, corr = h5py.File(f"{work}/run.h5", "r"), h5py.File(f"{work}/corr.h5", "r")
z, X = run["trajectory/z"][()], run["data/X"][()]          # (T, M, N), (S, N)
T, M, N = z.shape

# Every dataset says its index order, and the order matches its rank.
def labelled(name, obj):
    if isinstance(obj, h5py.Dataset):
        order = obj.attrs["index_order"]
        assert order == "scalar" if obj.ndim == 0 else len(order.split(",")) == obj.ndim, (name, order, obj.shape)
        assert obj.attrs["description"], name
corr.visititems(labelled)
for key in ["model_text", "resolved_config", "seed", "command_line", "git_hash"]:
    assert key in corr.attrs, key
assert corr.attrs["model_text"] == run.attrs["model_text"]
assert corr.attrs["resolved_config"] == run.attrs["resolved_config"]
assert corr.attrs["seed"] == run.attrs["seed"]
assert "correlate" in corr.attrs["command_line"]
assert corr.attrs["mean_subtracted"] == "none" and corr.attrs["status"] == "complete"
assert corr.attrs["input_boundary"] == "sample 0 of /data/X"

# Independent NumPy versions of the definitions (docs/correlators.md).
F = np.fft.fft(z, axis=-1)                                    # f~(k) = sum_y f(y) e^{-iky}
S = np.abs(F) ** 2 / N
C = np.fft.ifft(np.abs(F) ** 2, axis=-1).real / N              # (1/N) sum_i phi_i phi_{i+d}
assert np.allclose(corr["correlators/structure"][()], S[..., : N // 2 + 1], atol=1e-12, rtol=0)
assert np.allclose(corr["correlators/width"][()], C, atol=1e-12, rtol=0)
d = 3
direct = np.mean(z * np.roll(z, -d, axis=-1), axis=-1)        # direct sum at one separation
assert np.allclose(corr["correlators/width"][:, :, d], direct, atol=1e-12, rtol=0)
depth = np.einsum("tmi,tni->tmn", z, z) / N
assert np.allclose(corr["correlators/depth"][()], depth, atol=1e-12, rtol=0)
c2d = np.fft.ifft(np.conj(F)[:, :, None, :] * F[:, None, :, :], axis=-1).real / N
assert np.allclose(corr["correlators/2d"][()], c2d, atol=1e-12, rtol=0)
FX = np.fft.fft(X[0])
cx = np.fft.ifft(np.conj(FX)[None, None, :] * F, axis=-1).real / N
assert np.allclose(corr["correlators/input"][()], cx, atol=1e-12, rtol=0)
Sk = S[..., : N // 2 + 1]
with np.errstate(invalid="ignore"):
    xi = np.sqrt(Sk[..., 0] / Sk[..., 1] - 1) / (2 * np.sin(np.pi / N))
xi[Sk[..., 0] < Sk[..., 1]] = np.nan
assert np.allclose(corr["correlators/xi"][()], xi, atol=1e-12, equal_nan=True)
assert np.allclose(corr["time_average/width"][()], C.mean(axis=0), atol=1e-12, rtol=0)

# Time autocorrelation of the layer means: the open (non-periodic) estimator.
a = z.mean(axis=-1)
da = a - a.mean(axis=0)
gamma = np.array([np.sum(da[: T - t] * da[t:], axis=0) / (T - t) for t in range(T)])
assert np.allclose(corr["autocorrelation/layer_mean"][()], gamma / gamma[0], atol=1e-10, rtol=0)
assert corr["autocorrelation/loss"].shape == (T,)
assert np.isfinite(corr["autocorrelation/loss_tau_int"][()])

# --connected --every 4: rows 0, 4, 8, ...; connected S(0) = 0 and C = C_full - mean^2.
conn = h5py.File(f"{work}/conn.h5", "r")
rows = np.arange(0, T, 4)
assert np.array_equal(conn["correlators/row"][()], rows)
assert conn.attrs["mean_subtracted"] == "configuration"
assert np.max(np.abs(conn["correlators/structure"][:, :, 0])) < 1e-12
mean = z[rows].mean(axis=-1)
assert np.allclose(conn["correlators/width"][()], C[rows] - mean[..., None] ** 2, atol=1e-12, rtol=0)
# xi comes from the full S even when the connected correlators are asked for.
assert np.allclose(conn["correlators/xi"][()], xi[rows], atol=1e-12, equal_nan=True)

# The weights: one field w_k per index k, axis K after T.
w = h5py.File(f"{work}/w.h5", "r")
W = run["trajectory/W"][()]                                   # (T, M, N, K)
t = run["trajectory/time"][()]
sel = [int(np.argmin(np.abs(t - x))) for x in (0.0, 1.0, 2.0)]
assert w["correlators/width"].attrs["index_order"] == "T,K,M,D"
wk = np.moveaxis(W[sel], -1, 1)                               # (3, K, M, N)
Fw = np.fft.fft(wk, axis=-1)
assert np.allclose(w["correlators/width"][()], np.fft.ifft(np.abs(Fw) ** 2, axis=-1).real / N, atol=1e-12)
assert "correlators/depth" not in w
print("numerics ok")
PY
check "correlators equal NumPy's, index orders and provenance present" "[ $? -eq 0 ]"

# A field run: /trajectory/phi (T, nx, ny) is used for phi.
$py - "$work" <<'PY'
import sys, h5py, numpy as np
with h5py.File(f"{sys.argv[1]}/field.h5", "w") as f:
    rng = np.random.default_rng(1)
    f["trajectory/time"] = np.linspace(0, 1, 5)
    phi = f.create_dataset("trajectory/phi", data=rng.normal(size=(5, 3, 12)))
    phi.attrs["index_order"] = "T,X,Y"
PY
"$exe" correlate "$work/field.h5" -o "$work/fcorr.h5" 2> "$work/field.err"
check "field run: exit 0 with a note on the missing input and loss" "[ $? -eq 0 ] && grep -q 'note' '$work/field.err'"
$py - "$work" <<'PY'
import sys, h5py, numpy as np
w = sys.argv[1]
phi = h5py.File(f"{w}/field.h5", "r")["trajectory/phi"][()]
c = h5py.File(f"{w}/fcorr.h5", "r")
assert c.attrs["field_dataset"] == "/trajectory/phi"
F = np.fft.fft(phi, axis=-1)
assert np.allclose(c["correlators/width"][()], np.fft.ifft(np.abs(F) ** 2, axis=-1).real / 12, atol=1e-12)
assert "correlators/input" not in c and "autocorrelation/loss" not in c
PY
check "field run: phi read from /trajectory/phi" "[ $? -eq 0 ]"

# The plot script draws both kinds of file.
$py "$src/scripts/plot_correlators.py" "$work/corr.h5" -o "$work/corr.png" > /dev/null
check "plot_correlators.py writes a PNG" "[ -s '$work/corr.png' ]"
$py "$src/scripts/plot_correlators.py" "$work/w.h5" -o "$work/w.png" --offset 0 > /dev/null
check "plot_correlators.py on the weights" "[ -s '$work/w.png' ]"
$py "$src/scripts/plot_correlators.py" "$work/run.h5" -o "$work/bad.png" 2> "$work/plot.err"
check "plot_correlators.py: a file without /correlators exits 2 with one line" \
  "[ $? -eq 2 ] && [ \$(wc -l < '$work/plot.err') -eq 1 ] && [ ! -e '$work/bad.png' ]"

# Bad input: exit 2, one line naming the file or dataset, no output file.
bad() {  # bad NAME PATTERN ARGS...
  local name=$1 pattern=$2; shift 2
  rm -f "$work/out.h5"
  "$exe" correlate "$@" -o "$work/out.h5" 2> "$work/bad.err"; local code=$?
  check "$name: exit 2, one line naming '$pattern', no output" \
    "[ $code -eq 2 ] && [ \$(wc -l < '$work/bad.err') -eq 1 ] && grep -q -- '$pattern' '$work/bad.err' && [ ! -e '$work/out.h5' ]"
}
bad "missing file" "nope.h5" "$work/nope.h5"
bad "unknown field" "unknown field" "$work/run.h5" --field q
bad "not an HDF5 file" "model.toml" "$work/model.toml"
bad "time not in the run" "t = 0.0123" "$work/run.h5" --times 0.0123
bad "unknown output" "unknown output" "$work/run.h5" --only width,wdth
"$exe" run "$work/model.toml" -o "$work/nob.h5" --progress off --set 'output.trajectory=["z"]'
bad "field b absent" "/trajectory/b" "$work/nob.h5" --field b
$py - "$work" <<'PY'
import sys, h5py, numpy as np
with h5py.File(f"{sys.argv[1]}/shape.h5", "w") as f:
    f["trajectory/time"] = np.arange(4.0)
    f["trajectory/z"] = np.zeros((4, 8))
PY
bad "wrong shape" "/trajectory/z" "$work/shape.h5"

# An existing output is kept without --force (exit 4).
cp "$work/corr.h5" "$work/keep.h5"
"$exe" correlate "$work/run.h5" -o "$work/keep.h5" 2> "$work/keep.err"; code=$?
check "existing output: exit 4, file untouched" "[ $code -eq 4 ] && cmp -s '$work/corr.h5' '$work/keep.h5'"

# --threads: the rows and their average computed side by side write the same numbers.
for field in phi w; do
  for threads in 1 2 3; do
    "$exe" correlate "$work/run.h5" -o "$work/threads.$field.$threads.h5" --field $field --threads $threads -q
    check "correlate --field $field --threads $threads exits 0" "[ $? -eq 0 ]"
  done
  for threads in 2 3; do
    check "correlate --field $field: $threads threads write 1 thread's datasets bit for bit" \
      "$py '$src/tests/mpi/same_datasets.py' '$work/threads.$field.1.h5' '$work/threads.$field.$threads.h5' > /dev/null"
  done
done
summary
