// Provenance attributes of a run file: who made it, from what, with which code,
// including the HDF5 version (only src/io/ may ask HDF5 for it).
#include "io/h5_provenance.hpp"

#include <cstdint>
#include <utility>

namespace nnfield::detail {

namespace {

std::string hdf5_library_version() {
  unsigned major = 0, minor = 0, release = 0;
  if (H5get_libversion(&major, &minor, &release) < 0) return "unknown";
  return std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(release);
}

}  // namespace

void write_provenance_attributes(hid_t file, const std::string& path,
                                 const Provenance& provenance) {
  // Build entries first so the fixed keys below win any name clash.
  for (const auto& [key, value] : provenance.build)
    write_string_attribute(file, path, "/", key, value);
  const std::pair<const char*, std::string> fixed[] = {
      {"model_text", provenance.model_text},
      {"model_path", provenance.model_path},
      {"title", provenance.title},
      {"resolved_config", provenance.resolved_toml},
      {"seed_string", std::to_string(provenance.seed)},
      {"command_line", provenance.command_line},
      {"created", utc_timestamp()},
      {"hdf5_version", hdf5_library_version()},
      {"status", "running"},
  };
  for (const auto& [key, value] : fixed) write_string_attribute(file, path, "/", key, value);
  const std::uint64_t seed = provenance.seed;
  write_numeric_attribute(file, path, "/", "seed", H5T_STD_U64LE, H5T_NATIVE_UINT64, &seed);
  const unsigned threads = provenance.threads;
  write_numeric_attribute(file, path, "/", "threads", H5T_STD_U32LE, H5T_NATIVE_UINT, &threads);
}

}  // namespace nnfield::detail
