#pragma once
// Ensemble statistics: means with jackknife or bootstrap errors (docs/theory.md section 5,
// "Ensembles"). Samples are n independent measurements (seeds, networks) of p
// observables, stored row-major (n, p). Errors of derived quantities (ratios, fits,
// correlation lengths) come from re-evaluating the derivation on resampled means, so
// correlations between the p observables are carried through.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace nnfield {

struct Estimate {
  double value = 0.0;
  double error = 0.0;
};

double mean(const std::vector<double>& x);
// Unbiased sample variance (divides by n - 1); 0 for n < 2.
double sample_variance(const std::vector<double>& x);

// The mean with its delete-one jackknife error sqrt((n-1)/n sum_i (mean_(i) - mean)^2),
// which for the mean equals the standard error s / sqrt(n).
Estimate jackknife_mean(const std::vector<double>& x);
// The mean with the standard deviation of `resamples` bootstrap means (rows drawn with
// replacement by Rng(seed)).
Estimate bootstrap_mean(const std::vector<double>& x, int resamples, std::uint64_t seed);

// A derived quantity: the p column means -> any number of values.
using Statistic = std::function<std::vector<double>(const std::vector<double>& means)>;

// value = f(means of all n rows) (not bias-corrected); error by the jackknife over `blocks`
// contiguous blocks of rows (0 or >= n: delete-one): with f_b = f(means without block b),
// error^2 = (B-1)/B sum_b (f_b - mean_b f_b)^2. Blocks of unequal size (n not a multiple of
// B) differ by at most one row.
std::vector<Estimate> jackknife(const std::vector<double>& samples, std::size_t n, std::size_t p,
                                const Statistic& f, std::size_t blocks = 0);
// value = f(means of all rows); error = standard deviation of f over `resamples` bootstrap
// resamples of the rows (Rng(seed): reproducible).
std::vector<Estimate> bootstrap(const std::vector<double>& samples, std::size_t n, std::size_t p,
                                const Statistic& f, int resamples, std::uint64_t seed);

// Column means and errors of the mean for each of the p columns (arrays measured per seed).
enum class ErrorMethod { jackknife, bootstrap };
ErrorMethod error_method_from_name(std::string_view name);  // throws std::invalid_argument
std::string error_method_name(ErrorMethod method);

struct ErrorOptions {
  ErrorMethod method = ErrorMethod::jackknife;
  int resamples = 1000;     // bootstrap
  std::uint64_t seed = 0;   // bootstrap
};
void column_means_and_errors(const std::vector<double>& samples, std::size_t n, std::size_t p,
                             const ErrorOptions& options, std::vector<double>& means,
                             std::vector<double>& errors);
// The same options applied to a derived quantity (dispatches to jackknife or bootstrap).
std::vector<Estimate> resampled(const std::vector<double>& samples, std::size_t n, std::size_t p,
                                const Statistic& f, const ErrorOptions& options);

}  // namespace nnfield
