#!/usr/bin/env bash
# `nnfield run --threads n`: the network's passes on n threads write the same run file, to
# the last bit, as on one thread, for SGD, gradient flow and damped dynamics. The models are
# widened so that their batches are large enough to be split between threads. Field runs
# likewise (a batch's samples swept side by side, the stability check's depth lines): full
# batches of 8 samples under gradient flow and damped dynamics, p = 1 and 2, on the lattice's
# width (hy = ay: index shifts) and on a coarser one (ry = 2: spectral shifts), and field SGD.
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
# The field's damped model: the full batch's without its learning rate.
sed -e 's/^kind = "gradient_flow"/kind = "damped"\ngamma = 0.5/' -e '/^eta/d' models/field_full_batch.toml > "$work/field_damped.toml"
spectral=(--set field.rx=2 --set field.ry=2)
declare -A cases=(
  [gradient_flow]="models/ensemble_teacher.toml --set dynamics.t_end=2 ${wide[*]}"
  [sgd]="$work/sgd.toml ${wide[*]}"
  [damped]="models/teacher_tanh.toml --set data.presentation=\"full_batch\" --set data.tau=1.0 --set dynamics.t_end=1 ${wide[*]}"
  [field_flow_p2]="models/field_full_batch.toml --set dynamics.t_end=0.5"
  [field_flow_p1_spectral]="models/field_full_batch.toml --set field.p=1 ${spectral[*]} --set dynamics.t_end=0.5"
  [field_damped_p1]="$work/field_damped.toml --set field.p=1 --set dynamics.t_end=0.5"
  [field_damped_p2_spectral]="$work/field_damped.toml ${spectral[*]} --set dynamics.t_end=0.5"
  [field_sgd]="models/field_sgd.toml"
)
for name in gradient_flow sgd damped field_flow_p2 field_flow_p1_spectral field_damped_p1 field_damped_p2_spectral \
            field_sgd; do
  for threads in 1 2 3; do
    eval "\"$exe\" run ${cases[$name]} -q -o \"$work/$name.$threads.h5\" --threads $threads"
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
