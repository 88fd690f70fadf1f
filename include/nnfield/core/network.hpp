#pragma once
// The discrete locally connected network (docs/theory.md section 1): forward pass and
// backpropagation for one sample or a mini-batch.
//
//   z^(m+1)_i = sum_{k=0}^{2r} W[m,i,k] h^(m)_{(i+k-r) mod N} + b[m,i]          (Eq. 1)
//   h^(0) = X,  h^(m) = sigma(z^(m)) for 1 <= m <= M-1,  Z = z^(M)
//
// The loss of a batch is the mean over samples of the per-site sum l = sum_i l_i(Z_i, Y_i)
// (each sample's sum over sites in site order, then the samples in order).
// A Network owns its workspace: no allocation once it has seen the largest batch.
// Not thread-safe; use one Network per thread. It can itself use several threads
// (set_threads): they take chunks of consecutive samples through the sweeps, and add the
// chunks' terms to the weight gradients in sample order, so every number is computed in
// one fixed order and results are the same to the last bit for any thread count.
#include <cstddef>
#include <vector>

#include "nnfield/core/activation.hpp"
#include "nnfield/core/link_stencil.hpp"
#include "nnfield/core/loss.hpp"
#include "nnfield/core/shape.hpp"
#include "nnfield/core/width_halo.hpp"
#include "nnfield/numerics/big_array.hpp"
#include "nnfield/numerics/parallel_for.hpp"

namespace nnfield {

class Network {
 public:
  Network(NetworkShape shape, Activation activation, Loss loss);
  // The block of width columns `halo` holds of a network of `shape` (width_halo.hpp): its
  // W (M, n, K), b (M, n), X, Y, Z (B, n) are the block's columns, n = halo.block().width;
  // the passes exchange ghosts with the neighbouring blocks, and the loss is the whole
  // network's on every process, to the last bit, for any batch (one sample: the one-sample
  // kernels, their transpose reading the weights' ghosts). A split network runs on one
  // thread; every process calls forward and backward together.
  Network(NetworkShape shape, Activation activation, Loss loss, WidthHalo halo);

  // The shape of the columns held: the whole network's, or its block's (N = block width).
  const NetworkShape& shape() const { return m_shape; }
  const WidthHalo& halo() const { return m_halo; }
  Activation activation() const { return m_activation; }
  Loss loss_kind() const { return m_loss; }
  // Worker threads for forward and backward (parallel_for.hpp; 0: default_thread_count(),
  // resolved here, once, not at every pass). Batches too small to pay for the threads run on
  // the calling thread. Default 1.
  void set_threads(unsigned threads) { m_threads = resolve_thread_count(int(threads)); }
  unsigned threads() const { return m_threads; }
  // Whether value_and_gradient keeps every layer's z for z() and neurons() (default). A
  // training loop that does not read them turns this off: a batch then keeps the output
  // layer's alone (output(), z(M, ...)), and a step writes one array less per layer
  // (17 MB at M = 64, N = 1024, B = 32). forward() always keeps them.
  void keep_neurons(bool keep) { m_keep_neurons = keep; }

  // Forward pass for B samples; X is (B, N) row-major. W is (M,N,K), b is (M,N).
  void forward(const double* W, const double* b, const double* X, int B);
  // After forward(): z^(m)_i of sample s, 1 <= m <= M (z^(M) = Z).
  double z(int m, int s, int i) const {
    return m_z[std::size_t(m)][std::size_t(s) * m_stride + std::size_t(m_shape.r + i)];
  }
  // After forward(): all z^(1..M) of sample s, written as (M, N).
  void neurons(int s, double* z_out) const;
  // After forward(): the output Z as (B, N).
  void output(double* Z) const;
  // After forward(): mean over the batch of sum_i l_i(Z_i, Y_i); Y is (B, N).
  double loss(const double* Y) const;

  // Backpropagation after forward(): gradients of the batch-mean loss.
  // gW (M,N,K) and gb (M,N) are overwritten. gX and gY (B,N), if not null, receive
  // dl/dX and dl/dY (the data's "forces", for the work done by moving data).
  // Returns the loss.
  double backward(const double* W, const double* Y, double* gW, double* gb,
                  double* gX = nullptr, double* gY = nullptr);

  // forward + backward in one call.
  double value_and_gradient(const double* W, const double* b, const double* X, const double* Y,
                            int B, double* gW, double* gb, double* gX = nullptr,
                            double* gY = nullptr);

