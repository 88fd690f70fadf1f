"""Run as a context manager: `with nnfield.load(path) as run:` closes the run at the end of the
block (reading a dataset then raises ValueError); arrays read before stay valid."""
import numpy as np
import pytest

import nnfield


@pytest.fixture(scope="module")
def model(models_dir):
    return nnfield.Model.from_file(models_dir / "ensemble_teacher.toml", overrides={"dynamics.t_end": 1.0})


def test_with_closes_a_run_file(model, tmp_path):
    path = tmp_path / "run.h5"
    model.run(str(path), progress=False).close()
    with nnfield.load(path) as run:
        assert not run.closed
        loss = run.trajectory.loss
        expected = loss.copy()
    assert run.closed and "closed" in repr(run)
    with pytest.raises(ValueError, match="run is closed"):
        run["/trajectory/loss"]
    with pytest.raises(ValueError, match="run is closed"):
        run.trajectory.loss
    np.testing.assert_array_equal(loss, expected)          # arrays read before stay valid
    assert "/trajectory/loss" in run and "loss" in run.trajectory and len(run) > 0   # names stay readable
    assert run.status == "complete" and run.path == str(path)


def test_with_closes_a_run_in_memory_and_exceptions_propagate(model):
    with pytest.raises(RuntimeError, match="inside"):
        with model.run(progress=False) as run:
            W = run.trajectory.loss
            raise RuntimeError("inside")
    assert run.closed and run.in_memory and run.path is None
    assert np.isfinite(W).all() and W.base is run                 # the view keeps the storage alive
    with pytest.raises(ValueError, match="run is closed"):
        run.values()
    unread = model.run(progress=False)
    unread.close()                                               # never viewed: storage released
    assert unread.closed and unread.in_memory and unread.rows > 0
    with pytest.raises(ValueError, match="run is closed"):
        unread.get("/trajectory/loss")
