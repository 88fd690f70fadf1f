// Build provenance: which code, built how, against which libraries. Every output
// file records this so a result can be traced back to the binary that made it.
#include "nnfield/io/provenance.hpp"

#include "nnfield/config/config.hpp"

#include <ctime>
#include <string>
#include <utility>

#include "io/build_info.hpp"

namespace nnfield {

namespace detail {

std::string compiler_description() {
#if defined(__clang__)
  return std::string("clang ") + __clang_version__;
#elif defined(__GNUC__)
  return std::string("gcc ") + __VERSION__;
#elif defined(__VERSION__)
  return __VERSION__;
#else
  return "unknown";
#endif
}

}  // namespace detail

std::map<std::string, std::string> collect_build_provenance() {
  std::map<std::string, std::string> build;
  // CMake passes an empty string when the value is not known (e.g. no git, no
  // CMAKE_BUILD_TYPE); record that as "unknown" rather than an empty attribute.
  auto or_unknown = [](const std::string& s) { return s.empty() ? std::string("unknown") : s; };
  build["git_hash"] = or_unknown(detail::build_git_hash());
  build["build_type"] = or_unknown(detail::build_type());
  build["nnfield_version"] = or_unknown(detail::build_version());
  build["build_flags"] = or_unknown(detail::build_flags());
  build["compiler"] = detail::compiler_description();
  build["eigen_version"] = or_unknown(detail::build_eigen_version());
  build["boost_version"] = or_unknown(detail::build_boost_version());
  build["cxx_standard"] = std::to_string(__cplusplus);
  return build;
}

std::string version() { return detail::build_version(); }

std::string version_report() {
  std::map<std::string, std::string> build = collect_build_provenance();
  std::string text = "nnfield " + version() + "\n";
  const std::pair<const char*, std::string> lines[] = {
      {"git", build["git_hash"]},
      {"build type", build["build_type"]},
      {"compiler", build["compiler"]},
      {"march=native", detail::build_native() ? "yes" : "no"},
      {"sanitizers", detail::build_sanitizers()},
      {"flags", build["build_flags"]},
  };
  for (const auto& [key, value] : lines) text += std::string(key) + ": " + value + "\n";
  text.pop_back();  // the printer ends the last line
  return text;
}

std::string utc_timestamp() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  // gmtime_r, not gmtime: the latter returns a shared static buffer.
  gmtime_r(&now, &utc);
  char text[32];
  const std::size_t n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return std::string(text, n);
}

Provenance provenance_of(const ModelConfig& config, const std::string& command_line) {
  Provenance p;
  p.model_text = config.source_text;
  p.model_path = config.source_path;
  p.title = config.title;
  p.resolved_toml = config.resolved_toml;
  p.seed = config.seed;
  p.command_line = command_line;
  p.build = collect_build_provenance();
  return p;
}

}  // namespace nnfield
