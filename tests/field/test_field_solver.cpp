// The field solver's mechanics (include/nnfield/field/field_theory.hpp): the exact shift is the
// network, the gradient is exact for the discrete theory, the BBD initialisation puts the
// field's phi on the data, and the dynamics keep their energy.
#include <catch2/catch.hpp>

#include <cmath>

#include "field_support.hpp"
#include "nnfield/dynamics/training_dynamics.hpp"
#include "nnfield/field/field_potential.hpp"
#include "nnfield/field/field_init.hpp"
#include "nnfield/field/field_problem.hpp"
#include "nnfield/field/field_stability.hpp"
#include "nnfield/dynamics/integrator.hpp"
#include "nnfield/core/network.hpp"

using namespace nnfield;

namespace {

std::vector<double> random_target(int n, double Ly, std::uint64_t seed, double scale = 0.5) {
  Rng rng(seed);
  SmoothField f = SmoothField::random(1.0, Ly, 0, 3, scale, rng);
  std::vector<double> Y(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) Y[std::size_t(i)] = f(1.0, i * Ly / n);
  return Y;
}

// Y = Z0 + misfit: the weakly nonlinear regime (docs/theory.md 4.2). With an O(1) misfit the gains
// leave criticality, the depth ODE turns stiff and then no limit exists anyway.
std::vector<double> target_near_output(FieldTheory& theory, const std::vector<double>& q, const std::vector<double>& X,
                                       double misfit, std::uint64_t seed) {
  std::vector<double> phi(std::size_t(theory.nx()) * theory.ny()), Y(std::size_t(theory.ny()), 0.0);
  theory.loss(q.data(), X.data(), Y.data(), phi.data());
  const std::vector<double> m = random_target(theory.ny(), 1.0, seed, misfit);
  for (int b = 0; b < theory.ny(); ++b) Y[std::size_t(b)] = phi[std::size_t(theory.nx() - 1) * theory.ny() + b] + m[std::size_t(b)];
  return Y;
}

double max_abs_diff(const std::vector<double>& a, const std::vector<double>& b) {
  double d = 0;
  for (std::size_t i = 0; i < a.size(); ++i) d = std::max(d, std::fabs(a[i] - b[i]));
  return d;
}


// The depth substeps the stability check recommends for these settings on the data (what
// `nnfield run` does with depth_substeps = 0): RK4 stays inside its stability region on the
// width modes up to the grid's Nyquist (p = 2's symbol u - u^2/2 + 3u^3/8 reaches -3.2 per
// layer on the lattice's highest modes, beyond RK4's -2.79 at hx = ax).
FieldSettings with_recommended_substeps(const LatticeGeometry& lattice, FieldSettings fs, const ContinuumData& data) {
  FieldTheory probe(lattice, Activation::tanh, Loss::mse, fs);
  const std::vector<double> X = sample_width(data.X, 0.0, probe);
  const std::vector<double> q = field_params_from_continuum(probe, data, X);
  fs.depth_substeps = field_stability(probe, q.data(), sample_phi_on_lines(probe, data.phi).data()).recommended_substeps;
  return fs;
}

}  // namespace

