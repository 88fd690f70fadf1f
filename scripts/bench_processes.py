#!/usr/bin/python3
"""How an ensemble scales over processes and threads on this machine (docs/cluster.md,
"Scaling on this machine"), measured side by side in one session.

  scripts/bench_processes.py [NNFIELD] [--seeds 64] [--rounds 5] [--model models/ensemble_teacher.toml]

Runs, in turn so that machine load falls on every layout alike, R rounds of
  nnfield ensemble MODEL --seeds 0:S --threads 1                 (one process, one thread)
  mpirun -np 2 nnfield ensemble MODEL --seeds 0:S --threads 1    (two processes)
  nnfield ensemble MODEL --seeds 0:S --threads 2                 (one process, two threads)
and prints the median and the worst (slowest) wall time of each and the speedup of the
medians over one process. The outputs are checked equal (bit for bit, datasets) every round.
What it leaves out: the wall time includes starting the program (and MPI: mpirun's own
start-up of about 0.1-0.3 s); one machine, whose CPU frequency is not pinned; the cost
grows with the seeds, so a few seeds understate the speedup.
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
    ap.add_argument("--seeds", type=int, default=64)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--model", default=os.path.join(ROOT, "models", "ensemble_teacher.toml"))
    a = ap.parse_args()
    env = mpi_environment()
    work = tempfile.mkdtemp(prefix="nnfield_bench_processes_")
    base = [a.nnfield, "ensemble", a.model, "--seeds", f"0:{a.seeds}", "-q", "--force"]
    layouts = {
        "1 process, 1 thread": base + ["--threads", "1"],
        "2 processes, 1 thread each": ["mpirun", "--oversubscribe", "-np", "2"] + base + ["--threads", "1"],
        "1 process, 2 threads": base + ["--threads", "2"],
    }
    times = {name: [] for name in layouts}
    for _ in range(a.rounds):
        outputs = []
        for name, cmd in layouts.items():
            out = os.path.join(work, f"{len(outputs)}.h5")
            t0 = time.perf_counter()
            subprocess.run(cmd + ["-o", out], check=True, env=env)
            times[name].append(time.perf_counter() - t0)
            outputs.append(datasets(out))
        if any(o != outputs[0] for o in outputs[1:]):
            sys.exit("FAIL: the layouts wrote different ensembles")
    one = statistics.median(times["1 process, 1 thread"])
    print(f"ensemble {os.path.basename(a.model)}, {a.seeds} seeds, {a.rounds} rounds, {os.cpu_count()} CPUs")
    print(f"{'layout':28} {'median s':>9} {'worst s':>9} {'speedup':>8}")
    for name, t in times.items():
        print(f"{name:28} {statistics.median(t):9.3f} {max(t):9.3f} {one / statistics.median(t):8.2f}")


main()
