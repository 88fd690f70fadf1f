#!/usr/bin/env python3
"""Mean-field theory of signal propagation through random networks (docs/theory.md section 5).

    /usr/bin/python3 scripts/meanfield.py --activation tanh --sigma-w 1.5 --sigma-b 0.05 [--json]
    /usr/bin/python3 scripts/meanfield.py --activation tanh --sigma-b 0.3 --critical

Poole et al., "Exponential expressivity in deep neural networks through transient chaos" (2016)
and Schoenholz et al., "Deep Information Propagation" (ICLR 2017). nnfield's weights are
N(0, sigma_w^2 / K) over K = 2r+1 inputs and the biases N(0, sigma_b^2), so a pre-activation
z^(m+1)_i = sum_k W h_k + b has variance sigma_w^2 <h^2> + sigma_b^2: the recursions below carry
sigma_w^2, not sigma_w^2/K (the K cancels). z ~ N(0, 1) throughout; E is over z (or z1, z2).

    q map (Schoenholz Eq. 3):  q^(m+1) = sigma_w^2 E[phi(sqrt(q^(m)) z)^2] + sigma_b^2
    first layer (h^(0) = X, no activation): q^(1) = sigma_w^2 q0 + sigma_b^2
    chi_1  (Eq. 5):            chi_1 = sigma_w^2 E[phi'(sqrt(q*) z)^2]
    c map  (Eq. 4):            c^(m+1) = (sigma_w^2 E[phi(u1) phi(u2)] + sigma_b^2) / q*,
                               u1 = sqrt(q*) z1,  u2 = sqrt(q*) (c z1 + sqrt(1 - c^2) z2)
    slope of the c map at c*:  chi_c = sigma_w^2 E[phi'(u1) phi'(u2)]  (equals chi_1 at c* = 1)
    depth scale (Eq. 9):       xi_c = -1 / ln chi_c
    q relaxation (Eq. 7):      chi_q = sigma_w^2 E[phi'(u)^2 + phi(u) phi''(u)],  xi_q = -1/ln chi_q

c* = 1 is always a fixed point; it attracts when chi_1 < 1 (ordered phase) and repels when
chi_1 > 1 (chaotic phase), where c* < 1 is the fixed point the c map reaches from the inputs'
first-layer correlation c^(1) = (sigma_w^2 c0 q0 + sigma_b^2) / q^(1). The order-to-chaos
transition is chi_1 = 1 (critical_sigma_w).

Gaussian expectations use Gauss-Hermite quadrature (probabilists' weight exp(-z^2/2),
numpy.polynomial.hermite_e.hermegauss) of order ORDER, with the node scale capped at 1 and the
density ratio folded into the weights (normal_rule explains why and how accurate); two-dimensional expectations
nest two such rules (ORDER^2 points). The C++ twin is include/nnfield/analysis/mean_field.hpp; tests/analysis/test_depth_scale.cpp checks
that both agree. Importable: `import meanfield; meanfield.depth_scale("tanh", 1.5, 0.05)`.
"""
import argparse
import json
import math
import sys

import numpy as np

ORDER = 160  # Gauss-Hermite order: ~1e-12 for q up to ~9 (see normal_rule)
ACTIVATIONS = ("tanh", "sigmoid", "softplus", "erf", "sin", "gelu")

_INV_SQRT2 = 1.0 / math.sqrt(2.0)
_INV_SQRT2PI = 1.0 / math.sqrt(2.0 * math.pi)
_erf = np.frompyfunc(math.erf, 1, 1)


def _erf_array(x):
    return np.asarray(_erf(np.asarray(x, dtype=float)), dtype=float)


def _logistic(x):
    # exp(-|x|) never overflows
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0, e) / (1.0 + e)


def phi(name, x):
    """The activation sigma(x), as in src/core/activation.cpp."""
    x = np.asarray(x, dtype=float)
    if name == "tanh":
        return np.tanh(x)
    if name == "sigmoid":
        return _logistic(x)
    if name == "softplus":
        return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))
    if name == "erf":
        return _erf_array(x)
    if name == "sin":
        return np.sin(x)
    if name == "gelu":
        return x * 0.5 * (1.0 + _erf_array(x * _INV_SQRT2))
    raise ValueError(f"unknown activation '{name}' (valid: {', '.join(ACTIVATIONS)})")


