#pragma once
// Width shifts of the field solver (docs/theory.md 4.3 "Width", 4.4): every lattice neighbour
// access y + k ay becomes the shift operator T_{k ay} on a periodic width grid of ny
// points (hy = Ly/ny). When k ay is a whole number of grid cells (hy = ay, the lattice
// itself) T is an index shift, exact and free. Otherwise it is exact in Fourier space,
//
//   (T_s f)~(kappa) = e^{i kappa s} f~(kappa),    kappa_q = 2 pi q/Ly, |q| <= ny/2,
//
// the band-limited interpolant evaluated at y + s. The Nyquist mode (even ny) gets the
// real factor cos(kappa s): it keeps T real and makes its transpose T_{-s}, so the
// discrete adjoint of a sweep is again a sweep with the opposite shifts. Modes beyond
// the lattice Nyquist pi/ay never appear (ny <= N). Taylor-expanded width shifts are
// not offered: they amplify sub-lattice modes (docs/field-limit.md section 4).
//
// Split along the width over the processes of `mpirun -np K nnfield run` (docs/cluster.md),
// the operator acts on this process's block of columns: index shifts read the r ghosts of
// the halo exchange (width_halo.hpp); spectral shifts divide the row's K shift transforms
// among the processes and hand the results to the blocks by all-to-all transposes
// (width_shift_split.cpp). Either way every value is one process's, bit for bit.
#include <vector>

#include "nnfield/core/link_stencil.hpp"
#include "nnfield/core/width_halo.hpp"
#include "nnfield/numerics/fft.hpp"

namespace nnfield {

class WidthShiftOperator {
 public:
  // Shifts by (k - r) ay for k = 0..2r on a grid of ny points over [0, Ly).
  WidthShiftOperator(int ny, int r, double ay, double Ly);
  // The block `halo` holds of the ny points (halo.block().N == ny); a split halo's radius is
  // r for index shifts (hy = ay), any for spectral ones (they exchange no ghosts).
  WidthShiftOperator(int ny, int r, double ay, double Ly, const WidthHalo& halo);

  int ny() const { return m_ny; }
  int width() const { return m_halo.block().width; }  // the columns in and out hold
  int K() const { return m_K; }
  bool spectral() const { return m_spectral; }

  // out (K, width()): row k = T_{(k-r) ay} in, i.e. out[k][b] = f(y_b + (k-r) ay).
  void shift_all(const double* in, double* out);
  // out (width()) = sum_k T_{-(k-r) ay} in[k]: the transpose of shift_all (in is (K, width())).
  void shift_all_transpose(const double* in, double* out);

 private:
  // On the whole row (ny columns), and on a split's block (width_shift_split.cpp).
  void shift_whole(const double* in, double* out);
  void shift_whole_transpose(const double* in, double* out);
  void shift_block(const double* in, double* out);
  void shift_block_transpose(const double* in, double* out);
  // The two steps of a spectral shift that a split runs on different processes, one
  // function each so that both ways compute them with the same instructions (the same
  // rounding, fused multiply-adds included):
  //   row = T_{(k-r) ay} of the row whose spectrum m_spectrum holds (ny values);
  //   work[q] += spectrum[q] conj(e^{i kappa_{q0+q} (k-r) ay}) for q < count.
  void shifted_row(int k, double* row);
  void add_transposed(int k, const Complex* spectrum, std::size_t q0, std::size_t count, Complex* work) const;
  // One row of every process's block into the whole row, on every process.
  void gather_row(const double* block, double* whole);

  WidthHalo m_halo;
  int m_ny, m_K;
  bool m_spectral;
  LinkStencil m_stencil;                   // the index shift when not spectral
  RowFFT m_fft;
  std::vector<Complex> m_phase;            // (K, ny/2+1): e^{i kappa_q (k-r) ay}
  FftBuffer<double> m_real;
  FftBuffer<Complex> m_spectrum, m_work;
  // A split's workspace: padded rows with ghosts, gathered blocks, whole rows, the
  // messages of the transposes, the spectra of this process's shifts, this process's
  // frequencies of every shift's spectrum and of their sum.
  std::vector<double> m_padded, m_gathered, m_whole, m_send, m_received;
  std::vector<Complex> m_spectra, m_spectra_here, m_sums;
};

}  // namespace nnfield
