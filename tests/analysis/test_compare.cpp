// nnfield compare (include/nnfield/analysis/compare.hpp): the order fit on synthetic errors, the
// weakly nonlinear scaling (network self-convergence, field vs network, lattice-exact
// check) and the O(1)-misfit "no limit" verdict (docs/theory.md 4.2, 4.5).
#include <catch2/catch.hpp>

#include <cmath>
#include <string>

#include "nnfield/analysis/compare.hpp"
#include "nnfield/config/config.hpp"

using namespace nnfield;

namespace {

// The continuum data of models/continuum_network.toml, small and short.
const char* kModel = R"TOML(
[network]
M = 32
N = 32
r = 1
activation = "tanh"
[continuum]
phi = "0.2 + 0.4*sin(2*pi*y)*cos(pi*x/2) + 0.1*x"
c = "0.5*cos(pi*x)*sin(2*pi*y)"
w = ["0.3 + 0.05*sin(2*pi*(x + y))", "", "0.3 - 0.05*cos(2*pi*y)"]
w_in = ["0.3", "0.4", "0.3"]
X = "sin(2*pi*y) + 0.3*cos(4*pi*y)"
misfit = "cos(2*pi*y)"
misfit_scaling = "depth"
[field]
q = 5
[dynamics]
kind = "gradient_flow"
eta = 1.0
eta_scaling = "depth"
t_end = 0.5
[integrator]
stepper = "dopri5"
rtol = 1e-7
atol = 1e-9
[output]
every = 0.25
)TOML";

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("compare: the fit e = C a^p (1 + D a) recovers p", "[compare]") {
  std::vector<double> a, e;
  for (int l = 0; l < 5; ++l) {
    a.push_back(1.0 / (32 << l));
    e.push_back(2.0 * std::pow(a.back(), 2.0) * (1.0 + 3.0 * a.back()));
  }
  const OrderFit five = fit_orders(a, e);
  REQUIRE(five.fitted);
  CHECK(five.order == Approx(2.0).margin(1e-6));
  CHECK(five.D == Approx(3.0).margin(1e-4));
  CHECK(five.uncertainty < 1e-6);
  REQUIRE(five.pair_order.size() == 4);
  CHECK(five.pair_order.back() == Approx(2.0).margin(0.05));
  const OrderFit three = fit_orders({a[0], a[1], a[2]}, {e[0], e[1], e[2]});
  REQUIRE(three.fitted);
  CHECK(three.order == Approx(2.0).margin(1e-6));
  CHECK(three.uncertainty == Approx(three.pair_order[0] - three.pair_order[1]).margin(1e-12));
  CHECK(contains(convergence_verdict({e[0], e[1], e[2]}, three, 2.0), "converges at order 2.00"));
  CHECK(contains(convergence_verdict({1.0, 2.0, 0.5}, fit_orders({a[0], a[1], a[2]}, {1.0, 2.0, 0.5}), 1.0),
                 "pre-asymptotic"));
}

TEST_CASE("compare: verdicts weigh the fit's uncertainty and flag orders off theory", "[compare]") {
  std::vector<double> a;
  for (int l = 0; l < 5; ++l) a.push_back(1.0 / (32 << l));
  auto table = [&](double p, const std::vector<double>& noise) {
    std::vector<double> e;
    for (std::size_t l = 0; l < a.size(); ++l) e.push_back(0.7 * std::pow(a[l], p) * (1.0 + 2.0 * a[l]) * noise[l]);
    return e;
  };
  auto verdict = [&](const std::vector<double>& e, double theory) {
    return convergence_verdict(e, fit_orders(a, e), theory);
  };
  // Order 2 with 1% noise: converges, no flag.
  const std::vector<double> quiet = table(2.0, {1.0, 1.01, 0.99, 1.0, 1.01});
  const OrderFit quiet_fit = fit_orders(a, quiet);
  INFO("quiet: " << verdict(quiet, 2.0));
  CHECK(quiet_fit.uncertainty < 0.3);
  CHECK(quiet_fit.order == Approx(2.0).margin(0.05));
  CHECK(contains(verdict(quiet, 2.0), "converges at order"));
  CHECK(!contains(verdict(quiet, 2.0), "theor"));
  // Order 2 with errors that zig-zag by a factor 2 (still falling): the fit cannot pin p.
  const std::vector<double> noisy = table(2.0, {1.0, 1.6, 0.8, 1.6, 0.8});
  const OrderFit noisy_fit = fit_orders(a, noisy);
  INFO("noisy: " << verdict(noisy, 2.0) << ", u = " << noisy_fit.uncertainty);
  CHECK(!(noisy_fit.uncertainty <= 0.3));
  CHECK(contains(verdict(noisy, 2.0), "inconclusive"));
  // Clean order 3 where theory says 2: converges, flagged above theory.
  const std::vector<double> above = table(3.0, {1, 1, 1, 1, 1});
  INFO("above: " << verdict(above, 2.0));
  CHECK(contains(verdict(above, 2.0), "converges at order 3.0"));
  CHECK(contains(verdict(above, 2.0), "above theory 2: a higher-order error dominates"));
  // The same table judged against theory 3 carries no flag; order 1 against theory 2 is below.
  CHECK(!contains(verdict(above, 3.0), "theor"));
  CHECK(contains(verdict(table(1.0, {1, 1, 1, 1, 1}), 2.0), "below the theoretical order 2"));
  // Two errors: the finest pair decides, with the same flag.
  CHECK(contains(convergence_verdict({above[0], above[1]}, fit_orders({a[0], a[1]}, {above[0], above[1]}), 2.0),
                 "above theory 2"));
}

