#!/usr/bin/env python3
"""Plot the correlators of an nnfield correlator file (or of a run file with /correlators).

    /usr/bin/python3 scripts/plot_correlators.py CORR.h5 -o corr.png [--row -1] [--offset k]

CORR.h5 is written by `nnfield correlate RUN.h5 -o CORR.h5`; a run file written with
`[observe] correlators = [...]` works too (it has no time autocorrelations). Four panels
(docs/correlators.md has the definitions):
  1. width two-point functions C_m(d) of every layer m at one row (default: the last),
     for d = 0..N/2 (C_m(N - d) = C_m(d));
  2. the second-moment correlation length xi_y of every layer against time;
  3. structure factors S_m(k) of every layer at that row against k = 2 pi q / N;
  4. time autocorrelations rho(tau) of the layer means and of the loss, with tau_int,
     for lags up to half the series (longer lags average too few pairs).
For the weights (index order starting "T,K"), --offset picks the weight index k
(default: the central one, offset 0). Panels whose datasets are absent say so.
"""
import argparse
import os
import sys


def fail(message):
    print(f"plot_correlators.py: error: {message}", file=sys.stderr)
    sys.exit(2)


def text(value):
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def read(path, offset):
    """The datasets the plot uses, with any weight-offset axis K already selected."""
    import h5py
    import numpy as np

    if not os.path.isfile(path):
        fail(f"no such file: {path}")
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        fail(f"{path} is not a readable HDF5 file ({e})")
    with f:
        if "correlators" not in f:
            fail(f"{path}: no /correlators group (write one with `nnfield correlate RUN.h5 -o CORR.h5`, "
                 f"or run with [observe] correlators = [...])")
        out = {"attrs": {k: text(v) for k, v in f.attrs.items() if not hasattr(v, "shape") or v.shape == ()}}
        names = ["correlators/time", "correlators/k", "correlators/width", "correlators/structure", "correlators/xi",
                 "autocorrelation/layer_mean", "autocorrelation/layer_mean_tau_int", "autocorrelation/loss",
                 "autocorrelation/loss_tau_int"]
        for name in names:
            if name not in f:
                continue
            d = f[name]
            if not isinstance(d, h5py.Dataset):
                fail(f"{path}: {name} is not a dataset")
            order = text(d.attrs.get("index_order", "")).split(",")
            data = np.asarray(d[()], dtype=float)
            if len(order) != data.ndim and not (data.ndim == 0 and order == ["scalar"]):
                fail(f"{path}: {name} has shape {data.shape} but index_order {','.join(order)}")
            if "K" in order:  # weights: one field per index k
                axis = order.index("K")
                K = data.shape[axis]
                k = K // 2 if offset is None else offset
                if not 0 <= k < K:
                    fail(f"--offset {k} out of range: {name} has K = {K}")
                data = np.take(data, k, axis=axis)
            out[name] = data
        if "correlators/time" not in out:
            fail(f"{path}: missing dataset /correlators/time")
        return out


def layer_colors(M):
    import matplotlib.pyplot as plt

    return [plt.cm.viridis(m / max(1, M - 1)) for m in range(M)]


