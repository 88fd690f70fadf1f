#pragma once
// The data boundary (docs/theory.md section 2): where samples come from, and how they are
// presented to the dynamics in time.
#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "nnfield/config/config.hpp"
#include "nnfield/data/source_motion.hpp"

namespace nnfield {

// S samples of width N, row-major (S, N).
struct Samples {
  int S = 0, N = 0;
  std::vector<double> X, Y;
  const double* x(int s) const { return X.data() + std::size_t(s) * N; }
  const double* y(int s) const { return Y.data() + std::size_t(s) * N; }
};

class DataStream;
// The output Z0 (S, N) of the run's initial network (make_initial_state of `inputs`) on the
// inputs' samples: the targets of data.source = "continuum" without continuum.Y are Z0 plus
// the misfit. By default the whole network's, built and run on this process; a network split
// along its width passes its own (run/split_targets.hpp: no process holds the whole network).
using InitialOutput = std::function<std::vector<double>(const DataStream& inputs)>;

// Builds the samples a model file asks for: a given or random pair, a data file,
// a seeded teacher network, continuum fields, or i.i.d. random data. Throws ConfigError on
// bad data files. `initial_output`: see InitialOutput (empty: the whole network's).
Samples make_samples(const ModelConfig& config, const InitialOutput& initial_output = {});

// The sequence of sample indices presented one after another (sequential,
// shuffle: a fresh permutation every epoch, random: with replacement).
// O(1) memory however long the run: the j-th index is computed from (seed, j), with
// the permutations of the last two epochs cached (a blend needs samples j and j+1).
// Not thread-safe (the cache); one per run.
class SampleOrder {
 public:
  SampleOrder(int S, DataOrder order, std::uint64_t seed);
  int operator[](long j) const;

 private:
  const std::vector<int>& permutation(long epoch) const;

  int m_S;
  DataOrder m_order;
  std::uint64_t m_seed;
  mutable long m_epoch[2] = {-1, -1};
  mutable std::vector<int> m_permutation[2];
  mutable int m_next_slot = 0;
};

// The times j tau in (t0, t1] where presented data switch samples, in increasing order and
// one at a time: each call gives the next, +infinity after the last. Generated, never
// listed, so memory is O(1) however many switches a run has (the integrators pull them as
// they reach them, dynamics/integrator.hpp).
class SwitchTimes {
 public:
  SwitchTimes(double tau, double t0, double t1)
      : m_tau(tau), m_t0(t0), m_t1(t1), m_j(long(std::floor(t0 / tau)) + 1) {}
  double operator()();

 private:
  double m_tau, m_t0, m_t1;
  long m_j;  // the next candidate j
};

// X(t), Y(t) and their time derivatives for continuous-time dynamics.
//   fixed:      sample 0 forever
//   switch:     sample j on [j tau, (j+1) tau), piecewise constant (X' = 0 between switches)
//   blend:      X = X_j + s(u) (X_{j+1} - X_j), u = t/tau - j, s = 10u^3 - 15u^4 + 6u^5,
//               so X is C^2 in time and X' = s'(u)/tau (X_{j+1} - X_j) is available
//   full_batch: all S samples at once (the loss is their mean)
// A moving source (source_motion.hpp) adds its displacement X(t) - X(0), Y(t) - Y(0) to
// whatever the presentation gives, every sample alike, and its derivatives to X', X''.
class DataStream {
 public:
  DataStream(Samples samples, const DataConfig& config, std::uint64_t seed, SourceMotion motion = {});

  int batch() const { return m_batch; }
  int width() const { return m_samples.N; }
  bool time_dependent() const { return varies_in_time(m_presentation) || m_motion.moves(); }
  // Constant between breakpoints (fixed, switch, full_batch, no motion): X' = Y' = 0 there.
  bool piecewise_constant() const { return m_presentation != Presentation::blend && !m_motion.moves(); }
  bool source_moves() const { return m_motion.moves(); }
  const Samples& samples() const { return m_samples; }

  // X, Y, Xdot, Ydot are (batch, N); Xdot/Ydot may be null. With `left_limit`, the
  // data just before t (differs from the value at t only at a switch).
  void at(double t, double* X, double* Y, double* Xdot, double* Ydot, bool left_limit = false) const;
  // The sample presented at t: fixed 0; switch the sample of t's segment; blend the one
  // being left (X = X_a + s(u) (X_c - X_a): a); full_batch -1 (all of them). With
  // `left_limit` as in at().
  int presented(double t, bool left_limit = false) const;
  // X'' and Y'' (the BBD forward sweep needs X''); zero except for blended data.
  // With `left_limit` as in at().
  void second_derivatives(double t, double* Xddot, double* Yddot, bool left_limit = false) const;
  // Times in (t0, t1] where the data jump (switch) or lose smoothness (blend: C^2 only
  // at segment boundaries): integrators stop there. None for data fixed in time.
  SwitchTimes breakpoints(double t0, double t1) const;

 private:
  struct Segment {
    long j;    // segment index: the j-th presented sample
    double u;  // position inside the segment, [0, 1]
  };
  Segment segment(double t, bool left_limit) const;
  // at() without the source's motion: the presentation's samples.
  void presentation_at(double t, double* X, double* Y, double* Xdot, double* Ydot, bool left_limit) const;

  Samples m_samples;
  SourceMotion m_motion;
  Presentation m_presentation;
  double m_tau;
  int m_batch;
  SampleOrder m_order;  // presented sample of each segment
};

// Mini-batches for SGD: batch indices drawn in the configured order.
class BatchSampler {
 public:
  BatchSampler(int S, int batch, DataOrder order, std::uint64_t seed);
  const std::vector<int>& next();
  // Indices drawn so far, and back to a given count (checkpoints: SGD resumes mid-stream).
  long drawn() const { return m_drawn; }
  void seek(long drawn) { m_drawn = drawn; }

 private:
  SampleOrder m_order;
  std::vector<int> m_batch;
  long m_drawn = 0;
};

}  // namespace nnfield