TEST_CASE("compare: errors theory expects not to depend on the spacing are judged against order 0", "[compare]") {
  // e = e_inf + C a (the field refined in width alone: the depth error plus an O(ay) part):
  // once C a is small beside e_inf the finest pair order is near 0 -> "independent of ay";
  // while C a dominates, the pair orders are near 1 -> an order, flagged above theory 0.
  std::vector<double> a;
  for (int l = 0; l < 4; ++l) a.push_back(1.0 / (32 << l));
  const auto errors = [&](double e_inf, double C) {
    std::vector<double> e;
    for (double v : a) e.push_back(e_inf + C * v);
    return e;
  };
  const std::vector<double> flat = errors(3e-3, 2e-3);
  const std::string v = independence_verdict(flat, fit_orders(a, flat), "ay", "why");
  INFO(v);
  CHECK(v.rfind("independent of ay (pair orders ", 0) == 0);
  CHECK(contains(v, "): why"));
  const std::vector<double> falling = errors(1e-7, 2e-2);
  const std::string w = independence_verdict(falling, fit_orders(a, falling), "ay", "why");
  INFO(w);
  CHECK(contains(w, "converges at order 1"));
  CHECK(contains(w, "above theory 0"));
  CHECK(contains(independence_verdict({1e-3, 2e-3}, fit_orders({a[0], a[1]}, {1e-3, 2e-3}), "ay", "why"),
                 "pre-asymptotic"));
}

TEST_CASE("compare: weakly nonlinear scaling converges, lattice-exact field is the network", "[compare]") {
  const ModelConfig config = load_model_string(kModel, "weak.toml");
  CompareOptions options;
  options.levels = 3;
  options.orders = {2};
  options.coarsen = {{1, 1}};
  options.times = {0.25, 0.5};
  const CompareResult r = run_compare(config, options);
  REQUIRE(r.levels.size() == 3);
  CHECK(r.levels[2].M == 128);
  REQUIRE(r.self_order.size() == 1);
  INFO("self errors " << r.self_error.back()[0] << " " << r.self_error.back()[1] << ", verdict " << r.self_verdict);
  CHECK(r.self_order.back() >= 0.7);
  CHECK(contains(r.self_verdict, "converges"));
  for (const CompareLevel& lv : r.levels) CHECK(lv.left_critical_at < 0);
  REQUIRE(r.exact_checked);
  CHECK(r.exact_max_rel_diff < 1e-9);
  REQUIRE(r.studies.size() == 1);
  const CompareStudy& s = r.studies[0];
  CHECK(s.name == "p2_r1");
  for (int l = 0; l < 3; ++l) REQUIRE(s.ran[std::size_t(l)]);
  const auto& e = s.errors.back();
  INFO("p = 2 response errors " << e[0][0] << " " << e[1][0] << " " << e[2][0] << ": " << s.verdict);
  CHECK(e[1][0] < e[0][0]);
  CHECK(e[2][0] < e[1][0]);
  CHECK(e[2][0] < 1e-2);  // the field tracks the network's response within 1% at M = 128
  for (int q = 0; q < kCompareQuantities; ++q) CHECK(std::isfinite(e[2][std::size_t(q)]));
  CHECK(!contains(s.verdict, "no limit"));
  // The absolute output error, t = 0 included (the initial offset that the response leaves
  // out): measured on every level, and the offset shrinks as the lattice is refined.
  REQUIRE(s.output_error.size() == r.times.size() + 1);
  const std::vector<double>& offset = s.output_error.front();
  INFO("output offsets at t = 0: " << offset[0] << " " << offset[1] << " " << offset[2]);
  for (const auto& row : s.output_error)
    for (double v : row) CHECK(std::isfinite(v));
  CHECK(offset[1] < offset[0]);
  CHECK(offset[2] < offset[1]);
  CHECK(contains(compare_table(r), "output(0)"));
}

