#pragma once
// Long-range order across depth (docs/theory.md section 5): pairs of inputs with correlation c0 sent
// through random networks of a model's shape; per layer the length q^(m) and the
// correlation c^(m), and the depth scale xi_c from |c^(m) - c*| ~ A exp(-m / xi_c).
//
// Conventions (Schoenholz et al., ICLR 2017, on pre-activations):
//   inputs      X1 = sqrt(q0) a,  X2 = sqrt(q0) (c0 a + sqrt(1 - c0^2) a'),  a, a' ~ N(0, 1) per site
//   networks    W[m,i,k] ~ N(0, sigma_w^2 / K), b[m,i] ~ N(0, sigma_b^2), fresh per network
//   lengths     q_ab^(m) = < (1/N) sum_i z_a^(m)_i z_b^(m)_i >   (z = pre-activations, m = 1..M)
//   q^(m)       (q_11 + q_22) / 2;   c^(m) = q_12 / sqrt(q_11 q_22)
// where < > averages over networks and input pairs: the ensemble lengths of mean-field theory,
// and c is their ratio (not the mean of per-network ratios). Alongside the pair, each network
// carries the exact linearisation (tangent) of z^(m)(X1) along a random unit-variance input
// direction u: g^(m) = < (1/N) sum_i (dz^(m)_i)^2 >, whose growth per layer tends to chi_1
// (Schoenholz Eq. 5) once q^(m) has converged, on both sides of the order-to-chaos transition.
//
// Reproducibility: network n draws everything (unit normals for W, b, the inputs and u) from
// Rng(derive_seed(seed, "propagate/network/<n>")), whatever thread runs it; a scan over sigma_w
// reuses the same unit normals (common random numbers: the scan is smooth in sigma_w).
#include <atomic>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "nnfield/core/activation.hpp"
#include "nnfield/analysis/mean_field.hpp"
#include "nnfield/config/config.hpp"
#include "nnfield/core/shape.hpp"
#include "nnfield/io/series_sink.hpp"
#include "nnfield/numerics/statistics.hpp"