def dphi(name, x):
    """sigma'(x)."""
    x = np.asarray(x, dtype=float)
    if name == "tanh":
        return 1.0 - np.tanh(x) ** 2
    if name == "sigmoid":
        s = _logistic(x)
        return s * (1.0 - s)
    if name == "softplus":
        return _logistic(x)
    if name == "erf":
        return 2.0 / math.sqrt(math.pi) * np.exp(-x * x)
    if name == "sin":
        return np.cos(x)
    if name == "gelu":
        return 0.5 * (1.0 + _erf_array(x * _INV_SQRT2)) + x * _INV_SQRT2PI * np.exp(-0.5 * x * x)
    raise ValueError(f"unknown activation '{name}' (valid: {', '.join(ACTIVATIONS)})")


def d2phi(name, x):
    """sigma''(x)."""
    x = np.asarray(x, dtype=float)
    if name == "tanh":
        t = np.tanh(x)
        return -2.0 * t * (1.0 - t * t)
    if name == "sigmoid":
        s = _logistic(x)
        return s * (1.0 - s) * (1.0 - 2.0 * s)
    if name == "softplus":
        s = _logistic(x)
        return s * (1.0 - s)
    if name == "erf":
        return -4.0 / math.sqrt(math.pi) * x * np.exp(-x * x)
    if name == "sin":
        return -np.sin(x)
    if name == "gelu":
        return _INV_SQRT2PI * np.exp(-0.5 * x * x) * (2.0 - x * x)
    raise ValueError(f"unknown activation '{name}' (valid: {', '.join(ACTIVATIONS)})")


_rules = {}


def gauss_rule(order=ORDER):
    """Nodes z and weights w with sum_i w_i f(z_i) ~ E[f(z)], z ~ N(0, 1)."""
    if order not in _rules:
        z, w = np.polynomial.hermite_e.hermegauss(order)
        _rules[order] = (z, w / w.sum())
    return _rules[order]


def normal_rule(variance, order=ORDER):
    """Nodes x and weights w with sum_i w_i f(x_i) ~ E[f(x)], x ~ N(0, variance).

    For variance <= 1 the Gauss-Hermite nodes are scaled, x = sqrt(variance) z. For variance > 1
    they are scaled less, x = s z with s = max(1, sqrt(variance)/3), and the density ratio
    N(x; 0, variance) / N(x; 0, s^2) = (s/sqrt(variance)) exp(z^2 (1 - s^2/variance) / 2) goes
    into the weights. Why: the activations vary on a scale of order 1 in x (tanh has poles at
    x = +-i pi/2), so nodes spaced sqrt(variance) pi / sqrt(2 order) apart under-resolve them
    (plain order-160 Gauss-Hermite is off by 1e-5 for E[tanh'(x)^2] at variance 4, 2e-2 at 10);
    s >= sqrt(variance)/3 keeps the rule's extent (|z| < 24) beyond 8 standard deviations.
    Relative accuracy at order 160: ~1e-12 up to variance 9; at 16, 1e-9 for E[tanh'^2]; at 100,
    5e-3 for E[tanh'^2], 3e-5 for E[tanh^2], <= 3e-10 for softplus, gelu, sin, polynomials.
    """
    z, w = gauss_rule(order)
    if variance <= 1.0:
        return math.sqrt(max(variance, 0.0)) * z, w
    s = max(1.0, math.sqrt(variance) / 3.0)
    return s * z, w * np.exp(0.5 * z * z * (1.0 - s * s / variance)) * s / math.sqrt(variance)


def expect(f, order=ORDER, variance=1.0):
    """E[f(x)] for x ~ N(0, variance)."""
    x, w = normal_rule(variance, order)
    return float(np.dot(w, f(x)))


def expect2(f, g, q, c, order=ORDER):
    """E[f(u1) g(u2)] for (u1, u2) Gaussian with variances q and correlation c:
    u1 ~ N(0, q), and given u1, u2 ~ N(c u1, q (1 - c^2)) (nested one-dimensional rules)."""
    x1, w1 = normal_rule(q, order)
    t, wt = normal_rule(q * max(0.0, 1.0 - c * c), order)
    u2 = c * x1[:, None] + t[None, :]  # [i, j]: u1 = x1_i, u2 = c x1_i + t_j
    return float(np.dot(w1 * f(x1), g(u2) @ wt))


def q_map(name, sigma_w, sigma_b, q, order=ORDER):
    """Schoenholz Eq. 3: the length of the next layer's pre-activations."""
    return sigma_w ** 2 * expect(lambda u: phi(name, u) ** 2, order, q) + sigma_b ** 2


