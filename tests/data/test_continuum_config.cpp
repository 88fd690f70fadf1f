// The [continuum] and [field] model-file sections: fields from strings (expressions and
// seeded random fields), the networks, data and velocities they define at any (M, N),
// the continuum target in both misfit scalings, and eta_scaling (docs/theory.md 4.1, 4.2).
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "nnfield/bbd/bbd_variables.hpp"
#include "nnfield/config/config.hpp"
#include "nnfield/data/continuum_config.hpp"
#include "nnfield/data/data.hpp"
#include "nnfield/data/initial_state.hpp"
#include "nnfield/core/network.hpp"
#include "nnfield/run/run.hpp"
#include "nnfield/dynamics/loss_landscape.hpp"
#include "nnfield/dynamics/training_dynamics.hpp"
#include "field_support.hpp"
#include "support.hpp"

using namespace nnfield;
using Catch::Matchers::Contains;

namespace {

// A model with [continuum] fields at (M, N): the text is the same at every resolution.
ModelConfig continuum_model(int M, int N, const std::string& continuum = "", const std::string& extra = "") {
  // Velocities from [continuum] when it gives them (damped runs read them then).
  const std::string velocity =
      continuum.find("_dot") != std::string::npos ? "velocity = \"continuum\"\n" : std::string();
  const std::string text = "[run]\nseed = 11\n[network]\nM = " + std::to_string(M) + "\nN = " + std::to_string(N) +
                           "\nr = 1\n[init]\nkind = \"continuum\"\n" + velocity + "[data]\nsource = \"continuum\"\n" +
                           extra + "[continuum]\n" + continuum;
  return load_model_string(text, "model.toml");
}

// Points of the domain, on and off any lattice.
const double kXY[][2] = {{0.0, 0.0}, {0.13, 0.77}, {0.5, 0.31}, {0.92, 0.05}, {1.0, 0.6}};

// (g - 1)/ax - c at every bulk link of the initial network of `c`, and max |g - 1 - ax c|.
double worst_gain_error(const ModelConfig& c) {
  const NetworkShape& s = c.network.shape;
  const std::vector<double> g = test::initial_link_gain(c);
  const ContinuumData d = continuum_data_from_config(c);
  const double ax = c.network.Lx / s.M, ay = c.network.Ly / s.N;
  double worst = 0.0;
  for (int m = 1; m < s.M; ++m)
    for (int i = 0; i < s.N; ++i) {
      const double expected = 1.0 + ax * d.c((m + 1) * ax, i * ay);  // at the link's receiving neuron
      worst = std::max(worst, std::fabs(g[std::size_t((m - 1) * s.N + i)] - expected));
    }
  return worst;
}

}  // namespace

TEST_CASE("continuum: the same file and seed give the same fields at every (M, N)", "[continuum]") {
  const ModelConfig a = continuum_model(16, 16), b = continuum_model(16, 16), fine = continuum_model(64, 48);
  const ContinuumData da = continuum_data_from_config(a), db = continuum_data_from_config(b),
                      df = continuum_data_from_config(fine);
  for (const auto& p : kXY) {
    const double x = p[0], y = p[1];
    CHECK(da.phi(x, y) == db.phi(x, y));
    CHECK(da.phi(x, y) == df.phi(x, y));
    CHECK(da.c(x, y) == df.c(x, y));
    CHECK(da.X(0, y) == df.X(0, y));
    for (int k = 0; k < 3; ++k) {
      if (k != 1) CHECK(da.w[std::size_t(k)](x, y) == df.w[std::size_t(k)](x, y));
      CHECK(da.w_in[std::size_t(k)](0, y) == df.w_in[std::size_t(k)](0, y));
    }
  }
  // The documented defaults: phi has mean 0.2, the neighbour weights 0.3, the input link 1/K.
  CHECK(da.phi(0.3, 0.4) != 0.0);
  double mean_w = 0.0, mean_in = 0.0;
  const int n = 64;
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) {
      mean_w += da.w[0]((i + 0.5) / n, double(j) / n) / (n * n);
      mean_in += da.w_in[0](0.0, double(j) / n) / (n * n);
    }
  CHECK(mean_w == Approx(0.3).margin(0.02));
  CHECK(mean_in == Approx(1.0 / 3).margin(0.05));

  // Another seed, other fields.
  ModelConfig other = a;
  other.seed = 12;
  CHECK(continuum_data_from_config(other).phi(0.3, 0.4) != da.phi(0.3, 0.4));
}

