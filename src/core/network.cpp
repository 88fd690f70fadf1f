// Forward pass and backpropagation of the locally connected network (SPEC section 1).
// Every layer is a batch of padded rows (link_stencil.hpp): sample-major, sites innermost,
// r ghosts each side holding the periodic images, so the stencil never computes a modulo
// and X, Z, dl/dX are copied row by row with no transposes.
//
// Threads (set_threads) split the work so that each number is computed by one thread, in
// an order that does not depend on the split: the samples are cut into chunks for the
// forward and backward sweeps (each sample's numbers depend on that sample alone; row
// strides are whole vectors, so the activation calls have no scalar tails), and the link
// layers are shared out for the weight gradients, each a sum over the whole batch in
// sample order. On one thread the weight gradient of a layer is taken as soon as its delta
// is known (while it is in cache); the sums are the same.
#include "nnfield/core/network.hpp"

#include <algorithm>
#include <cstring>

#include "nnfield/numerics/parallel_for.hpp"

namespace nnfield {

namespace {
// Below this many link terms (M N K B) per sweep, a batch runs on the calling thread: the
// threads' start-up would cost more than they save.
constexpr double kMinTermsForThreads = 65536.0;
// Threaded sweeps cut the batch into chunks of whole sample blocks (link_stencil_rows.cpp),
// up to this many per thread.
constexpr int kChunkRows = 4;
constexpr int kChunksPerThread = 4;
}  // namespace

Network::Network(NetworkShape shape, Activation activation, Loss loss)
    : m_shape(shape), m_stencil(shape), m_activation(activation), m_loss(loss), m_stride(m_stencil.row_stride()) {
  reserve(1);
}

void Network::reserve(int B) {
  if (B <= m_capacity) return;
  const std::size_t M = std::size_t(m_shape.M), rows = m_stride * std::size_t(B);
  // Zero-filled: the ghosts and alignment slack of z are never written, so the activation
  // calls over whole rows see finite numbers there.
  m_z.assign(M + 1, std::vector<double>(rows, 0.0));
  m_h.assign(M, std::vector<double>(rows, 0.0));
  m_dsigma.assign(M, std::vector<double>(rows, 0.0));
  m_delta.assign(M + 1, std::vector<double>(rows, 0.0));
  m_sample_loss.assign(std::size_t(B), 0.0);
  if (B > 1) {
    const std::size_t nw = m_shape.num_weights();
    for (auto* v : {&m_wk, &m_wr, &m_gwk}) v->assign(nw, 0.0);
  }
  m_capacity = B;
}

int Network::chunks() const {
  if (m_B < 2 || m_threads == 1) return 1;
  const double terms = double(m_shape.num_weights()) * double(m_B);
  if (terms < kMinTermsForThreads) return 1;
  // A few chunks per thread, claimed as threads come free, so that one thread held up
  // (by another job on a shared machine) delays the sweep by a small chunk only.
  const int workers = int(worker_count(std::size_t(m_B), resolve_thread_count(int(m_threads))));
  return std::min((m_B + kChunkRows - 1) / kChunkRows, kChunksPerThread * workers);
}

namespace {
// f(s0, s1) for `chunks` contiguous ranges of the samples 0..B-1 (starting on multiples of
// kChunkRows, the kernels' sample blocks), on `threads` threads.
template <class F>
void over_chunks(int chunks, int B, unsigned threads, F&& f) {
  if (chunks == 1) {
    f(0, B);
    return;
  }
  const std::size_t units = std::size_t(B + kChunkRows - 1) / kChunkRows;
  const auto first_row = [&](std::size_t c) { return std::min(B, int(units * c / std::size_t(chunks)) * kChunkRows); };
  parallel_for(std::size_t(chunks), threads, [&](std::size_t c, unsigned) { f(first_row(c), first_row(c + 1)); });
}
}  // namespace

void Network::forward(const double* W, const double* b, const double* X, int B) {
  reserve(B);
  m_B = B;
  if (B > 1)  // the batched kernels read the weights link-major
    for (int m = 0; m < m_shape.M; ++m)
      m_stencil.link_major(W + m_shape.w_index(m, 0, 0), m_wk.data() + m_shape.w_index(m, 0, 0));
  over_chunks(chunks(), B, m_threads, [&](int s0, int s1) { forward_rows(W, b, X, s0, s1); });
}

void Network::forward_rows(const double* W, const double* b, const double* X, int s0, int s1) {
  const int M = m_shape.M, N = m_shape.N, r = m_shape.r, n = s1 - s0;
  for (int s = s0; s < s1; ++s)  // h^(0) = X
    std::memcpy(row(m_h[0], s) + r, X + std::size_t(s) * N, std::size_t(N) * sizeof(double));
  m_stencil.fill_ghosts(row(m_h[0], s0), n);
  for (int m = 0; m < M; ++m) {
    const double* h = row(m_h[std::size_t(m)], s0);
    double* z = row(m_z[std::size_t(m) + 1], s0);
    const std::size_t wm = m_shape.w_index(m, 0, 0);
    const double* bm = b + m_shape.b_index(m, 0);
    // z^(m+1)_i = sum_k W[m,i,k] h^(m)_{i+k-r} + b[m,i]   (Eq. 1)
    if (m_B == 1)
      m_stencil.apply_row(W + wm, bm, h, z);
    else
      m_stencil.apply_rows(m_wk.data() + wm, bm, h, z, n);
    if (m + 1 == M) break;  // the output layer has no activation
    // h^(m+1) = sigma(z^(m+1)): one call for the chunk's rows (one sample: its sites, as
    // the one-sample path always did).
    double* hn = row(m_h[std::size_t(m) + 1], s0);
    double* ds = row(m_dsigma[std::size_t(m) + 1], s0);
    if (m_B == 1)
      sigma_and_d1(m_activation, z + r, hn + r, ds + r, std::size_t(N));
    else
      sigma_and_d1(m_activation, z, hn, ds, std::size_t(n) * m_stride);
    m_stencil.fill_ghosts(hn, n);
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
  for (int s = 0; s < m_B; ++s) {
    double sample = 0.0;
    for (int i = 0; i < N; ++i) sample += loss_value(m_loss, z(m_shape.M, s, i), Y[std::size_t(s) * N + i]);
    total += sample;
  }
  return total / m_B;
}

void Network::backward_rows(const double* W, const double* Y, double* gX, double* gY, int s0, int s1, double* gW,
                            double* gb) {
  const int M = m_shape.M, N = m_shape.N, r = m_shape.r, n = s1 - s0;
  const double inv_B = 1.0 / m_B;
  for (int s = s0; s < s1; ++s)  // delta^(M) = d(mean loss)/dZ
    m_sample_loss[std::size_t(s)] =
        loss_row(m_loss, row(m_z[std::size_t(M)], s) + r, Y + std::size_t(s) * N, inv_B,
                 row(m_delta[std::size_t(M)], s) + r, gY ? gY + std::size_t(s) * N : nullptr, std::size_t(N));
  for (int m = M - 1; m >= 0; --m) {
    if (gW) layer_gradient(m, gW, gb);
    if (m == 0 && !gX) break;
    // dl/dh^(m)_j = sum over out-links (i,k) with i+k-r = j of W[m,i,k] delta^(m+1)_i, and
    // delta^(m) = sigma'(z^(m)) * dl/dh^(m) (at m = 0 no activation: dl/dX).
    const double* d = row(m_delta[std::size_t(m) + 1], s0);
    const double* ds = m == 0 ? nullptr : row(m_dsigma[std::size_t(m)], s0);
    double* g = row(m_delta[std::size_t(m)], s0);
    const std::size_t wm = m_shape.w_index(m, 0, 0);
    if (m_B == 1)
      m_stencil.transpose_row(W + wm, d, ds, g);
    else
      m_stencil.transpose_rows(m_wr.data() + wm, d, ds, g, n);
  }
  if (gX)
    for (int s = s0; s < s1; ++s)
      std::memcpy(gX + std::size_t(s) * N, row(m_delta[0], s) + r, std::size_t(N) * sizeof(double));
}

void Network::layer_gradient(int m, double* gW, double* gb) {
  // dl/dW[m,i,k] = sum_s delta^(m+1)_{s,i} h^(m)_{s,i+k-r};  dl/db[m,i] = sum_s delta^(m+1)_{s,i}
  const double* d = m_delta[std::size_t(m) + 1].data();
  const double* h = m_h[std::size_t(m)].data();
  const std::size_t wm = m_shape.w_index(m, 0, 0);
  double* gbm = gb + m_shape.b_index(m, 0);
  if (m_B == 1) {
    m_stencil.weight_gradient_row(d, h, gW + wm, gbm);
    return;
  }
  m_stencil.weight_gradient_rows(d, h, m_gwk.data() + wm, gbm, m_B);
  m_stencil.from_link_major(m_gwk.data() + wm, gW + wm);
}

double Network::backward(const double* W, const double* Y, double* gW, double* gb, double* gX, double* gY) {
  const int M = m_shape.M, B = m_B;
  if (B > 1)  // the batched transpose reads the weights receiver-major
    for (int m = gX ? 0 : 1; m < M; ++m)
      m_stencil.receiver_major(W + m_shape.w_index(m, 0, 0), m_wr.data() + m_shape.w_index(m, 0, 0));
  const int C = chunks();
  if (C == 1) {
    backward_rows(W, Y, gX, gY, 0, B, gW, gb);
  } else {
    over_chunks(C, B, m_threads, [&](int s0, int s1) { backward_rows(W, Y, gX, gY, s0, s1, nullptr, nullptr); });
    parallel_for(std::size_t(M), m_threads, [&](std::size_t m, unsigned) { layer_gradient(int(m), gW, gb); });
  }
  double total = 0.0;
  for (int s = 0; s < B; ++s) total += m_sample_loss[std::size_t(s)];
  return total * (1.0 / B);
}

double Network::value_and_gradient(const double* W, const double* b, const double* X, const double* Y,
                                   int B, double* gW, double* gb, double* gX, double* gY) {
  forward(W, b, X, B);
  return backward(W, Y, gW, gb, gX, gY);
}

}  // namespace nnfield
