// Correlators (docs/theory.md section 5; docs/correlators.md) on numpy arrays: the functions of
// correlators.hpp, and their O(N^2) direct sums (correlators_direct.hpp) in the
// submodule nnfield.direct, the reference the FFT versions are tested against.
//
// A field phi is (S, M, N): S samples (times, seeds: what <.> averages over), M depth
// layers, N periodic width sites; (M, N) is one sample. `mean` names the MeanSubtraction:
// "none" (full), "configuration" (width mean of each sample and layer), "ensemble"
// (site-wise mean over the samples).
#include "bindings.hpp"
#include "nnfield/correlators/correlators.hpp"
#include "nnfield/correlators/correlators_direct.hpp"

namespace nnfield::python {

namespace {

struct Field {
  DoubleArray phi;
  std::size_t S = 1, M = 0, N = 0;
  bool batched = false;  // given as (S, M, N)
};

Field field_argument(const py::object& value, const std::string& name) {
  Field f;
  f.phi = to_double_array(value, name);
  if (f.phi.ndim() == 2) {
    f.M = std::size_t(f.phi.shape(0));
    f.N = std::size_t(f.phi.shape(1));
  } else if (f.phi.ndim() == 3) {
    f.batched = true;
    f.S = std::size_t(f.phi.shape(0));
    f.M = std::size_t(f.phi.shape(1));
    f.N = std::size_t(f.phi.shape(2));
  } else {
    throw py::value_error(name + ": expected shape (S, M, N) or (M, N), got " + shape_text(f.phi));
  }
  if (f.S < 1 || f.M < 1 || f.N < 1)
    throw py::value_error(name + ": expected shape (S, M, N) or (M, N) with S, M, N >= 1, got " + shape_text(f.phi));
  return f;
}

MeanSubtraction mean_argument(const std::string& name) {
  try {
    return parse_mean_subtraction(name);
  } catch (const std::invalid_argument& e) {
    throw py::value_error(e.what());
  }
}

std::size_t half(std::size_t N) { return N / 2 + 1; }

using WidthFn = void (*)(const double*, std::size_t, std::size_t, std::size_t, MeanSubtraction, double*, double*);

py::tuple width(WidthFn fn, const py::object& phi_, const std::string& mean) {
  const Field f = field_argument(phi_, "phi");
  const MeanSubtraction sub = mean_argument(mean);
  std::vector<double> C(f.M * f.N), Sk(f.M * half(f.N));
  {
    py::gil_scoped_release release;
    fn(f.phi.data(), f.S, f.M, f.N, sub, C.data(), Sk.data());
  }
  return py::make_tuple(adopt(std::move(C), {f.M, f.N}), adopt(std::move(Sk), {f.M, half(f.N)}));
}

py::tuple width_each(const py::object& phi_, const std::string& mean) {
  const Field f = field_argument(phi_, "phi");
  const MeanSubtraction sub = mean_argument(mean);
  std::vector<double> C(f.S * f.M * f.N), Sk(f.S * f.M * half(f.N));
  {
    py::gil_scoped_release release;
    width_correlators_each(f.phi.data(), f.S, f.M, f.N, sub, C.data(), Sk.data());
  }
  std::vector<std::size_t> c_shape{f.M, f.N}, s_shape{f.M, half(f.N)};
  if (f.batched) {
    c_shape.insert(c_shape.begin(), f.S);
    s_shape.insert(s_shape.begin(), f.S);
  }
  return py::make_tuple(adopt(std::move(C), c_shape), adopt(std::move(Sk), s_shape));
}

py::object xi(const py::object& Sk_, py::ssize_t N) {
  const DoubleArray Sk = to_double_array(Sk_, "Sk");
  if (N < 2) throw py::value_error("N: the width must be >= 2 (k_min = 2 pi / N), got " + std::to_string(N));
  const py::ssize_t Q = N / 2 + 1;
  if (Sk.ndim() == 1) {
    require_shape(Sk, "Sk", {Q}, "(N/2+1,)");
    return py::float_(second_moment_xi(Sk.data(), std::size_t(N)));
  }
  if (Sk.ndim() != 2 || Sk.shape(0) < 1)
    throw py::value_error("Sk: expected shape (N/2+1,) or (M, N/2+1) with N/2+1 = " + std::to_string(Q) + ", got " +
                          shape_text(Sk));
  require_shape(Sk, "Sk", {Sk.shape(0), Q}, "(M, N/2+1)");
  const std::size_t M = std::size_t(Sk.shape(0));
  std::vector<double> out(M);
  second_moment_xi(Sk.data(), M, std::size_t(N), out.data());
  return adopt(std::move(out), {M});
}

py::array_t<double> depth(const py::object& phi_, const std::string& mean) {
  const Field f = field_argument(phi_, "phi");
  const MeanSubtraction sub = mean_argument(mean);
  std::vector<double> C(f.M * f.M);
  {
    py::gil_scoped_release release;
    depth_correlator(f.phi.data(), f.S, f.M, f.N, sub, C.data());
  }
  return adopt(std::move(C), {f.M, f.M});
}

using CrossFn = void (*)(const double*, const double*, std::size_t, std::size_t, std::size_t, std::size_t,
                         MeanSubtraction, double*);

py::array_t<double> input_cross(CrossFn fn, const py::object& phi_, const py::object& X_, const std::string& mean) {
  const Field f = field_argument(phi_, "phi");
  const DoubleArray X = to_double_array(X_, "X");
  std::size_t SX = 0;
  if (X.ndim() == 1 && std::size_t(X.shape(0)) == f.N) SX = 1;
  if (X.ndim() == 2 && std::size_t(X.shape(1)) == f.N && (X.shape(0) == 1 || std::size_t(X.shape(0)) == f.S))
    SX = std::size_t(X.shape(0));
  if (SX == 0)
    throw py::value_error("X: expected shape (N,), (1, N) or (S, N) with S = " + std::to_string(f.S) +
                          ", N = " + std::to_string(f.N) + " as phi, got " + shape_text(X));
  const MeanSubtraction sub = mean_argument(mean);
  std::vector<double> C(f.M * f.N);
  {
    py::gil_scoped_release release;
    fn(f.phi.data(), X.data(), f.S, SX, f.M, f.N, sub, C.data());
  }
  return adopt(std::move(C), {f.M, f.N});
}

using TwoDFn = void (*)(const double*, std::size_t, std::size_t, std::size_t, MeanSubtraction, double*);

py::array_t<double> two_d(TwoDFn fn, const py::object& phi_, const std::string& mean) {
  const Field f = field_argument(phi_, "phi");
  const MeanSubtraction sub = mean_argument(mean);
  std::vector<double> C(f.M * f.M * f.N);
  {
    py::gil_scoped_release release;
    fn(f.phi.data(), f.S, f.M, f.N, sub, C.data());
  }
  return adopt(std::move(C), {f.M, f.M, f.N});
}

// a (T,) or (T, P): the series and its shape.
DoubleArray series_argument(const py::object& value, const std::string& name, std::size_t& T, std::size_t& P) {
  DoubleArray a = to_double_array(value, name);
  if ((a.ndim() != 1 && a.ndim() != 2) || a.shape(0) < 1 || (a.ndim() == 2 && a.shape(1) < 1))
    throw py::value_error(name + ": expected shape (T,) or (T, P) with T, P >= 1, got " + shape_text(a));
  T = std::size_t(a.shape(0));
  P = a.ndim() == 2 ? std::size_t(a.shape(1)) : 1;
  return a;
}

using TimeFn = void (*)(const double*, std::size_t, std::size_t, double*);

py::array_t<double> autocovariance(TimeFn fn, const py::object& a_) {
  std::size_t T = 0, P = 0;
  const DoubleArray a = series_argument(a_, "a", T, P);
  std::vector<double> gamma(T * P);
  {
    py::gil_scoped_release release;
    fn(a.data(), T, P, gamma.data());
  }
  return adopt(std::move(gamma), a.ndim() == 1 ? std::vector<std::size_t>{T} : std::vector<std::size_t>{T, P});
}

py::dict tau_int(const py::object& gamma_, double c) {
  std::size_t T = 0, P = 0;
  const DoubleArray gamma = series_argument(gamma_, "gamma", T, P);
  if (!(c > 0)) throw py::value_error("c: the window constant must be > 0");
  const std::vector<IntegratedTime> times = integrated_autocorrelation_times(gamma.data(), T, P, c);
  py::dict out;
  if (gamma.ndim() == 1) {
    const IntegratedTime& t = times.front();
    out["tau_int"] = t.tau_int;
    out["error"] = t.error;
    out["window"] = t.window;
    out["converged"] = t.converged;
    return out;
  }
  std::vector<double> tau(P), error(P);
  py::array_t<long long> window{py::ssize_t(P)};
  py::array_t<bool> converged{py::ssize_t(P)};
  for (std::size_t p = 0; p < P; ++p) {
    tau[p] = times[p].tau_int;
    error[p] = times[p].error;
    window.mutable_at(py::ssize_t(p)) = static_cast<long long>(times[p].window);
    converged.mutable_at(py::ssize_t(p)) = times[p].converged;
  }
  out["tau_int"] = adopt(std::move(tau), {P});
  out["error"] = adopt(std::move(error), {P});
  out["window"] = window;
  out["converged"] = converged;
  return out;
}

const char* const kMeanDoc =
    "mean: 'none' (full correlator), 'configuration' (subtract each sample's width mean per layer: "
    "connected, S(0) = 0) or 'ensemble' (subtract the site-wise mean over the S samples).";

}  // namespace

void add_correlators(py::module_& m) {
  py::list names;
  for (MeanSubtraction s : {MeanSubtraction::none, MeanSubtraction::configuration, MeanSubtraction::ensemble})
    names.append(mean_subtraction_name(s));
  m.attr("mean_subtractions") = py::tuple(names);

  m.def(
      "width_correlators", [](const py::object& phi, const std::string& mean) {
        return width(&nnfield::width_correlators, phi, mean);
      },
      py::arg("phi"), py::arg("mean") = "none",
      (std::string(R"doc(Width two-point function and structure factor per depth layer (by FFT), averaged over samples.
phi (S, M, N) or (M, N) -> (C, Sk): C (M, N), C[m, d] = (1/N) sum_i <dphi^(m)_i dphi^(m)_{i+d}>;
Sk (M, N/2+1), Sk[m, q] = <|dphi~^(m)(k_q)|^2> / N, k_q = 2 pi q / N.
)doc") + kMeanDoc).c_str());
  m.def("width_correlators_each", &width_each, py::arg("phi"), py::arg("mean") = "none",
        (std::string("As width_correlators for every sample alone: phi (S, M, N) -> C (S, M, N), Sk (S, M, N/2+1) "
                     "('ensemble' still subtracts the mean over all samples). ") +
         kMeanDoc)
            .c_str());
  m.def("second_moment_xi", &xi, py::arg("Sk"), py::arg("N"),
        R"doc(Second-moment correlation length along width, in lattice units:
xi_y = sqrt(S(0)/S(k_min) - 1) / (2 sin(pi/N)). Sk (N/2+1,) -> float, or (M, N/2+1) -> (M,).
N is needed (N/2+1 does not determine it). NaN when there is no positive length (e.g. a
connected S, whose S(0) = 0).)doc");
  m.def("depth_correlator", &depth, py::arg("phi"), py::arg("mean") = "none",
        (std::string("C(m, m') = (1/N) sum_i <dphi^(m)_i dphi^(m')_i>: phi (S, M, N) or (M, N) -> (M, M), by direct "
                     "sums (depth is not periodic). ") +
         kMeanDoc)
            .c_str());
  m.def(
      "input_cross_correlator",
      [](const py::object& phi, const py::object& X, const std::string& mean) {
        return input_cross(&nnfield::input_cross_correlator, phi, X, mean);
      },
      py::arg("phi"), py::arg("X"), py::arg("mean") = "none",
      (std::string("C_X(m, d) = (1/N) sum_i <dX_i dphi^(m)_{i+d}> with the input boundary X: (S, N) (one input "
                   "per sample) or (N,) / (1, N) (the same for all) -> (M, N). X gets the same mean subtraction. ") +
       kMeanDoc)
          .c_str());
  m.def(
      "correlator_2d",
      [](const py::object& phi, const std::string& mean) { return two_d(&nnfield::correlator_2d, phi, mean); },
      py::arg("phi"), py::arg("mean") = "none",
      (std::string("C(m, m', d) = (1/N) sum_i <dphi^(m)_i dphi^(m')_{i+d}>: (M, M, N); FFT along width, direct "
                   "sums along depth. ") +
       kMeanDoc)
          .c_str());
  m.def(
      "time_autocovariance",
      [](const py::object& a) { return autocovariance(&nnfield::time_autocovariance, a); }, py::arg("a"),
      R"doc(Autocovariance along training time: a (T,) or (T, P) -> gamma of the same shape,
gamma[tau] = 1/(T - tau) sum_t da(t) da(t + tau), da = a minus its time mean; zero-padded FFT
(no lag wraps around). rho = gamma / gamma[0].)doc");
  m.def("integrated_autocorrelation_time", &tau_int, py::arg("gamma"), py::arg("c") = kSokalWindowConstant,
        R"doc(Integrated autocorrelation time with Sokal's automatic window (tau_int(W) = 1/2 + sum_{t<=W} rho(t),
W the smallest lag with W >= c tau_int(W)), from an autocovariance gamma (T,) or (T, P).
Returns dict(tau_int, error, window, converged): floats for (T,), arrays (P,) for (T, P).
tau_int is in rows; error = tau_int sqrt(2 (2W + 1) / T).)doc");

  py::module_ d = m.def_submodule(
      "direct", "The correlators as the O(N^2) / O(T^2) sums of their definitions, no FFT: the slow reference of "
                "the functions of the same names in nnfield (same arguments and results).");
  d.def(
      "width_correlators", [](const py::object& phi, const std::string& mean) {
        return width(&nnfield::direct::width_correlators, phi, mean);
      },
      py::arg("phi"), py::arg("mean") = "none", "Direct sums of nnfield.width_correlators.");
  d.def(
      "input_cross_correlator",
      [](const py::object& phi, const py::object& X, const std::string& mean) {
        return input_cross(&nnfield::direct::input_cross_correlator, phi, X, mean);
      },
      py::arg("phi"), py::arg("X"), py::arg("mean") = "none", "Direct sums of nnfield.input_cross_correlator.");
  d.def(
      "correlator_2d",
      [](const py::object& phi, const std::string& mean) {
        return two_d(&nnfield::direct::correlator_2d, phi, mean);
      },
      py::arg("phi"), py::arg("mean") = "none", "Direct sums of nnfield.correlator_2d.");
  d.def(
      "time_autocovariance", [](const py::object& a) { return autocovariance(&nnfield::direct::time_autocovariance, a); },
      py::arg("a"), "Direct sums of nnfield.time_autocovariance.");
}

}  // namespace nnfield::python
