// Bulk-boundary decomposition: Lagrangian split, energy densities, continuity.
#include <catch2/catch.hpp>

#include <cmath>
#include <memory>

#include "nnfield/bbd/bbd_energy.hpp"
#include "nnfield/bbd/bbd_lagrangian.hpp"
#include "nnfield/data/data.hpp"
#include "nnfield/data/initial_state.hpp"
#include "nnfield/dynamics/integrator.hpp"
#include "nnfield/core/network.hpp"
#include "nnfield/dynamics/bbd_coordinates.hpp"
#include "nnfield/dynamics/training_dynamics.hpp"
#include "nnfield/run/make_dynamics.hpp"
#include "support.hpp"

using namespace nnfield;

namespace {

// Data regimes of the continuity tests.
enum class Moving { nothing, x_only, y_only, both };

Samples regime_samples(const NetworkShape& s, Moving moving) {
  Samples d;
  d.S = 3;
  d.N = s.N;
  d.X = test::normal_vector(std::size_t(3 * s.N), 1.0, 21);
  d.Y = test::normal_vector(std::size_t(3 * s.N), 1.0, 22);
  for (int j = 1; j < 3; ++j)
    for (int i = 0; i < s.N; ++i) {
      if (moving == Moving::y_only || moving == Moving::nothing) d.X[std::size_t(j * s.N + i)] = d.X[std::size_t(i)];
      if (moving == Moving::x_only || moving == Moving::nothing) d.Y[std::size_t(j * s.N + i)] = d.Y[std::size_t(i)];
    }
  return d;
}

// A damped run with the energy flow tracked, evaluated at every output time.
struct FlowRun {
  NetworkShape shape{4, 7, 1};
  Activation activation = Activation::tanh;
  double gamma = 0.0;
  Moving moving = Moving::nothing;
  double t_end = 3.0, every = 0.25;

  std::vector<double> times;
  std::vector<std::vector<double>> density, rate, residual, scale;
  std::vector<double> total_energy, site_sum;
  std::vector<LagrangianParts> lagrangian;
  double C0 = 0.0;

  void run() {
    ModelConfig c = test::small_model(shape.M, shape.N, shape.r);
    c.network.activation = activation;
    c.data.presentation = Presentation::blend;
    c.data.tau = 1.0;
    c.data.order = DataOrder::sequential;
    DataStream data(regime_samples(shape, moving), c.data, 1);
    Network net(shape, activation, Loss::mse);
    LossLandscape landscape(net, data);
    Damped dyn(landscape, gamma, std::make_unique<BbdFlowIntegrals>(landscape));
    const auto q = test::normal_vector(shape.num_params(), 0.8, 31);
    const auto v = test::normal_vector(shape.num_params(), 0.4, 32);
    State x = dyn.initial_state(q, v);
    EnergyFlow flow(shape, Loss::mse);
    BbdState bs;
    std::vector<double> obs;
    for (double t = 0; t <= t_end + 1e-12; t += every) obs.push_back(t);
    IntegratorConfig ic;
    ic.rtol = 1e-12;
    ic.atol = 1e-14;
    IntegrationCallbacks cb;
    cb.observe = [&](const State& st, double t) {
      bbd_state_of(dyn, landscape, st, t, bs);
      flow.evaluate(bs.kinematics, bs.W.data(), bs.Wd.data(), bs.Wdd.data(), bs.Y.data(), bs.Yd.data(),
                    bs.I.data(), gamma);
      if (times.empty()) C0 = flow.time_integral_constant(bs.kinematics);
      times.push_back(t);
      density.push_back(flow.density());
      rate.push_back(flow.rate());
      residual.push_back(flow.residual());
      scale.push_back(flow.scale());
      total_energy.push_back(dyn.energy(st, t).total());
      double sum = 0.0;
      for (double e : flow.density()) sum += e;
      site_sum.push_back(sum);
      lagrangian.push_back(bbd_lagrangian(bs.kinematics, bs.Wd.data(), bs.bd.data(), bs.loss));
    };
    integrate(dyn, x, 0.0, obs, {}, ic, cb);
  }
};

const char* regime_name(Moving m) {
  switch (m) {
    case Moving::nothing: return "fixed data";
    case Moving::x_only: return "moving X";
    case Moving::y_only: return "moving Y";
    case Moving::both: return "moving X and Y";
  }
  return "";
}

}  // namespace

TEST_CASE("L_(5) = L_bulk + L_boundary along a trajectory", "[bbd]") {
  FlowRun r;
  r.gamma = 0.5;
  r.moving = Moving::both;
  r.run();
  for (const auto& L : r.lagrangian) {
    const double scale = std::max({std::fabs(L.bulk), std::fabs(L.boundary), std::fabs(L.total)});
    CHECK(std::fabs(L.bulk + L.boundary - L.total) <= 1e-12 * scale);
  }
}

TEST_CASE("the site energies sum to E + C0 (erratum 5)", "[bbd]") {
  for (Moving moving : {Moving::nothing, Moving::both})
    for (double gamma : {0.0, 0.7}) {
      INFO(regime_name(moving) << ", gamma = " << gamma);
      FlowRun r;
      r.gamma = gamma;
      r.moving = moving;
      r.run();
      for (std::size_t j = 0; j < r.times.size(); ++j) {
        INFO("t = " << r.times[j]);
        CHECK(std::fabs(r.site_sum[j] - (r.total_energy[j] + r.C0)) <= 1e-9 * std::fabs(r.total_energy[j]));
      }
    }
}

