#pragma once
// The field theory as a Potential (dynamics/potential.hpp): L(q) of the discrete field
// theory (field_theory.hpp) for one pair of boundary data X(y), Y(y), its exact gradient
// by the reverse depth sweep, and the quadrature masses m_j (FieldTheory::mass) as the
// kinetic metric. The same GradientFlow and Damped systems as the network's then give
//
//   gradient flow   m q' = -eta dL/dq
//   damped          m q'' + gamma m q' + dL/dq = 0
//
// whose energy sum m v^2/2 + L balances the dissipation exactly (at gamma = 0 it is
// conserved). The data are fixed (the 1D boundary theories of one pair): no data power.
#include <vector>

#include "nnfield/dynamics/potential.hpp"
#include "nnfield/field/field_theory.hpp"

namespace nnfield {

class FieldPotential final : public Potential {
 public:
  FieldPotential(FieldTheory& theory, std::vector<double> X, std::vector<double> Y);
  FieldTheory& theory() { return m_theory; }
  const std::vector<double>& X() const { return m_X; }
  const std::vector<double>& Y() const { return m_Y; }

  std::size_t num_params() const override { return m_theory.num_params(); }
  const std::vector<double>& mass() const override { return m_theory.mass(); }
  double evaluate(const double* q, double t, double* grad, double* data_power) override;
  double loss(const double* q, double t, bool left_limit = false) override;
  void set_interval_end(double) override {}  // fixed data: no switches
  // Gradients evaluated so far (each is one forward and one reverse sweep).
  long gradient_evaluations() const { return m_gradients; }

 private:
  FieldTheory& m_theory;
  std::vector<double> m_X, m_Y;
  long m_gradients = 0;
};

}  // namespace nnfield
