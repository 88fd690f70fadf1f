#include "nnfield/bbd/bbd_lagrangian.hpp"

namespace nnfield {

LagrangianParts bbd_lagrangian(const BbdKinematics& k, const double* Wd, const double* bd, double loss) {
  return bbd_lagrangian(k, Wd, bd, loss, WidthHalo(k.shape.N, k.shape.r));
}

LagrangianParts bbd_lagrangian(const BbdKinematics& k, const double* Wd, const double* bd, double loss,
                               const WidthHalo& halo) {
  const NetworkShape& s = k.shape;
  const int M = s.M, N = s.N;
  const std::size_t line_w = std::size_t(N) * std::size_t(s.K());
  // Every sum runs over (lines, width) arrays in the one-process order, line by line
  // (WidthHalo::sum_over_lines: through the blocks in width order when split).
  const auto squares = [](const double* v, std::size_t line) {
    return [v, line](double sum, int l) {
      for (std::size_t j = std::size_t(l) * line; j < std::size_t(l + 1) * line; ++j) sum += v[j] * v[j];
      return sum;
    };
  };
  LagrangianParts L;
  const double w2 = halo.sum_over_lines(0.0, M, squares(Wd, line_w));
  const double b2 = halo.sum_over_lines(0.0, M, squares(bd, std::size_t(N)));
  L.total = 0.5 * w2 + 0.5 * b2 - loss;

  L.bulk = halo.sum_over_lines(0.5 * w2, M, [&](double bulk, int l) {
    const int m = l + 1;
    for (int i = 0; i < N; ++i) bulk += 0.5 * k.layer(k.zd, m, i) * k.layer(k.zd, m, i);
    return bulk;
  });
  L.bulk = halo.sum_over_lines(L.bulk, M - 1, [&](double bulk, int l) {
    const int m = l + 1;
    for (int a = 0; a < N; ++a) {
      const double U = k.Ud[s.b_index(m, a)];
      bulk += -k.layer(k.zd, m + 1, a) * U + 0.5 * U * U;
    }
    return bulk;
  });
  L.boundary = halo.sum_over_lines(-loss, 1, [&](double boundary, int) {
    for (int a = 0; a < N; ++a) {
      const double U = k.Ud[s.b_index(0, a)];
      boundary += 0.5 * U * U - k.layer(k.zd, 1, a) * U;
    }
    return boundary;
  });
  return L;
}

}  // namespace nnfield