TEST_CASE("field solver: the exact shift is the network (loss, gradient, phi, adjoint)", "[field][solver]") {
  const ContinuumData data = test::smooth_critical_data(31);
  const SampledNetwork net = sample_network(data, 12, 16);
  const NetworkShape s = net.lattice.shape;
  const std::vector<double> Y = random_target(s.N, 1.0, 3);

  Network network(s, Activation::tanh, Loss::mse);
  std::vector<double> gW(s.num_weights()), gb(s.num_biases()), z(s.num_biases());
  const double L_net = network.value_and_gradient(net.W.data(), net.b.data(), net.X.data(), Y.data(), 1, gW.data(), gb.data());
  network.neurons(0, z.data());

  FieldSettings fs;
  fs.form = DepthForm::exact;
  FieldTheory theory(net.lattice, Activation::tanh, Loss::mse, fs);
  REQUIRE(theory.nx() == s.M);
  const std::vector<double> q = field_params_from_network(theory, net.W.data(), net.b.data());
  std::vector<double> grad(theory.num_params()), phi(std::size_t(theory.nx()) * s.N), adj(phi.size());
  const double L = theory.gradient(q.data(), net.X.data(), Y.data(), grad.data(), phi.data(), adj.data());
  CHECK(std::fabs(L - L_net) < 1e-13 * std::fabs(L_net));
  std::vector<double> gW2(gW.size()), gb2(gb.size());
  network_from_field_params(theory, grad.data(), gW2.data(), gb2.data());
  CHECK(max_abs_diff(gW, gW2) < 1e-13);
  CHECK(max_abs_diff(gb, gb2) < 1e-13);
  CHECK(max_abs_diff(z, phi) < 1e-13);                 // phi row a = z^(a+1)
  // adjoint row a = dl/dz^(a+1) = dl/db[a]
  CHECK(max_abs_diff(gb, adj) < 1e-13);
  // The output line's link row is never read: frozen.
  for (std::size_t j = theory.beta_offset() + std::size_t(s.M - 1) * s.N; j < theory.num_params(); ++j)
    CHECK(theory.mass()[j] == 0.0);
}

TEST_CASE("field solver: the gradient is exact for the discrete theory", "[field][solver]") {
  const ContinuumData data = test::smooth_critical_data(5);
  for (int p : {1, 2, 3})
    for (int ry : {1, 2}) {
      FieldSettings fs;
      fs.p = p;
      fs.rx = 3;
      fs.ry = ry;
      fs.depth_substeps = 2;
      const LatticeGeometry lattice{NetworkShape{19, 16, 1}, 1.0, 1.0};
      // p = 3's symbol reaches further out on the lattice's width modes: its own substeps.
      if (p == 3) fs = with_recommended_substeps(lattice, fs, data);
      FieldTheory theory(lattice, Activation::tanh, Loss::mse, fs);
      const std::vector<double> X = sample_width(data.X, 0.0, theory);
      std::vector<double> q = field_params_from_continuum(theory, data, X);
      const std::vector<double> Y = random_target(theory.ny(), 1.0, 7);
      std::vector<double> grad(q.size());
      theory.gradient(q.data(), X.data(), Y.data(), grad.data());
      Rng rng(11);
      std::vector<double> dir(q.size());
      double analytic = 0.0;
      for (std::size_t j = 0; j < q.size(); ++j) {
        dir[j] = rng.normal();
        analytic += dir[j] * grad[j];
      }
      const double eps = 1e-6;
      std::vector<double> qp = q, qm = q;
      for (std::size_t j = 0; j < q.size(); ++j) qp[j] += eps * dir[j], qm[j] -= eps * dir[j];
      const double numeric = (theory.loss(qp.data(), X.data(), Y.data()) - theory.loss(qm.data(), X.data(), Y.data())) / (2 * eps);
      INFO("p = " << p << ", ry = " << ry << ": " << analytic << " vs " << numeric);
      CHECK(std::fabs(analytic - numeric) < 1e-7 * std::fabs(analytic));
    }
}

