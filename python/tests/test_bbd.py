"""BBD variables, kinematics, energy flow and Lagrangian through the module."""
import h5py
import numpy as np
import pytest

import nnfield


def state(seed, M=5, N=8, r=1, scale=1.0):
    rng = np.random.default_rng(seed)
    K = 2 * r + 1
    return dict(W=rng.normal(0, scale / np.sqrt(K), (M, N, K)), b=rng.normal(0, 0.3, (M, N)),
                X=rng.normal(0, 1, N), Y=rng.normal(0, 1, N),
                Wdot=rng.normal(0, 0.2, (M, N, K)), bdot=rng.normal(0, 0.2, (M, N)),
                Xdot=rng.normal(0, 0.3, N), Xddot=rng.normal(0, 0.3, N), Ydot=rng.normal(0, 0.3, N))


@pytest.mark.parametrize("activation", nnfield.activations)
def test_round_trips(activation):
    s = state(1)
    z = nnfield.to_bbd(s["W"], s["b"], s["X"], activation)
    assert z.shape == (5, 8)
    _, z_forward = nnfield.forward(s["W"], s["b"], s["X"], activation)
    np.testing.assert_allclose(z, z_forward, rtol=1e-14, atol=1e-14)
    np.testing.assert_allclose(nnfield.from_bbd(s["W"], z, s["X"], activation), s["b"], rtol=0, atol=1e-13)
    z2 = np.random.default_rng(2).normal(size=(5, 8))
    np.testing.assert_allclose(nnfield.to_bbd(s["W"], nnfield.from_bbd(s["W"], z2, s["X"], activation), s["X"],
                                              activation), z2, rtol=0, atol=1e-12)
    zdot = nnfield.to_bbd_velocity(s["W"], s["Wdot"], s["b"], s["bdot"], s["X"], s["Xdot"], activation)
    bdot = nnfield.from_bbd_velocity(s["W"], s["Wdot"], z, zdot, s["X"], s["Xdot"], activation)
    np.testing.assert_allclose(bdot, s["bdot"], rtol=0, atol=1e-13)


def test_velocity_is_the_derivative_along_the_motion():
    s = state(3)
    zdot = nnfield.to_bbd_velocity(s["W"], s["Wdot"], s["b"], s["bdot"], s["X"], s["Xdot"])
    eps = 1e-6
    plus = nnfield.to_bbd(s["W"] + eps * s["Wdot"], s["b"] + eps * s["bdot"], s["X"] + eps * s["Xdot"])
    minus = nnfield.to_bbd(s["W"] - eps * s["Wdot"], s["b"] - eps * s["bdot"], s["X"] - eps * s["Xdot"])
    np.testing.assert_allclose(zdot, (plus - minus) / (2 * eps), rtol=0, atol=1e-8)
    no_xdot = nnfield.to_bbd_velocity(s["W"], s["Wdot"], s["b"], s["bdot"], s["X"])
    assert np.array_equal(no_xdot, nnfield.to_bbd_velocity(s["W"], s["Wdot"], s["b"], s["bdot"], s["X"],
                                                           np.zeros(8)))


def test_batches_are_per_sample():
    s = state(4)
    X = np.random.default_rng(5).normal(size=(3, 8))
    z = nnfield.to_bbd(s["W"], s["b"], X)
    assert z.shape == (3, 5, 8)
    b = nnfield.from_bbd(s["W"], z, X)
    for j in range(3):
        assert np.array_equal(z[j], nnfield.to_bbd(s["W"], s["b"], X[j]))
        assert np.array_equal(b[j], nnfield.from_bbd(s["W"], z[j], X[j]))
    with pytest.raises(ValueError, match=r"z: expected shape \(B, M, N\)"):
        nnfield.from_bbd(s["W"], z[0], X)


