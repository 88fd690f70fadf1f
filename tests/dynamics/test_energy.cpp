// Energy conservation and the energy balance of docs/theory.md section 2:
//   damped:        E = 1/2|q'|^2 + l,  dE/dt = -gamma |q'|^2 + dl/dt|_q
//   gradient flow: E = l,              dE/dt = -eta |dl/dq|^2 + dl/dt|_q
#include <catch2/catch.hpp>

#include <memory>

#include "nnfield/data/data.hpp"
#include "nnfield/data/initial_state.hpp"
#include "nnfield/dynamics/integrator.hpp"
#include "nnfield/core/network.hpp"
#include "nnfield/dynamics/loss_landscape.hpp"
#include "nnfield/dynamics/training_dynamics.hpp"
#include "nnfield/run/make_dynamics.hpp"
#include "support.hpp"

using namespace nnfield;

namespace {

// A damped or gradient-flow system built from a model config, with its energy
// recorded at every output time.
struct EnergyRun {
  ModelConfig config;
  std::vector<double> times;
  std::vector<Energy> energies;

  void run() {
    const NetworkShape& s = config.network.shape;
    DataStream data(make_samples(config), config.data, config.seed);
    ParameterState init = make_initial_state(config, data);
    Network net(s, config.network.activation, config.network.loss);
    LossLandscape landscape(net, data);
    std::unique_ptr<TrainingDynamics> dyn = make_training_dynamics(config.dynamics, landscape);
    State x = dyn->initial_state(init.q, init.v);
    std::vector<double> obs;
    for (double t = 0; t <= config.dynamics.t_end + 1e-12; t += config.output.every) obs.push_back(t);
    IntegrationCallbacks cb;
    cb.observe = [&](const State& st, double t) {
      times.push_back(t);
      energies.push_back(dyn->energy(st, t));
    };
    integrate(*dyn, x, 0.0, obs, data.breakpoints(0.0, config.dynamics.t_end), config.integrator, cb);
  }
  // The size of the books: |E(0)|, the dissipation and the data work.
  double balance_scale() const {
    double scale = std::fabs(energies.front().total());
    for (const auto& e : energies) scale = std::max({scale, e.dissipated, std::fabs(e.data_work)});
    return scale;
  }
  // max over t of |E(t) - E(0) - (data_work - dissipated)| / balance_scale().
  double worst_balance_residual() const {
    const double E0 = energies.front().total(), scale = balance_scale();
    double worst = 0.0;
    for (const auto& e : energies) worst = std::max(worst, std::fabs(e.total() - E0 - (e.data_work - e.dissipated)) / scale);
    return worst;
  }
};

ModelConfig conservative_model() {
  ModelConfig c = test::small_model(4, 8, 1);
  c.data.presentation = Presentation::fixed;
  c.dynamics.kind = DynamicsKind::damped;
  c.dynamics.gamma = 0.0;
  c.dynamics.t_end = 10.0;
  c.init.velocity = InitVelocity::random;
  c.init.sigma_v = 0.3;
  c.output.every = 0.5;
  return c;
}

}  // namespace

TEST_CASE("gamma = 0, fixed data: dopri5 at rtol 1e-12 conserves E to 1e-9 over t = 10", "[energy]") {
  for (const char* act : {"tanh", "sin", "gelu"}) {
    INFO("activation " << act);
    EnergyRun r{conservative_model(), {}, {}};
    r.config.network.activation = activation_from_name(act);
    r.config.integrator.stepper = StepperKind::dopri5;
    r.config.integrator.rtol = 1e-12;
    r.config.integrator.atol = 1e-14;
    r.run();
    const double E0 = r.energies.front().total();
    double worst = 0.0;
    for (const auto& e : r.energies) worst = std::max(worst, std::fabs(e.total() - E0) / std::fabs(E0));
    CHECK(r.times.back() == Approx(10.0));
    CHECK(worst < 1e-9);
    // The motion is not trivial: kinetic and potential energy exchange.
    double kmin = 1e300, kmax = 0.0;
    for (const auto& e : r.energies) kmin = std::min(kmin, e.kinetic), kmax = std::max(kmax, e.kinetic);
    CHECK(kmax - kmin > 1e-3 * std::fabs(E0));
  }
}

TEST_CASE("gamma = 0: the symplectic stepper keeps the energy error bounded", "[energy]") {
  EnergyRun r{conservative_model(), {}, {}};
  r.config.integrator.stepper = StepperKind::symplectic;
  r.config.integrator.dt = 0.05;
  r.config.dynamics.t_end = 200.0;
  r.config.output.every = 1.0;
  r.run();
  const double E0 = r.energies.front().total();
  double early = 0.0, late = 0.0;
  for (std::size_t j = 0; j < r.times.size(); ++j) {
    const double err = std::fabs(r.energies[j].total() - E0) / std::fabs(E0);
    (r.times[j] <= 20.0 ? early : late) = std::max(r.times[j] <= 20.0 ? early : late, err);
  }
  INFO("max relative energy error: t <= 20: " << early << ", 20 < t <= 200: " << late);
  CHECK(early < 1e-5);
  CHECK(late < 1e-5);
  CHECK(late < 3.0 * early);  // bounded oscillation, no secular drift over 10x the time
}

TEST_CASE("gamma > 0, moving data: E(t) - E(0) = data work - dissipation to 1e-8", "[energy]") {
  for (const Presentation presentation : {Presentation::blend, Presentation::switched})
    for (const DynamicsKind kind : {DynamicsKind::damped, DynamicsKind::gradient_flow}) {
      INFO(name(kind) << " with " << name(presentation) << " data");
      ModelConfig c = conservative_model();
      c.dynamics.kind = kind;
      c.dynamics.gamma = 0.7;
      c.dynamics.eta = 0.5;
      c.data.presentation = presentation;
      c.data.tau = 1.3;
      c.integrator.rtol = 1e-12;
      c.integrator.atol = 1e-14;
      EnergyRun r{c, {}, {}};
      r.run();
      const double scale = r.balance_scale();
      CHECK(r.worst_balance_residual() < 1e-8);
      // Both terms of the balance are really exercised.
      CHECK(r.energies.back().dissipated > 1e-3 * scale);
      if (presentation == Presentation::blend) CHECK(std::fabs(r.energies.back().data_work) > 1e-3 * scale);
    }
}

TEST_CASE("damped with masses 1/(eta ax): the books balance and the masses count", "[energy]") {
  // dynamics.eta_scaling = "depth" gives damped dynamics the mass scale 1/eta (run.cpp passes
  // eta ax as eta; here eta = 0.5 itself): E = sum mu v^2/2 + L balances as with unit masses.
  ModelConfig c = conservative_model();
  c.dynamics.gamma = 0.7;
  c.dynamics.eta = 0.5;
  c.data.presentation = Presentation::blend;
  c.data.tau = 1.3;
  c.integrator.rtol = 1e-12;
  c.integrator.atol = 1e-14;
  EnergyRun unit{c, {}, {}};
  unit.run();
  c.dynamics.eta_scaling = EtaScaling::depth;
  EnergyRun heavy{c, {}, {}};
  heavy.run();
  CHECK(heavy.worst_balance_residual() < 1e-8);
  // Same initial velocities, twice the mass: twice the kinetic energy at t = 0, another motion after.
  CHECK(heavy.energies.front().kinetic == Approx(2.0 * unit.energies.front().kinetic).epsilon(1e-14));
  CHECK(heavy.energies.back().potential != Approx(unit.energies.back().potential).epsilon(1e-6));
}
