#!/usr/bin/env python3
"""Plot the correlators of a correlator file, a run file with /correlators, or an ensemble.

    /usr/bin/python3 scripts/plot_correlators.py CORR.h5 -o corr.pdf [--row -1] [--offset k]
                                                 [--width single|double|INCHES]

CORR.h5 is written by `nnfield correlate RUN.h5 -o CORR.h5`; a run file (network or field)
written with `[observe] correlators = [...]` works too, and so does an ensemble file (`nnfield
ensemble`: seed means with error bands from `<name>_error`). Panels (docs/correlators.md has the
definitions), each drawn when the file has its datasets:
  1. width two-point functions C_m(d) of every layer m at one row (default: the last), for
     d = 0..N/2 (C_m(N - d) = C_m(d));
  2. the second-moment correlation length xi_y of every layer against time (for an ensemble,
     xi_y of the seed-averaged structure factor with the ensemble mean removed, /correlators/
     xi_ensemble, when the per-seed xi_y is undefined);
  3. structure factors S_m(k) of every layer at that row against k = 2 pi q / N;
  4. time autocorrelations rho(tau) of the layer means and of the loss, with tau_int, for lags
     up to half the series (longer lags average too few pairs; `nnfield correlate` files only).
Layers are coloured by depth (colour bar). For the weights (index order with K), --offset picks
the weight index k (default: the central one, offset 0). The extension picks PDF or PNG.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import plotting_common as pc  # noqa: E402

NAMES = ["correlators/time", "correlators/k", "correlators/width", "correlators/structure", "correlators/xi",
         "correlators/xi_ensemble", "autocorrelation/layer_mean", "autocorrelation/layer_mean_tau_int",
         "autocorrelation/loss", "autocorrelation/loss_tau_int"]
WITH_ERRORS = ["correlators/width", "correlators/structure", "correlators/xi", "correlators/xi_ensemble"]


def select_offset(name, data, order, offset):
    """Weights carry an axis K of offsets: keep one."""
    import numpy as np

    if "K" not in order:
        return data
    axis = order.index("K")
    K = data.shape[axis]
    k = K // 2 if offset is None else offset
    if not 0 <= k < K:
        raise pc.PlotError(f"--offset {k} out of range: {name} has K = {K}")
    return np.take(data, k, axis=axis)


def describe(f, path):
    """The title: source, field and mean subtraction from a correlate file's, a run's or an
    ensemble's attributes (an ensemble's come from its resolved configuration)."""
    attrs = f.attrs
    observe = {}
    if "resolved_config" in attrs:
        import tomllib
        observe = tomllib.loads(pc.text(attrs["resolved_config"])).get("observe", {})
    field = pc.text(attrs.get("field", attrs.get("correlators_field", observe.get("field", "phi"))))
    mean = pc.text(attrs.get("mean_subtracted", attrs.get("correlators_mean_subtracted", "none")))
    source = os.path.basename(pc.text(attrs.get("model_path", attrs.get("source_run", path))))
    kind = pc.text(attrs.get("kind", ""))
    extra = f", ensemble of {pc.attr_int(attrs, 'seeds_averaged', 0)} seeds" if kind == "ensemble" else ""
    return f"{source}: field {field}, mean subtracted: {mean}{extra}"


def read(path, offset):
    """The datasets the plot uses (any weight-offset axis K already selected), the width N and
    the title."""
    with pc.open_h5(path) as f:
        if "correlators" not in f:
            raise pc.PlotError(f"{path}: no /correlators group (write one with `nnfield correlate RUN.h5 -o CORR.h5`, "
                               f"or run with [observe] correlators = [...])")
        names = NAMES + [n + "_error" for n in WITH_ERRORS]
        data, sources = pc.read_datasets(f, names, required=["correlators/time"])
        for name in list(data):
            order = pc.text(sources[name].attrs.get("index_order", "")).split(",")
            data[name] = select_offset(name, data[name], order, offset)
        N = pc.attr_int(f.attrs, "N")   # run and ensemble files; correlate files have /correlators/k
        # A field run (or a correlate file of one): the grid's depth lines and width nodes.
        field = pc.text(f.attrs.get("solver", "")) == "field" or pc.text(f.attrs.get("field_dataset", "")) in (
            "/trajectory/phi", "/trajectory/w", "/trajectory/beta")
        data["words"] = {"layer": "depth line a" if field else "layer m", "site": "nodes" if field else "sites",
                         "time": pc.dataset_label(sources["correlators/time"], "time t")}
        title = describe(f, path)
    if data["correlators/time"].shape[0] == 0:
        raise pc.PlotError(f"{path}: the file has no correlator rows")
    return data, N, title


def layer_colors(fig, ax, M, words):
    """A colour per layer and a colour bar 'layer m' (a legend of M entries would cover data)."""
    import matplotlib.cm
    import matplotlib.colors

    norm = matplotlib.colors.Normalize(vmin=1, vmax=max(M, 2))
    mapper = matplotlib.cm.ScalarMappable(norm=norm, cmap="viridis")
    fig.colorbar(mapper, ax=ax, pad=0.01).set_label(words["layer"])
    return [mapper.to_rgba(m + 1) for m in range(M)]


def width_panel(fig, ax, data, row, t_row):
    import matplotlib.ticker
    import numpy as np

    C, error = data["correlators/width"][row], data.get("correlators/width_error")  # (M, N)
    M, N = C.shape
    d = np.arange(N // 2 + 1)
    for m, color in enumerate(layer_colors(fig, ax, M, data["words"])):
        pc.error_band(ax, d, C[m, : N // 2 + 1], None if error is None else error[row, m, : N // 2 + 1], color=color)
    ax.axhline(0, color="k", lw=0.4)
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    ax.set_xlabel(f"width separation d ({data['words']['site']})")
    ax.set_ylabel("C_m(d)")
    ax.set_title(f"width two-point function, t = {t_row:g}")


def xi_panel(fig, ax, data):
    import numpy as np

    name = "correlators/xi"
    if name not in data or (np.all(np.isnan(data[name])) and "correlators/xi_ensemble" in data):
        name = "correlators/xi_ensemble"
    xi, error = data[name], data.get(name + "_error")  # (T, M)
    time = data["correlators/time"]
    for m, color in enumerate(layer_colors(fig, ax, xi.shape[1], data["words"])):
        pc.error_band(ax, time, xi[:, m], None if error is None else error[:, m], color=color)
    ax.set_xlabel(data["words"]["time"])
    ax.set_ylabel(f"xi_y ({data['words']['site']})")
    ax.set_title("xi_y of the ensemble-mean-removed S" if name.endswith("ensemble")
                 else "second-moment width correlation length")
    if np.any(np.isfinite(xi)):  # xi_y of single configurations spikes: a robust range, clipped spikes
        lo, hi = pc.color_range(xi, percentile=98)
        ax.set_ylim(max(0.0, lo - 0.1 * (hi - lo)), hi + 0.1 * (hi - lo))
    else:
        ax.text(0.5, 0.5, "xi_y undefined (S(0) < S(k_min))", ha="center", transform=ax.transAxes)


def structure_panel(fig, ax, data, N, row, t_row):
    import numpy as np

    S, error = data["correlators/structure"][row], data.get("correlators/structure_error")  # (M, N/2+1)
    nq = S.shape[1]
    k = data["correlators/k"] if "correlators/k" in data else 2 * np.pi * np.arange(nq) / (N or 2 * (nq - 1))
    for m, color in enumerate(layer_colors(fig, ax, S.shape[0], data["words"])):
        line = pc.error_band(ax, k, S[m], None if error is None else error[row, m], color=color)
        line.set_marker(".")
    if np.all(S[:, 1:] > 0):
        ax.set_yscale("log")
    ax.set_xlabel("wavenumber k = 2 pi q / N")
    ax.set_ylabel("S_m(k)")
    ax.set_title(f"structure factor, t = {t_row:g}")


def autocorrelation_panel(fig, ax, data):
    import numpy as np

    if "autocorrelation/layer_mean" in data:
        rho = data["autocorrelation/layer_mean"]  # (L, M)
        shown = max(2, rho.shape[0] // 2)  # longer lags average too few pairs to mean much
        for m, color in enumerate(layer_colors(fig, ax, rho.shape[1], data["words"])):
            ax.plot(np.arange(shown), rho[:shown, m], color=color, lw=0.8)
    title = "time autocorrelation of the layer means"
    if "autocorrelation/loss" in data:
        rho = data["autocorrelation/loss"]
        tau = data.get("autocorrelation/loss_tau_int")
        shown = max(2, rho.shape[0] // 2)
        ax.plot(np.arange(shown), rho[:shown], "k--", lw=1.2)
        title += "\nand of the loss (dashed" + (f", tau_int = {float(tau):.3g} rows)" if tau is not None else ")")
    ax.axhline(0, color="k", lw=0.4)
    if max((len(line.get_xdata()) for line in ax.get_lines()), default=0) > 50:
        ax.set_xscale("symlog", linthresh=10)  # long series: logarithmic lags beyond 10
    ax.set_xlabel("lag tau (rows)")
    ax.set_ylabel("rho(tau)")
    ax.set_title(title)


@pc.paper_style
def figure(path, width="double", row=-1, offset=None):
    data, N, title = read(path, offset)
    time = data["correlators/time"]
    T = time.shape[0]
    if not -T <= row < T:
        raise pc.PlotError(f"--row {row} out of range: the file has {T} rows")
    panels = []
    if "correlators/width" in data:
        panels.append(lambda fig, ax: width_panel(fig, ax, data, row, time[row]))
    if "correlators/xi" in data or "correlators/xi_ensemble" in data:
        panels.append(lambda fig, ax: xi_panel(fig, ax, data))
    if "correlators/structure" in data:
        panels.append(lambda fig, ax: structure_panel(fig, ax, data, N, row, time[row]))
    if "autocorrelation/layer_mean" in data or "autocorrelation/loss" in data:
        panels.append(lambda fig, ax: autocorrelation_panel(fig, ax, data))
    if not panels:
        raise pc.PlotError(f"{path}: no width, xi, structure or autocorrelation datasets to plot")
    inches = pc.parse_width(width) if isinstance(width, str) else width
    cols = 2 if inches >= 5 and len(panels) > 1 else 1
    rows = (len(panels) + cols - 1) // cols
    fig, axes = pc.new_figure(inches, rows, cols, 2.2 if cols == 2 else 1.9)
    for draw, ax in zip(panels, axes.flat):
        draw(fig, ax)
        ax.grid(True, alpha=0.3)
    for ax in list(axes.flat)[len(panels):]:
        ax.remove()
    fig.suptitle(pc.wrap_label(title, int(16 * inches)))
    return fig


def main():
    parser = pc.figure_parser(__doc__.split("\n")[0], "correlator, run or ensemble file with /correlators")
    parser.add_argument("--row", type=int, default=-1, help="row for the C(d) and S(k) panels (default -1: last)")
    parser.add_argument("--offset", type=int, default=None, help="weight index k for field w (default: central)")
    return pc.run_script("plot_correlators.py", parser,
                         lambda args, width: figure(args.input, width, args.row, args.offset))


if __name__ == "__main__":
    sys.exit(main())
