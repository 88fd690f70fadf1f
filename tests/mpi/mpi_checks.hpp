#pragma once
// What the check programs run under mpirun (width_halo_check.cpp, bbd_split_check.cpp) share:
// a failed check prints one line naming the process; the program ends with one line on
// process 0 and exit status 1 if any check failed on any process.
#include <cstdio>
#include <string>

#include "nnfield/numerics/processes.hpp"

namespace nnfield::test {

inline int& failed_checks() {
  static int failures = 0;
  return failures;
}

inline void check(bool ok, const std::string& what) {
  if (ok) return;
  ++failed_checks();
  std::printf("process %d: FAIL: %s\n", processes::rank(), what.c_str());
}

// Collective: agrees whether every check passed, reports it as `name`, ends MPI; the exit status.
inline int finish_checks(const char* name) {
  const int K = processes::count();
  const bool all_ok = processes::on_all_processes(failed_checks() == 0);
  if (processes::is_root()) std::printf("%s: %s on %d processes\n", name, all_ok ? "ok" : "FAILED", K);
  processes::finish();
  return all_ok ? 0 : 1;
}

}  // namespace nnfield::test
