#!/usr/bin/env python3
"""Plot the loss and the energy of an nnfield run, field run or ensemble file.

    /usr/bin/python3 scripts/plot_run.py RUN.h5 -o run.pdf [--width single|double|INCHES]

Reads /trajectory/time, /trajectory/loss, /energy/total and, when present,
/trajectory/train_loss, /energy/kinetic, /energy/potential, /energy/dissipated and
/energy/data_work (docs/theory.md section 6). Two panels: the loss against time (log scale when
it is positive throughout), and the energy against time (total, kinetic, potential, plus the
balance E(0) - dissipated + data_work, dashed, when both series are present: it lies on the
total when energy is accounted for). An ensemble file (`nnfield ensemble`) holds the means and
`<name>_error`: each series gets its error band. Series of unequal length (an interrupted run)
are cut to the shortest. The output's extension picks PDF or PNG.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plotting_common as pc  # noqa: E402

REQUIRED = ("/trajectory/time", "/trajectory/loss", "/energy/total")
OPTIONAL = ("/trajectory/train_loss", "/energy/kinetic", "/energy/potential", "/energy/dissipated",
            "/energy/data_work")
SERIES = REQUIRED + OPTIONAL
LABELS = {"/trajectory/loss": "loss of the presented data", "/trajectory/train_loss": "training-set loss",
          "/energy/total": "total E", "/energy/kinetic": "kinetic", "/energy/potential": "potential"}


def read(path):
    """Series (1D float arrays, cut to the shortest), their errors (None when the file has
    none), the axis labels and the title."""
    with pc.open_h5(path) as f:
        names = SERIES + tuple(n + "_error" for n in SERIES)
        data, sources = pc.read_datasets(f, names, required=REQUIRED)
        for name, values in data.items():
            if values.ndim != 1:
                raise pc.PlotError(f"{path}: {name} has shape {values.shape}, expected a 1D time series")
        labels = {"time": pc.dataset_label(sources["/trajectory/time"], "time t"),
                  "loss": pc.dataset_label(sources["/trajectory/loss"], "loss"),
                  "energy": pc.dataset_label(sources["/energy/total"], "energy")}
        title = pc.file_title(f, path)
        if pc.text(f.attrs.get("kind", "")) == "ensemble":
            title += f"  (ensemble of {pc.attr_int(f.attrs, 'seeds_averaged', 0)} seeds, mean and error)"
    if len({len(v) for v in data.values()}) > 1:
        print(f"plot_run.py: note: series of unequal length; cutting to the shortest", file=sys.stderr)
    data = pc.truncate_rows(data, names)
    return data, labels, title


def draw(ax, data, name, **style):
    pc.error_band(ax, data["/trajectory/time"], data[name], data.get(name + "_error"), LABELS[name], **style)


@pc.paper_style
def figure(path, width="double"):
    import numpy as np

    data, labels, title = read(path)
    fig, axes = pc.new_figure(width, 2, 1, 2.2, sharex=True)
    ax_loss, ax_energy = axes[0, 0], axes[1, 0]

    draw(ax_loss, data, "/trajectory/loss", color="C0", alpha=0.7)
    losses = [data["/trajectory/loss"]]
    if "/trajectory/train_loss" in data:
        draw(ax_loss, data, "/trajectory/train_loss", color="C3", lw=1.5)
        losses.append(data["/trajectory/train_loss"])
    finite = np.concatenate(losses)
    finite = finite[np.isfinite(finite)]
    if finite.size and np.all(finite > 0):
        ax_loss.set_yscale("log")
    ax_loss.set_ylabel(labels["loss"])
    ax_loss.grid(True, which="both", alpha=0.3)
    pc.legend_above(ax_loss, title=title)

    draw(ax_energy, data, "/energy/total", color="k")
    for name, color in (("/energy/kinetic", "C1"), ("/energy/potential", "C2")):
        if name in data:
            draw(ax_energy, data, name, color=color)
    if "/energy/dissipated" in data and "/energy/data_work" in data:
        balance = data["/energy/total"][0] - data["/energy/dissipated"] + data["/energy/data_work"]
        ax_energy.plot(data["/trajectory/time"], balance, color="C3", ls="--",
                       label="balance E(0) - dissipated + data work")
    ax_energy.set_xlabel(labels["time"])
    ax_energy.set_ylabel(labels["energy"])
    ax_energy.grid(True, alpha=0.3)
    pc.legend_above(ax_energy)
    return fig


def main():
    parser = pc.figure_parser(__doc__.split("\n")[0], "run, field-run or ensemble file (HDF5)")
    return pc.run_script("plot_run.py", parser, lambda args, width: figure(args.input, width))


if __name__ == "__main__":
    sys.exit(main())
