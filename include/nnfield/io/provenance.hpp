#pragma once
// Who made an output file, from what, with which code: written as attributes of "/".
#include <cstdint>
#include <map>
#include <string>

namespace nnfield {

struct Provenance {
  std::string model_text;      // the model file, verbatim
  std::string model_path;
  std::string title;           // run.title
  std::string resolved_toml;   // every key after defaults and --set overrides
  std::uint64_t seed = 0;
  std::string command_line;
  // Threads the work ran on: the resolved --threads (default_thread_count() when not
  // given), 1 for work that runs on one thread (field runs, correlate). Written as the
  // root attribute "threads".
  unsigned threads = 1;
  // Filled by collect_build_provenance(): git hash, build type, compiler, library versions.
  std::map<std::string, std::string> build;
};

struct ModelConfig;

// The provenance of an output made from a model file (seed: the config's).
Provenance provenance_of(const ModelConfig& config, const std::string& command_line);

// Code version, build type, compiler and the versions of the libraries compiled in
// (except HDF5, whose version the run writer adds itself: only src/io/ includes HDF5).
std::map<std::string, std::string> collect_build_provenance();

// The project version, "0.1.0": project(nnfield VERSION ...) in the top CMakeLists.txt, the
// one place it is set (the program, the Python module's __version__ and the CMake and
// pkg-config packages all read it from there).
std::string version();

// What `nnfield --version` prints: "nnfield <version>" on the first line, then the git
// hash, build type, compiler, whether -march=native, sanitizers and the compile flags,
// one "key: value" a line (no newline after the last).
std::string version_report();

// UTC time stamp "YYYY-MM-DDTHH:MM:SSZ".
std::string utc_timestamp();

}  // namespace nnfield
