#include "nnfield/run/resume.hpp"

#include <algorithm>
#include <cstdint>
#include <map>

#include "nnfield/io/checkpoint_file.hpp"
#include "nnfield/io/h5io.hpp"
#include "io/end_of_allocation.hpp"
#include "io/output_file.hpp"
#include "run/output_schedule.hpp"

namespace nnfield {

namespace {

// Keys a resumed run may change: its length and how often it writes and checkpoints.
const char* const kResumableKeys[] = {"dynamics.t_end", "dynamics.steps", "output.flush_every",
                                      "output.checkpoint_every", "output.checkpoint_seconds"};

// The first key whose value differs and which a resume may not change, or "".
std::string changed_physics_key(const std::string& before, const std::string& after) {
  const auto a = resolved_key_values(before), b = resolved_key_values(after);
  std::map<std::string, std::string> all = a;
  all.insert(b.begin(), b.end());
  for (const auto& kv : all) {
    const auto ia = a.find(kv.first), ib = b.find(kv.first);
    const bool same = ia != a.end() && ib != b.end() && ia->second == ib->second;
    if (same || std::find(std::begin(kResumableKeys), std::end(kResumableKeys), kv.first) != std::end(kResumableKeys))
      continue;
    return kv.first;
  }
  return "";
}

std::string file_attribute(const std::string& run_path, const std::string& name) {
  try {
    return h5_read_string_attribute(run_path, "/", name);
  } catch (const H5Error& e) {
    throw ConfigError(run_path + ": cannot resume: not an nnfield run file (" + e.what() + ")");
  }
}

// Extending a run past a last row that is not on the output grid would leave that row in
// the file, where the uninterrupted longer run has none.
void check_length(const std::string& run_path, const ModelConfig& before, const ModelConfig& after,
                  double position) {
  const bool sgd = after.dynamics.kind == DynamicsKind::sgd;
  const double end_before = sgd ? double(before.dynamics.steps) : before.dynamics.t_end;
  const double end_after = sgd ? double(after.dynamics.steps) : after.dynamics.t_end;
  const std::string key = sgd ? "dynamics.steps" : "dynamics.t_end";
  if (end_after < position)
    throw ConfigError(run_path + ": cannot resume: " + key + " = " + std::to_string(end_after) +
                      " ends before the checkpoint (at " + std::to_string(position) + ")");
  const bool off_grid = sgd ? before.dynamics.steps % before.output.every_steps != 0 : [&] {
    const OutputSchedule schedule(before.dynamics.t_end, before.output.every);
    return schedule.time(schedule.count() - 1) != double(schedule.count() - 1) * before.output.every;
  }();
  if (end_after > end_before && position == end_before && off_grid)
    throw ConfigError(run_path + ": cannot resume: the run ended on a row off the output grid (" + key + " = " +
                      std::to_string(end_before) + " is not a multiple of the output cadence), so a longer run "
                      "would not equal the uninterrupted one");
}

}  // namespace

ModelConfig load_resume_config(const std::string& run_path, const std::vector<std::string>& overrides) {
  // The state (the parameters, the stepper's derivative) is not needed here: none of it is read.
  const CheckpointFile checkpoint = CheckpointFile::read(checkpoint_path_for(run_path), {{"loop.x", {}}, {"loop.dxdt", {}}});
  {
    // A run killed inside an HDF5 flush can leave its file unreadable as it stands (see
    // raise_end_of_allocation); the rows past the checkpoint are cut off when it is reopened.
    const detail::OutputLock lock(run_path);
    detail::raise_end_of_allocation(run_path);
  }
  const std::string model_text = file_attribute(run_path, "model_text");
  const std::string model_path = file_attribute(run_path, "model_path");
  if (checkpoint.text("run.model_text_hash") != std::to_string(text_hash(model_text)))
    throw ConfigError(checkpoint_path_for(run_path) + ": cannot resume: the checkpoint belongs to a run of another "
                      "model file than " + run_path);
  const std::string& resolved = checkpoint.text("run.resolved_config");
  const ModelConfig before = load_model_string(resolved, model_path);
  ModelConfig after = load_model_string(resolved, model_path, overrides);
  const std::string changed = changed_physics_key(resolved, after.resolved_toml);
  if (!changed.empty())
    throw ConfigError(run_path + ": cannot resume with a new " + changed + ": only dynamics.t_end, dynamics.steps, "
                      "output.flush_every and output.checkpoint_* may change on resume (key '" + changed + "')");
  check_length(run_path, before, after, checkpoint.real("run.position"));
  after.source_text = model_text;  // the run's identity stays its model file
  return after;
}

}  // namespace nnfield
