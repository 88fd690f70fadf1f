#!/usr/bin/env python3
"""Compare nnfield's SGD step rate with a fair float64 PyTorch baseline, at equal threads.

    /usr/bin/python3 scripts/bench_vs_torch.py [--rounds 5] [--threads 1,2] [--seconds 1.5]
                                               [--exe build/bench/bench_sgd] [--cases ...] [--check]

For every case (M, N, r, batch) and thread count both sides run identical SGD training: the
locally connected network of docs/theory.md section 1 with activation tanh, loss mse, learning rate
eta, random data.

* PyTorch: float64, torch.set_num_threads(threads); forward as a vectorised gather
  (h[:, idx] * W[m]).sum(-1) + b[m] with idx[i, k] = (i + k - r) mod N (a Python loop over
  layers only), autograd backward, plain in-place SGD update under no_grad; warm-up steps,
  then timed steps.
* nnfield: `EXE --M M --N N --r r --batch B --threads T --steps S`, which must print a line
  `steps_per_second <float>`.

Each side runs for about --seconds per measurement (the step count calibrated by a short
run), alternating nnfield and PyTorch, --rounds times. Meanwhile the script reads how busy
the machine's cores were (/proc/stat) less its own and its child's CPU time: on a machine
shared with other jobs, a round in which they kept more than --max-others of a core busy
measures them, not the code, and is left out (`clean` counts the rounds kept; all count
when none is clean). The table reports the medians over the clean rounds, the ratio of the
medians, and the lowest and highest per-round ratio. Read the spread: even clean rounds
vary.

Default cases and the floors of issue 16 (no floor where none is printed):

    batch 1             M=16 N=256 r=2 B=1    >= 50x at 1 thread
    batch 64            M=16 N=256 r=2 B=64   >= 15x at 1 and at 2 threads
    M64 N1024 batch 32  M=64 N=1024 r=3 B=32  >= 25x at 2 threads

and nnfield on 2 threads against itself on 1 (`2t/1t`): >= 1.7x for batch 64 and for the
M=64 case.

A second table puts each nnfield median against the ceilings `bench_roofline` (next to EXE)
measures on this machine: `compute` is the share of the step's time that its multiply-adds
(a link and sample each in apply, weight gradient and transpose) would need at the peak
fused multiply-add rate of `threads` cores, `tanh` the share its activations (tanh with
sigma', as the forward pass calls it) would need at the measured rate, `both` their sum:
1.0 would be a step doing nothing but those two at full speed. --cases M:N:r:batch,... replaces the cases (no floors). Exits 0 unless --check is
given; with --check, exits 1 when a floor is missed or a case could not be measured.
"""
import argparse
import math
import os
import re
import resource
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_EXE = os.path.normpath(os.path.join(HERE, "..", "build", "bench", "bench_sgd"))

DEFAULT_CASES = [
    dict(label="batch 1", M=16, N=256, r=2, batch=1, floors={1: 50.0}, scaling=None),
    dict(label="batch 64", M=16, N=256, r=2, batch=64, floors={1: 15.0, 2: 15.0}, scaling=1.7),
    dict(label="M64 N1024 batch 32", M=64, N=1024, r=3, batch=32, floors={2: 25.0}, scaling=1.7),
]


def parse_cases(text):
    cases = []
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        parts = item.split(":")
        if len(parts) != 4:
            raise argparse.ArgumentTypeError(f"case '{item}': expected M:N:r:batch")
        try:
            M, N, r, batch = (int(p) for p in parts)
        except ValueError:
            raise argparse.ArgumentTypeError(f"case '{item}': fields must be integers")
        if M < 1 or N < 1 or r < 0 or batch < 1 or 2 * r + 1 > N:
            raise argparse.ArgumentTypeError(f"case '{item}': invalid sizes")
        cases.append(dict(label=f"M{M} N{N} r{r} B{batch}", M=M, N=N, r=r, batch=batch, floors={},
                          scaling=None))
    if not cases:
        raise argparse.ArgumentTypeError("no cases given")
    return cases


