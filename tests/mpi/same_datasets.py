#!/usr/bin/python3
"""same_datasets.py A.h5 B.h5: exit 0 when both files hold the same datasets, bit for bit
(NaNs in the same places); attributes (provenance, timestamps) are not compared."""
import sys, h5py, numpy as np
def walk(f):
    out = {}
    f.visititems(lambda n, o: out.__setitem__(n, o[()]) if isinstance(o, h5py.Dataset) else None)
    return out
a, b = walk(h5py.File(sys.argv[1])), walk(h5py.File(sys.argv[2]))
assert a.keys() == b.keys(), (a.keys() ^ b.keys())
bad = [k for k in a if not (a[k].dtype == b[k].dtype and a[k].shape == b[k].shape and
       (np.array_equal(a[k], b[k], equal_nan=True) if a[k].dtype.kind == 'f' else np.array_equal(a[k], b[k])))]
print(len(a), "datasets;", "differ:", bad)
sys.exit(1 if bad else 0)
