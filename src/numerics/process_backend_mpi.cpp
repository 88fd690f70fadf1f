// The processes of a program started by mpirun (include/nnfield/numerics/processes.hpp):
// the only file that includes mpi.h. MPI starts only when a launcher's environment is
// there, so a plain `nnfield run` never pays for it (nor do the sanitizer builds' tests).
#include <mpi.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "nnfield/numerics/processes.hpp"
#include "numerics/process_backend.hpp"

namespace nnfield {

namespace {
bool g_started = false;

bool launched_by_mpirun() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE"})
    if (std::getenv(name)) return true;
  return false;
}

void check(int code, const char* what) {
  if (code != MPI_SUCCESS) throw std::runtime_error(std::string("MPI: ") + what + " failed");
}
}  // namespace

namespace processes {

void start(int& argc, char**& argv) {
  if (g_started || !launched_by_mpirun()) return;
  // Worker threads take job indices, one at a time under a lock (distributed_for).
  int provided = 0;
  check(MPI_Init_thread(&argc, &argv, MPI_THREAD_SERIALIZED, &provided), "MPI_Init_thread");
  if (provided < MPI_THREAD_SERIALIZED) {
    std::fprintf(stderr, "nnfield: the MPI library does not support threads taking turns (MPI_THREAD_SERIALIZED)\n");
    MPI_Abort(MPI_COMM_WORLD, 1);
  }
  g_started = true;
}

void finish() {
  if (g_started) MPI_Finalize();
  g_started = false;
}

int rank() {
  if (!g_started) return 0;
  int r = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return r;
}

int count() {
  if (!g_started) return 1;
  int n = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &n);
  return n;
}

void abort_all(int status) {
  std::fflush(nullptr);
  if (g_started) MPI_Abort(MPI_COMM_WORLD, status);
  std::exit(status);
}

std::string library() {
  char text[MPI_MAX_LIBRARY_VERSION_STRING];
  int length = 0;
  MPI_Get_library_version(text, &length);
  std::string s(text, std::size_t(length));
  const std::size_t end = s.find_first_of(",\n");
  return end == std::string::npos ? s : s.substr(0, end);
}

namespace {
// MPI counts are ints: messages of more doubles are refused, not truncated.
int message_count(std::size_t n) {
  if (n > std::size_t(INT_MAX)) throw std::runtime_error("MPI: a message of more than 2^31 values");
  return int(n);
}
// Where each process's part starts in a message of parts `counts` long, in process order.
std::vector<int> offsets_of(const std::vector<int>& counts) {
  std::vector<int> offsets(counts.size());
  std::size_t total = 0;
  for (std::size_t p = 0; p < counts.size(); ++p) {
    offsets[p] = message_count(total);
    total += std::size_t(counts[p]);
  }
  return offsets;
}
constexpr int kTagLeft = 11, kTagRight = 12, kTagValues = 13;
}  // namespace

void exchange_with_neighbours(const double* to_left, const double* to_right, double* from_left, double* from_right,
                              std::size_t n) {
  const int K = count();
  if (K == 1) {
    std::copy(to_right, to_right + n, from_left);
    std::copy(to_left, to_left + n, from_right);
    return;
  }
  const int me = rank(), left = (me + K - 1) % K, right = (me + 1) % K, c = message_count(n);
  // Rightward: what goes right arrives from the left; then leftward.
  check(MPI_Sendrecv(to_right, c, MPI_DOUBLE, right, kTagRight, from_left, c, MPI_DOUBLE, left, kTagRight,
                     MPI_COMM_WORLD, MPI_STATUS_IGNORE),
        "MPI_Sendrecv");
  check(MPI_Sendrecv(to_left, c, MPI_DOUBLE, left, kTagLeft, from_right, c, MPI_DOUBLE, right, kTagLeft,
                     MPI_COMM_WORLD, MPI_STATUS_IGNORE),
        "MPI_Sendrecv");
}

void send_values(int to, const double* values, std::size_t n) {
  check(MPI_Send(values, message_count(n), MPI_DOUBLE, to, kTagValues, MPI_COMM_WORLD), "MPI_Send");
}

