#!/usr/bin/env python3
"""Compare nnfield's SGD step rate with a fair float64 PyTorch baseline.

    /usr/bin/python3 scripts/bench_vs_torch.py [--steps 200] [--exe build/bench/bench_sgd]
                                               [--cases 16:256:2:1,16:256:2:64] [--check]

For every case (M, N, r, batch) both sides run identical SGD training: the locally connected
network of docs/theory.md section 1 with activation tanh, loss mse, learning rate eta, random data.

* PyTorch: float64, torch.set_num_threads(2); forward as a vectorised gather
  (h[:, idx] * W[m]).sum(-1) + b[m] with idx[i, k] = (i + k - r) mod N (a Python loop over
  layers only), autograd backward, plain in-place SGD update under no_grad; warm-up steps,
  then `--steps` timed steps.
* nnfield: `EXE --M M --N N --r r --batch B --steps S`, which must print a line
  `steps_per_second <float>`.

Prints a table: case, nnfield steps/s, torch steps/s, ratio nnfield/torch, the floor the ratio
must reach (30x at batch 1, 5x otherwise, or a 5th field of the case) and PASS/FAIL. Exits 0
unless --check is given; with --check, exits 1 when a case fails its floor or could not run.
"""
import argparse
import math
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_EXE = os.path.normpath(os.path.join(HERE, "..", "build", "bench", "bench_sgd"))


def parse_cases(text):
    cases = []
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        parts = item.split(":")
        if len(parts) not in (4, 5):
            raise argparse.ArgumentTypeError(
                f"case '{item}': expected M:N:r:batch or M:N:r:batch:floor")
        try:
            M, N, r, batch = (int(p) for p in parts[:4])
            floor = float(parts[4]) if len(parts) == 5 else (30.0 if batch == 1 else 5.0)
        except ValueError:
            raise argparse.ArgumentTypeError(f"case '{item}': fields must be numbers")
        if M < 1 or N < 1 or r < 0 or batch < 1 or 2 * r + 1 > N:
            raise argparse.ArgumentTypeError(f"case '{item}': invalid sizes")
        cases.append(dict(M=M, N=N, r=r, batch=batch, floor=floor))
    if not cases:
        raise argparse.ArgumentTypeError("no cases given")
    return cases


def torch_steps_per_second(M, N, r, batch, steps, warmup, eta, seed=0):
    import torch

    torch.set_num_threads(2)
    dtype = torch.float64
    K = 2 * r + 1
    gen = torch.Generator().manual_seed(seed)
    W = (torch.randn(M, N, K, generator=gen, dtype=dtype) / math.sqrt(K)).requires_grad_(True)
    b = (0.1 * torch.randn(M, N, generator=gen, dtype=dtype)).requires_grad_(True)
    nbatches = 8  # a few distinct contiguous mini-batches, cycled
    Xs = [torch.randn(batch, N, generator=gen, dtype=dtype) for _ in range(nbatches)]
    Ys = [torch.randn(batch, N, generator=gen, dtype=dtype) for _ in range(nbatches)]
    idx = (torch.arange(N).unsqueeze(1) + torch.arange(K).unsqueeze(0) - r) % N

    def step(t):
        h = Xs[t % nbatches]
        for m in range(M):
            z = (h[:, idx] * W[m]).sum(-1) + b[m]
            h = torch.tanh(z) if m < M - 1 else z
        loss = (0.5 * (h - Ys[t % nbatches]) ** 2).sum(-1).mean()
        gW, gb = torch.autograd.grad(loss, [W, b])
        with torch.no_grad():
            W.sub_(eta * gW)
            b.sub_(eta * gb)
        return loss

    for t in range(warmup):
        step(t)
    t0 = time.perf_counter()
    for t in range(steps):
        loss = step(t)
    elapsed = time.perf_counter() - t0
    if not math.isfinite(loss.item()):
        print(f"warning: torch loss is not finite for M={M} N={N} r={r} batch={batch}",
              file=sys.stderr)
    return steps / elapsed


