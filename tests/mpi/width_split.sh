#!/usr/bin/env bash
# One network split along its width under mpirun (docs/cluster.md): N = 10 over 1, 2 and 3
# processes (blocks of 10; 5, 5; 4, 3, 3 columns, r = 2) gives the file one process writes,
# every dataset bit for bit, for SGD (batches and batch 1), gradient flow and damped dynamics
# (a full batch, one fixed, switching or blended sample, moving sources), also with 2 threads
# in each process; the checkpoint is the
# same file; a run stopped on 3 processes resumes on 2 and ends as the uninterrupted run; what
# is not split is refused (exit 2). (Process 0's memory: width_split_memory.sh.)
# Usage: width_split.sh NNFIELD_EXE SOURCE_DIR
set -uo pipefail
exe=$1 src=$2
source "$src/tests/cli/checks.sh"
source "$src/tests/mpi/split_checks.sh"
model="$src/tests/mpi/width_split_model.toml"

"$exe" run "$model" -o "$work/serial.h5" -q
check "one process without mpirun" "[ $? -eq 0 ]"
for np in 1 2 3; do
  mpi $np run "$model" -o "$work/np$np.h5" -q > "$work/np$np.out" 2>&1
  check "mpirun -np $np: exit 0" "[ $? -eq 0 ]"
  check "mpirun -np $np: same datasets as one process" "$same '$work/serial.h5' '$work/np$np.h5' > /dev/null"
  check "mpirun -np $np: the same checkpoint" "cmp -s '$work/serial.h5.ckpt' '$work/np$np.h5.ckpt'"
done
check "the split file records its process count" \
  "/usr/bin/python3 -c \"import h5py,sys; sys.exit(float(h5py.File('$work/np3.h5').attrs['processes']) != 3)\""

# SGD at batch 1: the one-sample kernels on the blocks (the transpose reads the weights'
# ghosts; sigma takes each site the whole row's way).
equals_one_process "SGD, batch 1" "$model" sgd1 --set dynamics.batch=1

# Stopped at step 140 on 3 processes, resumed to 300 on 2: the uninterrupted run.
resumed_split "SGD" "$work/serial.h5" sgd dynamics.steps=300 "$model" --set dynamics.steps=140

# SIGINT to mpirun: every process agrees to stop at the same step (no process left waiting
# in an exchange), process 0 writes its rows with status "interrupted" and a checkpoint; the
# rows are those of one process run to the last row's step.
mpirun --mca odls_base_sigkill_timeout 5 --oversubscribe -np 2 "$exe" run "$model" -o "$work/int.h5" -q \
  --set dynamics.steps=100000000 --set output.every_steps=50 > "$work/int.out" 2>&1 &
