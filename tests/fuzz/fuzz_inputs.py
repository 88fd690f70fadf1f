#!/usr/bin/python3
"""Fuzz harness: mutated model files, overrides and HDF5 inputs through validate and run.

  fuzz_inputs.py NNFIELD_EXE [--cases 300] [--seed 20261203] [--jobs 2] [--keep DIR]

A fixed-seed generator mutates a corpus of small, fast models (every run kind: sgd,
gradient flow, damped with switching and blended data, observers, a field run, a data
file) by type swaps, deletions, duplications, huge / zero / negative / non-finite numbers,
unicode, binary garbage, deep nesting, long keys and expressions and truncation; it also
gives the unmutated models hostile `--set` overrides, and feeds every run kind that reads
an HDF5 file broken files (missing datasets, wrong shapes and dtypes, huge declared
shapes, NaN, truncated, not HDF5, a FIFO, a directory).

The contract (README, "Exit status"), checked for every case:
  * validate and run end by exit, never by a signal, and never with status 1;
  * a non-zero status is one of 2 (input), 3 (blow-up), 4 (output), 5 (resources), with
    exactly one line on stderr;
  * run's exit 0 leaves a file that opens with status "complete"; a run still going after
    the time limit is sent SIGTERM and must stop within the grace period with exit 130
    and a file that opens with status "interrupted" (a long run is not a failure; a hang is);
  * an unmutated corpus model (the control) validates and runs to exit 0.
Runs get `--max-memory 512M`, so the resource check refuses the same cases on every machine.
Exit status: 0 when every case keeps the contract, 1 otherwise (the failing cases listed,
with their input kept under --keep or a temporary folder).
"""
import argparse
import collections
import concurrent.futures
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile

import h5py
import numpy as np

# Fast models, one per run kind. PATH_DATA is replaced by the corpus data file.
SHORT_GRADIENT_FLOW = """[dynamics]
kind = "gradient_flow"
t_end = 0.1
[integrator]
stepper = "rk4"
dt = 0.01
[output]
every = 0.05
"""
CORPUS = {
    "sgd_teacher": """[run]
seed = 3
[network]
M = 4
N = 8
r = 1
activation = "tanh"
[data]
source = "teacher"
samples = 8
[dynamics]
kind = "sgd"
eta = 0.05
batch = 4
steps = 40
[output]
every_steps = 10
""",
    "gradient_flow_pair": """[network]
M = 4
N = 8
[dynamics]
kind = "gradient_flow"
eta = 0.5
t_end = 0.2
[integrator]
stepper = "rk4"
dt = 0.01
[output]
every = 0.05
trajectory = ["W", "b"]
""",
    "damped_switch_energy": """[run]
seed = 5
[network]
M = 4
N = 8
[data]
source = "random"
samples = 4
presentation = "switch"
tau = 0.1
[dynamics]
kind = "damped"
gamma = 0.5
t_end = 0.4
[integrator]
stepper = "dopri5"
rtol = 1e-6
atol = 1e-9
[output]
every = 0.1
[observe]
energy_flow = true
""",
    "damped_blend_correlators": """[network]
M = 4
N = 8
activation = "erf"
[data]
source = "random"
samples = 3
presentation = "blend"
tau = 0.2
[dynamics]
kind = "damped"
gamma = 1.0
t_end = 0.3
[integrator]
stepper = "rk4"
dt = 0.02
[output]
every = 0.1
[observe]
correlators = ["width"]
every = 0.1
""",
    "continuum_network": """[network]
M = 8
N = 8
[init]
kind = "continuum"
[continuum]
phi = "0.2 + 0.3*sin(2*pi*y)"
w = ["0.3", "", "0.3"]
X = "sin(2*pi*y)"
misfit = "cos(2*pi*y)"
[data]
source = "continuum"
""" + SHORT_GRADIENT_FLOW,
    "field": """[network]
M = 16
N = 16
[continuum]
phi = "0.2 + 0.4*sin(2*pi*y)*cos(pi*x/2)"
c = "0.5*cos(pi*x)*sin(2*pi*y)"
w = ["0.3", "", "0.3"]
X = "sin(2*pi*y)"
misfit = "cos(2*pi*y)"
[field]
form = "midpoint"
p = 1
rx = 2
ry = 2
""" + SHORT_GRADIENT_FLOW,
    "sgd_datafile": """[network]
M = 4
N = 8
[data]
source = "file"
file = "PATH_DATA"
[dynamics]
kind = "sgd"
batch = 2
steps = 20
[output]
every_steps = 5
""",
}

HUGE_NUMBERS = ["1e308", "-1e308", "1e9", "-1", "0", "-0.0", "nan", "inf", "-inf", "+inf", "9223372036854775807",
                "-9223372036854775808", "18446744073709551616", "1e-320", "0x7fffffff", "1_000_000_000", "2.5",
                "4294967297"]