def nnfield_steps_per_second(exe, M, N, r, batch, steps):
    """Returns (steps/s or None, error message or None)."""
    if not os.path.isfile(exe):
        return None, f"benchmark binary not found: {exe} (build it, or pass --exe)"
    cmd = [exe, "--M", str(M), "--N", str(N), "--r", str(r), "--batch", str(batch),
           "--steps", str(steps)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as e:
        return None, f"could not run {' '.join(cmd)}: {e}"
    if proc.returncode != 0:
        tail = (proc.stderr.strip() or proc.stdout.strip()).splitlines()[-1:] or [""]
        return None, f"{' '.join(cmd)} exited with {proc.returncode}: {tail[0]}"
    match = re.search(r"^\s*steps_per_second\s+([-+0-9.eE]+|inf|nan)\s*$", proc.stdout, re.M)
    if not match:
        return None, (f"{' '.join(cmd)} printed no 'steps_per_second <float>' line; "
                      f"its output was: {proc.stdout.strip()[:200]!r}")
    try:
        value = float(match.group(1))
    except ValueError:
        return None, f"unparsable steps_per_second value {match.group(1)!r}"
    if not (value > 0 and math.isfinite(value)):
        return None, f"nonsensical steps_per_second {value}"
    return value, None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n", 2)[2])
    ap.add_argument("--steps", type=int, default=200, help="timed PyTorch steps per case")
    ap.add_argument("--warmup", type=int, default=20, help="untimed PyTorch warm-up steps")
    ap.add_argument("--cpp-steps", type=int, default=None,
                    help="steps for the nnfield binary (default max(steps, 10000 // batch))")
    ap.add_argument("--exe", default=DEFAULT_EXE, help=f"benchmark binary (default {DEFAULT_EXE})")
    ap.add_argument("--cases", type=parse_cases, default=parse_cases("16:256:2:1,16:256:2:64"),
                    help="comma-separated M:N:r:batch[:floor] (default 16:256:2:1,16:256:2:64)")
    ap.add_argument("--eta", type=float, default=0.01, help="learning rate (default 0.01)")
    ap.add_argument("--check", action="store_true",
                    help="exit 1 if a case misses its floor or could not be measured")
    args = ap.parse_args()
    if args.steps < 1 or args.warmup < 0:
        ap.error("--steps must be >= 1 and --warmup >= 0")

    rows, failed = [], False
    for c in args.cases:
        label = f"M={c['M']} N={c['N']} r={c['r']} batch={c['batch']}"
        cpp_steps = args.cpp_steps or max(args.steps, 10000 // c["batch"])
        nn, err = nnfield_steps_per_second(args.exe, c["M"], c["N"], c["r"], c["batch"], cpp_steps)
        if err:
            print(f"error: {label}: {err}", file=sys.stderr)
        th = torch_steps_per_second(c["M"], c["N"], c["r"], c["batch"], args.steps, args.warmup,
                                    args.eta)
        if nn is None:
            ratio, verdict = None, "ERROR"
        else:
            ratio = nn / th
            verdict = "PASS" if ratio >= c["floor"] else "FAIL"
        failed |= verdict != "PASS"
        rows.append((label, nn, th, ratio, c["floor"], verdict))

    fmt = "{:<28s} {:>16s} {:>14s} {:>9s} {:>7s} {:>6s}"
    print(fmt.format("case", "nnfield steps/s", "torch steps/s", "ratio", "floor", ""))
    for label, nn, th, ratio, floor, verdict in rows:
        print(fmt.format(label, "n/a" if nn is None else f"{nn:.1f}", f"{th:.1f}",
                         "n/a" if ratio is None else f"{ratio:.1f}x", f"{floor:g}x", verdict))
    if args.check and failed:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