namespace nnfield {

// How c* is obtained for the fit of |c^(m) - c*|:
//   automatic  c* = 1 when the measured tangent growth says the phase is ordered (chi_1 < 1):
//              c = 1 is a fixed point of every network (equal inputs stay equal), attracting
//              there; otherwise c* is fitted (below).
//   one        c* = 1.
//   fitted     c^(m) = c* + A lambda^m fitted over the window (c*, A linear least squares for
//              each lambda; lambda on a grid refined by golden section): the deep-layer plateau the data
//              relax to, without assuming the network is deep enough to have reached it.
//   mean_field the mean-field fixed point (for comparison only: it carries no finite-K effects).
enum class FixedPointMethod { automatic, one, fitted, mean_field };
FixedPointMethod fixed_point_method_from_name(const std::string& name);  // throws std::invalid_argument
std::string fixed_point_method_name(FixedPointMethod method);

struct PropagationOptions {
  double q0 = 1.0;          // per-site input variance (default 1: unit-variance inputs)
  double c0 = 0.5;          // input correlation, in [-1, 1]
  int networks = 64;        // independent random networks
  // The networks are first_network .. first_network + networks - 1: network n's weights and
  // inputs depend on the seed and n alone, so jobs over network ranges merge (nnfield merge).
  long long first_network = 0;
  int pairs = 4;            // input pairs (and tangent directions) per network
  int threads = 0;          // 0: default_thread_count() (numerics/thread_count.hpp)
  std::uint64_t seed = 0;   // master seed
  int jackknife_blocks = 32;  // error blocks over networks (<= networks)
  FixedPointMethod fixed_point = FixedPointMethod::automatic;
  // Fit window: layers after q has converged (|q^(m+1) - q^(m)| <= q_tolerance q^(m)), with
  // |c - c*| <= linear_cut (the c map's linear regime), and |c - c*| >= noise_factor times its
  // error (the first layer below ends the window).
  double q_tolerance = 1e-2;
  double linear_cut = 0.05;
  double noise_factor = 3.0;
  const std::atomic<bool>* stop = nullptr;  // set (e.g. by SIGINT): propagate() throws PropagationInterrupted
};

// Peak memory of propagate(): every network's per-layer sums at every scan point (kept for
// the jackknife) and one network per worker thread; `cause` names the options and keys
// behind the larger part.
double propagation_memory_bytes(const NetworkShape& shape, std::size_t scan_points, const PropagationOptions& options,
                                std::string& cause);

class PropagationInterrupted : public std::runtime_error {
 public:
  PropagationInterrupted() : std::runtime_error("propagation interrupted") {}
};

// A log-linear fit y_m = intercept + slope m over layers first..last (1-based, inclusive),
// weighted by 1/err(y_m)^2; errors of everything by the jackknife over networks with the
// window and weights held fixed.
struct DepthFit {
  bool ok = false;
  std::string note;           // why not ok, or what limited the window
  int first = 0, last = 0;
  Estimate slope;             // d ln|y| / dm
  Estimate intercept;
  Estimate xi;                // -1 / slope (a decay length; +inf when slope >= 0)
  Estimate chi;               // exp(slope): the per-layer factor
};

struct PropagationResult {
  double sigma_w = 0.0, sigma_b = 0.0;
  int M = 0;
  // Per layer m = 1..M (index m-1), ensemble means with jackknife errors.
  std::vector<Estimate> q, c, q11, q22, q12;
  std::vector<Estimate> dc;       // |c^(m) - c*|, from cancellation-free sums when c* = 1
  std::vector<Estimate> tangent;  // g^(m)
  // c* and how it was obtained; the fits.
  Estimate c_star;
  FixedPointMethod c_star_method = FixedPointMethod::one;
  DepthFit fit_c;        // ln|c - c*|: xi = xi_c (for fitted c*, slope = ln lambda of that fit)
  DepthFit fit_tangent;  // ln g: chi = chi_1 measured, xi = -1/ln chi_1 (ordered phase)
  // Mean-field predictions for the same activation, sigma_w, sigma_b, q0, c0.
  MeanFieldPoint mean_field;
  std::vector<double> q_mean_field, c_mean_field;  // layer-by-layer recursion
};

struct TransitionEstimate {
  bool ok = false;
  std::string note;
  Estimate sigma_w;               // where the measured ln chi_1 crosses 0 (linear interpolation)
  double sigma_w_mean_field = 0;  // where chi_1 = 1 in mean-field theory (0 if none)
};

struct PropagationScan {
  NetworkShape shape;
  Activation activation = Activation::tanh;
  PropagationOptions options;
  std::vector<PropagationResult> points;  // one per sigma_w, in the order given
  TransitionEstimate transition;          // from the scan's measured chi_1 (needs >= 2 points)
  // samples[s]: the per-network sums at sigma_w[s], (networks, M * 6) row-major: network
  // n's means over its input pairs and sites of z1 z1, z2 z2, z1 z2, (z1 - z2)^2,
  // (z1 - z2)(z1 + z2) and t^2, layer-major. Everything above is computed from them.
  std::vector<std::vector<double>> samples;
};

// Runs `options.networks` random networks for every sigma_w (same sigma_b), on
// `options.threads` threads. `progress`, if given, is called after each network (from worker
// threads, serialised) with the number of networks done.
PropagationScan propagate(const NetworkShape& shape, Activation activation, const std::vector<double>& sigma_w,
                          double sigma_b, const PropagationOptions& options,
                          const std::function<void(int done)>& progress = {});

// The analysis of measured sums (PropagationScan::samples): the means, errors, fits and
// transition propagate() computes after measuring. Used by propagate() and by
// merge_propagations(), so that a merged scan equals one run over all its networks.
PropagationScan analyse_scan(const NetworkShape& shape, Activation activation, const std::vector<double>& sigma_w,
                             double sigma_b, const PropagationOptions& options,
                             std::vector<std::vector<double>> samples);

// What a propagation file records beyond the scan (whose options it records too): the
// request as it was given.
struct PropagationRecord {
  std::string c_star_requested = "auto";  // --c-star: auto, one, fitted or mean_field
};

// The scan into a sink (an HDF5 file through RunWriter, or a MemoryRun): root attributes
// for the settings, /sigma_w (S), /layer (M), per-layer (S, M) /q, /c, /q11, /q22, /q12,
// /dc, /tangent with their *_error, /mean_field/..., /fit/..., /tangent_fit/...,
// /transition/... (layout in propagation_output.cpp).
void write_propagation(const PropagationScan& scan, const PropagationRecord& record, SeriesSink& sink);

// Scans run as separate jobs (over ranges of networks, --first-network, or over sigma_w
// values), combined: every (sigma_w, network) sum read back from /samples, the points in
// the order they first appear, the networks in index order, analysed by analyse_scan, so
// the result equals one propagate over all of them bit for bit. Throws ConfigError, naming
// the file, for a file that is not a complete propagation file with samples, settings
// that differ (model, seed, inputs, fit options), a (sigma_w, network) in two files, or a
// union that is not every sigma_w at every network of one contiguous network range.
struct MergedPropagation {
  ModelConfig config;
  PropagationScan scan;
  PropagationRecord record;
};
MergedPropagation merge_propagations(const std::vector<std::string>& files);

// Exact forward-mode linearisation of the network (docs/theory.md section 1) for one input X and
// direction U, both (N): z (M,N) as the forward pass, t (M,N) = dz/dX . U:
//   t^(1) = W^(0) U,   t^(m+1)_i = sum_k W[m,i,k] sigma'(z^(m)_j) t^(m)_j,  j = i+k-r mod N.
void tangent_forward(const NetworkShape& shape, Activation activation, const double* W, const double* b,
                     const double* X, const double* U, double* z, double* t);

}  // namespace nnfield
