"""Overrides: a dict {"section.key": value} and a list of "section.key=value" strings are the same
thing to every function that takes them (one conversion, python/overrides.cpp)."""
import numpy as np
import pytest

import nnfield

from conftest import SOURCE_DIR


def test_run_ensemble_takes_a_dict(models_dir):
    model = models_dir / "ensemble_teacher.toml"
    as_list = nnfield.run_ensemble(model, "0:2", ["dynamics.t_end=1.0"], threads=1)
    as_dict = nnfield.run_ensemble(model, "0:2", {"dynamics.t_end": 1.0}, threads=1)
    assert as_dict["time"][-1] == pytest.approx(1.0)
    np.testing.assert_array_equal(as_dict["means"]["/trajectory/loss"], as_list["means"]["/trajectory/loss"])


def test_compare_takes_a_dict(models_dir):
    model = str(models_dir / "compare_small.toml")
    as_dict = nnfield.compare(model, levels=2, orders=[1], overrides={"dynamics.t_end": 0.25})
    as_list = nnfield.compare(model, levels=2, orders=[1], overrides=["dynamics.t_end=0.25"])
    np.testing.assert_array_equal(as_dict["self_error"], as_list["self_error"])
    assert as_dict["times"][-1] == pytest.approx(0.25)


@pytest.mark.parametrize("call", [
    lambda o: nnfield.Model.from_file(SOURCE_DIR / "models" / "ensemble_teacher.toml", overrides=o),
    lambda o: nnfield.run_ensemble(SOURCE_DIR / "models" / "ensemble_teacher.toml", [0], o),
    lambda o: nnfield.compare(str(SOURCE_DIR / "models" / "compare_small.toml"), levels=2, overrides=o),
])
def test_every_function_rejects_bad_overrides_alike(call):
    with pytest.raises(TypeError, match="got a str"):
        call("dynamics.t_end=1")
    with pytest.raises(TypeError, match="got a int"):
        call(3)
    with pytest.raises(TypeError, match=r"overrides\['dynamics.t_end'\]: cannot write"):
        call({"dynamics.t_end": object()})
    with pytest.raises(nnfield.UnknownKeyError):
        call({"dynamics.t_edn": 1.0})
