// The runs of `nnfield compare` (compare_runs.hpp): networks at refined levels and field
// runs on the same continuum data, all in memory, scheduled the costliest first so that
// the longest run does not start last.
#include "analysis/compare_runs.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <tuple>

#include "nnfield/core/network.hpp"
#include "nnfield/data/continuum_config.hpp"
#include "nnfield/data/data.hpp"
#include "nnfield/data/initial_state.hpp"
#include "nnfield/dynamics/loss_landscape.hpp"
#include "nnfield/dynamics/training_dynamics.hpp"
#include "nnfield/numerics/parallel_for.hpp"
#include "nnfield/numerics/processes.hpp"
#include "nnfield/run/run.hpp"

namespace nnfield::detail {

std::string compare_number(double v, int precision) {
  std::ostringstream s;
  s.precision(precision);
  s << v;
  return s.str();
}

std::string coarsening_text(int rx, int ry) {
  return rx == ry ? "rx = ry = " + std::to_string(rx) : "rx = " + std::to_string(rx) + ", ry = " + std::to_string(ry);
}

namespace {

const MemoryRun::Dataset& need(const MemoryRun& run, const std::string& name) {
  if (!run.has(name)) throw std::runtime_error("compare: run has no " + name);
  return run.dataset(name);
}

std::size_t row_of(const MemoryRun& run, double t, double t_end) {
  const auto& time = need(run, "/trajectory/time").data;
  for (std::size_t k = 0; k < time.size(); ++k)
    if (std::fabs(time[k] - t) <= 1e-9 * std::max(1.0, t_end)) return k;
  throw std::runtime_error("compare: no output row at t = " + compare_number(t) + " (the run stopped at t = " +
                           (time.empty() ? std::string("?") : compare_number(time.back())) + ")");
}

std::vector<double> row(const MemoryRun::Dataset& d, std::size_t k) {
  std::size_t n = 1;
  for (std::size_t i = 1; i < d.shape.size(); ++i) n *= d.shape[i];
  return std::vector<double>(d.data.begin() + std::ptrdiff_t(k * n), d.data.begin() + std::ptrdiff_t((k + 1) * n));
}

std::vector<double> minus(std::vector<double> a, const std::vector<double>& b) {
  for (std::size_t i = 0; i < a.size(); ++i) a[i] -= b[i];
  return a;
}

double number_attribute(const MemoryRun& run, const std::string& name, double fallback) {
  auto it = run.number_attributes().find(name);
  return it == run.number_attributes().end() ? fallback : it->second;
}

// SGD at a level: the model's steps at every level (ComparePlan::sgd_eta), a row every
// `every` of the base level's step time.
void sgd_cadence(ModelConfig& c, const ModelConfig& base, double every) {
  if (c.dynamics.kind != DynamicsKind::sgd) return;
  c.output.every_steps = std::max(1L, long(std::llround(every / effective_eta(base))));
  c.dynamics.t_end = double(c.dynamics.steps) * effective_eta(c);  // not read by SGD: row_of's tolerance
}

// The time of the row of plan time t in a run of c: t itself, or for SGD the time SGD
// writes for step t / sgd_eta at this level's eta.
double run_time(const ModelConfig& c, const ComparePlan& plan, double t) {
  return plan.sgd_eta > 0.0 ? double(std::llround(t / plan.sgd_eta)) * effective_eta(c) : t;
}

ModelConfig network_config(const ModelConfig& base, CompareRefinement refine, int level, double every) {
  ModelConfig c = base;
  c.network.shape = compare_level_shape(base, refine, level);
  c.field.present = false;
  c.init.kind = InitKind::continuum;
  if (c.dynamics.kind == DynamicsKind::damped) c.init.velocity = InitVelocity::continuum;
  c.data.source = DataSource::continuum;  // presented as the field's: data.presentation, tau, order as given
  c.output.every = every;
  sgd_cadence(c, base, every);
  // What network_data reads, and no more: every row of these is held in memory.
  c.output.trajectory = {TrajectoryDataset::W, TrajectoryDataset::b, TrajectoryDataset::z, TrajectoryDataset::loss,
                         TrajectoryDataset::gain};
  c.observe = ObserveConfig{};
  return c;
}

ModelConfig field_config(const ModelConfig& base, CompareRefinement refine, int level, double every, DepthForm form,
                         int p, Coarsening r, bool allow_unstable) {
  ModelConfig c = base;
  c.network.shape = compare_level_shape(base, refine, level);
  c.field.present = true;
  c.field.form = form;
  c.field.p = p;
  c.field.rx = r.rx;
  c.field.ry = r.ry;
  c.field.allow_unstable = c.field.allow_unstable || allow_unstable;
  c.output.every = every;
  sgd_cadence(c, base, every);
  // What field_data reads, and no more (max_gain_deviation_over_ax is always written).
  c.output.trajectory = {TrajectoryDataset::response, TrajectoryDataset::phi, TrajectoryDataset::w,
                         TrajectoryDataset::adjoint};
  c.observe = ObserveConfig{};
  return c;
}

double misfit_scale(const ModelConfig& c) {
  const double ax = c.network.Lx / c.network.shape.M;
  return (c.continuum.misfit_scaling == MisfitScaling::depth && c.continuum.Y.empty()) ? ax : 1.0;
}

RunResult run_in_memory(const ModelConfig& c, const std::atomic<bool>* stop, MemoryCapture capture = {},
                        int threads = 1) {
  RunOptions o;
  o.progress = "off";
  o.stop = stop;
  o.capture = std::move(capture);
  o.threads = threads;
  RunResult r = run_model(c, o);
  if (!r.memory) throw std::runtime_error("compare: the run kept no memory");
  return r;
}

// What network_data reads of a network run, and no more: W, b, z at the compared times (the
// gain enters through RunResult::max_gain_deviation; the first row is made again after the
// run, initial_row).
MemoryCapture network_capture(const ComparePlan& plan) {
  MemoryCapture capture{{"/trajectory/time", "/trajectory/W", "/trajectory/b", "/trajectory/z"}, {}};
  for (double t : plan.times) capture.rows.push_back(std::size_t(std::llround(t / plan.every)));
  std::sort(capture.rows.begin(), capture.rows.end());
  capture.rows.erase(std::unique(capture.rows.begin(), capture.rows.end()), capture.rows.end());
  return capture;
}

// The network's first output row, W and z at t = 0, made again once the run is over rather
// than held through it beside the integrator's vectors (W and z are 34 MB at M = N = 1024):
// the run's initial state and the neurons of its first presented sample, by the same
// functions the run calls (make_initial_state, the landscape's loss at t = 0), hence the
// same numbers.
struct InitialRow {
  std::vector<double> W, z;
};

InitialRow initial_row(const ModelConfig& c, const DataStream& stream, int threads) {
  const NetworkShape& s = c.network.shape;
  ParameterState init = make_initial_state(c, stream);
  Network network(s, c.network.activation, c.network.loss);
  network.set_threads(unsigned(std::max(0, threads)));
  LossLandscape landscape(network, stream);
  landscape.loss(init.q.data(), 0.0);
  InitialRow row;
  row.z.resize(s.num_biases());
  network.neurons(0, row.z.data());
  init.q.resize(s.num_weights());
  row.W = std::move(init.q);
  return row;
}

NetData network_data(const ModelConfig& c, const ComparePlan& plan, std::string& message, int threads = 1) {
  const std::vector<double>& times = plan.times;
  const RunResult result = run_in_memory(c, plan.stop, network_capture(plan), threads);
  message = result.message;
  if (result.status != RunStatus::complete)
    throw std::runtime_error("compare: the network at M = " + std::to_string(c.network.shape.M) +
                             " did not complete: " + result.message);
  const MemoryRun& run = *result.memory;
  NetData d;
  const NetworkShape& s = c.network.shape;
  d.M = s.M, d.N = s.N, d.K = s.K();
  d.ax = c.network.Lx / s.M;
  const auto& z = need(run, "/trajectory/z");
  const auto& W = need(run, "/trajectory/W");
  const auto& b = need(run, "/trajectory/b");
  // The same stream the run presented its samples with: the adjoint at t is the presented sample's.
  const DataStream stream(Samples{int(need(run, "/data/X").shape[0]), s.N, need(run, "/data/X").data,
                                  need(run, "/data/Y").data},
                          c.data, c.seed, lattice_source_motion(c));
  // A batch of samples (full_batch): the adjoint and misfit of the first, as the field records.
  std::vector<double> X(std::size_t(stream.batch()) * std::size_t(s.N)), Y(X.size());
  const auto first = [&](const std::vector<double>& v) { return std::vector<double>(v.begin(), v.begin() + s.N); };
  const InitialRow initial = initial_row(c, stream, threads);
  const std::vector<double>&z0 = initial.z, &W0 = initial.W;
  const std::size_t N = std::size_t(s.N), M = std::size_t(s.M);
  const double scale = misfit_scale(c);
  Network net(s, c.network.activation, c.network.loss);
  std::vector<double> gW(W0.size()), gb(M * N);
  stream.at(0.0, X.data(), Y.data(), nullptr, nullptr);
  d.Y.push_back(first(Y));
  d.Z.emplace_back(z0.begin() + std::ptrdiff_t((M - 1) * N), z0.end());
  for (double t : times) {
    const std::size_t k = row_of(run, run_time(c, plan, t), c.dynamics.t_end);
    const std::vector<double> zt = row(z, k), Wt = row(W, k), bt = row(b, k);
    d.Z.emplace_back(zt.begin() + std::ptrdiff_t((M - 1) * N), zt.end());
    std::vector<double> R(N);
    for (std::size_t i = 0; i < N; ++i) R[i] = (zt[(M - 1) * N + i] - z0[(M - 1) * N + i]) / scale;
    d.R.push_back(R);
    d.dz.push_back(minus(zt, z0));
    d.dW.push_back(minus(Wt, W0));
    stream.at(t, X.data(), Y.data(), nullptr, nullptr);
    d.Y.push_back(first(Y));
    net.value_and_gradient(Wt.data(), bt.data(), X.data(), Y.data(), 1, gW.data(), gb.data());
    d.adj.push_back(gb);
  }
  // max|g - 1| over every row and bulk link (none for a single weight layer).
  if (!std::isnan(result.max_gain_deviation)) d.max_gain = result.max_gain_deviation / d.ax;
  d.left = number_attribute(run, "left_critical_regime_at", -1.0);
  return d;
}

FieldData field_data(const ModelConfig& c, const ComparePlan& plan) {
  const std::vector<double>& times = plan.times;
  FieldData d;
  RunResult result;
  try {
    result = run_in_memory(c, plan.stop);
  } catch (const std::exception& e) {  // refused (ConfigError) or failed: the study reports it, the others go on
    d.note = "M = " + std::to_string(c.network.shape.M) + ", N = " + std::to_string(c.network.shape.N) + ", " +
             name(c.field.form) + " p = " + std::to_string(c.field.p) + ", " + coarsening_text(c.field.rx, c.field.ry) +
             ": " + e.what();
    return d;
  }
  if (result.status != RunStatus::complete) {
    d.note = "M = " + std::to_string(c.network.shape.M) + ", N = " + std::to_string(c.network.shape.N) +
             ": the field run did not complete: " + result.message;
    return d;
  }
  const MemoryRun& run = *result.memory;
  d.ran = true;
  d.x = need(run, "/grid/x").data;
  d.nx = int(d.x.size());
  d.ny = int(need(run, "/grid/y").data.size());
  d.ry = c.field.ry;
  d.K = c.network.shape.K();
  const auto& R = need(run, "/trajectory/response");
  const auto& phi = need(run, "/trajectory/phi");
  const auto& w = need(run, "/trajectory/w");
  const auto& adj = need(run, "/trajectory/adjoint");
  const std::vector<double> phi0 = row(phi, 0), w0 = row(w, 0);
  const auto output_line = [&](const std::vector<double>& p) {
    return std::vector<double>(p.end() - std::ptrdiff_t(d.ny), p.end());
  };
  d.Z.push_back(output_line(phi0));
  for (double t : times) {
    const std::size_t k = row_of(run, run_time(c, plan, t), c.dynamics.t_end);
    d.R.push_back(row(R, k));
    d.Z.push_back(output_line(row(phi, k)));
    d.dphi.push_back(minus(row(phi, k), phi0));
    d.dw.push_back(minus(row(w, k), w0));
    d.adj.push_back(row(adj, k));
  }
  for (double g : need(run, "/trajectory/max_gain_deviation_over_ax").data) d.max_gain = std::max(d.max_gain, g);
  d.left = number_attribute(run, "left_critical_regime_at", -1.0);
  return d;
}

using Clock = std::chrono::steady_clock;

std::string seconds_since(Clock::time_point t0) {
  return compare_number(std::chrono::duration<double>(Clock::now() - t0).count(), 3);
}

// A run with an estimate of its cost (relative: only ratios matter), giving its log line;
// under mpirun its result travels to process 0 as bytes (save there, load here).
struct CostedJob {
  double cost;
  std::function<std::string()> run;
  std::function<std::string()> save;
  std::function<void(const std::string&)> load;
  bool alone = false;  // runs by itself, on every worker thread (the largest network's memory)
};

void write_rows(ByteWriter& w, const std::vector<std::vector<double>>& rows) {
  w.value(std::uint64_t(rows.size()));
  for (const auto& r : rows) w.values(r);
}

std::vector<std::vector<double>> read_rows(ByteReader& r) {
  std::vector<std::vector<double>> rows(r.value<std::uint64_t>());
  for (auto& row : rows) row = r.values<double>();
  return rows;
}

std::string to_bytes(const NetData& d) {
  ByteWriter w;
  for (int v : {d.M, d.N, d.K}) w.value(v);
  for (double v : {d.ax, d.max_gain, d.left}) w.value(v);
  for (const auto* rows : {&d.R, &d.dz, &d.dW, &d.adj, &d.Z, &d.Y}) write_rows(w, *rows);
  return w.take();
}

void from_bytes(const std::string& bytes, NetData& d) {
  ByteReader r(bytes);
  for (int* v : {&d.M, &d.N, &d.K}) *v = r.value<int>();
  for (double* v : {&d.ax, &d.max_gain, &d.left}) *v = r.value<double>();
  for (auto* rows : {&d.R, &d.dz, &d.dW, &d.adj, &d.Z, &d.Y}) *rows = read_rows(r);
}

std::string to_bytes(const FieldData& d) {
  ByteWriter w;
  w.value(d.ran);
  w.text(d.note);
  for (int v : {d.nx, d.ny, d.ry, d.K}) w.value(v);
  for (double v : {d.max_gain, d.left}) w.value(v);
  w.values(d.x);
  for (const auto* rows : {&d.R, &d.dphi, &d.dw, &d.adj, &d.Z}) write_rows(w, *rows);
  return w.take();
}

void from_bytes(const std::string& bytes, FieldData& d) {
  ByteReader r(bytes);
  d.ran = r.value<bool>();
  d.note = r.text();
  for (int* v : {&d.nx, &d.ny, &d.ry, &d.K}) *v = r.value<int>();
  for (double* v : {&d.max_gain, &d.left}) *v = r.value<double>();
  d.x = r.values<double>();
  for (auto* rows : {&d.R, &d.dphi, &d.dw, &d.adj, &d.Z}) *rows = read_rows(r);
}

// save/load of a job whose result is `slot`.
template <class Data>
CostedJob with_slot(double cost, std::function<std::string()> run, Data& slot) {
  return {cost, std::move(run), [&slot] { return to_bytes(slot); },
          [&slot](const std::string& bytes) { from_bytes(bytes, slot); }};
}

// Lines for options.log, from any worker, one at a time, each with the overall progress:
// runs done, and an ETA from the estimated costs of the runs done and left. Under mpirun
// the runs and costs done are totals over every process (SharedTotals), so process 0's
// lines count the others' runs too. After a stop the runs end early; their lines would
// only say so, so none is written.
class CompareLog {
 public:
  CompareLog(const std::function<void(const std::string&)>& sink, const std::atomic<bool>* stop,
             const std::vector<CostedJob>& jobs)
      : m_sink(sink), m_stop(stop), m_runs(jobs.size()) {
    for (const CostedJob& j : jobs) m_total_cost += j.cost;
  }
  void finished(const CostedJob& job, const std::string& line) {
    std::lock_guard<std::mutex> lock(m_mutex);
    const std::vector<double> done = m_done_everywhere.add({1.0, job.cost});
    m_done = std::size_t(done[0]);
    m_done_cost = done[1];
    if (!m_sink || (m_stop && m_stop->load())) return;
    const double elapsed = std::chrono::duration<double>(Clock::now() - m_start).count();
    const double left = m_total_cost > m_done_cost ? elapsed * (m_total_cost - m_done_cost) / m_done_cost : 0.0;
    m_sink("[" + std::to_string(m_done) + "/" + std::to_string(m_runs) + " runs, ETA " + format_eta(left) + "] " + line);
  }

