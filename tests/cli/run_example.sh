#!/usr/bin/env bash
# Smoke test of an example model: it validates, runs to completion, and the run
# file has the docs/theory.md section 6 datasets and status "complete".
# Usage: run_example.sh NNFIELD_EXE MODEL.toml
set -euo pipefail
exe=$1 model=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"   # any working directory: models name their files relative to themselves
"$exe" validate "$model"
"$exe" run "$model" -o "$work/run.h5" --progress plain
/usr/bin/python3 - "$work/run.h5" <<'PY'
import sys, h5py, numpy as np
with h5py.File(sys.argv[1], "r") as f:
    status = f.attrs["status"]
    status = status.decode() if isinstance(status, bytes) else status
    assert status == "complete", status
    for name in ["trajectory/time", "trajectory/loss", "energy/total"]:
        assert name in f, name
        assert np.all(np.isfinite(f[name][...])), name
    T = f["trajectory/time"].shape[0]
    assert T >= 2, T
    for key in ["model_text", "resolved_config", "git_hash", "build_type", "seed"]:
        assert key in f.attrs, key
    # Continuous dynamics on either lattice balance their energy to integrator accuracy
    # (the models' tolerances give <= 1e-5 of the energy scale; SGD books no dissipation).
    if "energy/balance_residual" in f:
        scale = max(1e-300, np.max(np.abs(f["energy/total"][...])))
        worst = np.max(np.abs(f["energy/balance_residual"][...])) / scale
        assert worst < 1e-4, f"energy balance residual {worst:.3g} of the energy scale"
    else:
        assert f.attrs["dynamics"] == "sgd", "continuous run without /energy/balance_residual"
    print(f"ok: {T} rows, loss {f['trajectory/loss'][0]:.4g} -> {f['trajectory/loss'][-1]:.4g}")
PY
