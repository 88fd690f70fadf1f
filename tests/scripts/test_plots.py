"""The plot scripts (scripts/plot_*.py) on small files made here by the built `nnfield`: every
script draws every kind of file it accepts, every visible axis and colour bar is labelled, the
known defects stay fixed, PDF and PNG come out by extension, bad input is one line with exit 2
or 4. Run by ctest as scripts.plots; by hand, from the repository root after a build:

    NNFIELD_EXE=build/nnfield /usr/bin/python3 -m pytest -q tests/scripts
"""
import importlib
import os
import pathlib
import shutil
import subprocess
import sys

import h5py
import numpy as np
import pytest

SOURCE_DIR = pathlib.Path(os.environ.get("NNFIELD_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))
SCRIPTS = SOURCE_DIR / "scripts"
MODELS = SOURCE_DIR / "models"
sys.path.insert(0, str(SCRIPTS))
pc = importlib.import_module("plotting_common")


def script(name):
    return importlib.import_module(name)


@pytest.fixture(scope="session")
def exe():
    path = os.environ.get("NNFIELD_EXE") or str(SOURCE_DIR / "build" / "nnfield")
    if not os.access(path, os.X_OK):
        pytest.skip(f"nnfield executable not found ({path}); set NNFIELD_EXE")
    return path


@pytest.fixture(scope="session")
def files(exe, tmp_path_factory):
    """One small file of each kind the scripts read."""
    d = tmp_path_factory.mktemp("plots")

    def nnfield(*args):
        subprocess.run([exe, *map(str, args), "--force"], check=True, capture_output=True)

    correlators = '--set=observe.correlators=["width","structure","xi"]'
    nnfield("run", MODELS / "energy_flow.toml", "-o", d / "run.h5", "-q", "--set", "dynamics.t_end=4",
            "--set", "network.M=6", correlators)
    nnfield("run", MODELS / "field_energy_flow.toml", "-o", d / "field.h5", "-q", "--set", "dynamics.t_end=1",
            correlators)
    nnfield("correlate", d / "run.h5", "-o", d / "corr.h5")
    nnfield("ensemble", MODELS / "ensemble_teacher.toml", "--seeds", "0:4", "-o", d / "ensemble.h5", "-q",
            "--set", "dynamics.t_end=4")
    nnfield("compare", MODELS / "compare_small.toml", "-o", d / "conv.h5", "--coarsen", "1,2", "--times", "0.5", "-q")
    nnfield("propagate", MODELS / "depth_scale_tanh.toml", "--sigma-w", "1.0:1.8:3", "--networks", "8", "-o",
            d / "prop.h5", "-q", "--set", "network.M=12", "--set", "network.N=16", "--set", "network.r=2")
    return d


CASES = [("plot_run", "run.h5"), ("plot_run", "field.h5"), ("plot_run", "ensemble.h5"),
         ("plot_energy_flow", "run.h5"), ("plot_energy_flow", "field.h5"),
         ("plot_correlators", "corr.h5"), ("plot_correlators", "run.h5"), ("plot_correlators", "field.h5"),
         ("plot_correlators", "ensemble.h5"), ("plot_convergence", "conv.h5"), ("plot_depth_scale", "prop.h5")]


def visible_tick_labels(axis):
    return [t for t in axis.get_ticklabels() if t.get_visible() and t.get_text()]


def assert_labelled(fig):
    """Every axis that shows tick labels has a label; every colour bar has one."""
    fig.canvas.draw()
    drawn = [ax for ax in fig.axes if ax.get_visible() and ax.axison]
    assert drawn
    for ax in drawn:
        colorbar = getattr(ax, "_colorbar", None)
        if colorbar is not None:
            assert colorbar.ax.get_ylabel(), "a colour bar without a label"
            continue
        for axis, label in ((ax.xaxis, ax.get_xlabel()), (ax.yaxis, ax.get_ylabel())):
            if visible_tick_labels(axis):
                assert label, f"an axis with tick labels but no label (panel '{ax.get_title()}')"


@pytest.mark.parametrize("name,kind", CASES)
@pytest.mark.parametrize("width", ["single", "double"])
def test_every_axis_is_labelled(files, name, kind, width):
    fig = script(name).figure(str(files / kind), width=width)
    assert fig.get_figwidth() == pytest.approx(pc.WIDTHS[width])
    assert_labelled(fig)
    import matplotlib.pyplot as plt
    plt.close(fig)


@pytest.mark.parametrize("name,kind", [("plot_run", "ensemble.h5"), ("plot_energy_flow", "field.h5"),
                                       ("plot_correlators", "corr.h5"), ("plot_convergence", "conv.h5"),
                                       ("plot_depth_scale", "prop.h5")])
def test_command_line_writes_pdf_and_png(files, tmp_path, name, kind):
    for extension, magic in ((".pdf", b"%PDF"), (".png", b"\x89PNG")):
        out = tmp_path / f"figure{extension}"
        done = subprocess.run([sys.executable, str(SCRIPTS / f"{name}.py"), str(files / kind), "-o", str(out),
                               "--width", "5.5"], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        assert out.read_bytes()[:4] == magic


def run_script(name, *args):
    return subprocess.run([sys.executable, str(SCRIPTS / f"{name}.py"), *map(str, args)], capture_output=True,
                          text=True)


@pytest.mark.parametrize("name,wrong_kind", [("plot_run", "prop.h5"), ("plot_energy_flow", "ensemble.h5"),
                                             ("plot_correlators", "conv.h5"), ("plot_convergence", "run.h5"),
                                             ("plot_depth_scale", "run.h5")])
def test_bad_input_is_one_line_and_exit_2(files, tmp_path, name, wrong_kind):
    for args in ([files / wrong_kind, "-o", tmp_path / "x.png"], [tmp_path / "absent.h5", "-o", tmp_path / "x.png"],
                 [files / wrong_kind, "-o", tmp_path / "x.jpg"], [files / wrong_kind, "-o", tmp_path / "x.png",
                                                                  "--width", "wide"]):
        done = run_script(name, *args)
        assert done.returncode == 2, (args, done.stderr)
        assert len(done.stderr.strip().splitlines()) == 1 and f"{name}.py: error:" in done.stderr
        assert not (tmp_path / "x.png").exists()


def test_misshapen_datasets_are_one_line_and_exit_2(files, tmp_path):
    path = tmp_path / "misshapen.h5"
    shutil.copy(files / "run.h5", path)
    with h5py.File(path, "r+") as f:
        del f["energy/current"]
        f["energy/current"] = np.zeros(3)
    done = run_script("plot_energy_flow", path, "-o", tmp_path / "x.png")
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "cannot plot this file" in done.stderr and not (tmp_path / "x.png").exists()


def test_unwritable_output_is_exit_4(files, tmp_path):
    done = run_script("plot_run", files / "run.h5", "-o", tmp_path / "no" / "dir" / "x.png")
    assert done.returncode == 4 and "cannot write" in done.stderr


def test_color_range_ignores_a_spike_and_centres_signed_data():
    values = np.concatenate([np.linspace(0.0, 1.0, 10000), [1e6]])
    lo, hi = pc.color_range(values)
    assert 0.0 <= lo < 0.01 and 0.99 < hi < 1.01
    signed = np.concatenate([np.linspace(-2.0, 1.0, 10000), [-1e6]])
    lo, hi = pc.color_range(signed, symmetric=True)
    assert lo == -hi and 1.9 < hi < 2.01
    assert pc.is_signed(signed) and not pc.is_signed(values)


def test_energy_flow_draws_dE_dt_and_one_spike_does_not_set_the_colours(files, tmp_path):
    for kind in ("run.h5", "field.h5"):
        path = tmp_path / kind
        shutil.copy(files / kind, path)
        with h5py.File(path, "r+") as f:
            layer = f["energy/layer"]
            typical = np.percentile(np.abs(layer[()]), 99)
            spiked = layer[()]
            spiked[1, 1] = 1e3 * np.abs(spiked).max()
            layer[...] = spiked
        fig = script("plot_energy_flow").figure(str(path))
        labels = [line.get_label() for ax in fig.axes for line in ax.get_lines()]
        assert any(label.startswith("dE/dt") for label in labels)
        vmin, vmax = fig.axes[0].get_images()[0].get_clim()
        assert max(abs(vmin), abs(vmax)) < 10 * typical
        assert fig.axes[0].get_images()[0].colorbar.extend in ("max", "both")


def test_ensemble_errors_are_drawn(files):
    fig = script("plot_run").figure(str(files / "ensemble.h5"))
    bands = [c for ax in fig.axes for c in ax.collections]
    assert len(bands) >= 3   # loss, train_loss, total energy ... each with its band


def test_correlators_of_an_ensemble_have_a_title_and_xi(files):
    fig = script("plot_correlators").figure(str(files / "ensemble.h5"))
    assert "?" not in fig._suptitle.get_text() and "field phi" in fig._suptitle.get_text()
    xi_panel = [ax for ax in fig.axes if ax.get_ylabel().startswith("xi_y")][0]
    assert any(np.isfinite(line.get_ydata()).any() for line in xi_panel.get_lines())


def test_field_correlators_speak_of_lines_and_nodes(files):
    labels = [ax.get_ylabel() for ax in script("plot_correlators").figure(str(files / "field.h5")).axes]
    assert "depth line a" in labels and "xi_y (nodes)" in labels and "layer m" not in labels


def test_convergence_is_a_grid_with_readable_legend(files):
    fig = script("plot_convergence").figure(str(files / "conv.h5"))
    panels = [ax for ax in fig.axes if ax.axison]
    assert len(panels) == 4
    rows = sorted({round(ax.get_position().y0, 3) for ax in panels})
    assert len(rows) == 2
    texts = [t.get_text() for ax in fig.axes if ax.get_legend() for t in ax.get_legend().get_texts()]
    assert "p = 1, rx = 1" in texts and "order 1 reference" in texts and "order 2 reference" in texts
    assert not any("_r" in t for t in texts)


def test_units_and_integer_attributes_are_read(files, tmp_path):
    """Files of the self-describing schema: integer attributes, units and long_name on datasets."""
    path = tmp_path / "described.h5"
    shutil.copy(files / "prop.h5", path)
    shutil.copy(files / "run.h5", tmp_path / "run.h5")
    with h5py.File(path, "r+") as f:
        for name in ("M", "N", "K", "networks"):
            value = int(f.attrs[name])
            del f.attrs[name]
            f.attrs.create(name, value, dtype=np.int64)
    assert_labelled(script("plot_depth_scale").figure(str(path)))
    with h5py.File(tmp_path / "run.h5", "r+") as f:
        f["trajectory/time"].attrs["long_name"] = "time t of each output row"
        f["trajectory/time"].attrs["units"] = "model time unit"
        f["energy/total"].attrs["units"] = "1"
    fig = script("plot_run").figure(str(tmp_path / "run.h5"))
    assert fig.axes[1].get_xlabel() == "time t [model time unit]"
    assert fig.axes[1].get_ylabel() == "energy"            # "1": dimensionless, no units shown
