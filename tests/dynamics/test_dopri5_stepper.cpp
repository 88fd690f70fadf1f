// Our dopri5 against Odeint's: the same arithmetic in fewer vectors, so the same bits.
// Odeint is the independent implementation here (the project's integrator names it only
// for rk4, rkf78 and the symplectic stepper).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <vector>

#include <boost/numeric/odeint.hpp>

#include "nnfield/dynamics/dopri5_stepper.hpp"
#include "nnfield/dynamics/step_error_norm.hpp"

using namespace nnfield;
namespace odeint = boost::numeric::odeint;

namespace {

// Coupled nonlinear oscillators on a ring, x = [q (n), v (n), two quadratures]: stiff enough
// at the first step sizes tried that the controller rejects some steps. 2n + 2 is odd
// against every vector width, so the loops' remainders are exercised too.
class Ring final : public OdeSystem {
 public:
  explicit Ring(std::size_t n) : m_n(n) {}
  std::size_t state_size() const override { return 2 * m_n + 2; }
  std::size_t num_controlled() const override { return 2 * m_n; }
  void rhs(const State& x, State& dxdt, double t) override {
    double power = 0.0, friction = 0.0;
    for (std::size_t i = 0; i < m_n; ++i) {
      const double q = x[i], v = x[m_n + i];
      const double left = x[(i + m_n - 1) % m_n], right = x[(i + 1) % m_n];
      const double force = -std::sin(q) + 3.0 * (left + right - 2.0 * q) - 0.3 * v + 0.2 * std::cos(2.0 * t + i);
      dxdt[i] = v;
      dxdt[m_n + i] = force;
      power += v * force;
      friction += 0.3 * v * v;
    }
    dxdt[2 * m_n] = power;
    dxdt[2 * m_n + 1] = friction;
  }

 private:
  std::size_t m_n;
};

struct SystemRef {
  OdeSystem* sys;
  void operator()(const State& x, State& dxdt, double t) const { sys->rhs(x, dxdt, t); }
};

struct Checker {
  using value_type = double;
  using algebra_type = odeint::range_algebra;
  using operations_type = odeint::default_operations;
  StepErrorNorm norm;
  template <class S, class D, class E, class T>
  double error(algebra_type&, const S& x_old, const D& dxdt_old, E& x_err, T dt) const {
    return norm(x_old, dxdt_old, [&](std::size_t i) { return x_err[i]; }, double(dt));
  }
};

bool same_bits(const State& a, const State& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

State start(std::size_t n) {
  State x(2 * n + 2, 0.0);
  for (std::size_t i = 0; i < n; ++i) x[i] = std::sin(0.7 * double(i) + 0.3), x[n + i] = 0.5 * std::cos(1.3 * double(i));
  return x;
}

}  // namespace

TEST_CASE("dopri5: error-controlled steps equal Odeint's controlled dopri5 bit for bit", "[dopri5]") {
  for (std::size_t n : {1u, 7u, 37u}) {
    Ring ring(n);
    const StepErrorNorm norm(1e-9, 1e-7, ring);
    odeint::controlled_runge_kutta<odeint::runge_kutta_dopri5<State>, Checker> theirs(Checker{norm});
    Dopri5Stepper ours;
    State x_theirs = start(n), x_ours = x_theirs, d_theirs(x_theirs.size()), d_ours(x_ours.size());
    ring.rhs(x_theirs, d_theirs, 0.0);
    ring.rhs(x_ours, d_ours, 0.0);
    double t_theirs = 0.0, t_ours = 0.0, dt_theirs = 0.5, dt_ours = 0.5;  // far too large: rejections first
    int accepted = 0, rejected = 0;
    for (int k = 0; k < 200; ++k) {
      const bool ok_theirs = theirs.try_step(SystemRef{&ring}, x_theirs, d_theirs, t_theirs, dt_theirs) == odeint::success;
      const bool ok_ours = ours.try_step(ring, x_ours, d_ours, t_ours, dt_ours, norm);
      REQUIRE(ok_ours == ok_theirs);
      (ok_ours ? accepted : rejected) += 1;
      REQUIRE(t_ours == t_theirs);
      REQUIRE(dt_ours == dt_theirs);
      REQUIRE(same_bits(x_ours, x_theirs));
      REQUIRE(same_bits(d_ours, d_theirs));
    }
    CHECK(accepted > 100);
    CHECK(rejected > 0);
  }
}

TEST_CASE("dopri5: fixed steps equal Odeint's dopri5 bit for bit", "[dopri5]") {
  Ring ring(37);
  odeint::runge_kutta_dopri5<State> theirs;
  Dopri5Stepper ours;
  State x_theirs = start(37), x_ours = x_theirs, d_theirs(x_theirs.size()), d_ours(x_ours.size());
  ring.rhs(x_theirs, d_theirs, 0.0);
  ring.rhs(x_ours, d_ours, 0.0);
  for (int k = 0; k < 50; ++k) {
    const double t = 0.01 * k;
    theirs.do_step(SystemRef{&ring}, x_theirs, d_theirs, t, 0.01);
    ours.step(ring, x_ours, d_ours, t, 0.01);
    REQUIRE(same_bits(x_ours, x_theirs));
    REQUIRE(same_bits(d_ours, d_theirs));
  }
}
