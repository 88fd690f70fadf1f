#!/usr/bin/env bash
# Field runs split along the width of the field grid under mpirun (docs/cluster.md, "Field
# runs split along the width"): tests/mpi/field_split_model.toml under mpirun gives the file
# and the checkpoint one process writes, every dataset bit for bit: gradient flow on the
# lattice-exact width (ry = 1: ny = 20, index shifts through the halo; blocks 7, 7, 6) over
# 1, 2 and 3 processes; damped dynamics on a spectral one (ry = 2: ny = 10, gathered rows;
# blocks 4, 3, 3) over 3; one presented sample (p = 1) over 3; the energy flow observers
# (models/field_energy_flow.toml, ry = 4: ny = 16, damped from a continuum velocity) over 2;
# moving data, whose power dL/dX . X' + dL/dY . Y' runs through the blocks: blended samples
# (ry = 1 over 2 and 3, ry = 2 damped over 3) and models/field_moving_source.toml over 2 and 3;
# field SGD (tests/mpi/field_split_sgd_model.toml: batch 2 at ry = 1 over 1, 2, 3, batch 1 at
# ry = 2 over 3; stopped on 3 processes and resumed on 2);
# a damped run ended on 3 processes resumes on 2 as the uninterrupted run; what is not
# split is refused (exit 2). Few cases a process count and short runs: the test runs beside
# others on 2 cores (ctest -j2), where every exchange waits for a core.
# Usage: field_split.sh NNFIELD_EXE SOURCE_DIR
set -uo pipefail
exe=$1 src=$2
source "$src/tests/cli/checks.sh"
source "$src/tests/mpi/split_checks.sh"
model="$src/tests/mpi/field_split_model.toml"
sgd="$src/tests/mpi/field_split_sgd_model.toml"
damped=(--set dynamics.kind=damped --set dynamics.gamma=2.0)

# name|process counts|model (empty: $model)|settings
cases=(
  "gradient flow, ry = 1, p = 2|1 2 3||"
  "damped, ry = 2, p = 2|3||${damped[*]} --set field.ry=2"
  "gradient flow, ry = 1, p = 1, one presented sample|3||--set field.p=1 --set data.presentation=fixed"
  "energy flow (models/field_energy_flow.toml: damped, ry = 4)|2|$src/models/field_energy_flow.toml|--set dynamics.t_end=0.1 --set output.every=0.05"
  "gradient flow, ry = 1, blended samples|2 3||--set data.presentation=blend --set data.tau=0.1"
  "damped, ry = 2, blended samples|3||${damped[*]} --set field.ry=2 --set data.presentation=blend --set data.tau=0.1"
  "moving sources (models/field_moving_source.toml)|2 3|$src/models/field_moving_source.toml|--set dynamics.t_end=0.25 --set output.every=0.125"
  "SGD, ry = 1, batch 2|1 2 3|$sgd|"
  "SGD, ry = 2, batch 1|3|$sgd|--set dynamics.batch=1 --set field.ry=2"
)
i=0
for c in "${cases[@]}"; do
  IFS='|' read -r name counts case_model settings <<< "$c"
  read -r -a extra <<< "$settings"
  m=${case_model:-$model}
  i=$((i + 1))
  nps=$counts equals_one_process "$name" "$m" "c$i" "${extra[@]}"
done
check "moving sources do work on the split run" \
  "/usr/bin/python3 -c \"import h5py,sys; sys.exit(not h5py.File('$work/c7_np3.h5')['energy/data_work'][-1] > 0)\""
check "the split file records its process count" \
  "/usr/bin/python3 -c \"import h5py,sys; sys.exit(float(h5py.File('$work/c1_np3.h5').attrs['processes']) != 3)\""

# Damped (case 2) ended at t = 0.125 on 3 processes, resumed to t = 0.25 on 2: the
# uninterrupted run (velocities and energy books read back by each process's ranges).
resumed_split "damped" "$work/c2_serial.h5" damped dynamics.t_end=0.25 "$model" "${damped[@]}" --set field.ry=2 \
  --set dynamics.t_end=0.125

# SGD (case 8) stopped at step 10 on 3 processes, resumed to 20 on 2: the uninterrupted run.
resumed_split "SGD" "$work/c8_serial.h5" sgd dynamics.steps=20 "$sgd" --set dynamics.steps=10

# Refused under a split (split_checks.sh).
refused_split 4 "blocks narrower than a node" "ny = 3 width nodes leave blocks of 0" \
  run "$model" -o "$work/refused.h5" -q --set network.N=6 --set field.ry=2
refused_split 2 "threads" "--threads 2" run "$model" -o "$work/refused.h5" -q --threads 2
summary
