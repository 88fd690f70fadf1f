// nnfield.Model (a resolved model file), Model.run() and nnfield.resume(); module metadata.
#include <Python.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <optional>
#include <sstream>

#include "nnfield/config/config.hpp"
#include "nnfield/io/provenance.hpp"
#include "nnfield/run/resources.hpp"
#include "nnfield/run/resume.hpp"
#include "nnfield/run/run.hpp"
#include "run_data.hpp"

namespace nnfield::python {

namespace {

// ---- Model ------------------------------------------------------------------------

struct Model {
  ModelConfig config;
};

std::string progress_mode(const py::object& progress) {
  if (progress.is_none()) return "off";
  if (py::isinstance<py::bool_>(progress)) return progress.cast<bool>() ? "auto" : "off";
  if (py::isinstance<py::str>(progress)) {
    const std::string p = progress.cast<std::string>();
    if (p == "auto" || p == "tty" || p == "plain" || p == "off") return p;
    throw py::value_error("progress: expected True, False or one of 'auto', 'tty', 'plain', 'off', got '" + p + "'");
  }
  throw py::type_error("progress: expected a bool or a str");
}

std::string python_command_line(const char* call) {
  py::object sys = py::module_::import("sys");
  std::string line = py::str(sys.attr("executable"));
  for (py::handle a : py::getattr(sys, "argv", py::list())) line += " " + std::string(py::str(a));
  return line + " (" + call + ")";
}

// run_model on a worker thread while this (the main) thread answers signals: Ctrl-C
// stops the run cleanly (a run file is closed with status "interrupted") and is then
// raised as KeyboardInterrupt, whose attribute `run` holds the rows recorded so far.
// The GIL is released while the run goes on (other Python threads, e.g. a notebook's,
// keep running). nnfield's HDF5 calls hold one lock; h5py's do not: do not use h5py
// from another thread while a run writes a file.
py::object run_config(const ModelConfig& config, const RunOptions& options) {
  // As the command line does: refuse (MemoryError) what would not fit, before allocating.
  ResourceBudget budget;
  budget.output_path = options.output_path;
  budget.rows_in_memory = options.output_path.empty();
  check_resources(config, budget);
  RunResult result;
  std::exception_ptr error;
  std::optional<py::error_already_set> pending = run_answering_signals(
      [&](const std::atomic<bool>& stop) {
        RunOptions local = options;
        local.stop = &stop;
        result = run_model(config, local);
      },
      error);
  if (error) std::rethrow_exception(error);

  auto data = result.memory ? std::make_shared<RunData>(result.memory) : std::make_shared<RunData>(options.output_path);
  data->set_result(result);
  py::object run_object = make_run(data);
  if (pending) {
    try {
      pending->value().attr("run") = run_object;
    } catch (py::error_already_set&) {
    }
    throw *pending;
  }
  if (result.status == RunStatus::blew_up) {
    if (PyErr_WarnEx(PyExc_RuntimeWarning, ("nnfield run failed: " + result.message).c_str(), 1) < 0)
      throw py::error_already_set();  // warnings turned into errors
  }
  return run_object;
}

py::object run(const Model& model, const py::object& output, const py::object& progress, bool force) {
  RunOptions options;
  if (!output.is_none()) options.output_path = path_argument(output, "output");
  options.force = force;
  options.progress = progress_mode(progress);
  options.command_line = python_command_line("nnfield.Model.run");
  return run_config(model.config, options);
}

// `nnfield run --resume PATH [--set ...]`: the checkpointed run's configuration, continued
// into the same file from PATH.ckpt (docs/output-schema.md, "Checkpoint and restart").
py::object resume(const py::object& path, const py::object& overrides, const py::object& progress) {
  RunOptions options;
  options.output_path = path_argument(path, "path");
  options.resume = true;
  options.progress = progress_mode(progress);
  options.command_line = python_command_line("nnfield.resume");
  return run_config(load_resume_config(options.output_path, override_list(overrides)), options);
}

}  // namespace

void add_core(py::module_& m) {
  const std::map<std::string, std::string> build = collect_build_provenance();
  m.attr("__version__") = build.count("nnfield_version") ? build.at("nnfield_version") : "unknown";
  m.attr("build_info") = py::cast(build);
  m.attr("activations") = py::tuple(py::cast(activation_names()));
  m.attr("losses") = py::tuple(py::cast(loss_names()));

  py::class_<Model>(m, "Model", R"doc(
A model file, parsed, defaulted, overridden and validated (the same rules and messages as
`nnfield validate`).

    model = nnfield.Model.from_file("models/teacher_tanh.toml", overrides={"dynamics.gamma": 0.5})
    run = model.run()                       # in memory; model.run("run.h5") writes a run file

Bad files raise ConfigError (a ValueError); unknown keys UnknownKeyError (also a KeyError).)doc")
      .def_static(
          "from_file",
          [](const py::object& path, const py::object& overrides) {
            const std::string p = path_argument(path, "path");
            const std::vector<std::string> sets = override_list(overrides);
            return Model{load_model_file(p, sets)};
          },
          py::arg("path"), py::arg("overrides") = py::none(),
          "Load a model file; `overrides` maps 'section.key' to a value (bool, int, float, str, list, dict), "
          "as `--set section.key=value` on the command line.")
      .def_static(
          "from_string",
          [](const std::string& text, const std::string& name, const py::object& overrides) {
            return Model{load_model_string(text, name, override_list(overrides))};
          },
          py::arg("text"), py::arg("name") = "<string>", py::arg("overrides") = py::none(),
          "A model from TOML text; `name` is used in messages (relative data paths resolve from the working "
          "directory).")
      .def_property_readonly("config", [](const Model& model) { return model.config.resolved_toml; },
                             "The resolved configuration: every key, as TOML.")
      .def_property_readonly("source", [](const Model& model) { return model.config.source_text; },
                             "The model file's text, verbatim.")
      .def_property_readonly("path", [](const Model& model) { return model.config.source_path; })
      .def_property_readonly("title", [](const Model& model) { return model.config.title; })
      .def_property_readonly("seed", [](const Model& model) { return model.config.seed; })
      .def_property_readonly("shape",
                             [](const Model& model) {
                               const NetworkShape& s = model.config.network.shape;
                               return py::make_tuple(s.M, s.N, s.r);
                             },
                             "(M, N, r): depth, width, radius (fan-in K = 2r+1).")
      .def_property_readonly("activation", [](const Model& model) { return activation_name(model.config.network.activation); })
      .def_property_readonly("loss", [](const Model& model) { return loss_name(model.config.network.loss); })
      .def_property_readonly("dynamics", [](const Model& model) { return name(model.config.dynamics.kind); })
      .def("run", &run, py::arg("output") = py::none(), py::arg("progress") = true, py::arg("force") = false,
           R"doc(Run the model. output=None keeps the run in memory (arrays are views, no copy);
a path writes an HDF5 run file (refused if it exists unless force=True) and returns it
opened as with nnfield.load. progress: True (a line on stderr when it is a terminal),
False, or 'auto'/'tty'/'plain'/'off'. A run that blows up returns its rows with
status 'failed: ...' and a RuntimeWarning; Ctrl-C stops it cleanly and raises
KeyboardInterrupt with the rows so far in the exception's `run` attribute.)doc")
      .def("__repr__", [](const Model& model) {
        const NetworkShape& s = model.config.network.shape;
        std::ostringstream out;
        out << "<nnfield.Model '" << model.config.source_path << "' M=" << s.M << " N=" << s.N << " r=" << s.r << " "
            << activation_name(model.config.network.activation) << ", " << name(model.config.dynamics.kind) << ">";
        return out.str();
      });
  m.def("resume", &resume, py::arg("path"), py::arg("overrides") = py::none(), py::arg("progress") = true,
        R"doc(Continue the run file `path` from its checkpoint `path`.ckpt into the same file, as
`nnfield run --resume`, and return it opened as with nnfield.load. `overrides` may change only
the run's length (dynamics.t_end, or dynamics.steps for SGD: a finished run is extended) and its
output pacing (output.flush_every, output.checkpoint_*); a missing, corrupt or foreign
checkpoint, or any other key, raises ConfigError with the one-line message of the command line.
The resumed file equals the uninterrupted run's bit for bit. progress and Ctrl-C as in
Model.run.)doc");
}

}  // namespace nnfield::python
