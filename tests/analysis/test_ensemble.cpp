// Ensemble statistics (docs/theory.md section 5): jackknife and bootstrap errors against the known
// sigma/sqrt(n) of i.i.d. samples, and ensembles of runs: means equal to separately run
// seeds, errors equal to their standard error, results independent of the thread count.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <limits>
#include <vector>

#include <unistd.h>

#include "nnfield/analysis/ensemble.hpp"
#include "nnfield/io/h5io.hpp"
#include "nnfield/numerics/rng.hpp"
#include "nnfield/run/run.hpp"
#include "nnfield/numerics/statistics.hpp"
#include "support.hpp"

using namespace nnfield;

namespace {

// `reps` data sets of n i.i.d. N(mu, sigma^2) samples from one seeded stream.
std::vector<std::vector<double>> normal_data_sets(int reps, int n, double mu, double sigma, std::uint64_t seed) {
  Rng rng(seed);
  std::vector<std::vector<double>> sets(static_cast<std::size_t>(reps), std::vector<double>(static_cast<std::size_t>(n)));
  for (auto& set : sets)
    for (double& x : set) x = mu + sigma * rng.normal();
  return sets;
}

ModelConfig ensemble_model() {
  ModelConfig c = test::small_model(4, 16, 1);
  c.data.presentation = Presentation::full_batch;
  c.dynamics.kind = DynamicsKind::gradient_flow;
  c.dynamics.eta = 0.2;
  c.dynamics.t_end = 2.0;
  c.integrator.stepper = StepperKind::rk4;
  c.integrator.adaptive = false;
  c.integrator.dt = 0.05;
  c.output.every = 0.5;
  c.observe.correlators = {Correlator::width, Correlator::structure};
  return c;
}

const EnsembleDataset& find(const EnsembleResult& r, const std::string& name) {
  for (const auto& d : r.datasets)
    if (d.name == name) return d;
  FAIL("no dataset " << name);
  return r.datasets.front();
}

}  // namespace

TEST_CASE("jackknife error of a mean of i.i.d. samples is sigma/sqrt(n)", "[ensemble]") {
  const int reps = 400, n = 40;
  const double sigma = 2.3, expected = sigma / std::sqrt(double(n));
  const auto sets = normal_data_sets(reps, n, 1.5, sigma, 11);
  double sum_err = 0.0, sum_blocked = 0.0, sum_mean = 0.0, sum_mean2 = 0.0;
  for (const auto& x : sets) {
    const Estimate e = jackknife_mean(x);
    CHECK(e.value == Approx(mean(x)).epsilon(1e-14));
    // Delete-one jackknife of the mean is exactly the standard error s/sqrt(n).
    CHECK(e.error == Approx(std::sqrt(sample_variance(x) / n)).epsilon(1e-10));
    sum_err += e.error;
    sum_blocked += jackknife(x, x.size(), 1, [](const std::vector<double>& m) { return m; }, 10)[0].error;
    sum_mean += e.value;
    sum_mean2 += e.value * e.value;
  }
  // Averaged over repetitions (single estimates scatter by ~1/sqrt(2n) = 11%).
  CHECK(sum_err / reps / expected == Approx(1.0).margin(0.10));
  CHECK(sum_blocked / reps / expected == Approx(1.0).margin(0.10));
  // The estimate is right because the means really scatter by sigma/sqrt(n).
  const double scatter = std::sqrt(sum_mean2 / reps - std::pow(sum_mean / reps, 2));
  CHECK(scatter / expected == Approx(1.0).margin(0.10));
}

TEST_CASE("bootstrap error of a mean of i.i.d. samples is sigma/sqrt(n)", "[ensemble]") {
  const int reps = 200, n = 40;
  const double sigma = 0.7, expected = sigma / std::sqrt(double(n));
  const auto sets = normal_data_sets(reps, n, -3.0, sigma, 12);
  double sum_err = 0.0;
  for (std::size_t k = 0; k < sets.size(); ++k) {
    const Estimate e = bootstrap_mean(sets[k], 400, 1000 + k);
    CHECK(e.value == Approx(mean(sets[k])).epsilon(1e-14));
    sum_err += e.error;
  }
  CHECK(sum_err / reps / expected == Approx(1.0).margin(0.10));
  // Seeded: the same seed gives the same error.
  CHECK(bootstrap_mean(sets[0], 400, 5).error == bootstrap_mean(sets[0], 400, 5).error);
}

