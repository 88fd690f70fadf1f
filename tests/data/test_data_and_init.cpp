// The data boundary and the initial states.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

#include "nnfield/bbd/bbd_variables.hpp"
#include "nnfield/data/data.hpp"
#include "nnfield/data/initial_state.hpp"
#include "nnfield/numerics/rng.hpp"
#include "nnfield/core/network.hpp"
#include "support.hpp"

using namespace nnfield;

namespace {

// Every time a switch stream yields, until its +infinity.
std::vector<double> drain(SwitchTimes next) {
  std::vector<double> out;
  for (double t = next(); std::isfinite(t); t = next()) out.push_back(t);
  return out;
}

// The switch times in (t0, t1] as the data stream used to list them up front (before the
// integrators pulled them one at a time): the lazy stream must give exactly these.
std::vector<double> listed_switches(double tau, double t0, double t1) {
  std::vector<double> out;
  for (long j = long(std::floor(t0 / tau)) + 1; double(j) * tau <= t1; ++j)
    if (double(j) * tau > t0) out.push_back(double(j) * tau);
  return out;
}

}  // namespace

TEST_CASE("blended data are C^1 in time with the stated derivative", "[data]") {
  ModelConfig c = test::small_model(3, 10, 1);
  c.data.presentation = Presentation::blend;
  c.data.tau = 0.7;
  DataStream data(make_samples(c), c.data, c.seed);
  const int N = 10;
  std::vector<double> X(N), Y(N), Xd(N), Yd(N), Xp(N), Xm(N), Yp(N), Ym(N);
  const double h = 1e-6;
  for (double t : {0.1, 0.69, 0.7, 1.05, 3.3, 6.99}) {
    data.at(t, X.data(), Y.data(), Xd.data(), Yd.data());
    data.at(t + h, Xp.data(), Yp.data(), nullptr, nullptr);
    data.at(t - h, Xm.data(), Ym.data(), nullptr, nullptr);
    for (int i = 0; i < N; ++i) {
      CHECK((Xp[i] - Xm[i]) / (2 * h) == Approx(Xd[i]).margin(1e-7));
      CHECK((Yp[i] - Ym[i]) / (2 * h) == Approx(Yd[i]).margin(1e-7));
    }
  }
  // At the segment boundaries the blend has arrived at the next presented sample.
  data.at(0.0, X.data(), Y.data(), Xd.data(), nullptr);
  CHECK(test::max_abs(Xd) == 0.0);
}

TEST_CASE("switched data are piecewise constant with breakpoints at multiples of tau", "[data]") {
  ModelConfig c = test::small_model(3, 10, 1);
  c.data.presentation = Presentation::switched;
  c.data.tau = 0.5;
  c.data.order = DataOrder::sequential;
  DataStream data(make_samples(c), c.data, c.seed);
  const auto bp = drain(data.breakpoints(0.0, 2.0));  // (t0, t1]: a switch at t1 is booked too
  REQUIRE(bp.size() == 4);
  CHECK(bp[0] == Approx(0.5));
  CHECK(bp[3] == Approx(2.0));
  std::vector<double> X(10), Y(10);
  data.at(0.75, X.data(), Y.data(), nullptr, nullptr);
  CHECK(X[3] == data.samples().x(1)[3]);
}

TEST_CASE("the lazy switch stream yields exactly the switch times and samples the listing did", "[data]") {
  ModelConfig c = test::small_model(3, 10, 1);
  c.data.source = DataSource::random;
  c.data.samples = 7;
  for (Presentation presentation : {Presentation::switched, Presentation::blend})
    for (DataOrder order : {DataOrder::sequential, DataOrder::shuffle, DataOrder::random})
      for (double tau : {0.5, 0.1, 0.3, 1.0 / 3.0, 0.7, 1e-3}) {
        c.data.presentation = presentation;
        c.data.order = order;
        c.data.tau = tau;
        const DataStream data(make_samples(c), c.data, c.seed);
        const SampleOrder samples(7, order, derive_seed(c.seed, "order"));
        // Windows from 0, from a switch, between switches, far out, empty and reversed.
        for (auto [t0, t1] : {std::pair{0.0, 2.0}, {3 * tau, 7.0}, {0.25, 0.2501}, {1e6, 1e6 + 1.0}, {1.0, 1.0},
                              {2.0, 1.0}, {0.9 * tau, 1000 * tau}}) {
          INFO("tau " << tau << " window (" << t0 << ", " << t1 << "]");
          const std::vector<double> lazy = drain(data.breakpoints(t0, t1));
          REQUIRE(lazy == listed_switches(tau, t0, t1));  // bitwise: the same doubles
          std::vector<double> X(10), Y(10), before(10);
          for (double t : lazy) {  // at each switch the segment's sample is the order's, the one before it before
            const long j = std::lround(t / tau);
            data.at(t, X.data(), Y.data(), nullptr, nullptr);
            data.at(t, before.data(), Y.data(), nullptr, nullptr, true);
            if (presentation == Presentation::switched) {
              CHECK(std::equal(X.begin(), X.end(), data.samples().x(samples[j])));
              CHECK(std::equal(before.begin(), before.end(), data.samples().x(samples[j - 1])));
            } else {  // the blend sits on sample j at u = 0
              CHECK(X[0] == Approx(data.samples().x(samples[j])[0]).margin(1e-9));
            }
          }
        }
      }
  // Data fixed in time have none.
  c.data.presentation = Presentation::fixed;
  CHECK(drain(DataStream(make_samples(c), c.data, c.seed).breakpoints(0.0, 10.0)).empty());
}

