"""What the Python CLI tests share: running nnfield with an expected exit status, and
comparing output files by every dataset's shape and bytes and every root attribute, but the
ones a test names as saying when, how or from what a file was made rather than what it holds."""
import subprocess
import sys

import h5py


def nnfield(exe, args, expect=0):
    """Runs `exe args`; exits with a FAIL line unless its status is `expect`."""
    p = subprocess.run([exe] + args, capture_output=True, text=True)
    if p.returncode != expect:
        sys.exit(f"FAIL: nnfield {' '.join(args)}: exit {p.returncode}, expected {expect}: {p.stderr.strip()}")
    return p


def contents(path, skip_attrs):
    """{dataset name: (shape, bytes), "@attribute": repr(value)} of an HDF5 file."""
    out = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda n, o: out.__setitem__(n, (o.shape, o[()].tobytes()))
                     if isinstance(o, h5py.Dataset) else None)
        for k, v in f.attrs.items():
            if k not in skip_attrs:
                out["@" + k] = repr(v)
    return out


def same(reference, path, what, skip_attrs, reference_name):
    """Exits with a FAIL line unless `path` holds what `reference` does, bit for bit; returns
    the number of datasets and attributes compared."""
    a, b = contents(reference, skip_attrs), contents(path, skip_attrs)
    if a.keys() != b.keys():
        sys.exit(f"FAIL {what}: names differ: {sorted(a.keys() ^ b.keys())}")
    bad = [k for k in a if a[k] != b[k]]
    if bad:
        sys.exit(f"FAIL {what}: differs from {reference_name} in {bad}")
    return len(a)
