#!/usr/bin/env bash
# The BBD observers of a network split along its width (docs/cluster.md): the energy flow
# (observe.energy_flow: densities, decays, rates and residuals per site, currents per link,
# the boundary currents, the layer totals, the time integrals in the state) and the
# Lagrangian (observe.lagrangian) of N = 13 over 1, 2 and 3 processes give the file one
# process writes, every dataset bit for bit, the attribute bbd_C0 and the checkpoint too;
# the continuity residual stays at round-off; a run stopped on 3 processes resumes on 2 as
# the uninterrupted run; the BBD variables (dynamics.variables = "bbd") split the same way.
# Usage: width_split_bbd.sh NNFIELD_EXE SOURCE_DIR
set -uo pipefail
exe=$1 src=$2
source "$src/tests/cli/checks.sh"
source "$src/tests/mpi/split_checks.sh"
model="$src/tests/mpi/width_split_bbd_model.toml"

equals_one_process "energy flow and Lagrangian, r = 1" "$model" r1
nps="2 3" equals_one_process "energy flow and Lagrangian, r = 2" "$model" r2 --set network.r=2
nps=3 equals_one_process "Lagrangian under gradient flow" "$model" gf --set dynamics.kind=gradient_flow \
  --set observe.energy_flow=false --set dynamics.eta=0.5
# The BBD variables (W, z): Eq. 6 and the kinematics on the blocks, the state's z split as b.
nps="2 3" equals_one_process "BBD variables, damped, with the observers" "$model" vars --set dynamics.variables=bbd
nps=3 equals_one_process "BBD variables, gradient flow" "$model" varsgf --set dynamics.variables=bbd \
  --set dynamics.kind=gradient_flow --set observe.energy_flow=false --set dynamics.eta=0.5

# bbd_C0 (sum e = E + C0) is a root attribute, which same_datasets.py does not compare; the
# continuity residual e' - (-gamma D + sum J_in - sum J_out - K_out) of the split run is at
# round-off against the rates it balances.
/usr/bin/python3 - "$work/r1_serial.h5" "$work/r1_np3.h5" "$work/r2_np2.h5" <<'PY'
import sys, h5py, numpy as np
serial = h5py.File(sys.argv[1])
for path in sys.argv[2:]:
    f = h5py.File(path)
    assert f.attrs["bbd_C0"] == serial.attrs["bbd_C0"], (path, f.attrs["bbd_C0"], serial.attrs["bbd_C0"])
    residual = np.abs(f["energy/continuity_residual"][()]).max()
    scale = max(np.abs(f["energy/rate"][()]).max(), np.abs(f["energy/current"][()]).max())
    assert scale > 1e-3 and residual < 1e-12 * scale, (path, residual, scale)
    # The layer totals are the sums of the densities: the energy books close across the blocks.
    layer, density = f["energy/layer"][()], f["energy/density"][()].sum(axis=2)
    assert np.allclose(layer, density, rtol=1e-13, atol=1e-13 * np.abs(density).max()), path
PY
check "bbd_C0 as one process's, continuity residual at round-off, layer totals" "[ $? -eq 0 ]"

# Ended at t = 0.75 on 3 processes, resumed to t = 1.5 on 2: the time integrals of the
# energy flow travel in the checkpoint a block at a time, as the parameters do.
resumed_split "energy flow" "$work/r1_serial.h5" r1 dynamics.t_end=1.5 "$model" --set dynamics.t_end=0.75

summary
