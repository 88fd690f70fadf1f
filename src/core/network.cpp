// Forward pass and backpropagation of the locally connected network (docs/theory.md section 1).
// Workspace layout is (site, sample) with the sample innermost, so every stencil
// loop runs contiguously over the batch. h^(m) carries r ghost rows on each side
// holding the periodic images, so the stencil never computes a modulo.
#include "nnfield/core/network.hpp"

#include <algorithm>

namespace nnfield {

Network::Network(NetworkShape shape, Activation activation, Loss loss)
    : m_shape(shape), m_stencil(shape), m_activation(activation), m_loss(loss) {
  reserve(1);
}

void Network::reserve(int B) {
  if (B <= m_capacity) return;
  const std::size_t M = std::size_t(m_shape.M), N = std::size_t(m_shape.N), r = std::size_t(m_shape.r);
  const std::size_t nb = N * std::size_t(B), padded = (N + 2 * r) * std::size_t(B);
  m_z.assign(M + 1, std::vector<double>(nb));
  m_hpad.assign(M, std::vector<double>(padded));
  m_dsigma.assign(M, std::vector<double>(nb));
  m_delta.assign(nb, 0.0);
  m_delta_next.assign(nb, 0.0);
  m_gpad.assign(padded, 0.0);
  m_capacity = B;
}

void Network::forward(const double* W, const double* b, const double* X, int B) {
  reserve(B);
  m_B = B;
  const int M = m_shape.M, N = m_shape.N, r = m_shape.r;
  const std::size_t nb = std::size_t(N) * std::size_t(B);

  // h^(0) = X, transposed from (B, N) into (site, sample).
  double* h0 = m_hpad[0].data() + std::size_t(r) * B;
  for (int s = 0; s < B; ++s)
    for (int i = 0; i < N; ++i) h0[std::size_t(i) * B + s] = X[std::size_t(s) * N + i];
  m_stencil.fill_ghost_rows(m_hpad[0].data(), B);

  for (int m = 0; m < M; ++m) {
    const double* hpad = m_hpad[std::size_t(m)].data();
    double* z = m_z[std::size_t(m) + 1].data();
    const double* Wm = W + m_shape.w_index(m, 0, 0);
    const double* bm = b + m_shape.b_index(m, 0);
    // z^(m+1)_i = sum_k W[m,i,k] h^(m)_{i+k-r} + b[m,i]   (Eq. 1)
    m_stencil.apply_padded(Wm, bm, hpad, z, B);
    if (m + 1 < M) {  // h^(m+1) = sigma(z^(m+1)); the output layer has no activation
      double* hnext = m_hpad[std::size_t(m) + 1].data();
      sigma_and_d1(m_activation, z, hnext + std::size_t(r) * B, m_dsigma[std::size_t(m) + 1].data(), nb);
      m_stencil.fill_ghost_rows(hnext, B);
    }
  }
}

void Network::neurons(int s, double* z_out) const {
  const int M = m_shape.M, N = m_shape.N;
  for (int m = 1; m <= M; ++m)
    for (int i = 0; i < N; ++i) z_out[std::size_t(m - 1) * N + i] = z(m, s, i);
}

void Network::output(double* Z) const {
  const int N = m_shape.N;
  for (int s = 0; s < m_B; ++s)
    for (int i = 0; i < N; ++i) Z[std::size_t(s) * N + i] = z(m_shape.M, s, i);
}

double Network::loss(const double* Y) const {
  const int N = m_shape.N;
  double total = 0.0;
  for (int s = 0; s < m_B; ++s)
    for (int i = 0; i < N; ++i) total += loss_value(m_loss, z(m_shape.M, s, i), Y[std::size_t(s) * N + i]);
  return total / m_B;
}

double Network::backward(const double* W, const double* Y, double* gW, double* gb, double* gX,
                         double* gY) {
  const int M = m_shape.M, N = m_shape.N, r = m_shape.r, B = m_B;
  const double inv_B = 1.0 / B;

  // delta^(M) = d(mean loss)/dZ.
  double loss_total = 0.0;
  const double* Z = m_z[std::size_t(M)].data();
  for (int i = 0; i < N; ++i)
    for (int s = 0; s < B; ++s) {
      const double Zi = Z[std::size_t(i) * B + s], Yi = Y[std::size_t(s) * N + i];
      loss_total += loss_value(m_loss, Zi, Yi);
      m_delta[std::size_t(i) * B + s] = inv_B * loss_dZ(m_loss, Zi, Yi);
      if (gY) gY[std::size_t(s) * N + i] = inv_B * loss_dY(m_loss, Zi, Yi);
    }

  for (int m = M - 1; m >= 0; --m) {
    const double* hpad = m_hpad[std::size_t(m)].data();
    const double* Wm = W + m_shape.w_index(m, 0, 0);
    double* gWm = gW + m_shape.w_index(m, 0, 0);
    double* gbm = gb + m_shape.b_index(m, 0);
    const double* delta = m_delta.data();
    // dl/dW[m,i,k] = sum_s delta^(m+1)_i h^(m)_{i+k-r};  dl/db[m,i] = sum_s delta^(m+1)_i
    m_stencil.weight_gradient_padded(delta, hpad, gWm, gbm, B);
    if (m == 0 && !gX) break;
    // dl/dh^(m)_j = sum over out-links (i,k) with i+k-r = j of W[m,i,k] delta^(m+1)_i.
    m_stencil.transpose_padded(Wm, delta, m_gpad.data(), B);
    const double* g = m_gpad.data() + std::size_t(r) * B;
    if (m == 0) {
      for (int i = 0; i < N; ++i)
        for (int s = 0; s < B; ++s) gX[std::size_t(s) * N + i] = g[std::size_t(i) * B + s];
      break;
    }
    // delta^(m) = sigma'(z^(m)) * dl/dh^(m)
    const double* ds = m_dsigma[std::size_t(m)].data();
    const std::size_t nb = std::size_t(N) * B;
    for (std::size_t j = 0; j < nb; ++j) m_delta_next[j] = ds[j] * g[j];
    m_delta.swap(m_delta_next);
  }
  return loss_total * inv_B;
}

double Network::value_and_gradient(const double* W, const double* b, const double* X, const double* Y,
                                   int B, double* gW, double* gb, double* gX, double* gY) {
  forward(W, b, X, B);
  return backward(W, Y, gW, gb, gX, gY);
}

}  // namespace nnfield
