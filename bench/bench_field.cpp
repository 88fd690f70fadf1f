// The field solver's cost and its coarse-graining payoff (issue 6; docs/theory.md 4.4;
// docs/performance.md "Field solver").
//
// Part "rhs": cost of one right-hand side (FieldTheory::gradient: a forward and a reverse
// depth sweep) on grids nx x ny = 16^2 .. 128^2 over one lattice (M = N = 1024), the
// exponent of time vs grid points (expect ~1; the width FFTs add a log factor), ns per grid
// point, and the network's ns per site per gradient (Network::value_and_gradient, M = N = 512).
//
// Part "payoff" / "curve": gradient flow in the weakly nonlinear regime (docs/theory.md 4.2) of the
// network (M = N, sampled from smooth critical continuum data) and of the field theory on a
// grid r times coarser per direction (rx = ry = r), same eta = eta0 * ax, same integrator
// (dopri5, same rtol/atol). Target Y = Z0 + ax m(y), Z0 each model's own initial output, m a
// fixed smooth misfit of O(1). Compared: the output response (Z(t_end) - Z0)/ax, field
// width node b vs lattice neuron i = b r (relative L2); the absolute output Z against the
// network's, in units of the network's remaining misfit |Z_net - Y|, at t_end and at t = 0;
// and the CPU time of the integration (best of R). Cases ("payoff"): r = 16 at M = 512 and r = 8 at M = 256, p = 2 and 1;
// ("curve") r = 4, 8, 16, 32 at M = 512. Each for two settings of the depth discretisation
// (--configs q:substeps,...; substeps 0 = the stability check's recommendation; "default" =
// what a model file gets: q automatic, substeps from the stability check then doubled for
// accuracy, field_problem.hpp): the default, q = 5 with the recommended substeps, and q = 7
// with 2 substeps.
//
// Usage: bench_field [--part all|rhs|payoff|curve] [--M 512] [--t-end 0.2] [--eta0 1]
//                    [--rtol 1e-7] [--atol 1e-12] [--configs default,5:0,7:2] [--p 2,1]
//                    [--factors 4,8,16,32] [--repeat 3] [--seed 17] [--seeds 8]
// Prints tables and "ratio" lines: "exponent"/"ratio" of the cost per right-hand side, and
// per case over the data seeds seed .. seed + seeds - 1 the median and worst of the response
// error, of the absolute output error at t_end and at t = 0 (the offset the response leaves
// out) and of the CPU ratio ("ratio <median CPU network / field> ..., output error ...").
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "nnfield/data/continuum_data.hpp"
#include "nnfield/dynamics/training_dynamics.hpp"
#include "nnfield/field/field_potential.hpp"
#include "nnfield/field/field_init.hpp"
#include "nnfield/field/field_problem.hpp"
#include "nnfield/field/field_stability.hpp"
#include "nnfield/dynamics/integrator.hpp"
#include "nnfield/core/network.hpp"
#include "nnfield/numerics/rng.hpp"
#include "field_support.hpp"  // tests/: the smooth critical data and the network flow the tests use

using namespace nnfield;
using nnfield::test::loglog_slope;
using nnfield::test::NetworkFlow;
using nnfield::test::smooth_critical_data;

namespace {


// The fixed smooth misfit m(y), O(1) (rms ~0.5): Y = Z0 + ax m(y).
double misfit(double y) {
  const double tau = 2.0 * M_PI;
  return 0.6 * std::sin(tau * y + 0.3) + 0.4 * std::cos(2.0 * tau * y + 1.1) + 0.2 * std::sin(3.0 * tau * y - 0.5);
}

double cpu_seconds() { return double(std::clock()) / CLOCKS_PER_SEC; }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// Median over `samples` batches of the seconds per call of f; a batch runs for >= min_batch s.
double time_per_call(const std::function<void()>& f, int samples = 7, double min_batch = 0.05) {
  f();  // warm-up
  long calls = 1;
  for (;;) {  // calibrate the batch size
    const auto t0 = std::chrono::steady_clock::now();
    for (long i = 0; i < calls; ++i) f();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (s >= min_batch) break;
    calls *= (s < min_batch / 8) ? 8 : 2;
  }
  std::vector<double> per_call;
  for (int k = 0; k < samples; ++k) {
    const auto t0 = std::chrono::steady_clock::now();
    for (long i = 0; i < calls; ++i) f();
    per_call.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / calls);
  }
  return median(per_call);
}

