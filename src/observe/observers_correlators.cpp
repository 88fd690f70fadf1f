// Correlators measured during a run: `[observe] correlators = [...]` of the field
// `observe.field`, every `observe.every` in time, written to /correlators/<name>.
// Full correlators (no mean subtracted): with /correlators/layer_mean the connected
// ones follow, C_conn(m, m', d) = C(m, m', d) - mean_m mean_m' (docs/correlators.md).
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "nnfield/correlators/correlator_set.hpp"
#include "nnfield/data/data.hpp"
#include "nnfield/observe/observer.hpp"

namespace nnfield {

namespace {

class CorrelatorObserver final : public Observer {
 public:
  CorrelatorObserver(const ModelConfig& config, int lines, int width, int K, const std::vector<double>& input)
      : m_lines(std::size_t(lines)),
        m_width(std::size_t(width)),
        m_K(std::size_t(K)),
        m_field(config.observe.field),
        m_every(config.observe.every),
        m_set(config.observe.correlators, m_field == ObservedField::w ? m_K : 1, m_lines, m_width,
              MeanSubtraction::none, input.empty() ? nullptr : input.data()),
        m_values(m_set.outputs().size()) {}

  void declare(SeriesSink& w) override {
    m_time = w.add_series("/correlators/time", {}, "T", "time t of each correlator row (every observe.every)",
                          time_values());
    for (const CorrelatorOutput& o : m_set.outputs())
      m_ids.push_back(w.add_series("/correlators/" + o.name, o.row_shape, "T," + o.index_order,
                                   o.description + "; field " + name(m_field)));
    w.set_root_attribute("correlators_field", name(m_field));
    w.set_root_attribute("correlators_mean_subtracted", mean_subtraction_name(m_set.subtraction()));
  }

  void observe(const Snapshot& s, SeriesSink& w) override {
    if (!due(s.t)) return;
    const std::size_t M = m_lines, N = m_width, K = m_K;
    const double* field = m_field == ObservedField::phi ? s.neurons : s.b;
    if (m_field == ObservedField::w) {
      // W[m, i, k] -> w_k[m, i]: one (M, N) field per weight index k.
      m_components.resize(K * M * N);
      for (std::size_t j = 0; j < M * N; ++j)
        for (std::size_t k = 0; k < K; ++k) m_components[k * M * N + j] = s.W[j * K + k];
      field = m_components.data();
    }
    m_set.evaluate(field, 1, M * N, m_values);
    w.append(m_time, &s.t);
    for (std::size_t j = 0; j < m_ids.size(); ++j) w.append(m_ids[j], m_values[j].data());
  }

 private:
  // observe.every = 0: every output row; otherwise rows whose time is a multiple of it.
  bool due(double t) const {
    if (m_every <= 0.0) return true;
    const double k = t / m_every;
    return std::fabs(k - std::round(k)) < 1e-6;
  }

  std::size_t m_lines, m_width, m_K;  // the lattice's lines, width and fan-in
  ObservedField m_field;
  double m_every;
  CorrelatorSet m_set;
  std::vector<std::vector<double>> m_values;
  std::vector<double> m_components;
  int m_time = -1;
  std::vector<int> m_ids;
};

}  // namespace

std::vector<double> correlator_input(const ModelConfig& config, const Samples* given) {
  const std::vector<Correlator>& wanted = config.observe.correlators;
  if (std::find(wanted.begin(), wanted.end(), Correlator::input) == wanted.end()) return {};
  const Samples samples = given ? *given : make_samples(config);
  std::string why;
  const int s = recorded_input_sample(config, samples.S, &why);
  if (s < 0)
    throw ConfigError(config.source_path + ": observe.correlators = \"input\" needs the input of the recorded "
                      "neurons, but " + why + "; use data.presentation = \"fixed\" or \"full_batch\"");
  return std::vector<double>(samples.x(s), samples.x(s) + samples.N);
}

std::unique_ptr<Observer> make_correlator_observer(const ModelConfig& config, int lines, int width, int K,
                                                   const std::vector<double>& input) {
  if (config.observe.correlators.empty()) return nullptr;
  return std::make_unique<CorrelatorObserver>(config, lines, width, K, input);
}

}  // namespace nnfield
