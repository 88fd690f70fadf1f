// The field limit against the networks it coarse-grains (compare.hpp, `nnfield compare`):
// nnfield.compare(model, ...) returns the same numbers the command prints and writes, as a
// dict of numpy arrays and strings.
#include <cmath>
#include <limits>

#include "bindings.hpp"
#include "nnfield/analysis/compare.hpp"
#include "nnfield/config/config.hpp"

namespace nnfield::python {

namespace {

py::dict fit_dict(const OrderFit& f) {
  py::dict d;
  d["pair_order"] = copy_array(f.pair_order);
  d["fitted"] = f.fitted;
  d["order"] = f.order;
  d["uncertainty"] = f.uncertainty;
  d["C"] = f.C;
  d["D"] = f.D;
  return d;
}

py::dict result_dict(const CompareResult& r) {
  py::dict out;
  out["times"] = copy_array(r.times);
  out["refine"] = name(r.refine);
  out["spacing"] = spacing_name(r.refine);
  std::vector<double> M, N, ax, ay, gain;
  for (const auto& l : r.levels) {
    M.push_back(l.M);
    N.push_back(l.N);
    ax.push_back(l.ax);
    ay.push_back(l.ay);
    gain.push_back(l.max_gain_over_ax);
  }
  out["M"] = copy_array(M);
  out["N"] = copy_array(N);
  out["ax"] = copy_array(ax);
  out["ay"] = copy_array(ay);
  out["network_max_gain_over_ax"] = copy_array(gain);
  py::list self_error;
  for (const auto& e : r.self_error) self_error.append(copy_array(e));
  out["self_error"] = self_error;  // [time] -> (L-1,)
  out["self_order"] = copy_array(r.self_order);
  out["self_fit"] = fit_dict(r.self_fit);
  out["self_verdict"] = r.self_verdict;
  if (r.exact_checked) out["exact_max_rel_diff"] = r.exact_max_rel_diff;
  py::dict studies;
  for (const auto& s : r.studies) {
    py::dict d;
    d["p"] = s.p;
    d["rx"] = s.rx;
    d["ry"] = s.ry;
    d["theoretical_order"] = s.theoretical_order;
    const std::size_t T = s.errors.size(), L = T ? s.errors[0].size() : 0;
    std::vector<double> e;  // (T, L, Q)
    for (const auto& per_time : s.errors)
      for (const auto& per_level : per_time)
        for (double v : per_level) e.push_back(v);
    d["error"] = adopt(std::move(e), {T, L, std::size_t(kCompareQuantities)});
    py::list names;
    py::dict fits, verdicts;
    for (int q = 0; q < kCompareQuantities; ++q) {
      names.append(kCompareQuantityNames[std::size_t(q)]);
      fits[kCompareQuantityNames[std::size_t(q)]] = fit_dict(s.fits[std::size_t(q)]);
      verdicts[kCompareQuantityNames[std::size_t(q)]] = s.verdicts[std::size_t(q)];
    }
    d["quantities"] = names;
    d["fits"] = fits;
    d["verdicts"] = verdicts;
    d["verdict"] = s.verdict;
    std::vector<double> oe;  // (1 + T, L), row 0 at t = 0
    for (const auto& per_time : s.output_error) oe.insert(oe.end(), per_time.begin(), per_time.end());
    d["output_error"] = adopt(std::move(oe), {s.output_error.size(), L});
    d["max_gain_over_ax"] = copy_array(s.max_gain_over_ax);
    d["left_critical_at"] = copy_array(s.left_critical_at);
    py::list notes;
    for (const auto& n : s.notes) notes.append(n);
    d["notes"] = notes;
    studies[py::str(s.name)] = d;
  }
  out["studies"] = studies;
  out["table"] = compare_table(r);
  return out;
}

std::vector<int> int_list(const py::object& v, const std::string& name) {
  std::vector<int> out;
  if (v.is_none()) return out;
  if (!py::hasattr(v, "__iter__")) throw py::type_error(name + ": expected a list of integers");
  for (py::handle h : v) {
    if (!py::isinstance<py::int_>(h)) throw py::type_error(name + ": expected a list of integers");
    out.push_back(h.cast<int>());
  }
  return out;
}

// coarsen: a list of R (rx = ry = R) or (RX, RY) pairs.
std::vector<Coarsening> coarsening_list(const py::object& v) {
  std::vector<Coarsening> out;
  if (v.is_none()) return out;
  const char* expected = "coarsen: expected a list of integers R or pairs (RX, RY)";
  if (!py::hasattr(v, "__iter__")) throw py::type_error(expected);
  for (py::handle h : v) {
    if (py::isinstance<py::int_>(h)) {
      out.push_back({h.cast<int>(), h.cast<int>()});
      continue;
    }
    const std::vector<int> pair = int_list(py::reinterpret_borrow<py::object>(h), "coarsen");
    if (pair.size() != 2) throw py::type_error(expected);
    out.push_back({pair[0], pair[1]});
  }
  return out;
}

CompareRefinement refinement(const std::string& text) {
  if (const auto refine = compare_refinement_named(text)) return *refine;
  throw py::value_error("refine: expected 'both', 'depth' or 'width', not '" + text + "'");
}

std::vector<double> float_list(const py::object& v, const std::string& name) {
  std::vector<double> out;
  if (v.is_none()) return out;
  if (!py::hasattr(v, "__iter__")) throw py::type_error(name + ": expected a list of numbers");
  for (py::handle h : v) out.push_back(py::cast<double>(h));
  return out;
}

py::dict compare_py(const py::object& model, int levels, const py::object& orders, const py::object& coarsen,
                    const py::object& times, const py::object& overrides, bool allow_unstable,
                    const std::string& refine) {
  const std::string path = path_argument(model, "model");
  if (levels < 2 || levels > 8) throw py::value_error("levels: expected 2 <= levels <= 8");
  CompareOptions o;
  o.levels = levels;
  o.refine = refinement(refine);
  if (!orders.is_none()) o.orders = int_list(orders, "orders");
  o.coarsen = coarsening_list(coarsen);
  o.times = float_list(times, "times");
  o.allow_unstable = allow_unstable;
  const ModelConfig config =
      load_model_file(path, override_list(overrides), UnreadKeys::refuse, ModelUse::compare(!o.coarsen.empty()));
  CompareResult result;
  run_interruptible([&](const std::atomic<bool>&) { result = run_compare(config, o); });
  return result_dict(result);
}

}  // namespace

void add_compare(py::module_& m) {
  m.def("compare", &compare_py, py::arg("model"), py::arg("levels") = 3, py::arg("orders") = py::none(),
        py::arg("coarsen") = py::none(), py::arg("times") = py::none(), py::arg("overrides") = py::none(),
        py::arg("allow_unstable") = false, py::arg("refine") = "both", R"doc(
The field solver against networks at refined spacings, as `nnfield compare` (docs/theory.md 4.5):
networks at (M 2^l, N 2^l), l < levels (refine="both"; "depth": M 2^l at fixed N, "width":
N 2^l at fixed M, orders then in ay), from the model's [continuum] data; the field theory
at each order p in `orders` (default [1, 2]) and coarse-graining in `coarsen`, each R
(rx = ry = R) or a pair (RX, RY) (default the model's (field.rx, field.ry)); relative L2
errors of the output response, phi, w and the adjoint at
`times` (default [t_end]); the network's self-convergence; fitted orders and verdicts.
`overrides`: a dict {'section.key': value} or a list of 'section.key=value', as Model.from_file.

    c = nnfield.compare("models/field_coarse.toml", levels=3, coarsen=[1, 8],
                        overrides={"network.M": 64, "network.N": 64})
    c["self_verdict"], c["studies"]["p2_r8"]["verdict"], c["studies"]["p2_r8"]["error"]  # (T, L, 4)
    print(c["table"])

Raises ValueError (as ConfigError) for a model that cannot be compared.)doc");
}

}  // namespace nnfield::python
