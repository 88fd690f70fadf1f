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

using namespace nnfield;

namespace {

const std::string kModel = std::string(NNFIELD_SOURCE_DIR) + "/models/field_full_batch.toml";

// The network run of the same model (what nnfield compare runs beside the field).
ModelConfig network_of(ModelConfig c) {
  c.field.present = false;
  c.init.kind = InitKind::continuum;
  c.data.source = DataSource::continuum;
  return c;
}

// Fixed RK4 steps, the same times on both lattices.
ModelConfig fixed_steps(ModelConfig c) {
  c.integrator.stepper = StepperKind::rk4;
  c.integrator.dt = 0.01;
  c.dynamics.t_end = 1.0;
  return c;
}

std::shared_ptr<MemoryRun> run_in_memory(const ModelConfig& c) {
  RunOptions o;
  o.progress = "off";
  RunResult r = run_model(c, o);
  REQUIRE(r.status == RunStatus::complete);
  return r.memory;
}

const std::vector<double>& data_of(const MemoryRun& run, const std::string& name) {
  REQUIRE(run.has(name));
  return run.dataset(name).data;
}

}  // namespace

TEST_CASE("full batch: the field's batch is the network's, sample for sample", "[field][data]") {
  const ModelConfig field = load_model_file(kModel, {"field.form=\"exact\""});
  const ModelConfig net = network_of(field);
  const DataStream net_stream(make_samples(net), net.data, net.seed, lattice_source_motion(net));
  const FieldProblem pr = make_field_problem(field);
  const DataStream& field_stream = *pr.data;
  REQUIRE(field_stream.batch() == 8);
  REQUIRE(net_stream.batch() == 8);
  const std::size_t n = std::size_t(8 * net.network.shape.N);
  std::vector<double> X[2], Y[2];
  for (int k = 0; k < 2; ++k) X[k].assign(n, 0.0), Y[k].assign(n, 0.0);
  for (const double t : {0.0, 0.7, 2.0}) {
    net_stream.at(t, X[0].data(), Y[0].data(), nullptr, nullptr);
    field_stream.at(t, X[1].data(), Y[1].data(), nullptr, nullptr);
    double dx = 0.0, dy = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      dx = std::max(dx, std::fabs(X[0][i] - X[1][i]));
      dy = std::max(dy, std::fabs(Y[0][i] - Y[1][i]));
    }
    CHECK(dx < 1e-15);
    CHECK(dy < 1e-13);
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
  const std::vector<double>& Z1 = data_of(*run_in_memory(one), "/trajectory/Z");
  double apart = 0.0;
  for (std::size_t i = 0; i < Zf.size(); ++i) apart = std::max(apart, std::fabs(Zf[i] - Z1[i]));
  CHECK(apart > 1e-3 * size);
}

TEST_CASE("full batch: damped motion balances its energy on the batch's mean loss", "[field][data]") {
  const ModelConfig c = load_model_file(kModel, {"dynamics.kind=\"damped\"", "dynamics.gamma=0.7",
                                                 "integrator.rtol=1e-12", "integrator.atol=1e-14",
                                                 "dynamics.t_end=1.0"});
  const auto run = run_in_memory(c);
  const std::vector<double>& E = data_of(*run, "/energy/total");
  const std::vector<double>& residual = data_of(*run, "/energy/balance_residual");
  const std::vector<double>& dissipated = data_of(*run, "/energy/dissipated");
  double worst = 0.0;
  for (double r : residual) worst = std::max(worst, std::fabs(r));
  INFO("E(0) = " << E.front() << ", dissipated " << dissipated.back() << ", worst residual " << worst);
  CHECK(worst < 1e-9 * E.front());
  CHECK(dissipated.back() > 1e-2 * E.front());
  CHECK(data_of(*run, "/energy/data_work").back() == 0.0);  // a fixed batch does no work
}
