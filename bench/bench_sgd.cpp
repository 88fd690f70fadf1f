// SGD training steps per second: forward, backward and update on random data.
// Usage: bench_sgd [--M 16] [--N 256] [--r 2] [--batch 1] [--steps 10000] [--activation tanh]
//                  [--threads 1]
// Prints "steps_per_second <rate>", and the flops and activations of a step
// (scripts/bench_vs_torch.py parses them).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "nnfield/core/network.hpp"
#include "nnfield/numerics/rng.hpp"

int main(int argc, char** argv) {
  int M = 16, N = 256, r = 2, batch = 1, S = 256, threads = 1;
  long steps = 10000;
  std::string activation = "tanh";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    const char* v = argv[i + 1];
    if (key == "--M") M = std::atoi(v);
    else if (key == "--N") N = std::atoi(v);
    else if (key == "--r") r = std::atoi(v);
    else if (key == "--batch") batch = std::atoi(v);
    else if (key == "--steps") steps = std::atol(v);
    else if (key == "--activation") activation = v;
    else if (key == "--threads") threads = std::atoi(v);
    else {
      std::fprintf(stderr, "bench_sgd: unknown option %s\n", key.c_str());
      return 2;
    }
  }
  const nnfield::NetworkShape shape{M, N, r};
  nnfield::Network net(shape, nnfield::activation_from_name(activation), nnfield::Loss::mse);
  net.set_threads(unsigned(std::max(0, threads)));
  net.keep_neurons(false);  // a training loop that reads no neurons, as run's SGD
  nnfield::Rng rng(1);
  std::vector<double> q(shape.num_params()), g(q.size()), X(std::size_t(S) * N), Y(X.size());
  for (std::size_t j = 0; j < shape.num_weights(); ++j) q[j] = rng.normal() / std::sqrt(double(shape.K()));
  for (auto& x : X) x = rng.normal();
  for (auto& y : Y) y = rng.normal();
  std::vector<double> Xb(std::size_t(batch) * N), Yb(Xb.size());
  const std::size_t nw = shape.num_weights();
  const double eta = 1e-3;
  auto step = [&](long k) {
    for (int s = 0; s < batch; ++s) {  // gather the mini-batch, as a training loop does
      const std::size_t src = std::size_t((k * batch + s) % S) * N;
      std::memcpy(Xb.data() + std::size_t(s) * N, X.data() + src, std::size_t(N) * sizeof(double));
      std::memcpy(Yb.data() + std::size_t(s) * N, Y.data() + src, std::size_t(N) * sizeof(double));
    }
    net.value_and_gradient(q.data(), q.data() + nw, Xb.data(), Yb.data(), batch, g.data(), g.data() + nw);
    for (std::size_t j = 0; j < q.size(); ++j) q[j] -= eta * g[j];
  };
  for (long k = 0; k < std::min(steps / 10 + 1, 200L); ++k) step(k);  // warm-up
  const auto t0 = std::chrono::steady_clock::now();
  for (long k = 0; k < steps; ++k) step(k);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("M=%d N=%d r=%d batch=%d threads=%d steps=%ld seconds=%.4f\n", M, N, r, batch, threads, steps, seconds);
  std::printf("steps_per_second %.6g\n", double(steps) / seconds);
  // The work of a step: a multiply-add per link and sample in apply, in the weight gradient
  // and in the transpose (layers 1..M-1; no dl/dX here), and an activation per hidden neuron.
  const double links = double(shape.num_weights()) / M * batch;
  std::printf("flops_per_step %.6g\n", 2.0 * links * (2.0 * M + (M - 1)));
  std::printf("activations_per_step %.6g\n", double(M - 1) * N * batch);
  return 0;
}
