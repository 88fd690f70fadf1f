// The stepper state integrate() carries (include/nnfield/dynamics/integrator.hpp): an
// integration split at an observation time and continued with the carried StepperState is
// the unsplit integration bit for bit, for every stepper (what checkpoints rely on).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <vector>

#include "nnfield/dynamics/integrator.hpp"

using namespace nnfield;

namespace {

// A forced, damped oscillator whose right-hand side depends on t: x'' = -x - 0.3 x' + sin(7 t).
class ForcedOscillator final : public OdeSystem {
 public:
  std::size_t state_size() const override { return 2; }
  void rhs(const State& x, State& dxdt, double t) override {
    dxdt[0] = x[1];
    dxdt[1] = -x[0] - 0.3 * x[1] + std::sin(7.0 * t);
  }
  std::size_t num_coordinates() const override { return 1; }
  void force(const double* q, double* dpdt, double t) override { dpdt[0] = -q[0] + std::sin(7.0 * t); }
};

IntegratorConfig config_for(StepperKind stepper, bool adaptive) {
  IntegratorConfig c;
  c.stepper = stepper;
  c.adaptive = adaptive;
  c.dt = 0.013;
  c.rtol = 1e-9;
  c.atol = 1e-12;
  return c;
}

std::vector<double> times(int first, int last) {
  std::vector<double> t;
  for (int k = first; k <= last; ++k) t.push_back(0.37 * k);
  return t;
}

}  // namespace

TEST_CASE("integrate: a split integration with the carried stepper state is the whole one, bitwise",
          "[dynamics][checkpoint]") {
  for (const auto& [stepper, adaptive] : {std::pair{StepperKind::dopri5, true}, std::pair{StepperKind::dopri5, false},
                                          std::pair{StepperKind::rkf78, true}, std::pair{StepperKind::rk4, false},
                                          std::pair{StepperKind::symplectic, false}}) {
    const IntegratorConfig config = config_for(stepper, adaptive);
    ForcedOscillator system;
    State whole{1.0, 0.0}, split{1.0, 0.0};
    StepperState carry_whole{config.dt, {}}, carry_split{config.dt, {}};
    integrate(system, whole, 0.0, times(0, 20), {}, config, {}, nullptr, &carry_whole);
    integrate(system, split, 0.0, times(0, 9), {}, config, {}, nullptr, &carry_split);
    const StepperState saved = carry_split;  // what a checkpoint at t = 9 * 0.37 holds
    StepperState restored = saved;
    integrate(system, split, 0.37 * 9, times(10, 20), {}, config, {}, nullptr, &restored);
    INFO("stepper " << int(stepper) << " adaptive " << adaptive);
    CHECK(std::memcmp(whole.data(), split.data(), whole.size() * sizeof(double)) == 0);
  }
}

TEST_CASE("integrate: an adaptive run restarted without its step size is not the same run",
          "[dynamics][checkpoint]") {
  // Why the step size is checkpointed: restarting from config.dt changes the steps taken.
  const IntegratorConfig config = config_for(StepperKind::dopri5, true);
  ForcedOscillator system;
  State whole{1.0, 0.0}, split{1.0, 0.0};
  StepperState carry_whole{config.dt, {}}, carry_split{config.dt, {}};
  integrate(system, whole, 0.0, times(0, 20), {}, config, {}, nullptr, &carry_whole);
  integrate(system, split, 0.0, times(0, 9), {}, config, {}, nullptr, &carry_split);
  StepperState fresh{config.dt, {}};
  integrate(system, split, 0.37 * 9, times(10, 20), {}, config, {}, nullptr, &fresh);
  CHECK(std::memcmp(whole.data(), split.data(), whole.size() * sizeof(double)) != 0);
}
