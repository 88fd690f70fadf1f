#pragma once
// Run files still open at exit (h5_library.cpp): the exit hook that replaces HDF5's own
// closes each of them with status "interrupted" before the library shuts down.

namespace nnfield::detail {

// A run file that can be closed from the exit handler. RunWriter::Impl is one;
// the base class lets the registry name it without breaking encapsulation.
class OpenRun {
 public:
  virtual void close_for_exit() noexcept = 0;

 protected:
  virtual ~OpenRun() = default;
};

void register_open_run(OpenRun* run);
void unregister_open_run(OpenRun* run);

}  // namespace nnfield::detail
