"""Shared plumbing of the plot scripts (scripts/plot_*.py): paper widths, style, colour ranges,
axis labels from the files' own attributes, reading HDF5 files, saving PDF or PNG, and the
one-line errors with the project's exit codes (2 bad input, 4 output error).

Each script exposes `figure(path, width=..., ...) -> matplotlib Figure` (raises PlotError on bad
input) and a `main()` that is `run_script(...)` around it; tests call `figure` and inspect the
axes. Readers accept attributes written as float64 or as integers (`attr_int`), and put a
dataset's `units` attribute on its axis when the file has one (`dataset_label`).
"""
import argparse
import functools
import os
import sys

EXIT_BAD_INPUT = 2
EXIT_OUTPUT = 4
WIDTHS = {"single": 3.4, "double": 7.0}   # inches: one and two journal columns
FORMATS = (".pdf", ".png")
PNG_DPI = 300

# Sizes for a figure printed at its physical width: 8 pt text, thin lines.
PAPER_STYLE = {
    "font.size": 8, "axes.titlesize": 8, "axes.labelsize": 8, "legend.fontsize": 7,
    "legend.title_fontsize": 7, "xtick.labelsize": 7, "ytick.labelsize": 7, "figure.titlesize": 8,
    "lines.linewidth": 1.0, "lines.markersize": 3.5, "axes.linewidth": 0.6, "grid.linewidth": 0.4,
    "legend.frameon": False, "legend.handlelength": 1.6, "image.interpolation": "nearest",
}


class PlotError(Exception):
    """Bad input (exit 2) or an unwritable output (exit 4); the message is one line."""

    def __init__(self, message, code=EXIT_BAD_INPUT):
        super().__init__(message)
        self.code = code


def parse_width(text):
    """--width: 'single' (3.4 in), 'double' (7 in) or a width in inches."""
    if text in WIDTHS:
        return WIDTHS[text]
    try:
        inches = float(text)
    except ValueError:
        inches = float("nan")
    if not 1.0 <= inches <= 30.0:
        raise PlotError(f"--width: expected single, double or inches in [1, 30], got '{text}'")
    return inches


def output_format(path):
    extension = os.path.splitext(path)[1].lower()
    if extension not in FORMATS:
        raise PlotError(f"-o {path}: the extension must be .pdf or .png")
    return extension[1:]


def paper_style(make_figure):
    """Decorator of the scripts' `figure` functions: the figure is made under PAPER_STYLE (text
    sizes are fixed when the artists are made), without changing the caller's rcParams."""
    @functools.wraps(make_figure)
    def styled(*args, **kwargs):
        import matplotlib

        with matplotlib.rc_context(PAPER_STYLE):
            return make_figure(*args, **kwargs)
    return styled


def new_figure(width, rows, cols, height_per_row, **subplot_options):
    """A figure `width` inches wide with constrained layout (colour bars, legends outside the
    axes and titles get their room)."""
    import matplotlib.pyplot as plt

    width = parse_width(width) if isinstance(width, str) else float(width)
    # A narrow figure stacks its panels: the height follows the rows, not the width.
    return plt.subplots(rows, cols, figsize=(width, height_per_row * rows), layout="constrained",
                        squeeze=False, **subplot_options)


def new_figure_with_legend_row(width, rows, cols, height_per_row, legend_height):
    """new_figure with a strip `legend_height` inches tall above the panels for one shared
    legend (returned as an axes without axis lines: put the legend on it)."""
    fig, axes = new_figure(width, rows + 1, cols, height_per_row,
                           gridspec_kw={"height_ratios": [legend_height / height_per_row] + [1] * rows})
    grid = axes[0, 0].get_subplotspec().get_gridspec()
    for slot in axes[0]:
        slot.remove()
    legend_ax = fig.add_subplot(grid[0, :])
    legend_ax.axis("off")
    return fig, axes[1:], legend_ax


