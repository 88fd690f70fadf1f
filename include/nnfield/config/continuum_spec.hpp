#pragma once
// The [continuum] section of a model file as field specs: every string is an expression
// of (x, y) (expression.hpp) or a seeded smooth random field "random(RMS)" /
// "random(RMS, MEAN)" (SmoothField::random with cutoffs continuum.cutoff_x, cutoff_y). A
// random field draws from its own sub-stream derive_seed(run.seed, "continuum.<name>"), so
// the same file gives the same fields at every (M, N), and changing one field's spec never
// changes another's numbers. data/continuum_config.hpp builds the model's data from them.
#include <optional>
#include <string>
#include <vector>

#include "nnfield/config/config.hpp"
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

// The text of array entry k: the given one, or the default of an empty array (w: the
// offset-0 entry "" and "random(0.05, 0.3)" elsewhere; w_in: "random(0.05, 1/K)").
std::string continuum_default_w(int k, int r);
std::string continuum_default_w_in(int K);
const std::string& continuum_entry(const std::vector<std::string>& given, int k, const std::string& fallback);
bool is_blank(const std::string& s);  // only white space: a key left unset

// The [continuum] keys that may move in time (data/source_motion.hpp): the sources.
bool continuum_key_may_move(const std::string& key);  // "continuum.X", "continuum.Y", "continuum.misfit"
// Whether the data's sources move: continuum.X or the target (Y, or else misfit) is an
// expression of t. False for texts that do not parse (continuum_problem reports those).
bool continuum_source_moves(const ContinuumConfig& continuum);

}  // namespace nnfield
