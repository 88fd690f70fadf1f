// Errors of means and of functions of means (statistics.hpp): jackknife, bootstrap, their
// means and column_means_and_errors. Samples are (n,) or (n, p): n measurements of p
// observables.
#include <cmath>
#include <memory>
#include <stdexcept>

#include "bindings.hpp"
#include "nnfield/numerics/statistics.hpp"

namespace nnfield::python {

namespace {

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

// A Python callable means (p,) -> values (k,) as a Statistic (called with the GIL held).
Statistic statistic_argument(const py::object& f, std::size_t p) {
  if (f.is_none()) return [](const std::vector<double>& means) { return means; };
  if (!PyCallable_Check(f.ptr())) throw py::type_error("f: expected a callable means -> values, or None");
  auto size = std::make_shared<std::size_t>(0);
  return [f, p, size](const std::vector<double>& means) {
    py::array_t<double> arg = copy_array(means, {p});
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

}  // namespace

void add_statistics(py::module_& m) {
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
}

}  // namespace nnfield::python