TEST_CASE("compare: the field dynamics converge to the network at order p (p = 1, 2, 3)", "[compare][field]") {
  // Gradient flow in the weakly nonlinear scaling, rx = ry = 1, M = 64, 128, 256, t = 2
  // (models/field_coarse.toml): the output response and the adjoint separately, pair order
  // of the finest pair within 0.3 of p. (p = 2's psi1 evaluation point, docs/field-limit.md
  // section 6: with psi0 the dynamics stopped at order 1. p = 3: measured 3.07 ± 0.12 for the
  // response, 3.04 ± 0.02 for the adjoint; with the output line's link fields interpolated
  // and massless, or with the masses on x - ax/2 alone, it stopped at order 1.)
  const ModelConfig config = load_model_file(std::string(NNFIELD_SOURCE_DIR) + "/models/field_coarse.toml",
                                             {"network.M=64", "network.N=64"});
  CompareOptions options;
  options.levels = 3;
  options.orders = {1, 2, 3};
  options.coarsen = {{1, 1}};
  options.exact_check = false;
  const CompareResult r = run_compare(config, options);
  REQUIRE(r.studies.size() == 3);
  for (const CompareStudy& s : r.studies) {
    for (int quantity : {0, 3}) {  // response, adjoint
      const OrderFit& fit = s.fits[std::size_t(quantity)];
      REQUIRE(fit.pair_order.size() == 2);
      INFO(s.name << " " << kCompareQuantityNames[std::size_t(quantity)] << ": pair orders " << fit.pair_order[0]
                  << ", " << fit.pair_order[1] << "; fit " << fit.order << " ± " << fit.uncertainty);
      CHECK(std::fabs(fit.pair_order.back() - s.p) < 0.3);
      if (s.p == 3) {  // the fitted order with its uncertainty: 3 ± 0.3
        REQUIRE(fit.fitted);
        CHECK(std::fabs(fit.order - 3.0) < 0.3);
        CHECK(fit.uncertainty < 0.3);
      }
    }
    INFO(s.name << ": " << s.verdict);
    CHECK(contains(s.verdict, "converges"));
    CHECK(!contains(s.verdict, "above theory"));
    CHECK(!contains(s.verdict, "below the theoretical order"));
  }
}

TEST_CASE("compare: damped dynamics converge with masses 1/(eta ax), and say why not without", "[compare][field]") {
  // models/field_coarse.toml made damped at M = 32, 64, 128 (docs/field-limit.md, "Momentum
  // with a limit"): with eta_scaling = "depth" (masses 1/(eta ax)) the network self-converges
  // and the field dynamics converge at order p; with unit masses the output's stiffness grows
  // like M and there is no limit, and the verdict says why.
  const std::string model = std::string(NNFIELD_SOURCE_DIR) + "/models/field_coarse.toml";
  CompareOptions options;
  options.levels = 3;
  options.orders = {1, 2};
  options.coarsen = {{1, 1}};
  options.exact_check = false;
  const CompareResult r = run_compare(
      load_model_file(model, {"network.M=32", "network.N=32", "dynamics.kind=\"damped\"", "dynamics.gamma=1.0"}),
      options);
  INFO("self: " << r.self_verdict);
  CHECK(contains(r.self_verdict, "converges"));
  REQUIRE(r.studies.size() == 2);
  for (const CompareStudy& s : r.studies) {
    const OrderFit& fit = s.fits[0];  // the response
    INFO(s.name << ": " << s.verdict << ", finest pair " << fit.pair_order.back());
    CHECK(std::fabs(fit.pair_order.back() - s.p) < 0.3);
    CHECK(!contains(s.verdict, "no limit"));
  }
  CHECK(contains(r.studies[1].verdict, "converges at order 2"));
  options.orders = {2};
  const CompareResult unit = run_compare(load_model_file(model, {"network.M=32", "network.N=32",
                                                                 "dynamics.kind=\"damped\"", "dynamics.gamma=1.0",
                                                                 "dynamics.eta_scaling=\"none\"", "dynamics.eta=0.1"}),
                                         options);
  INFO("unit masses: " << unit.self_verdict);
  CHECK(contains(unit.self_verdict, "no limit"));
  CHECK(contains(unit.self_verdict, "masses 1/(eta ax)"));
  CHECK(contains(unit.studies[0].verdict, "no limit"));
}