def save(fig, path):
    import matplotlib.pyplot as plt

    fmt = output_format(path)
    try:
        fig.savefig(path, format=fmt, dpi=PNG_DPI)
    except OSError as e:
        raise PlotError(f"{path}: cannot write ({e.strerror or e})", EXIT_OUTPUT) from e
    finally:
        plt.close(fig)


def color_range(values, percentile=99.5, symmetric=False):
    """(vmin, vmax) from percentiles of the finite values, so one spike does not flatten the
    rest; symmetric about zero for a signed quantity. The percentiles are values of the data
    taken inwards ('lower' at the top), so even a small array drops its single extreme.
    Never an empty range."""
    import numpy as np

    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    if finite.size == 0:
        return (-1.0, 1.0)
    if symmetric:
        top = float(np.percentile(np.abs(finite), percentile, method="lower"))
        top = top if top > 0 else float(np.abs(finite).max()) or 1.0
        return (-top, top)
    lo = float(np.percentile(finite, 100.0 - percentile, method="higher"))
    hi = float(np.percentile(finite, percentile, method="lower"))
    if hi <= lo:
        lo, hi = float(finite.min()), float(finite.max())
    if hi <= lo:
        lo, hi = lo - 0.5 * (abs(lo) or 1.0), hi + 0.5 * (abs(hi) or 1.0)
    return (lo, hi)


def is_signed(values):
    """Both signs beyond rounding: a diverging, zero-centred colour scale."""
    import numpy as np

    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    if finite.size == 0:
        return False
    scale = np.abs(finite).max()
    return bool(finite.min() < -1e-12 * scale and finite.max() > 1e-12 * scale)


def image(fig, ax, values, extent, label, norm=None):
    """`values` (x, y) as an image over `extent` with a labelled colour bar: a percentile colour
    range (or `norm`), symmetric about zero with a diverging map when the values are signed; the
    colour bar's arrows show where the range clips."""
    import numpy as np

    symmetric = is_signed(values)
    if norm is None:
        vmin, vmax = color_range(values, symmetric=symmetric)
        options = {"vmin": vmin, "vmax": vmax}
    else:
        vmin, vmax = norm.vmin, norm.vmax
        options = {"norm": norm}
    im = ax.imshow(np.asarray(values).T, aspect="auto", origin="lower", extent=extent,
                   cmap="RdBu_r" if symmetric else "viridis", **options)
    clipped = (bool(np.nanmin(values) < vmin), bool(np.nanmax(values) > vmax))
    extend = {(False, False): "neither", (True, False): "min", (False, True): "max", (True, True): "both"}
    bar = fig.colorbar(im, ax=ax, extend=extend[clipped], pad=0.01)
    bar.set_label(label)
    return im


def wrap_label(label, width):
    """`label` broken into lines of at most `width` characters at spaces, never inside $math$."""
    words = []
    for token in label.split(" "):
        if words and words[-1].count("$") % 2 == 1:   # inside a math span: keep it whole
            words[-1] += " " + token
        else:
            words.append(token)
    lines = [""]
    for word in words:
        if lines[-1] and len(lines[-1]) + 1 + len(word) > width:
            lines.append(word)
        else:
            lines[-1] = f"{lines[-1]} {word}" if lines[-1] else word
    return "\n".join(lines)


def legend_above(ax, title=None):
    """A legend above the axes, so it never covers data: two columns on wide figures, labels
    and title wrapped to the figure's width (about 16 characters per inch at 7 pt)."""
    width = ax.figure.get_figwidth()
    ncol = 2 if width >= 5 else 1
    handles, labels = ax.get_legend_handles_labels()
    chars = max(20, int(16 * (width - 1.0) / ncol) - 4)
    labels = [wrap_label(label, chars) for label in labels]
    title = wrap_label(title, int(16 * (width - 1.0))) if title else None
    return ax.legend(handles, labels, loc="lower left", bbox_to_anchor=(0.0, 1.01, 1.0, 0.1), mode="expand",
                     borderaxespad=0.0, ncol=ncol, title=title)


