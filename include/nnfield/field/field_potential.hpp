#pragma once
// The field theory as a Potential (dynamics/potential.hpp): L(q, t) of the discrete field
// theory (field_theory.hpp) for the boundary data X(y), Y(y) presented at time t by the
// run's DataStream (the network's stream class: the same seed presents the same samples at
// the same times), its exact gradient by the reverse depth sweep, and the quadrature
// masses m_j (FieldTheory::mass) as the kinetic metric. The same GradientFlow and Damped
// systems as the network's then give
//
//   gradient flow   m q' = -eta dL/dq
//   damped          m q'' + gamma m q' + dL/dq = 0
//
// whose energy sum m v^2/2 + L balances the dissipation and the data's work exactly (at
// gamma = 0 with fixed data it is conserved). Switched data are piecewise constant: no
// data power between switches, and the loss jump at a switch is the data's work, booked
// by the dynamics at the breakpoint (loss with left_limit). Blended data move: their power
// dL/dX . X' + dL/dY . Y' (FieldTheory::data_power) is integrated with the motion.
// full_batch presents every sample at once: L is the mean of the samples' losses, each
// sample its own boundary theory (its own neuron field) on the one bulk; the samples are
// swept on set_threads() threads, summed in sample order (sample_sweeps.hpp).
#include <memory>
#include <vector>

#include "nnfield/data/data.hpp"
#include "nnfield/dynamics/potential.hpp"
#include "nnfield/field/field_theory.hpp"
#include "nnfield/field/sample_sweeps.hpp"

namespace nnfield {

class FieldPotential final : public Potential {
 public:
  // `data` holds samples of width ny (the grid's width nodes); it must outlive this.
  FieldPotential(FieldTheory& theory, const DataStream& data);
  // One fixed pair X, Y (ny each), held by the potential.
  FieldPotential(FieldTheory& theory, std::vector<double> X, std::vector<double> Y);
  FieldTheory& theory() { return m_theory; }
  // Threads for a batch's samples (0: the default); results do not depend on it. Default 1.
  void set_threads(unsigned threads) { m_sweeps.set_threads(threads); }

  std::size_t num_params() const override { return m_theory.num_params(); }
  const Masses& mass() const override { return m_mass; }
  double evaluate(const double* q, double t, double* grad, double* data_power) override;
  double loss(const double* q, double t, bool left_limit = false) override;
  void set_interval_end(double t_end) override { m_interval_end = t_end; }
  // The boundary data presented at t (batch x ny each), the right limit at a switch (as loss(q, t)).
  void data_at(double t, double* X, double* Y) const;
  int batch() const { return m_data.batch(); }
  // Gradients evaluated so far (each is one forward and one reverse sweep).
  long gradient_evaluations() const { return m_gradients; }

 private:
  FieldPotential(FieldTheory& theory, std::unique_ptr<const DataStream> owned, const DataStream* data);
  void load_data(double t, bool left_limit);

  FieldTheory& m_theory;
  Masses m_mass;                             // the theory's quadrature weights
  std::unique_ptr<const DataStream> m_pair;  // the one-pair constructor's stream
  const DataStream& m_data;
  double m_interval_end = 1e300;
  std::vector<double> m_X, m_Y, m_Xdot, m_Ydot;
  SampleSweeps m_sweeps;
  long m_gradients = 0;
};

}  // namespace nnfield
