// The default thread count (thread_count.hpp): the affinity mask's CPUs, capped by
// NNFIELD_THREADS, else OMP_NUM_THREADS; invalid values refused naming the variable.
// tests/cli/thread_defaults.sh checks the same through the commands and taskset.
#include <catch2/catch.hpp>

#include <sched.h>

#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>

#include "nnfield/numerics/thread_count.hpp"

namespace {

// Sets (or, with nullopt, unsets) a variable for one scope and restores it after.
class ScopedVariable {
 public:
  ScopedVariable(const char* name, const std::optional<std::string>& value) : m_name(name) {
    if (const char* old = std::getenv(name)) m_old = old;
    if (value) setenv(name, value->c_str(), 1);
    else unsetenv(name);
  }
  ~ScopedVariable() {
    if (m_old) setenv(m_name, m_old->c_str(), 1);
    else unsetenv(m_name);
  }
  ScopedVariable(const ScopedVariable&) = delete;
  ScopedVariable& operator=(const ScopedVariable&) = delete;

 private:
  const char* m_name;
  std::optional<std::string> m_old;
};

}  // namespace

TEST_CASE("thread caps: positive whole numbers, OMP_NUM_THREADS's first list entry", "[threads]") {
  CHECK(nnfield::parse_thread_cap("NNFIELD_THREADS", "4") == 4u);
  CHECK(nnfield::parse_thread_cap("NNFIELD_THREADS", " 3 ") == 3u);
  CHECK(nnfield::parse_thread_cap("OMP_NUM_THREADS", "2,8") == 2u);
  for (const char* bad : {"abc", "0", "-1", "", " ", "2x", "1e3", "1.5", "2,8", "9999999999"})
    CHECK_THROWS_WITH(nnfield::parse_thread_cap("NNFIELD_THREADS", bad),
                      Catch::StartsWith(std::string("NNFIELD_THREADS='") + bad + "': not a positive whole number"));
  for (const char* bad : {"abc", "0", ",4", ""})
    CHECK_THROWS_AS(nnfield::parse_thread_cap("OMP_NUM_THREADS", bad), std::invalid_argument);
}

TEST_CASE("the default: the affinity mask's CPUs, NNFIELD_THREADS then OMP_NUM_THREADS cap it", "[threads]") {
  const unsigned cpus = nnfield::available_cpus();
  REQUIRE(cpus >= 1u);
  {
    ScopedVariable nn("NNFIELD_THREADS", std::nullopt), omp("OMP_NUM_THREADS", std::nullopt);
    CHECK(nnfield::default_thread_count() == cpus);
    CHECK(nnfield::resolve_thread_count(0) == cpus);
    CHECK(nnfield::resolve_thread_count(7) == 7u);  // an explicit count is not capped
  }
  {
    ScopedVariable nn("NNFIELD_THREADS", "1"), omp("OMP_NUM_THREADS", "abc");
    CHECK(nnfield::default_thread_count() == 1u);  // OMP_NUM_THREADS not read
  }
  {
    ScopedVariable nn("NNFIELD_THREADS", std::nullopt), omp("OMP_NUM_THREADS", "1");
    CHECK(nnfield::default_thread_count() == 1u);
  }
  {
    ScopedVariable nn("NNFIELD_THREADS", "100000"), omp("OMP_NUM_THREADS", "1");
    CHECK(nnfield::default_thread_count() == cpus);  // a cap never raises the count
  }
  {
    ScopedVariable nn("NNFIELD_THREADS", "abc"), omp("OMP_NUM_THREADS", std::nullopt);
    CHECK_THROWS_AS(nnfield::default_thread_count(), std::invalid_argument);
    CHECK(nnfield::resolve_thread_count(2) == 2u);  // given a count, the variable is not read
  }
}

TEST_CASE("available_cpus counts the affinity mask, not the machine", "[threads]") {
  cpu_set_t old;
  REQUIRE(sched_getaffinity(0, sizeof old, &old) == 0);
  int first = 0;
  while (!CPU_ISSET(first, &old)) ++first;
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(first, &one);
  REQUIRE(sched_setaffinity(0, sizeof one, &one) == 0);
  const unsigned counted = nnfield::available_cpus();
  REQUIRE(sched_setaffinity(0, sizeof old, &old) == 0);
  CHECK(counted == 1u);
  CHECK(nnfield::available_cpus() == unsigned(CPU_COUNT(&old)));
}
