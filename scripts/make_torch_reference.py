#!/usr/bin/env python3
"""Generate tests/data/torch_reference.h5: an independent float64 PyTorch reference for
the discrete locally connected network of docs/theory.md section 1 and its SGD training (section 2).

Run with the system interpreter (it needs numpy, h5py and torch):

    /usr/bin/python3 scripts/make_torch_reference.py [-o tests/data/torch_reference.h5]

The output is deterministic (fixed numpy seeds per case). Before writing, the script checks
itself: torch autograd gradients against a 5-point central finite difference on a few entries
of W, b and X, and the whole computation (forward, loss, gradients and every SGD step) against
an independent pure-Python loop implementation with hand-written backpropagation. Any
disagreement above 1e-7 (relative) aborts without writing the file.

File layout (one group per case, see CASES below):

    /<case>  attributes: M, N, r, B, steps, S, seed (int64), eta (float64),
                         activation, loss (str), description (str)
      W0 (M,N,K)  b0 (M,N)            initial parameters
      X (S,N)     Y (S,N)             the samples
      batches (steps,B) int64         sample indices of the mini-batch used at each step
      loss0 (1,)                      batch-0 loss at (W0, b0)
      Z0 (B,N)                        network output for batch 0 at (W0, b0)
      grad_W0 (M,N,K)  grad_b0 (M,N)  dLoss/dW, dLoss/db for batch 0 at (W0, b0)
      grad_X0 (B,N)                   dLoss/dX for batch 0 (X of the batch as a leaf)
      losses (steps)                  batch loss at the start of each SGD step (before update)
      W_final (M,N,K)  b_final (M,N)  parameters after all steps
    /  attributes: cases (comma-separated group names), description, generator, torch_version

Loss of a batch = mean over samples of sum_i l_i(Z_i, Y_i); SGD: q <- q - eta dLoss/dq.
"""
import argparse
import math
import os
import sys

import numpy as np
import torch

torch.set_default_dtype(torch.float64)

# name -> (activation, loss, M, N, r, B, S, steps, eta, seed)
CASES = {}
for _j, _act in enumerate(["tanh", "sigmoid", "softplus", "erf", "sin", "gelu"]):
    CASES[_act] = (_act, "mse", 4, 11, 2, 4, 8, 50, 0.05, 1000 + _j)
CASES["tanh_logistic"] = ("tanh", "logistic", 4, 11, 2, 4, 8, 50, 0.05, 1100)
CASES["tanh_r1_batch1"] = ("tanh", "mse", 5, 9, 1, 1, 8, 50, 0.05, 1200)

TOL = 1e-7  # self-check tolerance (relative); actual agreement is ~1e-14


# ---------------------------------------------------------------- torch implementation
def t_activation(name, z):
    if name == "tanh":
        return torch.tanh(z)
    if name == "sigmoid":
        return torch.sigmoid(z)
    if name == "softplus":
        # exact log(1 + e^z); F.softplus has a threshold shortcut that differs
        return torch.logaddexp(z, torch.zeros_like(z))
    if name == "erf":
        return torch.erf(z)
    if name == "sin":
        return torch.sin(z)
    if name == "gelu":
        return z * 0.5 * (1.0 + torch.erf(z / math.sqrt(2.0)))
    raise ValueError(name)


def t_site_loss(name, Z, Y):
    if name == "mse":
        return 0.5 * (Z - Y) ** 2
    if name == "logistic":
        return torch.logaddexp(Z, torch.zeros_like(Z)) - Y * Z
    raise ValueError(name)


def stencil_index(N, r):
    """idx[i, k] = (i + k - r) mod N, shape (N, K)."""
    i = torch.arange(N).unsqueeze(1)
    k = torch.arange(2 * r + 1).unsqueeze(0)
    return (i + k - r) % N


