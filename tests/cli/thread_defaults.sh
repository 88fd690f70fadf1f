#!/usr/bin/env bash
# The default thread count (include/nnfield/numerics/thread_count.hpp), observed through the
# root attribute "threads" every output file records: the CPUs the process may use (taskset
# -c 0 gives 1), capped by NNFIELD_THREADS, else OMP_NUM_THREADS; --threads overrides both;
# invalid values are refused with one line naming the variable, exit 2, no output file.
# Every parallel command (run, ensemble, propagate, compare) takes --threads and records it.
# Usage: thread_defaults.sh NNFIELD_EXE SOURCE_DIR
set -uo pipefail
exe=$1 src=$2
source "$(dirname "${BASH_SOURCE[0]}")/checks.sh"
cd "$src"
unset NNFIELD_THREADS OMP_NUM_THREADS

model=(models/teacher_tanh.toml --set dynamics.t_end=1 -q)
threads_of() { /usr/bin/python3 -c 'import sys, h5py; print(int(h5py.File(sys.argv[1], "r").attrs["threads"]))' "$1"; }
# runs `nnfield run` with the environment assignments given, prints the threads recorded
run_threads() {
  rm -f "$work/run.h5"
  env "$@" "$exe" run "${model[@]}" -o "$work/run.h5" > /dev/null 2>&1 && threads_of "$work/run.h5"
}
cpus=$(nproc)

check "taskset -c 0: default 1 thread" "[ \"\$(run_threads taskset -c 0)\" = 1 ]"
check "no variable: default = the CPUs of the affinity mask ($cpus)" "[ \"\$(run_threads)\" = $cpus ]"
check "NNFIELD_THREADS above the CPUs does not raise the count" "[ \"\$(run_threads NNFIELD_THREADS=999)\" = $cpus ]"
rm -f "$work/run.h5"
taskset -c 0 "$exe" run "${model[@]}" -o "$work/run.h5" --threads 3 > /dev/null 2>&1
check "--threads 3 under taskset -c 0 records 3" "[ \"\$(threads_of $work/run.h5)\" = 3 ]"
if [ "$cpus" -ge 2 ]; then
  check "NNFIELD_THREADS=1 caps" "[ \"\$(run_threads NNFIELD_THREADS=1)\" = 1 ]"
  check "OMP_NUM_THREADS=1 caps" "[ \"\$(run_threads OMP_NUM_THREADS=1)\" = 1 ]"
  check "OMP_NUM_THREADS=1,4: the first of a list" "[ \"\$(run_threads OMP_NUM_THREADS=1,4)\" = 1 ]"
  check "NNFIELD_THREADS wins over OMP_NUM_THREADS" "[ \"\$(run_threads NNFIELD_THREADS=2 OMP_NUM_THREADS=1)\" = 2 ]"
  check "a valid NNFIELD_THREADS leaves OMP_NUM_THREADS unread" "[ \"\$(run_threads NNFIELD_THREADS=1 OMP_NUM_THREADS=abc)\" = 1 ]"
else
  echo "skip: the cap checks need 2 CPUs, this process may use $cpus"
fi

# Bad values: exit 2, one line naming the variable and value, no output file.
refused() {  # NAME VARIABLE=VALUE
  rm -f "$work/bad.h5"
  env "$2" "$exe" run "${model[@]}" -o "$work/bad.h5" > /dev/null 2> "$work/bad.err"
  local code=$?
  local variable=${2%%=*}
  check "$1: exit 2" "[ $code -eq 2 ]"
  check "$1: one line naming $variable" "[ \$(wc -l < $work/bad.err) -eq 1 ] && grep -q \"^nnfield: $variable=\" $work/bad.err"
  check "$1: no output file" "[ ! -e $work/bad.h5 ]"
}
refused "NNFIELD_THREADS=abc" NNFIELD_THREADS=abc
refused "NNFIELD_THREADS=0" NNFIELD_THREADS=0
refused "NNFIELD_THREADS=-2" NNFIELD_THREADS=-2
refused "NNFIELD_THREADS empty" NNFIELD_THREADS=
refused "NNFIELD_THREADS=2x" NNFIELD_THREADS=2x
refused "OMP_NUM_THREADS=abc" OMP_NUM_THREADS=abc
refused "OMP_NUM_THREADS=0" OMP_NUM_THREADS=0
"$exe" run "${model[@]}" -o "$work/bad.h5" --threads -1 > /dev/null 2>&1
check "--threads -1: exit 2" "[ $? -eq 2 ]"

# Every parallel command takes --threads and records it; its default is the same function's.
rm -f "$work"/*.h5
"$exe" ensemble models/ensemble_teacher.toml --set dynamics.t_end=1 --seeds 0:2 -q -o "$work/ens.h5" --threads 3
check "ensemble --threads 3 records 3" "[ \"\$(threads_of $work/ens.h5)\" = 3 ]"
taskset -c 0 "$exe" ensemble models/ensemble_teacher.toml --set dynamics.t_end=1 --seeds 0:2 -q -o "$work/ens1.h5"
check "ensemble under taskset -c 0 records 1" "[ \"\$(threads_of $work/ens1.h5)\" = 1 ]"
"$exe" propagate models/depth_scale_tanh.toml --networks 4 --pairs 1 -q -o "$work/prop.h5" --threads 3 > /dev/null
check "propagate --threads 3 records 3" "[ \"\$(threads_of $work/prop.h5)\" = 3 ]"
NNFIELD_THREADS=1 "$exe" propagate models/depth_scale_tanh.toml --networks 4 --pairs 1 -q -o "$work/prop1.h5" > /dev/null
check "propagate under NNFIELD_THREADS=1 records 1" "[ \"\$(threads_of $work/prop1.h5)\" = 1 ]"
"$exe" compare models/compare_small.toml --levels 2 --orders 1 -q -o "$work/conv.h5" --threads 3 > /dev/null
check "compare --threads 3 records 3" "[ \"\$(threads_of $work/conv.h5)\" = 3 ]"
NNFIELD_THREADS=abc "$exe" compare models/compare_small.toml --levels 2 --orders 1 -q -o "$work/conv2.h5" > /dev/null 2>&1
check "compare refuses NNFIELD_THREADS=abc with exit 2" "[ $? -eq 2 ] && [ ! -e $work/conv2.h5 ]"

# Field runs take the default and --threads like network runs, and record them.
"$exe" run models/compare_small.toml -q -o "$work/field.h5"
check "a field run records the default ($cpus)" "[ \"\$(threads_of $work/field.h5)\" = $cpus ]"
"$exe" run models/compare_small.toml -q -o "$work/field2.h5" --threads 3
check "a field run with --threads 3 records 3" "[ \"\$(threads_of $work/field2.h5)\" = 3 ]"
summary
