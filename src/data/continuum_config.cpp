// [continuum] specs -> the continuum data and boundary of a model
// (include/nnfield/data/continuum_config.hpp).
#include "nnfield/data/continuum_config.hpp"

#include "nnfield/config/continuum_spec.hpp"

namespace nnfield {

namespace {

// The spec of `key`, or a ConfigError naming the file and the key.
SmoothField field_of(const ModelConfig& config, const std::string& name, const std::string& text) {
  try {
    return continuum_field(parse_continuum_spec(text), config, name);
  } catch (const ExpressionError& e) {
    throw ConfigError(config.source_path + ": continuum." + name + ": " + e.what());
  }
}

}  // namespace

ContinuumData continuum_data_from_config(const ModelConfig& config) {
  const ContinuumConfig& c = config.continuum;
  const int r = config.network.shape.r, K = 2 * r + 1;
  ContinuumData d(config.network.Lx, config.network.Ly, r, config.network.activation);
  d.phi = field_of(config, "phi", c.phi);
  d.c = field_of(config, "c", c.c);
  d.X = field_of(config, "X", c.X);
  for (int k = 0; k < K; ++k) {
    const std::string idx = "[" + std::to_string(k) + "]";
    if (k != r) d.w[std::size_t(k)] = field_of(config, "w" + idx, continuum_entry(c.w, k, continuum_default_w(k, r)));
    d.w_in[std::size_t(k)] = field_of(config, "w_in" + idx, continuum_entry(c.w_in, k, continuum_default_w_in(K)));
  }
  return d;
}

ContinuumBoundary continuum_boundary_from_config(const ModelConfig& config) {
  const ContinuumConfig& c = config.continuum;
  const int K = config.network.shape.K();
  ContinuumBoundary b;
  b.target_given = !is_blank(c.Y);
  if (b.target_given) b.Y = field_of(config, "Y", c.Y);
  b.misfit = field_of(config, "misfit", c.misfit);
  b.misfit_depth_scaled = c.misfit_scaling == MisfitScaling::depth;
  b.phi_dot = field_of(config, "phi_dot", c.phi_dot);
  for (int k = 0; k < K; ++k)
    b.w_dot.push_back(field_of(config, "w_dot[" + std::to_string(k) + "]", continuum_entry(c.w_dot, k, "0")));
  return b;
}

namespace {

// One sample's target on n width nodes: Y(Lx, y_i) given, else Z0_i + scale * misfit(Lx, y_i).
void target_row(bool given, bool depth_scaled, const SmoothField& f, const double* Z0, int n, double Lx, double Ly,
                double ax, double* Y) {
  const double scale = depth_scaled ? ax : 1.0;
  for (int i = 0; i < n; ++i) {
    const double y = i * Ly / n;
    Y[i] = given ? f(Lx, y) : Z0[i] + scale * f(Lx, y);
  }
}

}  // namespace

std::vector<double> continuum_target(const ContinuumBoundary& b, const double* Z0, int n, double Lx, double Ly,
                                     double ax) {
  std::vector<double> Y(static_cast<std::size_t>(n));
  target_row(b.target_given, b.misfit_depth_scaled, b.target_given ? b.Y : b.misfit, Z0, n, Lx, Ly, ax, Y.data());
  return Y;
}

ContinuumDataSet continuum_data_set_from_config(const ModelConfig& config) {
  const ContinuumConfig& c = config.continuum;
  ContinuumDataSet set;
  set.P = c.samples;
  set.target_given = !is_blank(c.Y);
  set.depth_scaled = c.misfit_scaling == MisfitScaling::depth;
  const std::string& target = set.target_given ? c.Y : c.misfit;
  const std::string target_name = set.target_given ? "Y" : "misfit";
  // Sample 0 draws from the names of the single pair, so one sample is that pair exactly.
  set.X.push_back(field_of(config, "X", c.X));
  set.target.push_back(field_of(config, target_name, target));
  for (int s = 1; s < set.P; ++s) {
    const std::string tag = "#" + std::to_string(s);
    set.X.push_back(field_of(config, "dX" + tag, c.dX));
    set.target.push_back(field_of(config, target_name + tag, target));
  }
  return set;
}

SourceMotion continuum_source_motion(const ModelConfig& config, std::vector<double> y, double ax) {
  const ContinuumConfig& c = config.continuum;
  const bool target_given = !is_blank(c.Y);
  const std::string& target = target_given ? c.Y : c.misfit;
  // A random(...) field, or an expression without t, does not move.
  const auto moving = [&](const std::string& key, const std::string& text) {
    try {
      const ContinuumSpec spec = parse_continuum_spec(text);
      return spec.random ? Expression() : spec.expression;
    } catch (const ExpressionError& e) {
      throw ConfigError(config.source_path + ": continuum." + key + ": " + e.what());
    }
  };
  const double scale = c.misfit_scaling == MisfitScaling::depth ? ax : 1.0;
  return SourceMotion(moving("X", c.X), moving(target_given ? "Y" : "misfit", target), scale,
                      target_given ? 1.0 : scale, config.network.Lx, std::move(y));
}

SourceMotion lattice_source_motion(const ModelConfig& config) {
  if (config.data.source != DataSource::continuum) return {};
  const NetworkShape& s = config.network.shape;
  std::vector<double> y(std::size_t(s.N));
  for (int i = 0; i < s.N; ++i) y[std::size_t(i)] = i * config.network.Ly / s.N;
  return continuum_source_motion(config, std::move(y), config.network.Lx / s.M);
}

std::vector<double> ContinuumDataSet::inputs(const std::vector<double>& y, double ax) const {
  const std::size_t n = y.size();
  const double scale = depth_scaled ? ax : 1.0;
  std::vector<double> out(std::size_t(P) * n);
  for (std::size_t i = 0; i < n; ++i) out[i] = X[0](0.0, y[i]);
  for (int s = 1; s < P; ++s)
    for (std::size_t i = 0; i < n; ++i) out[std::size_t(s) * n + i] = out[i] + scale * X[std::size_t(s)](0.0, y[i]);
  return out;
}

std::vector<double> ContinuumDataSet::targets(const double* Z0, int n, double Lx, double Ly, double ax) const {
  std::vector<double> out(std::size_t(P) * std::size_t(n));
  for (int s = 0; s < P; ++s)
    target_row(target_given, depth_scaled, target[std::size_t(s)], Z0 + std::size_t(s) * n, n, Lx, Ly, ax,
               out.data() + std::size_t(s) * n);
  return out;
}

}  // namespace nnfield
