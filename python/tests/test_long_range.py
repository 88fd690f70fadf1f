"""Mean field, propagate, jackknife/bootstrap and ensembles (python/bind_mean_field.cpp,
bind_propagation.cpp, bind_statistics.cpp, bind_ensemble.cpp)
against scripts/meanfield.py, the command line (`nnfield propagate`, `nnfield ensemble`)
and numpy."""
import math
import subprocess
import sys

import h5py
import numpy as np
import pytest

import nnfield

from conftest import SOURCE_DIR

sys.path.insert(0, str(SOURCE_DIR / "scripts"))
import meanfield  # noqa: E402  (scripts/meanfield.py: the Python twin of mean_field.hpp)

PROPAGATE_MODEL = "models/depth_scale_tanh.toml"
ENSEMBLE_MODEL = "models/ensemble_teacher.toml"
ENSEMBLE_SETS = ["dynamics.t_end=2.0"]  # keeps the four runs short


@pytest.mark.parametrize("activation,sigma_w,sigma_b", [("tanh", 1.0, 0.3), ("tanh", 1.8, 0.3), ("erf", 1.2, 0.1), ("softplus", 0.8, 0.2)])
def test_mean_field_equals_script(activation, sigma_w, sigma_b):
    mf = nnfield.MeanField(activation, sigma_w, sigma_b)
    assert (mf.activation, mf.sigma_w, mf.sigma_b, mf.order) == (activation, sigma_w, sigma_b, meanfield.ORDER)
    point = mf.depth_scale(q0=1.0, c0=0.5)
    ref = meanfield.depth_scale(activation, sigma_w, sigma_b, q0=1.0, c0=0.5)
    for key in ("q_star", "chi_1", "c_star", "chi_c", "xi_c", "chi_q", "xi_q"):
        if math.isinf(ref[key]):
            assert math.isinf(point[key]), key
        else:
            assert point[key] == pytest.approx(ref[key], rel=0, abs=1e-9), key
    assert point["phase"] == ref["phase"]
    assert mf.q_map(0.7) == pytest.approx(meanfield.q_map(activation, sigma_w, sigma_b, 0.7), abs=1e-9)
    assert mf.chi_1(0.7) == pytest.approx(meanfield.chi_1(activation, sigma_w, 0.7), abs=1e-9)
    assert mf.c_map(0.7, 0.4) == pytest.approx(meanfield.c_map(activation, sigma_w, sigma_b, 0.7, 0.4), abs=1e-9)
    assert mf.chi_c(0.7, 0.4) == pytest.approx(meanfield.chi_c(activation, sigma_w, 0.7, 0.4), abs=1e-9)
    q, c = mf.trajectory(q0=1.0, c0=0.5, M=12)
    q_ref, c_ref = meanfield.trajectory(activation, sigma_w, sigma_b, 1.0, 0.5, 12)
    assert q.shape == (12,) and c.shape == (12,)
    np.testing.assert_allclose(q, q_ref, rtol=0, atol=1e-9)
    np.testing.assert_allclose(c, c_ref, rtol=0, atol=1e-9)


def test_critical_sigma_w_equals_script():
    assert nnfield.critical_sigma_w("tanh", 0.3) == pytest.approx(meanfield.critical_sigma_w("tanh", 0.3), abs=1e-9)
    with pytest.raises(ValueError):
        nnfield.critical_sigma_w("tanh", 0.3, lo=0.05, hi=0.5)  # no transition in the bracket


