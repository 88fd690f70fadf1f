// The library's thread pool (include/nnfield/numerics/parallel_for.hpp): jobs claimed
// through an atomic counter, so a slow job never holds up the others' claims.
//
// The worker threads outlive a call. A network's training step calls parallel_for a few
// times (the samples' sweeps, then the layers' weight gradients), thousands of times a
// second; starting threads for each call cost ~70 us on the reference machine, waking a
// kept one a few. A call takes idle threads from the pool and makes new ones only when
// none is idle, so a job that itself calls parallel_for (a run inside an ensemble) never
// waits for a busy thread: there is no deadlock, only more threads.
#include "nnfield/numerics/parallel_for.hpp"

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace nnfield {

unsigned worker_count(std::size_t jobs, unsigned threads) {
  const unsigned wanted = resolve_thread_count(int(threads));
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

// Busy-waiting before sleeping: a training loop calls again within tens of microseconds
// (the parameter update, the next batch), and a sleeping thread takes about as long to
// wake. No yielding in the spin: on a machine shared with other jobs, sched_yield hands
// the core to one of them for a whole time slice, while a thread woken from its sleep
// preempts it at once.
constexpr int kSpins = 4096;  // 100-150 us of pause instructions

template <class Done>
void spin_until(Done&& done) {
  for (int i = 0; i < kSpins && !done(); ++i) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
  }
}

// Counts the helpers of one call down to zero.
class Latch {
 public:
  explicit Latch(std::size_t count) : m_count(count) {}
  void count_down() {
    std::lock_guard<std::mutex> lock(m_mutex);
    if (--m_count == 0) m_cv.notify_one();
  }
  void wait() {
    spin_until([this] { return m_count.load() == 0; });
    std::unique_lock<std::mutex> lock(m_mutex);
    m_cv.wait(lock, [this] { return m_count.load() == 0; });
  }

 private:
  std::atomic<std::size_t> m_count;
  std::mutex m_mutex;
  std::condition_variable m_cv;
};

// One kept worker thread: runs a call's work(worker), then waits for the next call.
class Helper {
 public:
  Helper() : m_thread([this] { loop(); }) {}
  ~Helper() {
    {
      std::lock_guard<std::mutex> lock(m_mutex);
      m_quit = true;
    }
    m_cv.notify_one();
    m_thread.join();
  }
  void start(const std::function<void(unsigned)>* work, unsigned worker, Latch* latch) {
    {
      std::lock_guard<std::mutex> lock(m_mutex);
      m_work = work;
      m_worker = worker;
      m_latch = latch;
      m_has_work = true;
    }
    m_cv.notify_one();
  }

 private:
  void loop() {
    for (;;) {
      spin_until([this] { return m_has_work.load(); });
      std::unique_lock<std::mutex> lock(m_mutex);
      m_cv.wait(lock, [this] { return m_has_work.load() || m_quit; });
      if (m_quit) return;
      const std::function<void(unsigned)>* work = m_work;
      const unsigned worker = m_worker;
      Latch* latch = m_latch;
      m_has_work = false;
      lock.unlock();
      (*work)(worker);  // never throws: the work catches its jobs' exceptions
      latch->count_down();
    }
  }

  std::mutex m_mutex;
  std::condition_variable m_cv;
  std::atomic<bool> m_has_work{false};
  bool m_quit = false;
  const std::function<void(unsigned)>* m_work = nullptr;
  unsigned m_worker = 0;
  Latch* m_latch = nullptr;
  std::thread m_thread;  // declared last: it starts once the members it reads exist
};

// The kept threads, idle or lent to a call.
class HelperPool {
 public:
  std::vector<Helper*> acquire(std::size_t wanted) {
    std::vector<Helper*> out;
    if (wanted == 0) return out;
    std::lock_guard<std::mutex> lock(m_mutex);
    while (out.size() < wanted && !m_idle.empty()) {
      out.push_back(m_idle.back());
      m_idle.pop_back();
    }
    while (out.size() < wanted) {
      try {
        m_all.push_back(std::make_unique<Helper>());
      } catch (const std::system_error&) {
        break;  // no more threads to be had
      }
      out.push_back(m_all.back().get());
    }
    return out;
  }
  void release(const std::vector<Helper*>& helpers) {
    if (helpers.empty()) return;
    std::lock_guard<std::mutex> lock(m_mutex);
    m_idle.insert(m_idle.end(), helpers.begin(), helpers.end());
  }

 private:
  std::mutex m_mutex;
  std::vector<std::unique_ptr<Helper>> m_all;
  std::vector<Helper*> m_idle;
};

HelperPool& helper_pool() {
  static HelperPool pool;  // its threads are joined at exit
  return pool;
}

}  // namespace

std::size_t parallel_for(std::size_t jobs, unsigned threads,
                         const std::function<void(std::size_t job, unsigned worker)>& body,
                         const ParallelHooks& hooks) {
  if (jobs == 0) return 0;
  JobQueue queue(jobs, hooks);
  const std::function<void(unsigned)> work = [&](unsigned worker) {
    for (std::size_t job = queue.claim(); job < queue.end(); job = queue.claim()) {
      try {
        body(job, worker);
        queue.finished();
      } catch (...) {
        queue.failed(job, std::current_exception());
      }
    }
  };
  // Fewer helpers than asked for when no more threads can be had: the same results.
  const std::vector<Helper*> helpers = helper_pool().acquire(worker_count(jobs, threads) - 1);
  Latch latch(helpers.size());
  for (std::size_t h = 0; h < helpers.size(); ++h) helpers[h]->start(&work, unsigned(h + 1), &latch);
  work(0);
  latch.wait();
  helper_pool().release(helpers);
  return queue.done_or_rethrow();
}

void Turns::reset(std::size_t steps) {
  if (steps > m_capacity) {
    m_turn = std::make_unique<std::atomic<std::size_t>[]>(steps);
    m_capacity = steps;
  }
  m_steps = steps;
  for (std::size_t i = 0; i < steps; ++i) m_turn[i].store(0);
}

void Turns::wait(std::size_t step, std::size_t job) const {
  const std::atomic<std::size_t>& turn = m_turn[step];
  spin_until([&] { return turn.load(std::memory_order_acquire) == job; });
  // Longer waits: let the thread we wait for have the core (it may share ours).
  while (turn.load(std::memory_order_acquire) != job) std::this_thread::yield();
}

void Turns::pass(std::size_t step) { m_turn[step].fetch_add(1, std::memory_order_release); }

void Rounds::reset(std::size_t jobs) {
  m_jobs = jobs;
  m_calls.assign(jobs, 0);
  m_next.store(0);
}

void Rounds::enter(std::size_t job) const {
  const std::size_t ticket = m_calls[job] * m_jobs + job;
  spin_until([&] { return m_next.load(std::memory_order_acquire) == ticket; });
  while (m_next.load(std::memory_order_acquire) != ticket) std::this_thread::yield();
}

void Rounds::leave(std::size_t job) {
  ++m_calls[job];
  m_next.fetch_add(1, std::memory_order_release);
}

}  // namespace nnfield
