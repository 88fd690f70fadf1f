#!/usr/bin/env bash
# The initial state of a network split along its width (docs/cluster.md, "Memory"): every
# process builds only its block (and the ghost columns the kind reads), and the run is the
# one-process run, every dataset (the initial W, b, W', b' in the first row) and the
# checkpoint bit for bit, on 1, 2 and 3 processes, for each init.kind and the velocities
# that need more than the block: an initial-state file read by columns, Eq. 6 (smooth,
# critical, continuum), the forward pass of BBD velocities of random or file parameters.
# A bad file keeps its one-line error (exit 2).
# Usage: width_split_init.sh NNFIELD_EXE SOURCE_DIR
set -uo pipefail
exe=$1 src=$2
source "$src/tests/cli/checks.sh"
source "$src/tests/mpi/split_checks.sh"
model="$src/tests/mpi/width_split_init_model.toml"

# An initial-state file for M = 4, N = 20, r = 1, with velocities.
/usr/bin/python3 -c "
import h5py, numpy as np, sys
g = np.random.default_rng(3)
with h5py.File(sys.argv[1], 'w') as f:
    f['W'] = 0.4 * g.standard_normal((4, 20, 3)) + 1.0 / 3
    f['b'] = 0.1 * g.standard_normal((4, 20))
    f['Wdot'] = 0.05 * g.standard_normal((4, 20, 3))
    f['bdot'] = 0.05 * g.standard_normal((4, 20))
" "$work/init.h5"
check "an initial-state file" "[ -e '$work/init.h5' ]"

for case in file:file smooth:smooth critical:zero continuum:continuum random:smooth file:smooth; do
  kind=${case%:*} velocity=${case#*:}
  file=()
  [[ $case == *file* ]] && file=(--set init.file="$work/init.h5")
  [ "$velocity" = continuum ] && file=(--set 'continuum.phi_dot=0.2*cos(2*pi*y) + 0.1*x'
    --set 'continuum.w_dot=["0.01*x", "-0.02", "0.03*sin(2*pi*y)"]')
  equals_one_process "init.kind = $kind, init.velocity = $velocity" "$model" "${kind}_$velocity" \
    --set init.kind="$kind" --set init.velocity="$velocity" "${file[@]}"
done

# A non-finite value in the file: process 2 of 3 holds its column, and says so in one line.
/usr/bin/python3 -c "
import h5py, numpy as np, sys
with h5py.File(sys.argv[1], 'r+') as f:
    f['b'][2, 17] = np.nan
" "$work/init.h5"
mpi 3 run "$model" -o "$work/refused.h5" -q --set init.kind=file --set init.file="$work/init.h5" \
  > "$work/out" 2> "$work/err"
code=$?
check "a non-finite value: exit 2 (got $code)" "[ $code -eq 2 ]"
check "a non-finite value: named by its index in the whole dataset" \
  "grep -qF \"dataset '/b' has a non-finite value (nan) at index (2,17)\" '$work/err'"
summary
