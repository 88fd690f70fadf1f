#pragma once
// The time mechanics a model file asks for ([dynamics]), on either lattice: GradientFlow or
// Damped (dynamics/training_dynamics.hpp) over the network's loss landscape or over the
// field theory's potential.
#include <memory>

#include "nnfield/config/config.hpp"
#include "nnfield/dynamics/loss_landscape.hpp"
#include "nnfield/dynamics/training_dynamics.hpp"
#include "nnfield/field/field_potential.hpp"

namespace nnfield {

// The network: dynamics.kind "damped" or "gradient_flow" (config.eta as given: the caller
// applies effective_eta), in (W, b), or with dynamics.variables = "bbd" in BBD coordinates
// (dynamics/bbd_coordinates.hpp). With `track_energy_flow` (damped only) the state also carries
// the time integrals of the BBD energy densities.
std::unique_ptr<TrainingDynamics> make_training_dynamics(const DynamicsConfig& config, LossLandscape& landscape,
                                                         bool track_energy_flow = false);

// The field theory: the same systems over its potential (eta with its depth scaling).
// Throws ConfigError for a kind the field solver does not integrate (sgd).
std::unique_ptr<TrainingDynamics> make_field_dynamics(const ModelConfig& config, FieldPotential& potential);

}  // namespace nnfield
