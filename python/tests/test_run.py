"""Model.run() and nnfield.load() against the command line and h5py."""
import collections.abc
import gc
import os
import signal
import subprocess
import threading
import warnings

import h5py
import numpy as np
import pytest

import nnfield

# Example models, shortened where they take long; the same overrides go to the CLI as --set.
CASES = {
    "teacher_tanh": {"dynamics.t_end": 10.0},
    "blend_gradient_flow": {},
    "sgd_datafile": {"dynamics.steps": 1000},
    "field_energy_flow": {"dynamics.t_end": 1.0},
}


def cli_sets(overrides):
    out = []
    for key, value in overrides.items():
        out += ["--set", f"{key}={value!r}"]
    return out


def h5_contents(path):
    data, attrs = {}, {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda name, obj: data.__setitem__("/" + name, obj[()])
                     if isinstance(obj, h5py.Dataset) else None)
        for k, v in f.attrs.items():
            attrs[k] = v.decode() if isinstance(v, bytes) else v
    return data, attrs


@pytest.fixture(scope="module")
def cli_runs(tmp_path_factory, exe, source_dir):
    """Every case run once by `nnfield run` (the models name their data relative to themselves)."""
    out = {}
    tmp = tmp_path_factory.mktemp("cli")
    for name, overrides in CASES.items():
        path = tmp / f"{name}.h5"
        subprocess.run([exe, "run", str(source_dir / "models" / f"{name}.toml"), "-o", str(path), "-q",
                        *cli_sets(overrides)], cwd=source_dir, check=True)
        out[name] = path
    return out


@pytest.fixture(scope="module")
def memory_runs(source_dir):
    out = {}
    cwd = os.getcwd()
    os.chdir(source_dir)
    try:
        for name, overrides in CASES.items():
            model = nnfield.Model.from_file(f"models/{name}.toml", overrides=overrides)
            out[name] = model.run(progress=False)
    finally:
        os.chdir(cwd)
    return out


@pytest.mark.parametrize("name", CASES)
def test_memory_run_equals_cli_file(name, cli_runs, memory_runs):
    """Model.run() in memory gives the same numbers as `nnfield run`: bitwise."""
    data, attrs = h5_contents(cli_runs[name])
    # The file's root dimension coordinates (/time, /depth, ...; docs/output-schema.md) are its own.
    data = {k: v for k, v in data.items() if k.count("/") > 1}
    run = memory_runs[name]
    assert run.status == "complete" == attrs["status"]
    assert sorted(run.keys()) == sorted(data)
    for key, expected in data.items():
        got = run[key]
        assert got.dtype == np.float64 and got.shape == expected.shape, key
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12, err_msg=key)
        assert np.array_equal(got, expected), f"{key} is not bitwise equal"
        assert run.info(key)["index_order"] == h5py.File(cli_runs[name], "r")[key].attrs["index_order"]
    for key in ("M", "N", "r", "K", "ax", "ay", "activation", "loss", "dynamics", "resolved_config", "seed",
                "git_hash", "model_text"):
        assert run.attrs[key] == attrs[key], key


@pytest.mark.parametrize("name", CASES)
def test_load_equals_h5py(name, cli_runs):
    data, attrs = h5_contents(cli_runs[name])
    run = nnfield.load(cli_runs[name])
    assert not run.in_memory and run.path == str(cli_runs[name]) and run.message is None
    assert sorted(run) == sorted(data) and len(run) == len(data)
    for key, expected in data.items():
        assert np.array_equal(run[key], expected), key
    assert run.attrs == attrs
    assert isinstance(run.attrs["seed"], int) and run.attrs["seed"] == int(attrs["seed_string"])
    assert run.rows == len(data["/trajectory/time"])
    assert run.config == attrs["resolved_config"]