TEST_CASE("continuum: random fields differ between field names", "[continuum]") {
  const ModelConfig c =
      continuum_model(8, 8, "phi = \"random(0.5)\"\nc = \"random(0.5)\"\nX = \"random(0.5)\"\n"
                            "w = [\"random(0.5)\", \"\", \"random(0.5)\"]\n");
  const ContinuumData d = continuum_data_from_config(c);
  for (const auto& p : kXY) {
    const double x = p[0], y = p[1];
    CHECK(d.phi(x, y) != d.c(x, y));
    CHECK(d.w[0](x, y) != d.w[2](x, y));
    CHECK(d.phi(x, y) != d.w[0](x, y));
    CHECK(d.X(0, y) != d.phi(0, y));
  }
}

TEST_CASE("continuum: expression fields sample exactly", "[continuum]") {
  const std::string phi = "0.3*sin(2*pi*y) + 0.1*x^2 - 0.2*tanh(x)";
  const ModelConfig c = continuum_model(
      16, 12,
      "phi = \"" + phi + "\"\nc = \"0.5*cos(2*pi*(x - y))\"\nX = \"sin(2*pi*y)\"\n"
      "w = [\"0.25 + 0.05*x\", \"\", \"0.3 - 0.1*y\"]\nw_in = [\"0.3\", \"0.4\", \"0.3*cos(2*pi*y)\"]\n");
  const ContinuumData d = continuum_data_from_config(c);
  const Expression e = Expression::parse(phi);
  for (const auto& p : kXY) CHECK(d.phi(p[0], p[1]) == e(p[0], p[1]));

  const SampledNetwork net = sample_network(d, 16, 12);
  const NetworkShape& s = net.lattice.shape;
  const double ax = 1.0 / 16, ay = 1.0 / 12;
  for (int m = 1; m <= 16; ++m)
    for (int i = 0; i < 12; ++i) CHECK(net.z[s.b_index(m - 1, i)] == e(m * ax, i * ay));
  for (int i = 0; i < 12; ++i) {
    CHECK(net.X[std::size_t(i)] == std::sin(2 * M_PI * (i * ay)));
    CHECK(net.W[s.w_index(0, i, 1)] == 0.4);
    CHECK(net.W[s.w_index(0, i, 2)] == 0.3 * std::cos(2 * M_PI * (i * ay)));
    CHECK(net.W[s.w_index(3, i, 0)] == 0.25 + 0.05 * (4 * ax));
  }
}

TEST_CASE("continuum: init.kind = \"continuum\" has gain 1 + ax c at every bulk link", "[continuum]") {
  for (int M : {16, 32}) {
    INFO("M = N = " << M);
    CHECK(worst_gain_error(continuum_model(M, M)) < 1e-12);
    CHECK(worst_gain_error(continuum_model(M, M, "c = \"sin(2*pi*x)*cos(2*pi*y)\"\n")) < 1e-12);
  }
}

