#!/usr/bin/python3
"""Velocities as trajectory outputs (docs/output-schema.md): on a damped network run
/trajectory/Wdot and bdot are the velocities whose kinetic energy /energy/kinetic books
(equal to rounding); on a damped field run /trajectory/w_dot, beta_dot, w_in_dot, b_in_dot
agree with central differences of w, beta, w_in, b_in (to the differences' O(dt^2) error);
asking for Wdot on first-order dynamics is refused (exit 2, naming output.trajectory).

    velocity_outputs.py NNFIELD_EXE
"""
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

EXE = sys.argv[1]
MODELS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "restart_models")


def run(model, out, *sets):
    args = [EXE, "run", os.path.join(MODELS, model), "-o", out, "-q"]
    for s in sets:
        args += ["--set", s]
    return subprocess.run(args, capture_output=True, text=True)


def main():
    with tempfile.TemporaryDirectory() as work:
        net, field = os.path.join(work, "net.h5"), os.path.join(work, "field.h5")
        if run("damped_dopri5_switch.toml", net).returncode or run("field_damped_energy_flow.toml", field).returncode:
            sys.exit("FAIL: the damped runs did not complete")
        with h5py.File(net, "r") as f:
            W, b, K = f["trajectory/Wdot"][()], f["trajectory/bdot"][()], f["energy/kinetic"][()]
        kinetic = 0.5 * ((W ** 2).sum(axis=(1, 2, 3)) + (b ** 2).sum(axis=(1, 2)))
        err = np.max(np.abs(kinetic - K)) / np.max(np.abs(K))
        if not err < 1e-12:
            sys.exit(f"FAIL: 1/2 (|Wdot|^2 + |bdot|^2) differs from /energy/kinetic by {err:.3g} (relative)")
        with h5py.File(field, "r") as f:
            t = f["trajectory/time"][()]
            for name in ["w", "beta", "w_in", "b_in"]:
                q, v = f["trajectory/" + name][()], f["trajectory/" + name + "_dot"][()]
                dt = (t[2:] - t[:-2]).reshape((-1,) + (1,) * (q.ndim - 1))
                err = np.max(np.abs((q[2:] - q[:-2]) / dt - v[1:-1])) / np.max(np.abs(v))
                if not err < 0.05:
                    sys.exit(f"FAIL: /trajectory/{name}_dot differs from the differences of {name} by {err:.3g}")
        refused = run("rkf78_full_batch.toml", os.path.join(work, "gf.h5"), 'output.trajectory=["W", "Wdot"]')
        if refused.returncode != 2 or "output.trajectory" not in refused.stderr:
            sys.exit(f"FAIL: Wdot on gradient flow: exit {refused.returncode}, {refused.stderr.strip()!r}")
    print("Wdot, bdot and the field velocities are the runs' velocities; Wdot on gradient flow is refused")


main()
