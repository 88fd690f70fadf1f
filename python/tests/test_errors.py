"""Bad arguments raise TypeError / ValueError / KeyError / OSError with a clear message,
the C++ library's own message where it has one; nothing crashes the interpreter."""
import subprocess
import sys
import tomllib

import numpy as np
import pytest

import nnfield

M, N, K = 3, 7, 3
W, b, X, Y = np.ones((M, N, K)) * 0.1, np.zeros((M, N)), np.ones(N), np.zeros(N)


@pytest.mark.parametrize("args, message", [
    ((np.ones((M, N)), b, X), r"W: expected shape \(M, N, K\), got \(3, 7\)"),
    ((np.ones((M, N, 2)), b, X), r"W: .*odd fan-in K = 2r\+1, got \(3, 7, 2\)"),
    ((np.ones((M, 3, 5)), b, X), r"W: the fan-in K = 2r\+1 = 5 must not exceed the width N = 3"),
    ((np.ones((0, N, K)), b, X), r"W: .*M, N, K >= 1"),
    ((W, np.zeros((M, N + 1)), X), r"b: expected shape \(M, N\) = \(3, 7\), got \(3, 8\)"),
    ((W, np.zeros(M * N), X), r"b: expected shape \(M, N\) = \(3, 7\), got \(21,\)"),
    ((W, b, np.ones(N + 1)), r"X: expected shape \(N,\) or \(B, N\) with N = 7 and B >= 1, got \(8,\)"),
    ((W, b, np.ones((0, N))), r"X: expected shape .* got \(0, 7\)"),
    ((W, b, np.ones((2, 2, N))), r"X: expected shape .* got \(2, 2, 7\)"),
    ((W, b, 3.0), r"X: expected shape .* got \(\)"),
])
def test_wrong_shapes_are_value_errors(args, message):
    with pytest.raises(ValueError, match=message):
        nnfield.forward(*args)


def test_gradient_checks_Y_against_X():
    with pytest.raises(ValueError, match=r"Y: expected shape \(N,\) as X = \(7,\), got \(6,\)"):
        nnfield.gradient(W, b, X, np.zeros(N - 1))
    with pytest.raises(ValueError, match=r"Y: expected shape \(B, N\) as X = \(2, 7\), got \(7,\)"):
        nnfield.gradient(W, b, np.ones((2, N)), Y)


@pytest.mark.parametrize("bad", [W.astype(complex), np.array([["a"] * K] * N * M).reshape(M, N, K), None,
                                 np.empty((M, N, K), dtype=object), "W", {"a": 1}])
def test_non_numbers_are_type_errors(bad):
    with pytest.raises(TypeError, match=r"^W: expected an array of real numbers"):
        nnfield.forward(bad, b, X)


def test_ragged_lists_are_type_errors():
    with pytest.raises(TypeError, match=r"^X: expected an array of real numbers"):
        nnfield.forward(W, b, [[1.0, 2.0], [3.0]])


def test_unknown_activation_and_loss():
    with pytest.raises(ValueError, match=r"unknown activation 'relu' \(valid: tanh, sigmoid"):
        nnfield.forward(W, b, X, activation="relu")
    with pytest.raises(ValueError, match=r"unknown loss 'l1' \(valid: mse, logistic\)"):
        nnfield.gradient(W, b, X, Y, loss="l1")
    with pytest.raises(ValueError, match="unknown activation"):
        nnfield.to_bbd(W, b, X, activation="ReLU")
    with pytest.raises(TypeError):  # not a str at all: pybind11's own message
        nnfield.forward(W, b, X, activation=3)


