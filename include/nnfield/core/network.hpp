#pragma once
// The discrete locally connected network (docs/theory.md section 1): forward pass and
// backpropagation for one sample or a mini-batch.
//
//   z^(m+1)_i = sum_{k=0}^{2r} W[m,i,k] h^(m)_{(i+k-r) mod N} + b[m,i]          (Eq. 1)
//   h^(0) = X,  h^(m) = sigma(z^(m)) for 1 <= m <= M-1,  Z = z^(M)
//
// The loss of a batch is the mean over samples of the per-site sum l = sum_i l_i(Z_i, Y_i).
// A Network owns its workspace: no allocation once it has seen the largest batch.
// Not thread-safe; use one Network per thread.
#include <cstddef>
#include <vector>

#include "nnfield/core/activation.hpp"
#include "nnfield/core/link_stencil.hpp"
#include "nnfield/core/loss.hpp"
#include "nnfield/core/shape.hpp"

namespace nnfield {

class Network {
 public:
  Network(NetworkShape shape, Activation activation, Loss loss);

  const NetworkShape& shape() const { return m_shape; }
  Activation activation() const { return m_activation; }
  Loss loss_kind() const { return m_loss; }

  // Forward pass for B samples; X is (B, N) row-major. W is (M,N,K), b is (M,N).
  void forward(const double* W, const double* b, const double* X, int B);
  // After forward(): z^(m)_i of sample s, 1 <= m <= M (z^(M) = Z).
  double z(int m, int s, int i) const { return m_z[std::size_t(m)][std::size_t(i) * m_B + s]; }
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

  NetworkShape m_shape;
  LinkStencil m_stencil;
  Activation m_activation;
  Loss m_loss;
  int m_B = 0;         // current batch size
  int m_capacity = 0;  // largest batch the workspace holds
  // Layout inside the workspace is (site, sample): the batch index is innermost so
  // that the stencil loops vectorise over samples.
  std::vector<std::vector<double>> m_z;       // m = 0..M; z^(m) (N*B); [0] unused
  std::vector<std::vector<double>> m_hpad;    // m = 0..M-1; h^(m) with r ghost rows each side
  std::vector<std::vector<double>> m_dsigma;  // m = 1..M-1; sigma'(z^(m))
  std::vector<double> m_delta, m_delta_next;  // dl/dz of the current and next-lower layer
  std::vector<double> m_gpad;                 // dl/dh with ghost rows (scatter target)
};

}  // namespace nnfield
