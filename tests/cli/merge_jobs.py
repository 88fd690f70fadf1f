#!/usr/bin/python3
"""nnfield merge (docs/cluster.md, "Separate jobs and nnfield merge").

Ensembles run as separate jobs over seed ranges, merged, equal one ensemble over all the seeds
dataset for dataset and bit for bit (means, jackknife and bootstrap errors, the ensemble xi, per-seed
summaries and samples), also when the jobs' model files differ in run.seed. Refused with
exit 2 and one line naming the file and the cause: a seed in two files, a model that
differs in another key, another error method, a file that is not an ensemble, an
ensemble without per-seed samples, an interrupted ensemble, fewer than two files, the
output being one of the inputs.

Propagation scans run as jobs over network ranges (--first-network) or over sigma_w values,
merged, equal one scan over all the networks and values, bit for bit (means, errors, fits,
the transition, the sums); refused: a network at a sigma_w in two files, a gap in the
networks, a sigma_w without every network, another setting (--c0), a mix of kinds.

    merge_jobs.py NNFIELD_EXE SOURCE_DIR
"""
import functools
import os
import shutil
import sys
import tempfile

import h5py

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import file_contents  # noqa: E402

EXE, SRC = sys.argv[1], sys.argv[2]
MODEL = os.path.join(SRC, "models", "ensemble_teacher.toml")
# observe.every != output.every: the correlators have rows of their own.
SHORT = ["--set", "dynamics.t_end=6.0", "--set", "observe.every=2.0", "-q", "--threads", "2"]
# Attributes that say when, how and from which jobs a file was made, not what it holds.
SKIP_ATTRS = {"created", "finished", "command_line", "seeds", "merged_from", "threads", "processes"}


nnfield = functools.partial(file_contents.nnfield, EXE)
contents = functools.partial(file_contents.contents, skip_attrs=SKIP_ATTRS)
same = functools.partial(file_contents.same, skip_attrs=SKIP_ATTRS, reference_name="the single run")


def refused(args, needle):
    err = nnfield(args, expect=2).stderr.strip()
    if needle not in err or "\n" in err:
        sys.exit(f"FAIL: nnfield {' '.join(args)}: expected one line naming {needle!r}, got {err!r}")


def main(work):
    p = lambda name: os.path.join(work, name)
    nnfield(["ensemble", MODEL, "--seeds", "0:6", "-o", p("all.h5")] + SHORT)
    nnfield(["ensemble", MODEL, "--seeds", "0:2", "-o", p("a.h5")] + SHORT)
    nnfield(["ensemble", MODEL, "--seeds", "2,3,4", "-o", p("b.h5")] + SHORT)
    nnfield(["ensemble", MODEL, "--seeds", "5", "-o", p("c.h5")] + SHORT + ["--set", "run.seed=7"])
    nnfield(["merge", p("a.h5"), p("b.h5"), p("c.h5"), "-o", p("merged.h5"), "-q"])
    n = same(p("all.h5"), p("merged.h5"), "jackknife merge of 0:2 + 2,3,4 + 5")
    with h5py.File(p("merged.h5"), "r") as f:
        assert "correlators/xi_ensemble" in f and "seeds/series/trajectory/loss" in f, sorted(f)
        assert f["seeds/series/trajectory/loss"].shape[0] == 6
        assert f.attrs["seeds"] == "0:2 + 2,3,4 + 5", f.attrs["seeds"]
    # A merged file merges again.
    nnfield(["merge", p("a.h5"), p("b.h5"), "-o", p("ab.h5"), "-q"])
    nnfield(["merge", p("ab.h5"), p("c.h5"), "-o", p("abc.h5"), "-q"])
    same(p("all.h5"), p("abc.h5"), "(0:2 + 2,3,4) merged, then merged with 5")
    print(f"three jobs merged equal one ensemble over their seeds ({n} datasets and attributes, bitwise)")

    boot = ["--error", "bootstrap", "--resamples", "64"]
    nnfield(["ensemble", MODEL, "--seeds", "0:4", "-o", p("ball.h5")] + SHORT + boot)
    nnfield(["ensemble", MODEL, "--seeds", "0:3", "-o", p("ba.h5")] + SHORT + boot)
    nnfield(["ensemble", MODEL, "--seeds", "3", "-o", p("bb.h5")] + SHORT + boot)
    nnfield(["merge", p("ba.h5"), p("bb.h5"), "-o", p("bmerged.h5"), "-q"])
    same(p("ball.h5"), p("bmerged.h5"), "bootstrap merge of 0:3 + 3")
    print("bootstrap errors merge bitwise too")

    nnfield(["ensemble", MODEL, "--seeds", "1:3", "-o", p("overlap.h5")] + SHORT)
    refused(["merge", p("a.h5"), p("overlap.h5"), "-o", p("x.h5")], "seed 1 is also in")
    nnfield(["ensemble", MODEL, "--seeds", "6", "-o", p("eta.h5")] + SHORT + ["--set", "dynamics.eta=0.06"])
    refused(["merge", p("a.h5"), p("eta.h5"), "-o", p("x.h5")], "dynamics.eta")
    refused(["merge", p("a.h5"), p("bb.h5"), "-o", p("x.h5")], "error_method")
    nnfield(["run", MODEL, "-o", p("run.h5"), "-q", "--set", "dynamics.t_end=1.0"])
    refused(["merge", p("a.h5"), p("run.h5"), "-o", p("x.h5")], "not an nnfield ensemble file")
    shutil.copy(p("c.h5"), p("old.h5"))
    with h5py.File(p("old.h5"), "a") as f:
        del f["seeds/series"]
    refused(["merge", p("a.h5"), p("old.h5"), "-o", p("x.h5")], "no per-seed samples")
    shutil.copy(p("c.h5"), p("stopped.h5"))
    with h5py.File(p("stopped.h5"), "a") as f:
        f.attrs["status"] = "interrupted"
    refused(["merge", p("a.h5"), p("stopped.h5"), "-o", p("x.h5")], "not complete")
    refused(["merge", p("a.h5"), "-o", p("x.h5")], "at least two")
    refused(["merge", p("a.h5"), p("b.h5"), "-o", p("a.h5"), "--force"], "a.h5")
    if os.path.exists(p("x.h5")):
        sys.exit("FAIL: a refused merge left an output file")
    same(p("all.h5"), p("merged.h5"), "the merged file after the refusals")
    print("overlapping seeds, other models and error methods, non-ensembles, old and interrupted "
          "ensembles, one file and the output as an input are refused (exit 2, one line)")