def test_run_to_file(tmp_path, models_dir):
    model = nnfield.Model.from_file(models_dir / "blend_gradient_flow.toml", overrides={"dynamics.t_end": 2.0})
    path = tmp_path / "run.h5"
    run = model.run(output=path, progress=False)
    assert run.path == str(path) and run.status == "complete" and not run.in_memory
    assert run.result["status"] == "complete" and run.result["rows"] == run.rows
    assert run.message.startswith("completed")
    memory = model.run(progress=False)
    for key in memory:
        assert np.array_equal(memory[key], run[key]), key
    with pytest.raises(OSError, match="exists"):
        model.run(output=path, progress=False)
    assert model.run(output=str(path), progress="off", force=True).status == "complete"


def test_mapping_and_attribute_access(memory_runs):
    run = memory_runs["teacher_tanh"]
    assert isinstance(run, collections.abc.Mapping)
    assert "/trajectory/W" in run and "trajectory/W" in run and "/nope" not in run and 3 not in run
    W = run["/trajectory/W"]
    M, N, r = 8, 32, 1
    assert W.shape == (run.rows, M, N, 2 * r + 1)
    assert np.array_equal(run.trajectory.W, W) and np.array_equal(run["trajectory/W"], W)
    assert np.array_equal(run.trajectory["W"], W)
    assert set(run.trajectory.keys()) >= {"W", "b", "z", "loss", "time"}
    assert "W" in run.trajectory and "nope" not in run.trajectory
    assert "trajectory" in dir(run) and "energy" in dir(run)
    assert run.get("/nope") is None and run.get("/nope", 5) == 5
    assert [k for k, _ in run.items()] == run.keys() and len(run.values()) == len(run)
    info = run.info("/trajectory/z")
    assert info["index_order"] == "T,M,N" and info["shape"] == (run.rows, M, N) and info["time_series"]
    assert run.info("/data/X")["time_series"] is False
    with pytest.raises(KeyError, match="run has no dataset '/trajectory/nope'"):
        run["/trajectory/nope"]
    with pytest.raises(AttributeError, match="nope"):
        run.nope
    with pytest.raises(AttributeError):
        run.trajectory.nope
    assert "in memory" in repr(run) and "complete" in repr(run)


def test_field_energy_flow(memory_runs):
    """A field run's energy book from Python: the sites sum to E, the currents balance."""
    run = memory_runs["field_energy_flow"]
    nx, ny = len(run.grid.x), len(run.grid.y)
    e = run.energy
    assert e.density.shape == (run.rows, nx, ny) and e.flux.shape == (run.rows, nx, ny)
    assert e.exchange.shape[:2] == (run.rows, nx - 1) and e.exchange.shape[3] == ny
    np.testing.assert_allclose(e.density.sum(axis=(1, 2)), e.total, rtol=1e-12, atol=0)
    scale = np.abs(e.flux).max()
    assert scale > 0
    assert np.abs(e.continuity_residual).max() < 1e-12 * scale
    assert np.abs(e.interval_residual).max() < 1e-12 * scale


def test_memory_arrays_are_views_that_keep_the_run_alive(models_dir):
    """No copy: arrays of a run in memory view the run's storage; the run lives as long as they do."""
    model = nnfield.Model.from_file(models_dir / "blend_gradient_flow.toml", overrides={"dynamics.t_end": 1.0})
    run = model.run(progress=False)
    a, b = run["/trajectory/W"], run.trajectory.W
    assert a is not b and np.shares_memory(a, b)          # two accesses, one storage
    assert a.base is run and b.base is run                # the base chain holds the Run ...
    assert not a.flags.owndata and not a.flags.writeable  # ... which owns the data; read-only
    with pytest.raises(ValueError):
        a[0, 0, 0, 0] = 1.0
    expected = a.copy()
    del run, b
    gc.collect()
    fresh = model.run(progress=False)  # reuses freed memory if the first run had been freed
    assert np.array_equal(a, expected) and a.base.status == "complete"
    assert not np.shares_memory(a, fresh["/trajectory/W"])


def test_file_arrays_are_read_once(tmp_path, models_dir):
    path = tmp_path / "run.h5"
    nnfield.Model.from_file(models_dir / "blend_gradient_flow.toml",
                            overrides={"dynamics.t_end": 1.0}).run(path, progress=False)
    run = nnfield.load(path)
    assert run["/trajectory/W"] is run.trajectory.W
    assert not run.trajectory.W.flags.writeable


