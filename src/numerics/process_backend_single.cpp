// One process (a build without MPI): process_backend.hpp's counter is a plain count and
// gathering is a copy.
#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <vector>
#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <vector>

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
void exchange_with_neighbours(const double* to_left, const double* to_right, double* from_left, double* from_right,
                              std::size_t n) {
  std::copy(to_right, to_right + n, from_left);
  std::copy(to_left, to_left + n, from_right);
}
void send_values(int, const double*, std::size_t) { throw std::logic_error("send_values: one process has no other"); }
void receive_values(int, double*, std::size_t) { throw std::logic_error("receive_values: one process has no other"); }
void broadcast_values(int, double*, std::size_t) {}
std::vector<double> gather_values(const std::vector<double>& local) { return local; }
void all_gather_values(const double* local, std::size_t n, const std::vector<int>&, double* all) {
  std::copy(local, local + n, all);
}
void all_to_all_values(const double* send, const std::vector<int>& send_counts, double* recv,
                       const std::vector<int>&) {
  std::copy(send, send + send_counts[0], recv);
}
}  // namespace processes

namespace detail {
struct JobCounter::State {
  std::int64_t next = 0;
};
JobCounter::JobCounter() : m_state(new State) {}
JobCounter::~JobCounter() { delete m_state; }
std::int64_t JobCounter::next() { return m_state->next++; }
std::mutex& mpi_calls() {
  static std::mutex m;
  return m;
}
std::string gather_to_root(const std::string& local) { return local; }
std::int64_t sum_over_processes(std::int64_t value) { return value; }
void max_over_processes(double*, std::size_t) {}
}  // namespace detail

struct SharedTotals::State {
  std::vector<double> totals;
};
SharedTotals::SharedTotals(std::size_t n) : m_state(new State{std::vector<double>(n, 0.0)}) {}
SharedTotals::~SharedTotals() { delete m_state; }
std::vector<double> SharedTotals::add(const std::vector<double>& amounts) {
  std::lock_guard<std::mutex> lock(detail::mpi_calls());
  if (amounts.size() != m_state->totals.size()) throw std::invalid_argument("SharedTotals::add: wrong number of amounts");
  for (std::size_t i = 0; i < amounts.size(); ++i) m_state->totals[i] += amounts[i];
  return m_state->totals;
}

}  // namespace nnfield
