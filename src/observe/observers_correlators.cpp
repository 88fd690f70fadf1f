// Correlators measured during a run: `[observe] correlators = [...]` of the field
// `observe.field`, every `observe.every` in time, written to /correlators/<name>.
// Full correlators (no mean subtracted): with /correlators/layer_mean the connected
// ones follow, C_conn(m, m', d) = C(m, m', d) - mean_m mean_m' (docs/correlators.md).
// With observe.autocorrelation, the time autocorrelations of the layer means and of the
// loss over the same rows, written when the run completes (/autocorrelation/*).
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "nnfield/correlators/correlator_set.hpp"
#include "nnfield/correlators/time_autocorrelations.hpp"
#include "nnfield/data/data.hpp"
#include "nnfield/observe/observer.hpp"

namespace nnfield {

namespace {

// observe.every = 0: every output row; otherwise rows whose time is a multiple of it.
bool due(double t, double every) {
  if (every <= 0.0) return true;
  const double k = t / every;
  return std::fabs(k - std::round(k)) < 1e-6;
}

// The observed field of a snapshot as `components` consecutive (M, N) arrays: the neurons,
// the biases, or the weights W[m, i, k] -> w_k[m, i] (one field per weight index k, in `buffer`).
const double* observed_field(const Snapshot& s, ObservedField field, std::size_t MN, std::size_t K,
                             std::vector<double>& buffer) {
  if (field == ObservedField::phi) return s.neurons;
  if (field == ObservedField::b) return s.b;
  buffer.resize(K * MN);
  for (std::size_t j = 0; j < MN; ++j)
    for (std::size_t k = 0; k < K; ++k) buffer[k * MN + j] = s.W[j * K + k];
  return buffer.data();
}

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
    if (!due(s.t, m_every)) return;
    const std::size_t MN = m_lines * m_width;
    m_set.evaluate(observed_field(s, m_field, MN, m_K, m_components), 1, MN, m_values);
    w.append(m_time, &s.t);
    for (std::size_t j = 0; j < m_ids.size(); ++j) w.append(m_ids[j], m_values[j].data());
  }

 private:
  std::size_t m_lines, m_width, m_K;  // the lattice's lines, width and fan-in
  ObservedField m_field;
  double m_every;
  CorrelatorSet m_set;
  std::vector<std::vector<double>> m_values;
  std::vector<double> m_components;
  int m_time = -1;
  std::vector<int> m_ids;
};

// The layer means (as /correlators/layer_mean: CorrelatorSet's) and the loss at every row
// due, kept until the run completes; then rho(tau) and tau_int of both, as `nnfield
// correlate` computes them from the written rows (time_autocorrelations.hpp).
class TimeAutocorrelationObserver final : public Observer {
 public:
  TimeAutocorrelationObserver(const ModelConfig& config, int lines, int width, int K)
      : m_lines(std::size_t(lines)),
        m_width(std::size_t(width)),
        m_K(std::size_t(K)),
        m_field(config.observe.field),
        m_every(config.observe.every),
        m_components_count(m_field == ObservedField::w ? m_K : 1),
        m_set({}, m_components_count, m_lines, m_width, MeanSubtraction::none) {}

  void declare(SeriesSink& w) override { w.declare_final_group("/autocorrelation"); }

  void observe(const Snapshot& s, SeriesSink&) override {
    if (!due(s.t, m_every)) return;
    const std::size_t MN = m_lines * m_width;
    m_set.evaluate(observed_field(s, m_field, MN, m_K, m_components), 1, MN, m_values);
    const std::vector<double>& means = m_values.at(0);  // the set's only output: layer_mean (C, M)
    m_means.insert(m_means.end(), means.begin(), means.end());
    m_loss.push_back(s.loss);
  }

  void finish(SeriesSink& w) override {
    const std::size_t T = m_loss.size();
    if (T == 0) return;
    for (const NamedArray& a : time_autocorrelation_arrays(m_means, m_loss, T, m_components_count, m_lines))
      w.write_array(a.name, a.shape, a.data.data(), a.index_order, a.description + "; field " + name(m_field),
                    a.kind);
  }

  // The rows so far: their count, the layer means, the losses.
  std::vector<double> saved_state() const override {
    std::vector<double> state{double(m_loss.size())};
    state.insert(state.end(), m_means.begin(), m_means.end());
    state.insert(state.end(), m_loss.begin(), m_loss.end());
    return state;
  }
  bool accepts_state(const std::vector<double>& state) const override {
    if (state.empty() || !(state[0] >= 0)) return false;
    const std::size_t T = std::size_t(state[0]);
    return state.size() == 1 + T * (m_components_count * m_lines + 1);
  }
  void restore_state(const std::vector<double>& state) override {
    const std::size_t T = std::size_t(state.at(0)), per_row = m_components_count * m_lines;
    m_means.assign(state.begin() + 1, state.begin() + std::ptrdiff_t(1 + T * per_row));
    m_loss.assign(state.begin() + std::ptrdiff_t(1 + T * per_row), state.end());
  }

 private:
  std::size_t m_lines, m_width, m_K;
  ObservedField m_field;
  double m_every;
  std::size_t m_components_count;  // K for the weights, else 1
  CorrelatorSet m_set;
  std::vector<std::vector<double>> m_values;
  std::vector<double> m_components, m_means, m_loss;
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

std::unique_ptr<Observer> make_time_autocorrelation_observer(const ModelConfig& config, int lines, int width, int K) {
  if (!config.observe.autocorrelation) return nullptr;
  return std::make_unique<TimeAutocorrelationObserver>(config, lines, width, K);
}

}  // namespace nnfield
