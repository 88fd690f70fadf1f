#!/usr/bin/env bash
# Runs kept in memory take no checkpoints (docs/output-schema.md, "Checkpoint and restart"):
# ensemble, propagate and compare refuse a model that sets output.checkpoint_every or
# output.checkpoint_seconds, in one line naming the key and why, with exit status 2; `run`
# with a run file takes the same model.
# Usage: checkpoint_keys_in_memory.sh NNFIELD_EXE SOURCE_DIR
set -uo pipefail
exe=$1 src=$2
source "$(dirname "${BASH_SOURCE[0]}")/checks.sh"

# refused NAME KEY COMMAND...: exit 2, one line on stderr naming KEY and why.
refused() {
  local name=$1 key=$2
  shift 2
  expect 2 "$name" "$@"
  check "$name: names $key and why" "grep -q '$key is not read by this run: runs kept in memory' '$work/err'"
}

teacher="$src/models/ensemble_teacher.toml"
compare="$src/models/compare_small.toml"
for set in output.checkpoint_every=5 output.checkpoint_seconds=30.0; do
  key=${set%%=*}
  refused "ensemble --set $set" "$key" "$exe" ensemble "$teacher" --seeds 0:2 -o "$work/e.h5" --set "$set" -q
  refused "propagate --set $set" "$key" "$exe" propagate "$teacher" -o "$work/p.h5" --set "$set" -q
  refused "compare --set $set" "$key" "$exe" compare "$compare" -o "$work/c.h5" --set "$set" -q
  check "ensemble --set $set: wrote nothing" "[ ! -e '$work/e.h5' ]"
done

# In the model file, the error points at the line.
sed '/^\[output\]$/a checkpoint_every = 4' "$teacher" > "$work/ckpt.toml"
refused "ensemble, key in the file" output.checkpoint_every "$exe" ensemble "$work/ckpt.toml" --seeds 0:2 \
  -o "$work/e.h5" -q
check "key in the file: located at its line" "grep -q '$work/ckpt.toml:[0-9]*:[0-9]*: error' '$work/err'"

# A run file takes checkpoints: the same setting is read by `run`.
timeout 120 "$exe" run "$teacher" -o "$work/r.h5" --set output.checkpoint_every=5 --set dynamics.t_end=1.0 -q \
  > "$work/out" 2> "$work/err"
check "run -o with output.checkpoint_every: exit 0" "[ $? -eq 0 ]"
summary