def test_load_truncates_series_to_the_shortest(tmp_path, cli_runs):
    """A run killed between two appends leaves series one row apart (docs/output-schema.md)."""
    path = tmp_path / "ragged.h5"
    path.write_bytes(cli_runs["blend_gradient_flow"].read_bytes())
    with h5py.File(path, "r+") as f:
        T = f["/trajectory/time"].shape[0]
        f["/trajectory/W"].resize(T - 1, axis=0)
        f.attrs["status"] = "running"
    run = nnfield.load(path)
    assert run.rows == T - 1 and run.status == "running"
    assert run["/trajectory/time"].shape == (T - 1,) and run["/energy/total"].shape == (T - 1,)
    assert run["/data/X"].shape[0] == 8  # not a time series


def test_blown_up_run_returns_its_rows_with_a_warning(models_dir, source_dir, monkeypatch):
    monkeypatch.chdir(source_dir)
    model = nnfield.Model.from_file("models/sgd_datafile.toml", overrides={"dynamics.eta": 1e6, "dynamics.steps": 200})
    with pytest.warns(RuntimeWarning, match="NaN"):
        run = model.run(progress=False)
    assert run.status.startswith("failed: ") and run.result["status"] == "blew_up"
    assert run.rows >= 1 and np.all(np.isfinite(run["/trajectory/loss"]))


@pytest.mark.parametrize("to_file", [False, True])
def test_ctrl_c_stops_the_run_cleanly(to_file, tmp_path, models_dir):
    """SIGINT during run(): the run stops, KeyboardInterrupt carries the rows so far."""
    model = nnfield.Model.from_file(models_dir / "teacher_tanh.toml", overrides={"dynamics.t_end": 1e5})
    path = tmp_path / "stopped.h5" if to_file else None
    timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt) as info:
            model.run(output=path, progress=False)
    finally:
        timer.cancel()
    run = info.value.run
    assert run.status == "interrupted" and run.result["status"] == "interrupted"
    assert 1 <= run.rows < 2 * 10**5
    if to_file:
        with h5py.File(path, "r") as f:
            assert f.attrs["status"] == "interrupted"


def test_model_properties(models_dir):
    model = nnfield.Model.from_file(models_dir / "teacher_tanh.toml")
    assert model.shape == (8, 32, 1)
    assert (model.activation, model.loss, model.dynamics) == ("tanh", "mse", "damped")
    assert model.seed == 1 and model.title.startswith("teacher-student")
    assert model.source == (models_dir / "teacher_tanh.toml").read_text()
    assert "[network]" in model.config and "M = 8" in model.config
    same = nnfield.Model.from_string(model.source, name="teacher")
    assert same.config == model.config and same.path == "teacher"
    assert "teacher_tanh.toml" in repr(model)
    assert nnfield.__version__ and nnfield.build_info["git_hash"]
    assert "tanh" in nnfield.activations and "mse" in nnfield.losses


def test_no_warnings_on_a_normal_run(models_dir):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nnfield.Model.from_file(models_dir / "blend_gradient_flow.toml",
                                overrides={"dynamics.t_end": 0.5}).run(progress=False)


def test_load_while_the_run_writes(tmp_path, models_dir):
    """A run file is readable while another thread's run() writes it (no HDF5 file lock)."""
    path = tmp_path / "live.h5"
    model = nnfield.Model.from_file(models_dir / "teacher_tanh.toml",
                                    overrides={"dynamics.t_end": 40.0, "output.flush_every": 1})
    done = []
    worker = threading.Thread(target=lambda: done.append(model.run(path, progress=False)))
    worker.start()
    seen = None
    try:
        while worker.is_alive() and seen is None:
            if path.exists():
                try:
                    live = nnfield.load(path)
                except OSError:
                    continue  # created but not yet flushed
                if live.status == "running" and live.rows >= 2:
                    seen = live
    finally:
        worker.join()
    assert seen is not None, "the run ended before it could be read"
    final = done[0]
    assert final.status == "complete" and final.rows > seen.rows
    assert np.array_equal(seen.trajectory.W, final.trajectory.W[:seen.rows])
