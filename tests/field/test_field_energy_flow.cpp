// The field solver's per-site energy flow (include/nnfield/field/field_energy_flow.hpp): the
// tangent sweep is the derivative of the forward sweep, every site and every depth
// interval balances, the densities add up to the field energy, and e' is the time
// derivative of e along the motion.
#include <catch2/catch.hpp>

#include <cmath>

#include "field_support.hpp"
#include "nnfield/dynamics/training_dynamics.hpp"
#include "nnfield/field/field_potential.hpp"
#include "nnfield/field/field_energy_flow.hpp"
#include "nnfield/field/field_init.hpp"
#include "nnfield/dynamics/integrator.hpp"

using namespace nnfield;

namespace {

struct Setup {
  std::string name;
  FieldSettings settings;
  NetworkShape shape;
};

std::vector<Setup> setups() {
  std::vector<Setup> out;
  FieldSettings exact;
  exact.form = DepthForm::exact;
  out.push_back({"exact", exact, NetworkShape{12, 8, 1}});
  for (int p : {1, 2, 3}) {
    FieldSettings mid;
    mid.p = p;
    mid.rx = 3;
    mid.ry = 2;  // spectral width shifts
    mid.depth_substeps = p == 3 ? 4 : 2;  // p = 3's symbol reaches further out (docs/field-limit.md 6)
    out.push_back({"midpoint p = " + std::to_string(p), mid, NetworkShape{25, 16, 1}});
  }
  return out;
}

// A field theory of one setup on the continuum data, at its initial parameters.
struct Case {
  FieldTheory th;
  std::vector<double> X, q;
  Case(const Setup& s, const ContinuumData& data)
      : th(LatticeGeometry{s.shape, 1.0, 1.0}, Activation::tanh, Loss::mse, s.settings),
        X(sample_width(data.X, 0.0, th)), q(field_params_from_continuum(th, data, X)) {}
};

std::vector<double> random_vector(std::size_t n, std::uint64_t seed, double scale) {
  Rng rng(seed);
  std::vector<double> v(n);
  for (double& x : v) x = scale * rng.normal();
  return v;
}

// Y = Z0 + 0.1 cos(2 pi y) + 0.03: the weakly nonlinear regime, no site without a misfit.
std::vector<double> target(FieldTheory& th, const std::vector<double>& q, const std::vector<double>& X) {
  std::vector<double> phi(std::size_t(th.nx()) * th.ny()), Y(std::size_t(th.ny()), 0.0);
  th.loss(q.data(), X.data(), Y.data(), phi.data());
  for (int b = 0; b < th.ny(); ++b)
    Y[std::size_t(b)] = phi[std::size_t(th.nx() - 1) * th.ny() + b] + 0.1 * std::cos(2 * M_PI * th.y(b)) + 0.03;
  return Y;
}

double max_abs(const std::vector<double>& v) {
  double m = 0.0;
  for (double x : v) m = std::max(m, std::fabs(x));
  return m;
}

}  // namespace

TEST_CASE("field energy flow: the tangent sweep is the derivative of the forward sweep", "[field][energy_flow]") {
  const ContinuumData data = test::smooth_critical_data(21);
  for (const Setup& s : setups()) {
    Case c(s, data);
    auto& [th, X, q] = c;
    const std::vector<double> v = random_vector(q.size(), 5, 1.0);
    const std::size_t nodes = std::size_t(th.nx()) * th.ny();
    std::vector<double> phi_dot(nodes), phi_p(nodes), phi_m(nodes), Y(std::size_t(th.ny()), 0.0);
    th.tangent(q.data(), v.data(), X.data(), phi_dot.data());
    const double eps = 1e-6;
    std::vector<double> qp = q, qm = q;
    for (std::size_t j = 0; j < q.size(); ++j) qp[j] += eps * v[j], qm[j] -= eps * v[j];
    th.loss(qp.data(), X.data(), Y.data(), phi_p.data());
    th.loss(qm.data(), X.data(), Y.data(), phi_m.data());
    double err = 0.0;
    for (std::size_t i = 0; i < nodes; ++i) err = std::max(err, std::fabs(phi_dot[i] - (phi_p[i] - phi_m[i]) / (2 * eps)));
    INFO(s.name << ": max|phi' - FD| = " << err << ", max|phi'| = " << max_abs(phi_dot));
    CHECK(max_abs(phi_dot) > 1e-2);
    CHECK(err < 1e-7 * max_abs(phi_dot));
  }
}

