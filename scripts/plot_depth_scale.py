#!/usr/bin/env python3
"""Measured vs mean-field depth scale across the order-to-chaos transition.

    /usr/bin/python3 scripts/plot_depth_scale.py PROP.h5 -o depth.pdf [--points 200]
                                                 [--width single|double|INCHES]

PROP.h5 is written by `nnfield propagate MODEL --sigma-w a:b:n -o PROP.h5` (a scan over
sigma_w; docs/long-range-order.md). Two panels against sigma_w:

  top     xi_c: measured (fit of |c^(m) - c*| ~ A exp(-m/xi_c), /fit/xi with /fit/xi_error,
          scan points whose fit succeeded) and the measured tangent decay length
          -1/ln chi_1 (/tangent_fit/xi, ordered side only), against the mean-field xi_c
          (scripts/meanfield.py on a fine grid, same activation, sigma_b, q0, c0).
  bottom  chi_1: measured from the growth of an input perturbation (/tangent_fit/chi) against
          mean field; the line chi_1 = 1 is the order-to-chaos transition.

Both panels mark the mean-field transition (chi_1 = 1) and, when the scan brackets it, the
measured one with its error band (/transition/*). The extension picks PDF or PNG.
"""
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plotting_common as pc  # noqa: E402

NAMES = ["/sigma_w", "/fit/ok", "/fit/xi", "/fit/xi_error", "/tangent_fit/ok", "/tangent_fit/chi",
         "/tangent_fit/chi_error", "/tangent_fit/xi", "/tangent_fit/xi_error", "/transition/ok",
         "/transition/sigma_w", "/transition/sigma_w_error", "/transition/sigma_w_mean_field"]


def read_scan(path):
    with pc.open_h5(path) as f:
        if pc.text(f.attrs.get("kind", "")) != "propagation":
            raise pc.PlotError(f"{path} is not an `nnfield propagate` file (root attribute kind != propagation)")
        data, _ = pc.read_datasets(f, NAMES, required=NAMES)
        missing = [k for k in ("activation", "sigma_b", "q0", "c0", "M", "N", "K", "networks") if k not in f.attrs]
        if missing:
            raise pc.PlotError(f"{path}: missing root attribute {missing[0]}")
        attrs = {"activation": pc.text(f.attrs["activation"])}
        attrs.update({k: pc.attr_float(f.attrs, k) for k in ("sigma_b", "q0", "c0")})
        attrs.update({k: pc.attr_int(f.attrs, k) for k in ("M", "N", "K", "networks")})
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


def xi_panel(ax_xi, data, attrs, grid, xi_mf):
    import numpy as np

    sw = data["/sigma_w"]
    finite = np.isfinite(xi_mf)
    ax_xi.plot(grid[finite], xi_mf[finite], color="k", lw=1.2, label=r"mean field $\xi_c = -1/\ln\chi_c$")
    ok = data["/fit/ok"] > 0
    if ok.any():
        ax_xi.errorbar(sw[ok], data["/fit/xi"][ok], yerr=data["/fit/xi_error"][ok], fmt="o", color="C0",
                       capsize=2, label=r"measured: fit of $|c^{(m)} - c^*|$")
    tok = (data["/tangent_fit/ok"] > 0) & np.isfinite(data["/tangent_fit/xi"])
    if tok.any():
        ax_xi.errorbar(sw[tok], data["/tangent_fit/xi"][tok], yerr=data["/tangent_fit/xi_error"][tok], fmt="s",
                       mfc="none", color="C1", capsize=2, label=r"measured: $-1/\ln\chi_1$ (perturbation decay)")
    ax_xi.set_yscale("log")
    ax_xi.set_ylabel(r"depth scale $\xi_c$ (layers)")
    top = np.nanmax(np.concatenate([xi_mf[finite], data["/fit/xi"][ok] if ok.any() else [1.0]]))
    ax_xi.set_ylim(bottom=max(0.3, 0.5 * np.nanmin(xi_mf[finite])) if finite.any() else 0.3,
                   top=min(10 * attrs["M"], 2 * top))


def chi_panel(ax_chi, data, grid, chi_mf):
    sw = data["/sigma_w"]
    ax_chi.plot(grid, chi_mf, color="k", lw=1.2, label=r"mean field $\chi_1$")
    cok = data["/tangent_fit/ok"] > 0
    if cok.any():
        ax_chi.errorbar(sw[cok], data["/tangent_fit/chi"][cok], yerr=data["/tangent_fit/chi_error"][cok], fmt="o",
                        color="C1", capsize=2, label=r"measured $\chi_1$ (perturbation growth per layer)")
    ax_chi.axhline(1.0, color="gray", lw=0.8)
    ax_chi.set_xlabel(r"$\sigma_w$  (weights $\sim N(0, \sigma_w^2/K)$)")
    ax_chi.set_ylabel(r"$\chi_1$")


@pc.paper_style
def figure(path, width="double", points=200):
    import numpy as np

    if points < 2:
        raise pc.PlotError(f"--points: expected at least 2, got {points}")
    data, attrs = read_scan(path)
    sw = data["/sigma_w"]
    lo, hi = float(sw.min()), float(sw.max())
    pad = 0.05 * (hi - lo) if hi > lo else 0.1 * lo
    grid = np.linspace(max(1e-3, lo - pad), hi + pad, points)
    xi_mf, chi_mf, critical = mean_field_curves(attrs, grid)

    fig, axes = pc.new_figure(width, 2, 1, 2.6, sharex=True)
    ax_xi, ax_chi = axes[0, 0], axes[1, 0]
    xi_panel(ax_xi, data, attrs, grid, xi_mf)
    chi_panel(ax_chi, data, grid, chi_mf)
    title = (f"{attrs['activation']}, $\\sigma_b$ = {attrs['sigma_b']:g}, M = {attrs['M']}, N = {attrs['N']}, "
             f"K = {attrs['K']}, {attrs['networks']} networks, c0 = {attrs['c0']:g}")
    for ax in (ax_xi, ax_chi):
        if critical is not None:
            ax.axvline(critical, color="k", ls="--", lw=0.8, label=rf"mean-field $\chi_1 = 1$: $\sigma_w$ = {critical:.4f}")
        if data["/transition/ok"][0] > 0:
            s, e = data["/transition/sigma_w"][0], data["/transition/sigma_w_error"][0]
            ax.axvspan(s - e, s + e, color="C3", alpha=0.2, label=rf"measured $\chi_1 = 1$: {s:.4f} $\pm$ {e:.4f}")
        ax.grid(True, which="both", alpha=0.3)
    pc.legend_above(ax_xi, title=title)
    pc.legend_above(ax_chi)
    return fig


def main():
    parser = pc.figure_parser(__doc__.split("\n")[0], "propagation file (HDF5) from `nnfield propagate`")
    parser.add_argument("--points", type=int, default=200, help="sigma_w grid points of the mean-field curves")
    return pc.run_script("plot_depth_scale.py", parser,
                         lambda args, width: figure(args.input, width, args.points))


if __name__ == "__main__":
    sys.exit(main())