struct Config {
  int q = 5;         // degree of the depth interpolation of the link fields; 0: automatic
  int substeps = 0;  // RK4 steps per depth interval; 0: the stability check's recommendation; -1: automatic
};

struct Options {
  std::string part = "all";
  int M = 512, repeat = 3;
  double t_end = 0.2, eta0 = 1.0, rtol = 1e-7, atol = 1e-12;
  std::vector<Config> configs = {{0, -1}, {5, 0}, {7, 2}};  // the model-file default, the stability check's, q = 7
  std::vector<int> ps = {2, 1};
  std::vector<int> factors = {4, 8, 16, 32};
  std::uint64_t seed = 17;  // the first data seed
  int seeds = 8;             // payoff/curve: data seeds seed .. seed + seeds - 1
};

IntegratorConfig integrator(const Options& o) {
  IntegratorConfig ic;
  ic.stepper = StepperKind::dopri5;
  ic.rtol = o.rtol;
  ic.atol = o.atol;
  ic.dt = 1e-3;
  return ic;
}

// ---------------------------------------------------------------------------------------
// Part 1: cost per right-hand side.

FieldSettings grid_settings(int p, int r, int q) {
  FieldSettings fs;
  fs.form = DepthForm::midpoint;
  fs.p = p;
  fs.rx = fs.ry = r;
  fs.q = q;
  return fs;
}

// Substeps from the stability check on the data's phi (field_stability.hpp).
int stable_substeps(const LatticeGeometry& lattice, const ContinuumData& data, FieldSettings fs) {
  fs.depth_substeps = 1;
  FieldTheory probe(lattice, Activation::tanh, Loss::mse, fs);
  const std::vector<double> X = sample_width(data.X, 0.0, probe);
  const std::vector<double> q = field_params_from_continuum(probe, data, X);
  return field_stability(probe, q.data(), sample_phi_on_lines(probe, data.phi).data()).recommended_substeps;
}

