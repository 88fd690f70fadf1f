#!/usr/bin/env python3
"""Plot a `nnfield compare` file: relative error against the refined spacing (ax, or ay), log-log.

    /usr/bin/python3 scripts/plot_convergence.py conv.h5 -o conv.pdf [--width single|double|INCHES]

A 2x2 grid (one column at single width), one panel per quantity (output response, phi, w,
adjoint): each field study (order p, coarsening rx, ry) as markers, its fit e = C a^p (1 + D a) as a
thin line, and a reference line of the theoretical order through its finest point ("order p
reference"); on the response panel also the network's self-convergence with its reference.
The x axis is the spacing the levels refined (root attribute "spacing": ax, or ay for
`--refine width`). The legend sits above the panels; the verdicts of the file head the figure. The
extension picks PDF or PNG.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plotting_common as pc  # noqa: E402

QUANTITY_NAMES = {"response": "output response (Z - Z0)/scale", "phi": "neurons phi(t) - phi(0)",
                  "w": "link fields w(t) - w(0)", "adjoint": "adjoint dl/dphi"}
REFERENCE_STYLE = {1: (0, (4, 2)), 2: (0, (1, 1.5))}   # dashes per theoretical order


def read(path):
    import numpy as np

    with pc.open_h5(path) as f:
        if "levels/ax" not in f or "studies" not in f:
            raise pc.PlotError(f"{path}: not a compare file (no /levels/ax or /studies)")
        spacing = pc.text(f.attrs.get("spacing", "ax"))
        ax = np.asarray(f[f"levels/{spacing}"][()], dtype=float)
        quantities = pc.text(f.attrs.get("quantities", "response,phi,w,adjoint")).split(",")
        studies = []
        for name, g in sorted(f["studies"].items()):
            data, _ = pc.read_datasets(g, ["error", "fit_C", "fit_D", "fit_order", "theoretical_order"],
                                       required=["error", "theoretical_order"])
            if data["error"].ndim != 2 or data["error"].shape[0] != len(ax):
                raise pc.PlotError(f"{path}: /studies/{name}/error has shape {data['error'].shape}, "
                                   f"expected ({len(ax)}, {len(quantities)})")
            p = pc.attr_int(g, "p", None) if "p" in g.attrs else int(round(float(np.ravel(g["p"][()])[0])))
            rx, ry = (int(round(float(np.ravel(g[key][()])[0]))) if key in g else 1 for key in ("rx", "ry"))
            data.update(name=name, label=f"p = {p}, rx = {rx}" + (f", ry = {ry}" if ry != rx else ""),
                        order=int(round(float(np.ravel(data["theoretical_order"])[0]))),
                        verdict=pc.text(f.attrs.get(f"verdict.{name}", "no verdict")))
            studies.append(data)
        self_error = np.asarray(f["self_convergence/error"][()], dtype=float) if "self_convergence/error" in f else None
        self_order = (int(round(float(f["self_convergence/theoretical_order"][()])))
                      if "self_convergence/theoretical_order" in f else 1)
        verdicts = [f"network self-convergence: {pc.text(f.attrs.get('self_convergence_verdict', 'no verdict'))}"]
        verdicts += [f"{s['label']}: {s['verdict']}" for s in studies]
    return spacing, ax, quantities, studies, (self_error, self_order), verdicts


def reference(panel, a, e, order, fine, color):
    """A line of slope `order` through the finest measured point (a, e)."""
    panel.loglog(fine, e * (fine / a) ** order, color=color, lw=0.8, alpha=0.7,
                 ls=REFERENCE_STYLE.get(order, "--"))


def draw_study(panel, q, study, color, ax, fine):
    import numpy as np

    e = study["error"][:, q]
    ok = np.isfinite(e) & (e > 0)
    if not ok.any():
        return
    panel.loglog(ax[ok], e[ok], "o", color=color)
    if "fit_order" in study and np.isfinite(study["fit_order"][q]):
        C, D, p = study["fit_C"][q], study["fit_D"][q], study["fit_order"][q]
        panel.loglog(fine, C * fine**p * (1 + D * fine), "-", color=color, lw=0.7)
    reference(panel, ax[ok][-1], e[ok][-1], study["order"], fine, color)


def legend_handles(studies, has_self, self_order):
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], color=f"C{i}", marker="o", ls="", label=s["label"]) for i, s in enumerate(studies)]
    if has_self:
        handles.append(Line2D([], [], color="k", marker="s", ls="", label="network self-convergence"))
    handles.append(Line2D([], [], color="gray", lw=0.7, label="fit C a^p (1 + D a)"))
    orders = sorted({s["order"] for s in studies} | ({self_order} if has_self else set()))
    handles += [Line2D([], [], color="gray", lw=0.8, ls=REFERENCE_STYLE.get(o, "--"), label=f"order {o} reference")
                for o in orders]
    return handles


@pc.paper_style
def figure(path, width="double"):
    import numpy as np

    spacing, ax, quantities, studies, (self_error, self_order), verdicts = read(path)
    inches = pc.parse_width(width) if isinstance(width, str) else width
    cols = 2 if inches >= 5 else 1
    rows = (len(quantities) + cols - 1) // cols
    # The verdicts head the legend, wrapped to the figure's width (about 16 characters per inch at 7 pt).
    verdicts = [line for v in verdicts for line in pc.wrap_label(v, int(16 * inches)).split("\n")]
    has_self = self_error is not None and bool(np.any(np.isfinite(self_error) & (self_error > 0)))
    handles = legend_handles(studies, has_self, self_order)
    ncol = 3 if cols == 2 else 2
    legend_lines = len(verdicts) + (len(handles) + ncol - 1) // ncol
    fig, axes, legend_ax = pc.new_figure_with_legend_row(inches, rows, cols, 2.3 if cols == 2 else 2.0,
                                                         0.14 * legend_lines + 0.1)
    panels = list(axes.flat)
    fine = np.geomspace(ax.min(), ax.max(), 50)
    for q, name in enumerate(quantities):
        panel = panels[q]
        for i, study in enumerate(studies):
            draw_study(panel, q, study, f"C{i}", ax, fine)
        panel.set_xlabel("width spacing ay (M fixed)" if spacing == "ay" else "depth spacing ax")
        panel.set_ylabel("relative L2 error")
        panel.set_title(QUANTITY_NAMES.get(name, name))
        panel.grid(True, which="both", alpha=0.3)
    if has_self:
        a = ax[: len(self_error)]
        ok = np.isfinite(self_error) & (self_error > 0)
        panels[0].loglog(a[ok], self_error[ok], "s", color="k")
        reference(panels[0], a[ok][-1], self_error[ok][-1], self_order, fine, "k")
    for extra in panels[len(quantities):]:
        extra.remove()
    legend_ax.legend(handles=handles, loc="center", ncol=ncol, title="\n".join(verdicts))
    return fig


def main():
    parser = pc.figure_parser(__doc__.split("\n")[0], "compare file (HDF5) from `nnfield compare`")
    return pc.run_script("plot_convergence.py", parser, lambda args, width: figure(args.input, width))


if __name__ == "__main__":
    sys.exit(main())
