// The width halo under mpirun (core/width_halo.hpp), run by tests/CMakeLists.txt on 1, 2 and 3
// processes: the ghosts the neighbours send are the periodic images of the whole width; the
// running sums over width equal one process's sums bit for bit; a network split along its
// width computes, on every process's block, the loss and gradients of the whole network
// bit for bit (several widths and radii: the seam, block edges, vector and scalar sites;
// batches and one sample).
// Prints one line per failed check; exits 1 if any failed.
#include <cmath>
#include <string>
#include <vector>

#include "nnfield/core/network.hpp"
#include "nnfield/core/width_halo.hpp"
#include "nnfield/numerics/processes.hpp"
#include "nnfield/numerics/rng.hpp"
#include "mpi_checks.hpp"

using namespace nnfield;

namespace {

using test::check;

// A value that names sample s and site i of the whole width.
double tag(int s, int i) { return 1000.0 * s + i + 0.25; }

void check_ghosts(int N, int r) {
  const WidthHalo halo = WidthHalo::split(N, r);
  const WidthBlock& b = halo.block();
  const int B = 3;
  const std::size_t stride = std::size_t(b.width + 2 * r + 5);  // any stride
  std::vector<double> rows(stride * B, -1.0);
  for (int s = 0; s < B; ++s)
    for (int i = 0; i < b.width; ++i) rows[std::size_t(s) * stride + std::size_t(r + i)] = tag(s, b.first + i);
  halo.fill_ghosts(rows.data(), B, stride);
  bool ok = true;
  for (int s = 0; s < B; ++s)
    for (int p = 0; p < b.width + 2 * r; ++p) {
      const int site = ((b.first + p - r) % N + N) % N;
      ok = ok && rows[std::size_t(s) * stride + std::size_t(p)] == tag(s, site);
    }
  check(ok, "ghosts at N = " + std::to_string(N) + ", r = " + std::to_string(r));
}

void check_sums(int N) {
  const WidthHalo halo = WidthHalo::split(N, 1);
  const WidthBlock& b = halo.block();
  Rng rng(42);
  std::vector<double> terms(static_cast<std::size_t>(N));
  for (double& t : terms) t = std::exp(3.0 * rng.normal());  // wide range: order matters
  double serial = 0.0;
  for (double t : terms) serial += t;
  double sum = 0.0;
  halo.sums_from_left(&sum, 1);
  for (int i = 0; i < b.width; ++i) sum += terms[std::size_t(b.first + i)];
  halo.sums_to_right(&sum, 1);
  check(sum == serial, "running sum over width, N = " + std::to_string(N));
}

void check_network(NetworkShape shape, int B, Activation activation) {
  const std::string name = "network M = " + std::to_string(shape.M) + ", N = " + std::to_string(shape.N) +
                           ", r = " + std::to_string(shape.r) + ", B = " + std::to_string(B);
  Rng rng(7);
  std::vector<double> q(shape.num_params()), X(std::size_t(B) * shape.N), Y(X.size());
  for (double& v : q) v = 0.5 * rng.normal();
  for (double& v : X) v = rng.normal();
  for (double& v : Y) v = rng.normal();
  Network whole(shape, activation, Loss::mse);
  std::vector<double> g(q.size()), gX(X.size()), gY(X.size());
  const std::size_t nw = shape.num_weights();
  const double loss = whole.value_and_gradient(q.data(), q.data() + nw, X.data(), Y.data(), B, g.data(), g.data() + nw,
                                               gX.data(), gY.data());

  Network part(shape, activation, Loss::mse, WidthHalo::split(shape.N, shape.r));
  const WidthBlock b = part.halo().block();
  const NetworkShape& ps = part.shape();
  std::vector<double> pq(ps.num_params()), pg(pq.size()), pX(std::size_t(B) * b.width), pY(pX.size()),
      pgX(pX.size()), pgY(pX.size());
  for (int m = 0; m < shape.M; ++m)
    for (int i = 0; i < b.width; ++i) {
      for (int k = 0; k < shape.K(); ++k) pq[ps.w_index(m, i, k)] = q[shape.w_index(m, b.first + i, k)];
      pq[ps.num_weights() + ps.b_index(m, i)] = q[nw + shape.b_index(m, b.first + i)];
    }
  for (int s = 0; s < B; ++s)
    for (int i = 0; i < b.width; ++i) {
      pX[std::size_t(s) * b.width + i] = X[std::size_t(s) * shape.N + b.first + i];
      pY[std::size_t(s) * b.width + i] = Y[std::size_t(s) * shape.N + b.first + i];
    }
  const std::size_t pnw = ps.num_weights();
  const double ploss = part.value_and_gradient(pq.data(), pq.data() + pnw, pX.data(), pY.data(), B, pg.data(),
                                               pg.data() + pnw, pgX.data(), pgY.data());
  check(ploss == loss, name + ": loss");
  bool same = true;
  for (int m = 0; m < shape.M; ++m)
    for (int i = 0; i < b.width; ++i) {
      for (int k = 0; k < shape.K(); ++k) same = same && pg[ps.w_index(m, i, k)] == g[shape.w_index(m, b.first + i, k)];
      same = same && pg[pnw + ps.b_index(m, i)] == g[nw + shape.b_index(m, b.first + i)];
    }
  check(same, name + ": gradients of the block");
  bool same_data = true;  // dl/dX and dl/dY, the moving data's forces
  for (int s = 0; s < B; ++s)
    for (int i = 0; i < b.width; ++i) {
      const std::size_t at = std::size_t(s) * b.width + i, whole_at = std::size_t(s) * shape.N + b.first + i;
      same_data = same_data && pgX[at] == gX[whole_at] && pgY[at] == gY[whole_at];
    }
  check(same_data, name + ": dl/dX and dl/dY of the block");
  part.forward(pq.data(), pq.data() + pnw, pX.data(), B);  // Network::loss continues the sums too
  whole.forward(q.data(), q.data() + nw, X.data(), B);
  check(part.loss(pY.data()) == whole.loss(Y.data()), name + ": Network::loss");
}

}  // namespace

int main(int argc, char** argv) {
  processes::start(argc, argv);
  const int K = processes::count();
  for (int N : {10, 11, 37}) {
    for (int r : {1, 2, 3})
      if (N / K >= r && 2 * r < N) check_ghosts(N, r);
    check_sums(N);
  }
  check_network({3, 10, 2}, 5, Activation::tanh);   // the edge sites of every block
  check_network({4, 37, 1}, 6, Activation::gelu);   // odd blocks, K = 3 kernels
  check_network({3, 203, 3}, 9, Activation::tanh);  // vector sites, K = 7 kernels
  check_network({2, 23, 4}, 4, Activation::tanh);   // r = 4: the kernels for any K
  // One sample (the one-sample kernels, their transpose on the weights' ghosts, sigma by
  // sites in the whole row's vector loop or its tail): the same widths and radii.
  check_network({3, 10, 2}, 1, Activation::tanh);
  check_network({4, 37, 1}, 1, Activation::gelu);
  check_network({3, 203, 3}, 1, Activation::tanh);
  check_network({3, 203, 3}, 1, Activation::softplus);
  check_network({2, 23, 4}, 1, Activation::erf);
  return test::finish_checks("width halo");
}
