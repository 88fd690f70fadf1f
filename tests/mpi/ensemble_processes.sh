#!/usr/bin/env bash
# Ensembles under mpirun (docs/cluster.md): the seeds spread over 1, 2 and 3 processes
# (more processes than cores: --oversubscribe), with 1 or 2 threads each, give the same
# file as one process without mpirun, dataset for dataset and bit for bit. A process that
# fails (here process 0: the output exists) ends all of them with its status, no hang.
# Usage: ensemble_processes.sh NNFIELD_EXE SOURCE_DIR
set -uo pipefail
exe=$1 src=$2
source "$src/tests/cli/checks.sh"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
model="$src/models/ensemble_teacher.toml"
same="/usr/bin/python3 $src/tests/mpi/same_datasets.py"

"$exe" ensemble "$model" --seeds 0:9 -o "$work/serial.h5" -q
check "one process without mpirun" "[ $? -eq 0 ]"
for np in 1 2 3; do
  for threads in 1 2; do
    timeout 300 mpirun --oversubscribe -np $np "$exe" ensemble "$model" --seeds 0:9 --threads $threads \
      -o "$work/np$np.t$threads.h5" -q > "$work/np$np.out" 2>&1
    check "mpirun -np $np, $threads threads: exit 0" "[ $? -eq 0 ]"
    check "mpirun -np $np, $threads threads: same datasets as one process" \
      "$same '$work/serial.h5' '$work/np$np.t$threads.h5' > /dev/null"
  done
done
# Process 0's progress counts every process's seeds (plain lines print at the end).
timeout 300 mpirun --oversubscribe -np 3 "$exe" ensemble "$model" --seeds 0:9 --progress plain \
  -o "$work/progress.h5" > "$work/progress.out" 2>&1
check "progress under mpirun: exit 0" "[ $? -eq 0 ]"
check "progress under mpirun counts all processes' seeds (9/9)" "grep -q 'seeds 9/9 (100.0%)' '$work/progress.out'"
check "progress under mpirun: one progress writer" "[ \$(grep -c 'seeds 9/9' '$work/progress.out') -eq 1 ]"
/usr/bin/python3 -c "import h5py, sys; assert h5py.File(sys.argv[1]).attrs['processes'] == 3" "$work/np3.t1.h5"
check "the file records 3 processes" "[ $? -eq 0 ]"

timeout 120 mpirun --oversubscribe -np 2 "$exe" ensemble "$model" --seeds 0:9 -o "$work/serial.h5" -q \
  > "$work/exists.out" 2>&1
code=$?
check "a failing process 0 ends all processes with its status (4), no hang" "[ $code -eq 4 ]"
check "the failure is named" "grep -q 'serial.h5: exists' '$work/exists.out'"

# SIGINT to mpirun reaches every process: each stops taking seeds, process 0 writes the
# seeds that completed with status "interrupted" (and exits 130).
# Open MPI sends SIGTERM odls_base_sigkill_timeout seconds after mpirun's SIGINT and SIGKILL as
# long again later (default 1 s: on a loaded machine too short for process 0 to write).
mpirun --mca odls_base_sigkill_timeout 5 --oversubscribe -np 2 "$exe" ensemble "$model" --seeds 0:100000 \
  --threads 1 -o "$work/int.h5" -q \
  > "$work/int.out" 2>&1 &
interrupt $! "$work/int.h5"
# mpirun itself exits 1 after forwarding a signal (Open MPI's status, whatever the
# processes return); process 0's message says what happened.
check "interrupted: a non-zero exit (got $code)" "[ $code -ne 0 ]"
check "interrupted: process 0 says so" "grep -q 'interrupted; .*int.h5 holds the' '$work/int.out'"
/usr/bin/python3 -c "
import h5py, sys
f = h5py.File(sys.argv[1])
assert f.attrs['status'] == 'interrupted' and 0 < f.attrs['seeds_averaged'] < 100000
" "$work/int.h5"
check "interrupted: the file holds the completed seeds, status interrupted" "[ $? -eq 0 ]"
summary
