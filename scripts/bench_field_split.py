#!/usr/bin/python3
"""A field run with spectral width shifts split over two processes (docs/cluster.md, "Field
runs split along the width"), measured side by side in one session.

  scripts/bench_field_split.py [NNFIELD] [--old OLD_NNFIELD] [--rounds 5] [--N 16384] [--r 2]

Runs models/field_coarse.toml (ry = 8, so ny = N/8 width nodes and spectral shifts) at the
given N and radius r (K = 2r + 1 shifts), gradient flow to t = 0.02, in turn so that machine
load falls on every layout alike, R rounds of
  nnfield run ...                      (one process)
  mpirun -np 2 OLD_NNFIELD run ...     (two processes, the build given by --old, if any)
  mpirun -np 2 nnfield run ...         (two processes)
and prints the median and worst (slowest) wall time of each and the speedup of the medians
over one process. The two-process file is checked equal to the one-process file (every
dataset, bit for bit) every round; the old build's is not (builds may differ in the last
bits). What it leaves out: the wall time includes the start (the problem's setup on every
process, mpirun's start-up of 0.1-0.3 s); one machine, whose CPU frequency is not pinned.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

import h5py

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def datasets(path):
    out = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda n, o: out.__setitem__(n, o[()].tobytes()) if isinstance(o, h5py.Dataset) else None)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("nnfield", nargs="?", default=os.path.join(ROOT, "build", "nnfield"))
    ap.add_argument("--old", help="another build's nnfield, run on two processes beside this one")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--N", type=int, default=16384)
    ap.add_argument("--r", type=int, default=2)
    a = ap.parse_args()
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")
    work = tempfile.mkdtemp(prefix="nnfield_bench_field_split_")
    # The model's three weight fields widened to K = 2r + 1 (w_0 stays derived: "").
    w = ["0.2"] * (2 * a.r + 1)
    w_in = list(w)
    w[a.r] = ""
    quoted = lambda v: "[" + ",".join(f'"{x}"' for x in v) + "]"
    settings = ["--set", f"network.N={a.N}", "--set", f"network.r={a.r}", "--set", f"continuum.w={quoted(w)}",
                "--set", f"continuum.w_in={quoted(w_in)}", "--set", "dynamics.t_end=0.02", "--set",
                "output.every=0.02"]
    model = os.path.join(ROOT, "models", "field_coarse.toml")
    run = lambda exe: [exe, "run", model, "-q", "--force"] + settings
    two = ["mpirun", "--oversubscribe", "-np", "2"]
    layouts = {"1 process": run(a.nnfield)}
    if a.old:
        layouts["2 processes, old build"] = two + run(a.old)
    layouts["2 processes"] = two + run(a.nnfield)
    times = {name: [] for name in layouts}
    for _ in range(a.rounds):
        files = {}
        for name, cmd in layouts.items():
            out = os.path.join(work, f"{len(files)}.h5")
            t0 = time.perf_counter()
            subprocess.run(cmd + ["-o", out], check=True, env=env)
            times[name].append(time.perf_counter() - t0)
            files[name] = out
        if datasets(files["2 processes"]) != datasets(files["1 process"]):
            sys.exit("FAIL: two processes wrote another file than one")
    one = statistics.median(times["1 process"])
    print(f"field_coarse.toml at N = {a.N} (ny = {a.N // 8}), r = {a.r} (K = {2 * a.r + 1} shifts), "
          f"{a.rounds} rounds, {os.cpu_count()} CPUs")
    print(f"{'layout':26} {'median s':>9} {'worst s':>9} {'speedup':>8}")
    for name, t in times.items():
        print(f"{name:26} {statistics.median(t):9.3f} {max(t):9.3f} {one / statistics.median(t):8.2f}")


main()
