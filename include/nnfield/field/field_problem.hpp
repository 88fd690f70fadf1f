#pragma once
// A field-solver problem from a model file ([network], [continuum], [field], [dynamics]):
// the theory on its grid, the 1D boundary data, the initial parameters in BBD variables,
// and the stability verdict (docs/theory.md 4.3, 4.4). Shared by `nnfield run` on field models and
// `nnfield compare`.
#include <memory>
#include <vector>

#include "nnfield/config/config.hpp"
#include "nnfield/data/continuum_data.hpp"
#include "nnfield/data/data.hpp"
#include "nnfield/field/field_stability.hpp"
#include "nnfield/field/field_theory.hpp"

namespace nnfield {

// The largest initial output offset a field run accepts, as a fraction of the misfit it is
// to train away: beyond it the run would mostly be about the grid's initial error.
constexpr double kMaxOutputOffset = 0.1;
// What the automatic depth settings (field.q = 0, field.depth_substeps = 0) aim at: an initial
// output offset of at most 0.5% of the misfit (the output error at t_end then stays below
// about 1%: docs/performance.md, "Over eight data seeds").
constexpr double kTargetOutputOffset = 0.005;

struct FieldProblem {
  std::unique_ptr<FieldTheory> theory;
  // The continuum data set on the grid's width nodes, (P, ny) samples presented by the same
  // stream as the network's (same seed: same samples at the same times, same switches).
  std::unique_ptr<DataStream> data;
  // The sample presented at t = 0, on which the initial state is built: X (ny) on the
  // input line, Y on the output line, and phi(Lx) at t = 0.
  std::vector<double> X, Y, Z0;
  std::vector<double> q0, v0;    // initial parameters and (damped) velocities
  FieldStability stability;      // at t = 0 on the data's phi
  double misfit_scale = 1.0;     // ax in the weakly nonlinear scaling, else 1: response = (Z - Z0)/scale
  double initial_phi_error = 0.0;  // max |phi - phi_data| over the grid at t = 0 (refused above ax)
  // ||Z0 - phi_data(Lx)|| / ||Y - Z0||: the field's initial output offset from the data's
  // (the network's, which the BBD initialisation puts on the data) in units of the misfit
  // (refused above kMaxOutputOffset; NaN when Y = Z0).
  double initial_output_offset = 0.0;
};

// The theory's settings from [field] (depth_substeps = 0: from the stability check).
FieldSettings field_settings(const ModelConfig& config);

// What the automatic choices judge a candidate grid by: its sweep at t = 0 from the initial
// parameters q0 and input X, against the data's phi on the lines and, when misfit (ny: the
// target minus the data's phi(Lx) on the width nodes) is not empty, the output offset in
// units of the misfit.
struct AutomaticFieldInputs {
  const std::vector<double>& q0;
  const std::vector<double>& X;
  const std::vector<double>& phi_data;
  const std::vector<double>& misfit;
};

// The automatic choices of [field] (docs/field-limit.md section 6). A grid's initial error
// is good enough when max |phi - phi_data| <= 0.05 ax and the output offset is at most
// kTargetOutputOffset of the misfit; its badness is the larger of the two ratios.
//   depth_substeps = 0: from settings.depth_substeps (the stability check's recommendation),
//     doubled on a coarse grid (hx > 1.5 ax) while the error is not good enough and each
//     doubling cuts the badness by at least a quarter (at most 16 substeps);
//   q = 0: degree 5; degree 7 instead (on grids of >= 17 depth lines) when 5 is not good
//     enough and 7 (with its own substeps) cuts the badness by at least a quarter.
// Returns the theory built with the chosen settings.
std::unique_ptr<FieldTheory> theory_with_automatic_settings(const LatticeGeometry& lattice, Activation activation,
                                                            Loss loss, FieldSettings settings, bool automatic_q,
                                                            bool automatic_substeps, const AutomaticFieldInputs& in);

// Throws ConfigError when the model cannot be run as a field theory, and when the stability
// check refuses it (max Re lambda above stability_threshold), and when the grid is too coarse
// for M (the field's phi at t = 0 misses the data's by more than ax), unless field.allow_unstable.
// The stability check on `threads` threads (0: the default): the same problem for any count.
// shared_by_processes: every process of the program makes the same problem (a width-split
// run, run/field_split.hpp), and they divide the stability check among them.
FieldProblem make_field_problem(const ModelConfig& config, unsigned threads = 1, bool shared_by_processes = false);

// The sources' motion on the width nodes theory `t` holds (the network's sites at ry = 1;
// a split theory's block of them).
SourceMotion grid_source_motion(const ModelConfig& config, const FieldTheory& t);

}  // namespace nnfield
