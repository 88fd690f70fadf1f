// Correlators (docs/theory.md section 5): the FFT versions equal the direct sums, and the
// oracles: the Gaussian free field's second-moment length, a constant field's
// vanishing connected correlator, a plane wave's delta structure factor, the
// integrated autocorrelation time of an AR(1) process; then the on-the-fly observer.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <complex>
#include <map>
#include <memory>
#include <thread>
#include <vector>

#include "nnfield/correlators/correlator_set.hpp"
#include "nnfield/correlators/correlators.hpp"
#include "nnfield/correlators/correlators_direct.hpp"
#include "nnfield/data/data.hpp"
#include "nnfield/observe/observer.hpp"
#include "nnfield/numerics/fft.hpp"
#include "nnfield/numerics/rng.hpp"
#include "nnfield/run/run.hpp"
#include "support.hpp"

using namespace nnfield;
using nnfield::test::max_abs_diff;
using nnfield::test::normal_vector;

namespace {

constexpr double kPi = 3.14159265358979323846;

const MeanSubtraction kAllSubtractions[] = {MeanSubtraction::none, MeanSubtraction::configuration,
                                            MeanSubtraction::ensemble};

// A random field with a nonzero mean, so every subtraction matters.
std::vector<double> random_field(std::size_t S, std::size_t M, std::size_t N, std::uint64_t seed) {
  std::vector<double> phi = normal_vector(S * M * N, 1.0, seed);
  for (std::size_t j = 0; j < phi.size(); ++j) phi[j] += 0.7 + 0.1 * double(j % 5);
  return phi;
}

// Lattice propagator of the Gaussian free field: S(k) = 1/(m^2 + 4 sin^2(k/2)).
double gff_propagator(double k, double mass) { return 1.0 / (mass * mass + 4.0 * std::sin(k / 2) * std::sin(k / 2)); }

// `samples` independent GFF rows of width N, drawn in Fourier space so that
// <|phi~(k)|^2> = N S(k): Gaussian modes, Hermitian so the field is real.
std::vector<double> gff_samples(std::size_t samples, std::size_t N, double mass, std::uint64_t seed) {
  Rng rng(seed);
  const std::size_t nq = N / 2 + 1;
  std::vector<double> phi(samples * N);
  FftBuffer<Complex> spectrum(nq);
  FftBuffer<double> row(N);
  const RowFFT fft(N);
  for (std::size_t s = 0; s < samples; ++s) {
    for (std::size_t q = 0; q < nq; ++q) {
      const double power = double(N) * gff_propagator(half_spectrum_wavenumber(q, N), mass);
      // The self-conjugate modes q = 0 and q = N/2 (N even) are real.
      const bool real_mode = q == 0 || 2 * q == N;
      const double re = rng.normal(), im = rng.normal();
      spectrum[q] = real_mode ? Complex(std::sqrt(power) * re, 0.0)
                              : std::sqrt(power / 2) * Complex(re, im);
    }
    fft.inverse(spectrum.data(), row.data());  // phi(y) = (1/N) sum_k phi~(k) e^{iky}
    for (std::size_t y = 0; y < N; ++y) phi[s * N + y] = row[y] / double(N);
  }
  return phi;
}

}  // namespace