 private:
  void reserve(int B);
  // Link layer m's weights, link-major in padded rows (link_stencil.hpp), and their ghosts.
  double* weights_link_major(int m);
  void fill_weight_ghosts(int m);
  // Every layer's, at once: a split network's (one halo exchange a pass) and backward()'s.
  void link_major_all(const double* W);
  // Before a pass: every layer's link-major weights at once where the chunks would
  // otherwise wait for chunk 0 to write them (a split network, threads: the layers shared
  // out among the threads); one thread writes each layer as it reaches it.
  void prepare_link_major(const double* W);
  // f(m) for every link layer m, the layers shared out among m_threads threads in
  // contiguous ranges (f must depend on m alone).
  template <class F>
  void over_layers(F&& f);
  // After a threaded pass: every layer's gW from the link-major sums (layer_gradient's last
  // chunk writes them on one thread).
  void gradient_from_link_major(double* gW);
  // The batch goes through the sweeps in chunks of consecutive samples (chunk_rows each):
  // f(chunk, s0, s1) for each, on the calling thread in order or on m_threads threads.
  template <class F>
  void over_chunks(F&& f);
  bool threaded() const;
  // f(), chunk c's collective call (a split width's halo exchange or running sums), in the
  // one order every process makes them in (Rounds), when chunks run on threads.
  template <class F>
  void exchange(int c, F&& f);
  // Forward sweep of chunk c (samples s0..s1-1).
  void forward_rows(const double* W, const double* b, const double* X, int c, int s0, int s1, bool keep_z);
  // Layer m's weights link-major for the kernels, before chunk c applies them.
  void link_major_layer(const double* W, int m, int c);
  // Backward sweep of chunk c (samples s0..s1-1): its deltas, dl/dX, dl/dY and losses, and
  // its part of the weight gradients (layer_gradient).
  void backward_rows(const double* Y, double* gX, double* gY, int c, int s0, int s1, double* gW,
                     double* gb);
  // Chunk c's terms of dl/dW and dl/db of link layer m, added when the chunks before it
  // have added theirs (m_turns): the sums over samples run in sample order whichever
  // thread holds which chunk. On one thread the chunk writes the layer's gW
  // (threads: gradient_from_link_major).
  void layer_gradient(int m, int c, int s0, int s1, double* gW, double* gb);
  // The mean over the batch of each sample's loss (backward_rows), in sample order.
  double batch_loss() const;
  double* row(double* layer, int s) { return layer + std::size_t(s) * m_stride; }
  // dl/dz^(m): a delta is used once, by the next layer down, so two buffers in turn do.
  double* delta(int m) { return m_delta[std::size_t(m % 2)]; }

  // Layers of a batch of padded rows in one BigArray, layer m at m * layer_size.
  class Layers {
   public:
    void assign(std::size_t layers, std::size_t layer_size) {
      m_layer = layer_size;
      m_data = BigArray(layers * layer_size);
    }
    double* operator[](std::size_t m) { return m_data.data() + m * m_layer; }
    const double* operator[](std::size_t m) const { return m_data.data() + m * m_layer; }

   private:
    BigArray m_data;
    std::size_t m_layer = 0;
  };

  NetworkShape m_shape;
  WidthHalo m_halo;
  LinkStencil m_stencil;
  Activation m_activation;
  Loss m_loss;
  bool m_d1_from_h;  // sigma' kept only implicitly, in h (backward_rows)
  bool m_keep_neurons = true;
  unsigned m_threads = 1;
  std::size_t m_stride;  // doubles from one padded row to the next (LinkStencil::row_stride)
  int m_B = 0;           // current batch size
  int m_capacity = 0;    // largest batch the workspace holds
  // Every layer is a batch of padded rows, sample-major (link_stencil.hpp): sample s's row
  // starts at s * m_stride, site i at r + i.
  Layers m_z;       // m = 0..M; z^(m); [0]: scratch for the z not kept (keep_neurons)
  Layers m_h;       // m = 0..M-1; h^(m), ghosts filled
  Layers m_dsigma;  // m = 1..M-1; sigma'(z^(m)); d1_from_value activations take it from h
                    // inside the transpose instead (one array less per layer)
  Layers m_delta;   // dl/dz^(m) (dl/dX at m = 0): see delta()
  std::vector<double> m_sample_loss;          // each sample's sum over sites
  std::vector<double> m_loss_start;           // split width: the sums over the blocks to the left
  // The weights link-major in padded rows with ghost receivers (M, K, weight_row_stride),
  // and, for batches of more than one sample, the weight gradient link-major while the
  // chunks add to it (M, K, N); one sample writes its gradient in the (N, K) layout.
  std::vector<double> m_wk, m_gwk;
  Turns m_turns;  // one step per link layer: the weight gradients' sums
  Turns m_ready;  // one step per link layer: its link-major weights written
  Rounds m_exchanges;  // the chunks' collective calls on a split width
  bool m_link_major_ready = false;  // prepare_link_major wrote every layer's
};

}  // namespace nnfield
