// `nnfield compare` (include/nnfield/analysis/compare.hpp): networks at refined levels and field
// runs on the same continuum data, all in memory on worker threads, then the relative
// differences, the orders and the verdicts.
#include "nnfield/analysis/compare.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <exception>
#include <limits>
#include <mutex>
#include <sstream>
#include <thread>

#include "nnfield/core/network.hpp"
#include "nnfield/run/run.hpp"

namespace nnfield {

const std::array<const char*, kCompareQuantities> kCompareQuantityNames = {"response", "phi", "w", "adjoint"};

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string num(double v, int precision = 6) {
  std::ostringstream s;
  s.precision(precision);
  s << v;
  return s.str();
}

// What one network run gives at each chosen time.
struct NetData {
  int M = 0, N = 0, K = 0;
  double ax = 0.0;
  std::vector<std::vector<double>> R, dz, dW, adj;  // (N), (M,N) row m-1 = z^(m), (M,N,K), (M,N) row m-1 = dl/dz^(m)
  double max_gain = 0.0, left = -1.0;
};

// What one field run gives at each chosen time.
struct FieldData {
  bool ran = false;
  std::string note;
  int nx = 0, ny = 0, ry = 1, K = 0;
  std::vector<double> x;                              // /grid/x
  std::vector<std::vector<double>> R, dphi, dw, adj;  // (ny), (nx,ny), (nx,ny,K), (nx,ny)
  double max_gain = 0.0, left = -1.0;
};

const MemoryRun::Dataset& need(const MemoryRun& run, const std::string& name) {
  if (!run.has(name)) throw std::runtime_error("compare: run has no " + name);
  return run.dataset(name);
}

std::size_t row_of(const MemoryRun& run, double t, double t_end) {
  const auto& time = need(run, "/trajectory/time").data;
  for (std::size_t k = 0; k < time.size(); ++k)
    if (std::fabs(time[k] - t) <= 1e-9 * std::max(1.0, t_end)) return k;
  throw std::runtime_error("compare: no output row at t = " + num(t) + " (the run stopped at t = " +
                           (time.empty() ? std::string("?") : num(time.back())) + ")");
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

// Output cadence t_end / n, no coarser than the model's output.every (the critical-regime
// check looks at the output rows), with every requested time a row.
double output_every(double t_end, const std::vector<double>& times, double model_every) {
  const int n0 = model_every > 0 ? std::max(1, int(std::ceil(t_end / model_every - 1e-9))) : 1;
  for (int n = n0; n <= 100000; ++n) {
    const double every = t_end / n;
    bool ok = true;
    for (double t : times) {
      const double k = t / every;
      ok = ok && std::fabs(k - std::round(k)) <= 1e-9 * std::max(1.0, k);
    }
    if (ok) return every;
  }
  return kNaN;
}

ModelConfig network_config(const ModelConfig& base, int level, double every) {
  ModelConfig c = base;
  c.network.shape.M = base.network.shape.M << level;
  c.network.shape.N = base.network.shape.N << level;
  c.field.present = false;
  c.init.kind = "continuum";
  if (c.dynamics.kind == "damped") c.init.velocity = "continuum";
  c.data.source = "continuum";
  c.data.presentation = "fixed";
  c.output.every = every;
  c.output.trajectory = {"W", "b", "z", "loss", "gain"};
  c.observe = ObserveConfig{};
  return c;
}

ModelConfig field_config(const ModelConfig& base, int level, double every, const std::string& form, int p, int r,
                         bool allow_unstable) {
  ModelConfig c = base;
  c.network.shape.M = base.network.shape.M << level;
  c.network.shape.N = base.network.shape.N << level;
  c.field.present = true;
  c.field.form = form;
  c.field.p = p;
  c.field.rx = c.field.ry = r;
  c.field.allow_unstable = c.field.allow_unstable || allow_unstable;
  c.output.every = every;
  c.observe = ObserveConfig{};
  return c;
}

double misfit_scale(const ModelConfig& c) {
  const double ax = c.network.Lx / c.network.shape.M;
  return (c.continuum.misfit_scaling == "depth" && c.continuum.Y.empty()) ? ax : 1.0;
}

RunResult run_in_memory(const ModelConfig& c) {
  RunOptions o;
  o.progress = "off";
  RunResult r = run_model(c, o);
  if (!r.memory) throw std::runtime_error("compare: the run kept no memory");
  return r;
}

NetData network_data(const ModelConfig& c, const std::vector<double>& times, std::string& message) {
  const RunResult result = run_in_memory(c);
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
  const auto& X = need(run, "/data/X");
  const auto& Y = need(run, "/data/Y");
  const std::vector<double> z0 = row(z, 0), W0 = row(W, 0);
  const std::size_t N = std::size_t(s.N), M = std::size_t(s.M);
  const double scale = misfit_scale(c);
  Network net(s, c.network.activation, c.network.loss);
  std::vector<double> gW(W0.size()), gb(M * N);
  for (double t : times) {
    const std::size_t k = row_of(run, t, c.dynamics.t_end);
    const std::vector<double> zt = row(z, k), Wt = row(W, k), bt = row(b, k);
    std::vector<double> R(N);
    for (std::size_t i = 0; i < N; ++i) R[i] = (zt[(M - 1) * N + i] - z0[(M - 1) * N + i]) / scale;
    d.R.push_back(R);
    d.dz.push_back(minus(zt, z0));
    d.dW.push_back(minus(Wt, W0));
    net.value_and_gradient(Wt.data(), bt.data(), X.data.data(), Y.data.data(), 1, gW.data(), gb.data());
    d.adj.push_back(gb);
  }
  if (run.has("/trajectory/gain")) {
    for (double g : run.dataset("/trajectory/gain").data) d.max_gain = std::max(d.max_gain, std::fabs(g));
    d.max_gain /= d.ax;
  }
  d.left = number_attribute(run, "left_critical_regime_at", -1.0);
  return d;
}

FieldData field_data(const ModelConfig& c, const std::vector<double>& times) {
  FieldData d;
  RunResult result;
  try {
    result = run_in_memory(c);
  } catch (const std::exception& e) {  // refused (ConfigError) or failed: the study reports it, the others go on
    d.note = "M = " + std::to_string(c.network.shape.M) + ", " + c.field.form + " p = " + std::to_string(c.field.p) +
             ", r = " + std::to_string(c.field.rx) + ": " + e.what();
    return d;
  }
  if (result.status != RunStatus::complete) {
    d.note = "M = " + std::to_string(c.network.shape.M) + ": the field run did not complete: " + result.message;
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
  for (double t : times) {
    const std::size_t k = row_of(run, t, c.dynamics.t_end);
    d.R.push_back(row(R, k));
    d.dphi.push_back(minus(row(phi, k), phi0));
    d.dw.push_back(minus(row(w, k), w0));
    d.adj.push_back(row(adj, k));
  }
  for (double g : need(run, "/trajectory/max_gain_deviation_over_ax").data) d.max_gain = std::max(d.max_gain, g);
  d.left = number_attribute(run, "left_critical_regime_at", -1.0);
  return d;
}

// Cubic Lagrange weights in the layer index m at s = x/ax, on the nodes lo..hi.
std::vector<std::pair<int, double>> depth_weights(double s, int lo, int hi) {
  const int n = std::min(4, hi - lo + 1);
  const double nearest = std::round(s);
  if (std::fabs(s - nearest) < 1e-9 && nearest >= lo && nearest <= hi) return {{int(nearest), 1.0}};
  int j0 = int(std::floor(s)) - (n - 1) / 2;
  j0 = std::max(lo, std::min(j0, hi - n + 1));
  std::vector<std::pair<int, double>> out;
  for (int j = j0; j < j0 + n; ++j) {
    double wgt = 1.0;
    for (int i = j0; i < j0 + n; ++i)
      if (i != j) wgt *= (s - i) / double(j - i);
    out.push_back({j, wgt});
  }
  return out;
}

// ||field - network||/||network|| over lines a < lines, width nodes b, components k;
// the network value at node m is net[(m - offset) * N * C + i * C + k], i = b ry.
double line_error(const std::vector<double>& field, const std::vector<double>& net, const FieldData& f,
                  const NetData& n, int lines, int lo, int hi, int offset, int C) {
  double num2 = 0.0, den2 = 0.0;
  for (int a = 0; a < lines; ++a) {
    const auto wts = depth_weights(f.x[std::size_t(a)] / n.ax, lo, hi);
    for (int b = 0; b < f.ny; ++b) {
      const int i = b * f.ry;
      for (int k = 0; k < C; ++k) {
        double v = 0.0;
        for (const auto& [m, wgt] : wts) v += wgt * net[(std::size_t(m - offset) * n.N + std::size_t(i)) * C + k];
        const double fv = field[(std::size_t(a) * f.ny + b) * C + k];
        num2 += (fv - v) * (fv - v);
        den2 += v * v;
      }
    }
  }
  return std::sqrt(num2 / den2);
}

std::array<double, kCompareQuantities> study_errors(const FieldData& f, const NetData& n, std::size_t ti) {
  std::array<double, kCompareQuantities> e{};
  double num2 = 0.0, den2 = 0.0;
  for (int b = 0; b < f.ny; ++b) {
    const double v = n.R[ti][std::size_t(b * f.ry)], fv = f.R[ti][std::size_t(b)];
    num2 += (fv - v) * (fv - v);
    den2 += v * v;
  }
  e[0] = std::sqrt(num2 / den2);
  e[1] = line_error(f.dphi[ti], n.dz[ti], f, n, f.nx, 1, n.M, 1, 1);
  // The links leaving the last line (x = Lx) do not exist.
  e[2] = line_error(f.dw[ti], n.dW[ti], f, n, f.nx - 1, 1, n.M - 1, 0, n.K);
  e[3] = line_error(f.adj[ti], n.adj[ti], f, n, f.nx, 1, n.M, 1, 1);
  return e;
}

// Runs the jobs on `threads` workers; rethrows the first exception.
void run_jobs(std::vector<std::function<void()>>& jobs, int threads) {
  std::atomic<std::size_t> next{0};
  std::vector<std::exception_ptr> errors(jobs.size());
  auto worker = [&] {
    for (std::size_t j; (j = next++) < jobs.size();) {
      try {
        jobs[j]();
      } catch (...) {
        errors[j] = std::current_exception();
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(worker);
  for (auto& t : pool) t.join();
  for (auto& e : errors)
    if (e) std::rethrow_exception(e);
}

std::string left_text(double t, int M) { return "left the critical regime at t = " + num(t, 4) + " at M = " + std::to_string(M); }

}  // namespace

CompareResult run_compare(const ModelConfig& config, const CompareOptions& options) {
  const std::string where = config.source_path.empty() ? "model" : config.source_path;
  if (!config.continuum.present)
    throw ConfigError(where + ": compare needs a [continuum] section (the data every level samples)");
  if (config.dynamics.kind == "sgd")
    throw ConfigError(where + ": dynamics.kind = \"sgd\": compare needs gradient_flow or damped dynamics");
  if (options.levels < 2 || options.levels > 8) throw ConfigError(where + ": --levels must be in 2..8");
  const double t_end = config.dynamics.t_end;
  CompareResult out;
  out.times = options.times.empty() ? std::vector<double>{t_end} : options.times;
  std::sort(out.times.begin(), out.times.end());
  for (double t : out.times)
    if (!(t > 0.0 && t <= t_end * (1 + 1e-12)))
      throw ConfigError(where + ": --times: t = " + num(t) + " is not in (0, t_end = " + num(t_end) + "]");
  const double every = output_every(t_end, out.times, config.output.every);
  if (!std::isfinite(every))
    throw ConfigError(where + ": --times: no output cadence t_end/n puts every time on a row");
  std::vector<int> coarsen = options.coarsen;
  if (coarsen.empty()) coarsen = {config.field.present ? config.field.rx : 1};
  for (int r : coarsen)
    if (r < 1) throw ConfigError(where + ": --coarsen: factor " + std::to_string(r) + " must be >= 1");
  for (int p : options.orders)
    if (p < 1 || p > 2) throw ConfigError(where + ": --orders: p = " + std::to_string(p) + " (the midpoint form has p = 1, 2)");

  const int L = options.levels;
  std::mutex log_mutex;
  auto log = [&](const std::string& line) {
    if (!options.log) return;
    std::lock_guard<std::mutex> lock(log_mutex);
    options.log(line);
  };
  using clock = std::chrono::steady_clock;
  auto seconds = [](clock::time_point t0) { return num(std::chrono::duration<double>(clock::now() - t0).count(), 3); };

  // ---- the runs --------------------------------------------------------------
  std::vector<NetData> nets(static_cast<std::size_t>(L));
  struct StudyRuns {
    int p, r;
    std::vector<FieldData> levels;
  };
  std::vector<StudyRuns> runs;
  for (int p : options.orders)
    for (int r : coarsen) runs.push_back({p, r, std::vector<FieldData>(std::size_t(L))});
  NetData exact_net;
  FieldData exact_field;
  std::vector<std::pair<double, std::function<void()>>> weighted;  // (cost estimate, job)
  for (int l = 0; l < L; ++l) {
    const ModelConfig c = network_config(config, l, every);
    const double cost = double(c.network.shape.M) * c.network.shape.N * c.network.shape.M;
    weighted.push_back({cost, [&, l, c] {
                          const auto t0 = clock::now();
                          std::string message;
                          nets[std::size_t(l)] = network_data(c, out.times, message);
                          log("network M = " + std::to_string(c.network.shape.M) + ", N = " +
                              std::to_string(c.network.shape.N) + ": " + message + " (" + seconds(t0) + " s)");
                        }});
  }
  for (auto& s : runs)
    for (int l = 0; l < L; ++l) {
      const ModelConfig c = field_config(config, l, every, "midpoint", s.p, s.r, options.allow_unstable);
      FieldData& slot = s.levels[std::size_t(l)];
      if (c.network.shape.N % s.r != 0 || c.network.shape.M < 2 * s.r) {
        slot.note = "M = " + std::to_string(c.network.shape.M) + ", N = " + std::to_string(c.network.shape.N) +
                    ": coarsening " + std::to_string(s.r) + " does not fit the lattice (skipped)";
        continue;
      }
      const double cost = 40.0 * double(c.network.shape.M) * c.network.shape.N * c.network.shape.M / (double(s.r) * s.r);
      weighted.push_back({cost, [&, c, &slot = slot, p = s.p, r = s.r] {
                            const auto t0 = clock::now();
                            slot = field_data(c, out.times);
                            log("field p = " + std::to_string(p) + ", r = " + std::to_string(r) + ", M = " +
                                std::to_string(c.network.shape.M) + ": " +
                                (slot.ran ? std::string("done") : slot.note) + " (" + seconds(t0) + " s)");
                          }});
    }
  if (options.exact_check) {
    // Both with the same fixed-step RK4: the exact form is the network itself (SPEC 4.5).
    ModelConfig cn = network_config(config, 0, every), cf = field_config(config, 0, every, "exact", 1, 1, options.allow_unstable);
    for (ModelConfig* c : {&cn, &cf}) {
      c->integrator.stepper = "rk4";
      c->integrator.adaptive = false;
      c->integrator.dt = std::min(config.integrator.dt, every / 4);
    }
    const double cost = 4.0 * double(cn.network.shape.M) * cn.network.shape.N * cn.network.shape.M;
    weighted.push_back({cost, [&, cn] {
                          std::string message;
                          exact_net = network_data(cn, out.times, message);
                        }});
    weighted.push_back({cost, [&, cf] {
                          const auto t0 = clock::now();
                          exact_field = field_data(cf, out.times);
                          log("lattice-exact field run, M = " + std::to_string(cf.network.shape.M) + ": " +
                              (exact_field.ran ? std::string("done") : exact_field.note) + " (" + seconds(t0) + " s)");
                        }});
  }
  std::stable_sort(weighted.begin(), weighted.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<std::function<void()>> jobs;
  for (auto& w : weighted) jobs.push_back(std::move(w.second));
  int threads = options.threads > 0 ? options.threads : int(std::max(1u, std::thread::hardware_concurrency()));
  threads = std::max(1, std::min(threads, int(jobs.size())));
  run_jobs(jobs, threads);

  // ---- levels, self-convergence ------------------------------------------------
  const std::size_t T = out.times.size(), last = T - 1;
  std::vector<double> a;
  for (const NetData& n : nets) {
    out.levels.push_back({n.M, n.N, n.ax, n.max_gain, n.left});
    a.push_back(n.ax);
  }
  out.self_error.assign(T, std::vector<double>(std::size_t(L - 1)));
  for (std::size_t ti = 0; ti < T; ++ti)
    for (int l = 0; l + 1 < L; ++l) {
      const NetData &c = nets[std::size_t(l)], &f = nets[std::size_t(l + 1)];
      double num2 = 0.0, den2 = 0.0;
      for (int i = 0; i < c.N; ++i) {
        const double v = f.R[ti][std::size_t(2 * i)], d = c.R[ti][std::size_t(i)] - v;
        num2 += d * d;
        den2 += v * v;
      }
      out.self_error[ti][std::size_t(l)] = std::sqrt(num2 / den2);
    }
  const std::vector<double>& se = out.self_error[last];
  for (std::size_t l = 0; l + 1 < se.size(); ++l) out.self_order.push_back(std::log2(se[l] / se[l + 1]));
  out.self_fit = fit_orders(std::vector<double>(a.begin(), a.end() - 1), se);
  std::string network_left;
  for (const CompareLevel& lv : out.levels)
    if (lv.left_critical_at >= 0 && network_left.empty()) network_left = left_text(lv.left_critical_at, lv.M);
  bool self_decreasing = true;
  for (std::size_t l = 0; l + 1 < se.size(); ++l) self_decreasing = self_decreasing && se[l + 1] < se[l];
  if (!network_left.empty())
    out.self_verdict = "no limit (networks " + network_left + ")";
  else if (!self_decreasing)
    out.self_verdict = "no limit (the self-convergence errors do not decrease)";
  else
    out.self_verdict = convergence_verdict(se, out.self_fit, 1.0);

  // ---- studies -----------------------------------------------------------------
  for (StudyRuns& s : runs) {
    CompareStudy st;
    st.name = "p" + std::to_string(s.p) + "_r" + std::to_string(s.r);
    st.p = s.p, st.r = s.r;
    st.theoretical_order = s.p;
    st.errors.assign(T, std::vector<std::array<double, kCompareQuantities>>(std::size_t(L)));
    std::string field_left;
    for (int l = 0; l < L; ++l) {
      const FieldData& f = s.levels[std::size_t(l)];
      st.ran.push_back(f.ran);
      st.max_gain_over_ax.push_back(f.ran ? f.max_gain : kNaN);
      st.left_critical_at.push_back(f.ran ? f.left : -1.0);
      if (!f.note.empty()) st.notes.push_back(f.note);
      if (f.ran && f.left >= 0 && field_left.empty()) field_left = left_text(f.left, nets[std::size_t(l)].M);
      for (std::size_t ti = 0; ti < T; ++ti) {
        if (f.ran)
          st.errors[ti][std::size_t(l)] = study_errors(f, nets[std::size_t(l)], ti);
        else
          st.errors[ti][std::size_t(l)].fill(kNaN);
      }
    }
    for (int q = 0; q < kCompareQuantities; ++q) {
      std::vector<double> e, aa;
      for (int l = 0; l < L; ++l) {
        const double v = st.errors[last][std::size_t(l)][std::size_t(q)];
        if (std::isfinite(v)) e.push_back(v), aa.push_back(a[std::size_t(l)]);
      }
      st.fits[std::size_t(q)] = fit_orders(aa, e);
      // Pair orders on the full level axis (NaN where a level did not run).
      std::vector<double> full;
      for (int l = 0; l + 1 < L; ++l) {
        const double e0 = st.errors[last][std::size_t(l)][std::size_t(q)], e1 = st.errors[last][std::size_t(l + 1)][std::size_t(q)];
        full.push_back(std::log(e0 / e1) / std::log(a[std::size_t(l)] / a[std::size_t(l + 1)]));
      }
      st.fits[std::size_t(q)].pair_order = full;
      std::string v;
      if (!field_left.empty())
        v = "no limit (field runs " + field_left + ")";
      else if (!network_left.empty())
        v = "no limit (networks " + network_left + ")";
      else if (out.self_verdict.rfind("no limit", 0) == 0)
        v = "no limit (the network self-convergence errors do not decrease)";
      else if (e.size() < 2)
        v = "not measured (fewer than two levels ran)";
      else {
        OrderFit compact = fit_orders(aa, e);
        v = convergence_verdict(e, compact, st.theoretical_order);
      }
      st.verdicts[std::size_t(q)] = v;
    }
    st.verdict = st.verdicts[0];
    out.studies.push_back(std::move(st));
  }

  // ---- the lattice-exact check ---------------------------------------------------
  if (options.exact_check) {
    if (exact_field.ran) {
      out.exact_checked = true;
      double worst = 0.0;
      for (std::size_t ti = 0; ti < T; ++ti) {
        double num2 = 0.0, den2 = 0.0;
        for (int b = 0; b < exact_field.ny; ++b) {
          const double v = exact_net.R[ti][std::size_t(b)], d = exact_field.R[ti][std::size_t(b)] - v;
          num2 += d * d;
          den2 += v * v;
        }
        worst = std::max(worst, std::sqrt(num2 / den2));
      }
      out.exact_max_rel_diff = worst;
    } else {
      out.notes.push_back("lattice-exact check not run: " + exact_field.note);
    }
  }
  return out;
}

}  // namespace nnfield
