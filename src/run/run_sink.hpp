#pragma once
// Where a run writes: an HDF5 run file, or memory (RunOptions::output_path empty), with
// the provenance on the root either way (run.cpp, field_run.cpp).
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "nnfield/config/config.hpp"
#include "nnfield/run/run.hpp"
#include "nnfield/io/checkpoint_file.hpp"
#include "nnfield/io/series_sink.hpp"

namespace nnfield {

// The checkpoint of a run to resume (options.resume: of options.output_path), or none.
struct ResumePoint {
  bool active = false;
  std::string path;  // the checkpoint file
  CheckpointFile checkpoint;
};
// Of the real entries named, only the ranges given are read (CheckpointFile::read).
using CheckpointRanges = std::map<std::string, std::vector<ValueRange>>;
ResumePoint resume_point(const RunOptions& options, const CheckpointRanges& ranges = {});  // run_checkpoint.cpp

struct RunSink {
  std::unique_ptr<SeriesSink> file;
  std::shared_ptr<MemoryRun> memory;
  SeriesSink& get() { return memory ? static_cast<SeriesSink&>(*memory) : *file; }
};

// A resumed run (resume.active) reopens its run file, cut back to the checkpoint's rows.
RunSink open_run_sink(const ModelConfig& config, const RunOptions& options, const ResumePoint& resume);

}  // namespace nnfield
