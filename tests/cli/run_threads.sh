#!/usr/bin/env bash
# `nnfield run --threads n`: the network's passes on n threads write the same run file, to
# the last bit, as on one thread, for SGD, gradient flow and damped dynamics. The models are
# widened so that their batches are large enough to be split between threads.
# Usage: run_threads.sh NNFIELD_EXE SOURCE_DIR
set -uo pipefail
exe=$1 src=$2
source "$(dirname "${BASH_SOURCE[0]}")/checks.sh"
cd "$src"

wide=(--set network.N=128 --set data.samples=64)
# The sgd case has a model of its own: the gradient-flow model's t_end, output.every and
# full-batch presentation would not be read by an sgd run, and are refused.
sed -e 's/^kind = "gradient_flow"/kind = "sgd"/' -e 's/^t_end = .*/batch = 48\nsteps = 40/' \
    -e 's/^every = .*/every_steps = 10/' -e '/^presentation = /d' models/ensemble_teacher.toml > "$work/sgd.toml"
declare -A cases=(
  [gradient_flow]="models/ensemble_teacher.toml --set dynamics.t_end=2"
  [sgd]="$work/sgd.toml"
  [damped]="models/teacher_tanh.toml --set data.presentation=\"full_batch\" --set data.tau=1.0 --set dynamics.t_end=1"
)
for name in gradient_flow sgd damped; do
  for threads in 1 2 3; do
    eval "\"$exe\" run ${cases[$name]} ${wide[*]} -q -o \"$work/$name.$threads.h5\" --threads $threads"
    check "$name run on $threads threads exits 0" "[ $? -eq 0 ]"
  done
  /usr/bin/python3 - "$work/$name.1.h5" "$work/$name.2.h5" "$work/$name.3.h5" <<'PY'
import sys, h5py, numpy as np
def datasets(path):
    out = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda name, obj: out.__setitem__(name, obj[()]) if isinstance(obj, h5py.Dataset) else None)
    return out
one = datasets(sys.argv[1])
assert any(name.startswith("trajectory") for name in one), sorted(one)
for path in sys.argv[2:]:
    other = datasets(path)
    assert sorted(other) == sorted(one), (path, sorted(other))
    for name, a in one.items():
        b = other[name]
        if a.dtype.kind == "f":
            assert a.shape == b.shape and a.tobytes() == b.tobytes(), (path, name)
        elif name.startswith("provenance"):
            continue
        else:
            assert np.array_equal(a, b), (path, name)
print("same datasets, bit for bit")
PY
  check "$name: 2 and 3 threads write the datasets of 1 thread bit for bit" "[ $? -eq 0 ]"
done
summary
