// The thread pool (parallel_for.hpp): every job exactly once whatever the thread count,
// worker indices in range, the first failure rethrown on the caller's thread with no
// further jobs started, and stop.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "nnfield/numerics/parallel_for.hpp"

using nnfield::parallel_for;

TEST_CASE("parallel_for runs every job exactly once on workers below the thread count", "[parallel_for]") {
  for (unsigned threads = 1; threads <= 4; ++threads)
    for (std::size_t jobs = 0; jobs <= 50; ++jobs) {
      std::vector<std::atomic<int>> runs(jobs);
      std::atomic<unsigned> worst_worker{0};
      std::size_t last_done = 0;
      nnfield::ParallelHooks hooks;
      hooks.done = [&](std::size_t done) { last_done = done; };
      const std::size_t ran = parallel_for(jobs, threads, [&](std::size_t job, unsigned worker) {
        ++runs[job];
        unsigned seen = worst_worker.load();
        while (worker > seen && !worst_worker.compare_exchange_weak(seen, worker)) {}
      }, hooks);
      CHECK(ran == jobs);
      CHECK(last_done == jobs);
      for (std::size_t j = 0; j < jobs; ++j) CHECK(runs[j].load() == 1);
      CHECK(worst_worker.load() < threads);
      if (jobs > 0) CHECK(worst_worker.load() < nnfield::worker_count(jobs, threads));
    }
}

TEST_CASE("parallel_for rethrows a job's exception and starts no further jobs", "[parallel_for]") {
  for (unsigned threads = 1; threads <= 4; ++threads) {
    const std::size_t jobs = 1000, failing = 10;
    std::atomic<std::size_t> started{0};
    const auto body = [&](std::size_t job, unsigned) {
      ++started;
      if (job == failing) throw std::runtime_error("job 10 failed");
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    };
    CHECK_THROWS_WITH(parallel_for(jobs, threads, body), "job 10 failed");
    // At most the jobs claimed before the failure, and one in flight per other worker.
    CHECK(started.load() <= failing + 1 + 2 * threads);
  }
}

TEST_CASE("parallel_for rethrows the lowest-numbered failure when several jobs throw", "[parallel_for]") {
  const auto body = [](std::size_t job, unsigned) {
    if (job >= 3) throw std::runtime_error("job " + std::to_string(job));
  };
  CHECK_THROWS_WITH(parallel_for(8, 1, body), "job 3");
}

TEST_CASE("parallel_for starts no job once stop is set", "[parallel_for]") {
  std::atomic<bool> stop{false};
  nnfield::ParallelHooks hooks;
  hooks.stop = &stop;
  std::atomic<std::size_t> started{0};
  const std::size_t ran = parallel_for(100, 2, [&](std::size_t job, unsigned) {
    ++started;
    if (job == 4) stop = true;
  }, hooks);
  CHECK(ran == started.load());
  CHECK(ran < 100);
  CHECK(nnfield::resolve_thread_count(3) == 3u);
  CHECK(nnfield::resolve_thread_count(0) >= 1u);
  CHECK(nnfield::worker_count(2, 8) == 2u);
}

TEST_CASE("parallel_for inside a job runs on threads of its own and returns", "[parallel_for]") {
  // A job that calls parallel_for (a run with a threaded network inside an ensemble) takes
  // idle threads or new ones, never a busy one: no deadlock, every inner job exactly once.
  for (int round = 0; round < 20; ++round) {
    std::vector<std::atomic<int>> runs(4 * 16);
    parallel_for(4, 2, [&](std::size_t outer, unsigned) {
      parallel_for(16, 2, [&](std::size_t inner, unsigned) { ++runs[outer * 16 + inner]; });
    });
    for (const auto& r : runs) CHECK(r.load() == 1);
  }
}

TEST_CASE("Rounds lets the jobs' calls run one at a time, round after round in job order", "[parallel_for]") {
  // A split network's chunks make their halo exchanges this way: the order must be the
  // same whatever thread runs a job and however fast, so a job that sleeps before its
  // calls must not be overtaken. The log is written inside enter/leave only, unguarded:
  // the calls must also never overlap (a sanitizer build sees a race otherwise).
  for (unsigned threads = 2; threads <= 4; ++threads) {
    const std::size_t jobs = threads, rounds = 5;
    nnfield::Rounds order;
    order.reset(jobs);
    std::vector<std::size_t> log;
    parallel_for(jobs, threads, [&](std::size_t job, unsigned) {
      for (std::size_t k = 0; k < rounds; ++k) {
        if ((job + k) % 3 == 0) std::this_thread::sleep_for(std::chrono::microseconds(200));
        order.enter(job);
        log.push_back(k * jobs + job);
        order.leave(job);
      }
    });
    REQUIRE(log.size() == jobs * rounds);
    for (std::size_t t = 0; t < log.size(); ++t) CHECK(log[t] == t);
  }
}