TEST_CASE("compare: with a switched or blended data set the field converges to the network at order p", "[compare][field][data]") {
  // models/field_data_set.toml: the data of models/field_coarse.toml as a continuum data set
  // of P = 8 samples (inputs X + ax dX_s, dX_s smooth random fields of width modes |ky| <= 1)
  // switched every 0.25 in shuffled order (or blended over 0.25), M = 32, 64, 128
  // (docs/field-limit.md section 10): network and field see the same samples at the same
  // times, the network self-converges, and the field's response error falls at order p
  // (gradient flow: the adjoint too; damped, masses 1/(eta ax): the response).
  const std::string model = std::string(NNFIELD_SOURCE_DIR) + "/models/field_data_set.toml";
  CompareOptions options;
  options.levels = 3;
  options.orders = {1, 2};
  options.coarsen = {{1, 1}};
  options.exact_check = false;
  struct Case {
    bool damped;
    const char* presentation;
  };
  for (const Case& run : {Case{false, "switch"}, Case{true, "switch"}, Case{false, "blend"}}) {
    const bool damped = run.damped;
    std::vector<std::string> set = {std::string("data.presentation=\"") + run.presentation + "\""};
    if (damped) set.insert(set.end(), {"dynamics.kind=\"damped\"", "dynamics.gamma=1.0"});
    const CompareResult r = run_compare(load_model_file(model, set), options);
    INFO((damped ? "damped, " : "gradient flow, ") << run.presentation << "; self: " << r.self_verdict);
    CHECK(contains(r.self_verdict, "converges"));
    REQUIRE(r.studies.size() == 2);
    for (const CompareStudy& s : r.studies)
      for (int quantity : {0, 3}) {  // response, adjoint
        if (damped && quantity == 3) continue;  // pre-asymptotic at these M for damped motion
        const OrderFit& fit = s.fits[std::size_t(quantity)];
        REQUIRE(fit.pair_order.size() == 2);
        INFO(s.name << " " << kCompareQuantityNames[std::size_t(quantity)] << ": pair orders " << fit.pair_order[0]
                    << ", " << fit.pair_order[1]);
        CHECK(std::fabs(fit.pair_order.back() - s.p) < 0.3);
      }
  }
}

TEST_CASE("compare: refining M alone at fixed N, the field converges at order p in ax", "[compare][field]") {
  // models/field_coarse.toml at N = 256 and M = 16, 32, 64 (ay/ax = 1/16 .. 1/4; docs/field-limit.md
  // section 9): the field's depth truncation converges at order p in ax, gradient flow, the
  // 3-level fit of the response and of the adjoint within 0.3 of p with an uncertainty below 0.3.
  const ModelConfig config = load_model_file(std::string(NNFIELD_SOURCE_DIR) + "/models/field_coarse.toml",
                                             {"network.M=16", "network.N=256"});
  CompareOptions options;
  options.levels = 3;
  options.refine = CompareRefinement::depth;
  options.orders = {1, 2};
  options.coarsen = {{1, 1}};
  options.exact_check = false;
  const CompareResult r = run_compare(config, options);
  REQUIRE(r.levels.size() == 3);
  for (std::size_t l = 0; l < 3; ++l) {
    CHECK(r.levels[l].M == 16 << l);
    CHECK(r.levels[l].N == 256);
  }
  CHECK(contains(compare_table(r), "orders in ax"));
  REQUIRE(r.studies.size() == 2);
  for (const CompareStudy& s : r.studies) {
    CHECK(s.theoretical_order == s.p);
    for (int quantity : {0, 3}) {  // response, adjoint
      const OrderFit& fit = s.fits[std::size_t(quantity)];
      INFO(s.name << " " << kCompareQuantityNames[std::size_t(quantity)] << ": fit " << fit.order << " ± "
                  << fit.uncertainty << "; " << s.verdicts[std::size_t(quantity)]);
      REQUIRE(fit.fitted);
      CHECK(fit.uncertainty < 0.3);
      CHECK(std::fabs(fit.order - s.p) < 0.3);
      CHECK(contains(s.verdicts[std::size_t(quantity)], "converges at order"));
    }
  }
}

