// Correlators measured during a run: `[observe] correlators = [...]` of the field
// `observe.field`, every `observe.every` in time, written to /correlators/<name>.
// Full correlators (no mean subtracted): with /correlators/layer_mean the connected
// ones follow, C_conn(m, m', d) = C(m, m', d) - mean_m mean_m' (docs/correlators.md).
// With observe.autocorrelation, the time autocorrelations of the layer means and of the
// loss over the same rows, written when the run completes (/autocorrelation/*).
#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
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

// Component c (M, N) of the observed field of a snapshot: the neurons or the biases (one
// component), or the weights' w_c[m, i] = W[m, i, c] (one field per weight index c), copied
// from a whole W into `buffer`, so that no more than one component is ever held. (A split
// network's weights are measured on its processes: Snapshot::W_components.)
CorrelatorSet::FieldComponent observed_component(const Snapshot& s, ObservedField field, std::size_t MN,
                                                 std::size_t K, std::vector<double>& buffer) {
  if (field == ObservedField::phi) return [&s](std::size_t) { return s.neurons; };
  if (field == ObservedField::b) return [&s](std::size_t) { return s.b; };
  return [&s, MN, K, &buffer](std::size_t c) {
    buffer.resize(MN);
    for (std::size_t j = 0; j < MN; ++j) buffer[j] = s.W[j * K + c];
    return buffer.data();
  };
}

// The sets of one weight component that the observers measure a split network's weights
// with (weight_component_sets): observe.correlators, and the layer means alone.
CorrelatorSet component_correlators(const ModelConfig& config, std::size_t lines, std::size_t width,
                                    const std::vector<double>& input) {
  return CorrelatorSet(config.observe.correlators, 1, lines, width, MeanSubtraction::none,
                       input.empty() ? nullptr : input.data());
}
CorrelatorSet component_layer_means(std::size_t lines, std::size_t width) {
  return CorrelatorSet({}, 1, lines, width, MeanSubtraction::none);
}

// One row of each of `series` appended in pieces, all at once: `fill` gets a piece writer of
// each, open together (each series' append_pieces inside the one before), so that rows made
// a component at a time reach every series without any row being held whole.
void append_rows_in_pieces(SeriesSink& w, const std::vector<int>& series,
                           const std::function<void(const std::vector<const RowPiece*>&)>& fill) {
  std::vector<const RowPiece*> open;
  std::function<void(std::size_t)> nest = [&](std::size_t j) {
    if (j == series.size()) return fill(open);
    w.append_pieces(series[j], [&](const RowPiece& piece) {
      open.push_back(&piece);
      nest(j + 1);
    });
  };
  nest(0);
}

class CorrelatorObserver final : public Observer {
 public:
  CorrelatorObserver(const ModelConfig& config, int lines, int width, int K, const std::vector<double>& input,
                     bool in_pieces)
      : m_lines(std::size_t(lines)),
        m_width(std::size_t(width)),
        m_K(std::size_t(K)),
        m_field(config.observe.field),
        m_every(config.observe.every),
        m_set(config.observe.correlators, m_field == ObservedField::w ? m_K : 1, m_lines, m_width,
              MeanSubtraction::none, input.empty() ? nullptr : input.data()),
        m_in_pieces(in_pieces && m_field == ObservedField::w),
        m_values(m_set.outputs().size()) {
    // A component's rows: the same outputs in the same order, without the K axis.
    if (m_in_pieces)
      m_component_set = std::make_unique<CorrelatorSet>(component_correlators(config, m_lines, m_width, input));
  }

  void declare(SeriesSink& w) override {
    m_time = w.add_series("/correlators/time", {}, "T", "time t of each correlator row (every observe.every)",
                          time_values());
    DatasetValues values;
    values.in_pieces = m_in_pieces;
    for (const CorrelatorOutput& o : m_set.outputs())
      m_ids.push_back(w.add_series("/correlators/" + o.name, o.row_shape, "T," + o.index_order,
                                   o.description + "; field " + name(m_field), values));
    w.set_root_attribute("correlators_field", name(m_field));
    w.set_root_attribute("correlators_mean_subtracted", mean_subtraction_name(m_set.subtraction()));
  }

