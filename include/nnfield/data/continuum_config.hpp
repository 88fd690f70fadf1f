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

}  // namespace nnfield