def propagation(work):
    p = lambda name: os.path.join(work, name)
    model = os.path.join(SRC, "models", "depth_scale_tanh.toml")
    scan = lambda sw, n, first, out, *extra: nnfield(
        ["propagate", model, "--sigma-w", sw, "--networks", str(n), "--first-network", str(first), "--blocks", "4",
         "-o", p(out), "-q", "--threads", "2"] + list(extra))
    scan("0.8,1.2,1.6,2.0,2.4", 9, 0, "pall.h5")
    scan("0.8,1.2,1.6,2.0,2.4", 4, 0, "pn0.h5")
    scan("0.8,1.2,1.6,2.0,2.4", 3, 4, "pn1.h5")
    scan("0.8,1.2,1.6,2.0,2.4", 2, 7, "pn2.h5")
    nnfield(["merge", p("pn0.h5"), p("pn2.h5"), p("pn1.h5"), "-o", p("pn.h5"), "-q"])
    n = same(p("pall.h5"), p("pn.h5"), "propagate over networks 0-3 + 7-8 + 4-6")
    scan("0.8,1.2", 9, 0, "ps0.h5")
    scan("1.6,2.0,2.4", 9, 0, "ps1.h5")
    nnfield(["merge", p("ps0.h5"), p("ps1.h5"), "-o", p("ps.h5"), "-q"])
    same(p("pall.h5"), p("ps.h5"), "propagate over sigma_w 0.8,1.2 + 1.6,2.0,2.4")
    with h5py.File(p("pall.h5"), "r") as f:
        assert f["transition/ok"][0] == 1 and f["samples/sums"].shape == (5, 9, 64, 6), f["samples/sums"].shape
    print(f"propagation scans over network ranges and over sigma_w merge into the single scan ({n} datasets "
          "and attributes, bitwise)")

    refused(["merge", p("pn0.h5"), p("pall.h5"), "-o", p("x.h5")], "network 0 at sigma_w")
    refused(["merge", p("pn0.h5"), p("pn2.h5"), "-o", p("x.h5")], "do not form one range")
    scan("1.6", 4, 0, "pm.h5")
    refused(["merge", p("ps0.h5"), p("pm.h5"), "-o", p("x.h5")], "every sigma_w needs every network")
    scan("0.8,1.2,1.6,2.0,2.4", 3, 4, "pc0.h5", "--c0", "0.4")
    refused(["merge", p("pn0.h5"), p("pc0.h5"), "-o", p("x.h5")], "c0")
    refused(["merge", p("pn0.h5"), os.path.join(work, "a.h5"), "-o", p("x.h5")], "not an nnfield propagation scan file")
    if os.path.exists(p("x.h5")):
        sys.exit("FAIL: a refused merge left an output file")
    print("propagation merges refuse overlaps, gaps, missing networks, other settings and other kinds (exit 2)")


work = tempfile.mkdtemp(prefix="nnfield_merge_")
try:
    main(work)
    propagation(work)
finally:
    shutil.rmtree(work, ignore_errors=True)