// Known link fields interpolated in depth (degree q) err by O(hx^(q+1)) in beta, which moves
// phi_x by that over ax (docs/theory.md 4.1: "an error eps in b moves Z by ~M eps"); measured with
// q = 5 at M = 257 (N = 256): max |phi - phi_data| = 1e-7 (r = 1), 3e-5 (4), 7e-4 (8).
TEST_CASE("field solver: the BBD initialisation puts phi on the data on every grid", "[field][solver]") {
  const ContinuumData data = test::smooth_critical_data(17);
  const LatticeGeometry lattice{NetworkShape{257, 256, 1}, 1.0, 1.0};
  for (int p : {1, 2, 3}) {
    double previous = 0.0;
    for (int r : {1, 4, 8}) {
      FieldSettings fs;
      fs.p = p;
      fs.rx = r;
      fs.ry = r;
      FieldTheory theory(lattice, Activation::tanh, Loss::mse, with_recommended_substeps(lattice, fs, data));
      const std::vector<double> X = sample_width(data.X, 0.0, theory);
      const std::vector<double> q = field_params_from_continuum(theory, data, X);
      std::vector<double> phi(std::size_t(theory.nx()) * theory.ny()), Y(std::size_t(theory.ny()), 0.0);
      theory.loss(q.data(), X.data(), Y.data(), phi.data());
      double err = 0.0;
      for (int a = 0; a < theory.nx(); ++a)
        for (int b = 0; b < theory.ny(); ++b)
          err = std::max(err, std::fabs(phi[std::size_t(a) * theory.ny() + b] - data.phi(theory.x(a), theory.y(b))));
      INFO("p = " << p << ", rx = ry = " << r << ": max |phi - phi_data| = " << err);
      CHECK(err < (r == 1 ? 1e-6 : r == 4 ? 1e-4 : 2e-3));
      CHECK(err > previous);  // coarser is worse: the check measures something
      previous = err;
    }
  }
}

TEST_CASE("field solver: depth substeps from the symbol keep RK4 stable on a fine width grid", "[field][solver]") {
  const ContinuumData data = test::smooth_critical_data(17);
  const LatticeGeometry lattice{NetworkShape{129, 128, 1}, 1.0, 1.0};
  FieldSettings fs;
  fs.rx = 8;
  fs.ry = 1;  // width modes up to the lattice Nyquist: |u| = O(1), hx u/ax = O(rx)
  FieldTheory one(lattice, Activation::tanh, Loss::mse, fs);
  const std::vector<double> X = sample_width(data.X, 0.0, one);
  const std::vector<double> q = field_params_from_continuum(one, data, X);
  const FieldStability st = field_stability(one, q.data(), sample_phi_on_lines(one, data.phi).data());
  INFO("max |hx lambda/ax| = " << st.max_step << ", substeps " << st.recommended_substeps
       << ", max Re lambda " << st.symbol.worst);
  CHECK(st.symbol.stable());  // the truncated theory is well posed here
  CHECK(st.recommended_substeps >= 2);
  std::vector<double> phi(std::size_t(one.nx()) * one.ny()), Y(std::size_t(one.ny()), 0.0);
  const double L_one = one.loss(q.data(), X.data(), Y.data(), phi.data());
  CHECK(!(L_one < 1e6));  // a single RK4 step per interval blows up
  fs.depth_substeps = st.recommended_substeps;
  FieldTheory sub(lattice, Activation::tanh, Loss::mse, fs);
  sub.loss(q.data(), X.data(), Y.data(), phi.data());
  double err = 0.0;
  for (int a = 0; a < sub.nx(); ++a)
    for (int b = 0; b < sub.ny(); ++b)
      err = std::max(err, std::fabs(phi[std::size_t(a) * sub.ny() + b] - data.phi(sub.x(a), sub.y(b))));
  CHECK(err < 0.05);
}

TEST_CASE("field solver: damped dynamics conserve the field theory's energy at gamma = 0", "[field][solver]") {
  const ContinuumData data = test::smooth_critical_data(9);
  const LatticeGeometry lattice{NetworkShape{33, 32, 1}, 1.0, 1.0};
  for (int p : {1, 2, 3}) {
    FieldSettings fs;
    fs.p = p;
    fs.rx = 4;
    fs.ry = 2;
    FieldTheory theory(lattice, Activation::tanh, Loss::mse, with_recommended_substeps(lattice, fs, data));
    const std::vector<double> X = sample_width(data.X, 0.0, theory);
    const std::vector<double> q = field_params_from_continuum(theory, data, X);
    FieldPotential potential(theory, X, target_near_output(theory, q, X, 0.1, 4));
    Damped dyn(potential, 0.0);
    State x = dyn.initial_state(q, {});
    const double E0 = dyn.energy(x, 0.0).total();
    IntegratorConfig ic;
    ic.stepper = StepperKind::dopri5;
    ic.rtol = 1e-12;
    ic.atol = 1e-14;
    double worst = 0.0;
    integrate(dyn, x, 0.0, {0.5, 1.0, 1.5, 2.0}, {}, ic,
              {[&](const State& s, double) { worst = std::max(worst, std::fabs(dyn.energy(s, 0.0).total() - E0)); }, {}, {}});
    INFO("p = " << p << ": E0 = " << E0 << ", max |E - E0| = " << worst);
    CHECK(worst < 1e-9 * E0);
    CHECK(dyn.energy(x, 0.0).kinetic > 1e-3 * E0);  // it moved
  }
}

