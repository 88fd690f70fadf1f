#pragma once
// The library's one thread pool: independent jobs on worker threads. Results stay
// independent of the thread count when each job writes only its own slot and anything
// combined across jobs is combined afterwards, in job order.
#include <atomic>
#include <cstddef>
#include <functional>

namespace nnfield {

// Threads for a requested count: `requested` when positive, else every core (at least 1).
unsigned resolve_thread_count(int requested);

// The workers parallel_for starts for `jobs` jobs: min(threads, jobs), at least 1;
// threads = 0 means every core.
unsigned worker_count(std::size_t jobs, unsigned threads);

struct ParallelHooks {
  // Read before each job starts: once set, no further job starts (the running ones finish).
  const std::atomic<bool>* stop = nullptr;
  // Called after each job that returned, serialised, with the number of jobs done so far.
  std::function<void(std::size_t done)> done;
};

// body(job, worker) for every job in 0..jobs-1, each exactly once, claimed one at a time
// by worker_count(jobs, threads) workers (worker < that count: an index for per-worker
// state such as one Network per thread). One worker runs on the calling thread. When a
// job throws (or hooks.done does), no further job starts; once every worker has returned,
// the exception of the lowest-numbered failed job is rethrown here. Returns the number of
// jobs that ran: fewer than `jobs` only when hooks.stop was set.
std::size_t parallel_for(std::size_t jobs, unsigned threads,
                         const std::function<void(std::size_t job, unsigned worker)>& body,
                         const ParallelHooks& hooks = {});

}  // namespace nnfield
