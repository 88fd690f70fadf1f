#pragma once
// How many threads work runs on when nobody says: the CPUs this process may run on
// (sched_getaffinity, so `taskset` and container cpusets count, not the machine's cores),
// capped by NNFIELD_THREADS when set, else by OMP_NUM_THREADS when set. One function, so
// every command, the Python module and the library's own defaults agree.
#include <string>

namespace nnfield {

// The CPUs in this process's affinity mask (at least 1); the machine's hardware threads
// when the mask cannot be read.
unsigned available_cpus();

// The cap a thread-count variable's value sets: a positive whole number (for
// OMP_NUM_THREADS, the first of a comma-separated list, as OpenMP reads it for the outer
// level). Throws std::invalid_argument naming `variable` and the value otherwise ("abc",
// "0", "-2", "", "1e3").
unsigned parse_thread_cap(const std::string& variable, const std::string& value);

// available_cpus(), capped by NNFIELD_THREADS if set, else by OMP_NUM_THREADS if set.
// Throws std::invalid_argument (parse_thread_cap) when the variable consulted is invalid.
unsigned default_thread_count();

// `requested` when positive, else default_thread_count().
unsigned resolve_thread_count(int requested);

}  // namespace nnfield