ODD_VALUES = ['"text"', "true", "false", "[1, 2, 3]", "[]", "{a = 1}", '""', "1979-05-27T07:32:00Z", '"\\u00e9\\u4e2d"',
              '"' + "\u202e\u0000".replace("\u0000", "") + '"', "[[1], [2]]", '"nan"', "'literal'"]
UNICODE = ["é", "中文", "\u202e", "𝔁", "\ufeff", "\u00a0", "ß", "Ω"]


def mutate(text, rng):
    """One mutation of a model file's text; returns (kind, bytes)."""
    lines = text.split("\n")
    kind = rng.choice(["type_swap", "delete", "duplicate", "number", "unicode", "garbage", "nesting", "long_key",
                       "long_expression", "truncate", "swap_sections", "blank_value", "tweak", "tweak", "tweak"])
    assignments = [i for i, l in enumerate(lines) if "=" in l]
    i = rng.choice(assignments) if assignments else 0
    key = lines[i].split("=")[0].strip() if assignments else "x"
    if kind == "type_swap":
        lines[i] = f"{key} = {rng.choice(ODD_VALUES + HUGE_NUMBERS)}"
    elif kind == "delete":
        del lines[rng.randrange(len(lines))]
    elif kind == "duplicate":
        j = rng.randrange(len(lines))
        lines.insert(rng.randrange(len(lines) + 1), lines[j])
    elif kind == "number":
        numeric = [k for k, l in enumerate(lines) if "=" in l and any(c.isdigit() for c in l.split("=", 1)[1])]
        k = rng.choice(numeric) if numeric else i
        lines[k] = lines[k].split("=")[0] + "= " + rng.choice(HUGE_NUMBERS)
    elif kind == "unicode":
        j = rng.randrange(len(lines))
        pos = rng.randrange(len(lines[j]) + 1)
        lines[j] = lines[j][:pos] + rng.choice(UNICODE) + lines[j][pos:]
    elif kind == "garbage":
        data = "\n".join(lines).encode()
        pos = rng.randrange(len(data) + 1)
        return kind, data[:pos] + bytes(rng.randrange(256) for _ in range(rng.randint(1, 64))) + data[pos:]
    elif kind == "nesting":
        depth = rng.choice([10, 100, 1000, 100000])
        if rng.random() < 0.5:
            lines[i] = f"{key} = " + "[" * depth + "1" + "]" * depth
        else:
            lines.append("[" + ".".join(["t"] * depth) + "]")
    elif kind == "long_key":
        lines.insert(rng.randrange(len(lines) + 1), "k" * rng.choice([100, 10000, 1000000]) + " = 1")
    elif kind == "long_expression":
        n = rng.choice([10, 1000, 100000])
        term = rng.choice(["x", "sin(y)", "(x", "1/0", "log(-1)", "exp(1000)", "y*"])
        lines.append("[continuum]" if "[continuum]" not in text else "")
        lines.append(f'phi = "{"+".join([term] * n)}"')
    elif kind == "truncate":
        data = "\n".join(lines).encode()
        return kind, data[:rng.randrange(len(data) + 1)]
    elif kind == "swap_sections":
        headers = [k for k, l in enumerate(lines) if l.startswith("[")]
        if len(headers) >= 2:
            a, b = rng.sample(headers, 2)
            lines[a], lines[b] = lines[b], lines[a]
    elif kind == "tweak":  # a plausible edit: most such models run, and exercise the run itself
        numeric = [k for k, l in enumerate(lines) if "=" in l and l.split("=", 1)[1].strip()[:1].isdigit()]
        if numeric:
            k = rng.choice(numeric)
            head, value = lines[k].split("=", 1)
            value = value.strip()
            if value.isdigit():
                value = str(max(0, int(value) + rng.choice([-3, -1, 1, 2, 5])))
            else:
                value = repr(float(value) * rng.choice([0.01, 0.5, 2.0, 10.0, 100.0]))
            lines[k] = f"{head.strip()} = {value}"
    elif kind == "blank_value":
        lines[i] = f"{key} ="
    return kind, "\n".join(lines).encode("utf-8", "surrogatepass")


def schema_keys(exe):
    out = subprocess.run([exe, "keys"], capture_output=True, text=True, check=True).stdout
    return [l.split("`")[1] for l in out.splitlines() if l.startswith("| `") and "." in l.split("`")[1]]


def override_values(rng):
    return rng.choice(HUGE_NUMBERS + ODD_VALUES + ['"' + "x+" * 50000 + 'x"', '"' + "(" * 5000 + "x" + ")" * 5000 + '"',
                                                     '"random(-1)"', '"sqrt(x-2)"', "=", "", "[" * 300 + "]" * 300])


