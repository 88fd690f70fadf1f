// The HDF5 library's lifetime in nnfield: the lock every entry point holds, the
// silenced error stack, and the exit hook that closes run files still open.
#include "io/h5_handle.hpp"
#include "io/open_runs.hpp"

#include <cstdlib>
#include <mutex>
#include <set>

namespace nnfield::detail {

// HDF5 1.10 (fixed in 1.14.1) leaves a dangling file ID behind when H5Fclose fails
// because the final flush cannot be written (disk full): the library's own
// atexit() clean-up then dereferences freed memory, turning a clean "disk full"
// error into a segmentation fault at exit. So the library's atexit hook is turned
// off here, during static initialisation (it only works before the first HDF5
// call), and close_hdf5_at_exit() below does its job instead. This file is always
// linked: every entry point calls library_mutex().
const bool g_hdf5_atexit_disabled = (H5dont_atexit() >= 0);

std::recursive_mutex& library_mutex() {
  static std::recursive_mutex mutex;
  return mutex;
}

namespace {

struct OpenRunRegistry {
  std::mutex mutex;
  std::set<OpenRun*> open;
};

OpenRunRegistry& open_runs() {
  static OpenRunRegistry registry;
  return registry;
}

// Installed with std::atexit in place of HDF5's own hook (see
// g_hdf5_atexit_disabled). A run file whose writer was never destroyed (the
// program called exit() without unwinding) still gets status "interrupted" and a
// clean close. Then the library is shut down as its own hook would, unless a file
// is still open: that is the broken-ID case, where shutting down would crash.
void close_hdf5_at_exit() {
  OpenRunRegistry& registry = open_runs();
  std::set<OpenRun*> open;
  {
    std::lock_guard<std::mutex> lock(registry.mutex);
    open.swap(registry.open);
  }
  for (OpenRun* run : open) run->close_for_exit();
  if (H5Fget_obj_count(H5F_OBJ_ALL, H5F_OBJ_FILE) == 0) H5close();
}

}  // namespace

void register_open_run(OpenRun* run) {
  OpenRunRegistry& registry = open_runs();
  std::lock_guard<std::mutex> lock(registry.mutex);
  registry.open.insert(run);
}

void unregister_open_run(OpenRun* run) {
  OpenRunRegistry& registry = open_runs();
  std::lock_guard<std::mutex> lock(registry.mutex);
  registry.open.erase(run);
}

void quiet_hdf5() {
  static const bool exit_hook_installed = [] {
    open_runs();  // constructed before the hook is registered, so it outlives it
    return std::atexit(close_hdf5_at_exit) == 0;
  }();
  (void)exit_hook_installed;
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
}

}  // namespace nnfield::detail
