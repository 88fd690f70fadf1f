#pragma once
// The samples of a batch swept side by side. A full batch, and an SGD batch, sweeps every
// sample through the one bulk on its own (each sample its own boundary theory,
// field_potential.hpp), and the loss and gradient of the batch are sums over the samples.
// The sweeps run on `threads` threads; the sums are added in sample order (Turns,
// numerics/parallel_for.hpp: sample s adds once samples 0..s-1 have), so they are the same
// numbers, to the last bit, for any thread count. A FieldTheory owns its sweep workspace:
// worker 0 sweeps on the theory given, the others on copies built from its lattice and
// settings, which sweep with the same arithmetic.
//
// The work a sample hands a thread is a whole forward and reverse sweep (tens of
// microseconds on a 17 x 16 grid, milliseconds on fine ones), against a few microseconds to
// wake a kept thread: worth it for any batch of two or more samples. One sample is swept on
// the calling thread.
#include <cstddef>
#include <memory>
#include <vector>

#include "nnfield/field/field_theory.hpp"
#include "nnfield/numerics/function_ref.hpp"
#include "nnfield/numerics/parallel_for.hpp"

namespace nnfield {

class SampleSweeps {
 public:
  // Sample s's input X or target Y (ny values).
  using SampleRow = FunctionRef<const double*(std::size_t)>;
  // A number of sample s from its sweep: the theory that swept it, its gradient and its
  // neurons phi (nx, ny).
  using SampleExtra = FunctionRef<double(FieldTheory&, std::size_t, const double*, const double*)>;
  struct Sums {
    double loss = 0.0, extra = 0.0;
  };

  // threads = 0: the default (numerics/thread_count.hpp).
  SampleSweeps(FieldTheory& theory, unsigned threads);
  void set_threads(unsigned threads);

  // sum_s L_s over `samples` samples, and their gradients into grad (num_params: the first
  // sample's written, the others added in sample order). extra, if given, is summed as well
  // (in sample order), each sample's sweep keeping its neurons for it.
  Sums gradient(const double* q, std::size_t samples, SampleRow X, SampleRow Y, double* grad,
                const SampleExtra* extra = nullptr);
  // sum_s L_s (forward sweeps only), in sample order.
  double loss(const double* q, std::size_t samples, SampleRow X, SampleRow Y);

 private:
  // What a worker keeps of the sample it swept last, until that sample's turn to be added.
  struct Slot {
    std::vector<double> grad, phi;
    double loss = 0.0, extra = 0.0;
  };
  // sweep(theory, s, slot) for every sample, then add(s, slot) in sample order.
  void run(std::size_t samples, FunctionRef<void(FieldTheory&, std::size_t, Slot&)> sweep,
           FunctionRef<void(std::size_t, const Slot&)> add);

  FieldTheory& m_theory;
  unsigned m_threads = 1;
  std::vector<std::unique_ptr<FieldTheory>> m_copies;  // workers 1, 2, ...
  std::vector<Slot> m_slots;                           // one per worker
  Turns m_turns;
};

}  // namespace nnfield
