#pragma once
// What a field-solver run writes (docs/output-schema.md, "Field runs"): the grid, the
// boundary data, and per output time the fields, the output response, the gain and the
// field theory's energy. Measures through FieldTheory, writes through a SeriesSink.
#include <memory>
#include <vector>

#include "nnfield/dynamics/training_dynamics.hpp"
#include "nnfield/bbd/field_energy_flow.hpp"
#include "nnfield/field/field_problem.hpp"
#include "nnfield/io/series_sink.hpp"

namespace nnfield {

class FieldRecorder {
 public:
  // With `energy_flow` (damped dynamics only) every row adds the per-site energy flow.
  FieldRecorder(SeriesSink& sink, FieldProblem& problem, TrainingDynamics& dynamics, bool energy_flow = false,
                double gamma = 0.0);
  void write_static(const ModelConfig& config);
  // One output row at time t for state x; returns the loss.
  double record(const State& x, double t, long steps);
  double last_energy() const { return m_last_energy; }
  // First time max|g - 1|/ax over the bulk lines exceeded 5x its initial value (SPEC 4.2), or < 0.
  double left_critical_regime_at() const { return m_left_at; }

 private:
  SeriesSink& m_sink;
  FieldProblem& m_problem;
  TrainingDynamics& m_dynamics;
  int m_time, m_step, m_loss, m_Z, m_response, m_phi, m_w, m_beta, m_w_in, m_b_in, m_gain, m_adjoint, m_total,
      m_kinetic, m_potential, m_dissipated, m_balance, m_max_gain;
  void record_energy_flow(const State& x);
  std::unique_ptr<FieldEnergyFlow> m_flow;
  double m_gamma = 0.0;
  int m_e_density = -1, m_e_decay = -1, m_e_rate = -1, m_e_flux = -1, m_e_exchange = -1, m_e_site = -1,
      m_e_interval = -1, m_e_layer = -1;
  std::vector<double> m_phi_buf, m_adj_buf, m_grad, m_gain_buf, m_row;
  double m_initial_gain = -1.0, m_left_at = -1.0, m_E0 = 0.0, m_last_energy = 0.0;
};

}  // namespace nnfield
