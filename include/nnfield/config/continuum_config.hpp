#pragma once
// The [continuum] section of a model file turned into fields: every string is an
// expression of (x, y) (expression.hpp) or a seeded smooth random field
// "random(RMS)" / "random(RMS, MEAN)" (SmoothField::random with cutoffs continuum.cutoff_x,
// cutoff_y). A random field draws from its own sub-stream derive_seed(run.seed,
// "continuum.<name>"), so the same file gives the same fields at every (M, N), and
// changing one field's spec never changes another's numbers.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "nnfield/config/config.hpp"
#include "nnfield/data/continuum_data.hpp"
#include "nnfield/numerics/expression.hpp"
#include "nnfield/numerics/smooth_field.hpp"

namespace nnfield {

// One parsed field spec.
struct ContinuumSpec {
  bool random = false;
  double rms = 0.0, mean = 0.0;  // random(RMS[, MEAN]); RMS, MEAN constant expressions ("1/3")
  Expression expression;         // otherwise
};

// Throws ExpressionError with the column in `text` ("random(-1)": "RMS must be >= 0 at column 8").
ContinuumSpec parse_continuum_spec(const std::string& text);

// The field of a spec on [0, Lx] x [0, Ly); `name` ("phi", "w[0]") selects the random sub-stream.
SmoothField continuum_field(const ContinuumSpec& spec, const ModelConfig& config, const std::string& name);

// The first problem with the [continuum] strings, for the load-time checks: the key
// ("continuum.phi", "continuum.w[1]" for an array entry) and what is wrong, with the
// column inside the string. The default texts of empty arrays are valid by construction.
struct ContinuumProblem {
  std::string key;
  std::string what;
};
std::optional<ContinuumProblem> continuum_problem(const ContinuumConfig& continuum, int r);

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