TEST_CASE("continuum: the target in both misfit scalings", "[continuum]") {
  const std::vector<double> Z0 = {0.1, -0.2, 0.3, 0.05, 0.0, 0.7, -0.4, 0.2};
  const int n = 8;
  const double Lx = 2.0, Ly = 1.0, ax = 2.0 / 32;
  SECTION("depth: Y - Z0 = ax misfit(Lx, y)") {
    ModelConfig c = continuum_model(32, 8, "misfit = \"cos(2*pi*y) + x\"\n");
    c.network.Lx = Lx;
    const ContinuumBoundary b = continuum_boundary_from_config(c);
    CHECK_FALSE(b.target_given);
    const std::vector<double> Y = continuum_target(b, Z0.data(), n, Lx, Ly, ax);
    for (int i = 0; i < n; ++i)
      CHECK(Y[std::size_t(i)] == Approx(Z0[std::size_t(i)] + ax * (std::cos(2 * M_PI * i / n) + Lx)).epsilon(1e-14));
  }
  SECTION("none: Y - Z0 = misfit(Lx, y)") {
    ModelConfig c = continuum_model(32, 8, "misfit = \"cos(2*pi*y) + x\"\nmisfit_scaling = \"none\"\n");
    const ContinuumBoundary b = continuum_boundary_from_config(c);
    const std::vector<double> Y = continuum_target(b, Z0.data(), n, Lx, Ly, ax);
    for (int i = 0; i < n; ++i)
      CHECK(Y[std::size_t(i)] == Approx(Z0[std::size_t(i)] + std::cos(2 * M_PI * i / n) + Lx).epsilon(1e-14));
  }
  SECTION("Y given: Y(Lx, y), whatever Z0") {
    ModelConfig c = continuum_model(32, 8, "Y = \"x*sin(2*pi*y)\"\n");
    const ContinuumBoundary b = continuum_boundary_from_config(c);
    CHECK(b.target_given);
    const std::vector<double> Y = continuum_target(b, Z0.data(), n, Lx, Ly, ax);
    for (int i = 0; i < n; ++i) CHECK(Y[std::size_t(i)] == Approx(Lx * std::sin(2 * M_PI * i / n)).margin(1e-15));
  }
}

TEST_CASE("continuum: data.source = \"continuum\" is X(y) and a misfit of ax times the given field", "[continuum]") {
  for (const InitKind init : {InitKind::continuum, InitKind::random}) {
    INFO("init.kind = " << name(init));
    ModelConfig c = continuum_model(16, 12, "X = \"sin(2*pi*y)\"\nmisfit = \"cos(2*pi*y)\"\n");
    c.init.kind = init;
    const Samples s = make_samples(c);
    REQUIRE(s.S == 1);
    // Z0 = the output of the run's initial network on this X.
    DataStream data(s, c.data, c.seed);
    const ParameterState st = make_initial_state(c, data);
    Network net(c.network.shape, c.network.activation, c.network.loss);
    net.forward(st.q.data(), st.q.data() + c.network.shape.num_weights(), s.X.data(), 1);
    std::vector<double> Z(12);
    net.output(Z.data());
    for (int i = 0; i < 12; ++i) {
      CHECK(s.X[std::size_t(i)] == Approx(std::sin(2 * M_PI * i / 12.0)).margin(1e-15));
      CHECK(s.Y[std::size_t(i)] - Z[std::size_t(i)] == Approx(std::cos(2 * M_PI * i / 12.0) / 16).margin(1e-13));
    }
    // With a continuum init, the initial output is phi(Lx, y_i).
    if (init == InitKind::continuum) {
      const ContinuumData d = continuum_data_from_config(c);
      for (int i = 0; i < 12; ++i) CHECK(Z[std::size_t(i)] == Approx(d.phi(1.0, i / 12.0)).margin(1e-12));
    }
  }
}

TEST_CASE("continuum: init.velocity = \"continuum\" gives W', z' from w_dot, phi_dot", "[continuum]") {
  ModelConfig c = continuum_model(8, 12,
                                  "phi_dot = \"0.2*cos(2*pi*y) + 0.1*x\"\n"
                                  "w_dot = [\"0.01*x\", \"-0.02\", \"0.03*sin(2*pi*y)\"]\n",
                                  "[dynamics]\nkind = \"damped\"\n");
  const NetworkShape& s = c.network.shape;
  DataStream data(make_samples(c), c.data, c.seed);
  const ParameterState st = make_initial_state(c, data);
  std::vector<double> X(std::size_t(s.N)), Y(X.size()), Xdot(X.size(), 0.0), zdot(s.num_biases());
  data.at(0.0, X.data(), Y.data(), nullptr, nullptr);
  const std::size_t nw = s.num_weights();
  to_bbd_velocity(s, c.network.activation, st.q.data(), st.v.data(), st.q.data() + nw, st.v.data() + nw, X.data(),
                  Xdot.data(), zdot.data());
  const double ax = 1.0 / 8, ay = 1.0 / 12;
  for (int m = 0; m < s.M; ++m)
    for (int i = 0; i < s.N; ++i) {
      const double x = (m + 1) * ax, y = i * ay;  // receiving neuron
      CHECK(st.v[s.w_index(m, i, 0)] == Approx(0.01 * x).margin(1e-15));
      CHECK(st.v[s.w_index(m, i, 1)] == -0.02);
      CHECK(st.v[s.w_index(m, i, 2)] == Approx(0.03 * std::sin(2 * M_PI * y)).margin(1e-15));
      CHECK(zdot[s.b_index(m, i)] == Approx(0.2 * std::cos(2 * M_PI * y) + 0.1 * x).margin(1e-12));
    }
}

