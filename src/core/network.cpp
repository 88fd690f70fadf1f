// Forward pass and backpropagation of the locally connected network (SPEC section 1).
// Workspace layout is (site, sample) with the sample innermost, so every stencil
// loop runs contiguously over the batch. h^(m) carries r ghost rows on each side
// holding the periodic images, so the stencil never computes a modulo.
#include "nnfield/core/network.hpp"

#include <algorithm>
#include <cstring>
#include <type_traits>

namespace nnfield {

Network::Network(NetworkShape shape, Activation activation, Loss loss)
    : m_shape(shape), m_activation(activation), m_loss(loss) {
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

namespace {

// Copy the periodic images into the r ghost rows on each side of a padded array.
void fill_ghost_rows(double* pad, int N, int r, int B) {
  const std::size_t row = std::size_t(B);
  for (int p = 0; p < r; ++p)  // site p - r < 0 is site p - r + N
    std::memcpy(pad + std::size_t(p) * row, pad + std::size_t(p + N) * row, row * sizeof(double));
  for (int p = N + r; p < N + 2 * r; ++p)  // site p - r >= N is site p - r - N
    std::memcpy(pad + std::size_t(p) * row, pad + std::size_t(p - N) * row, row * sizeof(double));
}

// Add the ghost rows of a padded scatter target back onto the sites they image.
void fold_ghost_rows(double* pad, int N, int r, int B) {
  const std::size_t row = std::size_t(B);
  for (int p = 0; p < r; ++p) {
    double* dst = pad + std::size_t(p + N) * row;
    const double* src = pad + std::size_t(p) * row;
    for (std::size_t s = 0; s < row; ++s) dst[s] += src[s];
  }
  for (int p = N + r; p < N + 2 * r; ++p) {
    double* dst = pad + std::size_t(p - N) * row;
    const double* src = pad + std::size_t(p) * row;
    for (std::size_t s = 0; s < row; ++s) dst[s] += src[s];
  }
}

// One-sample stencils with the fan-in K known at compile time (3, 5, 7 cover the
// usual radii): the k loops unroll and the site loops vectorise. kDynamic: any K.
constexpr int kDynamic = 0;

template <int KC>
void stencil_forward_b1(const double* W, const double* b, const double* hpad, double* z, int N, int Kr) {
  const int K = KC == kDynamic ? Kr : KC;
  for (int i = 0; i < N; ++i) {
    double acc = b[i];
    for (int k = 0; k < K; ++k) acc += W[i * K + k] * hpad[i + k];
    z[i] = acc;
  }
}

template <int KC>
void stencil_weight_gradient_b1(const double* delta, const double* hpad, double* gW, int N, int Kr) {
  const int K = KC == kDynamic ? Kr : KC;
  for (int i = 0; i < N; ++i)
    for (int k = 0; k < K; ++k) gW[i * K + k] = delta[i] * hpad[i + k];
}

template <int KC>
void stencil_gather_b1(const double* W, const double* delta, double* g, int r, int lo, int hi, int Kr) {
  const int K = KC == kDynamic ? Kr : KC;
  for (int j = lo; j < hi; ++j) {
    double acc = 0.0;
    for (int k = 0; k < K; ++k) acc += W[(j + r - k) * K + k] * delta[j + r - k];
    g[j] = acc;
  }
}

// Calls f.template operator()<KC>() with KC = K for K in {3, 5, 7}, else kDynamic.
template <class F>
void with_fan_in(int K, F&& f) {
  switch (K) {
    case 3: f(std::integral_constant<int, 3>{}); break;
    case 5: f(std::integral_constant<int, 5>{}); break;
    case 7: f(std::integral_constant<int, 7>{}); break;
    default: f(std::integral_constant<int, kDynamic>{}); break;
  }
}

}  // namespace

void Network::forward(const double* W, const double* b, const double* X, int B) {
  reserve(B);
  m_B = B;
  const int M = m_shape.M, N = m_shape.N, r = m_shape.r, K = m_shape.K();
  const std::size_t nb = std::size_t(N) * std::size_t(B);

  // h^(0) = X, transposed from (B, N) into (site, sample).
  double* h0 = m_hpad[0].data() + std::size_t(r) * B;
  for (int s = 0; s < B; ++s)
    for (int i = 0; i < N; ++i) h0[std::size_t(i) * B + s] = X[std::size_t(s) * N + i];
  fill_ghost_rows(m_hpad[0].data(), N, r, B);

  for (int m = 0; m < M; ++m) {
    const double* hpad = m_hpad[std::size_t(m)].data();
    double* z = m_z[std::size_t(m) + 1].data();
    const double* Wm = W + m_shape.w_index(m, 0, 0);
    const double* bm = b + m_shape.b_index(m, 0);
    // z^(m+1)_i = sum_k W[m,i,k] h^(m)_{i+k-r} + b[m,i]   (Eq. 1; padded row i+k is site i+k-r)
    if (B == 1) {
      with_fan_in(K, [&](auto kc) { stencil_forward_b1<decltype(kc)::value>(Wm, bm, hpad, z, N, K); });
    } else {
      for (int i = 0; i < N; ++i) {
        double* zi = z + std::size_t(i) * B;
        std::fill(zi, zi + B, bm[i]);
        for (int k = 0; k < K; ++k) {
          const double w = Wm[i * K + k];
          const double* hrow = hpad + std::size_t(i + k) * B;
          for (int s = 0; s < B; ++s) zi[s] += w * hrow[s];
        }
      }
    }
    if (m + 1 < M) {  // h^(m+1) = sigma(z^(m+1)); the output layer has no activation
      double* hnext = m_hpad[std::size_t(m) + 1].data();
      sigma_and_d1(m_activation, z, hnext + std::size_t(r) * B, m_dsigma[std::size_t(m) + 1].data(), nb);
      fill_ghost_rows(hnext, N, r, B);
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
  const int M = m_shape.M, N = m_shape.N, r = m_shape.r, K = m_shape.K(), B = m_B;
  const double inv_B = 1.0 / B;
  const std::size_t padded = std::size_t(N + 2 * r) * B;

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
    if (B == 1) {  // one sample: no batch loop to vectorise over, write the stencil flat
      std::copy(delta, delta + N, gbm);
      with_fan_in(K, [&](auto kc) { stencil_weight_gradient_b1<decltype(kc)::value>(delta, hpad, gWm, N, K); });
    } else {
      for (int i = 0; i < N; ++i) {
        const double* di = delta + std::size_t(i) * B;
        double sb = 0.0;
        for (int s = 0; s < B; ++s) sb += di[s];
        gbm[i] = sb;
        for (int k = 0; k < K; ++k) {
          const double* hrow = hpad + std::size_t(i + k) * B;
          double sw = 0.0;
          for (int s = 0; s < B; ++s) sw += di[s] * hrow[s];
          gWm[i * K + k] = sw;
        }
      }
    }
    if (m == 0 && !gX) break;
    // dl/dh^(m)_j = sum over out-links (i,k) with i+k-r = j of W[m,i,k] delta^(m+1)_i:
    // scattered into the padded array, ghost rows folded back onto their sites.
    if (B == 1) {
      // One sample: gather instead of scatter, g_j = sum_k W[j+r-k, k] delta_{j+r-k},
      // which has no loop-carried dependency; only the r sites at each edge wrap.
      double* g = m_gpad.data() + r;
      auto gather_wrapped = [&](int j) {
        double acc = 0.0;
        for (int k = 0; k < K; ++k) {
          const int i = m_shape.wrap(j + r - k);
          acc += Wm[i * K + k] * delta[i];
        }
        g[j] = acc;
      };
      for (int j = 0; j < std::min(r, N); ++j) gather_wrapped(j);
      with_fan_in(K, [&](auto kc) { stencil_gather_b1<decltype(kc)::value>(Wm, delta, g, r, r, N - r, K); });
      for (int j = std::max(r, N - r); j < N; ++j) gather_wrapped(j);
    } else {
      std::fill(m_gpad.begin(), m_gpad.begin() + padded, 0.0);
      for (int i = 0; i < N; ++i) {
        const double* di = delta + std::size_t(i) * B;
        for (int k = 0; k < K; ++k) {
          const double w = Wm[i * K + k];
          double* grow = m_gpad.data() + std::size_t(i + k) * B;
          for (int s = 0; s < B; ++s) grow[s] += w * di[s];
        }
      }
      fold_ghost_rows(m_gpad.data(), N, r, B);
    }
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
