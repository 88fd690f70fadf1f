"""Every kind of output file opens in xarray (h5netcdf engine) with named dimensions.

docs/output-schema.md, "Dimensions": each axis of each dataset is attached to an HDF5
dimension scale, so netCDF readers name the axes (time, depth, width, ...) instead of
inventing phony_dim_N, and every dataset carries `units` and `long_name`.
"""
import subprocess

import h5py
import pytest

xarray = pytest.importorskip("xarray")
pytest.importorskip("h5netcdf")

SMALL_RUN = ["--set", "dynamics.t_end=0.5", "--set", "output.every=0.1"]


def groups_of(path):
    """The root and every group below it, as xarray's `group` argument."""
    names = [None]
    with h5py.File(path, "r") as f:
        f.visititems(lambda name, obj: names.append(name) if isinstance(obj, h5py.Group) else None)
    return names


def open_all(path):
    """{group: xarray.Dataset} for every group of the file, each opened exactly as a user would."""
    return {g: xarray.open_dataset(path, engine="h5netcdf", group=g) for g in groups_of(path)}


def check_self_describing(path, expected_dimensions):
    datasets = open_all(path)
    seen = set()
    for group, ds in datasets.items():
        for name, var in ds.variables.items():
            assert not any(d.startswith("phony_dim") for d in var.dims), (group, name, var.dims)
            assert "units" in var.attrs and "long_name" in var.attrs, (group, name)
            seen.update(var.dims)
        ds.close()
    assert expected_dimensions <= seen, (expected_dimensions - seen)
    return datasets


def run(exe, cwd, *args):
    subprocess.run([exe, *args], cwd=cwd, check=True, capture_output=True, text=True)


def test_run_file(exe, source_dir, tmp_path):
    out = tmp_path / "run.h5"
    run(exe, source_dir, "run", "models/energy_flow.toml", "-o", str(out), *SMALL_RUN,
        "--set", "observe.correlators=[\"width\",\"structure\"]")
    check_self_describing(out, {"time", "depth", "width", "offset", "link_layer", "separation", "wavenumber"})
    ds = xarray.open_dataset(out, engine="h5netcdf", group="trajectory")
    assert ds["W"].dims == ("time", "depth", "width", "offset")
    assert ds["time"].attrs["units"] == "model time unit"
    assert ds["step"].dtype.kind == "i" and ds["W"].attrs["units"] == "1"
    root = xarray.open_dataset(out, engine="h5netcdf")
    r = (root.sizes["offset"] - 1) // 2
    assert list(root["offset"].values) == list(range(-r, r + 1))
    assert list(root["depth"].values) == list(range(1, root.sizes["depth"] + 1))
    assert (root["time"].values == ds["time"].values).all()  # /time is /trajectory/time
    energy = xarray.open_dataset(out, engine="h5netcdf", group="energy")
    assert energy["rate"].attrs["units"] == "1/model time unit"
    # the run's correlators have their own time axis (every observe.every)
    corr = xarray.open_dataset(out, engine="h5netcdf", group="correlators")
    assert corr["width"].dims == ("time", "depth", "separation")


def test_field_run_file(exe, source_dir, tmp_path):
    out = tmp_path / "field.h5"
    run(exe, source_dir, "run", "models/field_energy_flow.toml", "-o", str(out), *SMALL_RUN)
    check_self_describing(out, {"time", "depth", "width", "offset", "interval", "stencil", "parameter"})
    root = xarray.open_dataset(out, engine="h5netcdf")
    grid = xarray.open_dataset(out, engine="h5netcdf", group="grid")
    assert (root["depth"].values == grid["x"].values).all()  # the field's depth coordinate is x
    assert xarray.open_dataset(out, engine="h5netcdf", group="trajectory")["phi"].dims == ("time", "depth", "width")


def test_correlator_file(exe, source_dir, tmp_path):
    source, out = tmp_path / "run.h5", tmp_path / "corr.h5"
    run(exe, source_dir, "run", "models/teacher_tanh.toml", "-o", str(source), *SMALL_RUN)
    run(exe, source_dir, "correlate", str(source), "-o", str(out), "--field", "w")
    datasets = check_self_describing(out, {"time", "depth", "separation", "wavenumber", "offset", "lag"})
    assert datasets["correlators"]["width"].dims == ("time", "offset", "depth", "separation")
    assert datasets["correlators"]["time"].attrs["units"] == "model time unit"
    with h5py.File(out, "r") as f:
        assert f.attrs["M"].dtype.kind == "i" and "shape" not in f.attrs


def test_ensemble_file(exe, source_dir, tmp_path):
    out = tmp_path / "ens.h5"
    run(exe, source_dir, "ensemble", "models/ensemble_teacher.toml", "--seeds", "0:2", "-o", str(out), *SMALL_RUN)
    datasets = check_self_describing(out, {"time", "seed", "depth"})
    assert datasets["seeds"]["seed"].dtype.kind == "i"
    assert list(datasets["seeds"]["seed"].values) == [0, 1]


def test_propagate_file(exe, source_dir, tmp_path):
    out = tmp_path / "prop.h5"
    run(exe, source_dir, "propagate", "models/depth_scale_tanh.toml", "--sigma-w", "1.0,1.6", "--networks", "4",
        "--blocks", "4", "--set", "network.M=8", "-o", str(out))
    datasets = check_self_describing(out, {"sigma_w", "depth"})
    assert list(datasets[None]["sigma_w"].values) == [1.0, 1.6]
    assert datasets[None]["q"].dims == ("sigma_w", "depth")


def test_compare_file(exe, source_dir, tmp_path):
    out = tmp_path / "conv.h5"
    run(exe, source_dir, "compare", "models/compare_small.toml", "-o", str(out), "--levels", "3", "--orders", "1",
        "--coarsen", "1", "--times", "0.25,0.5")
    check_self_describing(out, {"time", "level", "level_pair", "quantity"})
    with h5py.File(out, "r") as f:
        assert f["levels/M"].dtype.kind == "i"