void part_rhs(const Options& o, const ContinuumData& data) {
  // The network's cost per site per gradient.
  const int Mn = 512;
  const SampledNetwork net = sample_network(data, Mn, Mn);
  const NetworkShape s = net.lattice.shape;
  Network network(s, Activation::tanh, Loss::mse);
  std::vector<double> gW(s.num_weights()), gb(s.num_biases()), Yn(static_cast<std::size_t>(Mn));
  for (int i = 0; i < Mn; ++i) Yn[std::size_t(i)] = misfit(i * net.lattice.ay());
  const double tn = time_per_call(
      [&] { network.value_and_gradient(net.W.data(), net.b.data(), net.X.data(), Yn.data(), 1, gW.data(), gb.data()); });
  const double ns_site = 1e9 * tn / (double(Mn) * Mn);
  std::printf("== cost per right-hand side; median of 7 batches of >= 50 ms, wall clock, one thread\n");
  std::printf("network M = N = %d, r = 1 (Network::value_and_gradient): %.3f ms/gradient, %.2f ns/site\n", Mn, 1e3 * tn,
              ns_site);

  const int L = 1024;
  const LatticeGeometry lattice{NetworkShape{L, L, 1}, 1.0, 1.0};
  const int q_degree = o.configs.front().q > 0 ? o.configs.front().q : 5;
  for (int p : o.ps) {
    std::printf("field (FieldTheory::gradient = forward + reverse sweep) on lattice M = N = %d, midpoint p = %d, q = %d, "
                "substeps from field_stability\n", L, p, q_degree);
    std::printf("%6s %5s %5s %4s %8s %12s %9s %10s %12s\n", "rx=ry", "nx", "ny", "sub", "points", "ms/gradient",
                "ns/point", "point/site", "S per step");
    std::vector<double> points, times;
    for (int n : {16, 32, 64, 128}) {
      FieldSettings fs = grid_settings(p, L / n, q_degree);
      fs.depth_substeps = stable_substeps(lattice, data, fs);
      FieldTheory theory(lattice, Activation::tanh, Loss::mse, fs);
      const std::vector<double> X = sample_width(data.X, 0.0, theory);
      const std::vector<double> q = field_params_from_continuum(theory, data, X);
      std::vector<double> Y(std::size_t(theory.ny()));
      for (int b = 0; b < theory.ny(); ++b) Y[std::size_t(b)] = misfit(theory.y(b));
      std::vector<double> grad(q.size());
      const long e0 = theory.layer_evaluations();
      theory.gradient(q.data(), X.data(), Y.data(), grad.data());
      const long evals = theory.layer_evaluations() - e0;  // layer maps S per gradient (forward + reverse)
      const double t = time_per_call([&] { theory.gradient(q.data(), X.data(), Y.data(), grad.data()); });
      const double np = double(theory.nx()) * theory.ny();
      points.push_back(np);
      times.push_back(t);
      std::printf("%6d %5d %5d %4d %8.0f %12.4f %9.1f %10.1f %12.1f\n", L / n, theory.nx(), theory.ny(),
                  fs.depth_substeps, np, 1e3 * t, 1e9 * t / np, 1e9 * t / np / ns_site,
                  double(evals) / (theory.nx() - 1));
    }
    const double slope = loglog_slope(points, times);
    double lo = 1e300, hi = 0;
    for (std::size_t i = 0; i < points.size(); ++i) {
      const double c = 1e9 * times[i] / points[i] / ns_site;
      lo = std::min(lo, c), hi = std::max(hi, c);
    }
    std::printf("exponent %.3f (p = %d; least squares of log time vs log points over 4 sizes; 1 = linear)\n", slope, p);
    std::printf("ratio %.1f .. %.1f (p = %d; cost of a field point / a network site per gradient; "
                "docs/theory.md 4.4: 30-60)\n\n",
                lo, hi, p);
  }
}

// ---------------------------------------------------------------------------------------
// Part 2: the coarse-graining payoff.

// Any system with its right-hand sides timed (the rest of the CPU time is the integrator's).
class TimedSystem : public OdeSystem {
 public:
  explicit TimedSystem(OdeSystem& inner) : m_inner(inner) {}
  std::size_t state_size() const override { return m_inner.state_size(); }
  std::size_t num_controlled() const override { return m_inner.num_controlled(); }
  void rhs(const State& x, State& dxdt, double t) override {
    const double c0 = cpu_seconds();
    m_inner.rhs(x, dxdt, t);
    seconds += cpu_seconds() - c0;
    ++evaluations;
  }
  double seconds = 0.0;
  long evaluations = 0;

 private:
  OdeSystem& m_inner;
};

struct RunResult {
  std::vector<double> response;  // (Z(t_end) - Z0)/ax on the model's width points
  std::vector<double> Z0, Z1, Y;  // the output at t = 0 and t_end, the target
  double cpu = 0.0, rhs_cpu = 0.0, L0 = 0.0, L1 = 0.0;  // integration, and its right-hand sides
  long steps = 0, rejected = 0, evaluations = 0;
  int substeps = 0, q = 0, nx = 0, ny = 0;
  double gain0 = 0.0, gain1 = 0.0;  // max|g - 1|/ax at t = 0 and t_end (network)
};

