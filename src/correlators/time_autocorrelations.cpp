// The time autocorrelations of a run's layer means and loss (time_autocorrelations.hpp).
#include "nnfield/correlators/time_autocorrelations.hpp"

#include <limits>
#include <utility>

#include "nnfield/correlators/correlators.hpp"

namespace nnfield {

namespace {

// Normalised autocorrelations rho(tau) (T, P) of P series a (T, P) and their tau_int.
void add_autocorrelation(std::vector<NamedArray>& arrays, const std::string& name, const std::vector<double>& a,
                         std::size_t T, std::vector<std::size_t> series_shape, const std::string& series_order,
                         const std::string& what) {
  std::size_t P = 1;
  for (std::size_t d : series_shape) P *= d;
  std::vector<double> rho(T * P);
  time_autocovariance(a.data(), T, P, rho.data());
  const std::vector<IntegratedTime> tau = integrated_autocorrelation_times(rho.data(), T, P);
  for (std::size_t p = 0; p < P; ++p) {
    const double g0 = rho[p];
    for (std::size_t t = 0; t < T; ++t)
      rho[t * P + p] = g0 > 0.0 ? rho[t * P + p] / g0 : std::numeric_limits<double>::quiet_NaN();
  }
  std::vector<double> tau_int(P), error(P), window(P), converged(P);
  for (std::size_t p = 0; p < P; ++p) {
    tau_int[p] = tau[p].tau_int;
    error[p] = tau[p].error;
    window[p] = double(tau[p].window);
    converged[p] = tau[p].converged ? 1.0 : 0.0;
  }
  const std::string order = series_order.empty() ? "lag" : "lag," + series_order;
  const std::string scalar_order = series_order.empty() ? "scalar" : series_order;
  std::vector<std::size_t> shape{T};
  shape.insert(shape.end(), series_shape.begin(), series_shape.end());
  const std::string base = "/autocorrelation/" + name;
  arrays.push_back({base, shape, std::move(rho), order,
                           "rho(tau) = Gamma(tau)/Gamma(0) of " + what +
                               " along the selected rows, lag tau in rows (non-periodic estimator, zero-padded FFT)"});
  arrays.push_back({base + "_tau_int", series_shape, std::move(tau_int), scalar_order,
                           "integrated autocorrelation time of " + what +
                               " in rows, automatic window: the smallest W >= c tau_int(W) (c = sokal_window_constant)"});
  arrays.push_back({base + "_tau_int_error", series_shape, std::move(error), scalar_order,
                           "Madras-Sokal error tau_int sqrt(2 (2W + 1)/T)"});
  arrays.push_back(
      {base + "_window", series_shape, std::move(window), scalar_order, "the window W (rows)", integer_values()});
  arrays.push_back({base + "_converged", series_shape, std::move(converged), scalar_order,
                           "1 if a window W < T met W >= c tau_int(W), else 0 (series too short)", integer_values()});
}

}  // namespace

std::vector<NamedArray> time_autocorrelation_arrays(const std::vector<double>& layer_means,
                                                    const std::vector<double>& loss, std::size_t T, std::size_t C,
                                                    std::size_t M) {
  std::vector<NamedArray> arrays;
  std::vector<std::size_t> series_shape{M};
  std::string series_order = "M";
  if (C > 1) {
    series_shape.insert(series_shape.begin(), C);
    series_order = "K,M";
  }
  add_autocorrelation(arrays, "layer_mean", layer_means, T, series_shape, series_order,
                      "the layer width mean (1/N) sum_i phi^(m)_i");
  if (!loss.empty()) add_autocorrelation(arrays, "loss", loss, T, {}, "", "the loss /trajectory/loss");
  return arrays;
}

}  // namespace nnfield
