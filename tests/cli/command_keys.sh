#!/usr/bin/env bash
# The commands that use part of a model refuse the keys they do not read (docs/model-files.md,
# "Keys the run does not read"): an override of such a key is refused by every command, and
# ensemble and compare refuse one in the model file too, each in one line naming the key,
# the command and what it reads instead, with exit status 2 and nothing written.
# propagate takes the training keys of its model file (the file describes the run too).
# Usage: command_keys.sh NNFIELD_EXE SOURCE_DIR
set -uo pipefail
exe=$1 src=$2
source "$(dirname "${BASH_SOURCE[0]}")/checks.sh"

# refused_unwritten NAME MESSAGE COMMAND...: refused (checks.sh), and no output file.
refused_unwritten() {
  refused "$@"
  check "$1: wrote nothing" "[ ! -e '$work/out.h5' ]"
}

depth="$src/models/depth_scale_tanh.toml"
teacher="$src/models/ensemble_teacher.toml"
compare="$src/models/compare_small.toml"
prop=(propagate "$depth" -o "$work/out.h5" --networks 2 --pairs 1 -q)
ens=(ensemble "$teacher" --seeds 0:2 -o "$work/out.h5" -q)
cmp=(compare "$compare" -o "$work/out.h5" -q)

refused_unwritten "propagate --set dynamics.t_end" \
  "--set dynamics.t_end=5: error: dynamics.t_end is not read by nnfield propagate: it reads only network.M, network.N, network.r, network.activation, init.sigma_w, init.sigma_b and run.seed" \
  "$exe" "${prop[@]}" --set dynamics.t_end=5
refused_unwritten "propagate --sigma-w with --set init.sigma_w" \
  "init.sigma_w is not read by nnfield propagate: --sigma-w gives sigma_w" \
  "$exe" "${prop[@]}" --sigma-w 1.2 --set init.sigma_w=1.5
refused_unwritten "propagate --set output.checkpoint_every" "output.checkpoint_every is not read by nnfield propagate" \
  "$exe" "${prop[@]}" --set output.checkpoint_every=3
refused_unwritten "ensemble --set output.trajectory" \
  "--set output.trajectory=[\"W\",\"loss\"]: error: output.trajectory is not read by nnfield ensemble: ensemble keeps only loss and z of each seed's run" \
  "$exe" "${ens[@]}" --set 'output.trajectory=["W","loss"]'
refused_unwritten "ensemble --set run.seed (jackknife)" \
  "run.seed is not read by nnfield ensemble: --seeds gives each run's seed; run.seed seeds only the resamples of --error bootstrap" \
  "$exe" "${ens[@]}" --set run.seed=7
refused_unwritten "compare --set field.p" "field.p is not read by nnfield compare: compare runs each order of --orders" \
  "$exe" "${cmp[@]}" --set field.p=1
refused_unwritten "compare --coarsen with --set field.rx" \
  "field.rx is not read by nnfield compare: --coarsen gives the coarse-graining factors" \
  "$exe" "${cmp[@]}" --coarsen 1,2 --set field.rx=4
refused_unwritten "compare --set observe.correlators" \
  "observe.correlators is not read by nnfield compare: compare's runs measure no observers" \
  "$exe" "${cmp[@]}" --set 'observe.correlators=["width"]'

# ensemble and compare refuse what they do not honour in the model file too, at its line.
sed '/^\[output\]$/a trajectory = ["W", "loss"]' "$teacher" > "$work/traj.toml"
refused_unwritten "ensemble, output.trajectory in the file" "$work/traj.toml:" "$exe" ensemble "$work/traj.toml" --seeds 0:2 \
  -o "$work/out.h5" -q
check "ensemble, output.trajectory in the file: names the key and why" \
  "grep -q 'error: output.trajectory is not read by nnfield ensemble: ensemble keeps only loss and z' '$work/err'"

# propagate: a model's training keys (and a checkpoint key for `nnfield run` of it) are taken.
sed '/^\[output\]$/a checkpoint_every = 0.5' "$depth" > "$work/ckpt.toml"
timeout 60 "$exe" propagate "$work/ckpt.toml" -o "$work/p.h5" --networks 2 --pairs 1 --set init.sigma_w=1.2 -q \
  > "$work/out" 2> "$work/err"
check "propagate, training and checkpoint keys in the file, --set init.sigma_w: exit 0" "[ $? -eq 0 ]"
# ensemble with bootstrap errors reads run.seed (their resamples' seed).
timeout 60 "$exe" ensemble "$teacher" --seeds 0:2 -o "$work/e.h5" --error bootstrap --resamples 10 \
  --set run.seed=7 --set dynamics.t_end=1.0 -q > "$work/out" 2> "$work/err"
check "ensemble --error bootstrap --set run.seed: exit 0" "[ $? -eq 0 ]"
summary
