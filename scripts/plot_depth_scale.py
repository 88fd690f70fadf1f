#!/usr/bin/env python3
"""Measured vs mean-field depth scale across the order-to-chaos transition.

    /usr/bin/python3 scripts/plot_depth_scale.py PROP.h5 [-o depth.png] [--points 200]

PROP.h5 is written by `nnfield propagate MODEL --sigma-w a:b:n -o PROP.h5` (a scan over
sigma_w; docs/long-range-order.md). Two panels against sigma_w:

  top     xi_c: measured (fit of |c^(m) - c*| ~ A exp(-m/xi_c), /fit/xi with /fit/xi_error,
          scan points whose fit succeeded) and the measured tangent decay length
          -1/ln chi_1 (/tangent_fit/xi, ordered side only), against the mean-field xi_c
          (scripts/meanfield.py on a fine grid, same activation, sigma_b, q0, c0).
  bottom  chi_1: measured from the growth of an input perturbation (/tangent_fit/chi) against
          mean field; the line chi_1 = 1 is the order-to-chaos transition.

Both panels mark the mean-field transition (chi_1 = 1) and, when the scan brackets it, the
measured one with its error band (/transition/*).
"""
import argparse
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def fail(message):
    print(f"plot_depth_scale.py: error: {message}", file=sys.stderr)
    sys.exit(1)


def as_text(value):
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def read_scan(path):
    import h5py
    import numpy as np

    if not os.path.isfile(path):
        fail(f"no such file: {path}")
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        fail(f"{path} is not a readable HDF5 file ({e})")
    with f:
        if as_text(f.attrs.get("kind", "")) != "propagation":
            fail(f"{path} is not an `nnfield propagate` file (root attribute kind != propagation)")
        names = ["/sigma_w", "/fit/ok", "/fit/xi", "/fit/xi_error", "/tangent_fit/ok", "/tangent_fit/chi",
                 "/tangent_fit/chi_error", "/tangent_fit/xi", "/tangent_fit/xi_error", "/transition/ok",
                 "/transition/sigma_w", "/transition/sigma_w_error", "/transition/sigma_w_mean_field"]
        data = {}
        for n in names:
            if n not in f:
                fail(f"{path}: missing dataset {n}")
            data[n] = np.asarray(f[n][()], dtype=float)
        attrs = {k: f.attrs[k] for k in ("activation", "sigma_b", "q0", "c0", "M", "N", "K", "networks")}
    attrs["activation"] = as_text(attrs["activation"])
    for k in ("sigma_b", "q0", "c0", "M", "N", "K", "networks"):
        attrs[k] = float(np.asarray(attrs[k]).ravel()[0])
    return data, attrs


def mean_field_curves(attrs, sigma_w):
    import numpy as np
    import meanfield

    xi, chi = [], []
    for sw in sigma_w:
        try:
            d = meanfield.depth_scale(attrs["activation"], sw, attrs["sigma_b"], attrs["q0"], attrs["c0"])
            xi.append(d["xi_c"])
            chi.append(d["chi_1"])
        except ValueError:
            xi.append(math.nan)
            chi.append(math.nan)
    try:
        critical = meanfield.critical_sigma_w(attrs["activation"], attrs["sigma_b"], attrs["q0"])
    except ValueError:
        critical = None
    return np.array(xi), np.array(chi), critical


def plot(data, attrs, output, points, source):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    sw = data["/sigma_w"]
    lo, hi = float(sw.min()), float(sw.max())
    pad = 0.05 * (hi - lo) if hi > lo else 0.1 * lo
    grid = np.linspace(max(1e-3, lo - pad), hi + pad, points)
    xi_mf, chi_mf, critical = mean_field_curves(attrs, grid)

    fig, (ax_xi, ax_chi) = plt.subplots(2, 1, sharex=True, figsize=(8, 8))
    finite = np.isfinite(xi_mf)
    ax_xi.plot(grid[finite], xi_mf[finite], color="k", lw=1.5, label=r"mean field $\xi_c = -1/\ln\chi_c$")
    ok = data["/fit/ok"] > 0
    if ok.any():
        ax_xi.errorbar(sw[ok], data["/fit/xi"][ok], yerr=data["/fit/xi_error"][ok], fmt="o", color="C0",
                       capsize=3, label=r"measured: fit of $|c^{(m)} - c^*|$")
    tok = (data["/tangent_fit/ok"] > 0) & np.isfinite(data["/tangent_fit/xi"])
    if tok.any():
        ax_xi.errorbar(sw[tok], data["/tangent_fit/xi"][tok], yerr=data["/tangent_fit/xi_error"][tok], fmt="s",
                       mfc="none", color="C1", capsize=3, label=r"measured: $-1/\ln\chi_1$ (perturbation decay)")
    ax_xi.set_yscale("log")
    ax_xi.set_ylabel(r"depth scale $\xi_c$ (layers)")
    top = np.nanmax(np.concatenate([xi_mf[finite], data["/fit/xi"][ok] if ok.any() else [1.0]]))
    ax_xi.set_ylim(bottom=max(0.3, 0.5 * np.nanmin(xi_mf[finite])) if finite.any() else 0.3,
                   top=min(10 * attrs["M"], 2 * top))

    ax_chi.plot(grid, chi_mf, color="k", lw=1.5, label=r"mean field $\chi_1$")
    cok = data["/tangent_fit/ok"] > 0
    if cok.any():
        ax_chi.errorbar(sw[cok], data["/tangent_fit/chi"][cok], yerr=data["/tangent_fit/chi_error"][cok], fmt="o",
                        color="C1", capsize=3, label=r"measured $\chi_1$ (perturbation growth per layer)")
    ax_chi.axhline(1.0, color="gray", lw=0.8)
    ax_chi.set_xlabel(r"$\sigma_w$  (weights $\sim N(0, \sigma_w^2/K)$)")
    ax_chi.set_ylabel(r"$\chi_1$")

    for ax in (ax_xi, ax_chi):
        if critical is not None:
            ax.axvline(critical, color="k", ls="--", lw=1, label=rf"mean-field $\chi_1 = 1$: $\sigma_w$ = {critical:.4f}")
        if data["/transition/ok"][0] > 0:
            s, e = data["/transition/sigma_w"][0], data["/transition/sigma_w_error"][0]
            ax.axvspan(s - e, s + e, color="C3", alpha=0.2, label=rf"measured $\chi_1 = 1$: {s:.4f} $\pm$ {e:.4f}")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(loc="best", fontsize=8)

    fig.suptitle(f"{attrs['activation']}, sigma_b = {attrs['sigma_b']:g}, M = {attrs['M']:.0f}, "
                 f"N = {attrs['N']:.0f}, K = {attrs['K']:.0f}, {attrs['networks']:.0f} networks, "
                 f"c0 = {attrs['c0']:g}\n{os.path.basename(source)}", fontsize=10)
    fig.tight_layout()
    fig.savefig(output, dpi=120)
    plt.close(fig)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("prop", help="propagation file (HDF5) from `nnfield propagate`")
    ap.add_argument("-o", "--output", default=None, help="output image (default: PROP with extension .png)")
    ap.add_argument("--points", type=int, default=200, help="sigma_w grid points of the mean-field curves")
    args = ap.parse_args()
    output = args.output or os.path.splitext(args.prop)[0] + ".png"
    data, attrs = read_scan(args.prop)
    try:
        plot(data, attrs, output, args.points, args.prop)
    except (OSError, ValueError) as e:
        fail(f"could not write {output}: {e}")
    print(f"wrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