TEST_CASE("continuity holds at every site and sector", "[bbd]") {
  for (Moving moving : {Moving::nothing, Moving::x_only, Moving::y_only, Moving::both})
    for (double gamma : {0.0, 0.7})
      for (Activation act : {Activation::tanh, Activation::gelu}) {
        FlowRun r;
        r.gamma = gamma;
        r.moving = moving;
        r.activation = act;
        r.run();
        const int M = r.shape.M, N = r.shape.N;
        // Sectors: input (m = 1), bulk (1 < m < M), output (m = M).
        for (int sector = 0; sector < 3; ++sector) {
          double worst = 0.0, scale = 0.0;
          for (std::size_t j = 0; j < r.times.size(); ++j)
            for (int m = 1; m <= M; ++m) {
              const int sec = m == 1 ? 0 : (m == M ? 2 : 1);
              if (sec != sector) continue;
              for (int i = 0; i < N; ++i) {
                const std::size_t site = std::size_t((m - 1) * N + i);
                worst = std::max(worst, std::fabs(r.residual[j][site]));
                scale = std::max(scale, r.scale[j][site]);
              }
            }
          INFO(regime_name(moving) << ", gamma = " << gamma << ", " << activation_name(act) << ", sector "
                                   << (sector == 0 ? "input" : sector == 1 ? "bulk" : "output") << ": residual "
                                   << worst << " of scale " << scale);
          CHECK(scale > 1e-3);
          CHECK(worst <= 1e-8 * scale);
        }
      }
}

TEST_CASE("e' from the motion equals finite differences of e along the trajectory", "[bbd]") {
  FlowRun r;
  r.gamma = 0.7;
  r.moving = Moving::both;
  r.every = 1e-3;  // dense output for the difference stencil
  r.t_end = 0.6;
  r.run();
  const double h = r.every;
  double worst = 0.0, scale = 0.0;
  for (std::size_t j = 2; j + 2 < r.times.size(); ++j)
    for (std::size_t site = 0; site < r.density[j].size(); ++site) {
      // Fourth-order centred difference: truncation ~ h^4 e^(5) / 30.
      const auto& e = r.density;
      const double fd = (-e[j + 2][site] + 8 * e[j + 1][site] - 8 * e[j - 1][site] + e[j - 2][site]) / (12 * h);
      worst = std::max(worst, std::fabs(fd - r.rate[j][site]));
      scale = std::max(scale, std::fabs(r.rate[j][site]));
    }
  INFO("max |fd - e'| = " << worst << " of max |e'| = " << scale);
  CHECK(worst <= 1e-7 * scale);
}

TEST_CASE("integrating in (W, z) reproduces the (W, b) trajectory mapped through Eq. 6", "[bbd]") {
  struct Case {
    DynamicsKind kind;
    double gamma;
    Presentation presentation;
  };
  using D = DynamicsKind;
  for (Case c : {Case{D::damped, 0.0, Presentation::fixed}, Case{D::damped, 0.6, Presentation::fixed},
                 Case{D::damped, 0.6, Presentation::blend}, Case{D::damped, 0.3, Presentation::switched},
                 Case{D::gradient_flow, 0.0, Presentation::blend}}) {
    INFO(name(c.kind) << ", gamma = " << c.gamma << ", " << name(c.presentation) << " data");
    ModelConfig cfg = test::small_model(4, 7, 1);
    cfg.dynamics.kind = c.kind;
    cfg.dynamics.gamma = c.gamma;
    cfg.dynamics.eta = 0.3;
    cfg.data.presentation = c.presentation;
    cfg.data.tau = 0.7;
    cfg.init.velocity = InitVelocity::random;
    cfg.integrator.rtol = 1e-12;
    cfg.integrator.atol = 1e-14;
    const double t_end = 3.0;
    DataStream data(make_samples(cfg), cfg.data, cfg.seed);
    const ParameterState init = make_initial_state(cfg, data);
    std::vector<double> obs;
    for (double t = 0; t <= t_end + 1e-12; t += 0.5) obs.push_back(t);

    // Trajectory of (W, b, W', b') and the neurons, from either system.
    auto trajectory = [&](DynamicsVariables variables) {
      cfg.dynamics.variables = variables;
      Network net(cfg.network.shape, cfg.network.activation, cfg.network.loss);
      LossLandscape landscape(net, data);
      auto dyn =
          make_training_dynamics(cfg.dynamics, landscape, /*track_energy_flow=*/cfg.dynamics.kind == D::damped);
      State x = dyn->initial_state(init.q, init.v);
      std::vector<std::vector<double>> rows;
      BbdState bs;
      IntegrationCallbacks cb;
      cb.observe = [&](const State& st, double t) {
        std::vector<double> q, v;
        dyn->parameters(st, t, q, v);
        bbd_state_of(*dyn, landscape, st, t, bs);
        q.insert(q.end(), v.begin(), v.end());
        q.insert(q.end(), bs.kinematics.z.begin(), bs.kinematics.z.end());
        q.insert(q.end(), bs.I.begin(), bs.I.end());
        const Energy e = dyn->energy(st, t);
        q.push_back(e.total());
        q.push_back(e.data_work);
        rows.push_back(q);
      };
      integrate(*dyn, x, 0.0, obs, data.breakpoints(0.0, t_end), cfg.integrator, cb);
      return rows;
    };
    const auto wb = trajectory(DynamicsVariables::wb);
    const auto bbd = trajectory(DynamicsVariables::bbd);
    REQUIRE(wb.size() == bbd.size());
    double worst = 0.0, scale = 0.0;
    for (std::size_t j = 0; j < wb.size(); ++j) {
      REQUIRE(wb[j].size() == bbd[j].size());
      worst = std::max(worst, test::max_abs_diff(wb[j].data(), bbd[j].data(), wb[j].size()));
      scale = std::max(scale, test::max_abs(wb[j]));
    }
    INFO("max difference " << worst << " of scale " << scale);
    CHECK(worst <= 1e-9 * scale);
  }
}
