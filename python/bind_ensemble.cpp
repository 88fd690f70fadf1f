// Ensembles (ensemble.hpp): run_ensemble and parse_seed_list. run_ensemble runs on a
// worker thread with the GIL released; Ctrl-C stops it and raises KeyboardInterrupt.
#include <atomic>
#include <stdexcept>

#include "bindings.hpp"
#include "run_data.hpp"
#include "nnfield/analysis/ensemble.hpp"
#include "nnfield/config/config.hpp"
#include "nnfield/numerics/rng.hpp"

namespace nnfield::python {

namespace {

std::vector<std::uint64_t> seeds_argument(const py::object& value) {
  std::vector<std::uint64_t> seeds;
  if (py::isinstance<py::str>(value)) {
    try {
      seeds = parse_seed_list(value.cast<std::string>());
    } catch (const std::invalid_argument& e) {
      throw py::value_error(std::string("seeds: ") + e.what());
    }
  } else if (py::isinstance<py::int_>(value) && !py::isinstance<py::bool_>(value)) {
    throw py::type_error("seeds: expected a list of seeds or a str 'a:b' / 'a,b,c', got an int (use [seed])");
  } else {
    if (!py::hasattr(value, "__iter__"))
      throw py::type_error("seeds: expected a list of non-negative integers or a str 'a:b' / 'a,b,c'");
    for (py::handle item : value) {
      if (py::isinstance<py::bool_>(item) || !PyIndex_Check(item.ptr()))
        throw py::type_error("seeds: expected integers, got " + std::string(py::repr(item)));
      const long long v = py::reinterpret_steal<py::object>(PyNumber_Index(item.ptr())).cast<long long>();
      seeds.push_back(seed_argument(v, "seeds"));
    }
  }
  if (seeds.empty()) throw py::value_error("seeds: no seeds given");
  return seeds;
}

py::dict ensemble_dict(const EnsembleResult& r) {
  py::dict d;
  py::list seeds;
  for (const SeedSummary& s : r.seeds) {
    py::dict e;
    e["seed"] = s.seed;
    e["status"] = run_status_name(s.status);
    e["message"] = s.message;
    e["rows"] = s.rows;
    e["steps"] = s.steps;
    e["t_last"] = s.t_last;
    e["final_loss"] = s.final_loss;
    e["final_train_loss"] = s.final_train_loss;
    e["final_energy"] = s.final_energy;
    e["xi_y"] = copy_array(s.xi_y);
    seeds.append(e);
  }
  d["seeds"] = seeds;
  py::list included;
  for (std::size_t i : r.included) included.append(r.seeds[i].seed);
  d["included"] = included;
  d["error_method"] = error_method_name(r.errors.method);
  d["time"] = copy_array(r.time);
  d["correlator_time"] = copy_array(r.correlator_time);
  py::dict means, errors;
  for (const EnsembleDataset& ds : r.datasets) {
    means[py::str(ds.name)] = copy_array(ds.mean, ds.shape);
    errors[py::str(ds.name)] = copy_array(ds.error, ds.shape);
  }
  d["means"] = means;
  d["errors"] = errors;
  d["notes"] = py::cast(r.notes);
  d["interrupted"] = r.interrupted;
  return d;
}

py::dict run_ensemble_py(const py::object& model, const py::object& seeds_, const py::object& overrides, int threads,
                         const std::string& error, int resamples) {
  const std::string path = path_argument(model, "model");
  EnsembleOptions o;
  o.seeds = seeds_argument(seeds_);
  const std::vector<std::string> sets = override_list(overrides);
  require_range(threads, 0, 1 << 16, "threads");
  require_range(resamples, 2, 1 << 24, "resamples");
  o.threads = threads;
  o.errors.method = error_method_argument(error);
  o.errors.resamples = resamples;
  const ModelConfig config = load_model_file(path, sets, UnreadKeys::refuse, RunStorage::memory);
  o.errors.seed = derive_seed(config.seed, "ensemble/bootstrap");  // as `nnfield ensemble`

  EnsembleResult result;
  run_interruptible([&](const std::atomic<bool>& stop) {
    EnsembleOptions local = o;
    local.stop = &stop;
    result = run_ensemble(config, local);
  });
  return ensemble_dict(result);
}

}  // namespace

void add_ensemble(py::module_& m) {
  m.def(
      "parse_seed_list",
      [](const std::string& text) {
        try {
          return parse_seed_list(text);
        } catch (const std::invalid_argument& e) {
          throw py::value_error(e.what());
        }
      },
      py::arg("text"), "'a:b' (a..b-1), 'a,b,c' or one number -> list of seeds (as `nnfield ensemble --seeds`).");
  m.def("run_ensemble", &run_ensemble_py, py::arg("model"), py::arg("seeds"), py::arg("overrides") = py::none(),
        py::kw_only(), py::arg("threads") = 0, py::arg("error") = "jackknife", py::arg("resamples") = 1000,
        R"doc(`nnfield ensemble` in memory: the model file `model` (a path; `overrides` a dict
{'section.key': value} or a list of 'section.key=value', as Model.from_file) run once per seed (a list, or a str 'a:b' / 'a,b,c'), then ensemble
means over the complete runs. Returns a dict: seeds (per-seed summaries: seed, status,
final_loss, xi_y, ...), included (seeds averaged), time, correlator_time, means and
errors ({dataset name: array of the run's shape, e.g. '/trajectory/loss' (T,)}), notes,
interrupted, error_method. error: 'jackknife' or 'bootstrap' (seeded as the command line).)doc");
}

}  // namespace nnfield::python