// The Fourier convention of docs/theory.md section 5: FFTW's forward transform, unnormalised.
TEST_CASE("RowFFT follows the forward, unnormalised convention on aligned and unaligned buffers", "[correlators]") {
  for (std::size_t N : {1, 2, 7, 16, 33}) {
    CAPTURE(N);
    const std::size_t rows = 3, nq = N / 2 + 1;
    const std::vector<double> f = normal_vector(rows * N, 1.0, 11 + N);
    FftBuffer<double> in(rows * N);
    std::copy(f.begin(), f.end(), in.begin());
    FftBuffer<Complex> out(rows * nq);
    const RowFFT fft(N, rows);
    fft.forward(in.data(), out.data());
    // f~(k_q) = sum_y f(y) e^{-i k_q y}
    double err = 0.0;
    for (std::size_t r = 0; r < rows; ++r)
      for (std::size_t q = 0; q < nq; ++q) {
        Complex sum = 0.0;
        for (std::size_t y = 0; y < N; ++y)
          sum += f[r * N + y] * std::polar(1.0, -2.0 * kPi * double((q * y) % N) / double(N));
        err = std::max(err, std::abs(sum - out[r * nq + q]));
      }
    CHECK(err < 1e-12);

    // Unaligned (offset by one double) buffers take the FFTW_UNALIGNED plans: same numbers.
    std::vector<double> shifted(rows * N + 1);
    std::copy(f.begin(), f.end(), shifted.begin() + 1);
    std::vector<Complex> out_unaligned(rows * nq + 1);
    fft.forward(shifted.data() + 1, out_unaligned.data() + 1);
    for (std::size_t j = 0; j < rows * nq; ++j) CHECK(std::abs(out_unaligned[j + 1] - out[j]) < 1e-13);

    // inverse(forward(f)) = N f
    FftBuffer<double> back(rows * N);
    fft.inverse(out.data(), back.data());
    for (std::size_t j = 0; j < rows * N; ++j) CHECK(back[j] / double(N) == Approx(f[j]).margin(1e-13));
  }
  CHECK(fft_friendly_length(1) == 1);
  CHECK(fft_friendly_length(11) == 12);
  CHECK(fft_friendly_length(121) == 125);
  CHECK_THROWS_AS(RowFFT(0), std::invalid_argument);
}

TEST_CASE("FFT width correlators and structure factors equal the direct sums", "[correlators]") {
  for (std::size_t N : {2, 5, 16, 33})
    for (MeanSubtraction sub : kAllSubtractions) {
      CAPTURE(N, mean_subtraction_name(sub));
      const std::size_t S = 5, M = 3, nq = N / 2 + 1;
      const std::vector<double> phi = random_field(S, M, N, 100 + N);
      std::vector<double> C(M * N), Sk(M * nq), Cd(M * N), Skd(M * nq);
      width_correlators(phi.data(), S, M, N, sub, C.data(), Sk.data());
      direct::width_correlators(phi.data(), S, M, N, sub, Cd.data(), Skd.data());
      CHECK(max_abs_diff(C.data(), Cd.data(), C.size()) < 1e-12);
      CHECK(max_abs_diff(Sk.data(), Skd.data(), Sk.size()) < 1e-12);
      // The returning overload gives the same arrays.
      const WidthCorrelators w = width_correlators(phi.data(), S, M, N, sub);
      CHECK(max_abs_diff(w.C.data(), C.data(), C.size()) == 0.0);
      CHECK(max_abs_diff(w.Sk.data(), Sk.data(), Sk.size()) == 0.0);
    }
  // Per sample, batched: the same as one sample at a time (the ensemble mean is
  // still the mean over all samples).
  for (std::size_t N : {5, 16, 33})
    for (MeanSubtraction sub : kAllSubtractions) {
      CAPTURE(N, mean_subtraction_name(sub));
      const std::size_t S = 300, M = 3, nq = N / 2 + 1;  // several blocks of rows
      std::vector<double> phi = random_field(S, M, N, 700 + N);
      std::vector<double> C(S * M * N), Sk(S * M * nq), Cd(M * N), Skd(M * nq);
      width_correlators_each(phi.data(), S, M, N, sub, C.data(), Sk.data());
      if (sub == MeanSubtraction::ensemble) {
        std::vector<double> mean(M * N, 0.0);
        for (std::size_t j = 0; j < S * M * N; ++j) mean[j % (M * N)] += phi[j] / double(S);
        for (std::size_t j = 0; j < S * M * N; ++j) phi[j] -= mean[j % (M * N)];
      }
      const MeanSubtraction alone = sub == MeanSubtraction::ensemble ? MeanSubtraction::none : sub;
      double err = 0.0;
      for (std::size_t s = 0; s < S; s += 37) {
        direct::width_correlators(phi.data() + s * M * N, 1, M, N, alone, Cd.data(), Skd.data());
        err = std::max({err, max_abs_diff(C.data() + s * M * N, Cd.data(), M * N),
                        max_abs_diff(Sk.data() + s * M * nq, Skd.data(), M * nq)});
      }
      CHECK(err < 1e-12);
    }
  // Enough samples to span several internal blocks of rows.
  const std::size_t S = 700, M = 4, N = 24;
  const std::vector<double> phi = random_field(S, M, N, 5);
  std::vector<double> C(M * N), Cd(M * N);
  width_correlators(phi.data(), S, M, N, MeanSubtraction::configuration, C.data(), nullptr);
  direct::width_correlators(phi.data(), S, M, N, MeanSubtraction::configuration, Cd.data(), nullptr);
  CHECK(max_abs_diff(C.data(), Cd.data(), C.size()) < 1e-12);
}

