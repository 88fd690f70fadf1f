// Sources that move in time (docs/field-limit.md section 11, data/source_motion.hpp):
// continuum.X and the misfit as expressions of t. The network and the field from one model
// see the same X, Y (and X', X'') at the same times; the motion changes the run (a
// negative control); damped motion balances its energy with the moving data's work, for
// the field and the network; the data power is dL/dt at fixed parameters; the network in BBD
// variables (which need X'') follows the same motion.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "nnfield/config/config.hpp"
#include "nnfield/data/continuum_config.hpp"
#include "nnfield/data/data.hpp"
#include "nnfield/field/field_potential.hpp"
#include "nnfield/field/field_problem.hpp"
#include "nnfield/numerics/expression.hpp"
#include "nnfield/run/run.hpp"
#include "field/field_run_support.hpp"

using namespace nnfield;
using namespace nnfield::test;

namespace {

const std::string kModel = std::string(NNFIELD_SOURCE_DIR) + "/models/field_moving_source.toml";

}  // namespace

TEST_CASE("moving source: network and field see the same X, Y at the same times", "[field][data]") {
  // The lattice-exact form on the lattice grid: the field's width nodes are the network's
  // sites, and (the exact form being the network) the targets built on the initial outputs agree.
  const ExactPair pair(kModel);
  const ModelConfig& net = pair.net;
  const DataStream& net_stream = pair.net_stream;
  const DataStream& field_stream = *pair.problem.data;
  REQUIRE(net_stream.source_moves());
  REQUIRE(field_stream.source_moves());
  CHECK(!field_stream.piecewise_constant());
  const std::size_t N = std::size_t(net.network.shape.N);
  REQUIRE(std::size_t(field_stream.width()) == N);
  std::vector<double> X[2], Y[2], Xd[2], Yd[2], Xdd[2], Ydd[2];
  for (int k = 0; k < 2; ++k)
    for (auto* v : {&X[k], &Y[k], &Xd[k], &Yd[k], &Xdd[k], &Ydd[k]}) v->assign(N, 0.0);
  const Expression source = Expression::parse(net.continuum.X);
  const double ax = net.network.Lx / net.network.shape.M;
  double moved = 0.0;
  for (int j = 0; j <= 40; ++j) {
    const double t = 0.05 * j;
    net_stream.at(t, X[0].data(), Y[0].data(), Xd[0].data(), Yd[0].data());
    field_stream.at(t, X[1].data(), Y[1].data(), Xd[1].data(), Yd[1].data());
    net_stream.second_derivatives(t, Xdd[0].data(), Ydd[0].data());
    field_stream.second_derivatives(t, Xdd[1].data(), Ydd[1].data());
    INFO("t = " << t);
    CHECK(max_diff(X[0], X[1]) < 1e-14);
    CHECK(max_diff(Y[0], Y[1]) < 1e-13);
    CHECK(max_diff(Xd[0], Xd[1]) < 1e-13);
    CHECK(max_diff(Yd[0], Yd[1]) < 1e-13);
    CHECK(max_diff(Xdd[0], Xdd[1]) < 1e-12);
    CHECK(max_diff(Ydd[0], Ydd[1]) < 1e-12);
    // The input moves by ax (X(y, t) - X(y, 0)), at the site y_5 = 5 ay.
    const double y5 = 5.0 * net.network.Ly / double(N);
    CHECK(X[0][5] - net_stream.samples().x(0)[5] ==
          Approx(ax * (source(0.0, y5, t) - source(0.0, y5, 0.0))).epsilon(1e-12).margin(1e-15));
    moved = std::max(moved, std::fabs(X[0][5] - net_stream.samples().x(0)[5]));
  }
  CHECK(moved > 0.25 * ax);  // 0.5 sin(2 pi y_5) sin(3t) reaches 0.41 ax
}

TEST_CASE("moving source: the motion changes the run, a source without t does not move", "[field][data]") {
  const ModelConfig moving = load_model_file(kModel);
  const ModelConfig still = load_model_file(
      kModel, {"continuum.X=\"sin(2*pi*y) + 0.3*cos(4*pi*y)\"", "continuum.misfit=\"cos(2*pi*y)\""});
  const auto a = run_in_memory(moving), b = run_in_memory(still);
  const std::vector<double>&Za = data_of(*a, "/trajectory/Z"), &Zb = data_of(*b, "/trajectory/Z");
  // Identical at t = 0 (the motion starts from the sources at t = 0), then apart by O(ax).
  const std::size_t ny = std::size_t(moving.network.shape.N);
  CHECK(std::equal(Za.begin(), Za.begin() + std::ptrdiff_t(ny), Zb.begin()));
  CHECK(max_diff(Za, Zb) > 1e-3);
  CHECK(data_of(*a, "/energy/data_work").back() != 0.0);
  CHECK(data_of(*b, "/energy/data_work").back() == 0.0);
}

