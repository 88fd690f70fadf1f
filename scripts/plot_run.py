#!/usr/bin/env python3
"""Plot the loss and the energy of an nnfield run file.

    /usr/bin/python3 scripts/plot_run.py RUN.h5 [-o run.png]

Reads /trajectory/time, /trajectory/loss, /energy/total and, when present, /energy/kinetic,
/energy/potential, /energy/dissipated and /energy/data_work (docs/theory.md section 6). Two panels:
the loss against time (log scale when it is positive throughout), and the energy against time
(total, kinetic, potential, plus the balance E(0) - dissipated + data_work as a dashed line
when both of those series are present; it lies on the total when energy is accounted for).
Series of unequal length (an interrupted run) are truncated to the shortest. The title is the
root attribute model_path, else the first line of resolved_config, when present.

Reads the file with the nnfield Python module when it is importable (PYTHONPATH=build/python,
docs/python.md), else with h5py alone.
"""
import argparse
import contextlib
import os
import sys

REQUIRED = ("/trajectory/time", "/trajectory/loss", "/energy/total")
OPTIONAL = ("/trajectory/train_loss", "/energy/kinetic", "/energy/potential", "/energy/dissipated", "/energy/data_work")


def fail(message):
    print(f"plot_run.py: error: {message}", file=sys.stderr)
    sys.exit(1)


def as_text(value):
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if hasattr(value, "shape") and getattr(value, "shape", None) == (1,):
        return as_text(value[0])
    return str(value)


def open_run(path):
    """The run file and the type of its datasets: nnfield.load's Run (a mapping to numpy
    arrays, with .attrs) when the module is importable, else an h5py File."""
    try:
        import nnfield
    except ImportError:
        import h5py
        return h5py.File(path, "r"), h5py.Dataset
    import numpy as np
    return contextlib.nullcontext(nnfield.load(path)), np.ndarray


def read_run(path):
    import numpy as np

    if not os.path.isfile(path):
        fail(f"no such file: {path}")
    try:
        opened, dataset_type = open_run(path)
    except OSError as e:
        fail(f"{path} is not a readable HDF5 file ({e})")
    with opened as f:
        series = {}
        for name in REQUIRED + OPTIONAL:
            if name not in f:
                if name in REQUIRED:
                    fail(f"{path}: missing dataset {name}")
                continue
            obj = f[name]
            if not isinstance(obj, dataset_type):
                fail(f"{path}: {name} is not a dataset")
            data = np.asarray(obj[()], dtype=float)
            if data.ndim != 1:
                fail(f"{path}: {name} has shape {data.shape}, expected a 1D time series")
            series[name] = data
        title = None
        for attr in ("model_path", "resolved_config"):
            if attr in f.attrs:
                text = as_text(f.attrs[attr]).strip()
                if text:
                    title = text.splitlines()[0]
                    if len(title) > 100:
                        title = title[:97] + "..."
                    break
        status = as_text(f.attrs["status"]) if "status" in f.attrs else None
    lengths = {len(v) for v in series.values()}
    T = min(lengths)
    if len(lengths) > 1:
        print(f"plot_run.py: note: series of unequal length {sorted(lengths)}; "
              f"truncating to the first {T} rows", file=sys.stderr)
    if T == 0:
        fail(f"{path}: the time series are empty")
    series = {k: v[:T] for k, v in series.items()}
    return series, title, status


def plot(series, title, status, output, source):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    t = series["/trajectory/time"]
    loss = series["/trajectory/loss"]
    fig, (ax_loss, ax_energy) = plt.subplots(2, 1, sharex=True, figsize=(8, 7))

    ax_loss.plot(t, loss, color="C0", alpha=0.6, label="loss of the presented data")
    if "/trajectory/train_loss" in series:
        ax_loss.plot(t, series["/trajectory/train_loss"], color="C3", lw=2, label="training-set loss")
        loss = np.concatenate([loss, series["/trajectory/train_loss"]])
    finite = loss[np.isfinite(loss)]
    if finite.size and np.all(finite > 0):
        ax_loss.set_yscale("log")
    ax_loss.set_ylabel("loss")
    ax_loss.grid(True, which="both", alpha=0.3)
    ax_loss.legend(loc="best")

    ax_energy.plot(t, series["/energy/total"], color="k", label="total")
    if "/energy/kinetic" in series:
        ax_energy.plot(t, series["/energy/kinetic"], color="C1", label="kinetic")
    if "/energy/potential" in series:
        ax_energy.plot(t, series["/energy/potential"], color="C2", label="potential")
    if "/energy/dissipated" in series and "/energy/data_work" in series:
        balance = (series["/energy/total"][0] - series["/energy/dissipated"]
                   + series["/energy/data_work"])
        ax_energy.plot(t, balance, color="C3", linestyle="--",
                       label="balance: E(0) - dissipated + data work")
    ax_energy.set_xlabel("time")
    ax_energy.set_ylabel("energy")
    ax_energy.grid(True, alpha=0.3)
    ax_energy.legend(loc="best")

    heading = title or os.path.basename(source)
    if status and status != "complete":
        heading += f"  [{status}]"
    fig.suptitle(heading)
    fig.tight_layout()
    fig.savefig(output, dpi=120)
    plt.close(fig)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("run", help="run file (HDF5)")
    ap.add_argument("-o", "--output", default=None,
                    help="output image (default: RUN with extension .png)")
    args = ap.parse_args()
    output = args.output or os.path.splitext(args.run)[0] + ".png"
    series, title, status = read_run(args.run)
    try:
        plot(series, title, status, output, args.run)
    except (OSError, ValueError) as e:
        fail(f"could not write {output}: {e}")
    print(f"wrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
