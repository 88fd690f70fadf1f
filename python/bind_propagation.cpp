// Long-range order across depth (docs/theory.md section 5; docs/long-range-order.md): propagate
// (propagation.hpp) on numpy arrays. Per-layer arrays are (S, M): S sigma_w scan points,
// layer m = 1..M in row m-1, as in the file `nnfield propagate` writes (same names). It
// runs on a worker thread with the GIL released; Ctrl-C stops it and raises
// KeyboardInterrupt.
#include <atomic>
#include <cmath>
#include <stdexcept>

#include "bindings.hpp"
#include "nnfield/analysis/propagation.hpp"
#include "nnfield/io/series_sink.hpp"

namespace nnfield::python {

namespace {

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

// The arrays of the propagate file (write_propagation) as a dict: /q -> ["q"], /fit/ok ->
// ["fit"]["ok"]; beside them what a file keeps in attributes, as Python values.
py::dict scan_dict(const PropagationScan& scan) {
  MemoryRun file;
  write_propagation(scan, PropagationRecord{}, file);
  const std::vector<PropagationResult>& P = scan.points;
  py::dict d;
  d["shape"] = py::make_tuple(scan.shape.M, scan.shape.N, scan.shape.r);
  d["activation"] = activation_name(scan.activation);
  d["sigma_b"] = P.front().sigma_b;
  for (const std::string& name : file.names()) {
    if (name.rfind("/transition/", 0) == 0) continue;  // numbers, below
    const MemoryRun::Dataset& ds = file.dataset(name);
    py::array_t<double> a = copy_array(ds.data, ds.shape);
    const std::size_t slash = name.find('/', 1);
    if (slash == std::string::npos) {
      d[py::str(name.substr(1))] = a;
      continue;
    }
    const py::str group(name.substr(1, slash - 1));
    if (!d.contains(group)) d[group] = py::dict();
    py::dict g = d[group];
    g[py::str(name.substr(slash + 1))] = a;
  }
  py::list methods, c_notes, tangent_notes;
  for (const auto& p : P) {
    methods.append(fixed_point_method_name(p.c_star_method));
    c_notes.append(p.fit_c.note);
    tangent_notes.append(p.fit_tangent.note);
  }
  py::dict fit = d["fit"], tangent_fit = d["tangent_fit"];
  fit["note"] = c_notes;
  fit["c_star_method"] = methods;
  tangent_fit["note"] = tangent_notes;
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
  o.c0 = correlation_argument(c0, "c0");
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

}  // namespace

void add_propagation(py::module_& m) {
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
}

}  // namespace nnfield::python
