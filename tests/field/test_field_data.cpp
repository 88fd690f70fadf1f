// The field theory with a data set (docs/field-limit.md section 10): the continuum data set
// on the field's grid is the network's, presented by the same stream (same samples at the
// same times); switching changes the run (and a switch that never comes changes nothing);
// damped motion under switched or blended data balances its energy with the data's work,
// and the blended data's power is dL/dt at fixed parameters.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "nnfield/config/config.hpp"
#include "nnfield/data/data.hpp"
#include "nnfield/field/field_potential.hpp"
#include "nnfield/field/field_problem.hpp"
#include "nnfield/run/run.hpp"
#include "field/field_run_support.hpp"

using namespace nnfield;
using namespace nnfield::test;

namespace {

// models/field_data_set.toml: the continuum data of models/field_coarse.toml on a 32 x 32
// lattice grid, a data set of eight samples switched every 0.25 in shuffled order; its
// text, so that a test can take lines out of it.
std::string model_text() {
  std::ifstream in(std::string(NNFIELD_SOURCE_DIR) + "/models/field_data_set.toml");
  std::ostringstream text;
  text << in.rdbuf();
  REQUIRE(!text.str().empty());
  return text.str();
}

std::string without_line(std::string text, const std::string& line) {
  const std::size_t at = text.find(line + "\n");
  REQUIRE(at != std::string::npos);
  return text.erase(at, line.size() + 1);
}

// Every time a SwitchTimes gives, in order.
std::vector<double> all_of(SwitchTimes times) {
  std::vector<double> out;
  for (double t = times(); std::isfinite(t); t = times()) out.push_back(t);
  return out;
}

}  // namespace

TEST_CASE("field data: the field's stream presents the network's samples at the same times", "[field][data]") {
  // The lattice-exact form on the lattice grid: the field's width nodes are the network's
  // sites, so its samples are the network's values, and (the exact form being the network)
  // so are the targets built on each one's initial output.
  for (const char* order : {"shuffle", "sequential", "random"}) {
    INFO("data.order = " << order);
    const ModelConfig field = load_model_string(model_text(), "data.toml",
                                                {"field.form=\"exact\"", std::string("data.order=\"") + order + "\""});
    const ModelConfig net = network_of(field);
    const Samples samples = make_samples(net);
    const DataStream net_stream(samples, net.data, net.seed);
    const FieldProblem pr = make_field_problem(field);
    const DataStream& field_stream = *pr.data;
    REQUIRE(field_stream.samples().S == 8);
    REQUIRE(samples.S == 8);
    const int N = samples.N;
    REQUIRE(field_stream.width() == N);
    double x_diff = 0.0, y_diff = 0.0;
    for (std::size_t i = 0; i < samples.X.size(); ++i) {
      x_diff = std::max(x_diff, std::fabs(samples.X[i] - field_stream.samples().X[i]));
      y_diff = std::max(y_diff, std::fabs(samples.Y[i] - field_stream.samples().Y[i]));
    }
    CHECK(x_diff < 1e-15);
    CHECK(y_diff < 1e-13);
    // The samples differ: by ax times dX_s in X, and in the target by the response to it.
    double spread = 0.0;
    for (int i = 0; i < N; ++i) spread = std::max(spread, std::fabs(samples.x(3)[i] - samples.x(0)[i]));
    CHECK(spread > 1e-3);
    // Sample for sample, at and around every switch, and the breakpoints themselves.
    std::set<int> seen;
    for (int k = 0; k <= 800; ++k) {
      const double t = k * 0.0025;
      CHECK(field_stream.presented(t) == net_stream.presented(t));
      CHECK(field_stream.presented(t, true) == net_stream.presented(t, true));
      seen.insert(field_stream.presented(t));
    }
    CHECK(seen.size() > 3);
    const std::vector<double> switches = all_of(field_stream.breakpoints(0.0, 2.0));
    CHECK(switches.size() == 8);
    CHECK(switches == all_of(net_stream.breakpoints(0.0, 2.0)));
    // The initial state is built on the first presented sample, on both lattices.
    const int first = net_stream.presented(0.0);
    CHECK(std::equal(pr.X.begin(), pr.X.end(), field_stream.samples().x(first)));
  }
}