TEST_CASE("compare: refining N alone at fixed M, the field's error does not depend on ay", "[compare][field]") {
  // M = 32, N = 32 .. 256 (docs/field-limit.md section 9). The field's width shifts are exact,
  // so its difference from the network is the depth error at this ax: the pair orders in ay
  // fall to 0 (within 0.3 at the finest pair, p = 1, 2; the coarse depth grid rx = 4 over
  // ever finer width grids too, with the substeps the stability check asks for). The
  // networks themselves converge in ay: at order 2 for a symmetric width stencil (no
  // advection, only the O(ay^2) diffusion), at order 1 for an asymmetric one.
  const std::string model = std::string(NNFIELD_SOURCE_DIR) + "/models/field_coarse.toml";
  CompareOptions options;
  options.levels = 4;
  options.refine = CompareRefinement::width;
  options.orders = {1, 2};
  options.coarsen = {{1, 1}, {4, 1}};
  options.exact_check = false;
  const CompareResult sym = run_compare(
      load_model_file(model, {"network.M=32", "network.N=32", "continuum.w=[\"0.3\", \"\", \"0.3\"]"}), options);
  for (std::size_t l = 0; l < 4; ++l) CHECK((sym.levels[l].M == 32 && sym.levels[l].N == 32 << l));
  CHECK(contains(compare_table(sym), "orders in ay"));
  INFO("symmetric stencil: " << sym.self_verdict);
  CHECK(std::fabs(sym.self_order.back() - 2.0) < 0.3);
  REQUIRE(sym.studies.size() == 4);
  CHECK(sym.studies[1].name == "p1_r4x1");
  for (const CompareStudy& s : sym.studies) {
    CHECK(s.theoretical_order == 0.0);
    for (std::size_t l = 0; l < 4; ++l) REQUIRE(s.ran[l]);
    for (int quantity : {0, 3}) {  // response, adjoint
      const OrderFit& fit = s.fits[std::size_t(quantity)];
      INFO(s.name << " " << kCompareQuantityNames[std::size_t(quantity)] << ": "
                  << s.verdicts[std::size_t(quantity)]);
      CHECK(std::fabs(fit.pair_order.back()) < 0.3);
      CHECK(contains(s.verdicts[std::size_t(quantity)], "independent of ay"));
    }
  }
  options.orders = {1};
  options.coarsen = {{1, 1}};
  const CompareResult asym = run_compare(
      load_model_file(model, {"network.M=32", "network.N=32", "continuum.w=[\"0.45\", \"\", \"0.15\"]"}), options);
  INFO("asymmetric stencil: " << asym.self_verdict);
  CHECK(std::fabs(asym.self_order.back() - 1.0) < 0.3);
  CHECK(contains(asym.studies[0].verdict, "independent of ay"));
}

TEST_CASE("compare: a study coarse-grains depth and width by different factors", "[compare][field]") {
  // rx = 4, ry = 1 and rx = 1, ry = 4 next to rx = ry = 4: each study's field grid has
  // nx - 1 = (M - 1)/rx intervals and N/ry width nodes, its errors are finite and fall as
  // (M, N) are refined together, and the grid that does not fit a level is skipped with a note.
  const ModelConfig config = load_model_string(kModel, "weak.toml");
  CompareOptions options;
  options.levels = 2;
  options.orders = {2};
  options.coarsen = {{4, 1}, {1, 4}, {4, 4}, {1, 64}};
  options.exact_check = false;
  const CompareResult r = run_compare(config, options);
  REQUIRE(r.studies.size() == 4);
  CHECK(r.studies[0].name == "p2_r4x1");
  CHECK(r.studies[1].name == "p2_r1x4");
  CHECK(r.studies[2].name == "p2_r4");
  for (int i = 0; i < 3; ++i) {
    const CompareStudy& s = r.studies[std::size_t(i)];
    INFO(s.name << ": " << s.verdict);
    REQUIRE((s.ran[0] && s.ran[1]));
    CHECK(s.errors.back()[1][0] < s.errors.back()[0][0]);
  }
  CHECK((r.studies[0].rx == 4 && r.studies[0].ry == 1 && r.studies[1].rx == 1 && r.studies[1].ry == 4));
  // N/ry = 32/64 < 1: does not fit at the base level; at N = 64, 1 width node < K: refused.
  const CompareStudy& wide = r.studies[3];
  CHECK(!wide.ran[0]);
  REQUIRE(!wide.notes.empty());
  CHECK(contains(wide.notes[0], "rx = 1, ry = 64"));
  CHECK(contains(compare_table(r), "rx = 4, ry = 1"));
}