// Integrates `system` to t_end o.repeat times from the state reset() puts in x, keeping
// the least disturbed run's CPU times (the runs are identical: only the machine differs).
template <class Reset>
void timed_runs(const Options& o, OdeSystem& system, State& x, RunResult& r, Reset reset) {
  IntegrationStats st;
  r.cpu = 1e300;
  for (int rep = 0; rep < o.repeat; ++rep) {
    reset();
    TimedSystem timed(system);
    const double c0 = cpu_seconds();
    st = integrate(timed, x, 0.0, {o.t_end}, {}, integrator(o), {});
    const double c = cpu_seconds() - c0;
    if (c < r.cpu) r.cpu = c, r.rhs_cpu = timed.seconds;
    r.evaluations = timed.evaluations;
  }
  r.steps = st.accepted;
  r.rejected = st.rejected;
}

RunResult run_network(const Options& o, const ContinuumData& data, int M) {
  const SampledNetwork net = sample_network(data, M, M);
  const NetworkShape s = net.lattice.shape;
  const double ax = net.lattice.ax();
  Network network(s, Activation::tanh, Loss::mse);
  std::vector<double> Z0(static_cast<std::size_t>(M)), Y(Z0.size()), Z(Z0.size()), z(s.num_biases());
  network.forward(net.W.data(), net.b.data(), net.X.data(), 1);
  network.output(Z0.data());
  for (int i = 0; i < M; ++i) Y[std::size_t(i)] = Z0[std::size_t(i)] + ax * misfit(i * net.lattice.ay());
  RunResult r;
  r.L0 = network.loss(Y.data());
  r.gain0 = net.max_gain_deviation() / ax;
  NetworkFlow flow(s, net.X, Y, o.eta0 * ax);
  State x(flow.state_size());
  timed_runs(o, flow, x, r, [&] {
    std::copy(net.W.begin(), net.W.end(), x.begin());
    std::copy(net.b.begin(), net.b.end(), x.begin() + std::ptrdiff_t(net.W.size()));
  });
  network.forward(x.data(), x.data() + s.num_weights(), net.X.data(), 1);
  network.output(Z.data());
  r.L1 = network.loss(Y.data());
  network.neurons(0, z.data());
  const std::vector<double> g = link_gain(s, Activation::tanh, x.data(), z.data());
  for (double v : g) r.gain1 = std::max(r.gain1, std::fabs(v - 1.0) / ax);
  r.response.resize(std::size_t(M));
  for (int i = 0; i < M; ++i) r.response[std::size_t(i)] = (Z[std::size_t(i)] - Z0[std::size_t(i)]) / ax;
  r.Z0 = Z0, r.Z1 = Z, r.Y = Y;
  r.nx = M, r.ny = M;
  return r;
}