TEST_CASE("FFT 2D and input cross-correlators equal the direct sums, depth is their d = 0", "[correlators]") {
  for (std::size_t N : {3, 8, 17})
    for (MeanSubtraction sub : kAllSubtractions) {
      CAPTURE(N, mean_subtraction_name(sub));
      const std::size_t S = 4, M = 5;
      const std::vector<double> phi = random_field(S, M, N, 200 + N);
      std::vector<double> C2(M * M * N), C2d(M * M * N);
      correlator_2d(phi.data(), S, M, N, sub, C2.data());
      direct::correlator_2d(phi.data(), S, M, N, sub, C2d.data());
      CHECK(max_abs_diff(C2.data(), C2d.data(), C2.size()) < 1e-12);

      std::vector<double> depth(M * M), width(M * N);
      depth_correlator(phi.data(), S, M, N, sub, depth.data());
      width_correlators(phi.data(), S, M, N, sub, width.data(), nullptr);
      for (std::size_t m = 0; m < M; ++m) {
        for (std::size_t mp = 0; mp < M; ++mp) CHECK(depth[m * M + mp] == Approx(C2d[(m * M + mp) * N]).margin(1e-12));
        for (std::size_t d = 0; d < N; ++d) CHECK(width[m * N + d] == Approx(C2d[(m * M + m) * N + d]).margin(1e-12));
      }

      for (std::size_t SX : {std::size_t(1), S}) {
        CAPTURE(SX);
        const std::vector<double> X = random_field(SX, 1, N, 300 + SX);
        std::vector<double> CX(M * N), CXd(M * N);
        input_cross_correlator(phi.data(), X.data(), S, SX, M, N, sub, CX.data());
        direct::input_cross_correlator(phi.data(), X.data(), S, SX, M, N, sub, CXd.data());
        CHECK(max_abs_diff(CX.data(), CXd.data(), CX.size()) < 1e-12);
      }
    }
}

TEST_CASE("FFT time autocovariance equals the open (non-periodic) direct sum", "[correlators]") {
  for (std::size_t T : {1, 2, 17, 100, 257}) {
    CAPTURE(T);
    const std::size_t P = 3;
    std::vector<double> a = normal_vector(T * P, 1.0, 400 + T);
    // A trend makes a periodic (unpadded) estimator visibly wrong at large lags.
    for (std::size_t t = 0; t < T; ++t)
      for (std::size_t p = 0; p < P; ++p) a[t * P + p] += 0.05 * double(t) * double(p + 1);
    std::vector<double> g(T * P), gd(T * P);
    time_autocovariance(a.data(), T, P, g.data());
    direct::time_autocovariance(a.data(), T, P, gd.data());
    CHECK(max_abs_diff(g.data(), gd.data(), g.size()) < 1e-12 * std::max(1.0, test::max_abs(gd)));
  }
}

TEST_CASE("Gaussian free field: the exact propagator gives xi_y = 1/m to 1e-12", "[correlators]") {
  for (std::size_t N : {4, 9, 32, 101, 1024})
    for (double mass : {0.01, 0.2, 1.0, 3.0}) {
      CAPTURE(N, mass);
      std::vector<double> Sk(N / 2 + 1);
      for (std::size_t q = 0; q < Sk.size(); ++q) Sk[q] = gff_propagator(half_spectrum_wavenumber(q, N), mass);
      CHECK(std::fabs(second_moment_xi(Sk.data(), N) * mass - 1.0) < 1e-12);
    }
  // No positive second-moment length: NaN, not a number that looks like one.
  const double flat_dip[] = {1.0, 2.0, 1.0};
  CHECK(std::isnan(second_moment_xi(flat_dip, 4)));
  const double connected[] = {0.0, 2.0, 1.0};
  CHECK(std::isnan(second_moment_xi(connected, 4)));
}

