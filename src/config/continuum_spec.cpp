// [continuum] strings as specs (include/nnfield/config/continuum_spec.hpp): parsing,
// the load-time checks and the fields they describe. Not a TOML user: it sees the
// resolved ModelConfig only.
#include "nnfield/config/continuum_spec.hpp"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <utility>
#include <stdexcept>

#include "nnfield/config/model_limits.hpp"
#include "nnfield/config/toml_quote.hpp"
#include "nnfield/numerics/rng.hpp"

namespace nnfield {

// The text every field of an array gets when the array is left empty.
std::string continuum_default_w(int k, int r) { return k == r ? "" : "random(0.05, 0.3)"; }
std::string continuum_default_w_in(int K) {
  // 1/K: the input link starts as a local average of X.
  char mean[32];
  std::snprintf(mean, sizeof mean, "%.17g", 1.0 / K);
  return std::string("random(0.05, ") + mean + ")";
}

const std::string& continuum_entry(const std::vector<std::string>& given, int k, const std::string& fallback) {
  return given.empty() ? fallback : given[std::size_t(k)];
}

bool is_blank(const std::string& s) {
  for (char ch : s)
    if (!std::isspace(static_cast<unsigned char>(ch))) return false;
  return true;
}

namespace {

// A constant argument of random(...): an expression without x or y, parsed with its
// columns shifted to where it sits in the whole text.
double constant_argument(const std::string& text, std::size_t begin, std::size_t end, const char* what) {
  const std::string arg = text.substr(begin, end - begin);
  Expression e;
  try {
    e = Expression::parse(arg);
  } catch (const ExpressionError& err) {
    std::string msg = err.what();
    msg = msg.substr(0, msg.rfind(" at column "));
    throw ExpressionError(std::string(what) + ": " + msg, int(begin) + err.column());
  }
  std::size_t lead = 0;
  while (lead < arg.size() && std::isspace(static_cast<unsigned char>(arg[lead]))) ++lead;
  if (e.depends_on('x') || e.depends_on('y') || e.depends_on('t'))
    throw ExpressionError(std::string(what) + " must be a number, not a function of x, y, t", int(begin + lead) + 1);
  const double v = e(0.0, 0.0);
  if (!std::isfinite(v)) throw ExpressionError(std::string(what) + " is not finite", int(begin + lead) + 1);
  return v;
}

}  // namespace

ContinuumSpec parse_continuum_spec(const std::string& text) {
  ContinuumSpec spec;
  std::size_t i = 0;
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  const std::size_t start = i;
  if (text.compare(start, 6, "random") != 0 ||
      (start + 6 < text.size() && (std::isalnum(static_cast<unsigned char>(text[start + 6])) || text[start + 6] == '_'))) {
    spec.expression = Expression::parse(text);  // an expression of x, y
    return spec;
  }
  // random(RMS) or random(RMS, MEAN): a seeded smooth random field.
  i = start + 6;
  while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  if (i >= text.size() || text[i] != '(')
    throw ExpressionError("expected random(RMS) or random(RMS, MEAN)", int(i) + 1);
  const std::size_t open = i;
  std::vector<std::size_t> commas;
  int depth = 0;
  std::size_t close = std::string::npos;
  for (std::size_t j = open + 1; j < text.size() && close == std::string::npos; ++j) {
    if (text[j] == '(') ++depth;
    if (text[j] == ')' && depth-- == 0) close = j;
    if (text[j] == ',' && depth == 0) commas.push_back(j);
  }
  if (close == std::string::npos)
    throw ExpressionError("unexpected end: '(' at column " + std::to_string(open + 1) + " is not closed",
                          int(text.size()) + 1);
  for (std::size_t j = close + 1; j < text.size(); ++j)
    if (!std::isspace(static_cast<unsigned char>(text[j])))
      throw ExpressionError("unexpected '" + text.substr(j, 1) + "' after random(...): a random field is the whole spec",
                            int(j) + 1);
  if (commas.size() > 1)
    throw ExpressionError("random takes 1 or 2 arguments (RMS, MEAN), got " + std::to_string(commas.size() + 1),
                          int(commas[1]) + 1);
  const std::size_t rms_end = commas.empty() ? close : commas[0];
  spec.random = true;
  spec.rms = constant_argument(text, open + 1, rms_end, "RMS");
  if (spec.rms < 0) throw ExpressionError("RMS must be >= 0", int(open) + 2);
  if (!commas.empty()) spec.mean = constant_argument(text, commas[0] + 1, close, "MEAN");
  return spec;
}

SmoothField continuum_field(const ContinuumSpec& spec, const ModelConfig& config, const std::string& name) {
  const double Lx = config.network.Lx, Ly = config.network.Ly;
  if (spec.random) {
    Rng rng(derive_seed(config.seed, "continuum." + name));
    SmoothField f = SmoothField::random(Lx, Ly, config.continuum.cutoff_x, config.continuum.cutoff_y, spec.rms, rng);
    f.set_mean(spec.mean);
    return f;
  }
  SmoothField f(Lx, Ly);
  f.set_expression(spec.expression);
  return f;
}

bool continuum_key_may_move(const std::string& key) {
  return key == "continuum.X" || key == "continuum.Y" || key == "continuum.misfit";
}

namespace {

bool moves(const std::string& text) {
  try {
    const ContinuumSpec spec = parse_continuum_spec(text);
    return !spec.random && spec.expression.depends_on('t');
  } catch (const ExpressionError&) {
    return false;
  }
}

}  // namespace

bool continuum_source_moves(const ContinuumConfig& c) {
  return moves(c.X) || (is_blank(c.Y) ? moves(c.misfit) : moves(c.Y));
}

std::optional<ContinuumProblem> continuum_problem(const ContinuumConfig& c, int r) {
  const int K = 2 * r + 1;
  auto check = [](const std::string& key, const std::string& text) -> std::optional<ContinuumProblem> {
    if (is_blank(text)) return ContinuumProblem{key, key + " is empty: give an expression of x, y or random(RMS[, MEAN])"};
    ContinuumSpec spec;
    try {
      spec = parse_continuum_spec(text);
    } catch (const ExpressionError& e) {
      return ContinuumProblem{key, key + " = " + toml_quote(detail::shortened_name(text)) + ": " + e.what()};
    }
    // Only the sources move (data/source_motion.hpp); the bulk's fields are data-independent.
    if (!spec.random && spec.expression.depends_on('t') && !continuum_key_may_move(key))
      return ContinuumProblem{key, key + " = " + toml_quote(detail::shortened_name(text)) +
                                       ": only the sources continuum.X, Y and misfit may depend on the time t"};
    return std::nullopt;
  };
  auto length = [K, r](const std::string& key, const std::vector<std::string>& v) -> std::optional<ContinuumProblem> {
    if (v.empty() || v.size() == std::size_t(K)) return std::nullopt;
    return ContinuumProblem{key, key + " has " + std::to_string(v.size()) + " entries, expected K = 2r+1 = " +
                                     std::to_string(K) + " (offsets -" + std::to_string(r) + ".." +
                                     std::to_string(r) + ") or none"};
  };
  using Scalar = std::pair<const char*, const std::string*>;
  const Scalar scalars[] = {{"continuum.phi", &c.phi},
                            {"continuum.c", &c.c},
                            {"continuum.X", &c.X},
                            {"continuum.misfit", &c.misfit},
                            {"continuum.phi_dot", &c.phi_dot},
                            {"continuum.dX", &c.dX}};
  for (const auto& [key, text] : scalars)
    if (auto p = check(key, *text)) return p;
  if (!is_blank(c.Y))
    if (auto p = check("continuum.Y", c.Y)) return p;
  if (auto p = length("continuum.w", c.w)) return p;
  for (std::size_t k = 0; k < c.w.size(); ++k) {
    const std::string key = "continuum.w[" + std::to_string(k) + "]";
    if (int(k) == r) {
      if (!is_blank(c.w[k]))
        return ContinuumProblem{key, key + " = " + toml_quote(c.w[k]) +
                                         ": the offset-0 weight w_0 is derived from the critical gain "
                                         "g = 1 + ax c (docs/theory.md 4.1); give \"\""};
    } else if (auto p = check(key, c.w[k])) {
      return p;
    }
  }
  using Array = std::pair<const char*, const std::vector<std::string>*>;
  const Array arrays[] = {{"continuum.w_in", &c.w_in}, {"continuum.w_dot", &c.w_dot}};
  for (const auto& [name, v] : arrays) {
    if (auto p = length(name, *v)) return p;
    for (std::size_t k = 0; k < v->size(); ++k)
      if (auto p = check(std::string(name) + "[" + std::to_string(k) + "]", (*v)[k])) return p;
  }
  return std::nullopt;
}

}  // namespace nnfield
