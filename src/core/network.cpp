// Forward pass and backpropagation of the locally connected network (docs/theory.md section 1).
// Every layer is a batch of padded rows (link_stencil.hpp): sample-major, sites innermost,
// r ghosts each side holding the periodic images, so the stencil never computes a modulo
// and X, Z, dl/dX are copied row by row with no transposes.
//
// Threads (set_threads) take the batch in chunks of consecutive samples, one chunk each,
// forward through every layer and straight back. A sample's numbers depend on that sample
// alone (row strides are whole vectors, so the activation calls have no scalar tails),
// except the weight gradients, sums over the batch: each chunk adds its samples' terms to
// the running sums in sample order, after the chunk before it (Turns), and the layers'
// turns pipeline (chunk c works on layer m while chunk c - 1 is a layer further down).
// So every number is computed in the same order as on one thread, where the batch is one
// chunk, and results are the same to the last bit for any thread count. (Smaller chunks
// on one thread, to keep a chunk's layers in cache from forward to backward, measured
// slower: the weights are then read, and their gradients written, once per chunk.)
#include "nnfield/core/network.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <utility>

namespace nnfield {

namespace {
// Below this many link terms (M N K B) per sweep, a batch runs on the calling thread: the
// threads' start-up would cost more than they save.
constexpr double kMinTermsForThreads = 65536.0;
// Chunks start on whole sample blocks of the kernels (link_stencil_rows.cpp).
constexpr int kChunkRows = 4;
}  // namespace

Network::Network(NetworkShape shape, Activation activation, Loss loss)
    : Network(shape, activation, loss, WidthHalo(shape.N, shape.r)) {}

Network::Network(NetworkShape shape, Activation activation, Loss loss, WidthHalo halo)
    : m_shape{shape.M, halo.block().width, shape.r},
      m_halo(std::move(halo)),
      m_stencil(m_shape.N, m_shape.r),
      m_activation(activation),
      m_loss(loss),
      m_d1_from_h(d1_from_value(activation)),
      m_stride(m_stencil.row_stride()) {
  if (m_halo.block().N != shape.N || m_halo.r() != shape.r)
    throw std::invalid_argument("network: the width halo is not of this network's width and radius");
  reserve(1);
}

double* Network::weights_link_major(int m) {
  return m_wk.data() + std::size_t(m) * std::size_t(m_shape.K()) * m_stencil.weight_row_stride();
}

void Network::fill_weight_ghosts(int m) {
  // The receivers beyond the edges, for the transpose's edge sites (link_stencil.hpp).
  m_halo.fill_ghosts(weights_link_major(m) + m_stencil.weight_pad() - m_shape.r, m_shape.K(),
                     m_stencil.weight_row_stride());
}

void Network::reserve(int B) {
  if (B <= m_capacity) return;
  const std::size_t M = std::size_t(m_shape.M), rows = m_stride * std::size_t(B);
  // Zero-filled: the ghosts and alignment slack of z are never written, so the activation
  // calls over whole rows see finite numbers there.
  m_z.assign(M + 1, rows);
  m_h.assign(M, rows);
  if (!m_d1_from_h) m_dsigma.assign(M, rows);  // tanh's sigma' is taken from h
  m_delta.assign(2, rows);
  m_sample_loss.assign(std::size_t(B), 0.0);
  m_loss_start.assign(std::size_t(B), 0.0);
  // Link-major weights, which apply and the transpose read at any batch size (the
  // transpose's receivers beyond the edges are their ghosts).
  if (m_wk.empty())
    m_wk.assign(std::size_t(m_shape.M) * std::size_t(m_shape.K()) * m_stencil.weight_row_stride(), 0.0);
  if (B > 1 && m_gwk.empty()) m_gwk.assign(m_shape.num_weights(), 0.0);
  m_capacity = B;
}

bool Network::threaded() const {
  const double terms = double(m_shape.num_weights()) * double(m_B);
  return m_threads != 1 && m_B > kChunkRows && terms >= kMinTermsForThreads;
}

template <class F>
void Network::exchange(int c, F&& f) {
  // A split width's exchanges are MPI calls between neighbouring processes, which must make
  // them in one order: with threads, round after round in chunk order (m_exchanges), the
  // same on every process since every process cuts the batch into the same chunks.
  if (!m_halo.is_split() || !threaded()) return f();
  m_exchanges.enter(std::size_t(c));
  f();
  m_exchanges.leave(std::size_t(c));
}

template <class F>
void Network::over_chunks(F&& f) {
  if (!threaded()) {
    f(0, 0, m_B);
    return;
  }
  const int workers = int(worker_count(std::size_t(m_B), m_threads));
  const int rows = ((m_B + workers - 1) / workers + kChunkRows - 1) / kChunkRows * kChunkRows;
  const int chunks = (m_B + rows - 1) / rows;
  m_exchanges.reset(std::size_t(chunks));
  parallel_for(std::size_t(chunks), m_threads, [&](std::size_t c, unsigned) {
    const int s0 = int(c) * rows;
    f(int(c), s0, std::min(m_B, s0 + rows));
  });
}

void Network::forward(const double* W, const double* b, const double* X, int B) {
  reserve(B);
  m_B = B;
  m_ready.reset(std::size_t(m_shape.M));
  prepare_link_major(W);
  over_chunks([&](int c, int s0, int s1) { forward_rows(W, b, X, c, s0, s1, true); });
}

template <class F>
void Network::over_layers(F&& f) {
  const int M = m_shape.M, parts = int(worker_count(std::size_t(M), m_threads));
  parallel_for(std::size_t(parts), m_threads, [&](std::size_t part, unsigned) {
    for (int m = int(part) * M / parts; m < (int(part) + 1) * M / parts; ++m) f(m);
  });
}

// One thread reorders each layer just before it applies it, while the weights are in
// cache. On several, chunk 0 doing so made the others wait for it at every layer, and the
// last chunk converting every layer's gradient back made chunk 0 wait for it at the end:
// together 8-9% of a step at M = 64, N = 1024 run by one thread while the other waited.
// Shared out among the threads before and after the pass, both are copies: the same bits.
void Network::prepare_link_major(const double* W) {
  m_link_major_ready = false;
  if (m_halo.is_split()) {  // one sample too: its transpose reads the weights' ghosts
    link_major_all(W);
  } else if (threaded()) {  // batches only (threaded)
    over_layers([&](int m) {
      m_stencil.link_major(W + m_shape.w_index(m, 0, 0), weights_link_major(m));
      fill_weight_ghosts(m);
    });
  } else {
    return;
  }
  m_link_major_ready = true;
}

void Network::gradient_from_link_major(double* gW) {
  if (!threaded()) return;
  over_layers([&](int m) {
    const std::size_t wm = m_shape.w_index(m, 0, 0);
    m_stencil.from_link_major(m_gwk.data() + wm, gW + wm);
  });
}

void Network::link_major_all(const double* W) {
  for (int m = 0; m < m_shape.M; ++m) m_stencil.link_major(W + m_shape.w_index(m, 0, 0), weights_link_major(m));
  // The layers' rows follow one another: their ghosts in one call (one exchange when split).
  m_halo.fill_ghosts(m_wk.data() + m_stencil.weight_pad() - m_shape.r, m_shape.M * m_shape.K(),
                     m_stencil.weight_row_stride());
}

void Network::link_major_layer(const double* W, int m, int c) {
  // Chunk 0 reorders layer m just before it applies it, while the weights are at hand;
  // the other chunks wait for that (m_ready: each lets the next one on once it may go).
  // prepare_link_major may have written them all.
  if (m_link_major_ready) return;
  if (c == 0) {
    m_stencil.link_major(W + m_shape.w_index(m, 0, 0), weights_link_major(m));
    fill_weight_ghosts(m);
  }
  m_ready.wait(std::size_t(m), std::size_t(c));
  m_ready.pass(std::size_t(m));
}

void Network::forward_rows(const double* W, const double* b, const double* X, int c, int s0, int s1,
                           bool keep_z) {
  const int M = m_shape.M, N = m_shape.N, r = m_shape.r, n = s1 - s0;
  for (int s = s0; s < s1; ++s)  // h^(0) = X
    std::memcpy(row(m_h[0], s) + r, X + std::size_t(s) * N, std::size_t(N) * sizeof(double));
  exchange(c, [&] { m_halo.fill_ghosts(row(m_h[0], s0), n, m_stride); });
  for (int m = 0; m < M; ++m) {
    const double* h = row(m_h[std::size_t(m)], s0);
    // z^(m+1) into its layer, or, when the hidden neurons need not be kept, into the
    // unused layer 0 (one layer's rows, in cache when sigma reads them).
    const bool store = keep_z || m_B == 1 || m + 1 == M;
    double* z = row(m_z[store ? std::size_t(m) + 1 : 0], s0);
    const double* bm = b + m_shape.b_index(m, 0);
    link_major_layer(W, m, c);
    // z^(m+1)_i = sum_k W[m,i,k] h^(m)_{i+k-r} + b[m,i]   (Eq. 1)
    m_stencil.apply_rows(weights_link_major(m), bm, h, z, n);
    if (m + 1 == M) break;  // the output layer has no activation
    // h^(m+1) = sigma(z^(m+1)): one call for the chunk's whole padded rows, so that every
    // site goes through the vector kernel (no scalar tail) and gets the same bits alone,
    // in a batch or in a block of a split width.
    double* hn = row(m_h[std::size_t(m) + 1], s0);
    if (m_d1_from_h)  // sigma' is taken from h in the backward sweep
      sigma_values(m_activation, z, hn, std::size_t(n) * m_stride);
    else
      sigma_and_d1(m_activation, z, hn, row(m_dsigma[std::size_t(m) + 1], s0), std::size_t(n) * m_stride);
    exchange(c, [&] { m_halo.fill_ghosts(hn, n, m_stride); });
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
  std::vector<double> samples(static_cast<std::size_t>(m_B), 0.0);  // each sample's sum over sites
  m_halo.sums_from_left(samples.data(), m_B);
  for (int s = 0; s < m_B; ++s)
    for (int i = 0; i < N; ++i)
      samples[std::size_t(s)] += loss_value(m_loss, z(m_shape.M, s, i), Y[std::size_t(s) * N + i]);
  m_halo.sums_to_right(samples.data(), m_B);
  double total = 0.0;
  for (double sample : samples) total += sample;
  return total / m_B;
}

void Network::backward_rows(const double* Y, double* gX, double* gY, int c, int s0, int s1,
                            double* gW, double* gb) {
  const int M = m_shape.M, N = m_shape.N, r = m_shape.r, n = s1 - s0;
  const double inv_B = 1.0 / m_B;
  // The samples' losses run through the blocks in width order: one call in the exchanges'
  // order, since a block's sums wait for the block on its left.
  exchange(c, [&] {
    m_halo.sums_from_left(m_loss_start.data() + s0, n);
    for (int s = s0; s < s1; ++s)  // delta^(M) = d(mean loss)/dZ
      m_sample_loss[std::size_t(s)] =
          loss_row(m_loss, row(m_z[std::size_t(M)], s) + r, Y + std::size_t(s) * N, inv_B, row(delta(M), s) + r,
                   gY ? gY + std::size_t(s) * N : nullptr, std::size_t(N), m_loss_start[std::size_t(s)]);
    m_halo.sums_to_right(m_sample_loss.data() + s0, n);
  });
  for (int m = M - 1; m >= 0; --m) {
    layer_gradient(m, c, s0, s1, gW, gb);
    if (m == 0 && !gX) break;
    // dl/dh^(m)_j = sum over out-links (i,k) with i+k-r = j of W[m,i,k] delta^(m+1)_i, and
    // delta^(m) = sigma'(z^(m)) * dl/dh^(m) (at m = 0 no activation: dl/dX).
    double* d = row(delta(m + 1), s0);
    double* g = row(delta(m), s0);
    const double* wk = weights_link_major(m);
    exchange(c, [&] { m_halo.fill_ghosts(d, n, m_stride); });  // the receivers beyond the edges
    if (m == 0)
      m_stencil.transpose_rows(wk, d, nullptr, g, n);
    else if (m_d1_from_h)  // sigma' = 1 - h^2 from h^(m), inside the transpose: no rows of it
      m_stencil.transpose_rows_one_minus_square(wk, d, row(m_h[std::size_t(m)], s0), g, n);
    else
      m_stencil.transpose_rows(wk, d, row(m_dsigma[std::size_t(m)], s0), g, n);
  }
  if (gX)
    for (int s = s0; s < s1; ++s)
      std::memcpy(gX + std::size_t(s) * N, row(delta(0), s) + r, std::size_t(N) * sizeof(double));
}

void Network::layer_gradient(int m, int c, int s0, int s1, double* gW, double* gb) {
  // dl/dW[m,i,k] = sum_s delta^(m+1)_{s,i} h^(m)_{s,i+k-r};  dl/db[m,i] = sum_s delta^(m+1)_{s,i}
  const double* d = row(delta(m + 1), s0);
  const double* h = row(m_h[std::size_t(m)], s0);
  const std::size_t wm = m_shape.w_index(m, 0, 0);
  double* gbm = gb + m_shape.b_index(m, 0);
  if (m_B == 1) {
    m_stencil.weight_gradient_row(d, h, gW + wm, gbm);
    return;
  }
  m_turns.wait(std::size_t(m), std::size_t(c));
  m_stencil.weight_gradient_rows(d, h, m_gwk.data() + wm, gbm, s1 - s0, /*accumulate=*/c > 0);
  if (s1 == m_B && !threaded()) m_stencil.from_link_major(m_gwk.data() + wm, gW + wm);
  m_turns.pass(std::size_t(m));
}

double Network::backward(const double* W, const double* Y, double* gW, double* gb, double* gX, double* gY) {
  // The W given here, link-major for the transposes.
  link_major_all(W);
  m_turns.reset(std::size_t(m_shape.M));
  over_chunks([&](int c, int s0, int s1) { backward_rows(Y, gX, gY, c, s0, s1, gW, gb); });
  gradient_from_link_major(gW);
  return batch_loss();
}

double Network::value_and_gradient(const double* W, const double* b, const double* X, const double* Y,
                                   int B, double* gW, double* gb, double* gX, double* gY) {
  reserve(B);
  m_B = B;
  m_ready.reset(std::size_t(m_shape.M));
  m_turns.reset(std::size_t(m_shape.M));
  prepare_link_major(W);
  over_chunks([&](int c, int s0, int s1) {  // a chunk forward and straight back
    forward_rows(W, b, X, c, s0, s1, m_keep_neurons);
    backward_rows(Y, gX, gY, c, s0, s1, gW, gb);
  });
  gradient_from_link_major(gW);
  return batch_loss();
}

double Network::batch_loss() const {
  double total = 0.0;
  for (int s = 0; s < m_B; ++s) total += m_sample_loss[std::size_t(s)];
  return total * (1.0 / m_B);
}

}  // namespace nnfield
