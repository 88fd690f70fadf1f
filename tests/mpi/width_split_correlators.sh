#!/usr/bin/env bash
# The correlators of the weights and continuum targets on a network split along its width
# (docs/cluster.md): on 1, 2 and 3 processes (N = 10: blocks of 10; 5, 5; 4, 3, 3 columns,
# r = 2) every dataset and the checkpoint equal one process's, bit for bit:
#  * observe.field = "w", every correlator and the time autocorrelation, SGD with rows not
#    due (observe.every = 2 output rows), and damped dynamics with W' in the rows and the
#    input correlator: the 2r+1 = 5 components measured on the processes, a whole w_k each,
#    in rounds of 2 + 2 + 1 and 3 + 2 components; 2r+1 = 3 components on 2 processes and on
#    4 (more processes than components: one waits);
#  * the same beside the energy flow, whose currents process 0 takes before the correlators
#    (N = 1100: messages too large for Open MPI to buffer, so a process that sent in another
#    order than process 0 receives would wait forever);
#  * data.source = "continuum" without continuum.Y: the targets (/data/Y) from the split
#    network's forward pass of its blocks of the initial state.
# Usage: width_split_correlators.sh NNFIELD_EXE SOURCE_DIR
set -uo pipefail
exe=$1 src=$2
source "$src/tests/cli/checks.sh"
source "$src/tests/mpi/split_checks.sh"

w=(--set observe.field=w --set observe.autocorrelation=true)
equals_one_process "SGD, correlators of w" "$src/tests/mpi/width_split_model.toml" sgd_w "${w[@]}" \
  --set 'observe.correlators=["width", "structure", "xi", "depth", "2d"]' --set observe.every=2.0 \
  --set dynamics.steps=100
check "SGD: a correlator row every second output row" "/usr/bin/python3 -c \"
import h5py, sys; f = h5py.File('$work/sgd_w_np3.h5')
sys.exit(not (f['correlators/2d'].shape == (3, 5, 5, 5, 10) and f['trajectory/time'].shape[0] == 6
              and f['autocorrelation'].keys()))\""

nps="2 4" equals_one_process "SGD, correlators of w, r = 1" "$src/tests/mpi/width_split_model.toml" sgd_w_r1 "${w[@]}" \
  --set 'observe.correlators=["width", "structure", "xi", "depth", "2d"]' --set network.r=1 --set dynamics.steps=60

nps="2 3" equals_one_process "damped, correlators of w with W'" "$src/tests/mpi/width_split_flow_model.toml" \
  damped_w "${w[@]}" --set 'observe.correlators=["width", "input", "xi"]' --set dynamics.kind=damped \
  --set dynamics.gamma=2.0 --set dynamics.eta_scaling=depth --set dynamics.t_end=1.0 --set 'output.trajectory=["W", "b", "z", "Wdot", "bdot"]'

nps=2 equals_one_process "correlators of w beside the energy flow" "$src/tests/mpi/width_split_bbd_model.toml" \
  bbd_w "${w[@]}" --set 'observe.correlators=["width", "depth"]' --set network.N=1100 --set dynamics.t_end=0.5

continuum="$src/tests/mpi/width_split_continuum_model.toml"
equals_one_process "continuum targets, SGD" "$continuum" continuum --set dynamics.kind=sgd --set dynamics.batch=2 \
  --set dynamics.steps=60 --set output.every_steps=10
check "continuum targets: Y is the initial output plus the misfit, not a multiple of the misfit" "/usr/bin/python3 -c \"
import h5py, numpy as np, sys; Y = h5py.File('$work/continuum_np3.h5')['data/Y'][0]
c = np.cos(2 * np.pi * np.arange(10) / 10); sys.exit(not np.linalg.norm(Y - (Y @ c) / (c @ c) * c) > 1e-2)\""
# Continuum velocities of the random weights (their neurons: a forward pass on M r ghost
# columns) under damped dynamics on the full batch.
nps=3 equals_one_process "continuum targets, damped, continuum velocities" "$continuum" continuum_damped \
  --set init.velocity=continuum --set 'continuum.phi_dot=0.1*cos(2*pi*y)' --set dynamics.kind=damped \
  --set dynamics.gamma=2.0 --set dynamics.eta_scaling=depth --set dynamics.t_end=0.5 --set output.every=0.125 \
  --set data.presentation=full_batch
summary
