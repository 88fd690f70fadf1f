"""nnfield.resume: `nnfield run --resume` from Python (docs/output-schema.md, "Checkpoint and
restart"). A run extended through Python equals the longer uninterrupted run bit for bit; a
resume the command line refuses raises ConfigError with the same one-line message. Runs kept
in memory take no checkpoints, so they refuse the checkpoint keys instead of ignoring them."""
import h5py
import pytest

import nnfield

# Attributes that say when and how a file was made, not what it holds.
PROVENANCE = {"created", "finished", "command_line"}


def contents(path):
    """Every dataset's shape and bytes and every root attribute but PROVENANCE."""
    out = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda n, o: out.__setitem__(n, (o.shape, o[()].tobytes()))
                     if isinstance(o, h5py.Dataset) else None)
        out.update({"@" + k: repr(v) for k, v in f.attrs.items() if k not in PROVENANCE})
    return out


@pytest.fixture(scope="module")
def restart_model(source_dir):
    # Damped, adaptive dopri5 (its step size and FSAL derivative carried), switching data, correlators.
    return str(source_dir / "tests" / "cli" / "restart_models" / "damped_dopri5_switch.toml")


@pytest.mark.parametrize("model, key, short, long", [
    ("damped_dopri5_switch.toml", "dynamics.t_end", 30.0, 60.0),
    ("sgd_batches.toml", "dynamics.steps", 3000, 6000),
])
def test_extended_run_equals_the_longer_run(tmp_path, source_dir, model, key, short, long):
    path = str(source_dir / "tests" / "cli" / "restart_models" / model)
    full, part = tmp_path / "full.h5", tmp_path / "part.h5"
    nnfield.Model.from_file(path, overrides={key: long}).run(full, progress=False).close()
    first = nnfield.Model.from_file(path, overrides={key: short}).run(part, progress=False)
    short_rows = first.rows
    first.close()
    with nnfield.resume(part, overrides={key: long}, progress=False) as resumed:
        assert resumed.status == "complete" and resumed.rows > short_rows
        assert resumed.result["status"] == "complete"
    a, b = contents(full), contents(part)
    assert a.keys() == b.keys()
    assert [k for k in a if a[k] != b[k]] == []


def test_resume_of_a_finished_run_changes_nothing(tmp_path, restart_model):
    out = tmp_path / "run.h5"
    nnfield.Model.from_file(restart_model).run(out, progress=False).close()
    before = contents(out)
    nnfield.resume(str(out), progress=False).close()  # a str path as well as a PathLike
    after = contents(out)
    assert [k for k in before if before[k] != after.get(k)] == []


@pytest.mark.parametrize("overrides, message", [
    ({"dynamics.gamma": 1.0}, r"^\S*run\.h5: cannot resume with a new dynamics\.gamma: only dynamics\.t_end"),
    ({"dynamics.t_end": 1.0}, r"dynamics\.t_end"),
    (["data.tau=0.5"], r"cannot resume with a new data\.tau"),
])
def test_refused_resume_raises_config_error(tmp_path, restart_model, overrides, message):
    out = tmp_path / "run.h5"
    nnfield.Model.from_file(restart_model).run(out, progress=False).close()
    with pytest.raises(nnfield.ConfigError, match=message) as refused:
        nnfield.resume(out, overrides=overrides, progress=False)
    assert "\n" not in str(refused.value)


def test_resume_without_a_checkpoint_raises_config_error(tmp_path, restart_model):
    out = tmp_path / "run.h5"
    nnfield.Model.from_file(restart_model).run(out, progress=False).close()
    (tmp_path / "run.h5.ckpt").unlink()
    with pytest.raises(nnfield.ConfigError, match="no checkpoint") as refused:
        nnfield.resume(out, progress=False)
    assert "\n" not in str(refused.value)
    with pytest.raises(TypeError, match="path"):
        nnfield.resume(3)


@pytest.mark.parametrize("key, value", [("output.checkpoint_every", 2.0), ("output.checkpoint_seconds", 5.0)])
def test_runs_in_memory_refuse_the_checkpoint_keys(tmp_path, models_dir, key, value):
    path = str(models_dir / "ensemble_teacher.toml")
    model = nnfield.Model.from_file(path, overrides={key: value, "dynamics.t_end": 2.0})
    why = f"{key} is not read by this run: runs kept in memory"
    with pytest.raises(nnfield.ConfigError, match=why) as refused:
        model.run(progress=False)
    assert "\n" not in str(refused.value)
    model.run(tmp_path / "run.h5", progress=False).close()  # a run file takes checkpoints: read
    with pytest.raises(nnfield.ConfigError, match=why):
        nnfield.run_ensemble(path, "0:2", overrides={key: value})
    with pytest.raises(nnfield.ConfigError, match=why):
        nnfield.compare(str(models_dir / "compare_small.toml"), levels=2, overrides={key: value})