TEST_CASE("continuum: eta_scaling = \"depth\" halves the rate when M doubles", "[continuum]") {
  auto model = [](int M, EtaScaling scaling, double eta) {
    ModelConfig c = continuum_model(M, 12, "", "[dynamics]\nkind = \"gradient_flow\"\nt_end = 0.2\n");
    c.dynamics.eta_scaling = scaling;
    c.dynamics.eta = eta;
    c.output.every = 0.1;
    return c;
  };
  CHECK(effective_eta(model(16, EtaScaling::depth, 0.8)) == 0.8 / 16);
  CHECK(effective_eta(model(32, EtaScaling::depth, 0.8)) == 0.8 / 32);
  CHECK(effective_eta(model(32, EtaScaling::none, 0.8)) == 0.8);

  // The run uses it: eta = 0.8 with depth scaling is the run with eta = 0.8 ax.
  RunOptions options;
  options.progress = "off";
  for (int M : {16, 32}) {
    const RunResult a = run_model(model(M, EtaScaling::depth, 0.8), options);
    const RunResult b = run_model(model(M, EtaScaling::none, 0.8 / M), options);
    const auto& la = a.memory->dataset("/trajectory/loss").data;
    const auto& lb = b.memory->dataset("/trajectory/loss").data;
    REQUIRE(la.size() == 3);
    CHECK(la == lb);
    CHECK(la[2] < la[0]);
  }

  // SGD steps with eta_eff too, and its time axis is step * eta_eff.
  ModelConfig sgd = model(16, EtaScaling::depth, 0.8);
  sgd.dynamics.kind = DynamicsKind::sgd;
  sgd.dynamics.steps = 1;
  sgd.output.every_steps = 1;
  const RunResult r = run_model(sgd, options);
  const auto& t = r.memory->dataset("/trajectory/time").data;
  REQUIRE(t.size() == 2);
  CHECK(t[1] == Approx(0.8 / 16));  // SGD time is step * eta_eff
}

TEST_CASE("continuum: [continuum] and [field] are recorded when present, and only then", "[continuum][config]") {
  const ModelConfig none = load_model_string("[network]\nM = 4\n", "m.toml");
  CHECK_FALSE(none.continuum.present);
  CHECK_FALSE(none.field.present);
  CHECK(none.resolved_toml.find("[field]") == std::string::npos);
  CHECK(none.resolved_toml.find("[continuum]") == std::string::npos);
  CHECK_FALSE(load_model_string(none.resolved_toml, "b.toml").field.present);

  const ModelConfig empty = load_model_string("[field]\n[continuum]\n", "m.toml");
  CHECK(empty.field.present);
  CHECK(empty.continuum.present);
  CHECK_THAT(empty.resolved_toml, Contains("[field]\nform = \"midpoint\"\np = 1\n"));
  const ModelConfig back = load_model_string(empty.resolved_toml, "b.toml");
  CHECK(back.field.present);
  CHECK(back.resolved_toml == empty.resolved_toml);

  const ModelConfig set = load_model_string("", "m.toml", {"field.rx=2"});
  CHECK(set.field.present);
  CHECK(set.field.rx == 2);
  CHECK_FALSE(set.continuum.present);

  const ModelConfig full = load_model_string(
      "[network]\nN = 16\nr = 2\n[field]\nform = \"exact\"\nq = 5\ndepth_substeps = 3\nallow_unstable = true\n"
      "[continuum]\nw = [\"0.1\", \"x\", \"\", \"y\", \"random(0.1, 1/5)\"]\ncutoff_x = 1\ncutoff_y = 5\n"
      "misfit_scaling = \"none\"\n[dynamics]\neta_scaling = \"depth\"\n",
      "m.toml", {}, nnfield::UnreadKeys::accept);
  CHECK(full.field.form == DepthForm::exact);
  CHECK(full.field.q == 5);
  CHECK(full.field.depth_substeps == 3);
  CHECK(full.field.allow_unstable);
  CHECK(full.continuum.w.size() == 5);
  CHECK(full.continuum.cutoff_y == 5);
  CHECK(full.continuum.misfit_scaling == MisfitScaling::none);
  CHECK(full.dynamics.eta_scaling == EtaScaling::depth);
  CHECK(load_model_string(full.resolved_toml, "b.toml", {}, nnfield::UnreadKeys::accept).resolved_toml == full.resolved_toml);
}

