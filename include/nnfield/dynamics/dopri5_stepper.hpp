#pragma once
// The Dormand-Prince 5(4) stepper (Dormand & Prince 1980; Hairer, Norsett & Wanner, Solving
// ODEs I, II.5), first same as last: the derivative at the new point is the next step's
// first stage. The arithmetic is Odeint's runge_kutta_dopri5 with controlled_runge_kutta
// and its default step adjuster, operation for operation (tests/dynamics/test_dopri5_stepper.cpp
// compares them bit for bit); what differs is the memory. Odeint's controlled stepper keeps
// ten vectors of the state besides it (the stages, a stage input, the error, the new point
// and its derivative, and a copy of the old derivative); this one keeps six: the new point is
// written over the stage input once the last stage is taken, its derivative over the second
// stage (which neither the solution nor the error weights), and the error is measured
// component by component without being stored. At M = N = 1024 a vector is 34 MB.
#include "nnfield/dynamics/ode_system.hpp"
#include "nnfield/dynamics/step_error_norm.hpp"

namespace nnfield {

class Dopri5Stepper {
 public:
  static constexpr int order = 5;        // of the solution carried on
  static constexpr int error_order = 4;  // of the embedded solution that measures the error

  // One step of size dt from (x, dxdt = f(x, t)): x and dxdt become the new point's.
  void step(OdeSystem& system, State& x, State& dxdt, double t, double dt);
  // A step under error control. Accepted (true): x, dxdt and t advance, and dt becomes the
  // size suggested for the next step. Rejected (false): nothing moves and dt shrinks.
  bool try_step(OdeSystem& system, State& x, State& dxdt, double& t, double& dt, const StepErrorNorm& norm);

 private:
  // The six stages from (in, dxdt_in); the new point into out and its derivative into
  // dxdt_out, which may be in and dxdt_in themselves (a fixed step) or m_x_tmp and m_k2.
  void stages(OdeSystem& system, const State& in, const State& dxdt_in, double t, double dt, State& out,
              State& dxdt_out);
  State m_x_tmp, m_k2, m_k3, m_k4, m_k5, m_k6;
};

}  // namespace nnfield