def error_band(ax, x, mean, error, label=None, **style):
    """A line with a shaded +- error band when `error` is not None (ensemble files hold
    `<name>_error`)."""
    line, = ax.plot(x, mean, label=label, **style)
    if error is not None:
        ax.fill_between(x, mean - error, mean + error, color=line.get_color(), alpha=0.25, lw=0)
    return line


def text(value):
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if hasattr(value, "shape") and value.shape in ((), (1,)):
        value = value.reshape(-1)[0] if value.shape == (1,) else value[()]
        return text(value)
    return str(value)


def attr_int(attrs, name, default=None):
    """An integer attribute written as float64 (older files) or as an integer."""
    import numpy as np

    if name not in attrs:
        return default
    return int(round(float(np.asarray(attrs[name]).reshape(-1)[0])))


def attr_float(attrs, name, default=None):
    import numpy as np

    if name not in attrs:
        return default
    return float(np.asarray(attrs[name]).reshape(-1)[0])


def dataset_label(dataset, name):
    """An axis label: the script's short `name` with the dataset's `units` attribute when the
    file has one (not "1", dimensionless). The files' `long_name` is their one-line
    description, too long for an axis: the name stays ours."""
    units = text(dataset.attrs["units"]) if "units" in dataset.attrs else None
    return f"{name} [{units}]" if units and units != "1" else name


def open_h5(path):
    import h5py

    if not os.path.isfile(path):
        raise PlotError(f"{path}: no such file")
    try:
        return h5py.File(path, "r")
    except OSError as e:
        raise PlotError(f"{path}: not a readable HDF5 file ({e})") from e


def read_datasets(f, names, required=()):
    """{name: float64 array} for the names present, and {name: label source} (the h5py
    dataset, for dataset_label); a missing required name or a group is an error naming it."""
    import h5py
    import numpy as np

    data, sources = {}, {}
    for name in names:
        if name not in f:
            if name in required:
                raise PlotError(f"{f.file.filename}: missing dataset {name}")
            continue
        if not isinstance(f[name], h5py.Dataset):
            raise PlotError(f"{f.file.filename}: {name} is not a dataset")
        data[name] = np.asarray(f[name][()], dtype=float)
        sources[name] = f[name]
    return data, sources


def truncate_rows(data, names):
    """Time series of a killed run can be a row apart: cut them to the shortest (output-schema)."""
    present = [n for n in names if n in data and data[n].ndim > 0]
    if not present:
        return data
    rows = min(len(data[n]) for n in present)
    if rows == 0:
        raise PlotError(f"{present[0]}: the time series are empty")
    return {k: (v[:rows] if k in present else v) for k, v in data.items()}


def file_title(f, path):
    """The model file's name (else the file's), with the status when the run did not complete."""
    title = os.path.basename(text(f.attrs["model_path"]) if "model_path" in f.attrs else path)
    status = text(f.attrs["status"]) if "status" in f.attrs else "complete"
    return title if status == "complete" else f"{title}  [{status}]"


def figure_parser(description, input_help):
    """The arguments every plot script takes: the input file, -o (PDF or PNG), --width."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("input", help=input_help)
    parser.add_argument("-o", "--output", required=True, help="figure to write: .pdf or .png")
    parser.add_argument("--width", default="double",
                        help="figure width: single (3.4 in), double (7 in, default) or inches")
    return parser


def run_script(name, parser, make_figure):
    """Parse, check the output name before any work, draw, save; PlotError -> one line + code."""
    args = parser.parse_args()
    import matplotlib

    matplotlib.use("Agg")   # files only, no display
    try:
        output_format(args.output)
        width = parse_width(args.width)
        save(make_figure(args, width), args.output)
    except PlotError as e:
        print(f"{name}: error: {e}", file=sys.stderr)
        return e.code
    except KeyboardInterrupt:
        return 130
    except (ArithmeticError, LookupError, TypeError, ValueError, OSError) as e:
        # Datasets of the right names but the wrong shapes or contents: still one line.
        print(f"{name}: error: {args.input}: cannot plot this file ({type(e).__name__}: {e})", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(f"wrote {args.output}")
    return 0