def test_propagate_equals_command_line(exe, tmp_path):
    sets = ["network.M=16", "network.N=32", "network.r=4"]
    out = tmp_path / "prop.h5"
    cmd = [exe, "propagate", PROPAGATE_MODEL, "--sigma-w", "1.0,1.6", "--sigma-b", "0.3", "--networks", "8",
           "--seed", "5", "--blocks", "8", "--threads", "2", "-q", "-o", str(out)]
    for s in sets:
        cmd += ["--set", s]
    subprocess.run(cmd, cwd=SOURCE_DIR, check=True, capture_output=True, text=True)

    model = nnfield.Model.from_file(SOURCE_DIR / PROPAGATE_MODEL, overrides=sets)
    r = nnfield.propagate(model.shape, model.activation, np.array([1.0, 1.6]), 0.3, networks=8, seed=5, blocks=8,
                          threads=1)  # results do not depend on the threads
    assert r["q"].shape == (2, 16) and r["layer"].shape == (16,)
    with h5py.File(out, "r") as f:
        for name in ("sigma_w", "layer", "q", "c", "q11", "q22", "q12", "dc", "tangent"):
            np.testing.assert_array_equal(r[name], f[name][()], err_msg=name)
            if name not in ("sigma_w", "layer"):
                np.testing.assert_array_equal(r[name + "_error"], f[name + "_error"][()], err_msg=name)
        for group in ("mean_field", "fit", "tangent_fit"):
            for key, value in r[group].items():
                if isinstance(value, np.ndarray):
                    np.testing.assert_array_equal(value, f[f"{group}/{key}"][()], err_msg=f"{group}/{key}")
        for key in ("ok", "sigma_w", "sigma_w_error", "sigma_w_mean_field"):
            assert float(r["transition"][key]) == f[f"transition/{key}"][0], key
    assert r["transition"]["sigma_w_mean_field"] == pytest.approx(meanfield.critical_sigma_w("tanh", 0.3), abs=1e-9)


def test_jackknife_and_bootstrap_of_iid_samples():
    rng = np.random.default_rng(7)
    n, sigma = 400, 2.0
    x = rng.normal(1.0, sigma, n)
    value, error = nnfield.jackknife_mean(x)
    assert value == pytest.approx(x.mean(), abs=1e-12)
    assert error == pytest.approx(x.std(ddof=1) / math.sqrt(n), rel=1e-9)  # the standard error exactly
    assert error == pytest.approx(sigma / math.sqrt(n), rel=0.15)
    b_value, b_error = nnfield.bootstrap_mean(x, resamples=400, seed=1)
    assert b_value == pytest.approx(x.mean(), abs=1e-12)
    assert b_error == pytest.approx(sigma / math.sqrt(n), rel=0.2)

    samples = np.column_stack([x, rng.normal(3.0, 1.0, n)])  # (n, p)
    means, errors = nnfield.jackknife(samples)
    np.testing.assert_allclose(means, samples.mean(axis=0), rtol=0, atol=1e-12)
    np.testing.assert_allclose(errors, samples.std(axis=0, ddof=1) / math.sqrt(n), rtol=1e-9)
    ratio, ratio_error = nnfield.jackknife(samples, lambda m: m[0] / m[1], blocks=20)
    assert ratio.shape == (1,) and ratio[0] == pytest.approx(samples[:, 0].mean() / samples[:, 1].mean())
    assert 0 < ratio_error[0] < 0.1
    cm, ce = nnfield.column_means_and_errors(samples)
    np.testing.assert_allclose(ce, errors, rtol=1e-12)
    bm, be = nnfield.bootstrap(samples, resamples=200, seed=3)
    bm2, be2 = nnfield.bootstrap(samples, resamples=200, seed=3)
    np.testing.assert_array_equal(be, be2)  # reproducible
    np.testing.assert_allclose(be, errors, rtol=0.25)


def test_ensemble_equals_command_line(exe, tmp_path):
    out = tmp_path / "ens.h5"
    cmd = [exe, "ensemble", ENSEMBLE_MODEL, "--seeds", "0:4", "-q", "-o", str(out)]
    for s in ENSEMBLE_SETS:
        cmd += ["--set", s]
    subprocess.run(cmd, cwd=SOURCE_DIR, check=True, capture_output=True, text=True)

    assert nnfield.parse_seed_list("0:4") == [0, 1, 2, 3]
    e = nnfield.run_ensemble(SOURCE_DIR / ENSEMBLE_MODEL, [0, 1, 2, 3], ENSEMBLE_SETS, threads=2)
    assert e["included"] == [0, 1, 2, 3] and not e["interrupted"]
    assert [s["seed"] for s in e["seeds"]] == [0, 1, 2, 3]
    assert "/trajectory/loss" in e["means"] and "/correlators/width" in e["means"]
    with h5py.File(out, "r") as f:
        for name, mean in e["means"].items():
            np.testing.assert_array_equal(mean, f[name][()], err_msg=name)
            np.testing.assert_array_equal(e["errors"][name], f[name + "_error"][()], err_msg=name)
    e2 = nnfield.run_ensemble(SOURCE_DIR / ENSEMBLE_MODEL, "0:4", ENSEMBLE_SETS, threads=1)
    np.testing.assert_array_equal(e2["means"]["/trajectory/loss"], e["means"]["/trajectory/loss"])


