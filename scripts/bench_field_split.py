#!/usr/bin/python3
"""A field run with spectral width shifts split over two processes (docs/cluster.md, "Field
runs split along the width"), measured side by side in one session.

  scripts/bench_field_split.py [NNFIELD] [--old OLD_NNFIELD] [--rounds 5] [--N 16384] [--ry 2] [--r 2]

Runs models/field_coarse.toml at M = 64, rx = 8 (nx = 8 depth lines) and the given N, ry
(ny = N/ry width nodes; ry > 1: spectral shifts) and radius r (K = 2r + 1 shifts), with
field.q and field.depth_substeps fixed, gradient flow to t = 0.1 at rtol 1e-9, in turn so
that machine load falls on every layout alike, R rounds of
  nnfield run ...                      (one process)
  mpirun -np 2 OLD_NNFIELD run ...     (two processes, the build given by --old, if any)
  mpirun -np 2 nnfield run ...         (two processes)
each twice: to t = 0.1 and to t = 0.001 (the setup and one step). It prints per layout the
median and worst (slowest) wall time of the whole run and of the short one, and the
medians' difference (the stepping from t = 0.001 to 0.1), with the speedups of the
medians over one process. The two-process file is checked equal to the one-process file
(every dataset, bit for bit) every round; the old build's is not (builds may differ in the
last bits). What it leaves out: the wall times include the program's start (and
mpirun's, 0.1-0.3 s); one machine, whose CPU frequency is not pinned.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

from bench_processes_common import ROOT, datasets, mpi_environment


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("nnfield", nargs="?", default=os.path.join(ROOT, "build", "nnfield"))
    ap.add_argument("--old", help="another build's nnfield, run on two processes beside this one")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--N", type=int, default=16384)
    ap.add_argument("--ry", type=int, default=2)
    ap.add_argument("--r", type=int, default=2)
    a = ap.parse_args()
    env = mpi_environment()
    work = tempfile.mkdtemp(prefix="nnfield_bench_field_split_")
    # The model's three weight fields widened to K = 2r + 1 (w_0 stays derived: "").
    w = ["0.2"] * (2 * a.r + 1)
    w_in = list(w)
    w[a.r] = ""
    quoted = lambda v: "[" + ",".join(f'"{x}"' for x in v) + "]"
    settings = []
    for key, value in [("network.M", 64), ("network.N", a.N), ("network.r", a.r), ("field.rx", 8),
                       ("field.ry", a.ry), ("field.q", 5), ("field.depth_substeps", 4),
                       ("continuum.w", quoted(w)), ("continuum.w_in", quoted(w_in)), ("integrator.rtol", 1e-9),
                       ("integrator.atol", 1e-11)]:
        settings += ["--set", f"{key}={value}"]
    model = os.path.join(ROOT, "models", "field_coarse.toml")
    run = lambda exe, t: [exe, "run", model, "-q", "--force"] + settings + [
        "--set", f"dynamics.t_end={t}", "--set", f"output.every={t}"]
    two = ["mpirun", "--oversubscribe", "-np", "2"]
    layouts = {"1 process": lambda t: run(a.nnfield, t)}
    if a.old:
        layouts["2 processes, old build"] = lambda t: two + run(a.old, t)
    layouts["2 processes"] = lambda t: two + run(a.nnfield, t)
    spans = {"whole": 0.1, "setup": 0.001}
    times = {(name, span): [] for name in layouts for span in spans}
    for _ in range(a.rounds):
        for span, t in spans.items():
            files = {}
            for name, cmd in layouts.items():
                out = os.path.join(work, f"{len(files)}.h5")
                t0 = time.perf_counter()
                subprocess.run(cmd(t) + ["-o", out], check=True, env=env)
                times[(name, span)].append(time.perf_counter() - t0)
                files[name] = out
            if datasets(files["2 processes"]) != datasets(files["1 process"]):
                sys.exit("FAIL: two processes wrote another file than one")
    med = lambda name, span: statistics.median(times[(name, span)])
    print(f"field_coarse.toml at M = 64, N = {a.N}: nx = 8, ny = {a.N // a.ry} (ry = {a.ry}), r = {a.r} "
          f"(K = {2 * a.r + 1} shifts); {a.rounds} rounds, {os.cpu_count()} CPUs")
    print(f"{'layout':24} {'whole s (worst)':>16} {'setup s (worst)':>16} {'stepping s':>11} "
          f"{'speedup whole':>14} {'speedup stepping':>17}")
    one_whole, one_step = med("1 process", "whole"), med("1 process", "whole") - med("1 process", "setup")
    for name in layouts:
        whole, setup = med(name, "whole"), med(name, "setup")
        print(f"{name:24} {whole:7.2f} ({max(times[(name, 'whole')]):6.2f}) "
              f"{setup:7.2f} ({max(times[(name, 'setup')]):6.2f}) {whole - setup:11.2f} "
              f"{one_whole / whole:14.2f} {one_step / (whole - setup):17.2f}")


main()
