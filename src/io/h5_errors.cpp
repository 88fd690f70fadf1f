// One-line errors from the HDF5 error stack, and what a failed write leaves behind.
#include "io/h5_handle.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>
#include <sstream>

namespace nnfield::detail {

namespace {

// The most useful sentence on the current HDF5 error stack: the operating system's
// message when there is one ("No space left on device"), else the innermost
// description. Must be called straight after the failing call: every HDF5 API
// call clears the stack.
std::string hdf5_reason() {
  struct Walk {
    std::string innermost;
    std::string os_message;
  } walk;
  auto visit = [](unsigned n, const H5E_error2_t* err, void* data) -> herr_t {
    auto* w = static_cast<Walk*>(data);
    if (err == nullptr || err->desc == nullptr) return 0;
    const std::string desc = err->desc;
    if (n == 0) w->innermost = desc;
    // The sec2 driver reports "... errno = 28, error message = 'No space left on device' ...".
    const std::string key = "error message = '";
    const auto at = desc.find(key);
    if (w->os_message.empty() && at != std::string::npos) {
      const auto start = at + key.size();
      const auto end = desc.find('\'', start);
      if (end != std::string::npos) w->os_message = desc.substr(start, end - start);
    }
    return 0;
  };
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, visit, &walk);
  return walk.os_message.empty() ? walk.innermost : walk.os_message;
}

}  // namespace

void fail_with_reason(const std::string& file, const std::string& what) {
  const std::string reason = hdf5_reason();
  throw H5Error(file + ": " + what + (reason.empty() ? "" : " (" + reason + ")"));
}

void fail(const std::string& file, const std::string& what) {
  throw H5Error(file + ": " + what);
}

void fail_write(const std::string& file, const std::string& what) {
  const std::string reason = hdf5_reason();
  throw WriteFailure(file + ": " + what + " (disk full?" + (reason.empty() ? "" : " " + reason) +
                     ")");
}

// Points the file's descriptor at an anonymous in-memory file, so that nothing more
// reaches the real file. Why: HDF5 1.10 has no journal, and the metadata it writes
// while closing a file whose data could not be written leaves the file unopenable
// ("addr overflow"); without those writes the file stays as it was after the last
// successful flush. It also lets the close succeed, avoiding the 1.10 bug described
// at g_hdf5_atexit_disabled (h5_library.cpp). Only for the default sec2 driver,
// whose handle is a pointer to its int descriptor.
void discard_further_writes(hid_t file) noexcept {
  Handle fapl(H5Fget_access_plist(file), H5Pclose);
  if (!fapl.valid() || H5Pget_driver(fapl.get()) != H5FD_SEC2) return;
  void* handle = nullptr;
  if (H5Fget_vfd_handle(file, H5P_DEFAULT, &handle) < 0 || handle == nullptr) return;
  const int fd = *static_cast<int*>(handle);
#if defined(__linux__)
  const int scratch = memfd_create("nnfield-discarded", 0);
#else
  char name[] = "/tmp/nnfield-discarded-XXXXXX";
  const int scratch = mkstemp(name);
  if (scratch >= 0) ::unlink(name);
#endif
  if (scratch < 0) return;
  ::dup2(scratch, fd);
  ::close(scratch);
}

std::string shape_text(const std::vector<std::size_t>& shape) {
  std::ostringstream out;
  out << '(';
  for (std::size_t i = 0; i < shape.size(); ++i) out << (i ? "," : "") << shape[i];
  out << ')';
  return out.str();
}

// Row-major multi-index of flat position `flat` in `shape`.
std::string index_text(std::size_t flat, const std::vector<std::size_t>& shape) {
  std::vector<std::size_t> idx(shape.size());
  for (std::size_t d = shape.size(); d-- > 0;) {
    idx[d] = shape[d] ? flat % shape[d] : 0;
    flat = shape[d] ? flat / shape[d] : 0;
  }
  return shape_text(idx);
}

std::string absolute(const std::string& name) {
  if (!name.empty() && name[0] == '/') return name;
  return "/" + name;
}

std::string quoted(const std::string& name) { return "'" + name + "'"; }

std::string attribute_label(const std::string& object, const std::string& attribute) {
  return "attribute " + quoted(attribute) + " of " + quoted(absolute(object));
}

}  // namespace nnfield::detail
