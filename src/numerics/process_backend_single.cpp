// One process (a build without MPI): process_backend.hpp's counter is a plain count and
// gathering is a copy.
#include <cstdio>
#include <cstdlib>

#include "nnfield/numerics/processes.hpp"
#include "numerics/process_backend.hpp"

namespace nnfield {

namespace processes {
void start(int&, char**&) {}
void finish() {}
int rank() { return 0; }
int count() { return 1; }
void abort_all(int status) {
  std::fflush(nullptr);
  std::exit(status);
}
std::string library() { return "none"; }
}  // namespace processes

namespace detail {
struct JobCounter::State {
  std::int64_t next = 0;
};
JobCounter::JobCounter() : m_state(new State) {}
JobCounter::~JobCounter() { delete m_state; }
std::int64_t JobCounter::next() { return m_state->next++; }
std::string gather_to_root(const std::string& local) { return local; }
std::int64_t sum_over_processes(std::int64_t value) { return value; }
}  // namespace detail

}  // namespace nnfield