def plot(data, row, output, title):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    time = data["correlators/time"]
    T = time.shape[0]
    if T == 0:
        fail("the file has no correlator rows")
    if not -T <= row < T:
        fail(f"--row {row} out of range: the file has {T} rows")
    t_row = time[row]
    fig, ax = plt.subplots(2, 2, figsize=(11, 8))

    def absent(a, what):
        a.text(0.5, 0.5, f"no {what} in this file", ha="center", va="center", transform=a.transAxes)
        a.set_axis_off()

    a = ax[0, 0]
    if "correlators/width" in data:
        C = data["correlators/width"][row]  # (M, N)
        M, N = C.shape
        d = np.arange(N // 2 + 1)
        for m, color in enumerate(layer_colors(M)):
            a.plot(d, C[m, : N // 2 + 1], color=color, label=f"m = {m + 1}" if M <= 10 else None)
        a.axhline(0, color="k", lw=0.5)
        a.set_xlabel("width separation d")
        a.set_ylabel("C_m(d)")
        a.set_title(f"width two-point function, t = {t_row:g}")
        if M <= 10:
            a.legend(fontsize=7)
    else:
        absent(a, "/correlators/width")

    a = ax[0, 1]
    if "correlators/xi" in data:
        xi = data["correlators/xi"]  # (T, M)
        M = xi.shape[1]
        for m, color in enumerate(layer_colors(M)):
            a.plot(time, xi[:, m], color=color, label=f"m = {m + 1}" if M <= 10 else None)
        a.set_xlabel("t")
        a.set_ylabel("xi_y (lattice units)")
        a.set_title("second-moment correlation length per layer")
        if np.all(np.isnan(xi)):
            a.text(0.5, 0.5, "xi_y undefined (S(0) < S(k_min))", ha="center", transform=a.transAxes)
        elif M <= 10:
            a.legend(fontsize=7)
    else:
        absent(a, "/correlators/xi")

    a = ax[1, 0]
    if "correlators/structure" in data:
        S = data["correlators/structure"][row]  # (M, N/2+1)
        M, nq = S.shape
        if "correlators/k" in data:
            k = data["correlators/k"]
        else:  # a run file: its width N is a root attribute
            N = int(float(data["attrs"].get("N", 2 * (nq - 1))))
            k = 2 * np.pi * np.arange(nq) / N
        positive = np.all(S[:, 1:] > 0)
        for m, color in enumerate(layer_colors(M)):
            a.plot(k, S[m], color=color, marker=".", label=f"m = {m + 1}" if M <= 10 else None)
        if positive:
            a.set_yscale("log")
        a.set_xlabel("k = 2 pi q / N")
        a.set_ylabel("S_m(k)")
        a.set_title(f"structure factor, t = {t_row:g}")
        if M <= 10:
            a.legend(fontsize=7)
    else:
        absent(a, "/correlators/structure")

    a = ax[1, 1]
    if "autocorrelation/layer_mean" in data or "autocorrelation/loss" in data:
        if "autocorrelation/layer_mean" in data:
            rho = data["autocorrelation/layer_mean"]  # (L, M)
            tau = data.get("autocorrelation/layer_mean_tau_int")
            L, M = rho.shape
            shown = max(2, L // 2)  # longer lags average too few pairs to mean much
            for m, color in enumerate(layer_colors(M)):
                label = None
                if M <= 10:
                    label = f"layer mean m = {m + 1}" + (f", tau_int = {tau[m]:.3g}" if tau is not None else "")
                a.plot(np.arange(shown), rho[:shown, m], color=color, lw=1, label=label)
        if "autocorrelation/loss" in data:
            rho = data["autocorrelation/loss"]
            tau = data.get("autocorrelation/loss_tau_int")
            label = "loss" + (f", tau_int = {float(tau):.3g}" if tau is not None else "")
            shown = max(2, rho.shape[0] // 2)
            a.plot(np.arange(shown), rho[:shown], "k--", lw=1.5, label=label)
        a.axhline(0, color="k", lw=0.5)
        longest = max((len(line.get_xdata()) for line in a.get_lines()), default=0)
        if longest > 50:  # long series: logarithmic lags beyond 10, linear below
            a.set_xscale("symlog", linthresh=10)
        a.set_xlabel("lag tau (rows; up to half the series)")
        a.set_ylabel("rho(tau)")
        a.set_title("time autocorrelation")
        a.legend(fontsize=7)
    else:
        absent(a, "time autocorrelation (run `nnfield correlate`)")

    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    try:
        fig.savefig(output, dpi=110)
    except OSError as e:
        fail(f"cannot write {output} ({e})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corr", help="correlator file from `nnfield correlate` (or a run file with /correlators)")
    parser.add_argument("-o", "--output", default="corr.png", help="PNG to write (default corr.png)")
    parser.add_argument("--row", type=int, default=-1, help="row for the C(d) and S(k) panels (default -1: last)")
    parser.add_argument("--offset", type=int, default=None, help="weight index k for field w (default: central)")
    args = parser.parse_args()
    data = read(args.corr, args.offset)
    attrs = data["attrs"]
    title = f"{attrs.get('model_path') or attrs.get('source_run') or args.corr}: field " \
            f"{attrs.get('field', attrs.get('correlators_field', '?'))}, mean subtracted: " \
            f"{attrs.get('mean_subtracted', attrs.get('correlators_mean_subtracted', '?'))}"
    plot(data, args.row, args.output, title)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