TEST_CASE("Gaussian free field samples: ensemble xi_y agrees with 1/m within 3 jackknife sigma", "[correlators]") {
  struct Case {
    std::size_t N;
    double mass;
    std::uint64_t seed;
  };
  for (const Case& c : {Case{64, 0.2, 1}, Case{128, 0.1, 2}, Case{33, 0.5, 3}}) {
    CAPTURE(c.N, c.mass);
    // Only the modes k = 0 and k_min enter xi_y, each exponentially distributed per
    // sample: it takes ~10^4 samples to resolve xi_y to a few percent.
    const std::size_t n = 20000, N = c.N, nq = N / 2 + 1;
    const std::vector<double> phi = gff_samples(n, N, c.mass, c.seed);  // (S = n, M = 1, N)
    std::vector<double> Sk(nq);
    width_correlators(phi.data(), n, 1, N, MeanSubtraction::none, nullptr, Sk.data());
    const double xi = second_moment_xi(Sk.data(), N);

    // Jackknife over samples: xi from the ensemble with sample j left out. The
    // per-sample spectra are those of the samples read as n layers of one configuration.
    std::vector<double> per_sample(n * nq);
    width_correlators(phi.data(), 1, n, N, MeanSubtraction::none, nullptr, per_sample.data());
    double mean = 0.0;
    std::vector<double> xi_j(n);
    for (std::size_t j = 0; j < n; ++j) {
      double s0 = Sk[0] * double(n), s1 = Sk[1] * double(n);
      s0 = (s0 - per_sample[j * nq]) / double(n - 1);
      s1 = (s1 - per_sample[j * nq + 1]) / double(n - 1);
      const double left_out[] = {s0, s1};
      xi_j[j] = second_moment_xi(left_out, N);
      mean += xi_j[j] / double(n);
    }
    double var = 0.0;
    for (double x : xi_j) var += (x - mean) * (x - mean);
    const double sigma = std::sqrt(double(n - 1) / double(n) * var);
    INFO("xi = " << xi << " +- " << sigma << ", 1/m = " << 1.0 / c.mass);
    CHECK(sigma < 0.1 / c.mass);  // the test resolves xi to better than 10%
    CHECK(std::fabs(xi - 1.0 / c.mass) < 3.0 * sigma);
  }
}

TEST_CASE("A constant field has zero connected correlators", "[correlators]") {
  const std::size_t S = 3, M = 4, N = 12, nq = N / 2 + 1;
  // Constant across width (different per layer and sample): the connected part vanishes.
  std::vector<double> phi(S * M * N);
  for (std::size_t s = 0; s < S; ++s)
    for (std::size_t m = 0; m < M; ++m)
      for (std::size_t i = 0; i < N; ++i) phi[(s * M + m) * N + i] = 1.5 + double(m) - 0.3 * double(s);
  std::vector<double> C(M * N), Sk(M * nq), C2(M * M * N), depth(M * M), CX(M * N);
  const std::vector<double> X = normal_vector(N, 1.0, 9);
  const MeanSubtraction conn = MeanSubtraction::configuration;
  width_correlators(phi.data(), S, M, N, conn, C.data(), Sk.data());
  correlator_2d(phi.data(), S, M, N, conn, C2.data());
  depth_correlator(phi.data(), S, M, N, conn, depth.data());
  input_cross_correlator(phi.data(), X.data(), S, 1, M, N, conn, CX.data());
  CHECK(test::max_abs(C) < 1e-14);
  CHECK(test::max_abs(Sk) < 1e-13);
  CHECK(test::max_abs(C2) < 1e-14);
  CHECK(test::max_abs(depth) < 1e-14);
  CHECK(test::max_abs(CX) < 1e-14);
  // ... while the full correlator is <c_m^2>, the mean of the squared constants.
  width_correlators(phi.data(), S, M, N, MeanSubtraction::none, C.data(), Sk.data());
  for (std::size_t m = 0; m < M; ++m) {
    double c2 = 0.0;
    for (std::size_t s = 0; s < S; ++s) c2 += std::pow(1.5 + double(m) - 0.3 * double(s), 2) / double(S);
    for (std::size_t d = 0; d < N; ++d) CHECK(C[m * N + d] == Approx(c2).epsilon(1e-13));
  }
  // A field constant across samples has zero ensemble-connected correlators everywhere.
  std::vector<double> frozen(S * M * N);
  const std::vector<double> pattern = normal_vector(M * N, 1.0, 10);
  for (std::size_t s = 0; s < S; ++s) std::copy(pattern.begin(), pattern.end(), frozen.begin() + s * M * N);
  width_correlators(frozen.data(), S, M, N, MeanSubtraction::ensemble, C.data(), Sk.data());
  CHECK(test::max_abs(C) < 1e-14);
  CHECK(test::max_abs(Sk) < 1e-13);
}

