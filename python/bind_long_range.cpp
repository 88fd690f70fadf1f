// Long-range order across depth and ensembles (SPEC section 5; docs/long-range-order.md):
// mean_field.hpp (MeanField, critical_sigma_w), propagation.hpp (propagate), statistics.hpp
// (jackknife, bootstrap, their means, column_means_and_errors) and ensemble.hpp
// (run_ensemble, parse_seed_list) on numpy arrays.
//
// Per-layer arrays are (S, M): S sigma_w scan points, layer m = 1..M in row m-1, as in the
// file `nnfield propagate` writes (same names). Samples for the statistics are (n,) or
// (n, p): n measurements of p observables. propagate and run_ensemble run on a worker
// thread with the GIL released; Ctrl-C stops them and raises KeyboardInterrupt.
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

#include "bindings.hpp"
#include "nnfield/config/config.hpp"
#include "nnfield/analysis/ensemble.hpp"
#include "nnfield/analysis/mean_field.hpp"
#include "nnfield/analysis/propagation.hpp"
#include "nnfield/numerics/rng.hpp"
#include "nnfield/numerics/statistics.hpp"

namespace nnfield::python {

namespace {

// ---- arguments ------------------------------------------------------------------

double positive_argument(double v, const std::string& name) {
  if (!(v > 0.0) || !std::isfinite(v)) throw py::value_error(name + ": expected a positive number, got " + std::to_string(v));
  return v;
}

double non_negative_argument(double v, const std::string& name) {
  if (!(v >= 0.0) || !std::isfinite(v))
    throw py::value_error(name + ": expected a non-negative number, got " + std::to_string(v));
  return v;
}

void require_range(long long v, long long lo, long long hi, const std::string& name) {
  if (v < lo || v > hi)
    throw py::value_error(name + ": expected " + std::to_string(lo) + " <= " + name + " <= " + std::to_string(hi) +
                          ", got " + std::to_string(v));
}

std::uint64_t seed_argument(long long v, const std::string& name) {
  if (v < 0) throw py::value_error(name + ": expected a non-negative integer, got " + std::to_string(v));
  return std::uint64_t(v);
}

int order_argument(int order) {
  require_range(order, 2, 1000, "order");
  return order;
}

// Samples (n,) or (n, p), n >= 1, p >= 1, finite.
struct Samples {
  DoubleArray a;
  std::size_t n = 0, p = 1;
  bool columns = false;  // given as (n, p)
  std::vector<double> flat() const { return std::vector<double>(a.data(), a.data() + n * p); }
};

Samples samples_argument(const py::object& value, const std::string& name, std::size_t min_n = 1) {
  Samples s;
  s.a = to_double_array(value, name);
  if (s.a.ndim() == 1) {
    s.n = std::size_t(s.a.shape(0));
  } else if (s.a.ndim() == 2) {
    s.columns = true;
    s.n = std::size_t(s.a.shape(0));
    s.p = std::size_t(s.a.shape(1));
  } else {
    throw py::value_error(name + ": expected shape (n,) or (n, p), got " + shape_text(s.a));
  }
  if (s.n < min_n || s.p < 1)
    throw py::value_error(name + ": expected shape (n,) or (n, p) with n >= " + std::to_string(min_n) +
                          " and p >= 1, got " + shape_text(s.a));
  for (std::size_t i = 0; i < s.n * s.p; ++i)
    if (!std::isfinite(s.a.data()[i])) throw py::value_error(name + ": contains NaN or infinity");
  return s;
}

ErrorMethod error_method_argument(const std::string& name) {
  try {
    return error_method_from_name(name);
  } catch (const std::invalid_argument& e) {
    throw py::value_error(std::string("error: ") + e.what());
  }
}

}  // namespace

// `work(stop)` on a worker thread while this thread, with the GIL released, waits and
// answers signals (as Model.run): Ctrl-C sets stop, and the Python exception it raised
// (KeyboardInterrupt) is raised once the worker has stopped.
void run_interruptible(const std::function<void(const std::atomic<bool>& stop)>& work) {
  std::atomic<bool> stop{false};
  std::exception_ptr error;
  std::mutex mutex;
  std::condition_variable finished;
  bool done = false;
  std::optional<py::error_already_set> pending;
  {
    std::thread worker([&] {
      try {
        work(stop);
      } catch (...) {
        error = std::current_exception();
      }
      std::lock_guard<std::mutex> lock(mutex);
      done = true;
      finished.notify_all();
    });
    while (true) {
      {
        py::gil_scoped_release released;
        std::unique_lock<std::mutex> lock(mutex);
        finished.wait_for(lock, std::chrono::milliseconds(50), [&] { return done; });
        if (done) break;
      }
      if (!pending && PyErr_CheckSignals() != 0) {
        pending.emplace();
        stop = true;
      }
    }
    worker.join();
  }
  if (pending) throw *pending;
  if (error) std::rethrow_exception(error);
}

namespace {

// ---- mean field -------------------------------------------------------------------

struct PyMeanField {
  Activation activation;
  double sigma_w, sigma_b;
  int order;
  MeanField mf;
  PyMeanField(const std::string& a, double sw, double sb, int o)
      : activation(activation_argument(a)),
        sigma_w(positive_argument(sw, "sigma_w")),
        sigma_b(non_negative_argument(sb, "sigma_b")),
        order(order_argument(o)),
        mf(activation, sigma_w, sigma_b, order) {}
};

double q_argument(double q) { return non_negative_argument(q, "q"); }

double c_argument(double c, const std::string& name = "c") {
  if (!(c >= -1.0 && c <= 1.0)) throw py::value_error(name + ": expected a correlation in [-1, 1], got " + std::to_string(c));
  return c;
}

py::dict point_dict(const MeanFieldPoint& p) {
  py::dict d;
  d["q_star"] = p.q_star;
  d["chi_1"] = p.chi_1;
  d["c_star"] = p.c_star;
  d["chi_c"] = p.chi_c;
  d["xi_c"] = p.xi_c;
  d["chi_q"] = p.chi_q;
  d["xi_q"] = p.xi_q;
  d["phase"] = p.ordered() ? "ordered" : "chaotic";
  return d;
}

// ---- propagation ------------------------------------------------------------------

NetworkShape shape_argument(const py::object& value) {
  if (!py::isinstance<py::tuple>(value) && !py::isinstance<py::list>(value))
    throw py::type_error("shape: expected a tuple (M, N, r) as Model.shape");
  py::sequence seq = value.cast<py::sequence>();
  if (seq.size() != 3) throw py::value_error("shape: expected (M, N, r), got " + std::string(py::repr(value)));
  long long v[3];
  for (int i = 0; i < 3; ++i) {
    if (!py::isinstance<py::int_>(seq[i]) || py::isinstance<py::bool_>(seq[i]))
      throw py::type_error("shape: expected integers (M, N, r), got " + std::string(py::repr(value)));
    v[i] = seq[i].cast<long long>();
  }
  if (v[0] < 1 || v[1] < 1 || v[2] < 0 || 2 * v[2] + 1 > v[1] || v[0] > (1 << 24) || v[1] > (1 << 24))
    throw py::value_error("shape: expected (M, N, r) with M, N >= 1 and 0 <= r, 2r+1 <= N, got " +
                          std::string(py::repr(value)));
  NetworkShape s;
  s.M = int(v[0]);
  s.N = int(v[1]);
  s.r = int(v[2]);
  return s;
}

std::vector<double> sigma_w_argument(const py::object& value) {
  const DoubleArray a = to_double_array(value, "sigma_w");
  if (a.ndim() > 1 || a.size() < 1)
    throw py::value_error("sigma_w: expected a number or a non-empty 1D array, got shape " + shape_text(a));
  std::vector<double> out(a.data(), a.data() + a.size());
  for (double v : out)
    if (!(v > 0.0) || !std::isfinite(v)) throw py::value_error("sigma_w: values must be positive and finite");
  return out;
}

using EstimateList = std::vector<Estimate> PropagationResult::*;

void put_estimates(py::dict& d, const std::string& name, const std::vector<PropagationResult>& P, EstimateList field,
                   std::size_t M) {
  std::vector<double> value, error;
  for (const auto& p : P)
    for (std::size_t m = 0; m < M; ++m) {
      value.push_back((p.*field)[m].value);
      error.push_back((p.*field)[m].error);
    }
  d[py::str(name)] = adopt(std::move(value), {P.size(), M});
  d[py::str(name + "_error")] = adopt(std::move(error), {P.size(), M});
}

template <class F>
py::array_t<double> per_point(const std::vector<PropagationResult>& P, F&& get) {
  std::vector<double> v;
  for (const auto& p : P) v.push_back(double(get(p)));
  return adopt(std::move(v), {P.size()});
}

py::dict fit_dict(const std::vector<PropagationResult>& P, DepthFit PropagationResult::*fit) {
  py::dict d;
  d["ok"] = per_point(P, [&](const PropagationResult& p) { return (p.*fit).ok ? 1.0 : 0.0; });
  d["first"] = per_point(P, [&](const PropagationResult& p) { return (p.*fit).first; });
  d["last"] = per_point(P, [&](const PropagationResult& p) { return (p.*fit).last; });
  d["slope"] = per_point(P, [&](const PropagationResult& p) { return (p.*fit).slope.value; });
  d["slope_error"] = per_point(P, [&](const PropagationResult& p) { return (p.*fit).slope.error; });
  d["intercept"] = per_point(P, [&](const PropagationResult& p) { return (p.*fit).intercept.value; });
  d["intercept_error"] = per_point(P, [&](const PropagationResult& p) { return (p.*fit).intercept.error; });
  d["xi"] = per_point(P, [&](const PropagationResult& p) { return (p.*fit).xi.value; });
  d["xi_error"] = per_point(P, [&](const PropagationResult& p) { return (p.*fit).xi.error; });
  d["chi"] = per_point(P, [&](const PropagationResult& p) { return (p.*fit).chi.value; });
  d["chi_error"] = per_point(P, [&](const PropagationResult& p) { return (p.*fit).chi.error; });
  py::list notes;
  for (const auto& p : P) notes.append((p.*fit).note);
  d["note"] = notes;
  return d;
}

py::dict scan_dict(const PropagationScan& scan) {
  const std::vector<PropagationResult>& P = scan.points;
  const std::size_t S = P.size(), M = std::size_t(scan.shape.M);
  py::dict d;
  d["shape"] = py::make_tuple(scan.shape.M, scan.shape.N, scan.shape.r);
  d["activation"] = activation_name(scan.activation);
  d["sigma_b"] = P.front().sigma_b;
  d["sigma_w"] = per_point(P, [](const PropagationResult& p) { return p.sigma_w; });
  std::vector<double> layer;
  for (std::size_t m = 1; m <= M; ++m) layer.push_back(double(m));
  d["layer"] = adopt(std::move(layer), {M});
  put_estimates(d, "q", P, &PropagationResult::q, M);
  put_estimates(d, "c", P, &PropagationResult::c, M);
  put_estimates(d, "q11", P, &PropagationResult::q11, M);
  put_estimates(d, "q22", P, &PropagationResult::q22, M);
  put_estimates(d, "q12", P, &PropagationResult::q12, M);
  put_estimates(d, "dc", P, &PropagationResult::dc, M);
  put_estimates(d, "tangent", P, &PropagationResult::tangent, M);

  py::dict mf;
  std::vector<double> qmf, cmf;
  for (const auto& p : P) {
    qmf.insert(qmf.end(), p.q_mean_field.begin(), p.q_mean_field.end());
    cmf.insert(cmf.end(), p.c_mean_field.begin(), p.c_mean_field.end());
  }
  mf["q"] = adopt(std::move(qmf), {S, M});
  mf["c"] = adopt(std::move(cmf), {S, M});
  mf["q_star"] = per_point(P, [](const PropagationResult& p) { return p.mean_field.q_star; });
  mf["chi_1"] = per_point(P, [](const PropagationResult& p) { return p.mean_field.chi_1; });
  mf["c_star"] = per_point(P, [](const PropagationResult& p) { return p.mean_field.c_star; });
  mf["chi_c"] = per_point(P, [](const PropagationResult& p) { return p.mean_field.chi_c; });
  mf["xi_c"] = per_point(P, [](const PropagationResult& p) { return p.mean_field.xi_c; });
  mf["chi_q"] = per_point(P, [](const PropagationResult& p) { return p.mean_field.chi_q; });
  mf["xi_q"] = per_point(P, [](const PropagationResult& p) { return p.mean_field.xi_q; });
  d["mean_field"] = mf;

  py::dict fit = fit_dict(P, &PropagationResult::fit_c);
  fit["c_star"] = per_point(P, [](const PropagationResult& p) { return p.c_star.value; });
  fit["c_star_error"] = per_point(P, [](const PropagationResult& p) { return p.c_star.error; });
  py::list methods;
  for (const auto& p : P) methods.append(fixed_point_method_name(p.c_star_method));
  fit["c_star_method"] = methods;
  d["fit"] = fit;
  d["tangent_fit"] = fit_dict(P, &PropagationResult::fit_tangent);

  const TransitionEstimate& t = scan.transition;
  py::dict tr;
  tr["ok"] = t.ok;
  tr["note"] = t.note;
  tr["sigma_w"] = t.sigma_w.value;
  tr["sigma_w_error"] = t.sigma_w.error;
  tr["sigma_w_mean_field"] = t.sigma_w_mean_field;
  d["transition"] = tr;
  return d;
}

py::dict propagate_py(const py::object& shape_, const std::string& activation_, const py::object& sigma_w_,
                      double sigma_b, double q0, double c0, int networks, int pairs, int threads, long long seed,
                      int blocks, const std::string& c_star, double q_tolerance, double linear_cut,
                      double noise_factor) {
  const NetworkShape shape = shape_argument(shape_);
  const Activation activation = activation_argument(activation_);
  const std::vector<double> sigma_w = sigma_w_argument(sigma_w_);
  PropagationOptions o;
  non_negative_argument(sigma_b, "sigma_b");
  o.q0 = positive_argument(q0, "q0");
  o.c0 = c_argument(c0, "c0");
  require_range(networks, 2, 1 << 24, "networks");
  require_range(pairs, 1, 1 << 16, "pairs");
  require_range(threads, 0, 1 << 16, "threads");
  require_range(blocks, 2, 1 << 24, "blocks");
  o.networks = networks;
  o.pairs = pairs;
  o.threads = threads;
  o.seed = seed_argument(seed, "seed");
  o.jackknife_blocks = blocks;
  try {
    o.fixed_point = fixed_point_method_from_name(c_star);
  } catch (const std::invalid_argument& e) {
    throw py::value_error(std::string("c_star: ") + e.what());
  }
  o.q_tolerance = positive_argument(q_tolerance, "q_tolerance");
  o.linear_cut = positive_argument(linear_cut, "linear_cut");
  o.noise_factor = non_negative_argument(noise_factor, "noise_factor");

  PropagationScan scan;
  run_interruptible([&](const std::atomic<bool>& stop) {
    PropagationOptions local = o;
    local.stop = &stop;
    scan = propagate(shape, activation, sigma_w, sigma_b, local);
  });
  return scan_dict(scan);
}

// ---- statistics -------------------------------------------------------------------

// A Python callable means (p,) -> values (k,) as a Statistic (called with the GIL held).
Statistic statistic_argument(const py::object& f, std::size_t p) {
  if (f.is_none()) return [](const std::vector<double>& means) { return means; };
  if (!PyCallable_Check(f.ptr())) throw py::type_error("f: expected a callable means -> values, or None");
  auto size = std::make_shared<std::size_t>(0);
  return [f, p, size](const std::vector<double>& means) {
    py::array_t<double> arg = adopt(std::vector<double>(means), {p});
    const DoubleArray out = to_double_array(f(arg), "f(means)");
    if (out.ndim() > 1 || out.size() < 1)
      throw py::value_error("f(means): expected a number or a non-empty 1D array, got shape " + shape_text(out));
    if (*size == 0) *size = std::size_t(out.size());
    if (std::size_t(out.size()) != *size) throw py::value_error("f(means): returned arrays of different lengths");
    return std::vector<double>(out.data(), out.data() + out.size());
  };
}

py::tuple estimates_tuple(const std::vector<Estimate>& e) {
  std::vector<double> v, err;
  for (const auto& x : e) {
    v.push_back(x.value);
    err.push_back(x.error);
  }
  const std::size_t k = e.size();
  return py::make_tuple(adopt(std::move(v), {k}), adopt(std::move(err), {k}));
}

py::tuple jackknife_py(const py::object& samples_, const py::object& f, long long blocks) {
  const Samples s = samples_argument(samples_, "samples", 2);
  if (blocks < 0 || (blocks > 0 && blocks < 2))
    throw py::value_error("blocks: expected 0 (delete-one) or >= 2, got " + std::to_string(blocks));
  return estimates_tuple(jackknife(s.flat(), s.n, s.p, statistic_argument(f, s.p), std::size_t(blocks)));
}

py::tuple bootstrap_py(const py::object& samples_, const py::object& f, int resamples, long long seed) {
  const Samples s = samples_argument(samples_, "samples", 1);
  require_range(resamples, 2, 1 << 24, "resamples");
  return estimates_tuple(
      bootstrap(s.flat(), s.n, s.p, statistic_argument(f, s.p), resamples, seed_argument(seed, "seed")));
}

std::vector<double> series_argument(const py::object& x_, std::size_t min_n) {
  const DoubleArray x = to_double_array(x_, "x");
  if (x.ndim() != 1 || std::size_t(x.size()) < min_n)
    throw py::value_error("x: expected shape (n,) with n >= " + std::to_string(min_n) + ", got " + shape_text(x));
  std::vector<double> out(x.data(), x.data() + x.size());
  for (double v : out)
    if (!std::isfinite(v)) throw py::value_error("x: contains NaN or infinity");
  return out;
}

py::tuple column_means_py(const py::object& samples_, const std::string& method, int resamples, long long seed) {
  ErrorOptions o;
  o.method = error_method_argument(method);
  require_range(resamples, 2, 1 << 24, "resamples");
  o.resamples = resamples;
  o.seed = seed_argument(seed, "seed");
  const Samples s = samples_argument(samples_, "samples", o.method == ErrorMethod::jackknife ? 2 : 1);
  std::vector<double> means, errors;
  column_means_and_errors(s.flat(), s.n, s.p, o, means, errors);
  if (!s.columns) return py::make_tuple(means.at(0), errors.at(0));
  return py::make_tuple(adopt(std::move(means), {s.p}), adopt(std::move(errors), {s.p}));
}

// ---- ensembles --------------------------------------------------------------------

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

}  // namespace

std::vector<std::string> override_list(const py::object& overrides) {
  std::vector<std::string> out;
  if (overrides.is_none()) return out;
  if (py::isinstance<py::str>(overrides) || !py::hasattr(overrides, "__iter__"))
    throw py::type_error("overrides: expected a list of 'section.key=value' strings");
  for (py::handle item : overrides) {
    if (!py::isinstance<py::str>(item))
      throw py::type_error("overrides: expected a list of 'section.key=value' strings");
    out.push_back(item.cast<std::string>());
  }
  return out;
}

namespace {

py::array_t<double> vector_array(const std::vector<double>& v) { return adopt(std::vector<double>(v), {v.size()}); }

py::dict ensemble_dict(const EnsembleResult& r) {
  py::dict d;
  py::list seeds;
  for (const SeedSummary& s : r.seeds) {
    py::dict e;
    e["seed"] = s.seed;
    static const char* names[] = {"complete", "interrupted", "blew_up"};  // as Run.result
    e["status"] = names[int(s.status)];
    e["message"] = s.message;
    e["rows"] = s.rows;
    e["steps"] = s.steps;
    e["t_last"] = s.t_last;
    e["final_loss"] = s.final_loss;
    e["final_train_loss"] = s.final_train_loss;
    e["final_energy"] = s.final_energy;
    e["xi_y"] = vector_array(s.xi_y);
    seeds.append(e);
  }
  d["seeds"] = seeds;
  py::list included;
  for (std::size_t i : r.included) included.append(r.seeds[i].seed);
  d["included"] = included;
  d["error_method"] = error_method_name(r.errors.method);
  d["time"] = vector_array(r.time);
  d["correlator_time"] = vector_array(r.correlator_time);
  py::dict means, errors;
  for (const EnsembleDataset& ds : r.datasets) {
    means[py::str(ds.name)] = adopt(std::vector<double>(ds.mean), ds.shape);
    errors[py::str(ds.name)] = adopt(std::vector<double>(ds.error), ds.shape);
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
  const ModelConfig config = load_model_file(path, sets);
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

void add_long_range(py::module_& m) {
  py::class_<PyMeanField>(m, "MeanField", R"doc(
Mean-field theory of signal propagation through random networks (SPEC section 5;
scripts/meanfield.py is its Python twin): W ~ N(0, sigma_w^2/K), b ~ N(0, sigma_b^2).

    mf = nnfield.MeanField("tanh", sigma_w=1.5, sigma_b=0.3)
    mf.depth_scale(q0=1.0, c0=0.5)["xi_c"]
    q, c = mf.trajectory(q0=1.0, c0=0.5, M=32)     # (M,) each, layer m in row m-1)doc")
      .def(py::init<const std::string&, double, double, int>(), py::arg("activation"), py::arg("sigma_w"),
           py::arg("sigma_b"), py::arg("order") = int(MeanField::default_order),
           "order: Gauss-Hermite quadrature points (2..1000).")
      .def_property_readonly("activation", [](const PyMeanField& f) { return activation_name(f.activation); })
      .def_readonly("sigma_w", &PyMeanField::sigma_w)
      .def_readonly("sigma_b", &PyMeanField::sigma_b)
      .def_readonly("order", &PyMeanField::order)
      .def("q_map", [](const PyMeanField& f, double q) { return f.mf.q_map(q_argument(q)); }, py::arg("q"),
           "q' = sigma_w^2 E[phi(sqrt(q) z)^2] + sigma_b^2")
      .def(
          "q_star", [](const PyMeanField& f, double q) { return f.mf.q_star(q_argument(q)); }, py::arg("q_start"),
          "The fixed point the q recursion reaches from q_start (ValueError when q diverges).")
      .def("chi_1", [](const PyMeanField& f, double q) { return f.mf.chi_1(q_argument(q)); }, py::arg("q"),
           "sigma_w^2 E[phi'(sqrt(q) z)^2]")
      .def("chi_q", [](const PyMeanField& f, double q) { return f.mf.chi_q(q_argument(q)); }, py::arg("q"),
           "The q map's slope.")
      .def(
          "c_map", [](const PyMeanField& f, double q, double c) { return f.mf.c_map(q_argument(q), c_argument(c)); },
          py::arg("q"), py::arg("c"), "c' = (sigma_w^2 E[phi(u1) phi(u2)] + sigma_b^2) / q")
      .def(
          "chi_c", [](const PyMeanField& f, double q, double c) { return f.mf.chi_c(q_argument(q), c_argument(c)); },
          py::arg("q"), py::arg("c"), "sigma_w^2 E[phi'(u1) phi'(u2)]: the c map's slope.")
      .def(
          "c_star",
          [](const PyMeanField& f, double q, double c) { return f.mf.c_star(q_argument(q), c_argument(c, "c_start")); },
          py::arg("q"), py::arg("c_start"), "The fixed point the c recursion at length q reaches from c_start.")
      .def(
          "depth_scale",
          [](const PyMeanField& f, double q0, double c0) {
            return point_dict(f.mf.depth_scale(positive_argument(q0, "q0"), c_argument(c0, "c0")));
          },
          py::arg("q0") = 1.0, py::arg("c0") = 0.5,
          "dict: q_star, chi_1, c_star, chi_c, xi_c, chi_q, xi_q (inf when chi >= 1), phase ('ordered'/'chaotic').")
      .def(
          "trajectory",
          [](const PyMeanField& f, double q0, double c0, int M) {
            positive_argument(q0, "q0");
            c_argument(c0, "c0");
            require_range(M, 1, 1 << 24, "M");
            std::vector<double> q, c;
            f.mf.trajectory(q0, c0, M, q, c);
            return py::make_tuple(adopt(std::move(q), {std::size_t(M)}), adopt(std::move(c), {std::size_t(M)}));
          },
          py::arg("q0"), py::arg("c0"), py::arg("M"),
          "(q, c), each (M,): the layer-by-layer recursion for a pair of inputs, m = 1..M in row m-1.")
      .def("__repr__", [](const PyMeanField& f) {
        return "<nnfield.MeanField " + activation_name(f.activation) + " sigma_w=" + std::to_string(f.sigma_w) +
               " sigma_b=" + std::to_string(f.sigma_b) + ">";
      });

  m.def(
      "critical_sigma_w",
      [](const std::string& a, double sigma_b, double q0, double lo, double hi, int order) {
        const Activation act = activation_argument(a);
        non_negative_argument(sigma_b, "sigma_b");
        positive_argument(q0, "q0");
        positive_argument(lo, "lo");
        positive_argument(hi, "hi");
        if (!(lo < hi)) throw py::value_error("lo, hi: expected lo < hi");
        order_argument(order);
        try {
          return critical_sigma_w(act, sigma_b, q0, lo, hi, order);
        } catch (const std::domain_error& e) {
          throw py::value_error(e.what());
        }
      },
      py::arg("activation"), py::arg("sigma_b"), py::arg("q0") = 1.0, py::arg("lo") = 0.05, py::arg("hi") = 20.0,
      py::arg("order") = int(MeanField::default_order),
      "sigma_w on the order-to-chaos line chi_1(q*) = 1 (ValueError when there is none in [lo, hi]).");

  m.attr("fixed_point_methods") = py::make_tuple("auto", "one", "fitted", "mean_field");
  m.def("propagate", &propagate_py, py::arg("shape"), py::arg("activation"), py::arg("sigma_w"), py::arg("sigma_b"),
        py::kw_only(), py::arg("q0") = 1.0, py::arg("c0") = 0.5, py::arg("networks") = 64, py::arg("pairs") = 4,
        py::arg("threads") = 0, py::arg("seed") = 0, py::arg("blocks") = 32, py::arg("c_star") = "auto",
        py::arg("q_tolerance") = 1e-2, py::arg("linear_cut") = 0.05, py::arg("noise_factor") = 3.0,
        R"doc(Input pairs of correlation c0 through `networks` random networks of shape (M, N, r)
(Model.shape) for each sigma_w (a number or a 1D array): `nnfield propagate` in memory.

Returns a dict with the names of the propagate file: sigma_w (S,), layer (M,); per-layer
(S, M) q, c, q11, q22, q12, dc, tangent and their *_error (jackknife); mean_field {q, c
(S, M), q_star, chi_1, c_star, chi_c, xi_c, chi_q, xi_q (S,)}; fit (|c - c*|) and
tangent_fit (g) {ok, first, last, slope, intercept, xi, chi (+ _error), note}, fit also
c_star, c_star_error, c_star_method; transition {ok, sigma_w, sigma_w_error,
sigma_w_mean_field, note}. c_star: 'auto', 'one', 'fitted' or 'mean_field'. The GIL is
released; results do not depend on `threads`.)doc");

  m.def("jackknife", &jackknife_py, py::arg("samples"), py::arg("f") = py::none(), py::arg("blocks") = 0,
        R"doc(samples (n,) or (n, p): n measurements of p observables. f: means (p,) -> values (k,)
(None: the means). Returns (values, errors), each (k,): value = f(all means), error by
the jackknife over `blocks` contiguous blocks of rows (0: delete-one).)doc");
  m.def("bootstrap", &bootstrap_py, py::arg("samples"), py::arg("f") = py::none(), py::arg("resamples") = 1000,
        py::arg("seed") = 0,
        "As jackknife; error = standard deviation of f over `resamples` bootstrap resamples of the rows "
        "(reproducible for a seed).");
  m.def(
      "jackknife_mean",
      [](const py::object& x) {
        const Estimate e = jackknife_mean(series_argument(x, 2));
        return py::make_tuple(e.value, e.error);
      },
      py::arg("x"), "(mean, error) of x (n,), n >= 2: the delete-one jackknife error = s / sqrt(n).");
  m.def(
      "bootstrap_mean",
      [](const py::object& x, int resamples, long long seed) {
        require_range(resamples, 2, 1 << 24, "resamples");
        const Estimate e = bootstrap_mean(series_argument(x, 1), resamples, seed_argument(seed, "seed"));
        return py::make_tuple(e.value, e.error);
      },
      py::arg("x"), py::arg("resamples") = 1000, py::arg("seed") = 0, "(mean, bootstrap error) of x (n,).");
  m.def("column_means_and_errors", &column_means_py, py::arg("samples"), py::arg("method") = "jackknife",
        py::arg("resamples") = 1000, py::arg("seed") = 0,
        "(means, errors) of the p columns of samples (n, p) ((n,): two floats); method 'jackknife' or 'bootstrap'.");

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
        R"doc(`nnfield ensemble` in memory: the model file `model` (a path; `overrides` a list of
'section.key=value') run once per seed (a list, or a str 'a:b' / 'a,b,c'), then ensemble
means over the complete runs. Returns a dict: seeds (per-seed summaries: seed, status,
final_loss, xi_y, ...), included (seeds averaged), time, correlator_time, means and
errors ({dataset name: array of the run's shape, e.g. '/trajectory/loss' (T,)}), notes,
interrupted, error_method. error: 'jackknife' or 'bootstrap' (seeded as the command line).)doc");
}

}  // namespace nnfield::python
