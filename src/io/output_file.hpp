#pragma once
// How a run file comes into being (run_writer.cpp): one writer per path, and nothing
// under the final name until its header is complete.
#include <string>

namespace nnfield::detail {

// An advisory lock (flock) on "<folder>/.<name>.lock", held while `path` is written, so a
// second nnfield writing the same path is refused instead of silently losing one run.
// The lock dies with the process; a stale lock file left by a crash is reused.
class OutputLock {
 public:
  explicit OutputLock(const std::string& path);  // throws H5Error when another process holds it
  ~OutputLock();
  OutputLock(const OutputLock&) = delete;
  OutputLock& operator=(const OutputLock&) = delete;

 private:
  int m_fd = -1;
  std::string m_lock_path;
};

// Refuses (H5Error) an output path that cannot be a new run file: empty, an existing
// directory, FIFO or device, an existing file without `force`, a missing folder.
void check_output_path(const std::string& path, bool force);

// "<folder>/.<name>.<pid>.tmp": where the file is created before publish() names it.
std::string temporary_name(const std::string& path);

// Renames `temporary` to `path` (replacing it only with `force`); H5Error on failure.
void publish(const std::string& temporary, const std::string& path, bool force);

}  // namespace nnfield::detail
