#include "nnfield/bbd/bbd_lagrangian.hpp"

namespace nnfield {

LagrangianParts bbd_lagrangian(const BbdKinematics& k, const double* Wd, const double* bd, double loss) {
  const NetworkShape& s = k.shape;
  const int M = s.M, N = s.N;
  LagrangianParts L;
  double w2 = 0.0, b2 = 0.0;
  for (std::size_t j = 0; j < s.num_weights(); ++j) w2 += Wd[j] * Wd[j];
  for (std::size_t j = 0; j < s.num_biases(); ++j) b2 += bd[j] * bd[j];
  L.total = 0.5 * w2 + 0.5 * b2 - loss;

  L.bulk = 0.5 * w2;
  for (int m = 1; m <= M; ++m)
    for (int i = 0; i < N; ++i) L.bulk += 0.5 * k.layer(k.zd, m, i) * k.layer(k.zd, m, i);
  for (int m = 1; m < M; ++m)
    for (int a = 0; a < N; ++a) {
      const double U = k.Ud[s.b_index(m, a)];
      L.bulk += -k.layer(k.zd, m + 1, a) * U + 0.5 * U * U;
    }
  L.boundary = -loss;
  for (int a = 0; a < N; ++a) {
    const double U = k.Ud[s.b_index(0, a)];
    L.boundary += 0.5 * U * U - k.layer(k.zd, 1, a) * U;
  }
  return L;
}

}  // namespace nnfield
