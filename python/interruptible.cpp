// Long computations called from Python (Model.run, propagate, run_ensemble) on a worker
// thread, so that the calling thread can release the GIL and still answer Ctrl-C
// (bindings.hpp).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "bindings.hpp"

namespace nnfield::python {

std::optional<py::error_already_set> run_answering_signals(
    const std::function<void(const std::atomic<bool>& stop)>& work, std::exception_ptr& error) {
  std::atomic<bool> stop{false};
  std::mutex mutex;
  std::condition_variable finished;
  bool done = false;
  std::optional<py::error_already_set> pending;  // a Python exception from a signal handler
  std::thread worker([&] {
    try {
      work(stop);
    } catch (...) {
      error = std::current_exception();
    }
    std::lock_guard<std::mutex> lock(mutex);
    done = true;
    finished.notify_all();
  });
  while (true) {
    {
      py::gil_scoped_release released;
      std::unique_lock<std::mutex> lock(mutex);
      finished.wait_for(lock, std::chrono::milliseconds(50), [&] { return done; });
      if (done) break;
    }
    if (!pending && PyErr_CheckSignals() != 0) {
      pending.emplace();  // fetches (and clears) the exception
      stop = true;
    }
  }
  worker.join();
  return pending;
}

void run_interruptible(const std::function<void(const std::atomic<bool>& stop)>& work) {
  std::exception_ptr error;
  std::optional<py::error_already_set> pending = run_answering_signals(work, error);
  if (pending) throw *pending;
  if (error) std::rethrow_exception(error);
}

}  // namespace nnfield::python