@pytest.mark.parametrize("call,error", [
    (lambda: nnfield.MeanField("nope", 1.0, 0.1), ValueError),
    (lambda: nnfield.MeanField("tanh", -1.0, 0.1), ValueError),
    (lambda: nnfield.MeanField("tanh", 1.0, 0.1, order=0), ValueError),
    (lambda: nnfield.MeanField("tanh", 1.0, 0.1).c_map(1.0, 1.5), ValueError),
    (lambda: nnfield.MeanField("tanh", 1.0, 0.1).trajectory(1.0, 0.5, 0), ValueError),
    (lambda: nnfield.propagate((4, 8), "tanh", 1.0, 0.1), ValueError),
    (lambda: nnfield.propagate("4,8,1", "tanh", 1.0, 0.1), TypeError),
    (lambda: nnfield.propagate((4, 8, 4), "tanh", 1.0, 0.1), ValueError),  # 2r+1 > N
    (lambda: nnfield.propagate((4, 8, 1), "tanh", [1.0, -1.0], 0.1), ValueError),
    (lambda: nnfield.propagate((4, 8, 1), "tanh", "big", 0.1), TypeError),
    (lambda: nnfield.propagate((4, 8, 1), "tanh", 1.0, 0.1, networks=1), ValueError),
    (lambda: nnfield.propagate((4, 8, 1), "tanh", 1.0, 0.1, c0=2.0), ValueError),
    (lambda: nnfield.propagate((4, 8, 1), "tanh", 1.0, 0.1, c_star="best"), ValueError),
    (lambda: nnfield.propagate((4, 8, 1), "tanh", 1.0, 0.1, seed=-1), ValueError),
    (lambda: nnfield.jackknife(np.ones((1, 2))), ValueError),
    (lambda: nnfield.jackknife(np.ones((3, 2, 2))), ValueError),
    (lambda: nnfield.jackknife(["a", "b"]), TypeError),
    (lambda: nnfield.jackknife(np.ones(4), f=3), TypeError),
    (lambda: nnfield.jackknife(np.arange(4.0), f=lambda m: np.ones(int(m[0] * 10) % 3 + 1)), ValueError),
    (lambda: nnfield.jackknife(np.ones(4), blocks=1), ValueError),
    (lambda: nnfield.jackknife_mean([1.0]), ValueError),
    (lambda: nnfield.jackknife_mean([1.0, np.nan]), ValueError),
    (lambda: nnfield.bootstrap_mean([1.0, 2.0], resamples=1), ValueError),
    (lambda: nnfield.column_means_and_errors(np.ones((3, 2)), method="median"), ValueError),
    (lambda: nnfield.parse_seed_list("a:b"), ValueError),
    (lambda: nnfield.run_ensemble(SOURCE_DIR / ENSEMBLE_MODEL, []), ValueError),
    (lambda: nnfield.run_ensemble(SOURCE_DIR / ENSEMBLE_MODEL, 3), TypeError),
    (lambda: nnfield.run_ensemble(SOURCE_DIR / ENSEMBLE_MODEL, [0, -1]), ValueError),
    (lambda: nnfield.run_ensemble(SOURCE_DIR / ENSEMBLE_MODEL, [0], "dynamics.t_end=1"), TypeError),
    (lambda: nnfield.run_ensemble(SOURCE_DIR / ENSEMBLE_MODEL, [0], error="median"), ValueError),
    (lambda: nnfield.run_ensemble(3, [0]), TypeError),
])
def test_bad_arguments_raise(call, error):
    with pytest.raises(error):
        call()
