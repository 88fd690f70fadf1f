"""What the benchmarks that run nnfield under mpirun share (bench_processes.py,
bench_field_split.py): the repository's root, the environment mpirun needs as root, and a
file's datasets as bytes, to check that two layouts wrote the same file bit for bit."""
import os

import h5py

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def mpi_environment():
    """This environment, with Open MPI allowed to run as root (the tests and CI run as root)."""
    return dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")


def datasets(path):
    """Every dataset of an HDF5 file, by name, as its bytes."""
    out = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda n, o: out.__setitem__(n, o[()].tobytes()) if isinstance(o, h5py.Dataset) else None)
    return out
