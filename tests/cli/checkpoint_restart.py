#!/usr/bin/python3
"""Checkpoint and exact restart (docs/output-schema.md, "Checkpoint and restart").

Resumed == uninterrupted, bitwise: every model in restart_models/ (SGD with batches, gradient
flow rk4 on switching data, damped dopri5 adaptive and fixed-step, rkf78, symplectic, blended
data with the BBD energy flow, correlators and time autocorrelations, a damped field run with
them) is run once uninterrupted;
then TRIALS times a run is killed with SIGKILL at a random moment (seeded) after its first
checkpoint, resumed to the end, and every dataset and
root attribute compared with the uninterrupted run byte for byte (some trials kill the resumed
run again, or stop it cleanly with SIGTERM, before the last resume). Also: a finished run
extended with --set dynamics.t_end (dynamics.steps) equals the longer run; resumes are
refused (exit 2, one line naming the cause) for a changed physics key, a missing, corrupt or
foreign checkpoint, a checkpoint counting rows the file has not got, and an extension past an
off-grid last row; a checkpoint write cut short by a kill (a partial RUN.h5.ckpt.tmp) leaves
the previous checkpoint usable, both emulated and by a real SIGKILL of a run with a large state
while its RUN.h5.ckpt.tmp exists; a run file whose superblock lags its data (a kill inside an HDF5
flush) is repaired on resume; a run stopped by SIGINT without periodic checkpoints
checkpoints its last row and resumes to the uninterrupted run.

    checkpoint_restart.py NNFIELD_EXE [TRIALS]
"""
import functools
import os
import random
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

import h5py

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import file_contents  # noqa: E402

EXE = sys.argv[1]
TRIALS = int(sys.argv[2]) if len(sys.argv) > 2 else 24
MODELS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "restart_models")
# Attributes that say when and how a file was made, not what it holds.
SKIP_ATTRS = {"created", "finished", "command_line"}


run = functools.partial(file_contents.nnfield, EXE)
contents = functools.partial(file_contents.contents, skip_attrs=SKIP_ATTRS)
same = functools.partial(file_contents.same, skip_attrs=SKIP_ATTRS, reference_name="the uninterrupted run")