TEST_CASE("field solver: damped dynamics balance energy with friction", "[field][solver]") {
  const ContinuumData data = test::smooth_critical_data(9);
  const LatticeGeometry lattice{NetworkShape{33, 32, 1}, 1.0, 1.0};
  FieldSettings fs;
  fs.rx = 4;
  fs.ry = 4;
  FieldTheory theory(lattice, Activation::tanh, Loss::mse, fs);
  const std::vector<double> X = sample_width(data.X, 0.0, theory);
  const std::vector<double> q = field_params_from_continuum(theory, data, X);
  FieldPotential potential(theory, X, target_near_output(theory, q, X, 0.1, 4));
    Damped dyn(potential, 0.7);
  State x = dyn.initial_state(q, {});
  const double E0 = dyn.energy(x, 0.0).total();
  IntegratorConfig ic;
  ic.rtol = 1e-12;
  ic.atol = 1e-14;
  integrate(dyn, x, 0.0, {3.0}, {}, ic, {});
  const Energy e = dyn.energy(x, 0.0);
  CHECK(e.dissipated > 0.1 * E0);
  CHECK(std::fabs(e.total() + e.dissipated - E0) < 1e-9 * E0);
}

TEST_CASE("field solver: lattice-exact gradient flow reproduces the network's trajectory", "[field][solver]") {
  const ContinuumData data = test::smooth_critical_data(13);
  const SampledNetwork net = sample_network(data, 10, 16);
  const NetworkShape s = net.lattice.shape;
  const std::vector<double> Y = random_target(s.N, 1.0, 8);
  FieldSettings fs;
  fs.form = DepthForm::exact;
  FieldTheory theory(net.lattice, Activation::tanh, Loss::mse, fs);
  FieldPotential field_potential(theory, net.X, Y);
  GradientFlow field(field_potential, 0.05);
  test::NetworkFlow network(s, net.X, Y, 0.05);
  State xf = field.initial_state(field_params_from_network(theory, net.W.data(), net.b.data()), {});
  State xn(network.state_size());
  std::copy(net.W.begin(), net.W.end(), xn.begin());
  std::copy(net.b.begin(), net.b.end(), xn.begin() + std::ptrdiff_t(net.W.size()));
  IntegratorConfig ic;
  ic.stepper = StepperKind::rk4;
  ic.adaptive = false;
  ic.dt = 0.01;
  const std::vector<double> times = {0.5, 1.0, 2.0};
  std::vector<State> snaps_f, snaps_n;
  integrate(field, xf, 0.0, times, {}, ic, {[&](const State& x, double) { snaps_f.push_back(x); }, {}, {}});
  integrate(network, xn, 0.0, times, {}, ic, {[&](const State& x, double) { snaps_n.push_back(x); }, {}, {}});
  REQUIRE(snaps_f.size() == times.size());
  double worst = 0.0, moved = 0.0;
  std::vector<double> W(s.num_weights()), b(s.num_biases());
  for (std::size_t i = 0; i < times.size(); ++i) {
    network_from_field_params(theory, snaps_f[i].data(), W.data(), b.data());
    for (std::size_t j = 0; j < W.size(); ++j) worst = std::max(worst, std::fabs(W[j] - snaps_n[i][j]));
    for (std::size_t j = 0; j < b.size(); ++j) worst = std::max(worst, std::fabs(b[j] - snaps_n[i][W.size() + j]));
  }
  for (std::size_t j = 0; j < net.b.size(); ++j) moved = std::max(moved, std::fabs(snaps_n.back()[net.W.size() + j] - net.b[j]));
  INFO("max deviation " << worst << ", parameters moved by " << moved);
  CHECK(moved > 1e-3);
  CHECK(worst < 1e-10);
}

