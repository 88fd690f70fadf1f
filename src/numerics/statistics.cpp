#include "nnfield/numerics/statistics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "nnfield/numerics/rng.hpp"

namespace nnfield {

namespace {

void require_shape(const std::vector<double>& samples, std::size_t n, std::size_t p) {
  if (samples.size() != n * p)
    throw std::invalid_argument("statistics: " + std::to_string(samples.size()) + " samples, expected n*p = " +
                                std::to_string(n) + "*" + std::to_string(p));
  if (n == 0) throw std::invalid_argument("statistics: no samples");
}

// Column sums of rows [begin, end).
void add_rows(const std::vector<double>& samples, std::size_t p, std::size_t begin, std::size_t end,
              std::vector<double>& sums) {
  for (std::size_t s = begin; s < end; ++s)
    for (std::size_t j = 0; j < p; ++j) sums[j] += samples[s * p + j];
}

// Accumulates the spread of replicas f_r of a derived quantity around its full-sample
// value, one replica at a time (a bootstrap of a (T, M, N) correlator would not fit in
// memory as a list of replicas). Shifted sums: with d = f_r - full,
// sum (f_r - mean_r f_r)^2 = sum d^2 - (sum d)^2 / R.
class Spread {
 public:
  explicit Spread(std::vector<double> full) : m_full(std::move(full)), m_sum(m_full.size()), m_sum2(m_full.size()) {}
  void add(const std::vector<double>& replica) {
    if (replica.size() != m_full.size()) throw std::logic_error("statistic changed its output size");
    for (std::size_t k = 0; k < m_full.size(); ++k) {
      const double d = replica[k] - m_full[k];
      m_sum[k] += d;
      m_sum2[k] += d * d;
    }
    ++m_count;
  }
  // error^2 = factor * sum (f_r - mean)^2 / divisor
  std::vector<Estimate> result(double factor, double divisor) const {
    std::vector<Estimate> out(m_full.size());
    for (std::size_t k = 0; k < m_full.size(); ++k) {
      out[k].value = m_full[k];
      if (m_count > 1) {
        // NaN in the full value or in any replica (an undefined statistic) stays NaN.
        const double ss = m_sum2[k] - m_sum[k] * m_sum[k] / double(m_count);
        out[k].error = std::isnan(ss) || std::isnan(m_full[k]) ? std::numeric_limits<double>::quiet_NaN()
                                                               : std::sqrt(factor * std::max(0.0, ss) / divisor);
      }
    }
    return out;
  }

 private:
  std::vector<double> m_full, m_sum, m_sum2;
  long m_count = 0;
};

}  // namespace

double mean(const std::vector<double>& x) {
  if (x.empty()) throw std::invalid_argument("mean of no samples");
  double s = 0.0;
  for (double v : x) s += v;
  return s / double(x.size());
}

double sample_variance(const std::vector<double>& x) {
  if (x.size() < 2) return 0.0;
  const double m = mean(x);
  double ss = 0.0;
  for (double v : x) ss += (v - m) * (v - m);
  return ss / double(x.size() - 1);
}

Estimate jackknife_mean(const std::vector<double>& x) {
  const auto f = [](const std::vector<double>& m) { return m; };
  return jackknife(x, x.size(), 1, f).at(0);
}

Estimate bootstrap_mean(const std::vector<double>& x, int resamples, std::uint64_t seed) {
  const auto f = [](const std::vector<double>& m) { return m; };
  return bootstrap(x, x.size(), 1, f, resamples, seed).at(0);
}

std::vector<Estimate> jackknife(const std::vector<double>& samples, std::size_t n, std::size_t p,
                                const Statistic& f, std::size_t blocks) {
  require_shape(samples, n, p);
  const std::size_t B = (blocks == 0 || blocks >= n) ? n : blocks;
  std::vector<double> total(p, 0.0);
  add_rows(samples, p, 0, n, total);
  std::vector<double> means(p);
  for (std::size_t j = 0; j < p; ++j) means[j] = total[j] / double(n);
  Spread spread(f(means));
  if (B < 2) return spread.result(0.0, 1.0);
  for (std::size_t b = 0; b < B; ++b) {
    const std::size_t begin = b * n / B, end = (b + 1) * n / B;
    std::vector<double> block(p, 0.0);
    add_rows(samples, p, begin, end, block);
    for (std::size_t j = 0; j < p; ++j) means[j] = (total[j] - block[j]) / double(n - (end - begin));
    spread.add(f(means));
  }
  return spread.result(double(B - 1), double(B));
}

std::vector<Estimate> bootstrap(const std::vector<double>& samples, std::size_t n, std::size_t p,
                                const Statistic& f, int resamples, std::uint64_t seed) {
  require_shape(samples, n, p);
  if (resamples < 2) throw std::invalid_argument("bootstrap needs at least 2 resamples");
  std::vector<double> means(p, 0.0);
  add_rows(samples, p, 0, n, means);
  for (double& m : means) m /= double(n);
  Spread spread(f(means));
  Rng rng(seed);
  for (int r = 0; r < resamples; ++r) {
    std::fill(means.begin(), means.end(), 0.0);
    for (std::size_t s = 0; s < n; ++s) {
      const std::size_t row = rng.index(n);
      add_rows(samples, p, row, row + 1, means);
    }
    for (double& m : means) m /= double(n);
    spread.add(f(means));
  }
  return spread.result(1.0, double(resamples - 1));
}

ErrorMethod error_method_from_name(std::string_view name) {
  if (name == "jackknife") return ErrorMethod::jackknife;
  if (name == "bootstrap") return ErrorMethod::bootstrap;
  throw std::invalid_argument("unknown error method '" + std::string(name) + "' (valid: jackknife, bootstrap)");
}

std::string error_method_name(ErrorMethod method) {
  return method == ErrorMethod::jackknife ? "jackknife" : "bootstrap";
}

void column_means_and_errors(const std::vector<double>& samples, std::size_t n, std::size_t p,
                             const ErrorOptions& options, std::vector<double>& means, std::vector<double>& errors) {
  const std::vector<Estimate> e = resampled(samples, n, p, [](const std::vector<double>& m) { return m; }, options);
  means.resize(p);
  errors.resize(p);
  for (std::size_t j = 0; j < p; ++j) {
    means[j] = e[j].value;
    errors[j] = e[j].error;
  }
}

std::vector<Estimate> resampled(const std::vector<double>& samples, std::size_t n, std::size_t p,
                                const Statistic& f, const ErrorOptions& options) {
  return options.method == ErrorMethod::jackknife ? jackknife(samples, n, p, f)
                                                  : bootstrap(samples, n, p, f, options.resamples, options.seed);
}

}  // namespace nnfield