def parse_threads(text):
    try:
        threads = sorted({int(t) for t in text.split(",") if t.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(f"--threads '{text}': expected e.g. 1,2")
    if not threads or threads[0] < 1:
        raise argparse.ArgumentTypeError("--threads: counts must be >= 1")
    return threads


class TorchModel:
    """The network in PyTorch, one SGD step per call of step()."""

    def __init__(self, M, N, r, batch, eta, seed=0):
        import torch

        self.torch = torch
        dtype = torch.float64
        K = 2 * r + 1
        gen = torch.Generator().manual_seed(seed)
        self.M, self.eta = M, eta
        self.W = (torch.randn(M, N, K, generator=gen, dtype=dtype) / math.sqrt(K)).requires_grad_(True)
        self.b = (0.1 * torch.randn(M, N, generator=gen, dtype=dtype)).requires_grad_(True)
        nbatches = 8  # a few distinct contiguous mini-batches, cycled
        self.Xs = [torch.randn(batch, N, generator=gen, dtype=dtype) for _ in range(nbatches)]
        self.Ys = [torch.randn(batch, N, generator=gen, dtype=dtype) for _ in range(nbatches)]
        self.idx = (torch.arange(N).unsqueeze(1) + torch.arange(K).unsqueeze(0) - r) % N
        self.t = 0

    def step(self):
        torch = self.torch
        h = self.Xs[self.t % len(self.Xs)]
        for m in range(self.M):
            z = (h[:, self.idx] * self.W[m]).sum(-1) + self.b[m]
            h = torch.tanh(z) if m < self.M - 1 else z
        loss = (0.5 * (h - self.Ys[self.t % len(self.Ys)]) ** 2).sum(-1).mean()
        gW, gb = torch.autograd.grad(loss, [self.W, self.b])
        with torch.no_grad():
            self.W.sub_(self.eta * gW)
            self.b.sub_(self.eta * gb)
        self.t += 1
        return loss

    def rate(self, threads, seconds, warmup=3):
        """(steps per second, cores other processes used meanwhile) on `threads` threads,
        timing about `seconds`."""
        self.torch.set_num_threads(threads)
        t0 = time.perf_counter()
        for _ in range(warmup):
            self.step()
        per_step = (time.perf_counter() - t0) / warmup
        steps = max(3, int(seconds / max(per_step, 1e-9)))
        others = OtherLoad(lambda: time.process_time())
        t0 = time.perf_counter()
        for _ in range(steps):
            loss = self.step()
        elapsed = time.perf_counter() - t0
        if not math.isfinite(loss.item()):
            print("warning: torch loss is not finite", file=sys.stderr)
        return steps / elapsed, others.cores()


class OtherLoad:
    """The cores other processes kept busy from construction to cores(): the machine's busy
    CPU time (/proc/stat) less our own (`own_cpu`, seconds), over the wall time. 0 where
    /proc/stat cannot be read."""

    def __init__(self, own_cpu):
        self.own_cpu = own_cpu
        self.busy0, self.own0, self.t0 = self.busy(), own_cpu(), time.perf_counter()

    @staticmethod
    def busy():
        try:
            with open("/proc/stat") as f:
                fields = [int(x) for x in f.readline().split()[1:]]
        except (OSError, ValueError):
            return None
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
        return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")

    def cores(self):
        busy = self.busy()
        if busy is None or self.busy0 is None:
            return 0.0
        wall = time.perf_counter() - self.t0
        return max(0.0, (busy - self.busy0) - (self.own_cpu() - self.own0)) / wall


def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_numbers(cmd):
    """Runs cmd; returns ({name: float} of its `name value` lines, or None; error or None)."""
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, f"could not run {' '.join(cmd)}: {e}"
    if proc.returncode != 0:
        tail = (proc.stderr.strip() or proc.stdout.strip()).splitlines()[-1:] or [""]
        return None, f"{' '.join(cmd)} exited with {proc.returncode}: {tail[0]}"
    numbers = {}
    for m in re.finditer(r"^\s*([a-z_]+)\s+([-+0-9.eE]+|inf|nan)\s*$", proc.stdout, re.M):
        try:
            numbers[m.group(1)] = float(m.group(2))
        except ValueError:
            pass
    return numbers, None


def roofline(exe):
    """(peak GFLOP/s of one core, ns per activation) from bench_roofline, or None."""
    path = os.path.join(os.path.dirname(exe), "bench_roofline")
    if not os.path.isfile(path):
        return None
    numbers, err = run_numbers([path])
    if err or "peak_gflops" not in numbers or "tanh_ns" not in numbers:
        print(f"warning: no roofline: {err or 'bench_roofline printed no peak_gflops/tanh_ns'}", file=sys.stderr)
        return None
    return numbers["peak_gflops"], numbers["tanh_ns"]


def step_work(exe, case):
    """(flops, activations) of one step as bench_sgd counts them, or None."""
    numbers, err = run_numbers([exe, "--M", str(case["M"]), "--N", str(case["N"]), "--r", str(case["r"]),
                                "--batch", str(case["batch"]), "--steps", "1"])
    if err or "flops_per_step" not in numbers:
        return None
    return numbers["flops_per_step"], numbers["activations_per_step"]


def nnfield_rate(exe, case, threads, steps):
    """Returns ((steps/s, cores other processes used meanwhile) or None, error or None)."""
    if not os.path.isfile(exe):
        return None, f"benchmark binary not found: {exe} (build it, or pass --exe)"
    cmd = [exe, "--M", str(case["M"]), "--N", str(case["N"]), "--r", str(case["r"]), "--batch",
           str(case["batch"]), "--threads", str(threads), "--steps", str(steps)]
    others = OtherLoad(children_cpu)
    numbers, err = run_numbers(cmd)
    if err:
        return None, err
    value = numbers.get("steps_per_second")
    if value is None:
        return None, f"{' '.join(cmd)} printed no 'steps_per_second <float>' line"
    if not (value > 0 and math.isfinite(value)):
        return None, f"nonsensical steps_per_second {value}"
    return (value, others.cores()), None


def measure(args, case, threads, model):
    """Per-round (nnfield, torch) rates for one case and thread count, or an error."""
    probe, err = nnfield_rate(args.exe, case, threads, 5)
    if err:
        return None, err
    cpp_steps = max(5, int(args.seconds * probe[0]))
    rounds = []
    for _ in range(args.rounds):
        nn, err = nnfield_rate(args.exe, case, threads, cpp_steps)
        if err:
            return None, err
        th = model.rate(threads, args.seconds)
        # (nnfield, torch, whether no other job ran meanwhile)
        rounds.append((nn[0], th[0], max(nn[1], th[1]) <= args.max_others))
    return rounds, None


def verdict(value, floor):
    if floor is None:
        return ""
    return "PASS" if value >= floor else "FAIL"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n", 2)[2])
    ap.add_argument("--rounds", type=int, default=5, help="alternating measurements per row (default 5)")
    ap.add_argument("--threads", type=parse_threads, default=[1, 2], help="thread counts (default 1,2)")
    ap.add_argument("--seconds", type=float, default=1.5, help="seconds per measurement (default 1.5)")
    ap.add_argument("--exe", default=DEFAULT_EXE, help=f"benchmark binary (default {DEFAULT_EXE})")
    ap.add_argument("--cases", type=parse_cases, default=DEFAULT_CASES,
                    help="comma-separated M:N:r:batch, replacing the default cases (then no floors)")
    ap.add_argument("--eta", type=float, default=0.01, help="learning rate (default 0.01)")
    ap.add_argument("--max-others", type=float, default=0.15,
                    help="a round counts when other processes kept at most this many cores busy while "
                         "either side ran (default 0.15; a large value counts every round)")
    ap.add_argument("--check", action="store_true", help="exit 1 if a floor is missed or a case fails to run")
    args = ap.parse_args()
    if args.rounds < 1 or args.seconds <= 0:
        ap.error("--rounds must be >= 1 and --seconds > 0")

    rows, scaling_rows, failed = [], [], False
    for case in args.cases:
        model = TorchModel(case["M"], case["N"], case["r"], case["batch"], args.eta)
        nn_median = {}
        for threads in args.threads:
            floor = case["floors"].get(threads)
            rounds, err = measure(args, case, threads, model)
            if err:
                print(f"error: {case['label']}: {err}", file=sys.stderr)
                rows.append((case["label"], threads, "", None, None, None, None, None, floor, "ERROR"))
                failed = True
                continue
            clean = [r for r in rounds if r[2]] or rounds  # all of them when none was clean
            nn = statistics.median(r[0] for r in clean)
            th = statistics.median(r[1] for r in clean)
            ratios = [r[0] / r[1] for r in clean]
            nn_median[threads] = nn
            v = verdict(nn / th, floor)
            failed |= v == "FAIL"
            used = f"{sum(r[2] for r in rounds)}/{len(rounds)}"
            rows.append((case["label"], threads, used, nn, th, nn / th, min(ratios), max(ratios), floor, v))
        if 1 in nn_median and 2 in nn_median:
            s = nn_median[2] / nn_median[1]
            v = verdict(s, case["scaling"])
            failed |= v == "FAIL"
            scaling_rows.append((case["label"], s, case["scaling"], v))

    print(f"medians over the clean rounds (`clean`: other processes kept at most {args.max_others:g} of a core "
          f"busy; all rounds when none was); ratio = nnfield / torch at equal threads, lowest..highest round")
    fmt = "{:<20s} {:>7s} {:>5s} {:>15s} {:>13s} {:>8s} {:>17s} {:>6s} {:>5s}"
    print(fmt.format("case", "threads", "clean", "nnfield steps/s", "torch steps/s", "ratio", "(rounds)", "floor",
                     ""))
    for label, threads, used, nn, th, ratio, lo, hi, floor, v in rows:
        na = nn is None
        print(fmt.format(label, str(threads), used, "n/a" if na else f"{nn:.1f}", "n/a" if na else f"{th:.2f}",
                         "n/a" if na else f"{ratio:.1f}x", "" if na else f"({lo:.1f}..{hi:.1f})",
                         "" if floor is None else f"{floor:g}x", v))
    for label, s, floor, v in scaling_rows:
        print(fmt.format(label, "2t/1t", "", "", "", f"{s:.2f}x", "", "" if floor is None else f"{floor:g}x", v))
    print_roofline(args, rows)
    return 1 if args.check and failed else 0


def print_roofline(args, rows):
    ceilings = roofline(args.exe)
    if ceilings is None:
        return
    peak, tanh_ns = ceilings
    print(f"\nroofline of one core (bench_roofline): {peak:.1f} GFLOP/s fused multiply-add, "
          f"{tanh_ns:.2f} ns per tanh with sigma'; shares of the measured step time")
    fmt = "{:<20s} {:>7s} {:>10s} {:>8s} {:>8s} {:>8s}"
    print(fmt.format("case", "threads", "ms/step", "compute", "tanh", "both"))
    work = {c["label"]: step_work(args.exe, c) for c in args.cases}
    for label, threads, _, nn, *_ in rows:
        if nn is None or work.get(label) is None:
            continue
        flops, activations = work[label]
        step = 1.0 / nn
        compute = flops / (peak * 1e9 * threads) / step
        tanh = activations * tanh_ns * 1e-9 / threads / step
        print(fmt.format(label, str(threads), f"{step * 1e3:.3f}", f"{compute:.2f}", f"{tanh:.2f}",
                         f"{compute + tanh:.2f}"))


if __name__ == "__main__":
    sys.exit(main())
