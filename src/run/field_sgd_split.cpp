// Field SGD split along the width over processes (src/run/field_split.hpp; docs/cluster.md,
// "Field runs split along the width").
//
// Every process builds the whole problem as one process does, then a FieldTheory of its
// block of width nodes with the same settings, and steps its block of the parameters with
// the SGD loop (run_sgd.hpp): the batch's sweeps are the field flow's (ghosts or gathered
// rows, the loss chained through the blocks), and the step q <- q - eta m^-1 dL/dq is per
// parameter. At output rows the first sample's neurons and adjoint and the parameters are
// gathered on process 0, whose observers measure them as one process's do; checkpoints take
// the parameters in pieces and a resumed process reads its block.
#include <memory>
#include <vector>

#include "nnfield/numerics/processes.hpp"
#include "nnfield/observe/field_output.hpp"
#include "run/field_split.hpp"
#include "run/run_sgd.hpp"
#include "run/split_flow.hpp"
#include "run/width_blocks.hpp"

namespace nnfield {

namespace {

class FieldBlocks final : public SplitLattice {
 public:
  explicit FieldBlocks(const FieldProblem& problem)
      : m_whole(*problem.theory),
        m_theory(m_whole.lattice(), m_whole.activation(), m_whole.loss(), m_whole.settings(), /*split_width=*/true),
        m_columns(m_theory.halo().block()),
        m_arrays{{1, m_theory.K()}, {1, 1}, {m_theory.nx(), m_theory.K()}, {m_theory.nx(), 1}},  // w_in, b_in, w, beta
        m_samples(block_samples(problem, m_columns)),
        m_sweeps(m_theory, 1),
        m_q(block_of(problem.q0.data(), m_columns.N, m_arrays, m_columns)),
        m_split(state_split(m_columns.N, m_arrays, m_columns, m_q.size(), m_whole.num_params(), false, 0)),
        m_grad(m_q.size()),
        m_phi(std::size_t(m_theory.nx()) * std::size_t(m_columns.width)),
        m_adjoint(m_phi.size()) {}

  std::vector<double>& q() override { return m_q; }
  std::vector<ValueRange> held() const override { return block_ranges(m_columns.N, m_arrays, m_columns); }
  double gradient(const std::vector<int>& batch, std::vector<double>& grad) override {
    m_batch = batch;
    return field_sgd_gradient(m_sweeps, m_theory.mass(), m_samples, m_q.data(), batch, grad.data());
  }
  void whole_in_pieces(const ValuePiece& piece) override { m_split.in_pieces(m_q, piece); }
  std::size_t whole_size() const override { return m_whole.num_params(); }
  void snapshot(Snapshot& s) override;

 private:
  const FieldTheory& m_whole;
  FieldTheory m_theory;
  WidthBlock m_columns;
  std::vector<ColumnArray> m_arrays;
  Samples m_samples;
  SampleSweeps m_sweeps;
  std::vector<double> m_q;
  StateSplit m_split;
  std::vector<double> m_grad, m_phi, m_adjoint, m_whole_q, m_whole_phi, m_whole_adjoint;
  std::vector<int> m_batch;
};

// Collective: the first sample of the last batch swept on the blocks (as one process records
// it), its neurons and adjoint and the parameters gathered on process 0.
void FieldBlocks::snapshot(Snapshot& s) {
  const int j = m_batch.front();
  m_theory.gradient(m_q.data(), m_samples.x(j), m_samples.y(j), m_grad.data(), m_phi.data(), m_adjoint.data());
  const std::vector<ColumnArray> lines{{m_theory.nx(), 1}};
  gather_blocks(m_phi, m_columns.N, lines, m_whole_phi);
  gather_blocks(m_adjoint, m_columns.N, lines, m_whole_adjoint);
  gather_blocks(m_q, m_columns.N, m_arrays, m_whole_q);
  if (!processes::is_root()) return;
  s.q = m_whole_q.data();
  s.W = s.q + m_whole.w_offset();
  s.b = s.q + m_whole.beta_offset();
  s.neurons = m_whole_phi.data();
  s.adjoint = m_whole_adjoint.data();
  s.lines = m_whole.nx();
  s.width = m_whole.ny();
}

}  // namespace

RunResult run_field_sgd_split(const ModelConfig& config, const RunOptions& options, FieldProblem& problem) {
  FieldBlocks lattice(problem);
  // Process 0 records, reading its block of a checkpoint's parameters (as every process).
  RunOptions quiet = options;
  quiet.progress = "off";
  std::unique_ptr<RunRecording> recording =
      field_split_recording(config, options, problem, sgd_checkpoint_ranges(lattice));
  RunResult result =
      run_sgd(config, recording ? options : quiet, lattice, problem.data->samples().S, recording.get());
  if (recording) recording->finish(result);
  processes::shared_work_finished();
  return result;
}

}  // namespace nnfield
