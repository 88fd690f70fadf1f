# Checks shared by the width-split tests (width_split.sh, field_split.sh), sourced after
# tests/cli/checks.sh with $exe (nnfield) and $src (the source folder) set.

export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
same="/usr/bin/python3 $src/tests/mpi/same_datasets.py"
# mpi NP ARGS...: nnfield under mpirun. Waiting processes yield their core: on a loaded
# machine (ctest -j2) spinning ones slow all.
mpi() { local np=$1; shift; timeout 300 mpirun --oversubscribe --mca mpi_yield_when_idle 1 -np "$np" "$exe" "$@"; }

# refused_split NP NAME MESSAGE ARGS...: refused under a split, exit 2 with nnfield's one
# line (Open MPI adds its banner after it), and no output file $work/refused.h5.
refused_split() {
  local np=$1 name=$2 message=$3
  shift 3
  mpi "$np" "$@" > "$work/out" 2> "$work/err"
  local code=$?
  check "$name: exit 2 (got $code)" "[ $code -eq 2 ]"
  check "$name: says '$message'" "grep -qF -- \"\$message\" '$work/err'"
  check "$name: no output file" "[ ! -e '$work/refused.h5' ]"
}

# equals_one_process NAME MODEL TAG ARGS...: `nnfield run MODEL ARGS` on one process without
# mpirun ($work/TAG_serial.h5) and under mpirun -np K for K in $nps (default 1 2 3;
# $work/TAG_npK.h5): every dataset and the checkpoint the same, bit for bit. Needs $exe and $same.
equals_one_process() {
  local name=$1 model=$2 tag=$3
  shift 3
  "$exe" run "$model" -o "$work/${tag}_serial.h5" -q "$@"
  check "$name: one process without mpirun" "[ $? -eq 0 ]"
  for np in ${nps:-1 2 3}; do
    mpi $np run "$model" -o "$work/${tag}_np$np.h5" -q "$@" > "$work/${tag}_np$np.out" 2>&1
    check "$name, mpirun -np $np: exit 0" "[ $? -eq 0 ]"
    check "$name, mpirun -np $np: same datasets as one process" \
      "$same '$work/${tag}_serial.h5' '$work/${tag}_np$np.h5' > /dev/null"
    check "$name, mpirun -np $np: the same checkpoint" "cmp -s '$work/${tag}_serial.h5.ckpt' '$work/${tag}_np$np.h5.ckpt'"
  done
}

# resumed_split NAME SERIAL TAG RESUME_SETTING RUN_ARGS...: `nnfield run RUN_ARGS` stopped on 3
# processes ($work/TAG_part.h5), resumed on 2 with --set RESUME_SETTING: the file equals the
# uninterrupted run SERIAL, bit for bit. Needs $exe and $same.
resumed_split() {
  local name=$1 serial=$2 tag=$3 resume=$4
  shift 4
  mpi 3 run "$@" -o "$work/${tag}_part.h5" -q
  check "$name: first part on 3 processes: exit 0" "[ $? -eq 0 ]"
  mpi 2 run --resume "$work/${tag}_part.h5" -q --set "$resume"
  check "$name: resumed on 2 processes: exit 0" "[ $? -eq 0 ]"
  check "$name: resumed run equals the uninterrupted one" "$same '$serial' '$work/${tag}_part.h5' > /dev/null"
}