// docs/theory.md 4.3, 4.5: refining hx -> ax at fixed a converges for the implemented form (the
// ill-posed backward-Taylor form at p = 2 is refused by the stability check instead:
// test_field_stability.cpp). Fixed lattice M = 129, N = 128, full width (ry = 1), depth
// substeps from the symbol; the output Z at t = 0 against the data's phi(Lx), which the
// BBD initialisation makes the answer of every grid.
TEST_CASE("field solver: refining hx -> ax at fixed a converges", "[field][solver]") {
  const ContinuumData data = test::smooth_critical_data(21);
  const LatticeGeometry lattice{NetworkShape{129, 128, 1}, 1.0, 1.0};
  for (int p : {1, 2}) {
    std::vector<double> errors;
    for (int rx : {16, 8, 4, 2, 1}) {
      FieldSettings fs;
      fs.p = p;
      fs.rx = rx;
      FieldTheory probe(lattice, Activation::tanh, Loss::mse, fs);
      const std::vector<double> X = sample_width(data.X, 0.0, probe);
      std::vector<double> q = field_params_from_continuum(probe, data, X);
      fs.depth_substeps =
          field_stability(probe, q.data(), sample_phi_on_lines(probe, data.phi).data()).recommended_substeps;
      FieldTheory theory(lattice, Activation::tanh, Loss::mse, fs);
      q = field_params_from_continuum(theory, data, X);
      std::vector<double> phi(std::size_t(theory.nx()) * theory.ny()), Y(std::size_t(theory.ny()), 0.0);
      theory.loss(q.data(), X.data(), Y.data(), phi.data());
      double err = 0.0;
      for (int b = 0; b < theory.ny(); ++b)
        err = std::max(err, std::fabs(phi[std::size_t(theory.nx() - 1) * theory.ny() + b] - data.phi(1.0, theory.y(b))));
      errors.push_back(err);
    }
    INFO("p = " << p << ": max|Z - phi(Lx)| at rx = 16, 8, 4, 2, 1: " << errors[0] << " " << errors[1] << " "
                << errors[2] << " " << errors[3] << " " << errors[4]);
    for (std::size_t i = 1; i < errors.size(); ++i) CHECK(errors[i] < errors[i - 1]);
    CHECK(errors.back() < 1e-5);
  }
}

TEST_CASE("field solver: the automatic q takes degree 7 only where it buys accuracy", "[field][solver]") {
  // The benchmark's data (bench_field, seed 17) at M = N = 512: 16x coarser, degree 5 leaves
  // the initial phi off by ~ax and degree 7 with 2 substeps fixes it (docs/performance.md);
  // 4x coarser, degree 5 is already at 1e-6 and stays.
  const ContinuumData data = test::smooth_critical_data(17);
  const LatticeGeometry lattice{NetworkShape{512, 512, 1}, 1.0, 1.0};
  struct Expect {
    int r, q;
  };
  for (const Expect e : {Expect{16, 7}, Expect{4, 5}}) {
    FieldSettings fs;
    fs.rx = fs.ry = e.r;
    FieldTheory probe(lattice, Activation::tanh, Loss::mse, fs);
    const std::vector<double> X = sample_width(data.X, 0.0, probe);
    const std::vector<double> q = field_params_from_continuum(probe, data, X);
    const std::vector<double> phi_data = sample_phi_on_lines(probe, data.phi);
    fs.depth_substeps = field_stability(probe, q.data(), phi_data.data()).recommended_substeps;
    auto error = [&](FieldTheory& t) {
      std::vector<double> phi(phi_data.size()), zeros(std::size_t(t.ny()), 0.0);
      t.loss(q.data(), X.data(), zeros.data(), phi.data());
      return max_abs_diff(phi, phi_data);
    };
    const std::vector<double> no_misfit;  // the phi criterion alone
    auto chosen = theory_with_automatic_settings(lattice, Activation::tanh, Loss::mse, fs, true, true,
                                                 {q, X, phi_data, no_misfit});
    auto degree5 = theory_with_automatic_settings(lattice, Activation::tanh, Loss::mse, fs, false, true,
                                                  {q, X, phi_data, no_misfit});
    INFO("r = " << e.r << ": q " << chosen->settings().q << ", substeps " << chosen->settings().depth_substeps
                << ", phi error " << error(*chosen) << " (degree 5: " << error(*degree5) << "), ax " << lattice.ax());
    CHECK(chosen->settings().q == e.q);
    CHECK(error(*chosen) <= error(*degree5));
    if (e.q == 7) CHECK(error(*chosen) < 0.5 * error(*degree5));
  }
}