 private:
  static std::string format_eta(double seconds) {
    const long s = std::lround(seconds);
    return s >= 3600 ? std::to_string(s / 3600) + "h" + std::to_string(s / 60 % 60) + "m"
           : s >= 60 ? std::to_string(s / 60) + "m" + std::to_string(s % 60) + "s"
                     : std::to_string(s) + "s";
  }
  const std::function<void(const std::string&)>& m_sink;
  const std::atomic<bool>* m_stop;
  std::size_t m_runs, m_done = 0;
  double m_total_cost = 0.0, m_done_cost = 0.0;
  SharedTotals m_done_everywhere{2};  // runs, cost
  Clock::time_point m_start = Clock::now();
  std::mutex m_mutex;
};

// The finest network holds the most memory of all the runs (its state and integrator
// stages): it runs alone, its passes on all `threads`, and the others after it.
void add_network_jobs(const ModelConfig& config, const ComparePlan& plan, unsigned threads, CompareRuns& runs,
                      std::vector<CostedJob>& jobs) {
  for (std::size_t l = 0; l < runs.nets.size(); ++l) {
    const ModelConfig c = network_config(config, plan.refine, int(l), plan.every);
    const double cost = double(c.network.shape.M) * c.network.shape.N * c.network.shape.M;
    const bool finest = l + 1 == runs.nets.size();
    jobs.push_back(with_slot(
        cost,
        [&, c, &slot = runs.nets[l], run_threads = finest ? int(threads) : 1] {
          const auto t0 = Clock::now();
          std::string message;
          slot = network_data(c, plan, message, run_threads);
          return "network M = " + std::to_string(c.network.shape.M) + ", N = " + std::to_string(c.network.shape.N) +
                 ": " + message + " (" + seconds_since(t0) + " s)";
        },
        runs.nets[l]));
    jobs.back().alone = finest;
  }
}

void add_field_jobs(const ModelConfig& config, const CompareOptions& options, const ComparePlan& plan,
                    CompareRuns& runs, std::vector<CostedJob>& jobs) {
  for (StudyRuns& s : runs.studies)
    for (std::size_t l = 0; l < s.levels.size(); ++l) {
      const ModelConfig c = field_config(config, plan.refine, int(l), plan.every, DepthForm::midpoint, s.p, s.coarsen,
                                         options.allow_unstable);
      FieldData& slot = s.levels[l];
      const int rx = s.coarsen.rx, ry = s.coarsen.ry, M = c.network.shape.M, N = c.network.shape.N;
      if (N % ry != 0 || M < 2 * rx) {
        slot.note = "M = " + std::to_string(M) + ", N = " + std::to_string(N) + ": coarsening " +
                    coarsening_text(rx, ry) + " does not fit the lattice (skipped)";
        continue;
      }
      // A coarse depth grid over a fine width grid takes substeps ~ rx/ry (field_stability).
      const double substeps = std::max(1.0, double(rx) / ry);
      const double cost = 40.0 * substeps * double(M) * N * M / (double(rx) * ry);
      jobs.push_back(with_slot(
          cost,
          [&, c, &slot = slot, p = s.p, rx, ry] {
            const auto t0 = Clock::now();
            slot = field_data(c, plan);
            return "field p = " + std::to_string(p) + ", " + coarsening_text(rx, ry) + ", M = " +
                   std::to_string(c.network.shape.M) + ", N = " + std::to_string(c.network.shape.N) + ": " +
                   (slot.ran ? std::string("done") : slot.note) + " (" + seconds_since(t0) + " s)";
          },
          slot));
    }
}

// Both with the same fixed-step RK4: the exact form is the network itself (docs/theory.md 4.5).
void add_exact_jobs(const ModelConfig& config, const CompareOptions& options, const ComparePlan& plan,
                    CompareRuns& runs, std::vector<CostedJob>& jobs) {
  ModelConfig cn = network_config(config, plan.refine, 0, plan.every);
  ModelConfig cf = field_config(config, plan.refine, 0, plan.every, DepthForm::exact, 1, {1, 1}, options.allow_unstable);
  for (ModelConfig* c : {&cn, &cf}) {
    c->integrator.stepper = StepperKind::rk4;
    c->integrator.adaptive = false;
    c->integrator.dt = std::min(config.integrator.dt, plan.every / 4);
  }
  const double cost = 4.0 * double(cn.network.shape.M) * cn.network.shape.N * cn.network.shape.M;
  jobs.push_back(with_slot(
      cost,
      [&, cn] {
        const auto t0 = Clock::now();
        std::string message;
        runs.exact_net = network_data(cn, plan, message);
        return "lattice-exact reference network, M = " + std::to_string(cn.network.shape.M) + ": " + message + " (" +
               seconds_since(t0) + " s)";
      },
      runs.exact_net));
  jobs.push_back(with_slot(
      cost,
      [&, cf] {
        const auto t0 = Clock::now();
        runs.exact_field = field_data(cf, plan);
        return "lattice-exact field run, M = " + std::to_string(cf.network.shape.M) + ": " +
               (runs.exact_field.ran ? std::string("done") : runs.exact_field.note) + " (" + seconds_since(t0) +
               " s)";
      },
      runs.exact_field));
}

}  // namespace

CompareRuns run_compare_levels(const ModelConfig& config, const CompareOptions& options, const ComparePlan& plan) {
  const std::size_t L = std::size_t(options.levels);
  const unsigned threads = resolve_thread_count(options.threads);
  CompareRuns runs;
  runs.nets.resize(L);
  for (int p : options.orders)
    for (const Coarsening& r : plan.coarsen) runs.studies.push_back({p, r, std::vector<FieldData>(L)});
  std::vector<CostedJob> jobs;
  add_network_jobs(config, plan, threads, runs, jobs);
  add_field_jobs(config, options, plan, runs, jobs);
  if (options.exact_check) add_exact_jobs(config, options, plan, runs, jobs);
  // The jobs that run alone first, then the others the costliest first.
  std::stable_sort(jobs.begin(), jobs.end(), [](const CostedJob& a, const CostedJob& b) {
    return a.alone != b.alone ? a.alone : a.cost > b.cost;
  });
  const std::size_t alone = std::size_t(std::count_if(jobs.begin(), jobs.end(), [](auto& j) { return j.alone; }));
  CompareLog log(options.log, options.stop, jobs);
  // A stop (SIGINT) stops the running runs and starts no new ones; whatever they threw
  // then (an incomplete network run) is the interruption, not an error.
  ParallelHooks hooks;
  hooks.stop = options.stop;
  const auto stopped = [&] { return options.stop && options.stop->load(); };
  if (processes::count() == 1) {
    try {
      // jobs [first, first + n) on `workers` threads.
      const auto run_range = [&](std::size_t first, std::size_t n, unsigned workers) {
        parallel_for(
            n, workers, [&](std::size_t j, unsigned) { log.finished(jobs[first + j], jobs[first + j].run()); }, hooks);
      };
      run_range(0, alone, 1);
      if (!stopped()) run_range(alone, jobs.size() - alone, threads);
    } catch (const std::exception&) {
      if (stopped()) throw CompareInterrupted();
      throw;
    }
    if (stopped()) throw CompareInterrupted();
    return runs;
  }
  // Under mpirun (processes.hpp): a job's result is a flag (1: it ran to the end) and its
  // data; process 0 loads every one into its own copy of the jobs' slots.
  std::size_t first = 0;
  const auto job = [&](std::size_t j) {
    ByteWriter out;
    try {
      log.finished(jobs[first + j], jobs[first + j].run());
      out.value(char(1));
      out.text(jobs[first + j].save());
    } catch (const std::exception&) {
      if (!stopped()) throw;
      out.value(char(0));
    }
    return out.take();
  };
  bool complete = true;
  const auto keep = [&](std::size_t j, std::string&& bytes) {
    ByteReader in(bytes);
    if (in.value<char>() == 1)
      jobs[first + j].load(in.text());
    else
      complete = false;
  };
  for (const auto& [from, n, workers] : {std::tuple<std::size_t, std::size_t, unsigned>{0, alone, 1u},
                                         {alone, jobs.size() - alone, threads}}) {
    first = from;
    if (distributed_for(n, workers, job, keep, hooks) < n || !complete || stopped()) throw CompareInterrupted();
  }
  return runs;
}

}  // namespace nnfield::detail
