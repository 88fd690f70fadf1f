#!/usr/bin/env python3
"""Plot a `nnfield compare` file: relative error vs depth spacing ax, log-log.

One panel per quantity (response, phi, w, adjoint): each field study as a line with
markers, its fit e = C a^p (1 + D a) (solid, thin) and a dashed line of the theoretical
slope p through its finest point; the network self-convergence error on the response
panel (slope 1 dashed). The title carries the verdicts.

    /usr/bin/python3 scripts/plot_convergence.py conv.h5 -o conv.png
"""
import argparse
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file")
    ap.add_argument("-o", "--output", required=True)
    args = ap.parse_args()
    import h5py

    try:
        f = h5py.File(args.file, "r")
    except OSError as e:
        print(f"plot_convergence.py: {args.file}: {e}", file=sys.stderr)
        return 2
    if "levels/ax" not in f or "studies" not in f:
        print(f"plot_convergence.py: {args.file} is not a compare file (no /levels/ax or /studies)", file=sys.stderr)
        return 2
    ax = f["levels/ax"][()]
    names = text(f.attrs.get("quantities", "response,phi,w,adjoint")).split(",")
    fig, axes = plt.subplots(1, len(names), figsize=(4.2 * len(names), 4.2), squeeze=False)
    fine = np.geomspace(ax.min(), ax.max(), 50)
    verdicts = ["self: " + text(f.attrs.get("self_convergence_verdict", "?"))]
    for si, (name, g) in enumerate(sorted(f["studies"].items())):
        color = f"C{si}"
        err = g["error"][()]  # (L, Q)
        p = float(g["theoretical_order"][()])
        verdicts.append(f"{name}: " + text(f.attrs.get(f"verdict.{name}", "?")))
        for q, panel in enumerate(axes[0]):
            e = err[:, q]
            ok = np.isfinite(e) & (e > 0)
            if not ok.any():
                continue
            panel.loglog(ax[ok], e[ok], "o-", color=color, label=name)
            C, D, fp = g["fit_C"][q], g["fit_D"][q], g["fit_order"][q]
            if np.isfinite(fp):
                panel.loglog(fine, C * fine**fp * (1 + D * fine), "-", color=color, lw=0.7, alpha=0.7)
            a0, e0 = ax[ok][-1], e[ok][-1]
            panel.loglog(fine, e0 * (fine / a0) ** p, "--", color=color, lw=0.8, alpha=0.6)
    if "self_convergence/error" in f:
        se = f["self_convergence/error"][()]
        a = ax[: len(se)]
        ok = np.isfinite(se) & (se > 0)
        if ok.any():
            panel = axes[0][0]
            panel.loglog(a[ok], se[ok], "s-", color="k", label="network self")
            panel.loglog(fine, se[ok][-1] * (fine / a[ok][-1]), "k--", lw=0.8, alpha=0.6)
    for q, panel in enumerate(axes[0]):
        panel.set_xlabel("ax")
        panel.set_ylabel("relative L2 error")
        panel.set_title(names[q])
        panel.grid(True, which="both", alpha=0.3)
        panel.legend(fontsize=7)
    fig.suptitle("\n".join(verdicts), fontsize=8)
    fig.tight_layout()
    fig.savefig(args.output, dpi=110)
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
