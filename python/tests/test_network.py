"""forward() and gradient() against an independent PyTorch implementation (autograd)."""
import zlib

import numpy as np
import pytest
import torch

import nnfield

ACTIVATIONS = {
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "softplus": lambda z: torch.logaddexp(z, torch.zeros_like(z)),  # exact, no threshold
    "erf": torch.erf,
    "sin": torch.sin,
    "gelu": lambda z: 0.5 * z * (1.0 + torch.erf(z / np.sqrt(2.0))),
}
LOSSES = {
    "mse": lambda Z, Y: 0.5 * (Z - Y) ** 2,
    "logistic": lambda Z, Y: torch.logaddexp(Z, torch.zeros_like(Z)) - Y * Z,
}


def test_every_activation_and_loss_is_covered():
    assert set(nnfield.activations) == set(ACTIVATIONS)
    assert set(nnfield.losses) == set(LOSSES)


def torch_network(W, b, X, activation):
    """docs/theory.md Eq. 1 with a gather: z^(m+1)_i = sum_k W[m,i,k] h^(m)_{(i+k-r) mod N} + b[m,i]."""
    M, N, K = W.shape
    r = (K - 1) // 2
    idx = (torch.arange(N)[:, None] + torch.arange(K)[None, :] - r) % N  # (N, K)
    h, zs = X, []
    for m in range(M):
        z = (W[m] * h[:, idx]).sum(-1) + b[m]  # h[:, idx]: (B, N, K)
        zs.append(z)
        h = ACTIVATIONS[activation](z) if m < M - 1 else z
    return h, torch.stack(zs, dim=1)  # Z (B, N), z (B, M, N)


def random_network(rng, M, N, r, B):
    K = 2 * r + 1
    return (rng.normal(0, 1.2 / np.sqrt(K), (M, N, K)), rng.normal(0, 0.3, (M, N)),
            rng.normal(0, 1, (B, N)), rng.uniform(0, 1, (B, N)))


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
@pytest.mark.parametrize("loss", list(LOSSES))
@pytest.mark.parametrize("M, N, r, B", [(4, 7, 1, 1), (3, 9, 2, 5), (1, 3, 1, 2)])
def test_gradient_equals_torch_autograd(activation, loss, M, N, r, B):
    rng = np.random.default_rng(zlib.crc32(f"{activation} {loss} {M} {N} {r} {B}".encode()))
    W, b, X, Y = random_network(rng, M, N, r, B)
    got = nnfield.gradient(W, b, X, Y, activation=activation, loss=loss)

    tW, tb, tX, tY = (torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in (W, b, X, Y))
    Z, z = torch_network(tW, tb, tX, activation)
    value = LOSSES[loss](Z, tY).sum(-1).mean()  # batch mean of the per-site sum
    value.backward()

    assert got["loss"] == pytest.approx(value.item(), rel=1e-13, abs=1e-13)
    for name, t in (("W", tW), ("b", tb), ("X", tX), ("Y", tY)):
        ref = t.grad.numpy()
        assert got[name].shape == ref.shape, name
        np.testing.assert_allclose(got[name], ref, rtol=1e-11, atol=1e-13 * np.abs(ref).max(), err_msg=name)

    Zn, zn = nnfield.forward(W, b, X, activation=activation)
    np.testing.assert_allclose(Zn, Z.detach().numpy(), rtol=1e-13, atol=1e-14)
    np.testing.assert_allclose(zn, z.detach().numpy(), rtol=1e-13, atol=1e-14)


def test_forward_shapes_single_sample_and_batch():
    rng = np.random.default_rng(1)
    W, b, X, Y = random_network(rng, 5, 8, 1, 3)
    Z, z = nnfield.forward(W, b, X)
    assert Z.shape == (3, 8) and z.shape == (3, 5, 8) and Z.dtype == np.float64
    assert np.array_equal(z[:, -1, :], Z)  # row M-1 of z is the output
    for s in range(3):
        Zs, zs = nnfield.forward(W, b, X[s])
        assert Zs.shape == (8,) and zs.shape == (5, 8)
        np.testing.assert_allclose(Zs, Z[s], rtol=1e-15, atol=1e-15)
        np.testing.assert_allclose(zs, z[s], rtol=1e-15, atol=1e-15)
    g = nnfield.gradient(W, b, X[0], Y[0])
    assert g["X"].shape == (8,) and g["Y"].shape == (8,) and g["W"].shape == W.shape
    assert Z.flags.writeable and Z.flags.c_contiguous  # results belong to the caller


def test_inputs_are_converted_not_required_exact():
    """Any real array works: lists, integers, float32, non-contiguous views (no silent misuse)."""
    rng = np.random.default_rng(2)
    W, b, X, Y = random_network(rng, 3, 6, 1, 2)
    Z, _ = nnfield.forward(W, b, X)
    big = np.zeros((3, 12, 3))
    big[:, ::2, :] = W
    Zv, _ = nnfield.forward(big[:, ::2, :], b.tolist(), np.asfortranarray(X))
    assert np.array_equal(Zv, Z)
    Zi, _ = nnfield.forward(np.ones((2, 5, 3), dtype=np.int32), np.zeros((2, 5), dtype=bool), np.arange(5))
    Zf, _ = nnfield.forward(np.ones((2, 5, 3)), np.zeros((2, 5)), np.arange(5.0))
    assert np.array_equal(Zi, Zf)