TEST_CASE("A plane wave has a delta structure factor and a cosine correlator", "[correlators]") {
  for (std::size_t N : {16, 21}) {
    const std::size_t nq = N / 2 + 1, q0 = 3;
    const double A = 1.7, theta = 0.4, k0 = 2.0 * kPi * double(q0) / double(N);
    std::vector<double> phi(N);
    for (std::size_t i = 0; i < N; ++i) phi[i] = A * std::cos(k0 * double(i) + theta);
    std::vector<double> C(N), Sk(nq);
    width_correlators(phi.data(), 1, 1, N, MeanSubtraction::configuration, C.data(), Sk.data());
    // |phi~(k0)| = N A / 2, so S(k0) = N A^2 / 4 and zero elsewhere.
    for (std::size_t q = 0; q < nq; ++q) {
      CAPTURE(N, q);
      CHECK(Sk[q] == Approx(q == q0 ? double(N) * A * A / 4 : 0.0).margin(1e-12));
    }
    for (std::size_t d = 0; d < N; ++d) CHECK(C[d] == Approx(A * A / 2 * std::cos(k0 * double(d))).margin(1e-13));
  }
}

TEST_CASE("tau_int of an AR(1) process matches (1 + rho)/(2 (1 - rho))", "[correlators]") {
  for (double rho : {0.0, 0.5, 0.9}) {
    CAPTURE(rho);
    const std::size_t T = 200000;
    Rng rng(77 + std::uint64_t(rho * 10));
    std::vector<double> x(T);
    x[0] = rng.normal();
    for (std::size_t t = 1; t < T; ++t) x[t] = rho * x[t - 1] + std::sqrt(1 - rho * rho) * rng.normal();
    std::vector<double> gamma(T);
    time_autocovariance(x.data(), T, 1, gamma.data());
    const IntegratedTime it = integrated_autocorrelation_time(gamma.data(), T);
    const double exact = (1 + rho) / (2 * (1 - rho));
    INFO("tau_int = " << it.tau_int << " +- " << it.error << " (W = " << it.window << "), exact " << exact);
    CHECK(it.converged);
    CHECK(double(it.window) >= kSokalWindowConstant * it.tau_int);
    CHECK(it.error < 0.05 * exact);
    CHECK(std::fabs(it.tau_int - exact) < 3.0 * it.error);
    // The normalised autocorrelation follows rho^t at short lags.
    for (std::size_t t = 1; t <= 3; ++t) CHECK(gamma[t] / gamma[0] == Approx(std::pow(rho, double(t))).margin(0.02));
  }
  // A constant series has no autocorrelation time.
  const std::vector<double> flat(50, 2.0);
  std::vector<double> g(50);
  time_autocovariance(flat.data(), 50, 1, g.data());
  CHECK(std::isnan(integrated_autocorrelation_time(g.data(), 50).tau_int));
}

