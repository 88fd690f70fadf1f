// Sampling for the long-range-order measurement (include/nnfield/analysis/propagation.hpp): random
// networks on worker threads, each network's numbers from its own seed; the analysis of
// the sums lives in propagation_analysis.cpp.
#include "nnfield/analysis/propagation.hpp"

#include "nnfield/core/link_stencil.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <mutex>
#include <stdexcept>

#include "nnfield/core/network.hpp"
#include "nnfield/numerics/parallel_for.hpp"
#include "nnfield/numerics/processes.hpp"
#include "nnfield/numerics/rng.hpp"
#include "analysis/propagation_analysis.hpp"

namespace nnfield {

FixedPointMethod fixed_point_method_from_name(const std::string& name) {
  if (name == "auto" || name == "automatic") return FixedPointMethod::automatic;
  if (name == "one") return FixedPointMethod::one;
  if (name == "fitted" || name == "fit") return FixedPointMethod::fitted;
  if (name == "mean_field" || name == "mean-field") return FixedPointMethod::mean_field;
  throw std::invalid_argument("unknown c* method '" + name + "' (valid: auto, one, fitted, mean_field)");
}

std::string fixed_point_method_name(FixedPointMethod method) {
  switch (method) {
    case FixedPointMethod::automatic: return "auto";
    case FixedPointMethod::one: return "one";
    case FixedPointMethod::fitted: return "fitted";
    case FixedPointMethod::mean_field: return "mean_field";
  }
  return "?";
}

void tangent_forward(const NetworkShape& shape, Activation activation, const double* W, const double* b,
                     const double* X, const double* U, double* z, double* t) {
  const int M = shape.M, N = shape.N;
  const LinkStencil links(shape);
  std::vector<double> h(X, X + N), g(U, U + N), dsigma(std::size_t(N), 0.0);
  for (int m = 0; m < M; ++m) {
    double* zm = z + std::size_t(m) * std::size_t(N);
    double* tm = t + std::size_t(m) * std::size_t(N);
    links.apply(W + shape.w_index(m, 0, 0), b + shape.b_index(m, 0), h.data(), zm);  // z = W h + b
    links.apply(W + shape.w_index(m, 0, 0), nullptr, g.data(), tm);                  // t = W g
    if (m + 1 < M) {
      // h^(m+1) = sigma(z^(m+1)), and its tangent sigma'(z) t.
      sigma_and_d1(activation, zm, h.data(), dsigma.data(), std::size_t(N));
      for (int i = 0; i < N; ++i) g[std::size_t(i)] = dsigma[std::size_t(i)] * tm[i];
    }
  }
}

namespace {

// One network's random numbers, drawn in a fixed order from its own stream, in units
// (scaled by sigma_w / sqrt(K) and sigma_b per scan point).
struct NetworkDraw {
  std::vector<double> W, b;         // unit normals (M,N,K), (M,N)
  std::vector<double> X;            // (2P, N): X1_p, X2_p interleaved (sample 2p, 2p+1)
  std::vector<double> U;            // (P, N) tangent directions
};

NetworkDraw draw_network(const NetworkShape& shape, const PropagationOptions& o, long long index) {
  Rng rng(derive_seed(o.seed, "propagate/network/" + std::to_string(index)));
  NetworkDraw d;
  d.W.resize(shape.num_weights());
  d.b.resize(shape.num_biases());
  for (double& v : d.W) v = rng.normal();
  for (double& v : d.b) v = rng.normal();
  const int N = shape.N, P = o.pairs;
  const double s = std::sqrt(o.q0), c0 = o.c0, s0 = std::sqrt(std::max(0.0, 1.0 - o.c0 * o.c0));
  d.X.resize(std::size_t(2 * P) * std::size_t(N));
  d.U.resize(std::size_t(P) * std::size_t(N));
  for (int p = 0; p < P; ++p) {
    double* x1 = d.X.data() + std::size_t(2 * p) * std::size_t(N);
    double* x2 = x1 + N;
    for (int i = 0; i < N; ++i) {
      const double a = rng.normal(), a2 = rng.normal();
      x1[i] = s * a;
      x2[i] = s * (c0 * a + s0 * a2);
    }
    for (int i = 0; i < N; ++i) d.U[std::size_t(p) * std::size_t(N) + std::size_t(i)] = rng.normal();
  }
  return d;
}

// The per-layer sums of one network at one sigma_w (layout: propagation_analysis.hpp).
void measure_network(const NetworkShape& shape, Activation activation, const NetworkDraw& d, double sigma_w,
                     double sigma_b, int P, Network& network, std::vector<double>& W, std::vector<double>& b,
                     std::vector<double>& z, std::vector<double>& t, double* sums) {
  using namespace detail;
  const int M = shape.M, N = shape.N;
  const double ws = sigma_w / std::sqrt(double(shape.K()));
  for (std::size_t k = 0; k < W.size(); ++k) W[k] = ws * d.W[k];
  for (std::size_t k = 0; k < b.size(); ++k) b[k] = sigma_b * d.b[k];
  network.forward(W.data(), b.data(), d.X.data(), 2 * P);
  std::fill(sums, sums + std::size_t(M) * kPropagationSums, 0.0);
  for (int m = 1; m <= M; ++m) {
    double* s = sums + std::size_t(m - 1) * kPropagationSums;
    for (int p = 0; p < P; ++p)
      for (int i = 0; i < N; ++i) {
        const double z1 = network.z(m, 2 * p, i), z2 = network.z(m, 2 * p + 1, i);
        s[kQ11] += z1 * z1;
        s[kQ22] += z2 * z2;
        s[kQ12] += z1 * z2;
        s[kQdd] += (z1 - z2) * (z1 - z2);
        s[kQds] += (z1 - z2) * (z1 + z2);
      }
  }
  for (int p = 0; p < P; ++p) {
    tangent_forward(shape, activation, W.data(), b.data(), d.X.data() + std::size_t(2 * p) * std::size_t(N),
                    d.U.data() + std::size_t(p) * std::size_t(N), z.data(), t.data());
    for (int m = 0; m < M; ++m)
      for (int i = 0; i < N; ++i) {
        const double v = t[std::size_t(m) * std::size_t(N) + std::size_t(i)];
        sums[std::size_t(m) * kPropagationSums + kTT] += v * v;
      }
  }
  const double norm = 1.0 / (double(P) * double(N));
  for (std::size_t k = 0; k < std::size_t(M) * kPropagationSums; ++k) sums[k] *= norm;
}

// What one worker reuses from network to network.
struct Workspace {
  Network network;
  std::vector<double> W, b, z, t;
  Workspace(const NetworkShape& shape, Activation activation)
      : network(shape, activation, Loss::mse),
        W(shape.num_weights()),
        b(shape.num_biases()),
        z(shape.num_biases()),
        t(shape.num_biases()) {}
};

void check_arguments(const NetworkShape& shape, const std::vector<double>& sigma_w, const PropagationOptions& options) {
  if (shape.M < 1 || shape.N < 1 || shape.r < 0 || shape.K() > shape.N)
    throw std::invalid_argument("propagate: bad network shape");
  if (options.networks < 2) throw std::invalid_argument("propagate: need at least 2 networks for errors");
  if (options.first_network < 0) throw std::invalid_argument("propagate: --first-network must be >= 0");
  if (options.pairs < 1) throw std::invalid_argument("propagate: need at least 1 input pair per network");
  if (!(options.c0 >= -1.0 && options.c0 <= 1.0)) throw std::invalid_argument("propagate: c0 must lie in [-1, 1]");
  if (!(options.q0 > 0.0)) throw std::invalid_argument("propagate: q0 must be positive");
  if (sigma_w.empty()) throw std::invalid_argument("propagate: no sigma_w given");
}

// samples[s]: (networks, M * kPropagationSums), network n's sums at sigma_w[s] in row n.
std::vector<std::vector<double>> sample_networks(const NetworkShape& shape, Activation activation,
                                                 const std::vector<double>& sigma_w, double sigma_b,
                                                 const PropagationOptions& options,
                                                 const std::function<void(int done)>& progress) {
  const std::size_t networks = std::size_t(options.networks), S = sigma_w.size();
  const std::size_t row = std::size_t(shape.M) * detail::kPropagationSums;
  std::vector<std::vector<double>> samples(S, std::vector<double>(networks * row));
  const unsigned threads = resolve_thread_count(options.threads);
  ParallelHooks hooks;
  hooks.stop = options.stop;
  if (progress) hooks.done = [&progress](std::size_t done) { progress(int(done)); };
  // One workspace per thread of this process; under mpirun each network's sums travel to
  // process 0 as their bits (processes.hpp), so the scan does not depend on who ran what.
  std::mutex claim;
  std::vector<std::unique_ptr<Workspace>> idle;
  const auto measure = [&](std::size_t n) {
    std::unique_ptr<Workspace> w;
    {
      std::lock_guard<std::mutex> lock(claim);
      if (!idle.empty()) w = std::move(idle.back()), idle.pop_back();
    }
    if (!w) w = std::make_unique<Workspace>(shape, activation);
    const NetworkDraw d = draw_network(shape, options, options.first_network + (long long)n);
    std::vector<double> sums(S * row);
    for (std::size_t s = 0; s < S; ++s)
      measure_network(shape, activation, d, sigma_w[s], sigma_b, options.pairs, w->network, w->W, w->b, w->z, w->t,
                      sums.data() + s * row);
    {
      std::lock_guard<std::mutex> lock(claim);
      idle.push_back(std::move(w));
    }
    ByteWriter out;
    out.values(sums);
    return out.take();
  };
  const auto keep = [&](std::size_t n, std::string&& bytes) {
    ByteReader in(bytes);
    const std::vector<double> sums = in.values<double>();
    for (std::size_t s = 0; s < S; ++s)
      std::copy(sums.begin() + std::ptrdiff_t(s * row), sums.begin() + std::ptrdiff_t((s + 1) * row),
                samples[s].begin() + std::ptrdiff_t(n * row));
  };
  if (distributed_for(networks, threads, measure, keep, hooks) < networks) throw PropagationInterrupted();
  return samples;
}

}  // namespace

double propagation_memory_bytes(const NetworkShape& shape, std::size_t scan_points, const PropagationOptions& options,
                                std::string& cause) {
  const double M = shape.M, N = shape.N, K = shape.K(), P = options.pairs;
  const double sums = 8.0 * double(scan_points) * options.networks * M * detail::kPropagationSums;
  // A worker's network: weights, biases, z and the tangent, the 2P inputs' activations
  // (pre- and post-activation and their adjoints, M + 1 lines) and the drawn inputs.
  const double worker = 8.0 * (M * N * K + 3 * M * N + 4 * (M + 1) * N * 2 * P + 3 * P * N);
  const double threads = double(worker_count(std::size_t(options.networks), resolve_thread_count(options.threads)));
  const auto text = [](double v) { return std::to_string(std::int64_t(v)); };
  cause = sums >= threads * worker
              ? "--networks " + text(options.networks) + " x " + text(double(scan_points)) +
                    " sigma_w points x network.M = " + text(M) + " layers of sums kept for the jackknife"
              : "network.M = " + text(M) + ", network.N = " + text(N) + ", network.r = " + text(shape.r) +
                    ", --pairs " + text(P) + ": one network per worker thread (" + text(threads) + ")";
  return sums + threads * worker;
}

PropagationScan analyse_scan(const NetworkShape& shape, Activation activation, const std::vector<double>& sigma_w,
                             double sigma_b, const PropagationOptions& options,
                             std::vector<std::vector<double>> samples) {
  PropagationScan scan;
  scan.shape = shape;
  scan.activation = activation;
  scan.options = options;
  // The scan points are analysed independently (jackknife fits, mean field): in parallel too.
  scan.points.resize(sigma_w.size());
  parallel_for(sigma_w.size(), resolve_thread_count(options.threads), [&](std::size_t s, unsigned) {
    scan.points[s] =
        detail::analyse_propagation(samples[s], options.networks, shape.M, sigma_w[s], sigma_b, activation, options);
  });
  if (sigma_w.size() >= 2)
    scan.transition = detail::estimate_transition(samples, scan.points, options.networks, shape.M, activation, options);
  scan.samples = std::move(samples);
  return scan;
}

PropagationScan propagate(const NetworkShape& shape, Activation activation, const std::vector<double>& sigma_w,
                          double sigma_b, const PropagationOptions& options,
                          const std::function<void(int done)>& progress) {
  check_arguments(shape, sigma_w, options);
  std::vector<std::vector<double>> samples = sample_networks(shape, activation, sigma_w, sigma_b, options, progress);
  if (!processes::is_root()) return {};  // its networks went to process 0
  return analyse_scan(shape, activation, sigma_w, sigma_b, options, std::move(samples));
}

}  // namespace nnfield