TEST_CASE("field energy flow: every site and every depth interval balances, the densities sum to E",
          "[field][energy_flow]") {
  const ContinuumData data = test::smooth_critical_data(22);
  for (const Setup& s : setups()) {
    Case c(s, data);
    auto& [th, X, q] = c;
    const std::vector<double> Y = target(th, q, X);
    std::vector<double> v = random_vector(q.size(), 6, 0.3);
    for (std::size_t j = 0; j < v.size(); ++j)
      if (th.mass()[j] <= 0) v[j] = 0.0;  // frozen parameters do not move
    const double gamma = 0.7;
    FieldEnergyFlow flow(th);
    flow.evaluate(q.data(), v.data(), X.data(), Y.data(), gamma);
    double site = 0.0, interval = 0.0, sum_e = 0.0;
    for (std::size_t i = 0; i < flow.site_residual().size(); ++i) {
      INFO("site " << i << " of " << flow.site_residual().size());
      REQUIRE(flow.site_scale()[i] > 0);
      site = std::max(site, std::fabs(flow.site_residual()[i]) / flow.site_scale()[i]);
      sum_e += flow.density()[i];
    }
    for (std::size_t a = 0; a < flow.interval_residual().size(); ++a)
      interval = std::max(interval, std::fabs(flow.interval_residual()[a]) / flow.interval_scale()[a]);
    FieldPotential potential(th, X, Y);
    Damped dyn(potential, gamma);
    const State x = dyn.initial_state(q, v);
    const double E = dyn.energy(x, 0.0).total();
    INFO(s.name << ": site residual " << site << ", interval residual " << interval << ", sum e - E = " << sum_e - E);
    CHECK(site < 1e-11);
    CHECK(interval < 1e-11);
    CHECK(std::fabs(sum_e - E) < 1e-13 * E);
    CHECK(max_abs(flow.flux()) > 1e-3);
    if (s.settings.form == DepthForm::exact) CHECK(flow.interval_slots() == 1);  // local like the lattice
    else CHECK(flow.interval_slots() > 2);  // the interpolation stencil
  }
}

TEST_CASE("field energy flow: a wrong adjoint would break the interval balance", "[field][energy_flow]") {
  // The interval balance is not an identity of the bookkeeping: with the velocities of one
  // node perturbed after the sweeps, the exchange and the current disagree.
  const ContinuumData data = test::smooth_critical_data(23);
  const Setup s = setups()[2];
  Case c(s, data);
  auto& [th, X, q] = c;
  const std::vector<double> Y = target(th, q, X);
  const std::vector<double> v = random_vector(q.size(), 7, 0.3);
  std::vector<double> grad(q.size()), phi(std::size_t(th.nx()) * th.ny()), adj(phi.size()), phi_dot(phi.size());
  std::vector<double> ex(std::size_t(th.nx() - 1) * th.max_interval_nodes() * th.ny());
  th.gradient_with_exchange(q.data(), v.data(), X.data(), Y.data(), grad.data(), phi.data(), adj.data(), ex.data());
  std::vector<double> v2 = v;
  v2[th.beta_offset() + std::size_t(th.nx() / 2) * th.ny()] += 1.0;
  th.tangent(q.data(), v2.data(), X.data(), phi_dot.data());
  double worst = 0.0;
  const std::size_t ny = std::size_t(th.ny()), S = std::size_t(th.max_interval_nodes());
  for (std::size_t a = 0; a + 1 < std::size_t(th.nx()); ++a) {
    double r = 0.0;
    for (std::size_t b = 0; b < ny; ++b) r += adj[(a + 1) * ny + b] * phi_dot[(a + 1) * ny + b] - adj[a * ny + b] * phi_dot[a * ny + b];
    for (std::size_t i = 0; i < S * ny; ++i) r -= ex[a * S * ny + i];
    worst = std::max(worst, std::fabs(r));
  }
  CHECK(worst > 1e-3);
}

TEST_CASE("field energy flow: e' is the time derivative of e along damped motion", "[field][energy_flow]") {
  const ContinuumData data = test::smooth_critical_data(24);
  for (const Setup& s : setups()) {
    Case c(s, data);
    auto& [th, X, q] = c;
    const std::vector<double> Y = target(th, q, X);
    const double gamma = 0.5, dt = 2e-4;  // random velocities excite rates ~50
    FieldPotential potential(th, X, Y);
    Damped dyn(potential, gamma);
    std::vector<double> v = random_vector(q.size(), 8, 0.2);
    for (std::size_t j = 0; j < v.size(); ++j)
      if (th.mass()[j] <= 0) v[j] = 0.0;
    State x = dyn.initial_state(q, v);
    IntegratorConfig ic;
    ic.stepper = StepperKind::dopri5;
    ic.rtol = 1e-13;
    ic.atol = 1e-15;
    std::vector<State> snaps;
    snaps.push_back(x);
    integrate(dyn, x, 0.0, {dt, 2 * dt, 3 * dt, 4 * dt}, {}, ic,
              {[&](const State& st, double) { snaps.push_back(st); }, {}, {}});
    REQUIRE(snaps.size() == 5);
    FieldEnergyFlow flow(th);
    const std::size_t P = q.size();
    std::vector<std::vector<double>> e;
    for (const State& st : snaps) {
      flow.evaluate(st.data(), st.data() + P, X.data(), Y.data(), gamma);
      e.push_back(flow.density());
    }
    flow.evaluate(snaps[2].data(), snaps[2].data() + P, X.data(), Y.data(), gamma);
    const std::vector<double> rate = flow.rate();
    double err = 0.0;  // fourth-order central difference at t = 2 dt
    for (std::size_t i = 0; i < rate.size(); ++i)
      err = std::max(err, std::fabs(rate[i] - (e[0][i] - 8 * e[1][i] + 8 * e[3][i] - e[4][i]) / (12 * dt)));
    INFO(s.name << ": max|e' - FD| = " << err << ", max|e'| = " << max_abs(rate));
    CHECK(err < 1e-8 * max_abs(rate));
  }
}