RunResult run_field(const Options& o, const ContinuumData& data, int M, int factor, int p, int q_degree,
                    int substeps) {
  const LatticeGeometry lattice{NetworkShape{M, M, 1}, 1.0, 1.0};
  FieldSettings fs = grid_settings(p, factor, q_degree > 0 ? q_degree : 5);
  RunResult r;
  fs.depth_substeps = substeps > 0 ? substeps : stable_substeps(lattice, data, fs);
  auto owned = std::make_unique<FieldTheory>(lattice, Activation::tanh, Loss::mse, fs);
  const std::vector<double> X = sample_width(data.X, 0.0, *owned);
  const std::vector<double> q = field_params_from_continuum(*owned, data, X);
  if (substeps < 0) {  // what a model file gets by default (depth_substeps = 0), misfit ax m(y) as below
    std::vector<double> m(static_cast<std::size_t>(owned->ny()));
    for (int b = 0; b < owned->ny(); ++b) m[std::size_t(b)] = owned->ax() * misfit(owned->y(b));
    const std::vector<double> phi_data = sample_phi_on_lines(*owned, data.phi);
    owned = theory_with_automatic_settings(lattice, Activation::tanh, Loss::mse, fs, q_degree == 0, true,
                                           {q, X, phi_data, m});
  }
  FieldTheory& theory = *owned;
  r.substeps = theory.settings().depth_substeps;
  r.q = theory.settings().q;
  const int nx = theory.nx(), ny = theory.ny();
  const double ax = theory.ax();
  std::vector<double> phi(std::size_t(nx) * ny), Y(static_cast<std::size_t>(ny), 0.0), Z0(Y.size());
  theory.loss(q.data(), X.data(), Y.data(), phi.data());
  std::copy_n(phi.data() + std::size_t(nx - 1) * ny, ny, Z0.data());
  for (int b = 0; b < ny; ++b) Y[std::size_t(b)] = Z0[std::size_t(b)] + ax * misfit(theory.y(b));
  FieldPotential potential(theory, X, Y);
  GradientFlow flow(potential, o.eta0 * ax);
  State x;
  r.L0 = theory.loss(q.data(), X.data(), Y.data());
  timed_runs(o, flow, x, r, [&] { x = flow.initial_state(q, {}); });
  r.L1 = theory.loss(x.data(), X.data(), Y.data(), phi.data());
  r.response.resize(std::size_t(ny));
  for (int b = 0; b < ny; ++b)
    r.response[std::size_t(b)] = (phi[std::size_t(nx - 1) * ny + b] - Z0[std::size_t(b)]) / ax;
  r.Z0 = Z0, r.Z1.assign(phi.end() - ny, phi.end()), r.Y = Y;
  r.nx = nx, r.ny = ny;
  return r;
}

// Relative L2 difference of the field's response (node b) and the network's (neuron b * factor).
double response_error(const RunResult& field, const RunResult& net, int factor) {
  double num = 0, den = 0;
  for (std::size_t b = 0; b < field.response.size(); ++b) {
    const double n = net.response[b * std::size_t(factor)];
    num += (field.response[b] - n) * (field.response[b] - n);
    den += n * n;
  }
  return std::sqrt(num / den);
}

// ||Z_field - Z_net|| / ||Z_net - Y_net|| on the field's width nodes, at t = 0 (at_end false:
// the initial offset the response leaves out) or t_end.
double output_error(const RunResult& field, const RunResult& net, int factor, bool at_end) {
  const std::vector<double>& zf = at_end ? field.Z1 : field.Z0;
  const std::vector<double>& zn = at_end ? net.Z1 : net.Z0;
  double num = 0, den = 0;
  for (std::size_t b = 0; b < zf.size(); ++b) {
    const std::size_t i = b * std::size_t(factor);
    num += (zf[b] - zn[i]) * (zf[b] - zn[i]);
    den += (zn[i] - net.Y[i]) * (zn[i] - net.Y[i]);
  }
  return std::sqrt(num / den);
}

// ||response|| / ||misfit|| on the network: how far the output has moved toward the target.
double moved(const RunResult& net, int M) {
  double num = 0, den = 0;
  for (int i = 0; i < M; ++i) {
    num += net.response[std::size_t(i)] * net.response[std::size_t(i)];
    den += misfit(double(i) / M) * misfit(double(i) / M);
  }
  return std::sqrt(num / den);
}

struct Case {
  int M, factor, p;
};

// The payoff cases: the (r = 16 at M, r = 8 at M/2) and the curve over factors at M.
std::vector<Case> payoff_cases(const Options& o) {
  std::vector<Case> cases;
  if (o.part == "all" || o.part == "payoff") {
    for (int p : o.ps) cases.push_back({o.M, 16, p});
    for (int p : o.ps) cases.push_back({o.M / 2, 8, p});
  }
  if (o.part == "all" || o.part == "curve")
    for (int p : o.ps)
      for (int f : o.factors)
        if (!(f == 16 && (o.part == "all" || o.part == "payoff"))) cases.push_back({o.M, f, p});
  return cases;
}

// One (case, depth setting) over the data seeds: what each seed gave.
struct Samples {
  std::vector<double> response, output, offset, ratio;  // errors at t_end, offset at t = 0, CPU net/field
  int failed = 0;
  std::string grid;
};

