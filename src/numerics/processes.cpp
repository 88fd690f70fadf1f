// Jobs spread over processes and threads (include/nnfield/numerics/processes.hpp).
#include "nnfield/numerics/processes.hpp"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <stdexcept>
#include <utility>

#include "numerics/process_backend.hpp"

namespace nnfield {

void ByteReader::read(void* out, std::size_t n) {
  if (n > m_bytes.size() - m_at) throw std::runtime_error("job result: truncated bytes");
  if (n > 0) std::memcpy(out, m_bytes.data() + m_at, n);  // an empty vector's data() may be null
  m_at += n;
}

namespace {

bool g_shared_work_done = false;

// One process: every job on this process's threads, results kept in job order.
std::size_t single_process_for(std::size_t jobs, unsigned threads,
                               const std::function<std::string(std::size_t)>& job,
                               const std::function<void(std::size_t, std::string&&)>& collect,
                               const ParallelHooks& hooks) {
  std::vector<std::string> results(jobs);
  std::vector<char> ran(jobs, 0);
  const std::size_t n = parallel_for(
      jobs, threads,
      [&](std::size_t k, unsigned) {
        results[k] = job(k);
        ran[k] = 1;
      },
      hooks);
  for (std::size_t k = 0; k < jobs; ++k)
    if (ran[k]) collect(k, std::move(results[k]));
  return n;
}

}  // namespace

bool processes::shared_work_done() { return g_shared_work_done; }

void processes::shared_work_finished() { g_shared_work_done = true; }

bool processes::on_all_processes(bool value) { return detail::sum_over_processes(value ? 0 : 1) == 0; }
double processes::max_over_processes(double value) {
  detail::max_over_processes(&value, 1);
  return value;
}
void processes::max_over_processes(double* values, std::size_t n) { detail::max_over_processes(values, n); }

std::size_t distributed_for(std::size_t jobs, unsigned threads,
                            const std::function<std::string(std::size_t)>& job,
                            const std::function<void(std::size_t, std::string&&)>& collect,
                            const ParallelHooks& hooks) {
  if (processes::count() == 1) return single_process_for(jobs, threads, job, collect, hooks);

  // Several processes: each worker thread draws the next index from the shared counter
  // until they run out; this process's results go to process 0 at the end.
  detail::JobCounter counter;
  SharedTotals finished(1);  // jobs done by every process, for hooks.done
  std::mutex mutex;          // `mine` and hooks.done
  ByteWriter mine;
  std::size_t done_here = 0, reported = 0;  // reported: the last total given to hooks.done
  const unsigned workers = worker_count(jobs, threads);
  parallel_for(workers, workers, [&](std::size_t, unsigned) {
    for (;;) {
      if (hooks.stop && hooks.stop->load()) return;
      const std::int64_t k = counter.next();
      if (k < 0 || std::size_t(k) >= jobs) return;
      std::string result;
      try {
        result = job(std::size_t(k));
      } catch (const std::exception& e) {
        // The other processes wait for this one's results: no way to tell them but to end all.
        std::fprintf(stderr, "nnfield: process %d, job %lld: %s\n", processes::rank(), static_cast<long long>(k),
                     e.what());
        processes::abort_all(1);
      }
      std::lock_guard<std::mutex> lock(mutex);
      mine.value(std::uint64_t(k));
      mine.text(result);
      ++done_here;
      reported = std::size_t(finished.add({1.0})[0]);
      if (hooks.done) hooks.done(reported);
    }
  });
  const std::size_t ran = std::size_t(detail::sum_over_processes(std::int64_t(done_here)));
  const std::string all = detail::gather_to_root(mine.take());
  g_shared_work_done = true;
  if (!processes::is_root()) return ran;
  // The other processes' last jobs may have ended after this one's.
  if (hooks.done && reported < ran) hooks.done(ran);
  std::vector<std::pair<std::size_t, std::string>> results;
  ByteReader in(all);
  for (std::size_t i = 0; i < ran; ++i) {
    const auto k = std::size_t(in.value<std::uint64_t>());
    results.emplace_back(k, in.text());
  }
  std::sort(results.begin(), results.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& [k, bytes] : results) collect(k, std::move(bytes));
  return ran;
}

}  // namespace nnfield