def test_kinematics_agree_with_the_variables():
    s = state(6)
    k = nnfield.kinematics(s["W"], s["b"], s["X"], s["Wdot"], s["bdot"], Xdot=s["Xdot"])
    assert k["z"].shape == (6, 8) and k["u"].shape == (5, 8, 3) and k["Udot"].shape == (5, 8)
    assert np.array_equal(k["z"][0], s["X"]) and np.array_equal(k["zdot"][0], s["Xdot"])
    np.testing.assert_allclose(k["z"][1:], nnfield.to_bbd(s["W"], s["b"], s["X"]), rtol=1e-14, atol=1e-14)
    zdot = nnfield.to_bbd_velocity(s["W"], s["Wdot"], s["b"], s["bdot"], s["X"], s["Xdot"])
    np.testing.assert_allclose(k["zdot"][1:], zdot, rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(k["Udot"], k["u"].sum(-1), rtol=1e-14, atol=1e-14)
    np.testing.assert_allclose(k["bdot"], s["bdot"], rtol=0, atol=1e-15)


@pytest.mark.parametrize("loss", nnfield.losses)
@pytest.mark.parametrize("gamma", [0.0, 0.7])
def test_energy_flow_balances(loss, gamma):
    """With the damped equations of motion the continuity equation holds site by site and
    the densities sum to the energy plus the constant C0 (time integrals at zero)."""
    s = state(7)
    if loss == "logistic":
        s["Y"] = np.random.default_rng(8).uniform(0, 1, 8)
    f = nnfield.energy_flow(**s, gamma=gamma, loss=loss)
    assert f["density"].shape == (5, 8) and f["current"].shape == (5, 8, 3) and f["boundary_out"].shape == (8,)
    assert np.array_equal(f["boundary_in"], f["current"][0]) and f["integral_rate"].shape == (4, 8)
    assert np.max(np.abs(f["residual"]) / f["scale"]) < 1e-12
    kinetic = 0.5 * (np.sum(s["Wdot"] ** 2) + np.sum(s["bdot"] ** 2))
    assert f["kinetic"] == pytest.approx(kinetic, rel=1e-14)
    g = nnfield.gradient(s["W"], s["b"], s["X"], s["Y"], loss=loss)
    assert f["potential"] == pytest.approx(g["loss"], rel=1e-14)
    np.testing.assert_allclose(f["Wddot"], -gamma * s["Wdot"] - g["W"], rtol=1e-14, atol=1e-14)
    assert f["density"].sum() == pytest.approx(f["total"] + f["C0"], rel=1e-12)
    np.testing.assert_allclose(f["layer"], f["density"].sum(-1), rtol=1e-13, atol=1e-14)
    given = nnfield.energy_flow(**s, gamma=gamma, loss=loss, Wddot=f["Wddot"], bddot=f["bddot"])
    assert np.array_equal(given["density"], f["density"]) and "Wddot" not in given
    # arbitrary accelerations break the balance: the residual measures something
    off = nnfield.energy_flow(**s, gamma=gamma, loss=loss, Wddot=f["Wddot"] + 0.1, bddot=f["bddot"])
    assert np.max(np.abs(off["residual"])) > 1e-3


def test_lagrangian_split():
    s = state(9)
    L = nnfield.lagrangian(s["W"], s["b"], s["X"], s["Y"], s["Wdot"], s["bdot"], Xdot=s["Xdot"])
    loss = nnfield.gradient(s["W"], s["b"], s["X"], s["Y"])["loss"]
    expected = 0.5 * np.sum(s["Wdot"] ** 2) + 0.5 * np.sum(s["bdot"] ** 2) - loss
    assert L["total"] == pytest.approx(expected, rel=1e-13)
    assert L["bulk"] + L["boundary"] == pytest.approx(L["total"], rel=1e-12, abs=1e-12)


def test_energy_flow_equals_the_run_at_its_first_row(tmp_path, models_dir):
    """A damped run from a known initial state with velocities, fixed data: the module's
    energy_flow() of that state equals the run's /energy/* at t = 0."""
    model = nnfield.Model.from_file(models_dir / "energy_flow.toml")
    M, N, r = model.shape
    s = state(10, M, N, r, scale=1.0)
    init = tmp_path / "init.h5"
    with h5py.File(init, "w") as f:
        for name in ("W", "b", "Wdot", "bdot"):
            f[name] = s[name]
    gamma = 0.8
    # The same model started from the file, on one fixed sample: its smooth-init and
    # presentation keys would not be read by that run (and are refused), so they go.
    text = (models_dir / "energy_flow.toml").read_text()
    text = text.replace('kind = "smooth"\n\n[init.smooth]\nw_amplitude = 0.05\nphi_amplitude = 0.2\n',
                        f'kind = "file"\nfile = "{init}"\nvelocity = "file"\n')
    text = text.replace('presentation = "blend"\ntau = 2.0\norder = "sequential"\n', 'presentation = "fixed"\n')
    assert 'kind = "file"' in text and 'presentation = "fixed"' in text
    (tmp_path / "model.toml").write_text(text)
    run = nnfield.Model.from_file(tmp_path / "model.toml", overrides={
        "dynamics.gamma": gamma, "dynamics.t_end": 0.2}).run(progress=False)
    X, Y = run["/data/X"][0], run["/data/Y"][0]
    f = nnfield.energy_flow(run.trajectory.W[0], run.trajectory.b[0], X, Y, s["Wdot"], s["bdot"], gamma=gamma,
                            activation=model.activation, loss=model.loss)
    for name, key in (("density", "/energy/density"), ("decay", "/energy/decay"), ("current", "/energy/current"),
                      ("boundary_in", "/energy/boundary_in"), ("boundary_out", "/energy/boundary_out"),
                      ("rate", "/energy/rate"), ("residual", "/energy/continuity_residual"),
                      ("layer", "/energy/layer")):
        np.testing.assert_allclose(f[name], run[key][0], rtol=1e-12, atol=1e-12, err_msg=name)
    assert f["C0"] == pytest.approx(run.attrs["bbd_C0"], rel=1e-12)
    assert f["total"] == pytest.approx(run["/energy/total"][0], rel=1e-12)
    L = nnfield.lagrangian(run.trajectory.W[0], run.trajectory.b[0], X, Y, s["Wdot"], s["bdot"],
                           activation=model.activation, loss=model.loss)
    for part in ("bulk", "boundary", "total"):
        assert L[part] == pytest.approx(run[f"/lagrangian/{part}"][0], rel=1e-12, abs=1e-12)