TEST_CASE("sample orders are reproducible permutations", "[data]") {
  SampleOrder a(5, DataOrder::shuffle, 42), b(5, DataOrder::shuffle, 42);
  std::vector<int> count(5, 0);
  for (long j = 0; j < 20; ++j) {
    CHECK(a[j] == b[j]);
    ++count[std::size_t(a[j])];
  }
  for (int n : count) CHECK(n == 4);  // every epoch is a permutation
}

TEST_CASE("teacher data are the teacher network's outputs", "[data]") {
  ModelConfig c = test::small_model(3, 8, 1);
  c.data.teacher.noise = 0.0;
  const Samples a = make_samples(c), b = make_samples(c);
  CHECK(a.X == b.X);
  CHECK(a.Y == b.Y);  // same seed, same data
  c.seed = 8;
  CHECK(make_samples(c).Y != a.Y);
}

TEST_CASE("Eq. 6 maps (W, b) <-> (W, z) both ways, with velocities", "[bbd]") {
  const NetworkShape s{5, 9, 2};
  const auto q = test::normal_vector(s.num_params(), 0.7, 1);
  const auto X = test::normal_vector(std::size_t(s.N), 1.0, 2);
  const double* W = q.data();
  const double* b = q.data() + s.num_weights();
  std::vector<double> z(s.num_biases()), b2(s.num_biases());
  to_bbd(s, Activation::tanh, W, b, X.data(), z.data());
  // The forward pass agrees with the network's.
  Network net(s, Activation::tanh, Loss::mse);
  net.forward(W, b, X.data(), 1);
  std::vector<double> zn(s.num_biases());
  net.neurons(0, zn.data());
  CHECK(test::max_abs_diff(z.data(), zn.data(), z.size()) < 1e-13);
  from_bbd(s, Activation::tanh, W, z.data(), X.data(), b2.data());
  CHECK(test::max_abs_diff(b, b2.data(), b2.size()) < 1e-13);
  // Velocities: z' by the tangent sweep, back to b' by d/dt Eq. 6, and z' against a
  // finite difference along the path (W + t W', b + t b', X + t X').
  const auto v = test::normal_vector(s.num_params(), 0.3, 3);
  const auto Xd = test::normal_vector(std::size_t(s.N), 0.5, 4);
  std::vector<double> zd(s.num_biases()), bd(s.num_biases());
  to_bbd_velocity(s, Activation::tanh, W, v.data(), b, v.data() + s.num_weights(), X.data(), Xd.data(), zd.data());
  from_bbd_velocity(s, Activation::tanh, W, v.data(), z.data(), zd.data(), X.data(), Xd.data(), bd.data());
  CHECK(test::max_abs_diff(bd.data(), v.data() + s.num_weights(), bd.size()) < 1e-13);
  const double h = 1e-6;
  std::vector<double> qp(q), qm(q), Xp(X), Xm(X), zp(z.size()), zm(z.size());
  for (std::size_t j = 0; j < q.size(); ++j) qp[j] += h * v[j], qm[j] -= h * v[j];
  for (std::size_t j = 0; j < X.size(); ++j) Xp[j] += h * Xd[j], Xm[j] -= h * Xd[j];
  to_bbd(s, Activation::tanh, qp.data(), qp.data() + s.num_weights(), Xp.data(), zp.data());
  to_bbd(s, Activation::tanh, qm.data(), qm.data() + s.num_weights(), Xm.data(), zm.data());
  for (std::size_t j = 0; j < z.size(); ++j) CHECK((zp[j] - zm[j]) / (2 * h) == Approx(zd[j]).margin(1e-8));
}

TEST_CASE("smooth initial states sample the continuum fields and honour Eq. 6", "[init]") {
  ModelConfig c = test::small_model(16, 32, 1);
  c.init.kind = InitKind::smooth;
  c.init.velocity = InitVelocity::smooth;
  c.init.smooth.modes.push_back({ModeField::phi, 0, 1, 2, 0.3, 0.1});
  c.data.presentation = Presentation::blend;
  c.data.x_kind = InputKind::smooth;
  DataStream data(make_samples(c), c.data, c.seed);
  const ParameterState st = make_initial_state(c, data);
  const NetworkShape& s = c.network.shape;
  std::vector<double> X(std::size_t(s.N)), Y(X.size()), Xd(X.size()), z(s.num_biases()), zd(s.num_biases());
  data.at(0.0, X.data(), Y.data(), Xd.data(), nullptr);
  const double* W = st.q.data();
  to_bbd(s, c.network.activation, W, st.q.data() + s.num_weights(), X.data(), z.data());
  // Neighbouring neurons differ by O(a): the field is smooth on the lattice.
  double jump = 0.0, range = 0.0;
  for (int m = 0; m < s.M; ++m)
    for (int i = 0; i < s.N; ++i) {
      const double here = z[s.b_index(m, i)];
      jump = std::max(jump, std::fabs(z[s.b_index(m, (i + 1) % s.N)] - here));
      if (m + 1 < s.M) jump = std::max(jump, std::fabs(z[s.b_index(m + 1, i)] - here));
      range = std::max(range, std::fabs(here));
    }
  CHECK(jump < 0.5 * range);
  // The mean weight per offset is 1/K: the critical, near-identity family.
  double mean = 0.0;
  for (std::size_t j = 0; j < s.num_weights(); ++j) mean += W[j];
  CHECK(mean / double(s.num_weights()) == Approx(1.0 / s.K()).margin(0.05));
  // Velocities in (W, z) are smooth too and consistent with b'.
  to_bbd_velocity(s, c.network.activation, W, st.v.data(), st.q.data() + s.num_weights(), st.v.data() + s.num_weights(),
                  X.data(), Xd.data(), zd.data());
  CHECK(test::max_abs(zd) > 0.0);
  CHECK(test::max_abs(zd) < 10.0);
}