TEST_CASE("jackknife of a nonlinear statistic matches the delta method", "[ensemble]") {
  // f = mean^2: error 2 |mu| sigma / sqrt(n) to leading order.
  const int reps = 200, n = 50;
  const double mu = 3.0, sigma = 1.0, expected = 2 * mu * sigma / std::sqrt(double(n));
  const auto sets = normal_data_sets(reps, n, mu, sigma, 13);
  double sum_j = 0.0, sum_b = 0.0;
  const Statistic square = [](const std::vector<double>& m) { return std::vector<double>{m[0] * m[0]}; };
  for (std::size_t k = 0; k < sets.size(); ++k) {
    sum_j += jackknife(sets[k], std::size_t(n), 1, square)[0].error;
    sum_b += bootstrap(sets[k], std::size_t(n), 1, square, 300, 77 + k)[0].error;
  }
  CHECK(sum_j / reps / expected == Approx(1.0).margin(0.10));
  CHECK(sum_b / reps / expected == Approx(1.0).margin(0.10));
  // An undefined statistic keeps an undefined error.
  const Statistic undefined = [](const std::vector<double>&) {
    return std::vector<double>{std::numeric_limits<double>::quiet_NaN()};
  };
  CHECK(std::isnan(jackknife(sets[0], std::size_t(n), 1, undefined)[0].error));
}

TEST_CASE("seed lists", "[ensemble]") {
  CHECK(parse_seed_list("0:4") == std::vector<std::uint64_t>{0, 1, 2, 3});
  CHECK(parse_seed_list("7") == std::vector<std::uint64_t>{7});
  CHECK(parse_seed_list("3,1,9") == std::vector<std::uint64_t>{3, 1, 9});
  CHECK_THROWS_AS(parse_seed_list("4:4"), std::invalid_argument);
  CHECK_THROWS_AS(parse_seed_list("a:3"), std::invalid_argument);
  CHECK_THROWS_AS(parse_seed_list("-1"), std::invalid_argument);
}

TEST_CASE("ensemble means and errors equal those of separately run seeds", "[ensemble]") {
  const ModelConfig config = ensemble_model();
  EnsembleOptions options;
  options.seeds = {3, 4, 5, 6, 7, 8};
  options.threads = 2;
  const EnsembleResult r = run_ensemble(config, options);
  REQUIRE(r.included.size() == options.seeds.size());
  const EnsembleDataset& loss = find(r, "/trajectory/loss");
  const EnsembleDataset& width = find(r, "/correlators/width");
  const std::size_t T = loss.mean.size();
  REQUIRE(T == r.time.size());
  REQUIRE(T >= 4);

  // The oracle: each seed run on its own, then plain means and standard errors.
  std::vector<std::vector<double>> losses, widths;
  for (std::uint64_t seed : options.seeds) {
    ModelConfig c = config;
    c.seed = seed;
    RunOptions o;
    o.progress = "off";
    const RunResult run = run_model(c, o);
    losses.push_back(run.memory->dataset("/trajectory/loss").data);
    widths.push_back(run.memory->dataset("/correlators/width").data);
  }
  for (std::size_t t = 0; t < T; ++t) {
    std::vector<double> x;
    for (const auto& l : losses) x.push_back(l[t]);
    CHECK(loss.mean[t] == Approx(mean(x)).epsilon(1e-13));
    CHECK(loss.error[t] == Approx(std::sqrt(sample_variance(x) / double(x.size()))).epsilon(1e-10));
  }
  for (std::size_t j = 0; j < width.mean.size(); ++j) {
    std::vector<double> x;
    for (const auto& w : widths) x.push_back(w[j]);
    CHECK(width.mean[j] == Approx(mean(x)).epsilon(1e-12).margin(1e-14));
  }
  // The seeds differ (initialisation and data): the errors are not zero.
  CHECK(loss.error.back() > 0.0);
  // Per-seed summaries: the final loss is the last row of that seed's loss.
  for (std::size_t k = 0; k < options.seeds.size(); ++k) {
    CHECK(r.seeds[k].seed == options.seeds[k]);
    CHECK(r.seeds[k].final_loss == losses[k].back());
    CHECK(r.seeds[k].xi_y.size() == std::size_t(config.network.shape.M));
  }
}

