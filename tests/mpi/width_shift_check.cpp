// The field's width shifts on a split row (core/width_shift.hpp), run by tests/CMakeLists.txt
// on 1 to 4 processes: on every process's block, T_{(k-r) ay} f and its transpose equal the
// whole row's values bit for bit, for spectral shifts (the transforms divided among the
// processes, more processes than shifts or than frequencies included) and index shifts
// (the halo's ghosts); odd and even rows, K = 1 to 7 shifts.
// Prints one line per failed check; exits 1 if any failed.
#include <string>
#include <vector>

#include "nnfield/core/width_shift.hpp"
#include "nnfield/numerics/processes.hpp"
#include "nnfield/numerics/rng.hpp"
#include "mpi_checks.hpp"

using namespace nnfield;

namespace {

using test::check;

// A row of ny grid points over [0, 1) with lattice spacing ay = ry / ny (spectral unless ry = 1).
void check_shifts(int ny, int r, double ry) {
  const std::string name =
      "ny = " + std::to_string(ny) + ", r = " + std::to_string(r) + ", ay/hy = " + std::to_string(ry);
  const double ay = ry / ny;
  const bool spectral = ry != 1.0;
  if (!spectral && ny / processes::count() < r) return;  // the halo's ghosts come from the next block only
  WidthShiftOperator whole(ny, r, ay, 1.0);
  const WidthHalo halo = WidthHalo::split(ny, spectral ? 0 : r);
  WidthShiftOperator part(ny, r, ay, 1.0, halo);
  check(part.spectral() == spectral, name + ": the kind of shift");
  const int K = 2 * r + 1, n = part.width(), first = halo.block().first;
  Rng rng(11);
  const std::size_t row = std::size_t(ny), block = std::size_t(n);
  std::vector<double> f(row), g(std::size_t(K) * row);
  for (double& v : f) v = rng.normal();
  for (double& v : g) v = rng.normal();
  std::vector<double> shifted(g.size()), back(f.size());
  whole.shift_all(f.data(), shifted.data());
  whole.shift_all_transpose(g.data(), back.data());

  std::vector<double> f_block(block), g_block(std::size_t(K) * block);
  for (int b = 0; b < n; ++b) f_block[std::size_t(b)] = f[std::size_t(first + b)];
  for (int k = 0; k < K; ++k)
    for (int b = 0; b < n; ++b) g_block[std::size_t(k * n + b)] = g[std::size_t(k * ny + first + b)];
  std::vector<double> shifted_block(g_block.size()), back_block(f_block.size());
  part.shift_all(f_block.data(), shifted_block.data());
  part.shift_all_transpose(g_block.data(), back_block.data());
  bool same = true, same_back = true;
  for (int b = 0; b < n; ++b) {
    for (int k = 0; k < K; ++k)
      same = same && shifted_block[std::size_t(k * n + b)] == shifted[std::size_t(k * ny + first + b)];
    same_back = same_back && back_block[std::size_t(b)] == back[std::size_t(first + b)];
  }
  check(same, name + ": the shifted rows on the block");
  check(same_back, name + ": the transpose on the block");
}

}  // namespace

int main(int argc, char** argv) {
  processes::start(argc, argv);
  for (int ny : {4, 5, 10, 37, 64})
    for (int r : {0, 1, 2, 3}) {
      check_shifts(ny, r, 2.0);  // spectral: hy = ay / 2
      check_shifts(ny, r, 1.5);
      check_shifts(ny, r, 1.0);  // the lattice's index shifts
    }
  return test::finish_checks("width shifts");
}
