"""nnfield.compare: the field limit against networks, equal to `nnfield compare`."""
import subprocess

import h5py
import numpy as np
import pytest

import nnfield


def test_compare_matches_the_cli(models_dir, exe, tmp_path):
    model = str(models_dir / "compare_small.toml")
    c = nnfield.compare(model, levels=3)
    out = tmp_path / "conv.h5"
    subprocess.run([exe, "compare", model, "-o", str(out), "-q"], check=True, capture_output=True)
    with h5py.File(out, "r") as f:
        np.testing.assert_array_equal(c["M"], f["/levels/M"][:])
        np.testing.assert_allclose(c["self_error"][-1], f["/self_convergence/error"][:], rtol=0, atol=0)
        for name, study in c["studies"].items():
            e = f[f"/studies/{name}/error"][:]
            np.testing.assert_allclose(study["error"][-1], e, rtol=0, atol=0, equal_nan=True)
            oe = f[f"/studies/{name}/output_error"][:]
            np.testing.assert_allclose(study["output_error"], oe, rtol=0, atol=0, equal_nan=True)
    assert c["exact_max_rel_diff"] < 1e-10  # the lattice-exact field theory is the network
    assert c["self_verdict"].startswith("converges")
    assert c["studies"]["p1_r2"]["verdict"].startswith("converges")
    assert c["studies"]["p1_r2"]["error"].shape[1:] == (3, 4)
    assert "levels" in c["table"]


def test_compare_rejects_bad_arguments(models_dir):
    model = str(models_dir / "compare_small.toml")
    with pytest.raises(ValueError):
        nnfield.compare(model, levels=1)
    with pytest.raises(TypeError):
        nnfield.compare(model, orders="12")


def test_compare_refines_one_spacing_and_coarse_grains_each_direction(models_dir):
    """refine="width" doubles N at fixed M (orders in ay); coarsen takes (rx, ry) pairs."""
    model = str(models_dir / "compare_small.toml")
    c = nnfield.compare(model, levels=2, orders=[1], coarsen=[(2, 1), 2], refine="width", times=[0.5])
    assert c["refine"] == "width" and c["spacing"] == "ay"
    assert list(c["M"]) == [16, 16] and list(c["N"]) == [16, 32]
    np.testing.assert_allclose(c["ay"], [1 / 16, 1 / 32])
    assert set(c["studies"]) == {"p1_r2x1", "p1_r2"}
    s = c["studies"]["p1_r2x1"]
    assert (s["rx"], s["ry"]) == (2, 1) and s["theoretical_order"] == 0
    assert "orders in ay" in c["table"]
    with pytest.raises(ValueError):
        nnfield.compare(model, levels=2, refine="diagonal")
    with pytest.raises(TypeError):
        nnfield.compare(model, levels=2, coarsen=[(1, 2, 3)])