TEST_CASE("moving source: damped motion balances energy with the moving data's work", "[field][data]") {
  // m q'' + gamma m q' + dL/dq = 0 with X(t), Y(t) moving: the power dL/dX . X' + dL/dY . Y'
  // (the input link's adjoint on the field, backprop's dL/dX on the network) integrated
  // along the motion; E + dissipated - data_work stays E(0), on the field and the network.
  const ModelConfig field = load_model_file(kModel, {"dynamics.kind=\"damped\"", "dynamics.gamma=0.7",
                                                     "integrator.rtol=1e-12", "integrator.atol=1e-14",
                                                     "dynamics.t_end=1.5"});
  for (const bool on_field : {true, false}) {
    const EnergyBooks books = energy_books(*run_in_memory(on_field ? field : network_of(field)));
    INFO((on_field ? "field" : "network") << ": data work " << books.work << " of E, worst residual "
                                          << books.residual << " of E");
    CHECK(books.residual < 1e-9);
    CHECK(std::fabs(books.work) > 1e-2);  // the balance needs it
  }
}

TEST_CASE("moving source: the data power is dL/dt at fixed parameters", "[field][data]") {
  for (const char* r : {"1", "2"})  // index shifts, and spectral ones on a coarse grid
    check_data_power_is_dL_dt(load_model_file(kModel, {std::string("field.rx=") + r, std::string("field.ry=") + r}),
                              {0.1, 0.55, 1.3});
}

TEST_CASE("moving source: t only in the sources, and only under continuous dynamics", "[field][data][config]") {
  const auto refused = [](const std::vector<std::string>& set, const std::string& part) {
    try {
      load_model_file(kModel, set);
    } catch (const ConfigError& e) {
      INFO(e.what());
      CHECK(std::string(e.what()).find(part) != std::string::npos);
      return;
    }
    FAIL("accepted: " << set.front());
  };
  refused({"continuum.phi=\"0.2 + 0.1*t\""}, "only the sources continuum.X, Y and misfit may depend on the time t");
  refused({"continuum.dX=\"sin(2*pi*y)*t\"", "continuum.samples=2"}, "continuum.dX");
  refused({"observe.correlators=[\"input\"]"}, "continuum.X moves in time");
  refused({"dynamics.kind=\"damped\"", "observe.energy_flow=true"}, "per-site energy book has no data-power term");
}

TEST_CASE("moving source: the network in BBD variables, which need X'', follows the same motion", "[field][data]") {
  // dynamics.variables = "bbd" integrates (W, z), whose forward sweep needs the input's X''
  // (DataStream::second_derivatives: the source's symbolic d^2/dt^2): the same trajectory as in
  // (W, b), and the same data work. Damped with unit masses (the BBD books' condition).
  ModelConfig wb = network_of(load_model_file(kModel, {"dynamics.kind=\"damped\"", "dynamics.gamma=1.0",
                                                 "integrator.rtol=1e-10", "integrator.atol=1e-12"}));
  wb.dynamics.eta_scaling = EtaScaling::none;  // unit masses (the file's eta is then not read)
  wb.output.trajectory = {TrajectoryDataset::z};
  ModelConfig bbd = wb;
  bbd.dynamics.variables = DynamicsVariables::bbd;
  const auto a = run_in_memory(wb), b = run_in_memory(bbd);
  const std::vector<double>&za = data_of(*a, "/trajectory/z"), &zb = data_of(*b, "/trajectory/z");
  std::vector<double> moved = za;
  for (std::size_t i = 0; i < moved.size(); ++i) moved[i] -= za[i % std::size_t(wb.network.shape.M * wb.network.shape.N)];
  INFO("max |z_wb - z_bbd| " << max_diff(za, zb) << " against a motion of " << max_abs(moved));
  CHECK(max_diff(za, zb) < 1e-8 * max_abs(moved));
  const double work = data_of(*a, "/energy/data_work").back();
  CHECK(std::fabs(work) > 1e-4);
  CHECK(data_of(*b, "/energy/data_work").back() == Approx(work).epsilon(1e-7));
}