def test_bbd_argument_checks():
    z = np.zeros((M, N))
    with pytest.raises(ValueError, match=r"z: expected shape \(M, N\) = \(3, 7\), got \(7, 3\)"):
        nnfield.from_bbd(W, z.T, X)
    with pytest.raises(ValueError, match=r"Wdot: expected shape \(M, N, K\) as W = \(3, 7, 3\)"):
        nnfield.to_bbd_velocity(W, W[:, :, :1], b, b, X)
    with pytest.raises(ValueError, match=r"Xdot: expected shape \(N,\) as X"):
        nnfield.to_bbd_velocity(W, W, b, b, X, np.zeros(3))
    with pytest.raises(ValueError, match=r"X: expected shape \(N,\) \(one sample\) = \(7,\), got \(2, 7\)"):
        nnfield.energy_flow(W, b, np.ones((2, N)), Y, W, b)
    with pytest.raises(TypeError, match="velocities Wdot and bdot are required"):
        nnfield.energy_flow(W, b, X, Y, None, b)
    with pytest.raises(TypeError, match="both accelerations"):
        nnfield.energy_flow(W, b, X, Y, W, b, Wddot=W)
    with pytest.raises(ValueError, match=r"I: expected shape \(M-1, N\) = \(2, 7\)"):
        nnfield.energy_flow(W, b, X, Y, W, b, I=np.zeros((M, N)))


def test_unknown_override_key_is_a_key_error(models_dir):
    with pytest.raises(KeyError) as info:
        nnfield.Model.from_file(models_dir / "teacher_tanh.toml", overrides={"network.widht": 4})
    e = info.value
    assert isinstance(e, nnfield.UnknownKeyError) and isinstance(e, nnfield.ConfigError)
    assert isinstance(e, ValueError)
    assert str(e) == ("--set network.widht=4: error: unknown key 'network.widht'; valid keys in [network]: "
                      "M, N, r, activation, loss, Lx, Ly (key 'network.widht')")
    with pytest.raises(KeyError, match=r"unknown key 'netwrk.M', did you mean 'network.M'\?"):
        nnfield.Model.from_file(models_dir / "teacher_tanh.toml", overrides={"netwrk.M": 4})


def test_bad_override_values(models_dir):
    path = models_dir / "teacher_tanh.toml"
    with pytest.raises(nnfield.ConfigError, match=r"--set network.M=\"eight\": error: .*integer"):
        nnfield.Model.from_file(path, overrides={"network.M": "eight"})
    with pytest.raises(ValueError, match=r"--set network.activation=\"relu\": error: .*relu"):
        nnfield.Model.from_file(path, overrides={"network.activation": "relu"})
    with pytest.raises(TypeError, match=r"overrides\['network.M'\]: cannot write a value of type object"):
        nnfield.Model.from_file(path, overrides={"network.M": object()})
    with pytest.raises(TypeError, match="keys must be strings"):
        nnfield.Model.from_file(path, overrides={3: 4})
    with pytest.raises(TypeError, match="got a str"):
        nnfield.Model.from_file(path, overrides="network.M=4")


def test_commands_refuse_overrides_they_do_not_read(models_dir):
    """run_ensemble and compare refuse, as `nnfield ensemble` and `nnfield compare` do, an
    overrides entry of a key they do not read (docs/model-files.md, "Keys a command does not read")."""
    with pytest.raises(nnfield.ConfigError, match=r"output.trajectory is not read by nnfield ensemble: "
                                                   r"ensemble keeps only loss and z of each seed's run"):
        nnfield.run_ensemble(models_dir / "ensemble_teacher.toml", [0], {"output.trajectory": ["W", "loss"]})
    with pytest.raises(nnfield.ConfigError, match=r"field.rx is not read by nnfield compare: --coarsen gives"):
        nnfield.compare(models_dir / "compare_small.toml", coarsen=[1, 2], overrides={"field.rx": 4})


def test_overrides_become_toml_values(models_dir):
    title = 'a "quoted"\\ title\twith\nnewline and é'
    model = nnfield.Model.from_file(models_dir / "teacher_tanh.toml", overrides={
        "network.M": np.int64(4), "dynamics.gamma": 0.5, "observe.energy_flow": True, "run.title": title,
        "output.trajectory": ("W", "loss"), "integrator.rtol": 1e-9, "network.Lx": np.float32(2.5),
        "init.velocity": "smooth",  # a damped model: it reads init.smooth_velocity
        "init.smooth_velocity.modes": [{"field": "phi", "kx": 1, "ky": 2, "amplitude": 0.25}],
        "init.smooth_velocity.w_mean": np.array([0.25, 0.5, 0.25])})
    config = tomllib.loads(model.config)
    assert model.shape == (4, 32, 1) and model.title == title
    assert config["dynamics"]["gamma"] == 0.5 and config["observe"]["energy_flow"] is True
    assert config["integrator"]["rtol"] == 1e-9 and config["network"]["Lx"] == 2.5
    assert config["output"]["trajectory"] == ["W", "loss"]
    assert config["init"]["smooth_velocity"]["w_mean"] == [0.25, 0.5, 0.25]
    assert config["init"]["smooth_velocity"]["modes"][0]["amplitude"] == 0.25
    as_list = nnfield.Model.from_file(models_dir / "teacher_tanh.toml", overrides=["network.M=4", "dynamics.gamma=0.5"])
    assert tomllib.loads(as_list.config)["dynamics"]["gamma"] == 0.5 and as_list.shape[0] == 4


