#pragma once
// What distributed_for (processes.cpp) needs of the processes, with two implementations:
// process_backend_mpi.cpp (the only file that includes mpi.h) and
// process_backend_single.cpp (builds without MPI).
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>

namespace nnfield::detail {

// The next job index, shared by all processes (each index is handed out once). Created
// and destroyed by every process together (collective).
class JobCounter {
 public:
  JobCounter();
  ~JobCounter();
  JobCounter(const JobCounter&) = delete;
  JobCounter& operator=(const JobCounter&) = delete;
  std::int64_t next();  // not thread-safe: callers serialise

 private:
  struct State;
  State* m_state;
};

// Locks every MPI call made by worker threads: MPI runs MPI_THREAD_SERIALIZED, and the job
// counter and the shared totals (processes.hpp) are used from several threads.
std::mutex& mpi_calls();

// Every process's `local` bytes, concatenated in process order, on process 0; "" elsewhere.
std::string gather_to_root(const std::string& local);
// The sum of `value` over the processes, on every process.
std::int64_t sum_over_processes(std::int64_t value);
void max_over_processes(double* values, std::size_t n);  // in place

}  // namespace nnfield::detail