double median_of(std::vector<double> v) { return v.empty() ? NAN : median(std::move(v)); }
double worst_of(const std::vector<double>& v, bool largest) {
  if (v.empty()) return NAN;
  return largest ? *std::max_element(v.begin(), v.end()) : *std::min_element(v.begin(), v.end());
}

const RunResult& network_run(const Options& o, const ContinuumData& data, int M, std::map<int, RunResult>& nets) {
  auto it = nets.find(M);
  if (it != nets.end()) return it->second;
  it = nets.emplace(M, run_network(o, data, M)).first;
  const RunResult& n = it->second;
  std::printf("  network M = N = %d: cpu %.3f s (right-hand sides %.3f s), %ld steps (%ld rejected), %ld gradients, "
              "L %.4g -> %.4g (x%.3f), |response|/|misfit| %.3f, max|g-1|/ax %.3f -> %.3f\n",
              M, n.cpu, n.rhs_cpu, n.steps, n.rejected, n.evaluations, n.L0, n.L1, n.L1 / n.L0, moved(n, M), n.gain0,
              n.gain1);
  std::fflush(stdout);
  return n;
}

// Every case and depth setting on one data seed, into samples[config][case].
void payoff_seed(const Options& o, std::uint64_t seed, const std::vector<Case>& cases,
                 std::vector<std::vector<Samples>>& samples) {
  const ContinuumData data = smooth_critical_data(seed);
  std::map<int, RunResult> nets;
  std::printf("-- data seed %llu\n", static_cast<unsigned long long>(seed));
  for (std::size_t ci = 0; ci < o.configs.size(); ++ci)
    for (std::size_t k = 0; k < cases.size(); ++k) {
      const Case& c = cases[k];
      const Config& cfg = o.configs[ci];
      const RunResult& n = network_run(o, data, c.M, nets);
      Samples& out = samples[ci][k];
      RunResult f;
      try {
        f = run_field(o, data, c.M, c.factor, c.p, cfg.q, cfg.substeps);
      } catch (const std::exception& e) {  // too coarse: the depth sweep or the time integration blew up
        std::printf("  field M = %d, %dx, p = %d, q = %d: FAILED (%s)\n", c.M, c.factor, c.p, cfg.q, e.what());
        ++out.failed;
        continue;
      }
      out.grid = std::to_string(f.nx) + "x" + std::to_string(f.ny);
      out.response.push_back(response_error(f, n, c.factor));
      out.output.push_back(output_error(f, n, c.factor, true));
      out.offset.push_back(output_error(f, n, c.factor, false));
      out.ratio.push_back(n.cpu / f.cpu);
      std::printf("  field M = %d, %dx, p = %d, q = %d, substeps %d: cpu %.4f s (rhs %.4f s), %ld steps; ratio %.2f, "
                  "response error %.3e, output error %.3e, offset at t = 0 %.3e\n",
                  c.M, c.factor, c.p, f.q, f.substeps, f.cpu, f.rhs_cpu, f.steps, out.ratio.back(),
                  out.response.back(), out.output.back(), out.offset.back());
      std::fflush(stdout);
    }
}