def start_and_kill(args, ckpt, delay, rng, sig=signal.SIGKILL):
    """Starts nnfield; once `ckpt` exists waits `delay` s and sends `sig` (if still running)."""
    p = subprocess.Popen([EXE] + args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while p.poll() is None and not os.path.exists(ckpt):
        time.sleep(0.002)
    time.sleep(delay * rng.random())
    if p.poll() is None:
        p.send_signal(sig)
    p.wait()
    return p.returncode


def kill_trials(work, rng):
    models = sorted(m for m in os.listdir(MODELS) if m.endswith(".toml"))
    references, durations = {}, {}
    for m in models:
        references[m] = os.path.join(work, m + ".full.h5")
        t0 = time.monotonic()
        run(["run", os.path.join(MODELS, m), "-o", references[m], "-q"])
        durations[m] = time.monotonic() - t0
    killed = 0
    for trial in range(TRIALS):
        m = models[trial % len(models)]
        out = os.path.join(work, f"trial{trial}.h5")
        ckpt = out + ".ckpt"
        code = start_and_kill(["run", os.path.join(MODELS, m), "-o", out, "-q"], ckpt, durations[m], rng)
        killed += code == -signal.SIGKILL
        with h5py.File(out, "r") as f:  # a killed run's file opens
            f["trajectory/time"].shape
        if trial % 4 == 1:  # kill the resumed run too
            killed += start_and_kill(["run", "--resume", out, "-q"], ckpt, 0.5 * durations[m], rng) == -signal.SIGKILL
        if trial % 4 == 3:  # stop the resumed run cleanly (SIGTERM: status "interrupted", exit 130)
            code = start_and_kill(["run", "--resume", out, "-q"], ckpt, 0.5 * durations[m], rng, signal.SIGTERM)
            if code not in (0, 130, -signal.SIGTERM):  # -SIGTERM: before the handler was installed
                sys.exit(f"FAIL trial {trial}: a resumed run stopped by SIGTERM exited {code}")
        run(["run", "--resume", out, "-q"])
        same(references[m], out, f"trial {trial} ({m})")
    if killed < TRIALS // 2:
        sys.exit(f"FAIL: only {killed} of {TRIALS} trials killed a run before it finished")
    print(f"{TRIALS} kill trials over {len(models)} models ({killed} kills mid-run): resumed == uninterrupted")
    return references


def root_attributes(path):
    """The root attributes, or None while the file cannot be read (a writer mid-flush)."""
    try:
        with h5py.File(path, "r") as f:
            return dict(f.attrs)
    except OSError:
        return None


def kill_once_running(args, path):
    """Starts a resume and SIGKILLs it once its file says `running` again: a killed resume
    leaves status "running" and no `finished` time (the previous run's is gone)."""
    p = subprocess.Popen([EXE] + args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while p.poll() is None:
        attrs = root_attributes(path)
        if attrs and attrs.get("status") == "running":
            break
        time.sleep(0.002)
    if p.poll() is not None:
        return False  # finished before it was seen running: nothing to check
    p.send_signal(signal.SIGKILL)
    p.wait()
    attrs = root_attributes(path)
    if attrs is None or attrs.get("status") != "running" or "finished" in attrs:
        sys.exit(f"FAIL: a killed resume left {path} with attributes {attrs and sorted(attrs)}")
    return True


def extension(work):
    checked = 0
    for model, key, short, long in [("damped_dopri5_switch.toml", "dynamics.t_end", "30.0", "60.0"),
                                    ("sgd_batches.toml", "dynamics.steps", "3000", "6000")]:
        full, part = os.path.join(work, "ext_full.h5"), os.path.join(work, "ext_part.h5")
        path = os.path.join(MODELS, model)
        run(["run", path, "-o", full, "-q", "--force", "--set", f"{key}={long}"])
        run(["run", path, "-o", part, "-q", "--force", "--set", f"{key}={short}"])
        extend = ["run", "--resume", part, "-q", "--set", f"{key}={long}"]
        checked += kill_once_running(extend, part)
        run(extend)
        same(full, part, f"{model} extended with {key}")
    print(f"finished runs extended with dynamics.t_end / dynamics.steps equal the longer runs ({checked} of 2 "
          "killed while resumed, left running without a finished time)")


def expect_refused(args, needle):
    p = run(args, expect=2)
    err = p.stderr.strip()
    if needle not in err or "\n" in err:
        sys.exit(f"FAIL: nnfield {' '.join(args)}: expected one line naming {needle!r}, got {err!r}")


def refusals(work):
    a, b = os.path.join(work, "ref_a.h5"), os.path.join(work, "ref_b.h5")
    run(["run", os.path.join(MODELS, "damped_dopri5_switch.toml"), "-o", a, "-q"])
    run(["run", os.path.join(MODELS, "rkf78_full_batch.toml"), "-o", b, "-q"])
    expect_refused(["run", "--resume", a, "--set", "dynamics.gamma=1.0"], "dynamics.gamma")
    expect_refused(["run", "--resume", a, "--set", "dynamics.t_end=1.0"], "dynamics.t_end")
    shutil.copy(b + ".ckpt", a + ".ckpt")
    expect_refused(["run", "--resume", a], "another model file")
    with open(b + ".ckpt", "r+b") as f:
        f.truncate(os.path.getsize(b + ".ckpt") // 2)
    expect_refused(["run", "--resume", b], "not a complete nnfield checkpoint")
    os.remove(b + ".ckpt")
    expect_refused(["run", "--resume", b], "no checkpoint")
    # The checkpoint of a longer run of the same model file counts rows the file has not got.
    run(["run", os.path.join(MODELS, "rkf78_full_batch.toml"), "-o", b, "-q", "--force", "--set", "dynamics.t_end=20.0"])
    os.remove(b + ".ckpt")
    longer = os.path.join(work, "ref_longer.h5")
    run(["run", os.path.join(MODELS, "rkf78_full_batch.toml"), "-o", longer, "-q"])
    shutil.copy(longer + ".ckpt", b + ".ckpt")
    expect_refused(["run", "--resume", b], "rows, the checkpoint")
    c = os.path.join(work, "ref_c.h5")
    run(["run", os.path.join(MODELS, "rkf78_full_batch.toml"), "-o", c, "-q", "--set", "dynamics.t_end=30.1"])
    expect_refused(["run", "--resume", c, "--set", "dynamics.t_end=60.0"], "off the output grid")
    print("mismatched, corrupt, missing and foreign checkpoints and physics changes are refused (exit 2)")


def kill_during_checkpoint(work, references):
    """A kill inside a checkpoint write leaves the temporary file half written and the
    previous checkpoint in place: the resume uses the previous one."""
    m = "gradient_flow_rk4_switch.toml"
    out = os.path.join(work, "torn.h5")
    ckpt = out + ".ckpt"
    subprocess.run([EXE, "run", os.path.join(MODELS, m), "-o", out, "-q", "--set", "dynamics.t_end=30.0"],
                   check=True)
    with open(ckpt, "rb") as f:
        data = f.read()
    with open(ckpt + ".tmp", "wb") as f:  # what a kill between write() and rename() leaves
        f.write(data[: len(data) // 3])
    run(["run", "--resume", out, "-q", "--set", "dynamics.t_end=60.0"])
    same(references[m], out, "resume next to a torn checkpoint write")
    if os.path.exists(ckpt + ".tmp"):
        sys.exit("FAIL: the torn temporary checkpoint was not replaced")
    print("a checkpoint write cut short leaves the previous checkpoint, and the resume equals the uninterrupted run")


# A state of 8 MB (128 x 1024 sites, fan-in 3, damped: weights, biases and their velocities),
# checkpointed at every output row, so that a checkpoint write (write, fsync, rename) takes
# long enough for a kill to land inside it; only the loss is written to the run file.
LARGE_STATE = """
[run]
seed = 3
[network]
M = 128
N = 1024
r = 1
[data]
source = "random"
samples = 4
presentation = "switch"
tau = 0.35
[dynamics]
kind = "damped"
gamma = 1.0
t_end = 1.0
[integrator]
stepper = "rk4"
dt = 0.05
[output]
every = 0.1
checkpoint_every = 0.1
trajectory = ["loss"]
"""


def kill_inside_checkpoint_write(work, attempts=8):
    """A real SIGKILL while RUN.h5.ckpt.tmp exists (after the first checkpoint, so that a
    previous one is there): the kill landed inside a checkpoint write when the .tmp is still
    there once the process is dead (the rename would have removed it). Retried a bounded
    number of times; fails if no kill ever lands inside a write. The resume equals the
    uninterrupted run in every dataset."""
    model = os.path.join(work, "large_state.toml")
    with open(model, "w") as f:
        f.write(LARGE_STATE)
    reference = os.path.join(work, "large_full.h5")
    run(["run", model, "-o", reference, "-q"])
    for attempt in range(1, attempts + 1):
        out = os.path.join(work, f"large_{attempt}.h5")
        ckpt = out + ".ckpt"
        tmp = ckpt + ".tmp"
        p = subprocess.Popen([EXE, "run", model, "-o", out, "-q"], stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        while p.poll() is None and not os.path.exists(ckpt):
            time.sleep(0.001)
        while p.poll() is None and not os.path.exists(tmp):
            pass  # busy: a write lasts milliseconds
        if p.poll() is None:
            p.send_signal(signal.SIGKILL)
        p.wait()
        if p.returncode != -signal.SIGKILL or not os.path.exists(tmp):
            continue  # finished, or killed just after the rename: not inside a write
        torn = os.path.getsize(tmp)
        run(["run", "--resume", out, "-q"])
        same(reference, out, "resume after a SIGKILL inside a checkpoint write")
        if os.path.exists(tmp):
            sys.exit("FAIL: the temporary checkpoint left by the kill was not replaced")
        print(f"a SIGKILL inside a checkpoint write (attempt {attempt}; {torn} of "
              f"{os.path.getsize(ckpt)} bytes in the .tmp) resumes to the uninterrupted run")
        return
    sys.exit(f"FAIL: in {attempts} attempts no SIGKILL landed inside a checkpoint write")


def torn_flush(work, rng):
    """A run killed inside an HDF5 flush can leave chunks and metadata on disk past the end of
    allocation its superblock records (the superblock is rewritten last), so that HDF5 refuses
    the file ("addr overflow"). Emulated by lowering the recorded end below the last chunk of
    a killed run; the resume repairs it and equals the uninterrupted run."""
    m = "damped_dopri5_switch.toml"
    out, reference = os.path.join(work, "torn_flush.h5"), os.path.join(work, "torn_flush_full.h5")
    every_row = ["--set", "output.flush_every=1"]
    run(["run", os.path.join(MODELS, m), "-o", reference, "-q"] + every_row)
    start_and_kill(["run", os.path.join(MODELS, m), "-o", out, "-q"] + every_row, out + ".ckpt", 0.3, rng)
    last = (0, 0)
    with h5py.File(out, "r") as f:
        def highest_chunk(name, o):
            nonlocal last
            if isinstance(o, h5py.Dataset) and o.chunks:
                for i in range(o.id.get_num_chunks()):
                    info = o.id.get_chunk_info(i)
                    last = max(last, (info.byte_offset, info.size))
        f.visititems(highest_chunk)
    with open(out, "rb") as fh:  # superblock version 0, 8-byte addresses: the end of allocation at byte 40
        head = fh.read(48)
    if head[8] != 0 or head[13] != 8:
        sys.exit(f"FAIL: {out}: expected superblock version 0 with 8-byte addresses")
    with open(out, "r+b") as fh:
        fh.seek(40)
        fh.write(struct.pack("<Q", last[0] + last[1] // 2))
    try:
        contents(out)
        sys.exit("FAIL: lowering the end of allocation did not make the file unreadable: the emulation is wrong")
    except OSError:
        pass
    info = subprocess.run([EXE, "info", out], capture_output=True, text=True)
    if "nnfield run --resume" not in info.stdout + info.stderr:
        sys.exit(f"FAIL: nnfield info on a file killed inside a flush names no repair: exit {info.returncode}, "
                 f"{(info.stdout + info.stderr).strip()!r}")
    run(["run", "--resume", out, "-q"])
    same(reference, out, "resume after a flush cut short")
    print("a run file whose end of allocation lags its data (a kill inside a flush) is repaired on resume")


def interrupted_runs(work, references, rng):
    """A run stopped by SIGINT checkpoints at its last row even with no periodic checkpoints,
    and its resume equals the uninterrupted run."""
    for m, every in [("damped_dopri5_switch.toml", "4.0"), ("sgd_batches.toml", "400")]:
        out = os.path.join(work, "int_" + m + ".h5")
        off = ["--set", "output.checkpoint_every=0", "--set", "output.checkpoint_seconds=0"]
        code = start_and_kill(["run", os.path.join(MODELS, m), "-o", out, "-q"] + off, out, 0.15, rng, signal.SIGINT)
        if code != 130:
            sys.exit(f"FAIL: {m} stopped by SIGINT exited {code}, expected 130")
        run(["run", "--resume", out, "-q", "--set", f"output.checkpoint_every={every}",
             "--set", "output.checkpoint_seconds=60.0"])
        same(references[m], out, f"{m} resumed after SIGINT")
    print("runs stopped by SIGINT checkpoint their last row and resume to the uninterrupted run")


def main():
    rng = random.Random(20261203)
    work = tempfile.mkdtemp(prefix="nnfield_restart_")
    try:
        references = kill_trials(work, rng)
        extension(work)
        refusals(work)
        interrupted_runs(work, references, rng)
        kill_during_checkpoint(work, references)
        kill_inside_checkpoint_write(work)
        torn_flush(work, rng)
    finally:
        shutil.rmtree(work, ignore_errors=True)


main()