  void observe(const Snapshot& s, SeriesSink& w) override {
    if (!due(s.t, m_every)) return;
    w.append(m_time, &s.t);
    if (m_in_pieces) return append_components(s, w);
    m_set.evaluate_components(observed_component(s, m_field, m_lines * m_width, m_K, m_components), 1, m_values);
    for (std::size_t j = 0; j < m_ids.size(); ++j) w.append(m_ids[j], m_values[j].data());
  }

 private:
  // The weights' correlators of a split network: component k's rows (the component set's,
  // the same numbers as m_set's component k), measured on the processes, written as piece k
  // of every row as process 0 receives them.
  void append_components(const Snapshot& s, SeriesSink& w) {
    append_rows_in_pieces(w, m_ids, [&](const std::vector<const RowPiece*>& pieces) {
      (*s.W_components)(*m_component_set, [&](std::size_t k, const std::vector<std::vector<double>>& rows) {
        for (std::size_t j = 0; j < pieces.size(); ++j)
          (*pieces[j])(k, 0, m_set.outputs()[j].row_shape[1], rows[j].data());
      });
    });
  }

  std::size_t m_lines, m_width, m_K;  // the lattice's lines, width and fan-in
  ObservedField m_field;
  double m_every;
  CorrelatorSet m_set;
  bool m_in_pieces;  // the weights are measured on the processes, their rows go out in pieces
  std::unique_ptr<CorrelatorSet> m_component_set;  // with m_in_pieces: one component's correlators
  std::vector<std::vector<double>> m_values;
  std::vector<double> m_components;  // a copy of one component of a whole W
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
        m_set({}, m_components_count, m_lines, m_width, MeanSubtraction::none),
        m_component_means(component_layer_means(m_lines, m_width)) {}

  void declare(SeriesSink& w) override { w.declare_final_group("/autocorrelation"); }

  void observe(const Snapshot& s, SeriesSink&) override {
    if (!due(s.t, m_every)) return;
    m_loss.push_back(s.loss);
    if (m_field == ObservedField::w && s.W_components) {
      // A split network's: each component's means (M) measured on the processes, in order.
      (*s.W_components)(m_component_means, [&](std::size_t, const std::vector<std::vector<double>>& rows) {
        m_means.insert(m_means.end(), rows.at(0).begin(), rows.at(0).end());
      });
      return;
    }
    m_set.evaluate_components(observed_component(s, m_field, m_lines * m_width, m_K, m_components), 1, m_values);
    const std::vector<double>& means = m_values.at(0);  // the set's only output: layer_mean (C, M)
    m_means.insert(m_means.end(), means.begin(), means.end());
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
  CorrelatorSet m_component_means;  // one component's layer means (a split network's weights)
  std::vector<std::vector<double>> m_values;
  std::vector<double> m_components, m_means, m_loss;
};

}  // namespace

std::vector<CorrelatorSet> weight_component_sets(const ModelConfig& config, int lines, int width,
                                                 const std::vector<double>& input) {
  std::vector<CorrelatorSet> sets;
  if (config.observe.field != ObservedField::w) return sets;
  if (!config.observe.correlators.empty())
    sets.push_back(component_correlators(config, std::size_t(lines), std::size_t(width), input));
  if (config.observe.autocorrelation) sets.push_back(component_layer_means(std::size_t(lines), std::size_t(width)));
  return sets;
}

bool correlators_due(const ObserveConfig& observe, double t) { return due(t, observe.every); }

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
                                                   const std::vector<double>& input, bool in_pieces) {
  if (config.observe.correlators.empty()) return nullptr;
  return std::make_unique<CorrelatorObserver>(config, lines, width, K, input, in_pieces);
}

std::unique_ptr<Observer> make_time_autocorrelation_observer(const ModelConfig& config, int lines, int width, int K) {
  if (!config.observe.autocorrelation) return nullptr;
  return std::make_unique<TimeAutocorrelationObserver>(config, lines, width, K);
}

}  // namespace nnfield
