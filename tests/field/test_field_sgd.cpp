// SGD on the field (docs/field-limit.md section 12): the discrete-step map of the field's
// gradient flow, q <- q - eta m^-1 dL/dq on the batch's mean loss. In the lattice-exact form
// every mass is 1 and the map is the network's step: the same batches at the same steps
// (mini-batches in shuffled order included) give the network's neurons to ~1e-14; the batch
// size changes the run (a negative control).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "nnfield/analysis/compare.hpp"
#include "nnfield/config/config.hpp"
#include "nnfield/run/run.hpp"
#include "field/field_run_support.hpp"

using namespace nnfield;
using namespace nnfield::test;

namespace {

const std::string kModel = std::string(NNFIELD_SOURCE_DIR) + "/models/field_sgd.toml";

// The exact field and the network of the model, with the overrides `set`: the largest
// difference of their neurons (the first sample of each recorded batch) over the largest
// neuron, and of their losses (the batch's mean) over the largest loss.
std::pair<double, double> exact_vs_network(const std::vector<std::string>& set) {
  std::vector<std::string> with_exact = set;
  with_exact.push_back("field.form=\"exact\"");
  ModelConfig field = load_model_file(kModel, with_exact);
  field.output.trajectory = {TrajectoryDataset::phi, TrajectoryDataset::loss};
  ModelConfig net = network_of(field);
  net.output.trajectory = {TrajectoryDataset::z, TrajectoryDataset::loss};
  const auto f = run_in_memory(field), n = run_in_memory(net);
  const std::vector<double>&phi = data_of(*f, "/trajectory/phi"), &z = data_of(*n, "/trajectory/z");
  const std::vector<double>&Lf = data_of(*f, "/trajectory/loss"), &Ln = data_of(*n, "/trajectory/loss");
  REQUIRE(phi.size() == z.size());
  REQUIRE(Lf.size() == Ln.size());
  REQUIRE(Lf.size() == 5);  // steps 0, 10, ..., 40
  double dz = 0.0, zmax = 0.0, dl = 0.0, lmax = 0.0;
  for (std::size_t i = 0; i < z.size(); ++i) dz = std::max(dz, std::fabs(phi[i] - z[i])), zmax = std::max(zmax, std::fabs(z[i]));
  for (std::size_t k = 0; k < Ln.size(); ++k) dl = std::max(dl, std::fabs(Lf[k] - Ln[k])), lmax = std::max(lmax, Ln[k]);
  return {dz / zmax, dl / lmax};
}

}  // namespace

TEST_CASE("field sgd: the lattice-exact map is the network's step, batch for batch", "[field][sgd]") {
  for (const auto& set : {std::vector<std::string>{},
                          std::vector<std::string>{"dynamics.batch=4", "data.order=\"shuffle\""},
                          std::vector<std::string>{"dynamics.batch=3", "data.order=\"random\""}}) {
    const auto [neurons, loss] = exact_vs_network(set);
    INFO((set.empty() ? std::string("full batch") : set.front()) << ": neurons " << neurons << ", loss " << loss);
    CHECK(neurons < 1e-13);
    CHECK(loss < 1e-13);
  }
}

TEST_CASE("field sgd: the batch changes the run, and the map moves the parameters", "[field][sgd]") {
  // A negative control: one sample a step, drawn at random, records other samples and trains otherwise.
  const ModelConfig full = load_model_file(kModel);
  const ModelConfig half = load_model_file(kModel, {"dynamics.batch=1", "data.order=\"random\""});
  const auto a = run_in_memory(full), b = run_in_memory(half);
  const std::vector<double>&La = data_of(*a, "/trajectory/loss"), &Lb = data_of(*b, "/trajectory/loss");
  CHECK(La.back() < 0.5 * La.front());  // trained
  CHECK(La.back() != Lb.back());
  const std::vector<double>&Za = data_of(*a, "/trajectory/Z"), &Zb = data_of(*b, "/trajectory/Z");
  double apart = 0.0;
  for (std::size_t i = 0; i < Za.size(); ++i) apart = std::max(apart, std::fabs(Za[i] - Zb[i]));
  INFO("apart " << apart);
  CHECK(apart > 1e-4);
}

TEST_CASE("field sgd: compare refuses batches whose first sample changes", "[field][sgd][compare]") {
  const auto refused = [](const std::vector<std::string>& set) {
    try {
      run_compare(load_model_file(kModel, set), CompareOptions{});
    } catch (const ConfigError& e) {
      CHECK(std::string(e.what()).find("dynamics.batch = continuum.samples and data.order = \"sequential\"") !=
            std::string::npos);
      return;
    }
    FAIL("accepted");
  };
  refused({"dynamics.batch=4"});
  refused({"data.order=\"shuffle\""});
}
