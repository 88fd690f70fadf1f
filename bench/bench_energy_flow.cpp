// Cost of the BBD energy-flow bookkeeping relative to a plain damped run of the same
// model (issue: at most 3x). Both runs are in memory, same output cadence.
// Usage: bench_energy_flow [MODEL.toml] [--t-end T] [--repeat R]
// Prints "plain_seconds", "energy_flow_seconds" and "ratio".
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "nnfield/config/config.hpp"
#include "nnfield/run/run.hpp"

namespace {
double seconds_of(const nnfield::ModelConfig& config, int repeat, long* steps) {
  nnfield::RunOptions options;
  options.progress = "off";
  double best = 1e300;
  for (int r = 0; r < repeat; ++r) {  // best of R: the least disturbed measurement
    const auto t0 = std::chrono::steady_clock::now();
    const nnfield::RunResult result = nnfield::run_model(config, options);
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    *steps = result.steps;
  }
  return best;
}
}  // namespace

int main(int argc, char** argv) {
  std::string model = std::string(NNFIELD_SOURCE_DIR) + "/models/energy_flow.toml";
  std::string t_end = "100";
  int repeat = 3;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--t-end" && i + 1 < argc) t_end = argv[++i];
    else if (a == "--repeat" && i + 1 < argc) repeat = std::atoi(argv[++i]);
    else model = a;
  }
  try {
    const auto plain = nnfield::load_model_file(
        model, {"observe.energy_flow=false", "observe.lagrangian=false", "dynamics.t_end=" + t_end});
    const auto flow = nnfield::load_model_file(
        model, {"observe.energy_flow=true", "observe.lagrangian=false", "dynamics.t_end=" + t_end});
    long steps_plain = 0, steps_flow = 0;
    const double a = seconds_of(plain, repeat, &steps_plain);
    const double b = seconds_of(flow, repeat, &steps_flow);
    std::printf("model %s, t_end %s, best of %d\n", model.c_str(), t_end.c_str(), repeat);
    std::printf("plain_seconds %.4f (%ld steps)\n", a, steps_plain);
    std::printf("energy_flow_seconds %.4f (%ld steps)\n", b, steps_flow);
    std::printf("ratio %.3f (target <= 3)\n", b / a);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_energy_flow: %s\n", e.what());
    return 2;
  }
  return 0;
}
