#pragma once
// Where a run writes: an HDF5 run file, or memory (RunOptions::output_path empty), with
// the provenance on the root either way (run.cpp, field_run.cpp).
#include <memory>

#include "nnfield/config/config.hpp"
#include "nnfield/run/run.hpp"
#include "nnfield/io/series_sink.hpp"

namespace nnfield {

struct RunSink {
  std::unique_ptr<SeriesSink> file;
  std::shared_ptr<MemoryRun> memory;
  SeriesSink& get() { return memory ? static_cast<SeriesSink&>(*memory) : *file; }
};

RunSink open_run_sink(const ModelConfig& config, const RunOptions& options);

}  // namespace nnfield
