#pragma once
// The library's one thread pool: independent jobs on worker threads. Results stay
// independent of the thread count when each job writes only its own slot and anything
// combined across jobs is combined afterwards, in job order.
#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <vector>

#include "nnfield/numerics/thread_count.hpp"

namespace nnfield {

// The workers parallel_for starts for `jobs` jobs: min(threads, jobs), at least 1;
// threads = 0 means the default (default_thread_count, thread_count.hpp).
unsigned worker_count(std::size_t jobs, unsigned threads);

struct ParallelHooks {
  // Read before each job starts: once set, no further job starts (the running ones finish).
  const std::atomic<bool>* stop = nullptr;
  // Called after each job that returned, serialised, with the number of jobs done so far.
  std::function<void(std::size_t done)> done;
};

// body(job, worker) for every job in 0..jobs-1, each exactly once, claimed one at a time
// in increasing order by worker_count(jobs, threads) workers (worker < that count: an index for per-worker
// state such as one Network per thread). One worker runs on the calling thread. When a
// job throws (or hooks.done does), no further job starts; once every worker has returned,
// the exception of the lowest-numbered failed job is rethrown here. Returns the number of
// jobs that ran: fewer than `jobs` only when hooks.stop was set.
std::size_t parallel_for(std::size_t jobs, unsigned threads,
                         const std::function<void(std::size_t job, unsigned worker)>& body,
                         const ParallelHooks& hooks = {});

// Jobs of one parallel_for taking turns, in job order, at shared steps: a sum over the
// jobs' parts that must run in job order (a network's weight gradient, summed over its
// samples in sample order while the sample chunks run on several threads). Job j returns
// from wait(step, j) once jobs 0..j-1 have each called pass(step). parallel_for claims
// jobs in increasing order, so a job only ever waits for jobs that are running or done:
// no deadlock for any thread count, provided every job passes every step it waits at
// (nothing may throw in between).
class Turns {
 public:
  // `steps` steps, each at job 0's turn.
  void reset(std::size_t steps);
  void wait(std::size_t step, std::size_t job) const;
  // The job whose turn it is at `step` is done there.
  void pass(std::size_t step);

 private:
  std::unique_ptr<std::atomic<std::size_t>[]> m_turn;
  std::size_t m_steps = 0, m_capacity = 0;
};

// Jobs of one parallel_for making the same sequence of calls that must run one at a time
// and in one order: round after round, job 0's call, then job 1's, ... (a split network's
// halo exchanges, MPI calls that every process must make in the same order, from whichever
// thread holds a chunk of the batch). A job's k-th call, in enter/leave, runs after every
// job's (k-1)-th and after jobs 0..j-1's k-th. Every job must make the same number of
// calls, and all jobs must run at once (no more jobs than threads), or a job waits for one
// that never starts.
class Rounds {
 public:
  void reset(std::size_t jobs);
  void enter(std::size_t job) const;
  void leave(std::size_t job);

 private:
  std::atomic<std::size_t> m_next{0};  // the ticket whose call may run: round * jobs + job
  std::vector<std::size_t> m_calls;    // calls each job has made (its own thread's alone)
  std::size_t m_jobs = 0;
};

}  // namespace nnfield
