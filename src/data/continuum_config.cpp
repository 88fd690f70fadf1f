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

std::vector<double> continuum_target(const ContinuumBoundary& b, const double* Z0, int n, double Lx, double Ly,
                                     double ax) {
  std::vector<double> Y(static_cast<std::size_t>(n));
  const double scale = b.misfit_depth_scaled ? ax : 1.0;
  for (int i = 0; i < n; ++i) {
    const double y = i * Ly / n;
    Y[std::size_t(i)] = b.target_given ? b.Y(Lx, y) : Z0[i] + scale * b.misfit(Lx, y);
  }
  return Y;
}

}  // namespace nnfield
