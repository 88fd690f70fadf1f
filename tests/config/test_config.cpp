// Model files: defaults, every section, --set overrides, the resolved round trip,
// each kind of error with its exact wording and location, and the generated docs.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "nnfield/config/config.hpp"

using nnfield::ConfigError;
using nnfield::DataOrder;
using nnfield::DynamicsKind;
using nnfield::load_model_file;
using nnfield::load_model_string;
using nnfield::ModelConfig;
using nnfield::StepperKind;
using nnfield::TrajectoryDataset;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

namespace {

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The message of the ConfigError a model raises, or a marker that none was raised.
std::string error_of(const std::string& text, const std::vector<std::string>& overrides = {}) {
  try {
    load_model_string(text, "m.toml", overrides);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

// Every field of two configs except where they came from.
void require_same_config(const ModelConfig& a, const ModelConfig& b) {
  CHECK(a.title == b.title);
  CHECK(a.seed == b.seed);
  CHECK(a.network.shape == b.network.shape);
  CHECK(a.network.activation == b.network.activation);
  CHECK(a.network.loss == b.network.loss);
  CHECK(a.network.Lx == b.network.Lx);
  CHECK(a.network.Ly == b.network.Ly);
  CHECK(a.init.kind == b.init.kind);
  CHECK(a.init.sigma_w == b.init.sigma_w);
  CHECK(a.init.file == b.init.file);
  CHECK(a.init.velocity == b.init.velocity);
  CHECK(a.init.smooth.w_mean == b.init.smooth.w_mean);
  CHECK(a.init.smooth.modes.size() == b.init.smooth.modes.size());
  CHECK(a.data.x == b.data.x);
  CHECK(a.data.teacher.activation == b.data.teacher.activation);
  CHECK(a.dynamics.t_end == b.dynamics.t_end);
  CHECK(a.integrator.rtol == b.integrator.rtol);
  CHECK(a.output.trajectory == b.output.trajectory);
  // resolved_toml lists every key, so equal text means equal values for all of them.
  CHECK(a.resolved_toml == b.resolved_toml);
}

}  // namespace

TEST_CASE("config: an empty model file gives the documented defaults", "[config]") {
  const ModelConfig c = load_model_string("", "empty.toml");
  const ModelConfig d;
  CHECK(c.source_path == "empty.toml");
  CHECK(c.source_text.empty());
  CHECK(c.title.empty());
  CHECK(c.seed == 0);
  CHECK(c.network.shape == nnfield::NetworkShape{8, 32, 1});
  CHECK(c.network.activation == nnfield::Activation::tanh);
  CHECK(c.network.loss == nnfield::Loss::mse);
  CHECK(c.init.kind == d.init.kind);
  CHECK(c.init.smooth.cutoff_y == d.init.smooth.cutoff_y);
  CHECK(c.data.source == nnfield::DataSource::teacher);
  CHECK(c.data.teacher.r == -1);
  CHECK(c.dynamics.kind == DynamicsKind::damped);
  CHECK(c.dynamics.steps == 1000);
  CHECK(c.integrator.stepper == StepperKind::dopri5);
  CHECK(c.integrator.adaptive);
  CHECK(c.integrator.atol == 1e-10);
  using T = TrajectoryDataset;
  CHECK(c.output.trajectory == std::vector<T>{T::W, T::b, T::z, T::loss, T::gain});
  CHECK(c.output.flush_every == 10);
  // The resolved text names every key, defaults included.
  CHECK_THAT(c.resolved_toml, Contains("[init.smooth_velocity]"));
  CHECK_THAT(c.resolved_toml, Contains("rtol = 1e-08\n"));
  CHECK_THAT(c.resolved_toml, Contains("modes = []\n"));
  CHECK_THAT(c.resolved_toml, Contains("activation = \"\"\n"));
}

TEST_CASE("config: every section and key is read", "[config]") {
  const std::string path = NNFIELD_TEST_DATA_DIR "/config_every_section.toml";
  const ModelConfig c = load_model_file(path, {}, nnfield::UnreadKeys::accept);  // every key set: parse, do not judge
  CHECK(c.source_path == path);
  CHECK(c.source_text == read_text(path));
  CHECK(c.title == "every section");
  CHECK(c.seed == 1234567890123ULL);

  CHECK(c.network.shape == nnfield::NetworkShape{3, 6, 2});
  CHECK(c.network.activation == nnfield::Activation::erf);
  CHECK(c.network.loss == nnfield::Loss::logistic);
  CHECK(c.network.Lx == 2.5);
  CHECK(c.network.Ly == 3.0);

  CHECK(c.init.kind == nnfield::InitKind::smooth);
  CHECK(c.init.sigma_w == 1.5);
  CHECK(c.init.sigma_b == 0.25);
  CHECK(c.init.file == NNFIELD_TEST_DATA_DIR "/init.h5");  // beside the model file
  CHECK(c.init.velocity == nnfield::InitVelocity::smooth);
  CHECK(c.init.sigma_v == 0.5);
  CHECK(c.init.smooth.cutoff_x == 3);
  CHECK(c.init.smooth.cutoff_y == 5);
  CHECK(c.init.smooth.w_amplitude == 0.2);
  CHECK(c.init.smooth.w_mean == std::vector<double>{0.1, 0.2, 0.3, 0.2, 0.1});
  CHECK(c.init.smooth.phi_amplitude == 0.75);
  REQUIRE(c.init.smooth.modes.size() == 2);
  const nnfield::FieldMode& m0 = c.init.smooth.modes[0];
  CHECK(m0.field == nnfield::ModeField::w);
  CHECK(m0.offset == -2);
  CHECK(m0.kx == 1);
  CHECK(m0.ky == 2);
  CHECK(m0.amplitude == 0.5);
  CHECK(m0.phase == 0.25);
  const nnfield::FieldMode& m1 = c.init.smooth.modes[1];  // unset mode fields keep defaults
  CHECK(m1.field == nnfield::ModeField::phi);
  CHECK(m1.offset == 0);
  CHECK(m1.kx == 3);
  CHECK(m1.amplitude == 0.0);
  CHECK(c.init.smooth_velocity.cutoff_x == 1);
  CHECK(c.init.smooth_velocity.cutoff_y == 2);
  CHECK(c.init.smooth_velocity.w_amplitude == 0.05);
  CHECK(c.init.smooth_velocity.w_mean.empty());
  CHECK(c.init.smooth_velocity.phi_amplitude == 0.125);
  REQUIRE(c.init.smooth_velocity.modes.size() == 1);  // [[...]] array-of-tables syntax
  CHECK(c.init.smooth_velocity.modes[0].field == nnfield::ModeField::phi);
  CHECK(c.init.smooth_velocity.modes[0].ky == -1);
  CHECK(c.init.smooth_velocity.modes[0].amplitude == 2.0);

  CHECK(c.data.source == nnfield::DataSource::pair);
  CHECK(c.data.file == NNFIELD_TEST_DATA_DIR "/data.h5");
  CHECK(c.data.samples == 4);
  CHECK(c.data.x == std::vector<double>{1, 2, 3, 4, 5, 6});
  CHECK(c.data.y == std::vector<double>{0.5, -0.5, 0.5, -0.5, 0.5, -0.5});
  CHECK(c.data.x_kind == nnfield::InputKind::smooth);
  CHECK(c.data.x_scale == 2.0);
  CHECK(c.data.x_cutoff == 2);
  CHECK(c.data.y_scale == 0.5);
  CHECK(c.data.presentation == nnfield::Presentation::blend);
  CHECK(c.data.tau == 0.5);
  CHECK(c.data.order == DataOrder::sequential);
  CHECK(c.data.teacher.M == 2);
  CHECK(c.data.teacher.r == 1);
  CHECK(c.data.teacher.activation == nnfield::Activation::sin);
  CHECK(c.data.teacher.sigma_w == 2.0);
  CHECK(c.data.teacher.sigma_b == 0.1);
  CHECK(c.data.teacher.noise == 0.01);

  CHECK(c.dynamics.kind == DynamicsKind::sgd);
  CHECK(c.dynamics.gamma == 0.5);
  CHECK(c.dynamics.eta == 0.05);
  CHECK(c.dynamics.batch == 2);
  CHECK(c.dynamics.t_end == 20.0);
  CHECK(c.dynamics.steps == 5000);

  CHECK(c.integrator.stepper == StepperKind::rkf78);
  CHECK_FALSE(c.integrator.adaptive);
  CHECK(c.integrator.dt == 0.001);
  CHECK(c.integrator.rtol == 1e-6);
  CHECK(c.integrator.atol == 1e-9);
  CHECK(c.integrator.dt_min == 1e-12);

  CHECK(c.output.every == 0.5);
  CHECK(c.output.every_steps == 100);
  CHECK(c.output.trajectory == std::vector<TrajectoryDataset>{TrajectoryDataset::W, TrajectoryDataset::loss});
  CHECK(c.output.flush_every == 5);
}

TEST_CASE("config: --set overrides any key, nested ones too", "[config]") {
  const std::string text = "[network]\nM = 4\nactivation = \"sin\"\n[data.teacher]\nsigma_w = 3.0\n";

  SECTION("values are read as TOML") {
    const ModelConfig c = load_model_string(
        text, "m.toml",
        {"network.M=6", "data.teacher.sigma_w=2", "output.trajectory=[\"loss\"]",
         "run.title=\"quoted title\"", "integrator.adaptive=false", "network.N=8",
         "data.x=[1, 2, 3, 4, 5, 6, 7, 8]", "init.smooth.modes=[{field = \"phi\", kx = 2}]"},
        nnfield::UnreadKeys::accept);
    CHECK(c.network.shape.M == 6);
    CHECK(c.network.shape.N == 8);
    CHECK(c.data.teacher.sigma_w == 2.0);
    CHECK(c.output.trajectory == std::vector<TrajectoryDataset>{TrajectoryDataset::loss});
    CHECK(c.title == "quoted title");
    CHECK_FALSE(c.integrator.adaptive);
    CHECK(c.data.x.size() == 8);
    REQUIRE(c.init.smooth.modes.size() == 1);
    CHECK(c.init.smooth.modes[0].kx == 2);
    CHECK(c.network.activation == nnfield::Activation::sin);  // untouched keys keep the file's value
  }
  SECTION("a value that is not TOML is a bare string") {
    const ModelConfig c = load_model_string(text, "m.toml", {"network.activation=erf", "run.title=my run"});
    CHECK(c.network.activation == nnfield::Activation::erf);
    CHECK(c.title == "my run");
  }
  SECTION("the later of two settings wins") {
    const ModelConfig c = load_model_string(text, "m.toml", {"network.M=2", "network.M=9"});
    CHECK(c.network.shape.M == 9);
  }
  SECTION("an override replaces a bad value in the file") {
    const ModelConfig c = load_model_string("[network]\nM = \"x\"\n", "m.toml", {"network.M=3"});
    CHECK(c.network.shape.M == 3);
  }
  SECTION("the resolved TOML records the overridden value") {
    const ModelConfig c = load_model_string(text, "m.toml", {"dynamics.gamma=0.25"}, nnfield::UnreadKeys::accept);
    CHECK_THAT(c.resolved_toml, Contains("gamma = 0.25\n"));
    CHECK(c.source_text == text);  // the file itself, verbatim
  }
}

TEST_CASE("config: the resolved TOML loads back to the same configuration", "[config]") {
  SECTION("defaults") {
    const ModelConfig a = load_model_string("", "a.toml");
    require_same_config(a, load_model_string(a.resolved_toml, "b.toml"));
  }
  SECTION("every section set") {
    const ModelConfig a = load_model_file(NNFIELD_TEST_DATA_DIR "/config_every_section.toml", {}, nnfield::UnreadKeys::accept);
    const ModelConfig b = load_model_string(a.resolved_toml, "b.toml", {}, nnfield::UnreadKeys::accept);
    require_same_config(a, b);
    REQUIRE(b.init.smooth.modes.size() == 2);
    CHECK(b.init.smooth.modes[0].phase == a.init.smooth.modes[0].phase);
  }
  SECTION("awkward strings and floats survive exactly") {
    const ModelConfig a = load_model_string(
        "[run]\ntitle = \"tab\\there \\\"quoted\\\" back\\\\slash \\u00e9 nl\\n\"\n"
        "[network]\nLx = 0.30000000000000004\nLy = 1e-300\n"
        "[dynamics]\nt_end = 123456789.123456789\n[output]\nevery = 1000.0\n",
        "a.toml");
    const ModelConfig b = load_model_string(a.resolved_toml, "b.toml");
    require_same_config(a, b);
    CHECK(b.title == "tab\there \"quoted\" back\\slash \xc3\xa9 nl\n");
    CHECK(b.network.Lx == 0.1 + 0.2);
    CHECK(b.network.Ly == 1e-300);
  }
}

TEST_CASE("config: errors name the file, line, column and key on one line", "[config]") {
  SECTION("TOML syntax errors keep toml++'s message and position") {
    const std::string e = error_of("[network]\nM = 3\nN = \n");
    CHECK_THAT(e, StartsWith("m.toml:3:5: error: "));
    CHECK_THAT(e, Contains("expected value"));
  }
  SECTION("unknown key, with a suggestion within edit distance 2") {
    CHECK(error_of("[network]\nM = 3\nactvation = \"tanh\"\n") ==
          "m.toml:3:1: error: unknown key 'network.actvation', did you mean "
          "'network.activation'? (key 'network.actvation')");
    CHECK_THAT(error_of("[network]\nn = 8\n"), Contains("did you mean 'network.N'?"));  // case
    CHECK_THAT(error_of("[data.teacher]\nsigmaw = 1\n"), Contains("did you mean 'data.teacher.sigma_w'?"));
    CHECK_THAT(error_of("seed = 1\n"), Contains("unknown key 'seed', did you mean 'run.seed'?"));
    CHECK_THAT(error_of("[network]\nseed = 1\n"), Contains("did you mean 'run.seed'?"));  // wrong section
    CHECK_THAT(error_of("[output]\nkind = 1\n"), !Contains("did you mean"));  // init.kind or dynamics.kind?
  }
  SECTION("unknown key without a close match lists the section's keys") {
    CHECK_THAT(error_of("[network]\nwidth = 8\n"),
               Contains("unknown key 'network.width'; valid keys in [network]: M, N, r,"));
  }
  SECTION("unknown section") {
    CHECK(error_of("[netwrk]\nM = 3\n") ==
          "m.toml:1:2: error: unknown section 'netwrk', did you mean 'network'? (key 'netwrk')");
    CHECK_THAT(error_of("[teacher]\nM = 3\n"), Contains("did you mean 'data.teacher'?"));
    CHECK_THAT(error_of("[plotting]\n"), Contains("unknown section 'plotting'; valid sections: run, network,"));
  }
  SECTION("wrong type: expected vs got; an integer is a float, not the reverse") {
    CHECK(error_of("[network]\nM = \"three\"\n") ==
          "m.toml:2:5: error: expected integer, got string (key 'network.M')");
    CHECK_THAT(error_of("[network]\nM = 3.0\n"), Contains("expected integer, got float (key 'network.M')"));
    CHECK_THAT(error_of("[network]\nLx = \"1\"\n"), Contains("expected float, got string (key 'network.Lx')"));
    CHECK_THAT(error_of("[integrator]\nadaptive = 1\n"), Contains("expected boolean, got integer"));
    CHECK_THAT(error_of("[output]\ntrajectory = \"W\"\n"), Contains("expected array of strings, got string"));
    CHECK(error_of("[data]\nx = [1, \"a\"]\n") ==
          "m.toml:2:9: error: expected float, got string (key 'data.x[1]')");
    CHECK_THAT(error_of("[init.smooth]\nmodes = [1]\n"),
               Contains("expected table, got integer (key 'init.smooth.modes[0]')"));
    CHECK_THAT(error_of("network = 1\n"), Contains("'network' is a section: expected table, got integer"));
  }
  SECTION("out of range values say the allowed range") {
    CHECK(error_of("[network]\nN = 8\nr = 5\n") ==
          "m.toml:3:5: error: network.r = 5 must satisfy r < N/2 (N = 8) (key 'network.r')");
    CHECK_THAT(error_of("[network]\nN = 8\nr = 4\n"), Contains("network.r = 4 must satisfy r < N/2 (N = 8)"));
    CHECK(error_of("[network]\nN = 7\nr = 3\n") == "(no error)");  // r < N/2 exactly: K = N is allowed
    CHECK_THAT(error_of("[network]\nr = -1\n"), Contains("network.r = -1 must be >= 0"));
    CHECK_THAT(error_of("[network]\nM = 0\n"), Contains("network.M = 0 must be >= 1"));
    CHECK_THAT(error_of("[network]\nN = 2\n"), Contains("network.N = 2 must be >= 3"));
    CHECK_THAT(error_of("[init]\nsigma_b = -1\n"), Contains("init.sigma_b = -1.0 must be >= 0"));
    CHECK_THAT(error_of("[data.teacher]\nsigma_w = -1\n"), Contains("data.teacher.sigma_w = -1.0 must be >= 0"));
    CHECK_THAT(error_of("[init]\nsigma_v = -0.1\n"), Contains("init.sigma_v = -0.1 must be >= 0"));
    CHECK_THAT(error_of("[data]\ntau = 0\n"), Contains("data.tau = 0.0 must be > 0"));
    CHECK_THAT(error_of("[dynamics]\nt_end = -1\n"), Contains("dynamics.t_end = -1.0 must be > 0"));
    CHECK_THAT(error_of("[dynamics]\nsteps = 0\n"), Contains("dynamics.steps = 0 must be >= 1"));
    CHECK_THAT(error_of("[integrator]\nrtol = 0\n"), Contains("integrator.rtol = 0.0 must be > 0"));
    CHECK_THAT(error_of("[integrator]\natol = -1e-9\n"), Contains("integrator.atol = -1e-09 must be > 0"));
    CHECK_THAT(error_of("[integrator]\ndt = 0\n"), Contains("integrator.dt = 0.0 must be > 0"));
    CHECK_THAT(error_of("[output]\nevery = 0\n"), Contains("output.every = 0.0 must be > 0"));
    CHECK_THAT(error_of("[run]\nseed = -1\n"), Contains("run.seed = -1 must be >= 0"));
    CHECK_THAT(error_of("[network]\nN = 3000000000\n"), Contains("network.N = 3000000000 must be <= 1000000"));
    CHECK_THAT(error_of("[field]\nq = 3000000000\n"), Contains("field.q = 3000000000 must be <= 8"));
    CHECK_THAT(error_of("[output]\nflush_every = 3000000000\n"),
               Contains("output.flush_every = 3000000000 is out of range"));
    CHECK_THAT(error_of("[init]\nsigma_w = nan\n"), Contains("init.sigma_w = nan must be a finite number"));
  }
  SECTION("invalid choices list the valid ones") {
    CHECK(error_of("[network]\nactivation = \"relu\"\n") ==
          "m.toml:2:14: error: network.activation = \"relu\" is not a valid choice; expected one of "
          "\"tanh\", \"sigmoid\", \"softplus\", \"erf\", \"sin\", \"gelu\"; did you mean \"gelu\"? "
          "(key 'network.activation')");
    CHECK_THAT(error_of("[network]\nloss = \"l1\"\n"), Contains("expected one of \"mse\", \"logistic\""));
    CHECK_THAT(error_of("[integrator]\nstepper = \"euler\"\n"),
               Contains("expected one of \"rk4\", \"dopri5\", \"rkf78\", \"symplectic\""));
    CHECK(error_of("[output]\ntrajectory = [\"W\", \"energy\"]\n") ==
          "m.toml:2:20: error: output.trajectory[1] = \"energy\" is not a valid choice; expected one of "
          "\"W\", \"b\", \"z\", \"loss\", \"gain\", \"Wdot\", \"bdot\", \"phi\", \"w\", \"beta\", \"w_in\", "
          "\"b_in\", \"Z\", \"response\", \"adjoint\", \"w_dot\", \"beta_dot\", \"w_in_dot\", \"b_in_dot\" "
          "(key 'output.trajectory')");
    CHECK(error_of("[output]\ntrajectory = [\"phii\"]\n") ==
          "m.toml:2:15: error: output.trajectory[0] = \"phii\" is not a valid choice; expected one of "
          "\"W\", \"b\", \"z\", \"loss\", \"gain\", \"Wdot\", \"bdot\", \"phi\", \"w\", \"beta\", \"w_in\", "
          "\"b_in\", \"Z\", \"response\", \"adjoint\", \"w_dot\", \"beta_dot\", \"w_in_dot\", \"b_in_dot\"; "
          "did you mean \"phi\"? (key 'output.trajectory')");
    CHECK_THAT(error_of("[[init.smooth.modes]]\nfield = \"psi\"\n"),
               Contains("init.smooth.modes[0].field = \"psi\" is not a valid choice; expected one of \"w\", \"phi\""));
  }
  SECTION("modes: unknown and missing fields, offset within the radius") {
    CHECK_THAT(error_of("[[init.smooth.modes]]\nfield = \"w\"\nofset = 1\n"),
               Contains("m.toml:3:1: error: unknown key 'init.smooth.modes[0].ofset', did you mean "
                        "'init.smooth.modes[0].offset'?"));
    CHECK_THAT(error_of("[[init.smooth.modes]]\nkx = 1\n"),
               Contains("missing key 'field' in mode (one of \"w\", \"phi\") (key 'init.smooth.modes[0].field')"));
    CHECK(error_of("[network]\nr = 1\n[init.smooth_velocity]\nmodes = [{field = \"w\", offset = -2}]\n") ==
          "m.toml:4:33: error: init.smooth_velocity.modes[0].offset = -2 must satisfy |offset| <= r (r = 1) "
          "(key 'init.smooth_velocity.modes[0].offset')");
    CHECK_THAT(error_of("[init.smooth]\nmodes = [{field = \"w\", kx = -1}]\n"),
               Contains("init.smooth.modes[0].kx = -1 must be >= 0"));
  }
  SECTION("rules across keys") {
    CHECK(error_of("[init]\nkind = \"file\"\n") ==
          "m.toml:2:8: error: init.kind = \"file\" requires init.file (key 'init.file')");
    CHECK_THAT(error_of("[init]\nvelocity = \"file\"\n"), Contains("init.velocity = \"file\" requires init.file"));
    CHECK_THAT(error_of("[data]\nsource = \"file\"\n"), Contains("data.source = \"file\" requires data.file"));
    CHECK(error_of("[network]\nN = 8\n[data]\nx = [1.0, 2.0]\n") ==
          "m.toml:4:5: error: data.x has 2 entries, expected N = 8 or none (key 'data.x')");
    CHECK_THAT(error_of("[data]\ny = [1.0]\n"), Contains("data.y has 1 entries, expected N = 32 or none"));
    CHECK_THAT(error_of("[init.smooth]\nw_mean = [1.0, 2.0]\n"),
               Contains("init.smooth.w_mean has 2 entries, expected K = 2r+1 = 3 (r = 1) or none"));
    CHECK_THAT(error_of("[network]\nN = 8\n[data.teacher]\nr = 4\n"),
               Contains("data.teacher.r = 4 must satisfy r < N/2 (N = 8)"));
    CHECK_THAT(error_of("[dynamics]\nkind = \"sgd\"\nbatch = 17\n"),
               Contains("dynamics.batch = 17 must be <= data.samples = 16 for sgd"));
    CHECK(error_of("[dynamics]\nkind = \"sgd\"\nbatch = 17\n[data]\nsource = \"file\"\nfile = \"d.h5\"\n") ==
          "(no error)");
  }
  SECTION("the symplectic stepper needs undamped dynamics with fixed data") {
    const std::string ok = "[dynamics]\ngamma = 0\n[integrator]\nstepper = \"symplectic\"\n";
    CHECK(error_of(ok) == "(no error)");
    CHECK(error_of(ok + "[data]\npresentation = \"full_batch\"\n") == "(no error)");
    // gamma is not in the file: the error points at the stepper that asked for it.
    CHECK(error_of("[integrator]\nstepper = \"symplectic\"\n") ==
          "m.toml:2:11: error: integrator.stepper = \"symplectic\" requires dynamics.gamma = 0, got 1.0 "
          "(key 'dynamics.gamma')");
    CHECK_THAT(error_of(ok + "[data]\npresentation = \"switch\"\n"),
               Contains("requires data.presentation = \"fixed\" or \"full_batch\", got \"switch\""));
    CHECK_THAT(error_of("[dynamics]\nkind = \"gradient_flow\"\n[integrator]\nstepper = \"symplectic\"\n"),
               Contains("requires dynamics.kind = \"damped\", got \"gradient_flow\""));
  }
  SECTION("the earliest problem in the file is reported") {
    // toml++ iterates keys alphabetically; the report must follow the file instead.
    CHECK_THAT(error_of("[output]\nevery = -1\n[data]\ntau = -1\n"), StartsWith("m.toml:2:9:"));
  }
  SECTION("values from --set are located at the override") {
    CHECK(error_of("", {"network.r=40"}) ==
          "--set network.r=40: error: network.r = 40 must satisfy r < N/2 (N = 32) (key 'network.r')");
    CHECK(error_of("", {"dynamics.t_end=-1"}) ==
          "--set dynamics.t_end=-1: error: dynamics.t_end = -1.0 must be > 0 (key 'dynamics.t_end')");
    CHECK(error_of("", {"network.activation=relu"}).rfind("--set network.activation=relu: error: ", 0) == 0);
    CHECK_THAT(error_of("", {"init.smooth.modes=[{field=\"q\"}]"}),
               StartsWith("--set init.smooth.modes=[{field=\"q\"}]: error: init.smooth.modes[0].field"));
  }
  SECTION("unknown and malformed overrides") {
    CHECK(error_of("", {"netwrk.M=3"}) ==
          "--set netwrk.M=3: error: unknown key 'netwrk.M', did you mean 'network.M'? (key 'netwrk.M')");
    CHECK_THAT(error_of("", {"data.teacher.sigmaw=2"}), Contains("did you mean 'data.teacher.sigma_w'?"));
    CHECK(error_of("", {"network.M"}) ==
          "--set network.M: error: malformed override 'network.M': expected section.key=value");
    CHECK_THAT(error_of("", {"=3"}), Contains("malformed override '=3'"));
    CHECK_THAT(error_of("", {"network=3"}), Contains("'network' is a section, not a key"));
  }
  SECTION("every message is a single line") {
    for (const auto& e : {error_of("[run]\ntitle = 3\n"), error_of("a = \"\"\"\n"),
                          error_of("", {"run.seed=\"\"\"x\ny\"\"\""}), error_of("[network\n"),
                          error_of("[network]\n\"a\\nb\" = 1\n")}) {
      CHECK(e != "(no error)");
      CHECK(e.find('\n') == std::string::npos);
    }
  }
}

TEST_CASE("config: a missing model file is a ConfigError naming it", "[config]") {
  const std::string path = NNFIELD_TEST_DATA_DIR "/no_such_model.toml";
  try {
    load_model_file(path);
    FAIL("no error");
  } catch (const ConfigError& e) {
    CHECK_THAT(e.what(), StartsWith(path + ": error: cannot open model file"));
  }
}

TEST_CASE("config: each malformed model in tests/models_bad fails as its first line says", "[config]") {
  // The same files drive the CLI test (tests/cli/bad_model_files.sh); this checks the
  // config layer alone, so a failure there points at the CLI.
  namespace fs = std::filesystem;
  int count = 0;
  for (const auto& entry : fs::directory_iterator(NNFIELD_SOURCE_DIR "/tests/models_bad")) {
    if (entry.path().extension() != ".toml") continue;
    ++count;
    const std::string path = entry.path().string();
    std::string first;
    std::ifstream in(path);
    std::getline(in, first);
    INFO(path);
    REQUIRE_THAT(first, StartsWith("# expect: "));
    std::string message = "(no error)";
    try {
      load_model_file(path);
    } catch (const ConfigError& e) {
      message = e.what();
    }
    CHECK_THAT(message, Contains(first.substr(10)));
    CHECK_THAT(message, StartsWith(path + ":"));
  }
  CHECK(count >= 18);
}

TEST_CASE("config: docs/model-files.md is the schema's generated reference", "[config]") {
  // Regenerate with `nnfield keys > docs/model-files.md` after changing the schema.
  const std::string committed = read_text(NNFIELD_SOURCE_DIR "/docs/model-files.md");
  const std::string generated = nnfield::model_file_reference_markdown();
  CHECK(committed == generated);
  for (const char* key : {"`network.r`", "`init.smooth.modes`", "`data.teacher.noise`", "`output.flush_every`"}) {
    CHECK_THAT(generated, Contains(key));
  }
}

TEST_CASE("config: the docs' error examples are what the loader says", "[config]") {
  const std::string md = nnfield::model_file_reference_markdown();
  const std::string r_error =
      error_of("[run]\nseed = 1\n[network]\nr = 5\nN = 8\n");
  CHECK(r_error == "m.toml:4:5: error: network.r = 5 must satisfy r < N/2 (N = 8) (key 'network.r')");
  CHECK_THAT(md, Contains("model.toml:4:5: error: network.r = 5 must satisfy r < N/2 (N = 8) (key 'network.r')"));
  CHECK_THAT(md, Contains(error_of("", {"dynamics.t_end=-1"})));
  const std::string unknown = error_of("\n\n\n\n\n[network]\nactvation = 1\n");
  CHECK_THAT(md, Contains("model.toml" + unknown.substr(std::string("m.toml").size())));
}
