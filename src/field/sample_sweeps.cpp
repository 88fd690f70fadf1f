// A batch's samples swept on several threads, summed in sample order
// (include/nnfield/field/sample_sweeps.hpp).
#include "nnfield/field/sample_sweeps.hpp"

#include <algorithm>
#include <exception>

#include "nnfield/numerics/thread_count.hpp"

namespace nnfield {

SampleSweeps::SampleSweeps(FieldTheory& theory, unsigned threads) : m_theory(theory) { set_threads(threads); }

void SampleSweeps::set_threads(unsigned threads) { m_threads = resolve_thread_count(int(threads)); }

void SampleSweeps::run(std::size_t samples, FunctionRef<void(FieldTheory&, std::size_t, Slot&)> sweep,
                       FunctionRef<void(std::size_t, const Slot&)> add) {
  const unsigned workers = worker_count(samples, m_threads);
  if (m_slots.size() < workers) m_slots.resize(workers);
  if (workers == 1) {
    for (std::size_t s = 0; s < samples; ++s) {
      sweep(m_theory, s, m_slots[0]);
      add(s, m_slots[0]);
    }
    return;
  }
  // Built here, on the calling thread: FFTW's planner is not thread-safe.
  while (m_copies.size() + 1 < workers)
    m_copies.push_back(
        std::make_unique<FieldTheory>(m_theory.lattice(), m_theory.activation(), m_theory.loss(), m_theory.settings()));
  m_turns.reset(1);
  parallel_for(samples, workers, [&](std::size_t s, unsigned worker) {
    FieldTheory& theory = worker == 0 ? m_theory : *m_copies[worker - 1];
    Slot& slot = m_slots[worker];
    // Every sample passes its turn, even one that failed: the later ones wait for it.
    std::exception_ptr error;
    try {
      sweep(theory, s, slot);
    } catch (...) {
      error = std::current_exception();
    }
    m_turns.wait(0, s);
    if (!error) {
      try {
        add(s, slot);
      } catch (...) {
        error = std::current_exception();
      }
    }
    m_turns.pass(0);
    if (error) std::rethrow_exception(error);
  });
}

SampleSweeps::Sums SampleSweeps::gradient(const double* q, std::size_t samples, SampleRow X, SampleRow Y,
                                          double* grad, const SampleExtra* extra) {
  const std::size_t P = m_theory.num_params(), lines = std::size_t(m_theory.nx()) * std::size_t(m_theory.ny());
  const auto sized = [&](Slot& slot) {  // each worker its own slot: sized on its thread
    if (samples > 1 && slot.grad.size() != P) slot.grad.resize(P);
    if (extra && slot.phi.size() != lines) slot.phi.resize(lines);
  };
  Sums sums;
  run(
      samples,
      [&](FieldTheory& theory, std::size_t s, Slot& slot) {
        sized(slot);
        // The first sample straight into grad: the others are added to it.
        double* g = s == 0 ? grad : slot.grad.data();
        slot.loss = theory.gradient(q, X(s), Y(s), g, extra ? slot.phi.data() : nullptr);
        if (extra) slot.extra = (*extra)(theory, s, g, slot.phi.data());
      },
      [&](std::size_t s, const Slot& slot) {
        sums.loss += slot.loss;
        if (extra) sums.extra += slot.extra;
        if (s == 0) return;
        const double* g = slot.grad.data();
        for (std::size_t j = 0; j < P; ++j) grad[j] += g[j];
      });
  return sums;
}

double SampleSweeps::loss(const double* q, std::size_t samples, SampleRow X, SampleRow Y) {
  double L = 0.0;
  run(
      samples, [&](FieldTheory& theory, std::size_t s, Slot& slot) { slot.loss = theory.loss(q, X(s), Y(s)); },
      [&](std::size_t, const Slot& slot) { L += slot.loss; });
  return L;
}

}  // namespace nnfield
