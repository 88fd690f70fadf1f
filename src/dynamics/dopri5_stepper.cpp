// The Dormand-Prince 5(4) stepper in six vectors (include/nnfield/dynamics/dopri5_stepper.hpp).
// Every combination is written as Odeint writes it (its scale_sum operations: the factors
// dt b_ij formed first, then 1.0 x + (dt b_i1) k_1 + ..., summed left to right) and the step
// size adjusted by Odeint's default_step_adjuster's formulas, so that the results are its
// results to the last bit.
#include "nnfield/dynamics/dopri5_stepper.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace nnfield {

namespace {

// The Butcher tableau: nodes a_i, coupling b_ij, weights c_i of the fifth-order solution.
constexpr double a2 = 1.0 / 5, a3 = 3.0 / 10, a4 = 4.0 / 5, a5 = 8.0 / 9;
constexpr double b21 = 1.0 / 5;
constexpr double b31 = 3.0 / 40, b32 = 9.0 / 40;
constexpr double b41 = 44.0 / 45, b42 = -56.0 / 15, b43 = 32.0 / 9;
constexpr double b51 = 19372.0 / 6561, b52 = -25360.0 / 2187, b53 = 64448.0 / 6561, b54 = -212.0 / 729;
constexpr double b61 = 9017.0 / 3168, b62 = -355.0 / 33, b63 = 46732.0 / 5247, b64 = 49.0 / 176,
                 b65 = -5103.0 / 18656;
constexpr double c1 = 35.0 / 384, c3 = 500.0 / 1113, c4 = 125.0 / 192, c5 = -2187.0 / 6784, c6 = 11.0 / 84;
// The error weights: the fifth-order weights minus the embedded fourth-order ones (the
// seventh stage is the new point's derivative).
constexpr double dc1 = c1 - 5179.0 / 57600, dc3 = c3 - 7571.0 / 16695, dc4 = c4 - 393.0 / 640,
                 dc5 = c5 - -92097.0 / 339200, dc6 = c6 - 187.0 / 2100, dc7 = -1.0 / 40;

void fit(State& v, std::size_t n) {
  if (v.size() != n) v.assign(n, 0.0);
}

// Odeint's default_step_adjuster: shrink after a rejected step, at most by 5...
double decreased(double dt, double error) {
  return dt * std::max(9.0 / 10 * std::pow(error, -1.0 / (Dopri5Stepper::error_order - 1)), 1.0 / 5);
}

// ...and grow after an accepted one whose error is below 1/2, at most by 5.
double increased(double dt, double error) {
  if (error < 0.5) {
    error = std::max(std::pow(5.0, -double(Dopri5Stepper::order)), error);
    dt *= 9.0 / 10 * std::pow(error, -1.0 / Dopri5Stepper::order);
  }
  return dt;
}

}  // namespace

void Dopri5Stepper::stages(OdeSystem& system, const State& in, const State& dxdt_in, double t, double dt, State& out,
                           State& dxdt_out) {
  const std::size_t n = in.size();
  for (State* v : {&m_x_tmp, &m_k2, &m_k3, &m_k4, &m_k5, &m_k6}) fit(*v, n);
  const double* x = in.data();
  const double* k1 = dxdt_in.data();
  const double *k2 = m_k2.data(), *k3 = m_k3.data(), *k4 = m_k4.data(), *k5 = m_k5.data(), *k6 = m_k6.data();
  double* tmp = m_x_tmp.data();

  const double f21 = dt * b21;
  for (std::size_t i = 0; i < n; ++i) tmp[i] = 1.0 * x[i] + f21 * k1[i];
  system.rhs(m_x_tmp, m_k2, t + dt * a2);

  const double f31 = dt * b31, f32 = dt * b32;
  for (std::size_t i = 0; i < n; ++i) tmp[i] = 1.0 * x[i] + f31 * k1[i] + f32 * k2[i];
  system.rhs(m_x_tmp, m_k3, t + dt * a3);

  const double f41 = dt * b41, f42 = dt * b42, f43 = dt * b43;
  for (std::size_t i = 0; i < n; ++i) tmp[i] = 1.0 * x[i] + f41 * k1[i] + f42 * k2[i] + f43 * k3[i];
  system.rhs(m_x_tmp, m_k4, t + dt * a4);

  const double f51 = dt * b51, f52 = dt * b52, f53 = dt * b53, f54 = dt * b54;
  for (std::size_t i = 0; i < n; ++i)
    tmp[i] = 1.0 * x[i] + f51 * k1[i] + f52 * k2[i] + f53 * k3[i] + f54 * k4[i];
  system.rhs(m_x_tmp, m_k5, t + dt * a5);

  const double f61 = dt * b61, f62 = dt * b62, f63 = dt * b63, f64 = dt * b64, f65 = dt * b65;
  for (std::size_t i = 0; i < n; ++i)
    tmp[i] = 1.0 * x[i] + f61 * k1[i] + f62 * k2[i] + f63 * k3[i] + f64 * k4[i] + f65 * k5[i];
  system.rhs(m_x_tmp, m_k6, t + dt);

  // The new point (over the stage input, or over `in` itself), then its derivative (over
  // the second stage, or over dxdt_in): neither is read again.
  const double g1 = dt * c1, g3 = dt * c3, g4 = dt * c4, g5 = dt * c5, g6 = dt * c6;
  double* y = out.data();
  for (std::size_t i = 0; i < n; ++i)
    y[i] = 1.0 * x[i] + g1 * k1[i] + g3 * k3[i] + g4 * k4[i] + g5 * k5[i] + g6 * k6[i];
  system.rhs(out, dxdt_out, t + dt);
}

void Dopri5Stepper::step(OdeSystem& system, State& x, State& dxdt, double t, double dt) {
  stages(system, x, dxdt, t, dt, x, dxdt);
}

bool Dopri5Stepper::try_step(OdeSystem& system, State& x, State& dxdt, double& t, double& dt,
                             const StepErrorNorm& norm) {
  stages(system, x, dxdt, t, dt, m_x_tmp, m_k2);
  const double e1 = dt * dc1, e3 = dt * dc3, e4 = dt * dc4, e5 = dt * dc5, e6 = dt * dc6, e7 = dt * dc7;
  const double *k1 = dxdt.data(), *k3 = m_k3.data(), *k4 = m_k4.data(), *k5 = m_k5.data(), *k6 = m_k6.data(),
               *k7 = m_k2.data();
  const double error = norm(
      x, dxdt,
      [&](std::size_t i) { return e1 * k1[i] + e3 * k3[i] + e4 * k4[i] + e5 * k5[i] + e6 * k6[i] + e7 * k7[i]; },
      dt);
  if (error > 1.0) {
    dt = decreased(dt, error);
    return false;
  }
  x.swap(m_x_tmp);
  dxdt.swap(m_k2);
  t += dt;
  dt = increased(dt, error);
  return true;
}

}  // namespace nnfield