void receive_values(int from, double* values, std::size_t n) {
  check(MPI_Recv(values, message_count(n), MPI_DOUBLE, from, kTagValues, MPI_COMM_WORLD, MPI_STATUS_IGNORE),
        "MPI_Recv");
}

void broadcast_values(int from, double* values, std::size_t n) {
  if (!g_started) return;
  check(MPI_Bcast(values, message_count(n), MPI_DOUBLE, from, MPI_COMM_WORLD), "MPI_Bcast");
}

std::vector<double> gather_values(const std::vector<double>& local) {
  if (!g_started) return local;
  const int n = count(), me = rank();
  int size = message_count(local.size());
  std::vector<int> sizes(me == 0 ? std::size_t(n) : 0);
  MPI_Gather(&size, 1, MPI_INT, sizes.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
  const std::vector<int> offsets = offsets_of(sizes);
  std::size_t total = 0;
  for (const int s : sizes) total += std::size_t(s);
  std::vector<double> all(total);
  check(MPI_Gatherv(local.data(), size, MPI_DOUBLE, all.data(), sizes.data(), offsets.data(), MPI_DOUBLE, 0,
                    MPI_COMM_WORLD),
        "MPI_Gatherv");
  return all;
}

void all_gather_values(const double* local, std::size_t n, const std::vector<int>& counts, double* all) {
  if (!g_started) {
    std::copy(local, local + n, all);
    return;
  }
  const std::vector<int> offsets = offsets_of(counts);
  check(MPI_Allgatherv(local, message_count(n), MPI_DOUBLE, all, counts.data(), offsets.data(), MPI_DOUBLE,
                       MPI_COMM_WORLD),
        "MPI_Allgatherv");
}

void all_to_all_values(const double* send, const std::vector<int>& send_counts, double* recv,
                       const std::vector<int>& recv_counts) {
  if (!g_started) {
    std::copy(send, send + send_counts[0], recv);
    return;
  }
  const std::vector<int> send_offsets = offsets_of(send_counts), recv_offsets = offsets_of(recv_counts);
  check(MPI_Alltoallv(send, send_counts.data(), send_offsets.data(), MPI_DOUBLE, recv, recv_counts.data(),
                      recv_offsets.data(), MPI_DOUBLE, MPI_COMM_WORLD),
        "MPI_Alltoallv");
}

}  // namespace processes

namespace detail {

std::mutex& mpi_calls() {
  static std::mutex m;
  return m;
}

// One int64 on process 0, read and advanced by MPI_Fetch_and_op under a shared lock
// (a plain count when MPI did not start).
struct JobCounter::State {
  MPI_Win window = MPI_WIN_NULL;
  std::int64_t* base = nullptr;
  std::int64_t local = 0;
};

JobCounter::JobCounter() : m_state(new State) {
  if (!g_started) return;
  const bool root = processes::rank() == 0;
  check(MPI_Win_allocate(root ? MPI_Aint(sizeof(std::int64_t)) : 0, sizeof(std::int64_t), MPI_INFO_NULL,
                         MPI_COMM_WORLD, &m_state->base, &m_state->window),
        "MPI_Win_allocate");
  if (root) {
    MPI_Win_lock(MPI_LOCK_EXCLUSIVE, 0, 0, m_state->window);
    *m_state->base = 0;
    MPI_Win_unlock(0, m_state->window);
  }
  MPI_Barrier(MPI_COMM_WORLD);  // nobody draws before the counter is zero
}

JobCounter::~JobCounter() {
  if (m_state->window != MPI_WIN_NULL) MPI_Win_free(&m_state->window);
  delete m_state;
}

std::int64_t JobCounter::next() {
  std::lock_guard<std::mutex> lock(mpi_calls());
  if (m_state->window == MPI_WIN_NULL) return m_state->local++;
  const std::int64_t one = 1;
  std::int64_t drawn = 0;
  MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, m_state->window);
  MPI_Fetch_and_op(&one, &drawn, MPI_INT64_T, 0, 0, MPI_SUM, m_state->window);
  MPI_Win_unlock(0, m_state->window);
  return drawn;
}

