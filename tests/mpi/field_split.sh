#!/usr/bin/env bash
# Field runs split along the width of the field grid under mpirun (docs/cluster.md, "Field
# runs split along the width"): tests/mpi/field_split_model.toml over 1, 2 and 3 processes
# gives the file and the checkpoint one process writes, every dataset bit for bit, for
# gradient flow and damped dynamics, the lattice-exact width (ry = 1: ny = 20, index shifts
# through the halo; blocks 7, 7, 6) and a spectral one (ry = 2: ny = 10, gathered rows;
# blocks 4, 3, 3), p = 1 and 2, a full batch and one presented sample, and the energy flow
# observers (models/field_energy_flow.toml, ry = 4); a run ended on 3 processes resumes on 2 as the uninterrupted run; what is
# not split is refused (exit 2).
# Usage: field_split.sh NNFIELD_EXE SOURCE_DIR
set -uo pipefail
exe=$1 src=$2
source "$src/tests/cli/checks.sh"
source "$src/tests/mpi/split_checks.sh"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
model="$src/tests/mpi/field_split_model.toml"
same="/usr/bin/python3 $src/tests/mpi/same_datasets.py"
# Waiting processes yield their core: on a loaded machine (ctest -j2) spinning ones slow all.
mpi() { local np=$1; shift; timeout 300 mpirun --oversubscribe --mca mpi_yield_when_idle 1 -np "$np" "$exe" "$@"; }
damped=(--set dynamics.kind=damped --set dynamics.gamma=2.0)

# name|model (empty: $model)|settings
cases=(
  "gradient flow, ry = 1, p = 2||"
  "gradient flow, ry = 2, p = 1||--set field.ry=2 --set field.p=1"
  "damped, ry = 2, p = 2||${damped[*]} --set field.ry=2"
  "damped, ry = 1, p = 1, one presented sample||${damped[*]} --set field.p=1 --set data.presentation=fixed"
  "energy flow (models/field_energy_flow.toml: ry = 4)|$src/models/field_energy_flow.toml|--set dynamics.t_end=0.2 --set output.every=0.1"
)
i=0
for c in "${cases[@]}"; do
  IFS='|' read -r name case_model settings <<< "$c"
  read -r -a extra <<< "$settings"
  m=${case_model:-$model}
  i=$((i + 1))
  equals_one_process "$name" "$m" "c$i" "${extra[@]}"
done
check "the split file records its process count" \
  "/usr/bin/python3 -c \"import h5py,sys; sys.exit(float(h5py.File('$work/c1_np3.h5').attrs['processes']) != 3)\""

# Ended at t = 0.125 on 3 processes, resumed to t = 0.25 on 2: the uninterrupted run.
for kind in gradient_flow damped; do
  extra=(--set field.ry=2)  # as case 2 (gradient flow, p = 1) and case 3 (damped, p = 2)
  [ $kind = damped ] && extra+=("${damped[@]}") || extra+=(--set field.p=1)
  n=$([ $kind = damped ] && echo 3 || echo 2)
  mpi 3 run "$model" -o "$work/${kind}_part.h5" -q "${extra[@]}" --set dynamics.t_end=0.125
  check "$kind: first part on 3 processes: exit 0" "[ $? -eq 0 ]"
  mpi 2 run --resume "$work/${kind}_part.h5" -q --set dynamics.t_end=0.25
  check "$kind: resumed on 2 processes: exit 0" "[ $? -eq 0 ]"
  check "$kind: resumed run equals the uninterrupted one" \
    "$same '$work/c${n}_serial.h5' '$work/${kind}_part.h5' > /dev/null"
done

# Refused under a split (split_checks.sh).
refused_split 2 "field SGD" 'dynamics.kind = "sgd" on a field ([field]) is not split' \
  run "$src/models/field_sgd.toml" -o "$work/refused.h5" -q
refused_split 2 "moving sources" "moving sources on a field are not split" \
  run "$src/models/field_moving_source.toml" -o "$work/refused.h5" -q
refused_split 2 "blended data" 'data.presentation = "blend" on a field ([field]) is not split' \
  run "$model" -o "$work/refused.h5" -q --set data.presentation=blend
refused_split 4 "blocks narrower than a node" "ny = 3 width nodes leave blocks of 0" \
  run "$model" -o "$work/refused.h5" -q --set network.N=6 --set field.ry=2
refused_split 2 "threads" "--threads 2" run "$model" -o "$work/refused.h5" -q --threads 2
summary
