// The default thread count (include/nnfield/numerics/thread_count.hpp).
#include "nnfield/numerics/thread_count.hpp"

#include <sched.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <stdexcept>
#include <thread>

namespace nnfield {

namespace {

// Bounds the mask sizes tried: 2^17 CPUs is beyond any machine Linux runs on today.
constexpr int kMaxCpusProbed = 1 << 17;

// The CPUs in the calling thread's affinity mask (the process's, unless a thread changed
// its own), or 0 when it cannot be read. The mask is grown until the kernel accepts its
// size (EINVAL: the kernel's mask is larger than ours).
unsigned affinity_cpus() {
  for (int cpus = 1024; cpus <= kMaxCpusProbed; cpus *= 2) {
    cpu_set_t* set = CPU_ALLOC(cpus);
    if (!set) return 0;
    const std::size_t size = CPU_ALLOC_SIZE(cpus);
    CPU_ZERO_S(size, set);
    const bool read = sched_getaffinity(0, size, set) == 0;
    const int error = errno;  // before CPU_FREE
    const int count = read ? CPU_COUNT_S(size, set) : 0;
    CPU_FREE(set);
    if (read) return unsigned(count);
    if (error != EINVAL) return 0;
  }
  return 0;
}

std::string trimmed(const std::string& text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t") - first + 1);
}

}  // namespace

unsigned available_cpus() {
  const unsigned mask = affinity_cpus();
  if (mask > 0) return mask;
  return std::max(1u, std::thread::hardware_concurrency());  // 0 when the count is unknown
}

unsigned parse_thread_cap(const std::string& variable, const std::string& value) {
  std::string first = value;
  if (variable == "OMP_NUM_THREADS") first = first.substr(0, first.find(','));
  first = trimmed(first);
  const bool digits = !first.empty() && first.size() <= 9 &&
                      std::all_of(first.begin(), first.end(), [](char c) { return c >= '0' && c <= '9'; });
  const unsigned long cap = digits ? std::strtoul(first.c_str(), nullptr, 10) : 0;
  if (cap == 0)
    throw std::invalid_argument(variable + "='" + value +
                                "': not a positive whole number of threads (1 to 999999999); unset it or give e.g. " + variable + "=4");
  return unsigned(cap);
}

unsigned default_thread_count() {
  const unsigned cpus = available_cpus();
  for (const char* variable : {"NNFIELD_THREADS", "OMP_NUM_THREADS"}) {
    if (const char* value = std::getenv(variable)) return std::min(cpus, parse_thread_cap(variable, value));
  }
  return cpus;
}

unsigned resolve_thread_count(int requested) {
  if (requested > 0) return unsigned(requested);
  return default_thread_count();
}

}  // namespace nnfield
