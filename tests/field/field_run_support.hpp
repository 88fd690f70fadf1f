#pragma once
// Field runs beside their networks, for the data tests (test_field_data.cpp, moving sources,
// full batches, SGD): the network run of a field model, runs kept in memory and their
// datasets, the energy books, and the data power against dL/dt.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "nnfield/config/config.hpp"
#include "nnfield/data/continuum_config.hpp"
#include "nnfield/data/data.hpp"
#include "nnfield/field/field_potential.hpp"
#include "nnfield/field/field_problem.hpp"
#include "nnfield/run/run.hpp"

namespace nnfield::test {

// The network run of the same model (what nnfield compare runs beside the field).
inline ModelConfig network_of(ModelConfig c) {
  c.field.present = false;
  c.init.kind = InitKind::continuum;
  c.data.source = DataSource::continuum;
  return c;
}

inline std::shared_ptr<MemoryRun> run_in_memory(const ModelConfig& c) {
  RunOptions o;
  o.progress = "off";
  RunResult r = run_model(c, o);
  REQUIRE(r.status == RunStatus::complete);
  return r.memory;
}

inline const std::vector<double>& data_of(const MemoryRun& run, const std::string& name) {
  REQUIRE(run.has(name));
  return run.dataset(name).data;
}

// The lattice-exact field run of a model file and its network: the field's problem and the
// network's data stream, for sample-for-sample comparisons (the field's width nodes are the
// network's sites).
struct ExactPair {
  explicit ExactPair(const std::string& model)
      : field(load_model_file(model, {"field.form=\"exact\""})), net(network_of(field)),
        net_stream(make_samples(net), net.data, net.seed, lattice_source_motion(net)),
        problem(make_field_problem(field)) {}
  ModelConfig field, net;
  DataStream net_stream;
  FieldProblem problem;
};

inline double max_diff(const std::vector<double>& a, const std::vector<double>& b) {
  REQUIRE(a.size() == b.size());
  double d = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) d = std::max(d, std::fabs(a[i] - b[i]));
  return d;
}

inline double max_abs(const std::vector<double>& v) {
  double m = 0.0;
  for (double x : v) m = std::max(m, std::fabs(x));
  return m;
}

// The worst |E + dissipated - data_work - E(0)| of a run over its largest energy, and its
// data work at the end over the same.
struct EnergyBooks {
  double residual = 0.0, work = 0.0;
};
inline EnergyBooks energy_books(const MemoryRun& run) {
  const double scale = max_abs(data_of(run, "/energy/total"));
  return {max_abs(data_of(run, "/energy/balance_residual")) / scale, data_of(run, "/energy/data_work").back() / scale};
}

// FieldTheory::data_power (dL/dX . X' through the input link's adjoint, dL/dY . Y' on the
// output line) against a central difference of L(q, t) at the initial parameters (h = 1e-5:
// the difference errs by ~1e-8 of the power), at each of `times`.
inline void check_data_power_is_dL_dt(const ModelConfig& c, const std::vector<double>& times) {
  FieldProblem pr = make_field_problem(c);
  FieldPotential potential(*pr.theory, *pr.data);
  std::vector<double> grad(pr.q0.size());
  const double h = 1e-5;
  for (const double t : times) {
    double power = 0.0;
    potential.evaluate(pr.q0.data(), t, grad.data(), &power);
    const double fd = (potential.loss(pr.q0.data(), t + h) - potential.loss(pr.q0.data(), t - h)) / (2 * h);
    INFO("rx = " << c.field.rx << ", t = " << t << ": data power " << power << ", central difference " << fd);
    CHECK(std::fabs(power) > 1e-5);
    CHECK(power == Approx(fd).epsilon(1e-6));
  }
}

}  // namespace nnfield::test