def t_forward(W, b, X, act, idx):
    """W (M,N,K), b (M,N), X (B,N) -> Z (B,N)."""
    M = W.shape[0]
    h = X
    for m in range(M):
        z = (h[:, idx] * W[m]).sum(-1) + b[m]  # (B,N,K)*(N,K) -> (B,N)
        h = t_activation(act, z) if m < M - 1 else z
    return h


def t_loss(W, b, X, Y, act, loss, idx):
    Z = t_forward(W, b, X, act, idx)
    return t_site_loss(loss, Z, Y).sum(-1).mean(), Z


# ---------------------------------------------------------------- independent loop implementation
def l_sigma(name, z):
    """(sigma(z), sigma'(z)) with the math module."""
    if name == "tanh":
        t = math.tanh(z)
        return t, 1.0 - t * t
    if name == "sigmoid":
        s = 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))
        return s, s * (1.0 - s)
    if name == "softplus":
        v = max(z, 0.0) + math.log1p(math.exp(-abs(z)))
        s = 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))
        return v, s
    if name == "erf":
        return math.erf(z), 2.0 / math.sqrt(math.pi) * math.exp(-z * z)
    if name == "sin":
        return math.sin(z), math.cos(z)
    if name == "gelu":
        Phi = 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))
        phi = math.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)
        return z * Phi, Phi + z * phi
    raise ValueError(name)


def l_site_loss(name, Z, Y):
    """(l, dl/dZ)."""
    if name == "mse":
        return 0.5 * (Z - Y) ** 2, Z - Y
    if name == "logistic":
        sp = max(Z, 0.0) + math.log1p(math.exp(-abs(Z)))
        s = 1.0 / (1.0 + math.exp(-Z)) if Z >= 0 else math.exp(Z) / (1.0 + math.exp(Z))
        return sp - Y * Z, s - Y
    raise ValueError(name)


def loop_value_and_gradient(W, b, X, Y, act, loss):
    """Plain loops, hand-written backprop. W (M,N,K), b (M,N), X,Y (B,N) numpy float64.
    Returns loss, Z, gW, gb, gX."""
    M, N, K = W.shape
    r = (K - 1) // 2
    B = X.shape[0]
    L = 0.0
    Zout = np.zeros((B, N))
    gW = np.zeros_like(W)
    gb = np.zeros_like(b)
    gX = np.zeros_like(X)
    for s in range(B):
        hs = [[float(v) for v in X[s]]]  # h^(0..M-1)
        ds = [None]  # sigma'(z^(m)), m = 1..M-1
        z = None
        for m in range(M):
            h = hs[m]
            z = [0.0] * N
            for i in range(N):
                acc = float(b[m, i])
                for k in range(K):
                    acc += float(W[m, i, k]) * h[(i + k - r) % N]
                z[i] = acc
            if m < M - 1:
                pairs = [l_sigma(act, v) for v in z]
                hs.append([p[0] for p in pairs])
                ds.append([p[1] for p in pairs])
        delta = [0.0] * N  # dl/dz^(M), then lower layers
        for i in range(N):
            li, dli = l_site_loss(loss, z[i], float(Y[s, i]))
            L += li / B
            delta[i] = dli / B
            Zout[s, i] = z[i]
        for m in range(M - 1, -1, -1):
            h = hs[m]
            gh = [0.0] * N  # dl/dh^(m)
            for i in range(N):
                gb[m, i] += delta[i]
                for k in range(K):
                    j = (i + k - r) % N
                    gW[m, i, k] += delta[i] * h[j]
                    gh[j] += delta[i] * float(W[m, i, k])
            if m > 0:
                delta = [gh[j] * ds[m][j] for j in range(N)]
            else:
                gX[s, :] = gh
    return L, Zout, gW, gb, gX