def _bisect(f, lo, hi, f_lo, iterations=200):
    """A root of f between lo and hi, where f(lo) has sign f_lo and f(hi) the other."""
    for _ in range(iterations):
        mid = 0.5 * (lo + hi)
        if mid == lo or mid == hi:
            break
        f_mid = f(mid)
        if (f_mid > 0) == (f_lo > 0) and f_mid != 0:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def q_star(name, sigma_w, sigma_b, q_start=1.0, order=ORDER):
    """The fixed point of the q map that the recursion reaches from q_start.

    The q map is increasing in q, so its iterates move monotonically towards the nearest fixed
    point in the direction of g(q) = q_map(q) - q: bracket that root by doubling (or halving)
    from q_start, then bisect. Returns 0.0 when the iterates fall to 0 (sigma_b = 0, ordered)
    and raises ValueError when they grow without bound (unbounded activations, large sigma_w).
    """
    def g(q):
        return q_map(name, sigma_w, sigma_b, q, order) - q

    g0 = g(q_start)
    if g0 == 0.0:
        return q_start
    step = 2.0 if g0 > 0 else 0.5
    lo = q_start
    for _ in range(2000):
        hi = lo * step
        if hi > 1e12:
            raise ValueError(f"q diverges: no finite fixed point for {name}, sigma_w = {sigma_w}")
        if hi < 1e-300:
            return 0.0
        if (g(hi) > 0) != (g0 > 0):
            return _bisect(g, lo, hi, g0)
        lo = hi
    raise ValueError("q* bracket search failed")


def chi_1(name, sigma_w, q, order=ORDER):
    """Schoenholz Eq. 5: mean squared singular value of the layer Jacobian."""
    return sigma_w ** 2 * expect(lambda u: dphi(name, u) ** 2, order, q)


def chi_q(name, sigma_w, q, order=ORDER):
    """Slope of the q map at q (Schoenholz Eq. 7): d q_map / d q."""
    return sigma_w ** 2 * expect(lambda u: dphi(name, u) ** 2 + phi(name, u) * d2phi(name, u),
                                 order, q)


def c_map(name, sigma_w, sigma_b, q, c, order=ORDER):
    """Schoenholz Eq. 4 at fixed length q: the next layer's correlation."""
    f = lambda u: phi(name, u)  # noqa: E731
    return (sigma_w ** 2 * expect2(f, f, q, c, order) + sigma_b ** 2) / q


def chi_c(name, sigma_w, q, c, order=ORDER):
    """Slope of the c map at c: sigma_w^2 E[phi'(u1) phi'(u2)] (Price's theorem)."""
    f = lambda u: dphi(name, u)  # noqa: E731
    return sigma_w ** 2 * expect2(f, f, q, c, order)


def c_star(name, sigma_w, sigma_b, q, c_start, order=ORDER):
    """The fixed point of the c map that the recursion reaches from c_start.

    G(c) = c_map(c) - c. Going up (G(c_start) > 0) the candidates are probed on a grid that
    approaches 1 geometrically, 1 - c_k = (1 - c_start) 0.8^k, down to 1 - c = 1e-12; with no
    sign change before that, c* = 1 (the fixed point every network has: equal inputs stay
    equal). Going down, a uniform grid to -1. A sign change is refined by bisection.
    """
    def G(c):
        return c_map(name, sigma_w, sigma_b, q, c, order) - c

    c_start = min(max(c_start, -1.0), 1.0)
    if c_start >= 1.0:
        return 1.0
    g0 = G(c_start)
    if g0 == 0.0:
        return c_start
    prev = c_start
    if g0 > 0:
        gap = 1.0 - c_start
        while gap > 1e-12:
            gap *= 0.8
            c = 1.0 - gap
            if G(c) <= 0:
                return _bisect(G, prev, c, g0)
            prev = c
        return 1.0
    for k in range(1, 401):
        c = c_start - (c_start + 1.0) * k / 400.0
        if G(c) >= 0:
            return _bisect(G, prev, c, g0)
        prev = c
    return -1.0


