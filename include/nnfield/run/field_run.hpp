#pragma once
// `nnfield run` on a model file with a [field] section: the field solver (docs/theory.md 4.4) from
// continuum data, integrated by the same Odeint driver as networks, written as a run file
// (docs/output-schema.md, "Field runs"). Errors and exit statuses as run_model.
#include "nnfield/config/config.hpp"
#include "nnfield/run/run.hpp"

namespace nnfield {

RunResult run_field_model(const ModelConfig& config, const RunOptions& options);

}  // namespace nnfield
