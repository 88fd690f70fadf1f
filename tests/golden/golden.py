#!/usr/bin/python3
"""Golden outputs: fingerprints of every numeric dataset the example runs write.

A refactor must not change results. This script runs a fixed set of commands (every
example model, plus compare, ensemble, propagate and correlate) and reduces each
numeric dataset of their HDF5 outputs to a fingerprint small enough to keep in git:
shape, 48 evenly spaced entries, the min and max, the sum of |x| and three random
projections (weights fixed by the dataset's name). `check` compares a new build's
fingerprints with the recorded ones to a relative tolerance (default 1e-13, measured
against the dataset's largest entry); a changed shape, a missing dataset, or a changed
integer/string value fails exactly. A new dataset is noted, not failed: additions change
no recorded result.

  golden.py record NNFIELD_EXE SOURCE_DIR FILE.json [CASE...]
  golden.py check  NNFIELD_EXE SOURCE_DIR FILE.json CASE [--rtol R]

Provenance attributes (git hash, times, command line) are left out: they change by design.
"""
import hashlib
import json
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np

# name -> argument lists; {out} is the output file, {model} the models/ folder.
CASES = {
    "run_blend_gradient_flow": ["run", "{model}/blend_gradient_flow.toml"],
    "run_compare_small": ["run", "{model}/compare_small.toml"],
    "run_continuum_network": ["run", "{model}/continuum_network.toml"],
    "run_depth_scale_tanh": ["run", "{model}/depth_scale_tanh.toml"],
    "run_energy_flow": ["run", "{model}/energy_flow.toml"],
    "run_ensemble_teacher": ["run", "{model}/ensemble_teacher.toml"],
    "run_field_coarse": ["run", "{model}/field_coarse.toml"],
    "run_field_coarse_p2": ["run", "{model}/field_coarse.toml", "--set", "field.p=2"],
    "run_field_exact": ["run", "{model}/field_coarse.toml", "--set", "field.form=\"exact\"",
                        "--set", "field.rx=1", "--set", "field.ry=1"],
    "run_field_energy_flow": ["run", "{model}/field_energy_flow.toml"],
    "run_sgd_datafile": ["run", "{model}/sgd_datafile.toml"],
    "run_teacher_tanh": ["run", "{model}/teacher_tanh.toml"],
    "ensemble_teacher": ["ensemble", "{model}/ensemble_teacher.toml", "--seeds", "0:4", "--threads", "2"],
    "propagate_tanh": ["propagate", "{model}/depth_scale_tanh.toml", "--networks", "8", "--pairs", "4",
                       "--threads", "2"],
    "compare_small": ["compare", "{model}/compare_small.toml", "--coarsen", "1,2", "--times", "0.25,0.5"],
}
SKIP_ATTRS = {"git_hash", "build_type", "command_line", "created", "wall_time", "elapsed_seconds",
              "version", "build_flags", "hostname", "threads", "started", "finished", "compiler",
              "model_path", "source_run", "boost_version", "eigen_version", "hdf5_version", "nnfield_version", "cxx_standard"}
SAMPLES = 48
# Differences of nearly equal numbers are compared on the scale of what they difference,
# not on their own: a residual is roundoff by construction, and reordering one sum (the
# field runs' dissipation, now written once for both lattices) changes it completely
# while changing E by one ulp. name suffix -> dataset whose scale applies.
# An ensemble's error of such a residual (its jackknife spread over seeds) is roundoff too.
RESIDUAL_SCALE = {"balance_residual": "/energy/total", "continuity_residual": "/energy/total",
                  "interval_residual": "/energy/total", "balance_residual_error": "/energy/total",
                  "continuity_residual_error": "/energy/total", "interval_residual_error": "/energy/total"}
# Whole cases whose outputs are ill-conditioned functions of trajectories checked elsewhere
# at the default tolerance: `compare` reports errors |field - network| ~ 1e-5 of the
# solutions and fits through three of them, so 1e-16 changes of the trajectories (adaptive
# step sizes following the energy quadrature's roundoff) reach 1e-12 in the errors and
# 1e-10 in the fitted constants.
CASE_RTOL = {"compare_small": 1e-9}


def weights(name, n, j):
    seed = int.from_bytes(hashlib.sha256(f"{name}/{j}".encode()).digest()[:8], "little")
    return np.random.default_rng(seed).uniform(-1.0, 1.0, n)


def fingerprint_dataset(name, data):
    if data.dtype.kind in "SUO":
        flat = [x.decode() if isinstance(x, bytes) else str(x) for x in np.ravel(data)]
        return {"kind": "text", "shape": list(data.shape), "digest": hashlib.sha256("\0".join(flat).encode()).hexdigest()}
    if data.dtype.kind in "iub":
        flat = np.ravel(data).astype(np.int64)
        return {"kind": "int", "shape": list(data.shape), "digest": hashlib.sha256(flat.tobytes()).hexdigest()}
    if data.dtype.kind == "c":
        data = np.stack([data.real, data.imag], axis=-1)
    flat = np.ravel(data).astype(np.float64)
    fp = {"kind": "float", "shape": list(data.shape)}
    if flat.size == 0:
        return fp
    finite = np.isfinite(flat)
    fp["nonfinite"] = [int(i) for i in np.flatnonzero(~finite)[:64]]
    clean = np.where(finite, flat, 0.0)
    idx = np.unique(np.linspace(0, flat.size - 1, min(SAMPLES, flat.size)).astype(np.int64))
    fp["index"] = idx.tolist()
    fp["sample"] = [float(v) for v in clean[idx]]
    fp["min"], fp["max"] = float(clean.min()), float(clean.max())
    fp["abs_sum"] = float(np.abs(clean).sum())
    fp["proj"] = [float(weights(name, flat.size, j) @ clean) for j in range(3)]
    return fp