std::string gather_to_root(const std::string& local) {
  if (!g_started) return local;
  const int n = processes::count(), me = processes::rank();
  if (local.size() > std::size_t(INT_MAX))
    throw std::runtime_error("MPI: one process's results exceed 2 GiB; use more processes or fewer jobs per run");
  int size = int(local.size());
  std::vector<int> sizes(me == 0 ? std::size_t(n) : 0), offsets(sizes.size());
  MPI_Gather(&size, 1, MPI_INT, sizes.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
  std::size_t total = 0;
  for (std::size_t p = 0; p < sizes.size(); ++p) {
    if (total > std::size_t(INT_MAX)) throw std::runtime_error("MPI: the gathered results exceed 2 GiB");
    offsets[p] = int(total);
    total += std::size_t(sizes[p]);
  }
  std::string all(total, '\0');
  MPI_Gatherv(local.data(), size, MPI_CHAR, all.data(), sizes.data(), offsets.data(), MPI_CHAR, 0, MPI_COMM_WORLD);
  return me == 0 ? all : std::string();
}

std::int64_t sum_over_processes(std::int64_t value) {
  if (!g_started) return value;
  std::int64_t sum = 0;
  MPI_Allreduce(&value, &sum, 1, MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD);
  return sum;
}

void max_over_processes(double* values, std::size_t n) {
  if (!g_started) return;
  check(MPI_Allreduce(MPI_IN_PLACE, values, processes::message_count(n), MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD), "MPI_Allreduce");
}

}  // namespace detail

// n doubles on process 0, added to and read back by MPI_Get_accumulate under a shared lock
// (element-wise atomic); plain sums when MPI did not start.
struct SharedTotals::State {
  MPI_Win window = MPI_WIN_NULL;
  double* base = nullptr;
  std::vector<double> local;
};

SharedTotals::SharedTotals(std::size_t n) : m_state(new State) {
  m_state->local.assign(n, 0.0);
  if (!g_started) return;
  const bool root = processes::rank() == 0;
  check(MPI_Win_allocate(root ? MPI_Aint(n * sizeof(double)) : 0, sizeof(double), MPI_INFO_NULL, MPI_COMM_WORLD,
                         &m_state->base, &m_state->window),
        "MPI_Win_allocate");
  if (root) {
    MPI_Win_lock(MPI_LOCK_EXCLUSIVE, 0, 0, m_state->window);
    for (std::size_t i = 0; i < n; ++i) m_state->base[i] = 0.0;
    MPI_Win_unlock(0, m_state->window);
  }
  MPI_Barrier(MPI_COMM_WORLD);  // nobody adds before the totals are zero
}

SharedTotals::~SharedTotals() {
  if (m_state->window != MPI_WIN_NULL) MPI_Win_free(&m_state->window);
  delete m_state;
}

std::vector<double> SharedTotals::add(const std::vector<double>& amounts) {
  std::lock_guard<std::mutex> lock(detail::mpi_calls());
  std::vector<double>& totals = m_state->local;
  if (amounts.size() != totals.size()) throw std::invalid_argument("SharedTotals::add: wrong number of amounts");
  if (m_state->window == MPI_WIN_NULL) {
    for (std::size_t i = 0; i < totals.size(); ++i) totals[i] += amounts[i];
    return totals;
  }
  const int n = int(totals.size());
  std::vector<double> before(totals.size());
  MPI_Win_lock(MPI_LOCK_SHARED, 0, 0, m_state->window);
  MPI_Get_accumulate(amounts.data(), n, MPI_DOUBLE, before.data(), n, MPI_DOUBLE, 0, 0, n, MPI_DOUBLE, MPI_SUM,
                     m_state->window);
  MPI_Win_unlock(0, m_state->window);
  for (std::size_t i = 0; i < before.size(); ++i) before[i] += amounts[i];
  return before;
}

}  // namespace nnfield