# ---------------------------------------------------------------- case generation
def make_case(name, spec):
    act, loss, M, N, r, B, S, steps, eta, seed = spec
    K = 2 * r + 1
    rng = np.random.default_rng(seed)
    W0 = rng.normal(0.0, 1.5 / math.sqrt(K), size=(M, N, K))
    b0 = rng.normal(0.0, 0.1, size=(M, N))
    X = rng.normal(0.0, 1.0, size=(S, N))
    if loss == "logistic":
        Y = rng.uniform(0.0, 1.0, size=(S, N))
    else:
        Y = rng.normal(0.0, 1.0, size=(S, N))
    batches = np.stack([rng.choice(S, size=B, replace=False) for _ in range(steps)]).astype(np.int64)

    idx = stencil_index(N, r)
    Xt, Yt = torch.tensor(X), torch.tensor(Y)

    # batch 0 at the initial parameters
    W = torch.tensor(W0, requires_grad=True)
    bb = torch.tensor(b0, requires_grad=True)
    bi = torch.tensor(batches[0])
    Xb = Xt[bi].clone().requires_grad_(True)
    L0, Z0 = t_loss(W, bb, Xb, Yt[bi], act, loss, idx)
    gW0, gb0, gX0 = torch.autograd.grad(L0, [W, bb, Xb])

    # SGD
    W = torch.tensor(W0, requires_grad=True)
    bb = torch.tensor(b0, requires_grad=True)
    losses = np.zeros(steps)
    for t in range(steps):
        bi = torch.tensor(batches[t])
        L, _ = t_loss(W, bb, Xt[bi], Yt[bi], act, loss, idx)
        gW, gb = torch.autograd.grad(L, [W, bb])
        losses[t] = L.item()
        with torch.no_grad():
            W = (W - eta * gW).requires_grad_(True)
            bb = (bb - eta * gb).requires_grad_(True)

    return dict(
        attrs=dict(M=M, N=N, r=r, B=B, steps=steps, S=S, seed=seed, eta=eta,
                   activation=act, loss=loss),
        W0=W0, b0=b0, X=X, Y=Y, batches=batches,
        loss0=np.array([L0.item()]), Z0=Z0.detach().numpy(),
        grad_W0=gW0.numpy(), grad_b0=gb0.numpy(), grad_X0=gX0.numpy(),
        losses=losses, W_final=W.detach().numpy(), b_final=bb.detach().numpy(),
    )