interrupt $! "$work/int.h5"
# mpirun exits 1 after forwarding a signal (docs/cluster.md); process 0's message says more.
check "interrupted: a non-zero exit (got $code)" "[ $code -ne 0 ]"
check "interrupted: process 0 says so" "grep -q 'interrupted at step' '$work/int.out'"
check "interrupted: a checkpoint beside the file" "[ -e '$work/int.h5.ckpt' ]"
last=$(/usr/bin/python3 -c "
import h5py, sys
f = h5py.File(sys.argv[1])
assert f.attrs['status'] == 'interrupted'
print(int(f['trajectory/step'][-1]))" "$work/int.h5")
check "interrupted: status interrupted, rows written (last step $last)" "[ -n '$last' ] && [ '$last' -gt 0 ]"
"$exe" run "$model" -o "$work/int_serial.h5" -q --set dynamics.steps="${last:-50}" --set output.every_steps=50
/usr/bin/python3 -c "
import h5py, numpy as np, sys
a, b = h5py.File(sys.argv[1])['trajectory'], h5py.File(sys.argv[2])['trajectory']
for name in a:
    assert np.array_equal(a[name][()], b[name][()]), name
" "$work/int_serial.h5" "$work/int.h5"
check "interrupted: the rows equal one process's, bit for bit" "[ $? -eq 0 ]"

# Gradient flow and damped dynamics (adaptive dopri5): each process integrates its block of the
# state; the error norm, the energy sums and the loss are one process's, so are the steps.
flow="$src/tests/mpi/width_split_flow_model.toml"
for kind in gradient_flow damped; do
  extra=()
  [ $kind = damped ] && extra=(--set dynamics.kind=damped --set dynamics.gamma=2.0 --set dynamics.eta_scaling=depth
    --set 'output.trajectory=["W", "b", "z", "loss", "gain", "Wdot", "bdot"]')
  equals_one_process "$kind" "$flow" "$kind" "${extra[@]}"
  # Ended at t = 1 on 3 processes, resumed to t = 2 on 2: the uninterrupted run.
  resumed_split "$kind" "$work/${kind}_serial.h5" "$kind" dynamics.t_end=2.0 "$flow" "${extra[@]}" \
    --set dynamics.t_end=1.0
done
# One presented sample and moving data: the one-sample kernels, and the data power
# dL/dX . X' + dL/dY . Y' continued block by block, each sample in width order.
equals_one_process "gradient flow, one fixed sample" "$flow" fixed --set data.presentation=fixed
nps="2 3" equals_one_process "damped, blended samples" "$flow" blend --set data.presentation=blend \
  --set data.tau=0.3 --set dynamics.kind=damped --set dynamics.gamma=2.0 --set dynamics.eta_scaling=depth
nps=3 equals_one_process "gradient flow, switching samples" "$flow" switch --set data.presentation=switch \
  --set data.tau=0.3
moving="$src/tests/mpi/width_split_moving_model.toml"
equals_one_process "gradient flow, moving sources" "$moving" moving
check "moving sources do work" "/usr/bin/python3 -c \"import h5py,sys; sys.exit(not h5py.File('$work/moving_np3.h5')['energy/data_work'][-1] > 0)\""
nps=3 equals_one_process "damped, moving sources on a full batch of 3" "$moving" moving3 \
  --set continuum.samples=3 --set data.presentation=full_batch --set dynamics.kind=damped --set dynamics.gamma=2.0

# Threads inside each process (--threads 2): the chunks of a block's batch exchange their
# halos in chunk order, the same on every process; wide and deep enough that the batch is
# cut into chunks (Network: 65 536 link terms a sweep at least).
big=(--set network.N=203 --set network.M=12 --set data.samples=24)
nps="2 3" equals_one_process "SGD, 2 threads a process" "$model" sgd_threads "${big[@]}" \
  --set dynamics.batch=24 --set dynamics.steps=30 --threads 2
nps=3 equals_one_process "damped, 2 threads a process" "$flow" damped_threads "${big[@]}" --set dynamics.t_end=0.5 \
  --set dynamics.kind=damped --set dynamics.gamma=2.0 --set dynamics.eta_scaling=depth --threads 2
# Every process must cut its batch alike: another thread count on another process is refused.
timeout 120 mpirun --oversubscribe -np 1 "$exe" run "$model" -o "$work/refused.h5" -q --threads 1 : \
  -np 1 "$exe" run "$model" -o "$work/refused.h5" -q --threads 2 > "$work/out" 2> "$work/err"
code=$?
check "thread counts that differ: exit 2 (got $code)" "[ $code -eq 2 ]"
check "thread counts that differ: says so" "grep -qF 'give every process the same --threads' '$work/err'"
check "thread counts that differ: no output file" "[ ! -e '$work/refused.h5' ]"

# A step size below integrator.dt_min is found on every process at the same step (the error
# norm is reduced): exit 3, the rows and status of one process.
blow=(--set dynamics.eta=1e12 --set integrator.dt_min=1e-6)
"$exe" run "$flow" -o "$work/blow_serial.h5" -q "${blow[@]}" > /dev/null 2>&1
serial_code=$?
mpi 3 run "$flow" -o "$work/blow_np3.h5" -q "${blow[@]}" > "$work/blow.out" 2>&1
split_code=$?
check "blow-up: exit 3 on one process and on 3 (got $serial_code, $split_code)" \
  "[ $serial_code -eq 3 ] && [ $split_code -eq 3 ]"
check "blow-up: same datasets and status as one process" \
  "$same '$work/blow_serial.h5' '$work/blow_np3.h5' > /dev/null"

# Refused under a split (split_checks.sh).
refused_split 3 "blocks narrower than r" "blocks of 1 columns, fewer than network.r = 2" \
  run "$model" -o "$work/refused.h5" -q --set network.N=5
summary
