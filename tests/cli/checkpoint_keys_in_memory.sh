#!/usr/bin/env bash
# Runs kept in memory take no checkpoints (docs/output-schema.md, "Checkpoint and restart"):
# ensemble and compare refuse a model that sets output.checkpoint_every or
# output.checkpoint_seconds, in one line naming the key and why, with exit status 2; `run`
# with a run file takes the same model. propagate runs nothing: it refuses the keys as
# overrides of keys it does not read (tests/cli/command_keys.sh).
# Usage: checkpoint_keys_in_memory.sh NNFIELD_EXE SOURCE_DIR
set -uo pipefail
exe=$1 src=$2
source "$(dirname "${BASH_SOURCE[0]}")/checks.sh"

# in_memory NAME KEY COMMAND... and by_propagate NAME KEY COMMAND...: refused (checks.sh),
# naming KEY and why.
in_memory() { refused "$1" "$2 is not read by this run: runs kept in memory" "${@:3}"; }
by_propagate() { refused "$1" "$2 is not read by nnfield propagate: it reads only" "${@:3}"; }

teacher="$src/models/ensemble_teacher.toml"
compare="$src/models/compare_small.toml"
for set in output.checkpoint_every=5 output.checkpoint_seconds=30.0; do
  key=${set%%=*}
  in_memory "ensemble --set $set" "$key" "$exe" ensemble "$teacher" --seeds 0:2 -o "$work/e.h5" --set "$set" -q
  by_propagate "propagate --set $set" "$key" "$exe" propagate "$teacher" -o "$work/p.h5" --set "$set" -q
  in_memory "compare --set $set" "$key" "$exe" compare "$compare" -o "$work/c.h5" --set "$set" -q
  check "ensemble --set $set: wrote nothing" "[ ! -e '$work/e.h5' ]"
done

# In the model file, the error points at the line.
sed '/^\[output\]$/a checkpoint_every = 4' "$teacher" > "$work/ckpt.toml"
in_memory "ensemble, key in the file" output.checkpoint_every "$exe" ensemble "$work/ckpt.toml" --seeds 0:2 \
  -o "$work/e.h5" -q
check "key in the file: located at its line" "grep -q '$work/ckpt.toml:[0-9]*:[0-9]*: error' '$work/err'"

# A run file takes checkpoints: the same setting is read by `run`.
timeout 120 "$exe" run "$teacher" -o "$work/r.h5" --set output.checkpoint_every=5 --set dynamics.t_end=1.0 -q \
  > "$work/out" 2> "$work/err"
check "run -o with output.checkpoint_every: exit 0" "[ $? -eq 0 ]"
summary