namespace {

// A tiny damped run kept in memory, measuring `field` correlators every 0.2.
std::shared_ptr<MemoryRun> correlator_run(ObservedField field, const std::vector<Correlator>& correlators) {
  ModelConfig config = test::small_model(4, 8, 1);
  config.dynamics.t_end = 1.0;
  config.output.every = 0.1;
  config.observe.correlators = correlators;
  config.observe.field = field;
  config.observe.every = 0.2;
  RunOptions options;
  options.progress = "off";
  const RunResult result = run_model(config, options);
  REQUIRE(result.status == RunStatus::complete);
  REQUIRE(result.memory);
  return result.memory;
}

}  // namespace

TEST_CASE("the correlator observer writes /correlators/* with index orders at its cadence", "[correlators]") {
  const std::vector<Correlator> all = {Correlator::width, Correlator::structure, Correlator::xi,
                                       Correlator::depth, Correlator::input,     Correlator::two_d};
  const std::shared_ptr<MemoryRun> run = correlator_run(ObservedField::phi, all);
  const std::size_t M = 4, N = 8, nq = N / 2 + 1;
  const std::map<std::string, std::pair<std::vector<std::size_t>, std::string>> expected = {
      {"/correlators/time", {{}, "T"}},
      {"/correlators/width", {{M, N}, "T,M,D"}},
      {"/correlators/structure", {{M, nq}, "T,M,Q"}},
      {"/correlators/xi", {{M}, "T,M"}},
      {"/correlators/depth", {{M, M}, "T,M1,M2"}},
      {"/correlators/input", {{M, N}, "T,M,D"}},
      {"/correlators/2d", {{M, M, N}, "T,M1,M2,D"}},
      {"/correlators/layer_mean", {{M}, "T,M"}},
  };
  const std::size_t rows = 6;  // t = 0, 0.2, ..., 1.0 of the 11 output rows
  for (const auto& [name, shape_order] : expected) {
    CAPTURE(name);
    REQUIRE(run->has(name));
    const MemoryRun::Dataset& d = run->dataset(name);
    std::vector<std::size_t> shape{rows};
    shape.insert(shape.end(), shape_order.first.begin(), shape_order.first.end());
    CHECK(d.shape == shape);
    CHECK(d.index_order == shape_order.second);
    CHECK(!d.description.empty());
  }
  CHECK(run->text_attributes().at("correlators_mean_subtracted") == "none");

  // Each row is the library's correlators of the recorded neurons at that time.
  const auto& time = run->dataset("/trajectory/time").data;
  const auto& z = run->dataset("/trajectory/z").data;
  const auto& X = run->dataset("/data/X").data;  // presentation "fixed": sample 0 throughout
  const auto& ct = run->dataset("/correlators/time").data;
  for (std::size_t r = 0; r < rows; ++r) {
    CAPTURE(r);
    CHECK(ct[r] == Approx(0.2 * double(r)).margin(1e-12));
    const std::size_t row = std::size_t(std::lround(ct[r] / 0.1));
    REQUIRE(time[row] == ct[r]);
    const double* phi = z.data() + row * M * N;
    std::vector<double> C(M * N), Sk(M * nq), xi(M), depth(M * M), CX(M * N), C2(M * M * N);
    width_correlators(phi, 1, M, N, MeanSubtraction::none, C.data(), Sk.data());
    second_moment_xi(Sk.data(), M, N, xi.data());
    depth_correlator(phi, 1, M, N, MeanSubtraction::none, depth.data());
    input_cross_correlator(phi, X.data(), 1, 1, M, N, MeanSubtraction::none, CX.data());
    correlator_2d(phi, 1, M, N, MeanSubtraction::none, C2.data());
    auto row_of = [&](const std::string& name, std::size_t size) {
      return run->dataset("/correlators/" + name).data.data() + r * size;
    };
    CHECK(max_abs_diff(row_of("width", M * N), C.data(), M * N) == 0.0);
    CHECK(max_abs_diff(row_of("structure", M * nq), Sk.data(), M * nq) == 0.0);
    for (std::size_t m = 0; m < M; ++m) {
      if (std::isnan(xi[m]))
        CHECK(std::isnan(row_of("xi", M)[m]));
      else
        CHECK(row_of("xi", M)[m] == xi[m]);
    }
    CHECK(max_abs_diff(row_of("depth", M * M), depth.data(), M * M) == 0.0);
    CHECK(max_abs_diff(row_of("input", M * N), CX.data(), M * N) == 0.0);
    CHECK(max_abs_diff(row_of("2d", M * M * N), C2.data(), M * M * N) == 0.0);
    for (std::size_t m = 0; m < M; ++m) {
      double mean = 0.0;
      for (std::size_t i = 0; i < N; ++i) mean += phi[m * N + i] / double(N);
      CHECK(row_of("layer_mean", M)[m] == Approx(mean).margin(1e-14));
    }
  }
}

