#!/usr/bin/python3
"""Field runs on 1 and 2 threads, side by side in one session (issue 16, the field half).

  scripts/bench_field_threads.py [BUILD_DIR] [--rounds 5] [--threads 2]

Runs `nnfield run` on the cases below, alternating 1 and N threads round by round so that
machine load falls on both alike, and prints per case the wall-time median of each, the
worst (slowest) round of each, and the speed-up median(1 thread) / median(N threads), with
the lowest and highest per-round speed-up. Wall time of the whole run (setup, stability
check, integration, output file): what a user waits for. The load average before and after
is printed too: on a machine shared with other jobs, a 2-thread round taken during someone
else's build gets about one core. Not a test: timing belongs to benchmarks.
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time

FINE = ["--set", "network.M=256", "--set", "network.N=256"]
CASES = [
    # (label, model, overrides)
    ("full batch 8, p=2, 128x128 grid (rx=ry=1)", "models/field_full_batch.toml",
     ["--set", "network.M=128", "--set", "network.N=128", "--set", "dynamics.t_end=0.5"]),
    ("full batch 8, p=2, 33x32 grid (rx=ry=8)", "models/field_full_batch.toml",
     FINE + ["--set", "field.rx=8", "--set", "field.ry=8", "--set", "dynamics.t_end=10"]),
    ("sgd batch 8, p=2, 65x64 grid (rx=ry=4)", "models/field_sgd.toml",
     FINE + ["--set", "field.rx=4", "--set", "field.ry=4"]),
    ("one sample, p=1, 129x1024 grid (M=N=1024, rx=8, ry=1)", "models/field_coarse.toml",
     ["--set", "network.M=1024", "--set", "network.N=1024", "--set", "field.rx=8", "--set", "field.ry=1",
      "--set", "dynamics.t_end=0.25"]),
    ("one sample, p=1, 129x128 grid (M=N=1024, rx=ry=8)", "models/field_coarse.toml",
     ["--set", "network.M=1024", "--set", "network.N=1024", "--set", "dynamics.t_end=4"]),
]


def wall_seconds(exe, model, overrides, threads, out):
    t0 = time.perf_counter()
    subprocess.run([exe, "run", model, *overrides, "-q", "-o", out, "--force", "--threads", str(threads)],
                   check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def option(args, name, default):
    if name not in args:
        return default
    i = args.index(name)
    value = int(args[i + 1])
    del args[i:i + 2]
    return value


def main():
    args = sys.argv[1:]
    rounds = option(args, "--rounds", 5)
    threads = option(args, "--threads", 2)
    if len(args) > 1:
        sys.exit(__doc__)
    build = args[0] if args else "build"
    exe = os.path.join(build, "nnfield")
    source = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    print(f"load average before: {open('/proc/loadavg').read().split()[:3]}")
    times = {label: {1: [], threads: []} for label, _, _ in CASES}
    with tempfile.TemporaryDirectory() as work:
        out = os.path.join(work, "run.h5")
        for _ in range(rounds):
            for label, model, overrides in CASES:
                for t in (1, threads):
                    times[label][t].append(wall_seconds(exe, os.path.join(source, model), overrides, t, out))
    print(f"load average after:  {open('/proc/loadavg').read().split()[:3]}")
    print(f"{'case':56s} {'1 thr median':>12s} {f'{threads} thr median':>12s} {'1 thr worst':>11s} "
          f"{f'{threads} thr worst':>11s} {'speed-up':>8s} {'rounds':>11s}")
    for label, _, _ in CASES:
        one, many = times[label][1], times[label][threads]
        per_round = [a / b for a, b in zip(one, many)]
        print(f"{label:56s} {statistics.median(one):12.3f} {statistics.median(many):12.3f} {max(one):11.3f} "
              f"{max(many):11.3f} {statistics.median(one) / statistics.median(many):8.2f} "
              f"{min(per_round):5.2f}..{max(per_round):4.2f}")


if __name__ == "__main__":
    main()