TEST_CASE("continuum: bad strings are reported with the key and the column", "[continuum][config]") {
  auto error_of = [](const std::string& text) {
    try {
      load_model_string(text, "m.toml");
    } catch (const ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  CHECK_THAT(error_of("[continuum]\nphi = \"0.3*sinn(x)\"\n"),
             Contains("m.toml:2:7: error: continuum.phi = \"0.3*sinn(x)\": unknown function 'sinn' at column 5 "
                      "(key 'continuum.phi')"));
  CHECK_THAT(error_of("[continuum]\nw_in = [\"1\", \"2\", \"3*\"]\n"),
             Contains("m.toml:2:19: error: continuum.w_in[2] = \"3*\": unexpected end of expression at column 3"));
  CHECK_THAT(error_of("[continuum]\nY = \"random(0.1, 0.2, 0.3)\"\n"),
             Contains("random takes 1 or 2 arguments (RMS, MEAN), got 3 at column 16"));
  CHECK_THAT(error_of("[continuum]\nc = \"random(0.1) + x\"\n"), Contains("after random(...)"));
  CHECK_THAT(error_of("[continuum]\nc = \"\"\n"), Contains("continuum.c is empty"));
  CHECK_THAT(error_of("[network]\nN = 12\nr = 2\n[field]\nry = 3\n"),
             Contains("field.ry = 3 leaves N/ry = 4 width points, fewer than K = 2r+1 = 5"));
  CHECK(error_of("[field]\n[continuum]\nY = \"\"\nw = [\"x\", \" \", \"y\"]\n") == "(no error)");

  // Building fields from an unchecked config names the file and the key.
  ModelConfig c = test::small_model(4, 8, 1);
  c.source_path = "model.toml";
  c.continuum.phi = "0.3*sinn(x)";
  try {
    continuum_data_from_config(c);
    FAIL("no error");
  } catch (const ConfigError& e) {
    CHECK(std::string(e.what()) == "model.toml: continuum.phi: unknown function 'sinn' at column 5");
  }
}

TEST_CASE("continuum: random(...) specs", "[continuum]") {
  const ContinuumSpec a = parse_continuum_spec("random(0.5)");
  CHECK(a.random);
  CHECK(a.rms == 0.5);
  CHECK(a.mean == 0.0);
  const ContinuumSpec b = parse_continuum_spec("  random ( 0.05 , 1/3 ) ");
  CHECK(b.random);
  CHECK(b.mean == Approx(1.0 / 3).epsilon(1e-15));
  CHECK_FALSE(parse_continuum_spec("0.5*x").random);
  // Not random(...): an expression, with an unknown name in it.
  CHECK_THROWS_WITH(parse_continuum_spec("randomness + x"), Contains("unknown variable 'randomness'"));
  CHECK_THROWS_AS(parse_continuum_spec("random"), ExpressionError);
  CHECK_THROWS_WITH(parse_continuum_spec("random(0.1"), Contains("not closed"));
  CHECK_THROWS_WITH(parse_continuum_spec("random(sinn(1))"), Contains("RMS: unknown function 'sinn' at column 8"));
  CHECK_THROWS_WITH(parse_continuum_spec("random(x)"), Contains("RMS must be a number"));
}
