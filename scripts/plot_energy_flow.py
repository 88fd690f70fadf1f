#!/usr/bin/python3
"""Plot the energy flow of an nnfield run recorded with [observe] energy_flow = true.

    plot_energy_flow.py RUN.h5 -o flow.png

Panels: (1) the layer energy sum_i e^(m)_i over depth m and training time t;
(2) the net current into each layer through its in-links (layer 1: the input
boundary flux K_in), over depth and time; (3) the boundary fluxes and the
dissipation: input flux sum K_in, output flux -sum K_out, -gamma sum D, and dE/dt
of the site energies; (4) the continuity residual per layer (max over sites).
Reads only HDF5 (h5py); Debian's /usr/bin/python3.
"""
import argparse
import sys

REQUIRED = ["/energy/layer", "/energy/current", "/energy/boundary_out", "/energy/decay",
            "/energy/continuity_residual", "/trajectory/time"]


def fail(message):
    print(f"plot_energy_flow.py: error: {message}", file=sys.stderr)
    sys.exit(1)


def text(value):
    return value.decode() if isinstance(value, bytes) else str(value)


def read(path):
    import h5py
    import numpy as np
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        fail(f"{path}: cannot open ({e})")
    with f:
        missing = [name for name in REQUIRED if name not in f]
        if missing:
            fail(f"{path}: missing {', '.join(missing)} (run with [observe] energy_flow = true)")
        data = {name: f[name][...] for name in REQUIRED}
        T = min(len(v) for v in data.values())  # an interrupted run: shortest series
        data = {k: v[:T] for k, v in data.items()}
        gamma = 0.0
        if "resolved_config" in f.attrs:
            import tomllib
            gamma = tomllib.loads(text(f.attrs["resolved_config"])).get("dynamics", {}).get("gamma", 0.0)
        title = text(f.attrs.get("model_path", path))
    return data, float(gamma), title, np


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run")
    ap.add_argument("-o", "--output", required=True)
    args = ap.parse_args()
    d, gamma, title, np = read(args.run)
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.colors
    import matplotlib.pyplot as plt

    t = d["/trajectory/time"]
    layer = d["/energy/layer"]                       # (T, M)
    inflow = d["/energy/current"].sum(axis=(2, 3))   # (T, M): into layer m through its in-links
    k_in = inflow[:, 0]
    k_out = d["/energy/boundary_out"].sum(axis=1)
    dissipation = gamma * d["/energy/decay"].sum(axis=(1, 2))
    M = layer.shape[1]
    extent = [t[0], t[-1], 0.5, M + 0.5]

    fig, axes = plt.subplots(4, 1, figsize=(9, 12), sharex=True,
                             gridspec_kw={"height_ratios": [3, 3, 2, 1.5]})
    im = axes[0].imshow(layer.T, aspect="auto", origin="lower", extent=extent, cmap="viridis")
    axes[0].set_ylabel("depth m")
    axes[0].set_title("layer energy  sum_i e^(m)_i")
    fig.colorbar(im, ax=axes[0], pad=0.01)
    vmax = np.abs(inflow).max() or 1.0
    # Symmetric log scale: currents deep in the network are orders of magnitude
    # weaker than the bursts near the boundaries, and both matter.
    norm = matplotlib.colors.SymLogNorm(linthresh=vmax * 1e-3, vmin=-vmax, vmax=vmax, base=10)
    im = axes[1].imshow(inflow.T, aspect="auto", origin="lower", extent=extent, cmap="RdBu_r", norm=norm)
    axes[1].set_ylabel("depth m")
    axes[1].set_title("net current into layer m through its in-links (m = 1: input boundary K_in; symlog)")
    fig.colorbar(im, ax=axes[1], pad=0.01)
    axes[2].plot(t, -k_out, color="C1", label="output boundary flux  -sum K_out")
    axes[2].plot(t, -dissipation, color="C2", label="dissipation  -gamma sum D")
    axes[2].axhline(0, color="k", lw=0.5)
    axes[2].set_ylabel("power")
    # The input flux is often much smaller than the output flux: its own axis.
    twin = axes[2].twinx()
    twin.plot(t, k_in, color="C0", label="input boundary flux  sum K_in (right axis)")
    twin.set_ylabel("input flux", color="C0")
    lines = axes[2].get_lines()[:2] + twin.get_lines()
    axes[2].legend(lines, [line.get_label() for line in lines], loc="best", fontsize=8)
    residual = np.abs(d["/energy/continuity_residual"]).max(axis=2)  # (T, M)
    axes[3].semilogy(t, np.maximum(residual.max(axis=1), 1e-18), color="k")
    axes[3].set_ylabel("max |residual|")
    axes[3].set_xlabel("training time t")
    fig.suptitle(f"{title}  (gamma = {gamma:g})")
    fig.tight_layout()
    fig.savefig(args.output, dpi=110)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
