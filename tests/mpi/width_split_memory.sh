#!/usr/bin/env bash
# A width-split SGD run divides process 0's memory too (docs/cluster.md, "Memory"): a wide
# network (M = 4, N = 65536, r = 7: 34 MB of parameters) run by one process without mpirun
# and by 3 processes under mpirun, each at N = 96 as well, whose peak resident memory (the
# libraries', the data's) is subtracted. One process's memory grows with N by several times
# the parameters (q, its gradient, the layers' link-major weights and their gradient, the
# workspace); process 0 of 3 must grow by less than half of that, which it did not when it
# gathered the parameters at every row (and built the whole initial state). The files are
# one process's, bit for bit.
# Usage: width_split_memory.sh NNFIELD_EXE SOURCE_DIR
set -uo pipefail
exe=$1 src=$2
source "$src/tests/cli/checks.sh"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
model="$src/tests/mpi/width_split_memory_model.toml"
peak="/usr/bin/python3 $src/tests/mpi/peak_memory.py"

# run NAME PROCESSES N: the run's files $work/NAME.h5 and process 0's peak in KiB, $work/NAME.rss.0.
run() {
  local name=$1 np=$2 N=$3
  local cmd=(run "$model" -o "$work/$name.h5" -q --set network.N="$N")
  if [ "$np" -eq 0 ]; then
    $peak "$work/$name.rss" "$exe" "${cmd[@]}"
  else
    timeout 300 mpirun --oversubscribe -np "$np" $peak "$work/$name.rss" "$exe" "${cmd[@]}"
  fi
  check "$name: exit 0" "[ $? -eq 0 ]"
}
wide=65536
run one_small 0 96
run one_wide 0 $wide
run split_small 3 96
run split_wide 3 $wide
check "split: the same datasets as one process" \
  "/usr/bin/python3 $src/tests/mpi/same_datasets.py '$work/one_wide.h5' '$work/split_wide.h5' > /dev/null"
check "split: the same checkpoint" "cmp -s '$work/one_wide.h5.ckpt' '$work/split_wide.h5.ckpt'"

kib() { cat "$work/$1.rss.0" 2> /dev/null || echo 0; }
params_kib=$(( 4 * wide * 16 * 8 / 1024 ))  # M N (K + 1) doubles
one=$(( $(kib one_wide) - $(kib one_small) ))
split=$(( $(kib split_wide) - $(kib split_small) ))
echo "parameters: $params_kib KiB; peak memory growth from N = 96 to $wide: one process $one KiB," \
     "process 0 of 3 $split KiB"
check "one process holds the parameters (growth $one KiB >= $params_kib KiB)" "[ $one -ge $params_kib ]"
check "process 0 of 3 grows by less than half of one process ($split KiB < $one / 2 KiB)" \
  "[ $split -gt 0 ] && [ $(( 2 * split )) -lt $one ]"
summary