# ---------------------------------------------------------------- self-checks
def rel(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    scale = max(np.max(np.abs(b)), 1e-300)
    return float(np.max(np.abs(a - b)) / scale)


def check_finite_difference(name, c, nprobe=6):
    """5-point central difference of the batch-0 loss on a few entries of W, b and X."""
    a = c["attrs"]
    idx = stencil_index(a["N"], a["r"])
    bi = c["batches"][0]
    Xb0, Yb = c["X"][bi], torch.tensor(c["Y"][bi])

    def f(W, b, Xb):
        with torch.no_grad():
            return t_loss(torch.tensor(W), torch.tensor(b), torch.tensor(Xb),
                          Yb, a["activation"], a["loss"], idx)[0].item()

    rng = np.random.default_rng(7)
    h = 1e-3
    worst = 0.0
    for key, grad in (("W0", c["grad_W0"]), ("b0", c["grad_b0"]), ("X", c["grad_X0"])):
        base = {"W0": c["W0"], "b0": c["b0"], "X": Xb0}[key]
        scale = max(np.max(np.abs(grad)), 1e-300)
        for _ in range(nprobe):
            pos = tuple(int(rng.integers(0, n)) for n in base.shape)
            vals = []
            for step in (-2, -1, 1, 2):
                p = base.copy()
                p[pos] += step * h
                args = {"W0": c["W0"], "b0": c["b0"], "X": Xb0}
                args[key] = p
                vals.append(f(args["W0"], args["b0"], args["X"]))
            fd = (vals[0] - 8 * vals[1] + 8 * vals[2] - vals[3]) / (12 * h)
            err = abs(fd - grad[pos]) / scale
            worst = max(worst, err)
            if err > TOL:
                sys.exit(f"{name}: finite difference of d loss/d {key}{pos}: fd {fd!r} "
                         f"vs autograd {grad[pos]!r} (rel {err:.2e})")
    return worst


def check_loops(name, c):
    """Independent loop implementation: batch-0 values and the whole SGD trajectory."""
    a = c["attrs"]
    act, loss, eta = a["activation"], a["loss"], a["eta"]
    bi = c["batches"][0]
    L, Z, gW, gb, gX = loop_value_and_gradient(c["W0"], c["b0"], c["X"][bi], c["Y"][bi], act, loss)
    errs = {
        "loss0": rel([L], c["loss0"]), "Z0": rel(Z, c["Z0"]), "grad_W0": rel(gW, c["grad_W0"]),
        "grad_b0": rel(gb, c["grad_b0"]), "grad_X0": rel(gX, c["grad_X0"]),
    }
    W, b = c["W0"].copy(), c["b0"].copy()
    losses = np.zeros(a["steps"])
    for t in range(a["steps"]):
        bi = c["batches"][t]
        losses[t], _, gW, gb, _ = loop_value_and_gradient(W, b, c["X"][bi], c["Y"][bi], act, loss)
        W -= eta * gW
        b -= eta * gb
    errs["losses"] = float(np.max(np.abs(losses - c["losses"]) / np.abs(c["losses"])))
    errs["W_final"] = rel(W, c["W_final"])
    errs["b_final"] = rel(b, c["b_final"])
    for k, e in errs.items():
        if not e < TOL:
            sys.exit(f"{name}: loop implementation disagrees with torch on {k} (rel {e:.2e})")
    return max(errs.values())


# ---------------------------------------------------------------- output
INDEX_ORDER = {
    "W0": "M,N,K", "b0": "M,N", "X": "S,N", "Y": "S,N", "batches": "steps,B", "loss0": "1",
    "Z0": "B,N", "grad_W0": "M,N,K", "grad_b0": "M,N", "grad_X0": "B,N", "losses": "steps",
    "W_final": "M,N,K", "b_final": "M,N",
}


def write(path, cases):
    import h5py

    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with h5py.File(path, "w") as f:
        f.attrs["cases"] = ",".join(cases)
        f.attrs["description"] = (
            "float64 PyTorch autograd reference for the locally connected network "
            "(docs/theory.md section 1) and plain SGD (section 2); batch loss = mean over samples "
            "of sum_i l_i(Z_i, Y_i); losses[t] is taken before update t")
        f.attrs["generator"] = "scripts/make_torch_reference.py"
        f.attrs["torch_version"] = str(torch.__version__)
        for name, c in cases.items():
            g = f.create_group(name)
            for k, v in c["attrs"].items():
                if isinstance(v, str):
                    g.attrs[k] = v
                elif isinstance(v, float):
                    g.attrs[k] = np.float64(v)
                else:
                    g.attrs[k] = np.int64(v)
            g.attrs["description"] = (f"activation {c['attrs']['activation']}, loss "
                                      f"{c['attrs']['loss']}, SGD with fixed mini-batches")
            for k, order in INDEX_ORDER.items():
                arr = np.ascontiguousarray(c[k])
                arr = arr.astype(np.int64 if k == "batches" else np.float64)
                d = g.create_dataset(k, data=arr)
                d.attrs["index_order"] = order


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-o", "--output",
                    default=os.path.join(here, "..", "tests", "data", "torch_reference.h5"))
    args = ap.parse_args()

    cases = {}
    for name, spec in CASES.items():
        c = make_case(name, spec)
        fd = check_finite_difference(name, c)
        lp = check_loops(name, c)
        print(f"{name:16s} loss0 {c['loss0'][0]:.6f} -> final {c['losses'][-1]:.6f}  "
              f"finite-difference rel err {fd:.1e}  loop-implementation rel err {lp:.1e}")
        cases[name] = c
    write(args.output, cases)
    print(f"wrote {os.path.normpath(args.output)} ({os.path.getsize(args.output)} bytes)")


if __name__ == "__main__":
    main()
