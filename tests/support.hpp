#pragma once
// Small helpers shared by the tests: a default model, random parameters, norms.
#include <algorithm>
#include <cmath>
#include <vector>

#include "nnfield/config/config.hpp"
#include "nnfield/numerics/rng.hpp"

namespace nnfield::test {

inline ModelConfig small_model(int M = 4, int N = 8, int r = 1) {
  ModelConfig c;
  c.network.shape = {M, N, r};
  c.source_path = "<test>";
  c.seed = 7;
  c.data.source = DataSource::teacher;
  c.data.samples = 4;
  c.data.teacher.sigma_w = 1.5;
  return c;
}

inline std::vector<double> normal_vector(std::size_t n, double scale, std::uint64_t seed) {
  Rng rng(seed);
  std::vector<double> v(n);
  for (auto& x : v) x = scale * rng.normal();
  return v;
}

inline double max_abs(const std::vector<double>& v) {
  double m = 0.0;
  for (double x : v) m = std::max(m, std::fabs(x));
  return m;
}

inline double max_abs_diff(const double* a, const double* b, std::size_t n) {
  double m = 0.0;
  for (std::size_t i = 0; i < n; ++i) m = std::max(m, std::fabs(a[i] - b[i]));
  return m;
}

}  // namespace nnfield::test
