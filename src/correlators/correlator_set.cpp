// The correlator datasets of a run (observer) or of `nnfield correlate`: names,
// shapes, index orders and their evaluation through correlators.hpp.
#include "nnfield/correlators/correlator_set.hpp"

#include <algorithm>
#include <stdexcept>

#include "nnfield/config/toml_quote.hpp"

namespace nnfield {

CorrelatorSet::CorrelatorSet(const std::vector<Correlator>& correlators, std::size_t components, std::size_t M,
                             std::size_t N, MeanSubtraction subtraction, const double* input)
    : m_slot(choice_names<Correlator>().size(), -1), m_C(components), m_M(M), m_N(N), m_subtraction(subtraction) {
  if (components == 0 || M == 0 || N < 2)
    throw std::invalid_argument("CorrelatorSet: need components >= 1, M >= 1 and N >= 2 (got " +
                                std::to_string(components) + ", " + std::to_string(M) + ", " + std::to_string(N) +
                                ")");
  auto asked = [&](Correlator c) { return std::find(correlators.begin(), correlators.end(), c) != correlators.end(); };
  if (input) m_input.assign(input, input + N);
  if (asked(Correlator::input) && !input)
    throw std::invalid_argument("correlator 'input' needs the input boundary X");

  const std::string sub = std::string(" (") + mean_subtraction_description(subtraction) + ")";
  const std::string xi_source = subtraction == MeanSubtraction::configuration
                                    ? "the full S (the connected S has S(0) = 0)"
                                    : "S with the same mean subtracted";
  const std::size_t nq = N / 2 + 1;
  auto add = [&](const std::string& name, std::vector<std::size_t> shape, std::string order, std::string what) {
    if (m_C > 1) {
      shape.insert(shape.begin(), m_C);
      order = "K," + order;
      what += "; K: weight index k = 0..2r (offset k - r), one field w_k each";
    }
    m_outputs.push_back({name, std::move(shape), std::move(order), std::move(what)});
  };
  // In the order of the choices, so files list them predictably.
  for (const Correlator c : all_choices<Correlator>()) {
    if (!asked(c)) continue;
    m_slot[std::size_t(c)] = int(m_outputs.size());
    const std::string& n = name(c);
    switch (c) {
      case Correlator::width:
        add(n, {M, N}, "M,D", "C_m(d) = (1/N) sum_i <dphi^(m)_i dphi^(m)_{i+d}>, d = 0..N-1" + sub);
        break;
      case Correlator::structure:
        add(n, {M, nq}, "M,Q", "S_m(k_q) = <|dphi~^(m)(k_q)|^2>/N, k_q = 2 pi q/N, q = 0..N/2" + sub);
        break;
      case Correlator::xi:
        add(n, {M}, "M", "xi_y = sqrt(S(0)/S(k_min) - 1)/(2 sin(pi/N)) per layer (lattice units) from " + xi_source);
        break;
      case Correlator::depth: add(n, {M, M}, "M1,M2", "C(m, m') = (1/N) sum_i <dphi^(m)_i dphi^(m')_i>" + sub); break;
      case Correlator::input:
        add(n, {M, N}, "M,D", "C_X(m, d) = (1/N) sum_i <dX_i dphi^(m)_{i+d}>, X the input boundary" + sub);
        break;
      case Correlator::two_d:
        add(n, {M, M, N}, "M1,M2,D", "C(m, m', d) = (1/N) sum_i <dphi^(m)_i dphi^(m')_{i+d}>" + sub);
        break;
    }
  }
  add("layer_mean", {M}, "M", "width mean (1/N) sum_i <phi^(m)_i> of each layer (no mean subtracted)");
}

void CorrelatorSet::evaluate(const double* field, std::size_t S, std::size_t component_stride,
                             std::vector<std::vector<double>>& rows) const {
  evaluate_components([&](std::size_t c) { return field + c * component_stride; }, S, rows);
}

void CorrelatorSet::evaluate_components(const FieldComponent& component, std::size_t S,
                                        std::vector<std::vector<double>>& rows) const {
  const std::size_t M = m_M, N = m_N, nq = N / 2 + 1;
  rows.resize(m_outputs.size());
  std::vector<double> xi_spectrum(M * nq);
  for (std::size_t j = 0; j < m_outputs.size(); ++j) {
    std::size_t size = 1;
    for (std::size_t d : m_outputs[j].row_shape) size *= d;
    rows[j].assign(size, 0.0);
  }
  // Each component's rows from its own field alone: a field given a component at a time
  // (the weights of a split network, gathered one w_k at a time) gives the same numbers.
  for (std::size_t c = 0; c < m_C; ++c) {
    const double* phi = component(c);
    // Width, structure and xi share one pass of transforms.
    double* width = row_of(rows, Correlator::width, c);
    double* structure = row_of(rows, Correlator::structure, c);
    double* xi = row_of(rows, Correlator::xi, c);
    if (width || structure || xi) {
      const bool xi_from_this_s = xi && m_subtraction != MeanSubtraction::configuration;
      double* sk = structure ? structure : (xi_from_this_s ? xi_spectrum.data() : nullptr);
      if (width || sk) width_correlators(phi, S, M, N, m_subtraction, width, sk);
      if (xi_from_this_s) {
        second_moment_xi(sk, M, N, xi);
      } else if (xi) {
        // The connected S(0) vanishes identically: xi comes from the full S.
        width_correlators(phi, S, M, N, MeanSubtraction::none, nullptr, xi_spectrum.data());
        second_moment_xi(xi_spectrum.data(), M, N, xi);
      }
    }
    if (double* out = row_of(rows, Correlator::depth, c)) depth_correlator(phi, S, M, N, m_subtraction, out);
    if (double* out = row_of(rows, Correlator::input, c))
      input_cross_correlator(phi, m_input.data(), S, 1, M, N, m_subtraction, out);
    if (double* out = row_of(rows, Correlator::two_d, c)) correlator_2d(phi, S, M, N, m_subtraction, out);
    {
      double* out = rows.back().data() + c * (rows.back().size() / m_C);  // layer_mean, always last
      for (std::size_t s = 0; s < S; ++s)
        for (std::size_t m = 0; m < M; ++m)
          for (std::size_t i = 0; i < N; ++i) out[m] += phi[(s * M + m) * N + i];
      for (std::size_t m = 0; m < M; ++m) out[m] /= double(S * N);
    }
  }
}

double* CorrelatorSet::row_of(std::vector<std::vector<double>>& rows, Correlator kind, std::size_t c) const {
  const int j = m_slot[std::size_t(kind)];
  return j < 0 ? nullptr : rows[std::size_t(j)].data() + c * (rows[std::size_t(j)].size() / m_C);
}

int recorded_input_sample(const ModelConfig& config, int samples, std::string* why) {
  if (samples == 1) return 0;
  const Presentation presentation = config.data.presentation;
  if (config.dynamics.kind == DynamicsKind::sgd) {
    if (why) *why = "SGD records the neurons of each step's first batch sample, which changes";
    return -1;
  }
  if (!varies_in_time(presentation)) return 0;
  if (why) *why = "data.presentation = " + toml_quote(name(presentation)) + " changes the presented sample along the run";
  return -1;
}

}  // namespace nnfield