def depth_scale(name, sigma_w, sigma_b, q0=1.0, c0=0.5, order=ORDER):
    """Mean-field q*, chi_1, c*, chi_c, xi_c (and chi_q, xi_q) for inputs of per-site
    variance q0 and correlation c0. The fixed points are those reached from the first layer."""
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation '{name}' (valid: {', '.join(ACTIVATIONS)})")
    q1 = sigma_w ** 2 * q0 + sigma_b ** 2
    qs = q_star(name, sigma_w, sigma_b, q1, order)
    x1 = chi_1(name, sigma_w, qs, order)
    if qs == 0.0:
        cs = 1.0
    else:
        c1 = (sigma_w ** 2 * c0 * q0 + sigma_b ** 2) / q1
        cs = c_star(name, sigma_w, sigma_b, qs, c1, order)
    xc = x1 if cs == 1.0 else chi_c(name, sigma_w, qs, cs, order)
    xq = chi_q(name, sigma_w, qs, order)

    def scale(chi):
        return -1.0 / math.log(chi) if 0.0 < chi < 1.0 else math.inf

    return {
        "activation": name, "sigma_w": sigma_w, "sigma_b": sigma_b, "q0": q0, "c0": c0,
        "q_star": qs, "chi_1": x1, "c_star": cs, "chi_c": xc, "xi_c": scale(xc),
        "chi_q": xq, "xi_q": scale(xq), "phase": "ordered" if x1 < 1.0 else "chaotic",
    }


def trajectory(name, sigma_w, sigma_b, q0, c0, M, order=ORDER):
    """The layer-by-layer mean-field recursion for a pair of inputs: q^(m), c^(m), m = 1..M.
    Unlike the fixed-point analysis, q is not assumed converged (it is what a network of
    depth M sees)."""
    q = sigma_w ** 2 * q0 + sigma_b ** 2
    q12 = sigma_w ** 2 * c0 * q0 + sigma_b ** 2
    qs, cs = [q], [q12 / q]
    for _ in range(1, M):
        c = q12 / q
        f = lambda u: phi(name, u)  # noqa: E731
        q12 = sigma_w ** 2 * expect2(f, f, q, c, order) + sigma_b ** 2
        q = q_map(name, sigma_w, sigma_b, q, order)
        qs.append(q)
        cs.append(q12 / q)
    return np.array(qs), np.array(cs)


def critical_sigma_w(name, sigma_b, q0=1.0, lo=0.05, hi=20.0, order=ORDER):
    """sigma_w on the order-to-chaos line chi_1(q*) = 1 for this sigma_b (bisection on a grid
    bracket; q* is the fixed point reached from q^(1) = sigma_w^2 q0 + sigma_b^2)."""
    def h(sw):
        q1 = sw ** 2 * q0 + sigma_b ** 2
        return chi_1(name, sw, q_star(name, sw, sigma_b, q1, order), order) - 1.0

    grid = np.geomspace(lo, hi, 120)
    prev, h_prev = grid[0], h(grid[0])
    for sw in grid[1:]:
        try:
            h_sw = h(sw)
        except ValueError:
            break
        if (h_sw > 0) != (h_prev > 0):
            return _bisect(h, prev, sw, h_prev, iterations=80)
        prev, h_prev = sw, h_sw
    raise ValueError(f"no order-to-chaos transition for {name}, sigma_b = {sigma_b} "
                     f"in sigma_w in [{lo}, {hi}]")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--activation", default="tanh", choices=ACTIVATIONS)
    ap.add_argument("--sigma-w", type=float, default=1.5, help="weights ~ N(0, sigma_w^2/K)")
    ap.add_argument("--sigma-b", type=float, default=0.05, help="biases ~ N(0, sigma_b^2)")
    ap.add_argument("--q0", type=float, default=1.0, help="per-site input variance")
    ap.add_argument("--c0", type=float, default=0.5, help="input correlation")
    ap.add_argument("--order", type=int, default=ORDER, help="Gauss-Hermite order")
    ap.add_argument("--critical", action="store_true",
                    help="also find sigma_w at chi_1 = 1 for this sigma_b")
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args(argv)
    try:
        result = depth_scale(args.activation, args.sigma_w, args.sigma_b, args.q0, args.c0,
                             args.order)
        if args.critical:
            result["sigma_w_critical"] = critical_sigma_w(args.activation, args.sigma_b,
                                                          args.q0, order=args.order)
    except ValueError as e:
        print(f"meanfield.py: error: {e}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps({k: (v if not (isinstance(v, float) and math.isinf(v)) else None)
                          for k, v in result.items()}))
    else:
        for key in ("q_star", "chi_1", "c_star", "chi_c", "xi_c", "chi_q", "xi_q", "phase",
                    "sigma_w_critical"):
            if key in result:
                value = result[key]
                print(f"{key:17s} {value:.12g}" if isinstance(value, float) else f"{key:17s} {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
