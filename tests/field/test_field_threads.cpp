// A batch's samples swept on several threads (field/sample_sweeps.hpp): the loss, the
// gradient and the per-sample extras of a batch are sums in sample order, so they are the
// same bits on 1, 2 and 3 threads; and they are the serial sums of the samples' own sweeps.
// The whole run files on 1, 2 and 3 threads: tests/cli/run_threads.sh.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "nnfield/config/config.hpp"
#include "nnfield/field/field_potential.hpp"
#include "nnfield/field/field_problem.hpp"
#include "nnfield/field/field_stability.hpp"
#include "nnfield/field/sample_sweeps.hpp"

using namespace nnfield;

namespace {

const std::string kModel = std::string(NNFIELD_SOURCE_DIR) + "/models/field_full_batch.toml";

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof(double)) == 0; }

// The parameters moved off the initial state, so that every sample's gradient is nonzero
// everywhere and differs from the others'.
std::vector<double> moved(std::vector<double> q) {
  for (std::size_t j = 0; j < q.size(); ++j) q[j] += 1e-3 * double(j % 7) - 2e-3;
  return q;
}

}  // namespace

TEST_CASE("field threads: a batch's loss and gradient are the serial sums, the same bits on 1, 2 and 3 threads",
          "[field][threads]") {
  // hy = ay (index shifts) and ry = 2 (spectral shifts), p = 1 and 2.
  for (const char* grid : {"1", "2"})
    for (const char* p : {"1", "2"}) {
      INFO("rx = ry = " << grid << ", p = " << p);
      const std::string r(grid);
      const ModelConfig c = load_model_file(kModel, {"field.rx=" + r, "field.ry=" + r, std::string("field.p=") + p});
      FieldProblem pr = make_field_problem(c);
      FieldTheory& theory = *pr.theory;
      const Samples& samples = pr.data->samples();
      REQUIRE(samples.S == 8);
      const std::vector<double> q = moved(pr.q0);
      const std::size_t P = theory.num_params(), B = std::size_t(samples.S);
      // The serial sums, from each sample's own sweep.
      std::vector<double> serial(P), g(P);
      double serial_loss = 0.0;
      for (std::size_t s = 0; s < B; ++s) {
        serial_loss += theory.gradient(q.data(), samples.x(int(s)), samples.y(int(s)), s == 0 ? serial.data() : g.data());
        if (s > 0)
          for (std::size_t j = 0; j < P; ++j) serial[j] += g[j];
      }
      CHECK_FALSE(same_bits(serial, g));  // the batch is not one sample
      const auto X = [&](std::size_t s) { return samples.x(int(s)); };
      const auto Y = [&](std::size_t s) { return samples.y(int(s)); };
      // A number from each sample's neurons, summed alongside.
      const auto last_line = [&](FieldTheory& t, std::size_t, const double*, const double* phi) {
        return phi[std::size_t(t.nx() - 1) * std::size_t(t.ny())];
      };
      const SampleSweeps::SampleExtra extra(last_line);
      std::vector<double> one_extra;
      for (unsigned threads : {1u, 2u, 3u}) {
        INFO(threads << " threads");
        SampleSweeps sweeps(theory, threads);
        std::vector<double> grad(P);
        const SampleSweeps::Sums sums = sweeps.gradient(q.data(), B, X, Y, grad.data(), &extra);
        CHECK(same_bits(sums.loss, serial_loss));
        CHECK(same_bits(grad, serial));
        CHECK(same_bits(sweeps.loss(q.data(), B, X, Y), serial_loss));
        one_extra.push_back(sums.extra);
        // The potential (the mean over the batch) on these threads.
        FieldPotential potential(theory, *pr.data);
        potential.set_threads(threads);
        std::vector<double> mean(P);
        const double L = potential.evaluate(q.data(), 0.0, mean.data(), nullptr);
        CHECK(same_bits(L, serial_loss / 8.0));
        for (std::size_t j = 0; j < P; ++j) g[j] = serial[j] * (1.0 / 8.0);
        CHECK(same_bits(mean, g));
        CHECK(same_bits(potential.loss(q.data(), 0.0), serial_loss / 8.0));
      }
      CHECK(same_bits(one_extra[1], one_extra[0]));
      CHECK(same_bits(one_extra[2], one_extra[0]));
    }
}

TEST_CASE("field threads: a sample that throws ends the batch with its exception, on any thread count",
          "[field][threads]") {
  FieldProblem pr = make_field_problem(load_model_file(kModel));
  FieldTheory& theory = *pr.theory;
  const Samples& samples = pr.data->samples();
  std::vector<double> grad(theory.num_params());
  const auto X = [&](std::size_t s) { return samples.x(int(s)); };
  const auto Y = [&](std::size_t s) { return samples.y(int(s)); };
  const auto fails = [](FieldTheory&, std::size_t s, const double*, const double*) -> double {
    if (s == 3) throw std::runtime_error("sample 3");
    return 0.0;
  };
  const SampleSweeps::SampleExtra extra(fails);
  for (unsigned threads : {1u, 2u, 3u}) {
    SampleSweeps sweeps(theory, threads);
    CHECK_THROWS_WITH(sweeps.gradient(pr.q0.data(), 8, X, Y, grad.data(), &extra), "sample 3");
    // The sweeps are usable again afterwards.
    CHECK_NOTHROW(sweeps.gradient(pr.q0.data(), 8, X, Y, grad.data()));
  }
}

TEST_CASE("field threads: the stability check's report is the same on 1, 2 and 3 threads, and site by site's",
          "[field][threads]") {
  const ModelConfig c = load_model_file(kModel, {"field.rx=2", "field.ry=2", "field.p=2"});
  FieldProblem pr = make_field_problem(c);
  FieldTheory& t = *pr.theory;
  std::vector<double> phi(std::size_t(t.nx()) * std::size_t(t.ny()));
  t.loss(pr.q0.data(), pr.X.data(), pr.Y.data(), phi.data());
  // Site by site with width_symbol (each site's shift factors of its own): max |hx lambda/ax|.
  const std::vector<double> s = t.link_coefficients(pr.q0.data(), phi.data());
  StabilitySettings st;
  st.p = 2;
  st.form = DepthForm::midpoint;
  double max_step = 0.0;
  for (int a = 0; a < t.nx(); ++a)
    for (int b = 0; b < t.ny(); ++b)
      for (int qn = 0; qn <= t.ny() / 2; ++qn) {
        const double kappa = 2.0 * M_PI * qn / t.lattice().Ly;
        const auto G = width_symbol(s.data() + (std::size_t(a) * t.ny() + b) * t.K(), t.r(), t.ay(), kappa, st);
        for (const auto& lambda : depth_symbol_roots(2, DepthForm::midpoint, G))
          max_step = std::max(max_step, t.hx() / t.ax() * std::abs(lambda));
      }
  REQUIRE(max_step > 0.0);
  const FieldStability one = field_stability(t, pr.q0.data(), phi.data(), 1);
  CHECK(same_bits(one.max_step, max_step));
  for (unsigned threads : {2u, 3u}) {
    const FieldStability other = field_stability(t, pr.q0.data(), phi.data(), threads);
    CHECK(same_bits(other.symbol.max_growth, one.symbol.max_growth));
    CHECK(same_bits(other.symbol.max_modulus, one.symbol.max_modulus));
    CHECK(same_bits(other.max_step, one.max_step));
    CHECK(other.symbol.worst_layer == one.symbol.worst_layer);
  }
}
