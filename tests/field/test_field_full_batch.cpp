// The field theory on a full batch (docs/field-limit.md section 10): every sample of the
// continuum data set at once, one boundary theory (one neuron field) per sample on the one
// bulk, the loss their mean. The field's batch is the network's, sample for sample; the
// lattice-exact form is the network trained on the batch; the batch changes the run (a
// negative control); damped motion conserves its energy books.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "nnfield/config/config.hpp"
#include "nnfield/data/continuum_config.hpp"
#include "nnfield/data/data.hpp"
#include "nnfield/field/field_problem.hpp"
#include "nnfield/run/run.hpp"
#include "field/field_run_support.hpp"

using namespace nnfield;
using namespace nnfield::test;

namespace {

const std::string kModel = std::string(NNFIELD_SOURCE_DIR) + "/models/field_full_batch.toml";

// Fixed RK4 steps, the same times on both lattices.
ModelConfig fixed_steps(ModelConfig c) {
  c.integrator.stepper = StepperKind::rk4;
  c.integrator.dt = 0.01;
  c.dynamics.t_end = 1.0;
  return c;
}

}  // namespace

TEST_CASE("full batch: the field's batch is the network's, sample for sample", "[field][data]") {
  const ExactPair pair(kModel);
  const DataStream& net_stream = pair.net_stream;
  const DataStream& field_stream = *pair.problem.data;
  const FieldProblem& pr = pair.problem;
  const ModelConfig& net = pair.net;
  REQUIRE(field_stream.batch() == 8);
  REQUIRE(net_stream.batch() == 8);
  const std::size_t n = std::size_t(8 * net.network.shape.N);
  std::vector<double> X[2], Y[2];
  for (int k = 0; k < 2; ++k) X[k].assign(n, 0.0), Y[k].assign(n, 0.0);
  for (const double t : {0.0, 0.7, 2.0}) {
    net_stream.at(t, X[0].data(), Y[0].data(), nullptr, nullptr);
    field_stream.at(t, X[1].data(), Y[1].data(), nullptr, nullptr);
    CHECK(max_diff(X[0], X[1]) < 1e-15);
    CHECK(max_diff(Y[0], Y[1]) < 1e-13);
  }
  // The initial state is built on sample 0, as the network's.
  CHECK(std::equal(pr.X.begin(), pr.X.end(), field_stream.samples().x(0)));
}

TEST_CASE("full batch: the lattice-exact field is the network on the batch, which differs from one sample",
          "[field][data]") {
  ModelConfig field = fixed_steps(load_model_file(kModel, {"field.form=\"exact\""}));
  field.output.trajectory = {TrajectoryDataset::Z, TrajectoryDataset::loss};
  ModelConfig net = network_of(field);
  net.output.trajectory = {TrajectoryDataset::z, TrajectoryDataset::loss};
  const auto f = run_in_memory(field);
  const auto n = run_in_memory(net);
  const std::vector<double>& Zf = data_of(*f, "/trajectory/Z");
  const std::vector<double>& z = data_of(*n, "/trajectory/z");
  const std::vector<double>& Lf = data_of(*f, "/trajectory/loss");
  const std::vector<double>& Ln = data_of(*n, "/trajectory/loss");
  const std::size_t N = std::size_t(field.network.shape.N), layer = N * std::size_t(field.network.shape.M);
  const std::size_t rows = Lf.size();
  REQUIRE(Ln.size() == rows);
  REQUIRE(Zf.size() == rows * N);
  double diff = 0.0, size = 0.0;
  for (std::size_t k = 0; k < rows; ++k) {
    CHECK(Lf[k] == Approx(Ln[k]).epsilon(1e-12));  // the batch's mean loss
    for (std::size_t i = 0; i < N; ++i) {  // sample 0's output, (Z - Z0)
      const double fz = Zf[k * N + i] - Zf[i], nz = z[k * layer + layer - N + i] - z[layer - N + i];
      diff = std::max(diff, std::fabs(fz - nz));
      size = std::max(size, std::fabs(nz));
    }
  }
  INFO("max response " << size << ", max difference " << diff);
  CHECK(diff < 1e-12 * size);
  // A negative control: sample 0 alone trains differently.
  ModelConfig one = field;
  one.data.presentation = Presentation::fixed;
  const auto alone = run_in_memory(one);  // kept alive: data_of returns a view into the run
  const std::vector<double>& Z1 = data_of(*alone, "/trajectory/Z");
  double apart = 0.0;
  for (std::size_t i = 0; i < Zf.size(); ++i) apart = std::max(apart, std::fabs(Zf[i] - Z1[i]));
  CHECK(apart > 1e-3 * size);
}

TEST_CASE("full batch: damped motion balances its energy on the batch's mean loss", "[field][data]") {
  const ModelConfig c = load_model_file(kModel, {"dynamics.kind=\"damped\"", "dynamics.gamma=0.7",
                                                 "integrator.rtol=1e-12", "integrator.atol=1e-14",
                                                 "dynamics.t_end=1.0"});
  const auto run = run_in_memory(c);
  const EnergyBooks books = energy_books(*run);
  const double dissipated = data_of(*run, "/energy/dissipated").back() / max_abs(data_of(*run, "/energy/total"));
  INFO("dissipated " << dissipated << " of E, worst residual " << books.residual << " of E");
  CHECK(books.residual < 1e-9);
  CHECK(dissipated > 1e-2);
  CHECK(books.work == 0.0);  // a fixed batch does no work
}