def fingerprint_file(path, src):
    """Text attributes name the source tree as {src}: model paths are stored absolute
    (docs/model-files.md, "Paths"), and the fingerprints hold for any checkout."""
    out = {}
    with h5py.File(path, "r") as f:
        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                out["/" + name] = fingerprint_dataset(name, obj[()] if obj.shape != () else np.asarray(obj[()]))
        f.visititems(visit)
        for key, value in f.attrs.items():
            if key in SKIP_ATTRS:
                continue
            if isinstance(value, (str, bytes)):
                value = (value.decode() if isinstance(value, bytes) else value).replace(os.path.abspath(src), "{src}")
            v = np.asarray(value)
            out["@" + key] = fingerprint_dataset("@" + key, v)
    return out


def run_case(exe, src, case):
    with tempfile.TemporaryDirectory() as work:
        out = os.path.join(work, "out.h5")
        args = [a.replace("{model}", os.path.join(src, "models")) for a in CASES[case]]
        cmd = [exe] + args + ["-o", out, "-q"]
        res = subprocess.run(cmd, cwd=src, capture_output=True, text=True)
        if res.returncode != 0:
            sys.exit(f"golden: {' '.join(cmd)} exited {res.returncode}: {res.stderr.strip()}")
        fp = {"output": fingerprint_file(out, src)}
        if CASES[case][0] == "run" and "field_" not in case and case not in ("run_compare_small",):
            cor = os.path.join(work, "cor.h5")
            res = subprocess.run([exe, "correlate", out, "-o", cor], cwd=src, capture_output=True, text=True)
            if res.returncode == 0:
                fp["correlate"] = fingerprint_file(cor, src)
        return fp


def close(a, b, tol):
    return abs(a - b) <= tol


def residual_scale(key, fingerprints):
    for suffix, reference in RESIDUAL_SCALE.items():
        if key.endswith(suffix) and reference in fingerprints and "max" in fingerprints[reference]:
            ref = fingerprints[reference]
            return max(abs(ref["min"]), abs(ref["max"]))
    return None


def compare(case, old, new, rtol):
    rtol = max(rtol, CASE_RTOL.get(case, 0.0))
    errors = []
    for part in sorted(set(old) | set(new)):
        o, n = old.get(part, {}), new.get(part, {})
        for key in sorted(set(o) | set(n)):
            where = f"{case}:{part}:{key}"
            if key not in o:  # an addition changes no recorded result
                print(f"note: {where}: new dataset (not in the recorded outputs)")
                continue
            if key not in n:
                errors.append(f"{where}: missing dataset")
                continue
            fo, fn = o[key], n[key]
            if fo["kind"] != fn["kind"] or fo["shape"] != fn["shape"]:
                errors.append(f"{where}: kind/shape {fo['kind']}{fo['shape']} -> {fn['kind']}{fn['shape']}")
                continue
            if fo["kind"] != "float":
                if fo["digest"] != fn["digest"]:
                    errors.append(f"{where}: {fo['kind']} values changed")
                continue
            if "sample" not in fo:
                continue
            if fo["nonfinite"] != fn["nonfinite"]:
                errors.append(f"{where}: non-finite entries moved")
            scale = max(abs(fo["min"]), abs(fo["max"]), 1e-300)
            size = max(1, int(np.prod(fo["shape"])))
            sum_scale = max(fo["abs_sum"], 1e-300)
            reference = residual_scale(key, o)
            if reference is not None:
                scale = max(scale, reference)
                sum_scale = max(sum_scale, reference * size)
            worst = max(abs(x - y) for x, y in zip(fo["sample"] + [fo["min"], fo["max"]],
                                                   fn["sample"] + [fn["min"], fn["max"]])) / scale
            pworst = max(abs(x - y) for x, y in zip(fo["proj"] + [fo["abs_sum"]], fn["proj"] + [fn["abs_sum"]]))
            pworst /= sum_scale
            if worst > rtol or pworst > rtol:
                scaled = " (on the scale of " + [r for s_, r in RESIDUAL_SCALE.items() if key.endswith(s_)][0] + ")" \
                    if reference is not None else ""
                errors.append(f"{where}: relative difference {max(worst, pworst):.3g} > {rtol:g}{scaled}")
    return errors


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    mode, exe, src, store = sys.argv[1:5]
    rest = sys.argv[5:]
    rtol = 1e-13
    if "--rtol" in rest:
        i = rest.index("--rtol")
        rtol = float(rest[i + 1])
        del rest[i:i + 2]
    if mode == "record":
        cases = rest or sorted(CASES)
        table = json.load(open(store)) if os.path.exists(store) else {}
        for case in cases:
            table[case] = run_case(exe, src, case)
            print(f"recorded {case}")
        with open(store, "w") as f:
            json.dump(table, f, indent=None, separators=(",", ":"), sort_keys=True)
            f.write("\n")
    elif mode == "check":
        table = json.load(open(store))
        failures = 0
        for case in rest:
            if case not in table:
                sys.exit(f"golden: no recorded fingerprint for {case} in {store}")
            errors = compare(case, table[case], run_case(exe, src, case), rtol)
            for e in errors[:20]:
                print("FAIL " + e)
            failures += bool(errors)
            if not errors:
                print(f"ok: {case} agrees with the recorded outputs to {max(rtol, CASE_RTOL.get(case, 0.0)):g}")
        sys.exit(1 if failures else 0)
    elif mode == "list":
        print("\n".join(sorted(CASES)))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