TEST_CASE("compare: with a moving source, a full batch or SGD the field converges to the network at order p",
          "[compare][field][data]") {
  // docs/field-limit.md sections 10-12, M = 32, 64, 128, rx = ry = 1, gradient flow unless SGD:
  //   field_moving_source.toml  X(y, t) and misfit(y, t) moving (the input by ax)
  //   field_full_batch.toml     the 8 samples of field_data_set.toml as one batch, one neuron
  //                             field per sample, the loss their mean
  //   field_sgd.toml            40 steps of q <- q - eta ax m^-1 dL/dq on that batch, the same
  //                             step count on every level (the map's limit)
  // The network self-converges, the lattice-exact form is the network (moving data, the batch,
  // the SGD step), and the field's response and adjoint fall at order p on the finest pair.
  for (const char* model : {"field_moving_source", "field_full_batch", "field_sgd"}) {
    CompareOptions options;
    options.levels = 3;
    options.orders = {1, 2};
    options.coarsen = {{1, 1}};
    const CompareResult r =
        run_compare(load_model_file(std::string(NNFIELD_SOURCE_DIR) + "/models/" + model + ".toml"), options);
    INFO(model << "; self: " << r.self_verdict);
    CHECK(contains(r.self_verdict, "converges"));
    CHECK(r.exact_max_rel_diff < 1e-13);
    REQUIRE(r.studies.size() == 2);
    for (const CompareStudy& s : r.studies)
      for (int quantity : {0, 3}) {  // response, adjoint
        const OrderFit& fit = s.fits[std::size_t(quantity)];
        REQUIRE(fit.pair_order.size() == 2);
        INFO(s.name << " " << kCompareQuantityNames[std::size_t(quantity)] << ": pair orders " << fit.pair_order[0]
                    << ", " << fit.pair_order[1]);
        CHECK(std::fabs(fit.pair_order.back() - s.p) < 0.3);
      }
  }
}

TEST_CASE("compare: an O(1) misfit leaves the critical regime and is reported as no limit", "[compare]") {
  const ModelConfig config = load_model_string(kModel, "strong.toml",
                                               {"continuum.misfit_scaling=\"none\"", "dynamics.t_end=1.0",
                                                "network.M=16", "network.N=16"});
  CompareOptions options;
  options.levels = 3;
  options.orders = {1};
  options.coarsen = {{1, 1}};
  options.exact_check = false;
  const CompareResult r = run_compare(config, options);
  bool left = false;
  for (const CompareLevel& lv : r.levels) left = left || lv.left_critical_at >= 0;
  CHECK(left);
  CHECK(contains(r.self_verdict, "no limit"));
  REQUIRE(r.studies.size() == 1);
  CHECK(contains(r.studies[0].verdict, "no limit"));
  CHECK(!contains(r.studies[0].verdict, "converges"));
  // max|g - 1| reaches O(0.1) whatever M: max|g-1|/ax grows with M.
  CHECK(r.levels[2].max_gain_over_ax > 2.0 * r.levels[0].max_gain_over_ax);
}

TEST_CASE("compare: bad input is a ConfigError naming the model", "[compare]") {
  const ModelConfig config = load_model_string(kModel, "weak.toml");
  CompareOptions options;
  options.times = {0.7};
  CHECK_THROWS_AS(run_compare(config, options), ConfigError);
  const ModelConfig plain = load_model_string("[network]\nM = 4\nN = 8\n", "plain.toml");
  try {
    run_compare(plain, CompareOptions{});
    FAIL("no error");
  } catch (const ConfigError& e) {
    CHECK(contains(e.what(), "plain.toml"));
    CHECK(contains(e.what(), "[continuum]"));
  }
}
