#pragma once
// The continuum data and boundary of a model file, built from its [continuum] specs
// (config/continuum_spec.hpp).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "nnfield/config/config.hpp"
#include "nnfield/config/continuum_spec.hpp"
#include "nnfield/data/continuum_data.hpp"
#include "nnfield/data/source_motion.hpp"
#include "nnfield/numerics/smooth_field.hpp"

namespace nnfield {

// Builds the continuum data (include/nnfield/data/continuum_data.hpp) of a model file: every spec parsed (Expression or random(...)), random fields seeded from config.seed with an independent sub-stream per field name (see include/nnfield/numerics/rng.hpp for how streams are derived elsewhere), so the same file gives the same fields at every (M, N).
ContinuumData continuum_data_from_config(const ModelConfig& config);   // throws ConfigError naming the file and key, e.g. "model.toml: continuum.phi: unknown function 'sinn' at column 5"

// The target and velocities, which ContinuumData does not hold.
struct ContinuumBoundary {
  SmoothField Y{1.0, 1.0};       // target_given: Y(Lx, y)
  SmoothField misfit{1.0, 1.0};  // otherwise: Y = Z0 + scale * misfit(Lx, y)
  bool target_given = false;
  bool misfit_depth_scaled = true;  // scale = ax (misfit_scaling = "depth") or 1 ("none")
  SmoothField phi_dot{1.0, 1.0};    // z'^(m)_i = phi_dot(m ax, i ay)
  std::vector<SmoothField> w_dot;   // K fields, offset k - r: W'[m,i,k] = w_dot_k((m+1) ax, i ay)
};
ContinuumBoundary continuum_boundary_from_config(const ModelConfig& config);  // throws ConfigError like the above

// Y on the width lattice/grid of n points for a model whose own initial output is Z0 (n values) and depth spacing ax: Y given -> Y(Lx, y_i); else Z0_i + scale * misfit(Lx, y_i) with scale = ax or 1.
std::vector<double> continuum_target(const ContinuumBoundary& b, const double* Z0, int n, double Lx, double Ly, double ax);

// The continuum data set of continuum.samples = P samples, smooth in width, for a lattice
// or a field grid alike (docs/field-limit.md section 10). Sample 0 is the pair above: X and
// the target of ContinuumBoundary. Sample s >= 1 has the input
//
//   X_s(y) = X(0, y) + scale * dX_s(0, y),   scale = ax (misfit_scaling = "depth") or 1,
//
// and the target Y_s = Z0_s + scale * misfit_s (or Y_s given), Z0_s the model's own initial
// output on X_s. A random(...) spec of dX, misfit or Y draws sample s's field from its own
// sub-stream (derive_seed(run.seed, "continuum.<name>#s")), an expression is shared by
// the samples. The scale is what keeps a limit: the layer maps are near-identity only
// linearly about the data's phi, so samples may differ by O(ax) (as the misfit does),
// not O(1) (docs/theory.md 4.2).
struct ContinuumDataSet {
  int P = 1;
  bool target_given = false, depth_scaled = true;
  std::vector<SmoothField> X;       // P fields: X for sample 0, dX_s for s >= 1
  std::vector<SmoothField> target;  // P fields: Y_s (target_given) or misfit_s

  // The inputs on width nodes y (n values) at depth spacing ax: (P, n), row s = X_s(y).
  std::vector<double> inputs(const std::vector<double>& y, double ax) const;
  // The targets on n width nodes y_i = i Ly / n given the initial outputs Z0 (P, n): (P, n).
  std::vector<double> targets(const double* Z0, int n, double Lx, double Ly, double ax) const;
};
ContinuumDataSet continuum_data_set_from_config(const ModelConfig& config);  // throws ConfigError like the above

// The motion of the sources (source_motion.hpp) on width nodes y at depth spacing ax:
// continuum.X and the target (continuum.Y, or else continuum.misfit) where they are
// expressions of t; none when neither is.
SourceMotion continuum_source_motion(const ModelConfig& config, std::vector<double> y, double ax);
// The same on a network's lattice (sites i ay, spacing ax = Lx/M) for data.source =
// "continuum"; none for every other source.
SourceMotion lattice_source_motion(const ModelConfig& config);

}  // namespace nnfield
