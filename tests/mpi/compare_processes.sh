#!/usr/bin/env bash
# compare under mpirun (docs/cluster.md): the network and field runs of every level,
# spread over 1, 2 and 3 processes, give the same file as one process, bit for bit.
# Usage: compare_processes.sh NNFIELD_EXE SOURCE_DIR
set -uo pipefail
exe=$1 src=$2
source "$src/tests/cli/checks.sh"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
model="$src/models/compare_small.toml"
same="/usr/bin/python3 $src/tests/mpi/same_datasets.py"

"$exe" compare "$model" -o "$work/serial.h5" > "$work/serial.txt" 2> /dev/null
check "one process without mpirun" "[ $? -eq 0 ]"
for np in 1 2 3; do
  timeout 300 mpirun --oversubscribe -np $np "$exe" compare "$model" -o "$work/np$np.h5" \
    > "$work/np$np.txt" 2> "$work/np$np.err"
  check "mpirun -np $np: exit 0" "[ $? -eq 0 ]"
  check "mpirun -np $np: same datasets as one process" "$same '$work/serial.h5' '$work/np$np.h5' > /dev/null"
  check "mpirun -np $np: the same table, printed once" "cmp -s '$work/serial.txt' '$work/np$np.txt'"
done
# Process 0 prints a line for each of its runs, with the runs done by all processes:
# increasing counts of one total, each at least the line's own number.
/usr/bin/python3 - "$work/np3.err" << 'EOF'
import re, sys
counts = [(int(a), int(b)) for a, b in re.findall(r"\[(\d+)/(\d+) runs, ETA", open(sys.argv[1]).read())]
assert counts, "no progress lines"
total = counts[0][1]
assert all(b == total for _, b in counts), counts
done = [a for a, _ in counts]
assert done == sorted(set(done)) and done[-1] <= total, done
assert all(a >= i + 1 for i, a in enumerate(done)), done
EOF
check "mpirun -np 3: progress lines count every process's runs" "[ $? -eq 0 ]"
summary