void part_payoff(const Options& o) {
  std::printf("== coarse-graining payoff: gradient flow, weakly nonlinear (Y = Z0 + ax m(y)), eta = %g ax, t_end = %g\n",
              o.eta0, o.t_end);
  std::printf("dopri5 rtol %g atol %g for both; CPU seconds of the integration alone (single thread), best of %d\n",
              o.rtol, o.atol, o.repeat);
  std::printf("response = |R_field - R_net| / |R_net|, R = (Z(t_end) - Z0)/ax (each model's own Z0);\n"
              "output = |Z_field - Z_net| / |Z_net - Y| at t_end, offset = the same at t = 0 (L2 over the field's "
              "width nodes)\n");
  const std::vector<Case> cases = payoff_cases(o);
  std::vector<std::vector<Samples>> samples(o.configs.size(), std::vector<Samples>(cases.size()));
  for (int k = 0; k < o.seeds; ++k) payoff_seed(o, o.seed + std::uint64_t(k), cases, samples);
  std::printf("\nover %d data seeds (%llu..%llu): median and worst\n", o.seeds, static_cast<unsigned long long>(o.seed),
              static_cast<unsigned long long>(o.seed + std::uint64_t(o.seeds) - 1));
  std::printf("%5s %6s %2s %4s %9s %19s %19s %19s %15s %6s\n", "M", "coarse", "p", "q", "grid", "response err",
              "output err", "offset t=0", "speed-up", "failed");
  for (std::size_t ci = 0; ci < o.configs.size(); ++ci)
    for (std::size_t k = 0; k < cases.size(); ++k) {
      const Samples& sm = samples[ci][k];
      const Case& c = cases[k];
      const std::string q = o.configs[ci].q > 0 ? std::to_string(o.configs[ci].q) : "auto";
      std::printf("%5d %5dx %2d %4s %9s %9.2e %9.2e %9.2e %9.2e %9.2e %9.2e %7.2f %7.2f %6d\n", c.M, c.factor, c.p,
                  q.c_str(), sm.grid.c_str(), median_of(sm.response), worst_of(sm.response, true),
                  median_of(sm.output), worst_of(sm.output, true), median_of(sm.offset), worst_of(sm.offset, true),
                  median_of(sm.ratio), worst_of(sm.ratio, false), sm.failed);
      std::printf("ratio %.2f (M = %d, %dx, p = %d, q = %s; median CPU network / field over %d seeds), "
                  "output error median %.3e worst %.3e\n",
                  median_of(sm.ratio), c.M, c.factor, c.p, q.c_str(), o.seeds, median_of(sm.output),
                  worst_of(sm.output, true));
    }
  std::printf("\n");
}

std::vector<int> parse_list(const std::string& s) {
  std::vector<int> v;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) v.push_back(std::atoi(item.c_str()));
  return v;
}

// "5:0,7:2" -> {q = 5, substeps from the stability check}, {q = 7, 2 substeps}.
std::vector<Config> parse_configs(const std::string& s) {
  std::vector<Config> v;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) {
    Config c;
    if (item == "default") {
      v.push_back({0, -1});
      continue;
    }
    const std::size_t colon = item.find(':');
    c.q = std::atoi(item.substr(0, colon).c_str());
    if (colon != std::string::npos) c.substeps = std::atoi(item.substr(colon + 1).c_str());
    v.push_back(c);
  }
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    const char* v = argv[i + 1];
    if (key == "--part") o.part = v;
    else if (key == "--M") o.M = std::atoi(v);
    else if (key == "--t-end") o.t_end = std::atof(v);
    else if (key == "--eta0") o.eta0 = std::atof(v);
    else if (key == "--rtol") o.rtol = std::atof(v);
    else if (key == "--atol") o.atol = std::atof(v);
    else if (key == "--repeat") o.repeat = std::max(1, std::atoi(v));
    else if (key == "--configs") o.configs = parse_configs(v);
    else if (key == "--p") o.ps = parse_list(v);
    else if (key == "--factors") o.factors = parse_list(v);
    else if (key == "--seed") o.seed = std::uint64_t(std::atoll(v));
    else if (key == "--seeds") o.seeds = std::max(1, std::atoi(v));
    else {
      std::fprintf(stderr, "bench_field: unknown option %s\n", key.c_str());
      return 2;
    }
  }
  try {
    if (o.part == "all" || o.part == "rhs") part_rhs(o, smooth_critical_data(o.seed));
    if (o.part == "all" || o.part == "payoff" || o.part == "curve") part_payoff(o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_field: %s\n", e.what());
    return 2;
  }
  return 0;
}
