#pragma once
// The processes of one nnfield program started by `mpirun -np K` (docs/cluster.md), and
// jobs spread over them. Without MPI (a build with NNFIELD_MPI=OFF, or a program not
// started by mpirun) there is one process and everything here reduces to parallel_for.
//
// Jobs are handed out dynamically: every process takes the next job index from one
// counter held by process 0 (an MPI one-sided fetch-and-add), so a process that drew
// cheap jobs takes more of them. Each job's result is a byte string; process 0 receives
// every result after the last job and hands them on in job order, so what it computes
// from them does not depend on the process count or on who ran what.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "nnfield/numerics/parallel_for.hpp"

namespace nnfield {

namespace processes {

// Starts MPI when the program was launched by mpirun (Open MPI's or a PMI launcher's
// environment says so); otherwise does nothing. Call once, first thing in main.
void start(int& argc, char**& argv);
// Ends MPI if start() began it. Call once before a normal return from main.
void finish();
int rank();   // 0 without MPI
int count();  // 1 without MPI
inline bool is_root() { return rank() == 0; }
// Ends every process of the program with `status` (MPI_Abort); a plain exit without MPI.
[[noreturn]] void abort_all(int status);
// What the build can do: "Open MPI 4.1.4" or "none".
std::string library();
// True once this process has finished a distributed_for: no other process then waits
// for it, so a later failure (writing the output) needs no abort_all.
bool shared_work_done();
// Says so after shared work other than distributed_for (a width-split run's last step).
void shared_work_finished();

// ---- messages between neighbours: one network split along its width -------------------
// (core/width_halo.hpp). Process k's neighbours are k - 1 and k + 1, periodically. Every
// call is collective over the processes that take part, in the same order on each.
// Sends to_left (n doubles) to the left neighbour and to_right to the right one, and
// receives what they send: from_left is the left neighbour's to_right. One process is its
// own neighbour both ways (the periodic copy).
void exchange_with_neighbours(const double* to_left, const double* to_right, double* from_left, double* from_right,
                              std::size_t n);
// n doubles from this process to process `to` / into this process from `from` (two processes at least).
void send_values(int to, const double* values, std::size_t n);
void receive_values(int from, double* values, std::size_t n);
// Process `from`'s n values, on every process.
void broadcast_values(int from, double* values, std::size_t n);
// Every process's values, concatenated in process order, on process 0; empty elsewhere.
std::vector<double> gather_values(const std::vector<double>& local);
// Every process's n values (counts[p] on process p), concatenated in process order into
// `all` on every process (MPI_Allgatherv): the whole of a row cut into blocks.
void all_gather_values(const double* local, std::size_t n, const std::vector<int>& counts, double* all);
// Every process sends send_counts[p] doubles to process p, taken in process order from
// `send`, and receives recv_counts[p] doubles from process p, stored in process order in
// `recv` (MPI_Alltoallv): blocks of rows handed to their owners, a transpose.
void all_to_all_values(const double* send, const std::vector<int>& send_counts, double* recv,
                       const std::vector<int>& recv_counts);
// Whether `value` is true on every process (on every process).
bool on_all_processes(bool value);
// The largest `value` of every process (on every process): exact, whatever the order.
double max_over_processes(double value);
// The same for each of n values, in place.
void max_over_processes(double* values, std::size_t n);

}  // namespace processes

// Totals that every process adds to, held by process 0 (MPI one-sided accumulates): how
// much of a piece of work shared by the processes is done, so that a progress line on
// process 0 counts every process's jobs. Without MPI, plain sums. Collective: every
// process creates and destroys it together, in the same order as its other collectives.
class SharedTotals {
 public:
  explicit SharedTotals(std::size_t n);
  ~SharedTotals();
  SharedTotals(const SharedTotals&) = delete;
  SharedTotals& operator=(const SharedTotals&) = delete;
  // Adds amounts[i] to total i (amounts.size() == n) and returns the totals including
  // them. Thread-safe.
  std::vector<double> add(const std::vector<double>& amounts);

 private:
  struct State;
  State* m_state;
};

// Runs job(k) for every k in 0..jobs-1 exactly once, somewhere among the processes, on
// `threads` worker threads in each. On process 0, collect(k, result) is then called for
// every job that ran, in increasing k; other processes get no calls. Returns, on every
// process, the number of jobs that ran in all (fewer than `jobs` only after hooks.stop).
// hooks.done is called on every process after each of its jobs with the number of jobs done
// by all processes so far (SharedTotals), and once more on process 0 at the end with the
// number that ran. A job that throws ends every process
// (abort_all with status 1) when there are several: the others cannot be told to stop.
std::size_t distributed_for(std::size_t jobs, unsigned threads,
                            const std::function<std::string(std::size_t job)>& job,
                            const std::function<void(std::size_t job, std::string&& result)>& collect,
                            const ParallelHooks& hooks = {});

// Bytes in and out for job results: plain values and vectors of them, strings.
class ByteWriter {
 public:
  template <class T>
  void value(const T& v) {
    m_bytes.append(reinterpret_cast<const char*>(&v), sizeof v);
  }
  template <class T>
  void values(const std::vector<T>& v) {
    value(std::uint64_t(v.size()));
    m_bytes.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
  }
  void text(const std::string& s) {
    value(std::uint64_t(s.size()));
    m_bytes.append(s);
  }
  std::string take() { return std::move(m_bytes); }

 private:
  std::string m_bytes;
};

class ByteReader {
 public:
  explicit ByteReader(const std::string& bytes) : m_bytes(bytes) {}
  template <class T>
  T value() {
    T v;
    read(&v, sizeof v);
    return v;
  }
  template <class T>
  std::vector<T> values() {
    std::vector<T> v(value<std::uint64_t>());
    read(v.data(), v.size() * sizeof(T));
    return v;
  }
  std::string text() {
    std::string s(value<std::uint64_t>(), '\0');
    read(s.data(), s.size());
    return s;
  }

 private:
  void read(void* out, std::size_t n);
  const std::string& m_bytes;
  std::size_t m_at = 0;
};

}  // namespace nnfield