def write_h5_inputs(folder):
    """Broken HDF5 inputs for data.file and init.file, by name."""
    good_x = np.random.default_rng(1).normal(size=(6, 8))
    cases = {}

    def make(name, fill):
        path = os.path.join(folder, name + ".h5")
        with h5py.File(path, "w") as f:
            fill(f)
        cases[name] = path

    make("good", lambda f: (f.create_dataset("X", data=good_x), f.create_dataset("Y", data=good_x[::-1])))
    make("missing_Y", lambda f: f.create_dataset("X", data=good_x))
    make("wrong_width", lambda f: (f.create_dataset("X", data=good_x[:, :5]), f.create_dataset("Y", data=good_x[:, :5])))
    make("wrong_rank", lambda f: (f.create_dataset("X", data=good_x.ravel()), f.create_dataset("Y", data=good_x.ravel())))
    make("string_dtype", lambda f: (f.create_dataset("X", data=np.array([b"a"] * 8)), f.create_dataset("Y", data=good_x)))
    make("integer_dtype", lambda f: (f.create_dataset("X", data=(good_x * 10).astype(np.int32)),
                                     f.create_dataset("Y", data=good_x)))
    make("nan", lambda f: (f.create_dataset("X", data=np.where(good_x > 1, np.nan, good_x)),
                           f.create_dataset("Y", data=good_x)))
    make("inf", lambda f: (f.create_dataset("X", data=good_x), f.create_dataset("Y", data=np.full_like(good_x, np.inf))))
    make("huge_declared", lambda f: (f.create_dataset("X", shape=(10**9, 8), dtype="f8", chunks=(1, 8)),
                                     f.create_dataset("Y", shape=(10**9, 8), dtype="f8", chunks=(1, 8))))
    make("empty", lambda f: (f.create_dataset("X", shape=(0, 8), dtype="f8"),
                             f.create_dataset("Y", shape=(0, 8), dtype="f8")))
    make("groups_not_datasets", lambda f: (f.create_group("X"), f.create_group("Y")))
    truncated = os.path.join(folder, "truncated.h5")
    with open(cases["good"], "rb") as src:
        data = src.read()
    with open(truncated, "wb") as dst:
        dst.write(data[: len(data) // 2])
    cases["truncated"] = truncated
    not_h5 = os.path.join(folder, "not_hdf5.h5")
    with open(not_h5, "w") as f:
        f.write("this is not HDF5\n")
    cases["not_hdf5"] = not_h5
    cases["fifo"] = os.path.join(folder, "fifo.h5")
    os.mkfifo(cases["fifo"])
    cases["directory"] = os.path.join(folder, "dir.h5")
    os.mkdir(cases["directory"])
    cases["missing_file"] = os.path.join(folder, "no_such_file.h5")
    return cases


class Harness:
    def __init__(self, exe, folder, limit, grace):
        self.exe, self.folder, self.limit, self.grace = exe, folder, limit, grace

    def call(self, args):
        """(status, stderr, timed_out); status < 0 is a signal."""
        proc = subprocess.Popen([self.exe] + args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                stdin=subprocess.DEVNULL)
        timed_out = False
        try:
            _, err = proc.communicate(timeout=self.limit)
        except subprocess.TimeoutExpired:
            timed_out = True
            proc.send_signal(signal.SIGTERM)
            try:
                _, err = proc.communicate(timeout=self.grace)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.communicate()
                return None, b"", True
        return proc.returncode, err, timed_out

    def check(self, name, model_path, overrides, expect_ok=False):
        """Validate and run one case; returns (outcome, contract violations)."""
        problems = []
        sets = sum([["--set", o] for o in overrides], [])
        status, err, timed_out = self.call(["validate", model_path, "--max-memory", "512M"] + sets)
        problems += self.judge("validate", status, err, timed_out, None)
        out = os.path.join(self.folder, name + ".out.h5")
        run_status, err, timed_out = self.call(["run", model_path, "-o", out, "--quiet", "--max-memory", "512M"] + sets)
        problems += self.judge("run", run_status, err, timed_out, out)
        if status is not None and run_status is not None and status != 0 and run_status == 0:
            problems.append(f"validate refused (exit {status}) what run accepted")
        if expect_ok and (status != 0 or run_status != 0):
            problems.append(f"control case failed: validate {status}, run {run_status}: {err.decode(errors='replace')}")
        outcome = f"validate {status}, run {run_status}" + (" after SIGTERM" if timed_out else "")
        return outcome, problems

    def judge(self, what, status, err, timed_out, out):
        lines = err.decode("utf-8", "replace").rstrip("\n").split("\n") if err.strip() else []
        if status is None:
            return [f"{what}: did not stop within {self.grace} s of SIGTERM (hang)"]
        if status < 0:
            return [f"{what}: killed by signal {-status}: {' | '.join(lines[-3:])}"]
        if timed_out and what == "validate":
            return [f"validate: still going after {self.limit} s"]
        if status == 0:
            return self.readable(what, out, "complete") if out else []
        if status == 130 and timed_out:
            return self.readable(what, out, "interrupted")
        if status not in (2, 3, 4, 5):
            return [f"{what}: exit {status} ({' | '.join(lines[:3])})"]
        if len(lines) != 1:
            return [f"{what}: exit {status} with {len(lines)} lines on stderr: {' | '.join(lines[:3])}"]
        if status == 3 and out and os.path.exists(out):
            return self.readable(what, out, "blew_up", any_status=True)
        return []

    @staticmethod
    def readable(what, out, want, any_status=False):
        try:
            with h5py.File(out, "r") as f:
                got = f.attrs["status"]
                got = got.decode() if isinstance(got, bytes) else str(got)
        except Exception as e:  # noqa: BLE001 - any failure to read is the finding
            return [f"{what}: output does not open: {e}"]
        if not any_status and got != want:
            return [f"{what}: output status {got!r}, expected {want!r}"]
        return []


def build_cases(exe, folder, n_cases, rng):
    """(name, model text bytes, overrides, expect_ok) for every case."""
    data_file = os.path.join(folder, "corpus_data.h5")
    x = np.random.default_rng(2).normal(size=(6, 8))
    with h5py.File(data_file, "w") as f:
        f.create_dataset("X", data=x)
        f.create_dataset("Y", data=np.tanh(x))
    corpus = {k: v.replace("PATH_DATA", data_file) for k, v in CORPUS.items()}
    cases = [(f"control_{k}", v.encode(), [], True) for k, v in corpus.items()]
    names = sorted(corpus)
    for n in range(n_cases):
        base = rng.choice(names)
        kind, text = mutate(corpus[base], rng)
        if rng.random() < 0.3:  # a second mutation on top
            kind2, text2 = mutate(text.decode("utf-8", "replace"), rng)
            kind, text = kind + "+" + kind2, text2
        cases.append((f"m{n:03d}_{base}_{kind}", text, [], False))
    keys = schema_keys(exe)
    for n in range(max(60, n_cases // 5)):
        base = rng.choice(names)
        key = rng.choice(keys + ["network.nope", "nosection.key", "network", "", "a" * 5000])
        cases.append((f"o{n:03d}_{base}", corpus[base].encode(), [f"{key}={override_values(rng)}"], False))
    for name, path in write_h5_inputs(folder).items():
        cases.append((f"h5data_{name}", corpus["sgd_datafile"].replace(data_file, path).encode(), [], name == "good"))
        init = corpus["gradient_flow_pair"].replace("[network]", f'[init]\nkind = "file"\nfile = "{path}"\n[network]')
        cases.append((f"h5init_{name}", init.encode(), [], False))
    return cases


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("exe")
    ap.add_argument("--cases", type=int, default=300)
    ap.add_argument("--seed", type=int, default=20261203)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--limit", type=float, default=float(os.environ.get("NNFIELD_FUZZ_LIMIT", "6")))
    ap.add_argument("--grace", type=float, default=10.0)
    ap.add_argument("--keep", help="folder for the cases' files (default: a temporary folder, removed on success)")
    a = ap.parse_args()
    folder = a.keep or tempfile.mkdtemp(prefix="nnfield_fuzz_")
    os.makedirs(folder, exist_ok=True)
    rng = random.Random(a.seed)
    cases = build_cases(a.exe, folder, a.cases, rng)
    harness = Harness(a.exe, folder, a.limit, a.grace)

    def one(case):
        name, text, overrides, expect_ok = case
        path = os.path.join(folder, name + ".toml")
        with open(path, "wb") as f:
            f.write(text)
        return (name,) + harness.check(name, path, overrides, expect_ok)

    failures, outcomes = [], collections.Counter()
    with concurrent.futures.ThreadPoolExecutor(a.jobs) as pool:
        for name, outcome, problems in pool.map(one, cases):
            outcomes[outcome] += 1
            failures += [f"{name}: {p}" for p in problems]
    print(f"fuzz: {len(cases)} cases (seed {a.seed}), {len(failures)} contract violations; outcomes:")
    for outcome, count in sorted(outcomes.items(), key=lambda kv: -kv[1]):
        print(f"  {count:4d}  {outcome}")
    for f in failures:
        print("  " + f)
    if failures:
        print(f"fuzz: inputs kept in {folder}")
        return 1
    if not a.keep:
        shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
