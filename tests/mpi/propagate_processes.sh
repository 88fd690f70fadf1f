#!/usr/bin/env bash
# propagate under mpirun (docs/cluster.md): the random networks of a sigma_w scan spread
# over 1, 2 and 3 processes give the same file as one process, bit for bit.
# Usage: propagate_processes.sh NNFIELD_EXE SOURCE_DIR
set -uo pipefail
exe=$1 src=$2
source "$src/tests/cli/checks.sh"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
model="$src/models/depth_scale_tanh.toml"
scan=(--sigma-w 0.9:1.3:3 --networks 12 --pairs 2 --set network.M=24 --set network.N=64 -q)
same="/usr/bin/python3 $src/tests/mpi/same_datasets.py"

"$exe" propagate "$model" "${scan[@]}" -o "$work/serial.h5"
check "one process without mpirun" "[ $? -eq 0 ]"
for np in 1 2 3; do
  timeout 300 mpirun --oversubscribe -np $np "$exe" propagate "$model" "${scan[@]}" --threads 2 \
    -o "$work/np$np.h5" > "$work/np$np.out" 2>&1
  check "mpirun -np $np: exit 0" "[ $? -eq 0 ]"
  check "mpirun -np $np: same datasets as one process" "$same '$work/serial.h5' '$work/np$np.h5' > /dev/null"
done
summary
