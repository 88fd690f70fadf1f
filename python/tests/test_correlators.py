"""Correlators against numpy sums of their definitions (docs/correlators.md)."""
import numpy as np
import pytest

import nnfield


def centred(phi, mean):
    """dphi for phi (S, M, N)."""
    if mean == "none":
        return phi
    if mean == "configuration":
        return phi - phi.mean(axis=2, keepdims=True)
    return phi - phi.mean(axis=0, keepdims=True)


def shifted(a, d):
    """a[..., (i + d) mod N]"""
    return np.roll(a, -d, axis=-1)


def field(S=5, M=4, N=9, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(0.3, 1.0, (S, M, N)) + np.sin(np.arange(N) * 2 * np.pi / N)


@pytest.mark.parametrize("mean", nnfield.mean_subtractions)
@pytest.mark.parametrize("N", [8, 9])
def test_width_and_structure_factor(mean, N):
    phi = field(N=N)
    S, M, _ = phi.shape
    C, Sk = nnfield.width_correlators(phi, mean)
    dphi = centred(phi, mean)
    C_ref = np.array([[np.mean(np.sum(dphi[:, m] * shifted(dphi[:, m], d), axis=-1)) / N for d in range(N)]
                      for m in range(M)])
    k = 2 * np.pi * np.arange(N // 2 + 1) / N
    ft = np.einsum("smy,qy->smq", dphi, np.exp(-1j * np.outer(k, np.arange(N))))
    Sk_ref = np.mean(np.abs(ft) ** 2, axis=0) / N
    assert C.shape == (M, N) and Sk.shape == (M, N // 2 + 1)
    np.testing.assert_allclose(C, C_ref, rtol=0, atol=1e-12)
    np.testing.assert_allclose(Sk, Sk_ref, rtol=0, atol=1e-12)
    Cd, Skd = nnfield.direct.width_correlators(phi, mean)
    np.testing.assert_allclose(Cd, C_ref, rtol=0, atol=1e-12)
    np.testing.assert_allclose(Skd, Sk_ref, rtol=0, atol=1e-12)

    Ce, Ske = nnfield.width_correlators_each(phi, mean)
    assert Ce.shape == (S, M, N) and Ske.shape == (S, M, N // 2 + 1)
    if mean != "ensemble":
        for s in range(S):
            C1, S1 = nnfield.width_correlators(phi[s], mean)  # (M, N): one sample
            np.testing.assert_allclose(Ce[s], C1, rtol=0, atol=1e-12)
            np.testing.assert_allclose(Ske[s], S1, rtol=0, atol=1e-12)
    np.testing.assert_allclose(Ce.mean(axis=0), C_ref, rtol=0, atol=1e-12)


@pytest.mark.parametrize("mean", nnfield.mean_subtractions)
def test_depth_input_and_2d(mean):
    phi = field(seed=1)
    S, M, N = phi.shape
    X = np.random.default_rng(2).normal(size=(S, N))
    dphi = centred(phi, mean)
    D_ref = np.einsum("smi,sni->mn", dphi, dphi) / (S * N)
    np.testing.assert_allclose(nnfield.depth_correlator(phi, mean), D_ref, rtol=0, atol=1e-12)

    C2 = nnfield.correlator_2d(phi, mean)
    C2_ref = np.array([[[np.mean(np.sum(dphi[:, m] * shifted(dphi[:, n], d), axis=-1)) / N for d in range(N)]
                        for n in range(M)] for m in range(M)])
    np.testing.assert_allclose(C2, C2_ref, rtol=0, atol=1e-12)
    np.testing.assert_allclose(nnfield.direct.correlator_2d(phi, mean), C2_ref, rtol=0, atol=1e-12)

    dX = centred(X[:, None, :], mean)[:, 0, :]
    CX_ref = np.array([[np.mean(np.sum(dX * shifted(dphi[:, m], d), axis=-1)) / N for d in range(N)]
                       for m in range(M)])
    np.testing.assert_allclose(nnfield.input_cross_correlator(phi, X, mean), CX_ref, rtol=0, atol=1e-12)
    np.testing.assert_allclose(nnfield.direct.input_cross_correlator(phi, X, mean), CX_ref, rtol=0, atol=1e-12)
    # one input for every sample: (N,) and (1, N) mean the same
    one = nnfield.input_cross_correlator(phi, X[0], mean)
    np.testing.assert_array_equal(one, nnfield.input_cross_correlator(phi, X[:1], mean))


def test_second_moment_xi_of_the_free_field():
    """S(k) = 1/(m^2 + 4 sin^2(k/2)) has xi_y = 1/m exactly, for every N."""
    for N in (16, 17, 64):
        k = 2 * np.pi * np.arange(N // 2 + 1) / N
        Sk = np.array([1 / (m ** 2 + 4 * np.sin(k / 2) ** 2) for m in (0.5, 0.25)])
        np.testing.assert_allclose(nnfield.second_moment_xi(Sk, N), [2.0, 4.0], rtol=1e-12)
        assert nnfield.second_moment_xi(Sk[0], N) == pytest.approx(2.0, rel=1e-12)
    assert np.isnan(nnfield.second_moment_xi(np.array([0.0, 1.0, 1.0]), 4))  # connected: S(0) = 0


def test_time_autocovariance_and_tau_int():
    rng = np.random.default_rng(3)
    T, P = 400, 3
    a = np.zeros((T, P))
    for t in range(1, T):  # AR(1) with rho(t) = 0.8^t: tau_int = 1/2 + 0.8/0.2 = 4.5
        a[t] = 0.8 * a[t - 1] + rng.normal(size=P)
    gamma = nnfield.time_autocovariance(a)
    da = a - a.mean(axis=0)
    ref = np.array([np.sum(da[:T - tau] * da[tau:], axis=0) / (T - tau) for tau in range(T)])
    np.testing.assert_allclose(gamma, ref, rtol=0, atol=1e-12 * np.abs(ref).max())
    np.testing.assert_allclose(nnfield.direct.time_autocovariance(a), ref, rtol=0, atol=1e-12 * np.abs(ref).max())
    g1 = nnfield.time_autocovariance(a[:, 0])
    assert g1.shape == (T,) and np.allclose(g1, gamma[:, 0], rtol=0, atol=1e-12)

    res = nnfield.integrated_autocorrelation_time(gamma)
    assert res["tau_int"].shape == (P,) and res["window"].dtype == np.int64 and res["converged"].dtype == bool
    assert np.all(res["converged"]) and np.all(np.abs(res["tau_int"] - 4.5) < 4 * res["error"] + 0.5)
    one = nnfield.integrated_autocorrelation_time(gamma[:, 0], c=6.0)
    assert one["tau_int"] == res["tau_int"][0] and isinstance(one["window"], int)
    # the same from numpy: Sokal's window on rho = gamma / gamma[0]
    rho = gamma[:, 0] / gamma[0, 0]
    for W in range(1, T):
        tau = 0.5 + rho[1:W + 1].sum()
        if W >= 6.0 * tau:
            break
    assert one["window"] == W and one["tau_int"] == pytest.approx(tau, rel=1e-12)


def test_correlator_argument_errors():
    with pytest.raises(ValueError, match=r"phi: expected shape \(S, M, N\) or \(M, N\), got \(5,\)"):
        nnfield.width_correlators(np.ones(5))
    with pytest.raises(ValueError, match="unknown mean subtraction 'connected'"):
        nnfield.depth_correlator(np.ones((2, 3)), mean="connected")
    with pytest.raises(ValueError, match=r"X: expected shape \(N,\), \(1, N\) or \(S, N\) with S = 5, N = 9"):
        nnfield.input_cross_correlator(field(), np.ones((2, 9)))
    with pytest.raises(ValueError, match=r"Sk: expected shape \(N/2\+1,\) = \(5,\), got \(4,\)"):
        nnfield.second_moment_xi(np.ones(4), 8)
    with pytest.raises(ValueError, match="N: the width must be >= 2"):
        nnfield.second_moment_xi(np.ones(1), 1)
    with pytest.raises(ValueError, match=r"a: expected shape \(T,\) or \(T, P\)"):
        nnfield.time_autocovariance(np.ones((0, 2)))
    with pytest.raises(TypeError, match="phi: expected an array of real numbers"):
        nnfield.correlator_2d(np.ones((2, 3), dtype=complex))


def test_a_run_measures_what_the_functions_compute(models_dir):
    """[observe] correlators on the fly equal the functions applied to /trajectory/z."""
    run = nnfield.Model.from_file(models_dir / "blend_gradient_flow.toml", overrides={
        "dynamics.t_end": 1.0, "observe.correlators": ["width", "structure", "depth", "xi"]}).run(progress=False)
    z = run.trajectory.z
    N = z.shape[-1]
    assert run.info("/correlators/width")["index_order"] == "T,M,D"
    for t in range(run.rows):
        C, Sk = nnfield.width_correlators(z[t])
        np.testing.assert_allclose(run["/correlators/width"][t], C, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(run["/correlators/structure"][t], Sk, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(run["/correlators/depth"][t], nnfield.depth_correlator(z[t]), rtol=1e-12,
                                   atol=1e-12)
        np.testing.assert_allclose(run["/correlators/xi"][t], nnfield.second_moment_xi(Sk, N), rtol=1e-12)
