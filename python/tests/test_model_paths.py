"""Paths in model files (docs/model-files.md, "Paths"), as the Python module sees them:
relative to the model file, overrides relative to the working directory (the CLI's rule)."""
import shutil

import h5py
import numpy as np

import nnfield
from conftest import SOURCE_DIR


def make_project(root):
    shutil.copytree(SOURCE_DIR / "tests" / "data" / "model_paths" / "models", root / "models")
    (root / "inputs").mkdir()
    (root / "elsewhere").mkdir()
    rng = np.random.default_rng(1)
    with h5py.File(root / "inputs" / "init.h5", "w") as f:
        f["W"] = rng.normal(0, 0.5, (3, 8, 3))
        f["b"] = np.zeros((3, 8))
    with h5py.File(root / "inputs" / "data.h5", "w") as f:
        f["X"] = rng.normal(0, 1, (4, 8))
        f["Y"] = rng.normal(0, 1, (4, 8))


def test_model_paths_resolve_against_the_model_file(tmp_path, monkeypatch):
    make_project(tmp_path)
    monkeypatch.chdir(tmp_path / "elsewhere")
    model = nnfield.Model.from_file("../models/m.toml")
    assert f'file = "{tmp_path}/inputs/init.h5"' in model.config
    assert f'file = "{tmp_path}/inputs/data.h5"' in model.config
    run = model.run()
    assert run.status == "complete"
    assert np.all(np.isfinite(run["trajectory/loss"]))


def test_override_paths_resolve_from_the_working_directory(tmp_path, monkeypatch):
    make_project(tmp_path)
    (tmp_path / "inputs" / "data.h5").rename(tmp_path / "elsewhere" / "local.h5")
    monkeypatch.chdir(tmp_path / "elsewhere")
    model = nnfield.Model.from_file(tmp_path / "models" / "m.toml", overrides={"data.file": "local.h5"})
    assert f'file = "{tmp_path}/elsewhere/local.h5"' in model.config
    assert model.run().status == "complete"
