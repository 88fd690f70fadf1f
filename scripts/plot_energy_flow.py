#!/usr/bin/env python3
"""Plot the energy flow of a run recorded with [observe] energy_flow = true (network or field).

    /usr/bin/python3 scripts/plot_energy_flow.py RUN.h5 -o flow.pdf [--width single|double|INCHES]

Network runs (docs/bbd.md): (1) the layer energy sum_i e^(m)_i over depth m and time t; (2) the
net current into each layer through its in-links (layer 1: the input boundary flux K_in),
symmetric log colour scale (deep currents are orders of magnitude weaker than the bursts at the
boundaries, and both matter); (3) the powers: input flux sum K_in, output flux -sum K_out,
dissipation -gamma sum D and dE/dt = sum of the site rates e' (the first three add up to it);
(4) the largest continuity residual per row.

Field runs (docs/field-limit.md section 6): (1) the line energy sum_b e(a, b) over depth x and
t; (2) the energy current sum_b Phi(a, b) through each line toward the output; (3) the flux
through the first and the last line, -gamma sum D and dE/dt (= -gamma sum D: the boundary data
are fixed); (4) the largest site and interval residuals per row.

Colour ranges are percentiles of the data (arrows on the colour bar: the range clips), so one
spike does not flatten the rest. The output's extension picks PDF or PNG.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plotting_common as pc  # noqa: E402

COMMON = ["/trajectory/time", "/energy/layer", "/energy/decay", "/energy/rate", "/energy/continuity_residual"]
NETWORK = COMMON + ["/energy/current", "/energy/boundary_out"]
FIELD = COMMON + ["/energy/flux", "/energy/interval_residual", "/grid/x"]


def read(path):
    with pc.open_h5(path) as f:
        field = "energy/flux" in f or pc.text(f.attrs.get("solver", "")) == "field"
        names = FIELD if field else NETWORK
        if not any(n in f for n in names[1:] if n.startswith("/energy/")):
            raise pc.PlotError(f"{path}: no energy flow (run with [observe] energy_flow = true)")
        data, sources = pc.read_datasets(f, names, required=names)
        gamma = 0.0
        if "resolved_config" in f.attrs:
            import tomllib
            config = tomllib.loads(pc.text(f.attrs["resolved_config"]))
            gamma = float(config.get("dynamics", {}).get("gamma", 0.0))
        labels = {"time": pc.dataset_label(sources["/trajectory/time"], "time t"),
                  "power": pc.dataset_label(sources["/energy/rate"], "power"),
                  "layer": pc.dataset_label(sources["/energy/layer"], "line energy" if field else "layer energy")}
        title = f"{pc.file_title(f, path)}  (gamma = {gamma:g})"
    data = pc.truncate_rows(data, [n for n in names if n != "/grid/x"])
    return data, field, gamma, labels, title


def depth_axis(data, field):
    """Image extent in depth and its label: the grid's lines x for a field, layers m = 1..M."""
    if field:
        x = data["/grid/x"]
        half = 0.5 * (x[1] - x[0]) if len(x) > 1 else 0.5
        return (x[0] - half, x[-1] + half), "depth x"
    M = data["/energy/layer"].shape[1]
    return (0.5, M + 0.5), "layer m"


def symlog_ticks(norm):
    """0 and the decades from ten times the linear threshold up to the top (every other one when
    there are more than four), both signs: the default locator crowds labels at the threshold."""
    import numpy as np

    first, last = int(np.ceil(np.log10(norm.linthresh))) + 1, int(np.floor(np.log10(norm.vmax)))
    decades = [10.0**e for e in range(last, first - 1, -1 if last - first < 4 else -2)]
    return sorted([-d for d in decades] + [0.0] + decades)


def power_panel(ax, data, field, gamma, label):
    t = data["/trajectory/time"]
    if field:
        flux = data["/energy/flux"].sum(axis=2)
        ax.plot(t, flux[:, 0], color="C0", label="flux through the first line  sum Phi(0)")
        ax.plot(t, flux[:, -1], color="C1", label="flux through the last line  sum Phi(x = Lx)")
    else:
        ax.plot(t, data["/energy/current"][:, 0].sum(axis=(1, 2)), color="C0", label="input flux  sum K_in")
        ax.plot(t, -data["/energy/boundary_out"].sum(axis=1), color="C1", label="output flux  -sum K_out")
    ax.plot(t, -gamma * data["/energy/decay"].sum(axis=(1, 2)), color="C2", label="dissipation  -gamma sum D")
    ax.plot(t, data["/energy/rate"].sum(axis=(1, 2)), color="k", ls="--", label="dE/dt = sum of site rates e'")
    ax.axhline(0, color="k", lw=0.4)
    ax.set_ylabel(label)
    pc.legend_above(ax)


def residual_panel(ax, data, field):
    import numpy as np

    t, floor = data["/trajectory/time"], 1e-18   # exact zeros on a log axis
    site = np.abs(data["/energy/continuity_residual"]).max(axis=(1, 2))
    ax.semilogy(t, np.maximum(site, floor), color="k", label="site continuity")
    if field:
        interval = np.abs(data["/energy/interval_residual"]).max(axis=1)
        ax.semilogy(t, np.maximum(interval, floor), color="C3", label="depth interval")
    ax.set_ylabel("max |residual|")
    pc.legend_above(ax)


@pc.paper_style
def figure(path, width="double"):
    import matplotlib.colors
    import matplotlib.ticker
    import numpy as np

    data, field, gamma, labels, title = read(path)
    t = data["/trajectory/time"]
    (lo, hi), depth_label = depth_axis(data, field)
    extent = [t[0], t[-1], lo, hi]
    fig, axes = pc.new_figure(width, 4, 1, 1.6, sharex=True, gridspec_kw={"height_ratios": [3, 3, 2.5, 2]})
    axes = axes[:, 0]

    pc.image(fig, axes[0], data["/energy/layer"], extent, labels["layer"])
    axes[0].set_ylabel(depth_label)
    axes[0].set_title(title)
    axes[1].set_title("current into each layer (layer 1: K_in)" if not field else "current through each line")

    if field:
        inflow = data["/energy/flux"].sum(axis=2)
        label = "sum_b Phi (symlog)"
    else:
        inflow = data["/energy/current"].sum(axis=(2, 3))
        label = "sum J_in (symlog)"
    _, top = pc.color_range(inflow, symmetric=True)
    norm = matplotlib.colors.SymLogNorm(linthresh=top * 1e-3, vmin=-top, vmax=top, base=10)
    bar = pc.image(fig, axes[1], inflow, extent, label, norm=norm).colorbar
    bar.set_ticks(symlog_ticks(norm))
    bar.minorticks_off()
    axes[1].set_ylabel(depth_label)

    power_panel(axes[2], data, field, gamma, labels["power"])
    residual_panel(axes[3], data, field)
    axes[3].set_xlabel(labels["time"])
    for ax in axes[2:]:
        ax.grid(True, alpha=0.3)
    if not field:
        for ax in axes[:2]:
            ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    if not np.all(np.isfinite(inflow)):
        print("plot_energy_flow.py: note: non-finite currents (the run blew up?)", file=sys.stderr)
    return fig


def main():
    parser = pc.figure_parser(__doc__.split("\n")[0], "run file with /energy flow datasets (network or field)")
    return pc.run_script("plot_energy_flow.py", parser, lambda args, width: figure(args.input, width))


if __name__ == "__main__":
    sys.exit(main())
