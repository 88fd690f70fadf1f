// Output paths, locks and publishing (src/io/output_file.hpp).
#include "io/output_file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "io/h5_handle.hpp"

namespace nnfield::detail {
namespace {

std::string sibling(const std::string& path, const std::string& prefix, const std::string& suffix) {
  const std::filesystem::path p(path);
  return (p.parent_path() / (prefix + p.filename().string() + suffix)).string();
}

}  // namespace

OutputLock::OutputLock(const std::string& path) : m_lock_path(sibling(path, ".", ".lock")) {
  // Locked, then checked to be still the file under that name: a writer finishing
  // meanwhile unlinks the lock file, and a lock on an unlinked file guards nothing.
  for (int attempt = 0; attempt < 8; ++attempt) {
    m_fd = ::open(m_lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (m_fd < 0) fail(path, std::string("cannot create its lock file ") + m_lock_path + ": " + std::strerror(errno));
    if (::flock(m_fd, LOCK_EX | LOCK_NB) != 0) {
      ::close(m_fd);
      m_fd = -1;
      fail(path, "is being written by another process (lock " + m_lock_path + ")");
    }
    struct stat held {}, named {};
    if (::fstat(m_fd, &held) == 0 && ::stat(m_lock_path.c_str(), &named) == 0 && held.st_ino == named.st_ino &&
        held.st_dev == named.st_dev)
      return;
    ::close(m_fd);
    m_fd = -1;
  }
  fail(path, "cannot lock " + m_lock_path);
}

OutputLock::~OutputLock() {
  if (m_fd < 0) return;
  ::unlink(m_lock_path.c_str());  // while still locked: see the constructor
  ::close(m_fd);
}

void check_output_path(const std::string& path, bool force) {
  if (path.empty()) throw H5Error("empty output path (-o \"\"): give a file name");
  std::error_code ec;
  const auto link = std::filesystem::symlink_status(path, ec);
  const auto target = std::filesystem::status(path, ec);
  if (std::filesystem::is_directory(target)) fail(path, "is a directory");
  if (std::filesystem::exists(link)) {
    if (!force) fail(path, "exists (use --force to overwrite)");
    if (std::filesystem::exists(target) && !std::filesystem::is_regular_file(target))
      fail(path, "exists and is not a regular file (a pipe or device?); refusing to replace it");
  }
  const auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty() && !std::filesystem::is_directory(parent, ec))
    fail(path, "cannot create: directory '" + parent.string() + "' does not exist");
}

std::string temporary_name(const std::string& path) {
  return sibling(path, ".", "." + std::to_string(::getpid()) + ".tmp");
}

void publish(const std::string& temporary, const std::string& path, bool force) {
  // Under the lock no other nnfield writes `path`; this catches anything else that
  // created it since check_output_path.
  std::error_code ec;
  if (!force && std::filesystem::exists(std::filesystem::symlink_status(path, ec)))
    fail(path, "exists (use --force to overwrite)");
  if (std::rename(temporary.c_str(), path.c_str()) != 0)
    fail(path, std::string("cannot create: ") + std::strerror(errno));
}

}  // namespace nnfield::detail