def test_config_errors_carry_the_cli_message(exe, source_dir):
    """The same one-line message as `nnfield validate` prints (after its 'nnfield: ' prefix)."""
    for name in ("01_syntax_error", "02_unknown_key_suggestion", "03_unknown_section", "09_bad_activation",
                 "12_init_file_missing", "21_data_file_missing", "28_teacher_key_typo"):
        path = f"tests/models_bad/{name}.toml"
        cli = subprocess.run([exe, "validate", path], cwd=source_dir, capture_output=True, text=True)
        assert cli.returncode == 2
        with pytest.raises(ValueError) as info:
            nnfield.Model.from_file(source_dir / path)
        assert cli.stderr == f"nnfield: {str(info.value).replace(str(source_dir) + '/', '')}\n", name


def test_missing_and_unreadable_files(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"nope.toml: error: cannot open model file: No such file"):
        nnfield.Model.from_file(tmp_path / "nope.toml")
    with pytest.raises(FileNotFoundError, match=r"nope.h5: no such file"):
        nnfield.load(tmp_path / "nope.h5")
    (tmp_path / "text.h5").write_text("not hdf5")
    with pytest.raises(OSError, match=r"text.h5: cannot open as an HDF5 file"):
        nnfield.load(tmp_path / "text.h5")
    with pytest.raises(OSError, match="is a directory"):
        nnfield.load(tmp_path)
    with pytest.raises(TypeError, match="path: expected a path"):
        nnfield.load(3)


def test_bad_run_arguments(models_dir):
    model = nnfield.Model.from_file(models_dir / "blend_gradient_flow.toml", overrides={"dynamics.t_end": 0.1})
    with pytest.raises(ValueError, match="progress: expected True, False or one of"):
        model.run(progress="loud")
    with pytest.raises(OSError, match="cannot create|No such file|directory"):
        model.run(output="/nonexistent/dir/run.h5", progress=False)


def test_errors_never_kill_the_interpreter():
    """A burst of bad calls in a child interpreter: it must exit normally."""
    code = """
import numpy as np, nnfield
bad = [None, 1, "x", [], [[1, 2], [3]], np.ones(0), np.ones((0, 0, 0)), np.ones((1, 1, 1)) * np.nan,
       np.ones((2, 3, 3, 1)), np.ones((10**6, 1, 1), dtype=np.float32)]
for W in bad:
    for X in bad:
        for fn in (nnfield.forward, nnfield.to_bbd):
            try:
                fn(W, np.zeros((1, 1)), X)
            except (TypeError, ValueError):
                pass
print("ok")
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr


def test_hostile_expressions_and_sizes_are_errors_not_crashes(models_dir):
    """Issue 13: deeply nested or huge expressions once overflowed the stack and killed the
    interpreter; a run too large for the machine was a bad_alloc midway. Now: ConfigError
    and MemoryError, before anything is allocated."""
    code = """
import nnfield
path = %r
for text in ["(" * 20000 + "x" + ")" * 20000, "+".join(["x"] * 50000)]:
    try:
        nnfield.Model.from_file(path, overrides={"continuum.phi": text})
    except nnfield.ConfigError as e:
        assert "continuum.phi" in str(e), str(e)
    else:
        raise SystemExit("accepted")
model = nnfield.Model.from_file(path, overrides={"network.M": 100000, "network.N": 100000})
try:
    model.run(progress=False)
except MemoryError as e:
    assert "network.M = 100000" in str(e), str(e)
else:
    raise SystemExit("ran")
print("ok")
""" % str(models_dir / "teacher_tanh.toml")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stderr
