#!/usr/bin/python3
"""Make data/patterns.h5, the small data set the SGD example trains on.

64 smooth periodic inputs X of width 32 (a few random Fourier modes each) and
targets Y = tanh(2 * X shifted by 3 sites): a local, learnable map.
Deterministic: running it again gives the same file contents.
"""
import argparse

import h5py
import numpy as np


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("-o", "--output", default="data/patterns.h5")
    ap.add_argument("--samples", type=int, default=64)
    ap.add_argument("--width", type=int, default=32)
    args = ap.parse_args()
    rng = np.random.default_rng(2026)
    S, N = args.samples, args.width
    y = np.arange(N) / N
    X = np.zeros((S, N))
    for q in range(1, 4):
        a = rng.normal(size=(S, 1)) / q
        phase = rng.uniform(0, 2 * np.pi, size=(S, 1))
        X += a * np.cos(2 * np.pi * q * y[None, :] + phase)
    Y = np.tanh(2.0 * np.roll(X, 3, axis=1))
    with h5py.File(args.output, "w") as f:
        f["X"] = X
        f["Y"] = Y
        f["X"].attrs["index_order"] = "S,N"
        f["Y"].attrs["index_order"] = "S,N"
        f.attrs["description"] = "smooth periodic patterns; Y = tanh(2 roll(X, 3))"
        f.attrs["generator"] = "scripts/make_example_data.py"


if __name__ == "__main__":
    main()
