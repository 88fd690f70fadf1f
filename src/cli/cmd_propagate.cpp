// nnfield propagate MODEL [--set k=v ...] [--c0 0.5] [--networks 64] [--sigma-w a:b:n] -o PROP.h5
// Long-range order across depth (SPEC section 5; docs/long-range-order.md): input pairs of
// correlation c0 through random networks of the model's shape, activation, sigma_w, sigma_b;
// per layer q^(m), c^(m) and the tangent growth; the depth scale xi_c by a fit; the
// mean-field predictions beside them.
#include <cmath>
#include <cstdio>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "commands.hpp"
#include "nnfield/config/config.hpp"
#include "nnfield/io/h5io.hpp"
#include "nnfield/analysis/propagation.hpp"
#include "nnfield/io/provenance.hpp"
#include "nnfield/observe/task_progress.hpp"

namespace nnfield::cli {
namespace {

struct PropagateArgs {
  std::string model, output, sigma_w, c_star = "auto", progress = "auto";
  std::vector<std::string> overrides;
  double c0 = 0.5, q0 = 1.0, linear_cut = 0.05, noise_factor = 3.0;
  double sigma_b = NAN;
  int networks = 64, pairs = 4, threads = 0, blocks = 32;
  long long seed = -1;
  bool force = false, quiet = false;
};

// "1.5" | "1.0,1.2,1.4" | "a:b:n" (n values from a to b inclusive).
std::vector<double> parse_sigma_w(const std::string& text) {
  std::vector<double> values;
  try {
    if (text.find(':') != std::string::npos) {
      std::stringstream ss(text);
      std::string a, b, n;
      std::getline(ss, a, ':');
      std::getline(ss, b, ':');
      std::getline(ss, n, ':');
      const double lo = std::stod(a), hi = std::stod(b);
      const int count = std::stoi(n);
      if (count < 1) throw std::invalid_argument("n < 1");
      for (int k = 0; k < count; ++k) values.push_back(count == 1 ? lo : lo + (hi - lo) * k / (count - 1));
    } else {
      std::stringstream ss(text);
      std::string item;
      while (std::getline(ss, item, ',')) values.push_back(std::stod(item));
    }
  } catch (const std::exception&) {
    throw std::invalid_argument("--sigma-w: expected a value, a list a,b,c or a scan a:b:n, got '" + text + "'");
  }
  if (values.empty()) throw std::invalid_argument("--sigma-w: no values in '" + text + "'");
  for (double v : values)
    if (!(v > 0)) throw std::invalid_argument("--sigma-w: values must be positive, got '" + text + "'");
  return values;
}

void write_estimates(RunWriter& w, const std::string& name, const std::vector<PropagationResult>& points,
                     std::vector<Estimate> PropagationResult::*member, const std::string& description) {
  const std::size_t S = points.size(), M = std::size_t(points.front().M);
  std::vector<double> value(S * M), error(S * M);
  for (std::size_t s = 0; s < S; ++s)
    for (std::size_t m = 0; m < M; ++m) {
      value[s * M + m] = (points[s].*member)[m].value;
      error[s * M + m] = (points[s].*member)[m].error;
    }
  w.write_array(name, {S, M}, value.data(), "S,M", description + " (ensemble mean; layer m = 1..M)");
  w.write_array(name + "_error", {S, M}, error.data(), "S,M", "jackknife error of " + name);
}

template <class F>
void write_per_point(RunWriter& w, const std::string& name, const std::vector<PropagationResult>& points, F&& get,
                     const std::string& description) {
  std::vector<double> v;
  for (const auto& p : points) v.push_back(get(p));
  w.write_array(name, {v.size()}, v.data(), "S", description);
}

void write_fit(RunWriter& w, const std::string& group, const std::vector<PropagationResult>& points,
               DepthFit PropagationResult::*member, const std::string& what) {
  const auto fit = [member](const PropagationResult& p) -> const DepthFit& { return p.*member; };
  write_per_point(w, group + "/ok", points, [&](const PropagationResult& p) { return fit(p).ok ? 1.0 : 0.0; },
                  "1 if the fit of " + what + " succeeded");
  write_per_point(w, group + "/first", points, [&](const PropagationResult& p) { return double(fit(p).first); },
                  "first layer of the fit window");
  write_per_point(w, group + "/last", points, [&](const PropagationResult& p) { return double(fit(p).last); },
                  "last layer of the fit window");
  write_per_point(w, group + "/slope", points, [&](const PropagationResult& p) { return fit(p).slope.value; },
                  "slope of ln(" + what + ") against m");
  write_per_point(w, group + "/slope_error", points, [&](const PropagationResult& p) { return fit(p).slope.error; },
                  "jackknife error of the slope");
  write_per_point(w, group + "/intercept", points, [&](const PropagationResult& p) { return fit(p).intercept.value; },
                  "intercept of ln(" + what + ") at m = 0");
  write_per_point(w, group + "/intercept_error", points,
                  [&](const PropagationResult& p) { return fit(p).intercept.error; }, "jackknife error of the intercept");
  write_per_point(w, group + "/xi", points, [&](const PropagationResult& p) { return fit(p).xi.value; },
                  "decay length -1/slope (inf if not decaying)");
  write_per_point(w, group + "/xi_error", points, [&](const PropagationResult& p) { return fit(p).xi.error; },
                  "error of xi (from the slope's)");
  write_per_point(w, group + "/chi", points, [&](const PropagationResult& p) { return fit(p).chi.value; },
                  "per-layer factor exp(slope)");
  write_per_point(w, group + "/chi_error", points, [&](const PropagationResult& p) { return fit(p).chi.error; },
                  "error of chi (from the slope's)");
}

void write_scan(RunWriter& w, const PropagationScan& scan, const PropagateArgs& args) {
  const std::vector<PropagationResult>& P = scan.points;
  const NetworkShape& shape = scan.shape;
  w.set_root_attribute("kind", "propagation");
  w.set_root_attribute("activation", activation_name(scan.activation));
  w.set_root_attribute("M", double(shape.M));
  w.set_root_attribute("N", double(shape.N));
  w.set_root_attribute("r", double(shape.r));
  w.set_root_attribute("K", double(shape.K()));
  w.set_root_attribute("sigma_b", P.front().sigma_b);
  w.set_root_attribute("q0", scan.options.q0);
  w.set_root_attribute("c0", scan.options.c0);
  w.set_root_attribute("networks", double(scan.options.networks));
  w.set_root_attribute("pairs", double(scan.options.pairs));
  w.set_root_attribute("jackknife_blocks", double(std::min(scan.options.jackknife_blocks, scan.options.networks)));
  w.set_root_attribute("linear_cut", scan.options.linear_cut);
  w.set_root_attribute("noise_factor", scan.options.noise_factor);
  w.set_root_attribute("q_tolerance", scan.options.q_tolerance);
  w.set_root_attribute("propagate_seed", std::to_string(scan.options.seed));
  w.set_root_attribute("c_star_requested", args.c_star);
  std::string methods, notes;
  for (const auto& p : P) {
    methods += (methods.empty() ? "" : ",") + fixed_point_method_name(p.c_star_method);
    char sw[32];
    std::snprintf(sw, sizeof sw, "%g", p.sigma_w);
    notes += std::string("sigma_w = ") + sw + ": c fit: " + (p.fit_c.note.empty() ? "-" : p.fit_c.note) +
             "; tangent fit: " + (p.fit_tangent.note.empty() ? "-" : p.fit_tangent.note) + "\n";
  }
  w.set_root_attribute("c_star_methods", methods);
  w.set_root_attribute("fit_notes", notes);

  std::vector<double> sw, layer;
  for (const auto& p : P) sw.push_back(p.sigma_w);
  for (int m = 1; m <= shape.M; ++m) layer.push_back(m);
  w.write_array("/sigma_w", {sw.size()}, sw.data(), "S", "weight scale of each scan point: W ~ N(0, sigma_w^2/K)");
  w.write_array("/layer", {layer.size()}, layer.data(), "M", "layer index m of the per-layer arrays");
  write_estimates(w, "/q", P, &PropagationResult::q, "q^(m) = (q11 + q22)/2");
  write_estimates(w, "/c", P, &PropagationResult::c, "c^(m) = q12 / sqrt(q11 q22)");
  write_estimates(w, "/q11", P, &PropagationResult::q11, "q11^(m) = <(1/N) sum_i z1_i^2>");
  write_estimates(w, "/q22", P, &PropagationResult::q22, "q22^(m) = <(1/N) sum_i z2_i^2>");
  write_estimates(w, "/q12", P, &PropagationResult::q12, "q12^(m) = <(1/N) sum_i z1_i z2_i>");
  write_estimates(w, "/dc", P, &PropagationResult::dc, "|c^(m) - c*|");
  write_estimates(w, "/tangent", P, &PropagationResult::tangent,
                  "g^(m) = <(1/N) sum_i (dz_i)^2>: growth of a unit-variance input perturbation");

  const std::size_t S = P.size(), M = std::size_t(shape.M);
  std::vector<double> qmf, cmf;
  for (const auto& p : P) {
    qmf.insert(qmf.end(), p.q_mean_field.begin(), p.q_mean_field.end());
    cmf.insert(cmf.end(), p.c_mean_field.begin(), p.c_mean_field.end());
  }
  w.write_array("/mean_field/q", {S, M}, qmf.data(), "S,M", "mean-field recursion q^(m) from q^(1) = sigma_w^2 q0 + sigma_b^2");
  w.write_array("/mean_field/c", {S, M}, cmf.data(), "S,M", "mean-field recursion c^(m) from the inputs' c0");
  write_per_point(w, "/mean_field/q_star", P, [](const PropagationResult& p) { return p.mean_field.q_star; }, "q*");
  write_per_point(w, "/mean_field/chi_1", P, [](const PropagationResult& p) { return p.mean_field.chi_1; },
                  "chi_1 = sigma_w^2 E[phi'(sqrt(q*) z)^2]");
  write_per_point(w, "/mean_field/c_star", P, [](const PropagationResult& p) { return p.mean_field.c_star; }, "c*");
  write_per_point(w, "/mean_field/chi_c", P, [](const PropagationResult& p) { return p.mean_field.chi_c; },
                  "slope of the c map at c*");
  write_per_point(w, "/mean_field/xi_c", P, [](const PropagationResult& p) { return p.mean_field.xi_c; },
                  "xi_c = -1/ln chi_c");
  write_per_point(w, "/mean_field/chi_q", P, [](const PropagationResult& p) { return p.mean_field.chi_q; },
                  "slope of the q map at q*");
  write_per_point(w, "/mean_field/xi_q", P, [](const PropagationResult& p) { return p.mean_field.xi_q; },
                  "xi_q = -1/ln chi_q");

  write_fit(w, "/fit", P, &PropagationResult::fit_c, "|c - c*|");
  write_per_point(w, "/fit/c_star", P, [](const PropagationResult& p) { return p.c_star.value; },
                  "c* used by the fit (root attribute c_star_methods says how it was obtained)");
  write_per_point(w, "/fit/c_star_error", P, [](const PropagationResult& p) { return p.c_star.error; },
                  "jackknife error of c* (0 when fixed)");
  write_fit(w, "/tangent_fit", P, &PropagationResult::fit_tangent, "g");

  const TransitionEstimate& t = scan.transition;
  const double ok = t.ok ? 1.0 : 0.0, s = t.sigma_w.value, se = t.sigma_w.error, smf = t.sigma_w_mean_field;
  w.write_array("/transition/ok", {1}, &ok, "1", "1 if the measured chi_1 crosses 1 inside the scan");
  w.write_array("/transition/sigma_w", {1}, &s, "1", "sigma_w where the measured chi_1 crosses 1");
  w.write_array("/transition/sigma_w_error", {1}, &se, "1", "jackknife error of /transition/sigma_w");
  w.write_array("/transition/sigma_w_mean_field", {1}, &smf, "1", "sigma_w where mean-field chi_1 = 1 (0: none)");
  w.set_root_attribute("transition_note", t.note);
}

void print_table(const PropagationScan& scan) {
  std::printf("%8s  %-22s %-9s  %-22s %-9s  %-8s %s\n", "sigma_w", "chi_1 measured", "mean-fld", "xi_c measured",
              "mean-fld", "c*", "layers");
  for (const auto& p : scan.points) {
    char chi[64], xi[64], window[32];
    std::snprintf(chi, sizeof chi, "%.4f +- %.4f", p.fit_tangent.chi.value, p.fit_tangent.chi.error);
    if (p.fit_c.ok)
      std::snprintf(xi, sizeof xi, "%.3f +- %.3f", p.fit_c.xi.value, p.fit_c.xi.error);
    else
      std::snprintf(xi, sizeof xi, "(no fit)");
    std::snprintf(window, sizeof window, "%d..%d", p.fit_c.first, p.fit_c.last);
    std::printf("%8.4f  %-22s %-9.4f  %-22s %-9.3f  %-8.4f %s\n", p.sigma_w, p.fit_tangent.ok ? chi : "(no fit)",
                p.mean_field.chi_1, xi, p.mean_field.xi_c, p.c_star.value, p.fit_c.ok ? window : "-");
  }
  const TransitionEstimate& t = scan.transition;
  if (t.ok)
    std::printf("transition (chi_1 = 1): measured sigma_w = %.4f +- %.4f, mean field %.4f\n", t.sigma_w.value,
                t.sigma_w.error, t.sigma_w_mean_field);
  else if (scan.points.size() > 1)
    std::printf("transition: %s (mean field %.4f)\n", t.note.c_str(), t.sigma_w_mean_field);
}

Command register_propagate(CLI::App& app, const Context& context) {
  auto args = std::make_shared<PropagateArgs>();
  CLI::App* sub = app.add_subcommand(
      "propagate", "send correlated input pairs through random networks of a model's shape: depth scale xi_c");
  sub->add_option("model", args->model, "model file (TOML): network shape, activation, init.sigma_w/sigma_b, seed")
      ->required();
  sub->add_option("-o,--output", args->output, "output HDF5 file")->required();
  sub->add_option("--set", args->overrides, "override a key: section.key=value (repeatable)");
  sub->add_option("--c0", args->c0, "correlation of the input pair")->check(CLI::Range(-1.0, 1.0));
  sub->add_option("--q0", args->q0, "per-site variance of the inputs")->check(CLI::PositiveNumber);
  sub->add_option("--networks", args->networks, "random networks per sigma_w")->check(CLI::Range(2, 1 << 24));
  sub->add_option("--pairs", args->pairs, "input pairs per network")->check(CLI::Range(1, 1 << 16));
  sub->add_option("--sigma-w", args->sigma_w, "sigma_w: a value, a list a,b,c or a scan a:b:n (default init.sigma_w)");
  sub->add_option("--sigma-b", args->sigma_b, "sigma_b (default init.sigma_b)")->check(CLI::NonNegativeNumber);
  sub->add_option("--seed", args->seed, "master seed (default: the model's seed)")->check(CLI::NonNegativeNumber);
  sub->add_option("--threads", args->threads, "worker threads (default: all cores)")->check(CLI::NonNegativeNumber);
  sub->add_option("--c-star", args->c_star, "how c* is obtained")
      ->check(CLI::IsMember({"auto", "one", "fitted", "mean_field"}));
  sub->add_option("--linear-cut", args->linear_cut, "fit only layers with |c - c*| below this")
      ->check(CLI::PositiveNumber);
  sub->add_option("--noise-factor", args->noise_factor, "fit only layers with |c - c*| above this many errors")
      ->check(CLI::NonNegativeNumber);
  sub->add_option("--blocks", args->blocks, "jackknife blocks over networks")->check(CLI::Range(2, 1 << 24));
  sub->add_flag("--force", args->force, "overwrite an existing output file");
  sub->add_flag("-q,--quiet", args->quiet, "no progress output");
  sub->add_option("--progress", args->progress, "progress display")
      ->check(CLI::IsMember({"auto", "tty", "plain", "off"}));
  return {sub, [args, context]() {
            const ModelConfig config = load_model_file(args->model, args->overrides);
            std::vector<double> sigma_w{config.init.sigma_w};
            PropagationOptions o;
            try {
              if (!args->sigma_w.empty()) sigma_w = parse_sigma_w(args->sigma_w);
              o.fixed_point = fixed_point_method_from_name(args->c_star);
            } catch (const std::invalid_argument& e) {
              return fail(2, e.what());
            }
            const double sigma_b = std::isnan(args->sigma_b) ? config.init.sigma_b : args->sigma_b;
            o.q0 = args->q0;
            o.c0 = args->c0;
            o.networks = args->networks;
            o.pairs = args->pairs;
            o.threads = args->threads;
            o.seed = args->seed >= 0 ? std::uint64_t(args->seed) : config.seed;
            o.jackknife_blocks = args->blocks;
            o.linear_cut = args->linear_cut;
            o.noise_factor = args->noise_factor;
            o.stop = context.stop;

            Provenance provenance = provenance_of(config, context.command_line);
            provenance.seed = o.seed;
            // Open the output first: a bad path fails before the work, not after.
            RunWriter writer(args->output, args->force, provenance);

            TaskProgress progress(args->quiet ? "off" : args->progress, o.networks, "networks");
            PropagationScan scan;
            try {
              scan = propagate(config.network.shape, config.network.activation, sigma_w, sigma_b, o,
                               [&](int done) { progress.update(done); });
            } catch (const PropagationInterrupted&) {
              progress.finish("interrupted");
              writer.finish("interrupted");
              return fail(130, "interrupted; " + args->output + " holds provenance only");
            } catch (const std::invalid_argument& e) {
              writer.finish(std::string("failed: ") + e.what());
              return fail(2, e.what());
            }
            const unsigned threads = o.threads > 0 ? unsigned(o.threads) : std::thread::hardware_concurrency();
            progress.finish(std::to_string(o.networks) + " networks x " + std::to_string(sigma_w.size()) +
                            " sigma_w on " + std::to_string(std::max(1u, std::min(threads, unsigned(o.networks)))) +
                            " threads");
            write_scan(writer, scan, *args);
            writer.finish("complete");
            print_table(scan);
            return 0;
          }};
}

const bool registered = add_command(register_propagate);

}  // namespace
}  // namespace nnfield::cli
