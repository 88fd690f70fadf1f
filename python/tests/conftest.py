"""Shared fixtures for the Python module's tests (run by ctest as python.pytest).

By hand, from the repository root after a build in build/:

    PYTHONPATH=build/python NNFIELD_EXE=build/nnfield /usr/bin/python3 -m pytest -q python/tests
"""
import os
import pathlib
import shutil

import pytest

SOURCE_DIR = pathlib.Path(os.environ.get("NNFIELD_SOURCE_DIR", pathlib.Path(__file__).resolve().parents[2]))

try:
    import nnfield  # noqa: F401
except ImportError as e:  # say how to make it importable instead of a bare ImportError
    raise ImportError(f"{e}; build the module and put its directory on PYTHONPATH, "
                      "e.g. PYTHONPATH=build/python") from e


@pytest.fixture(scope="session")
def source_dir():
    return SOURCE_DIR


@pytest.fixture(scope="session")
def models_dir():
    return SOURCE_DIR / "models"


@pytest.fixture(scope="session")
def exe():
    """The command-line program of the same build (ctest sets NNFIELD_EXE)."""
    path = os.environ.get("NNFIELD_EXE") or str(SOURCE_DIR / "build" / "nnfield")
    if not os.access(path, os.X_OK):
        path = shutil.which("nnfield") or path
    if not os.access(path, os.X_OK):
        pytest.skip(f"nnfield executable not found ({path}); set NNFIELD_EXE")
    return path
