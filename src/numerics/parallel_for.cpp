// The library's thread pool (include/nnfield/numerics/parallel_for.hpp): jobs claimed
// through an atomic counter, so a slow job never holds up the others' claims.
#include "nnfield/numerics/parallel_for.hpp"

#include <algorithm>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace nnfield {

unsigned resolve_thread_count(int requested) {
  if (requested > 0) return unsigned(requested);
  return std::max(1u, std::thread::hardware_concurrency());  // 0 when the count is unknown
}

unsigned worker_count(std::size_t jobs, unsigned threads) {
  const unsigned wanted = threads > 0 ? threads : resolve_thread_count(0);
  return unsigned(std::max<std::size_t>(1, std::min<std::size_t>(wanted, jobs)));
}

namespace {

// What the workers share: the next job, the count done and the first failure.
class JobQueue {
 public:
  JobQueue(std::size_t jobs, const ParallelHooks& hooks) : m_jobs(jobs), m_hooks(hooks) {}

  // The next job to run, or m_jobs when there is none (all claimed, stopped or failed).
  std::size_t claim() {
    if (m_cancelled.load() || (m_hooks.stop && m_hooks.stop->load())) return m_jobs;
    return std::min(m_next++, m_jobs);
  }
  std::size_t end() const { return m_jobs; }

  void finished() {
    std::lock_guard<std::mutex> lock(m_mutex);
    ++m_done;
    if (m_hooks.done) m_hooks.done(m_done);
  }

  // Keeps the lowest-numbered job's exception: which one is rethrown does not depend
  // on the order the workers happened to fail in.
  void failed(std::size_t job, std::exception_ptr error) {
    std::lock_guard<std::mutex> lock(m_mutex);
    if (!m_failure || job < m_failed_job) m_failure = error, m_failed_job = job;
    m_cancelled = true;
  }

  std::size_t done_or_rethrow() const {
    if (m_failure) std::rethrow_exception(m_failure);
    return m_done;
  }

 private:
  const std::size_t m_jobs;
  const ParallelHooks& m_hooks;
  std::atomic<std::size_t> m_next{0};
  std::atomic<bool> m_cancelled{false};
  std::mutex m_mutex;
  std::size_t m_done = 0, m_failed_job = 0;
  std::exception_ptr m_failure;
};

}  // namespace

std::size_t parallel_for(std::size_t jobs, unsigned threads,
                         const std::function<void(std::size_t job, unsigned worker)>& body,
                         const ParallelHooks& hooks) {
  if (jobs == 0) return 0;
  JobQueue queue(jobs, hooks);
  const auto work = [&](unsigned worker) {
    for (std::size_t job = queue.claim(); job < queue.end(); job = queue.claim()) {
      try {
        body(job, worker);
        queue.finished();
      } catch (...) {
        queue.failed(job, std::current_exception());
      }
    }
  };
  const unsigned workers = worker_count(jobs, threads);
  std::vector<std::thread> pool;
  for (unsigned w = 1; w < workers; ++w) {
    try {
      pool.emplace_back(work, w);
    } catch (const std::system_error&) {
      break;  // no more threads to be had: fewer workers, the same results
    }
  }
  work(0);
  for (std::thread& t : pool) t.join();
  return queue.done_or_rethrow();
}

}  // namespace nnfield