TEST_CASE("the correlator observer: weights have one field per offset, none asked, none written", "[correlators]") {
  const std::size_t M = 4, N = 8, K = 3;
  const std::shared_ptr<MemoryRun> run = correlator_run(ObservedField::w, {Correlator::width});
  const MemoryRun::Dataset& d = run->dataset("/correlators/width");
  CHECK(d.index_order == "T,K,M,D");
  REQUIRE(d.shape == std::vector<std::size_t>{6, K, M, N});
  // Offset k of the last row is the width correlator of W[:, :, k].
  const auto& W = run->dataset("/trajectory/W").data;
  const std::size_t last = run->dataset("/trajectory/time").shape[0] - 1;
  std::vector<double> wk(M * N), C(M * N);
  for (std::size_t k = 0; k < K; ++k) {
    for (std::size_t j = 0; j < M * N; ++j) wk[j] = W[(last * M * N + j) * K + k];
    width_correlators(wk.data(), 1, M, N, MeanSubtraction::none, C.data(), nullptr);
    CHECK(max_abs_diff(d.data.data() + (5 * K + k) * M * N, C.data(), M * N) == 0.0);
  }

  ModelConfig config = test::small_model();
  auto make_correlator_observer = [](const ModelConfig& c) {
    const NetworkShape& s = c.network.shape;
    return nnfield::make_correlator_observer(c, s.M, s.N, s.K(), correlator_input(c));
  };
  CHECK(make_correlator_observer(config) == nullptr);
  // The input boundary of the recorded neurons changes under "switch": refused.
  config.observe.correlators = {Correlator::input};
  config.data.presentation = Presentation::switched;
  CHECK_THROWS_AS(make_correlator_observer(config), ConfigError);
  config.data.presentation = Presentation::full_batch;
  CHECK(make_correlator_observer(config) != nullptr);
}

TEST_CASE("correlators from many threads at once equal the serial results", "[correlators]") {
  // Fresh sizes, so the threads plan concurrently (FFTW's planner is not thread-safe;
  // src/numerics/fft.cpp serialises it) and then execute the shared cached plans together.
  const std::vector<std::size_t> widths = {37, 41, 43, 47, 53, 59, 61, 67};
  const std::size_t S = 20, M = 3;
  std::vector<std::vector<double>> fields, serial(widths.size()), threaded(widths.size());
  for (std::size_t j = 0; j < widths.size(); ++j) fields.push_back(random_field(S, M, widths[j], 900 + j));
  auto compute = [&](std::size_t j, std::vector<double>& out) {
    const std::size_t N = widths[j];
    out.assign(M * N + M * M * N, 0.0);
    for (int repeat = 0; repeat < 20; ++repeat) {
      width_correlators(fields[j].data(), S, M, N, MeanSubtraction::configuration, out.data(), nullptr);
      correlator_2d(fields[j].data(), S, M, N, MeanSubtraction::none, out.data() + M * N);
    }
  };
  std::vector<std::thread> threads;
  for (std::size_t j = 0; j < widths.size(); ++j) threads.emplace_back(compute, j, std::ref(threaded[j]));
  for (std::thread& t : threads) t.join();
  for (std::size_t j = 0; j < widths.size(); ++j) {
    compute(j, serial[j]);
    CHECK(max_abs_diff(serial[j].data(), threaded[j].data(), serial[j].size()) == 0.0);
  }
}
