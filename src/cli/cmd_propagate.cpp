// nnfield propagate MODEL [--set k=v ...] [--c0 0.5] [--networks 64] [--sigma-w a:b:n] -o PROP.h5
// Long-range order across depth (docs/theory.md section 5; docs/long-range-order.md): input pairs of
// correlation c0 through random networks of the model's shape, activation, sigma_w, sigma_b;
// per layer q^(m), c^(m) and the tangent growth; the depth scale xi_c by a fit; the
// mean-field predictions beside them.
#include <cmath>
#include <cstdio>
#include <sstream>
#include <stdexcept>

#include "commands.hpp"
#include "nnfield/numerics/processes.hpp"
#include "nnfield/config/config.hpp"
#include "nnfield/io/h5io.hpp"
#include "nnfield/analysis/propagation.hpp"
#include "nnfield/io/provenance.hpp"
#include "nnfield/numerics/parallel_for.hpp"
#include "nnfield/observe/task_progress.hpp"

namespace nnfield::cli {
namespace {

struct PropagateArgs : CommonArgs {
  std::string sigma_w, c_star = "auto";
  double c0 = 0.5, q0 = 1.0, linear_cut = 0.05, noise_factor = 3.0;
  double sigma_b = NAN;
  int networks = 64, pairs = 4, blocks = 32;
  long long seed = -1, first_network = 0;
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

// Under mpirun every process measures networks; process 0 alone writes and reports.
int measure_for_root(const ModelConfig& config, const std::vector<double>& sigma_w, double sigma_b,
                     const PropagationOptions& o) {
  try {
    propagate(config.network.shape, config.network.activation, sigma_w, sigma_b, o);
  } catch (const PropagationInterrupted&) {
    return 130;  // process 0 says so
  }
  return 0;
}

// The options, in the order --help lists them.
void add_propagate_options(CLI::App& sub, PropagateArgs& args) {
  PropagateArgs* const a = &args;  // bound by address: the options write into *a
  sub.add_option("model", a->model,
                 "model file (TOML): propagate reads " + propagate_model_keys_text() +
                     " (and copies run.title); its other keys describe the training run, and --set refuses them")
      ->required();
  using O = CommonOption;
  add_common_options(sub, args, {O::output, O::overrides});
  sub.add_option("--c0", a->c0, "correlation of the input pair")->check(CLI::Range(-1.0, 1.0));
  sub.add_option("--q0", a->q0, "per-site variance of the inputs")->check(CLI::PositiveNumber);
  sub.add_option("--networks", a->networks, "random networks per sigma_w")->check(CLI::Range(2, 1 << 24));
  sub.add_option("--first-network", a->first_network,
                  "index of the first network (jobs over network ranges merge: nnfield merge)")
      ->check(CLI::Range(0LL, 1LL << 48));
  sub.add_option("--pairs", a->pairs, "input pairs per network")->check(CLI::Range(1, 1 << 16));
  sub.add_option("--sigma-w", a->sigma_w, "sigma_w: a value, a list a,b,c or a scan a:b:n (default init.sigma_w)");
  sub.add_option("--sigma-b", a->sigma_b, "sigma_b (default init.sigma_b)")->check(CLI::NonNegativeNumber);
  sub.add_option("--seed", a->seed, "master seed (default: the model's seed)")->check(CLI::NonNegativeNumber);
  add_common_options(sub, args, {O::threads});
  sub.add_option("--c-star", a->c_star, "how c* is obtained")
      ->check(CLI::IsMember({"auto", "one", "fitted", "mean_field"}));
  sub.add_option("--linear-cut", a->linear_cut, "fit only layers with |c - c*| below this")
      ->check(CLI::PositiveNumber);
  sub.add_option("--noise-factor", a->noise_factor, "fit only layers with |c - c*| above this many errors")
      ->check(CLI::NonNegativeNumber);
  sub.add_option("--blocks", a->blocks, "jackknife blocks over networks")->check(CLI::Range(2, 1 << 24));
  add_common_options(sub, args, {O::force, O::quiet, O::progress, O::resources});
}

Command register_propagate(CLI::App& app, const Context& context) {
  auto args = std::make_shared<PropagateArgs>();
  CLI::App* sub = app.add_subcommand(
      "propagate", "send correlated input pairs through random networks of a model's shape: depth scale xi_c");
  add_propagate_options(*sub, *args);
  return {sub, [args, context]() {
            const ModelConfig config = load_model_for(
                *args, ModelUse::propagate(!args->sigma_w.empty(), !std::isnan(args->sigma_b), args->seed >= 0));
            check_output_against_inputs(args->output, model_inputs(config));
            std::vector<double> sigma_w{config.init.sigma_w};
            PropagationOptions o;
            o.threads = int(args->thread_count());
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
            o.first_network = args->first_network;
            o.pairs = args->pairs;
            o.seed = args->seed >= 0 ? std::uint64_t(args->seed) : config.seed;
            o.jackknife_blocks = args->blocks;
            o.linear_cut = args->linear_cut;
            o.noise_factor = args->noise_factor;
            o.stop = context.stop;
            std::string memory_cause;
            const double memory = propagation_memory_bytes(config.network.shape, sigma_w.size(), o, memory_cause);
            check_estimate({memory, memory_cause, 0.0, ""}, resource_budget(*args, ""));

            if (!processes::is_root()) return measure_for_root(config, sigma_w, sigma_b, o);
            Provenance provenance = provenance_of(config, context.command_line);
            provenance.seed = o.seed;
            provenance.threads = unsigned(o.threads);
            // Open the output first: a bad path fails before the work, not after.
            RunWriter writer(args->output, args->force, provenance);
            writer.set_root_attribute("processes", double(processes::count()));

            TaskProgress progress(args->progress_mode(), o.networks, "networks");
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
            const unsigned threads = worker_count(std::size_t(o.networks), unsigned(o.threads));
            progress.finish(std::to_string(o.networks) + " networks x " + std::to_string(sigma_w.size()) +
                            " sigma_w on " + std::to_string(threads) + " threads");
            PropagationRecord record;
            record.c_star_requested = args->c_star;
            write_propagation(scan, record, writer);
            writer.finish("complete");
            if (!args->quiet) print_table(scan);
            return 0;
          }};
}

const bool registered = add_command(register_propagate);

}  // namespace
}  // namespace nnfield::cli
