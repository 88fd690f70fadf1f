#!/usr/bin/python3
"""Two builds measured side by side in one session: the refactor's speed guard.

  scripts/bench_side_by_side.py OLD_BUILD_DIR NEW_BUILD_DIR [--rounds 7] [--only sgd|field]

Runs, alternately old and new so that machine load falls on both alike, R rounds of
  bench_sgd  M16 N256 r2 at batch 1 and batch 64  (steps per second),
  bench_field --part rhs                           (ms per field gradient, the right-hand side),
and prints per case the median of each build, the worst (slowest) round of each, and the
ratio new/old of the medians (throughput: > 1 is faster; cost: < 1 is faster). What it
leaves out: one core, one machine; the CPU's frequency is not pinned, so compare ratios
measured in one run, not across runs.
"""
import re
import statistics
import subprocess
import sys


def sgd(build, batch):
    steps = "20000" if batch == 1 else "400"
    out = subprocess.run([f"{build}/bench/bench_sgd", "--M", "16", "--N", "256", "--r", "2", "--batch", str(batch),
                          "--steps", steps], capture_output=True, text=True, check=True).stdout
    return {f"sgd batch {batch} (steps/s)": float(re.search(r"steps_per_second (\S+)", out).group(1))}


def field(build):
    out = subprocess.run([f"{build}/bench/bench_field", "--part", "rhs"], capture_output=True, text=True,
                         check=True).stdout
    rows = {}
    p = None
    for line in out.splitlines():
        m = re.search(r"midpoint p = (\d)", line)
        if m:
            p = m.group(1)
        m = re.match(r"\s+(\d+)\s+(\d+)\s+(\d+)\s+\d+\s+\d+\s+([\d.]+)", line)
        if m and p:
            rows[f"field p={p} rx={m.group(1)} (ms/gradient)"] = float(m.group(4))
        m = re.match(r"network M = N = 512.*: ([\d.]+) ms/gradient", line)
        if m:
            rows["network M=N=512 (ms/gradient)"] = float(m.group(1))
    return rows


def main():
    args = sys.argv[1:]
    rounds = 7
    if "--rounds" in args:
        i = args.index("--rounds")
        rounds = int(args[i + 1])
        del args[i:i + 2]
    parts = (lambda b: sgd(b, 1), lambda b: sgd(b, 64), field)
    if "--only" in args:  # one half of the cases, for more rounds in the same time
        i = args.index("--only")
        parts = {"sgd": parts[:2], "field": parts[2:]}.get(args[i + 1]) or sys.exit(__doc__)
        del args[i:i + 2]
    if len(args) != 2:
        sys.exit(__doc__)
    old, new = args
    data = {"old": {}, "new": {}}
    for _ in range(rounds):
        for label, build in (("old", old), ("new", new)):
            for rows in (part(build) for part in parts):
                for k, v in rows.items():
                    data[label].setdefault(k, []).append(v)
    print(f"{'case':38s} {'old median':>11s} {'new median':>11s} {'old worst':>10s} {'new worst':>10s} {'new/old':>8s}")
    for k in data["old"]:
        o, n = data["old"][k], data["new"].get(k, [])
        if not n:
            continue
        cost = "ms" in k
        worst = max if cost else min
        print(f"{k:38s} {statistics.median(o):11.4g} {statistics.median(n):11.4g} {worst(o):10.4g} {worst(n):10.4g} "
              f"{statistics.median(n) / statistics.median(o):8.3f}")


if __name__ == "__main__":
    main()