TEST_CASE("ensemble results do not depend on the number of threads", "[ensemble]") {
  const ModelConfig config = ensemble_model();
  EnsembleOptions options;
  options.seeds = parse_seed_list("0:7");
  std::vector<EnsembleResult> results;
  for (int threads : {1, 2, 3}) {
    options.threads = threads;
    results.push_back(run_ensemble(config, options));
  }
  options.errors.method = ErrorMethod::bootstrap;
  options.errors.resamples = 50;
  options.errors.seed = 9;
  std::vector<EnsembleResult> boot;
  for (int threads : {1, 3}) {
    options.threads = threads;
    boot.push_back(run_ensemble(config, options));
  }
  const auto same = [](const EnsembleResult& a, const EnsembleResult& b) {
    REQUIRE(a.datasets.size() == b.datasets.size());
    for (std::size_t k = 0; k < a.datasets.size(); ++k) {
      INFO(a.datasets[k].name);
      CHECK(a.datasets[k].name == b.datasets[k].name);
      // Bitwise equal, NaN matching NaN (xi_ensemble is undefined for some layers).
      const auto identical = [](const std::vector<double>& x, const std::vector<double>& y) {
        if (x.size() != y.size()) return false;
        for (std::size_t j = 0; j < x.size(); ++j)
          if (!(x[j] == y[j] || (std::isnan(x[j]) && std::isnan(y[j])))) return false;
        return true;
      };
      CHECK(identical(a.datasets[k].mean, b.datasets[k].mean));
      CHECK(identical(a.datasets[k].error, b.datasets[k].error));
    }
    for (std::size_t s = 0; s < a.seeds.size(); ++s) CHECK(a.seeds[s].final_energy == b.seeds[s].final_energy);
  };
  same(results[0], results[1]);
  same(results[0], results[2]);
  same(boot[0], boot[1]);
  // And the ensemble file carries every averaged dataset with its error and index order.
  MemoryRun sink;
  write_ensemble(results[0], config, sink);
  CHECK(sink.dataset("/trajectory/loss_error").index_order == "T");
  CHECK(sink.dataset("/correlators/width").index_order == "T,M,D");
  CHECK(sink.dataset("/correlators/xi_ensemble").shape ==
        std::vector<std::size_t>{results[0].correlator_time.size(), std::size_t(config.network.shape.M)});
  CHECK(sink.dataset("/seeds/xi_y").shape == std::vector<std::size_t>{7, std::size_t(config.network.shape.M)});
}

TEST_CASE("seeds that blow up are reported and left out of the means", "[ensemble]") {
  ModelConfig config = ensemble_model();
  config.dynamics.kind = DynamicsKind::sgd;
  config.dynamics.eta = 1e6;  // diverges within a few steps for any seed
  config.dynamics.steps = 50;
  config.output.every_steps = 5;
  EnsembleOptions options;
  options.seeds = {1, 2};
  const EnsembleResult r = run_ensemble(config, options);
  REQUIRE(r.seeds.size() == 2);
  CHECK(r.included.empty());
  for (const SeedSummary& s : r.seeds) CHECK(s.status == RunStatus::blew_up);
  CHECK(r.notes.size() == 2);
}

TEST_CASE("ensemble seeds read their data file concurrently", "[ensemble]") {
  // Every seed's run reads the HDF5 data file from its worker thread; h5io serialises the
  // HDF5 calls (the library is not thread-safe).
  ModelConfig config = ensemble_model();
  const std::string path =
      (std::filesystem::temp_directory_path() / ("nnfield_ensemble_data_" + std::to_string(::getpid()) + ".h5")).string();
  DataFile d;
  d.S = 6;
  d.N = config.network.shape.N;
  d.X = test::normal_vector(std::size_t(d.S * d.N), 1.0, 21);
  d.Y = test::normal_vector(std::size_t(d.S * d.N), 0.5, 22);
  write_data_file(path, d);
  config.data.source = DataSource::file;
  config.data.file = path;
  EnsembleOptions options;
  options.seeds = parse_seed_list("0:6");
  options.threads = 3;
  const EnsembleResult r = run_ensemble(config, options);
  std::filesystem::remove(path);
  CHECK(r.included.size() == 6);
  // Same data for every seed, different initialisations: the final losses differ.
  CHECK(r.seeds[0].final_loss != r.seeds[1].final_loss);
}
