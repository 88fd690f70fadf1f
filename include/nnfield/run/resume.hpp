#pragma once
// `nnfield run --resume RUN.h5` (docs/output-schema.md, "Checkpoint and restart"): the
// configuration a run continues under, from its checkpoint RUN.h5.ckpt.
#include <string>
#include <vector>

#include "nnfield/config/config.hpp"

namespace nnfield {

// The checkpointed run's resolved configuration with `overrides` applied. ConfigError (one
// line, exit 2) when the checkpoint is missing or corrupt, belongs to another run file,
// or an override changes anything but the run's length (dynamics.t_end, dynamics.steps)
// and its output pacing (output.flush_every, output.checkpoint_every, checkpoint_seconds).
ModelConfig load_resume_config(const std::string& run_path, const std::vector<std::string>& overrides);

}  // namespace nnfield
