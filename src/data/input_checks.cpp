// check_model_inputs (include/nnfield/data/input_checks.hpp).
#include "nnfield/data/input_checks.hpp"

#include <cmath>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "nnfield/config/continuum_spec.hpp"
#include "nnfield/config/model_limits.hpp"
#include "nnfield/config/toml_quote.hpp"
#include "nnfield/io/h5io.hpp"

namespace nnfield {
namespace {

// Which lines of the lattice a field is read on: everywhere, or only x = 0 or x = Lx.
enum class Where { everywhere, input_line, output_line };

struct NamedField {
  std::string key;
  const std::string* text;
  Where where;
};

bool uses_continuum(const ModelConfig& c) {
  return c.continuum.present || c.field.present || c.init.kind == InitKind::continuum ||
         c.init.velocity == InitVelocity::continuum || c.data.source == DataSource::continuum;
}

std::vector<NamedField> continuum_fields(const ContinuumConfig& c) {
  std::vector<NamedField> out{{"continuum.phi", &c.phi, Where::everywhere},
                              {"continuum.c", &c.c, Where::everywhere},
                              {"continuum.X", &c.X, Where::input_line},
                              {"continuum.dX", &c.dX, Where::input_line},
                              {"continuum.Y", &c.Y, Where::output_line},
                              {"continuum.misfit", &c.misfit, Where::output_line},
                              {"continuum.phi_dot", &c.phi_dot, Where::everywhere}};
  const std::pair<const char*, const std::vector<std::string>*> arrays[] = {
      {"continuum.w", &c.w}, {"continuum.w_in", &c.w_in}, {"continuum.w_dot", &c.w_dot}};
  for (const auto& [name, v] : arrays)
    for (std::size_t k = 0; k < v->size(); ++k)
      out.push_back({std::string(name) + "[" + std::to_string(k) + "]", &(*v)[k],
                     std::string(name) == "continuum.w_in" ? Where::input_line : Where::everywhere});
  return out;
}

}  // namespace

// Every expression of [continuum] at the network's sites (x = m ax, y = i ay): a value
// that is not finite there (log(-1), 1/0, exp(1000)) would blow the run up at its first
// step, so it is refused now, with the point.
void check_continuum_values(const ModelConfig& config) {
  if (!uses_continuum(config)) return;
  const NetworkShape& s = config.network.shape;
  const double Lx = config.network.Lx, Ly = config.network.Ly;
  for (const NamedField& f : continuum_fields(config.continuum)) {
    if (is_blank(*f.text)) continue;
    const ContinuumSpec spec = parse_continuum_spec(*f.text);  // parsed at load time already
    if (spec.random) continue;                                 // finite by construction
    const int first = f.where == Where::output_line ? s.M : 0;
    const int last = f.where == Where::input_line ? 0 : s.M;
    for (int m = first; m <= last; ++m)
      for (int i = 0; i < s.N; ++i) {
        const double x = Lx * m / s.M, y = Ly * i / s.N, v = spec.expression(x, y);
        if (std::isfinite(v)) continue;
        char at[160];
        std::snprintf(at, sizeof at, "%s at x = %.6g, y = %.6g (site m = %d, i = %d)",
                      std::isnan(v) ? "nan" : v > 0 ? "inf" : "-inf", x, y, m, i);
        throw ConfigError(config.source_path + ": error: " + f.key + " = " + toml_quote(detail::shortened_name(*f.text)) +
                          " is not finite: " + at + " (key '" + f.key + "')");
      }
  }
}

void check_input_files(const ModelConfig& config) {
  const InitConfig& init = config.init;
  if (init.kind == InitKind::file || init.velocity == InitVelocity::file) {
    try {
      read_initial_state(init.file, config.network.shape);
    } catch (const H5Error& e) {
      throw ConfigError(config.source_path + ": init.file: " + e.what());
    }
  }
  if (config.data.source == DataSource::file) {
    try {
      read_data_file(config.data.file, config.network.shape.N);
    } catch (const H5Error& e) {
      throw ConfigError(config.source_path + ": data.file: " + e.what());
    }
  }
}

void check_model_inputs(const ModelConfig& config) {
  check_input_files(config);
  check_continuum_values(config);
}

}  // namespace nnfield