TEST_CASE("field data: switching samples changes the run, a switch that never comes does not", "[field][data]") {
  const ModelConfig switched = load_model_string(model_text(), "switch.toml", {"dynamics.t_end=1.0"});
  const std::string fixed_text =
      without_line(without_line(without_line(model_text(), "presentation = \"switch\""), "tau = 0.25"),
                   "order = \"shuffle\"");
  const ModelConfig fixed = load_model_string(fixed_text, "fixed.toml", {"dynamics.t_end=1.0"});
  // Sequential order presents sample 0 first, as fixed presentation does.
  const ModelConfig late =
      load_model_string(model_text(), "late.toml", {"dynamics.t_end=1.0", "data.tau=5.0", "data.order=\"sequential\""});
  const std::vector<double> Zs = data_of(*run_in_memory(switched), "/trajectory/Z");
  const std::vector<double> Zf = data_of(*run_in_memory(fixed), "/trajectory/Z");
  const std::vector<double> Zl = data_of(*run_in_memory(late), "/trajectory/Z");
  REQUIRE(Zs.size() == Zf.size());
  double diff = 0.0;
  for (std::size_t i = 0; i < Zs.size(); ++i) diff = std::max(diff, std::fabs(Zs[i] - Zf[i]));
  CHECK(diff > 1e-3);  // ax = 1/32: the samples' outputs differ by O(ax)
  CHECK(Zl == Zf);
}

TEST_CASE("field data: damped motion under switched or blended data balances energy with the data's work",
          "[field][data]") {
  // m q'' + gamma m q' + dL/dq = 0 with the loss switching every tau (the data's work: the
  // loss jumps at the switches) or blending over tau (the data power dL/dX . X' + dL/dY . Y'
  // integrated along the motion): E + dissipated - data_work stays E(0).
  for (const char* presentation : {"switch", "blend"}) {
    ModelConfig c = load_model_string(model_text(), "damped.toml",
                                      {"dynamics.kind=\"damped\"", "dynamics.gamma=0.7", "integrator.rtol=1e-12",
                                       "integrator.atol=1e-14", "dynamics.t_end=1.5",
                                       std::string("data.presentation=\"") + presentation + "\""});
    const EnergyBooks books = energy_books(*run_in_memory(c));
    INFO(presentation << ": data work " << books.work << " of E, worst residual " << books.residual << " of E");
    CHECK(books.residual < 1e-9);
    // The data do work the balance needs: without it the books would be off by this much.
    CHECK(std::fabs(books.work) > 1e-3);
  }
}

TEST_CASE("field data: the data power of blended data is dL/dt at fixed parameters", "[field][data]") {
  // Along the blend, inside a segment (check_data_power_is_dL_dt).
  for (const char* r : {"1", "2"})  // index shifts, and spectral ones on a coarse grid
    check_data_power_is_dL_dt(load_model_string(model_text(), "blend.toml",
                                                {"data.presentation=\"blend\"", "field.p=2",
                                                 std::string("field.rx=") + r, std::string("field.ry=") + r}),
                              {0.1, 0.3, 0.55});
}

TEST_CASE("field data: the per-site energy book balances site by site under switched data", "[field][data]") {
  // models/field_energy_flow.toml with a data set of four samples switched every 0.3: the
  // book is instantaneous (no time integrals), so every row holds with the sample presented
  // at its time, and the total balance carries the switches' work.
  const ModelConfig c = load_model_file(std::string(NNFIELD_SOURCE_DIR) + "/models/field_energy_flow.toml",
                                        {"continuum.samples=4", "continuum.cutoff_y=1",
                                         "data.presentation=\"switch\"", "data.tau=0.3"});
  const auto run = run_in_memory(c);
  const auto worst = [&](const std::string& name) { return max_abs(data_of(*run, name)); };
  const double rate = worst("/energy/rate"), E = worst("/energy/total");
  CHECK(worst("/energy/continuity_residual") < 1e-12 * rate);
  CHECK(worst("/energy/interval_residual") < 1e-12 * rate);
  CHECK(worst("/energy/balance_residual") < 1e-7 * E);
  CHECK(std::fabs(data_of(*run, "/energy/data_work").back()) > 1e-2 * E);
}