TEST_CASE("field solver: the automatic settings bring the initial output offset within target of the misfit",
          "[field][solver]") {
  // The benchmark's data (seed 17) at M = N = 1024, 16x coarser, target Y = Z0 + ax m(y): the
  // phi criterion alone (0.05 ax) is met by degree 5 while its output at t = 0 is still off
  // the data's by more than kTargetOutputOffset of the misfit (docs/performance.md, "Over
  // eight data seeds"); given the misfit, the automatic choice goes on until the offset is
  // within it.
  const ContinuumData data = test::smooth_critical_data(17);
  const LatticeGeometry lattice{NetworkShape{1024, 1024, 1}, 1.0, 1.0};
  FieldSettings fs;
  fs.rx = fs.ry = 16;
  FieldTheory probe(lattice, Activation::tanh, Loss::mse, fs);
  const std::vector<double> X = sample_width(data.X, 0.0, probe);
  const std::vector<double> q = field_params_from_continuum(probe, data, X);
  const std::vector<double> phi_data = sample_phi_on_lines(probe, data.phi);
  fs.depth_substeps = field_stability(probe, q.data(), phi_data.data()).recommended_substeps;
  const std::size_t ny = std::size_t(probe.ny()), last = phi_data.size() - ny;
  std::vector<double> misfit(ny);
  for (std::size_t b = 0; b < ny; ++b) {
    const double y = probe.y(int(b));
    misfit[b] = lattice.ax() * (0.6 * std::sin(2.0 * M_PI * y) + 0.3 * std::cos(4.0 * M_PI * y + 0.5));
  }
  auto offset = [&](FieldTheory& t) {
    std::vector<double> phi(phi_data.size()), zeros(ny, 0.0);
    t.loss(q.data(), X.data(), zeros.data(), phi.data());
    double d2 = 0.0, m2 = 0.0;
    for (std::size_t b = 0; b < ny; ++b) {
      d2 += (phi[last + b] - phi_data[last + b]) * (phi[last + b] - phi_data[last + b]);
      m2 += misfit[b] * misfit[b];
    }
    return std::sqrt(d2 / m2);
  };
  const std::vector<double> no_misfit;
  auto phi_only = theory_with_automatic_settings(lattice, Activation::tanh, Loss::mse, fs, true, true,
                                                 {q, X, phi_data, no_misfit});
  auto aimed = theory_with_automatic_settings(lattice, Activation::tanh, Loss::mse, fs, true, true,
                                              {q, X, phi_data, misfit});
  INFO("phi criterion alone: q " << phi_only->settings().q << ", substeps " << phi_only->settings().depth_substeps
                                 << ", offset " << offset(*phi_only) << "; with the misfit: q " << aimed->settings().q
                                 << ", substeps " << aimed->settings().depth_substeps << ", offset " << offset(*aimed));
  CHECK(offset(*phi_only) > kTargetOutputOffset);  // the case the offset criterion is for
  CHECK(offset(*aimed) <= kTargetOutputOffset);
}
