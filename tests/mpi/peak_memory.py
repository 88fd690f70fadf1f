"""Runs a command and writes its peak resident memory in KiB (getrusage's ru_maxrss of the
child) to a file; under mpirun each process writes its own, named by its rank.

  peak_memory.py OUT_PREFIX COMMAND...   -> OUT_PREFIX.<rank> (rank 0 without mpirun)

Used by tests/mpi/width_split_memory.sh.
"""
import os
import resource
import subprocess
import sys


def main():
    prefix, command = sys.argv[1], sys.argv[2:]
    status = subprocess.run(command).returncode
    rank = os.environ.get("OMPI_COMM_WORLD_RANK", os.environ.get("PMIX_RANK", "0"))
    with open(f"{prefix}.{rank}", "w") as out:
        out.write(f"{resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}\n")
    return status


if __name__ == "__main__":
    sys.exit(main())
