#!/usr/bin/env bash
# A width-split SGD run divides process 0's memory too (docs/cluster.md, "Memory"): a wide
# network (M = 4, N = 65536, r = 7: 34 MB of parameters) run by one process without mpirun
# and by 3 processes under mpirun, each at N = 96 as well, whose peak resident memory (the
# libraries', the data's) is subtracted. One process's memory grows with N by several times
# the parameters (q, its gradient, the layers' link-major weights and their gradient, the
# workspace); process 0 of 3 must grow by less than half of that, which it did not when it
# gathered the parameters at every row (and built the whole initial state). The same with
# init.kind = "file" (a file with velocities too, which an SGD run does not use but reads):
# process 0 of 3 reads its block's hyperslabs, so its peak is the random kind's, within half
# the parameters' size; before issue 15 every process read the whole file and held the whole
# state besides (4 times the parameters, more than the run itself holds on process 0). And
# with data.source = "continuum" without continuum.Y: the targets' initial-network output is
# the split network's, so process 0 of 3 grows as on random data, within half the parameters'
# size (every process built and ran the whole initial network for them before: 141 MB against
# 101 MB). The files are one process's, bit for bit (width_split_correlators.sh checks the
# continuum targets' files).
# Usage: width_split_memory.sh NNFIELD_EXE SOURCE_DIR
set -uo pipefail
exe=$1 src=$2
source "$src/tests/cli/checks.sh"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
model="$src/tests/mpi/width_split_memory_model.toml"
peak="/usr/bin/python3 $src/tests/mpi/peak_memory.py"

# run NAME PROCESSES N [ARGS...]: the run's files $work/NAME.h5 and process 0's peak in KiB,
# $work/NAME.rss.0.
run() {
  local name=$1 np=$2 N=$3
  shift 3
  local cmd=(run "${run_model:-$model}" -o "$work/$name.h5" -q --set network.N="$N" "$@")
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
/usr/bin/python3 -c "
import h5py, numpy as np, sys
g, N = np.random.default_rng(5), int(sys.argv[2])
with h5py.File(sys.argv[1], 'w') as f:
    for name, shape in (('W', (4, N, 15)), ('b', (4, N)), ('Wdot', (4, N, 15)), ('bdot', (4, N))):
        f[name] = 0.25 * g.standard_normal(shape)
" "$work/init.h5" $wide
file=(--set init.kind=file --set init.file="$work/init.h5")
run one_file 0 $wide "${file[@]}"
run split_file 3 $wide "${file[@]}"
# The same network on two continuum samples, targets from the initial network's output.
sed -e 's/^source = "random"/source = "continuum"/' -e '/^samples = 2$/d' "$model" > "$work/continuum.toml"
printf '\n[continuum]\nX = "sin(2*pi*y)"\nmisfit = "0.3*cos(2*pi*y)"\nsamples = 2\n' >> "$work/continuum.toml"
run_model="$work/continuum.toml" run split_continuum 3 $wide
for kind in "" _file; do
  one=one${kind:-_wide} split=split${kind:-_wide}
  check "split$kind: the same datasets as one process" \
    "/usr/bin/python3 $src/tests/mpi/same_datasets.py '$work/$one.h5' '$work/$split.h5' > /dev/null"
  check "split$kind: the same checkpoint" "cmp -s '$work/$one.h5.ckpt' '$work/$split.h5.ckpt'"
done

kib() { cat "$work/$1.rss.0" 2> /dev/null || echo 0; }
params_kib=$(( 4 * wide * 16 * 8 / 1024 ))  # M N (K + 1) doubles
one=$(( $(kib one_wide) - $(kib one_small) ))
split=$(( $(kib split_wide) - $(kib split_small) ))
echo "parameters: $params_kib KiB; peak memory growth from N = 96 to $wide: one process $one KiB," \
     "process 0 of 3 $split KiB"
check "one process holds the parameters (growth $one KiB >= $params_kib KiB)" "[ $one -ge $params_kib ]"
check "process 0 of 3 grows by less than half of one process ($split KiB < $one / 2 KiB)" \
  "[ $split -gt 0 ] && [ $(( 2 * split )) -lt $one ]"
file_split=$(( $(kib split_file) - $(kib split_small) ))
echo "init.kind = file: process 0 of 3 $file_split KiB"
check "file: process 0 of 3 grows by less than random's and half the parameters ($file_split KiB < $split + $params_kib / 2 KiB)" \
  "[ $file_split -gt 0 ] && [ $(( 2 * (file_split - split) )) -lt $params_kib ]"
continuum_split=$(( $(kib split_continuum) - $(kib split_small) ))
echo "data.source = continuum: process 0 of 3 $continuum_split KiB"
check "continuum targets: process 0 of 3 grows by less than random's and half the parameters ($continuum_split KiB < $split + $params_kib / 2 KiB)" \
  "[ $continuum_split -gt 0 ] && [ $(( 2 * (continuum_split - split) )) -lt $params_kib ]"
summary
