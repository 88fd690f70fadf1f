#include "nnfield/run/make_dynamics.hpp"

#include <stdexcept>

#include "nnfield/dynamics/bbd_coordinates.hpp"
#include "nnfield/config/toml_quote.hpp"

namespace nnfield {

std::unique_ptr<TrainingDynamics> make_training_dynamics(const DynamicsConfig& config, LossLandscape& landscape,
                                                         bool track_energy_flow) {
  const bool bbd = config.variables == DynamicsVariables::bbd;
  if (bbd && landscape.data().batch() != 1)
    throw std::invalid_argument("BBD variables need one presented sample at a time (not full_batch)");
  std::unique_ptr<TrainingDynamics> dynamics;
  switch (config.kind) {
    case DynamicsKind::damped: {
      std::unique_ptr<MotionIntegrals> integrals;
      if (track_energy_flow) integrals = std::make_unique<BbdFlowIntegrals>(landscape);
      // eta_scaling = "depth": config.eta is the effective rate eta ax (run.cpp), the force scale.
      const double mass_scale = config.eta_scaling == EtaScaling::depth ? 1.0 / config.eta : 1.0;
      dynamics = std::make_unique<Damped>(landscape, config.gamma, std::move(integrals), mass_scale);
      break;
    }
    case DynamicsKind::gradient_flow: dynamics = std::make_unique<GradientFlow>(landscape, config.eta); break;
    case DynamicsKind::sgd:
      throw std::invalid_argument("dynamics '" + name(config.kind) + "' is not a continuous-time system");
  }
  if (bbd) return std::make_unique<BbdCoordinates>(landscape, std::move(dynamics));
  return dynamics;
}

std::unique_ptr<TrainingDynamics> make_field_dynamics(const ModelConfig& config, FieldPotential& potential) {
  if (config.dynamics.kind == DynamicsKind::gradient_flow)
    return std::make_unique<GradientFlow>(potential, effective_eta(config));
  if (config.dynamics.kind == DynamicsKind::damped)
    return std::make_unique<Damped>(potential, config.dynamics.gamma, nullptr, damped_mass_scale(config));
  throw ConfigError(config.source_path + ": dynamics.kind = " + toml_quote(name(config.dynamics.kind)) +
                    ": the field solver integrates continuous time (gradient_flow or damped)");
}

}  // namespace nnfield
