#pragma once
// Real <-> complex discrete Fourier transforms of rows, the one FFT layer of nnfield
// (src/numerics/fft.cpp is the only file that includes FFTW). Convention of docs/theory.md section 5:
//
//   forward   f~(k_q) = sum_{y=0}^{n-1} f(y) e^{-i k_q y},   k_q = 2 pi q / n,  q = 0..n/2
//   inverse   g(y)    = sum_{q=0}^{n-1} f~(k_q) e^{+i k_q y}  (unnormalised: inverse(forward(f)) = n f)
//
// i.e. FFTW's FFTW_FORWARD r2c and FFTW_BACKWARD c2r. A real row's spectrum is
// Hermitian, f~(-k) = conj f~(k), so only the n/2+1 coefficients q = 0..n/2 are kept.
//
// Plans are made once per (length, rows, direction, alignment) and cached for the
// life of the program: a RowFFT is cheap to construct, and any number of them may be
// used from any number of threads at once (FFTW executes plans concurrently; planning
// is serialised by a mutex inside src/numerics/fft.cpp). Plans use FFTW_ESTIMATE, so the same
// input gives the same bits in every run (FFTW_MEASURE chooses algorithms by timing).
#include <complex>
#include <cstddef>
#include <memory>
#include <utility>

namespace nnfield {

// Layout-compatible with fftw_complex (C++ guarantees std::complex<double> is double[2]).
using Complex = std::complex<double>;

namespace detail {
struct FftPlan;                            // an fftw_plan and its owner (src/numerics/fft.cpp)
void* fft_allocate(std::size_t bytes);     // fftw_malloc: aligned for FFTW's SIMD code
void fft_free(void* p) noexcept;
}  // namespace detail

// A zero-initialised array aligned for FFTW (fftw_malloc). Transforms also accept
// unaligned buffers (e.g. numpy arrays), through plans made for them.
template <class T>
class FftBuffer {
 public:
  FftBuffer() = default;
  explicit FftBuffer(std::size_t n)
      : m_data(n ? static_cast<T*>(detail::fft_allocate(n * sizeof(T))) : nullptr), m_size(n) {
    for (std::size_t i = 0; i < n; ++i) m_data[i] = T();
  }
  ~FftBuffer() { detail::fft_free(m_data); }
  FftBuffer(FftBuffer&& o) noexcept : m_data(std::exchange(o.m_data, nullptr)), m_size(std::exchange(o.m_size, 0)) {}
  FftBuffer& operator=(FftBuffer&& o) noexcept {
    std::swap(m_data, o.m_data);
    std::swap(m_size, o.m_size);
    return *this;
  }
  FftBuffer(const FftBuffer&) = delete;
  FftBuffer& operator=(const FftBuffer&) = delete;

  T* data() { return m_data; }
  const T* data() const { return m_data; }
  std::size_t size() const { return m_size; }
  T& operator[](std::size_t i) { return m_data[i]; }
  const T& operator[](std::size_t i) const { return m_data[i]; }
  T* begin() { return m_data; }
  T* end() { return m_data + m_size; }

 private:
  T* m_data = nullptr;
  std::size_t m_size = 0;
};

// Batched 1D transforms of `rows` contiguous rows: real rows (rows, n) <-> half
// spectra (rows, n/2+1), both row-major. Input and output must not overlap.
class RowFFT {
 public:
  explicit RowFFT(std::size_t n, std::size_t rows = 1);

  std::size_t length() const { return m_n; }
  std::size_t rows() const { return m_rows; }
  std::size_t spectrum_length() const { return m_n / 2 + 1; }

  // in (rows, n) -> out (rows, n/2+1). `in` is not modified.
  void forward(const double* in, Complex* out) const;
  // in (rows, n/2+1) -> out (rows, n). `in` is OVERWRITTEN: FFTW's c2r transforms
  // destroy their input, and preserving it would cost a copy on every call.
  // The imaginary parts of in[0] and (n even) in[n/2] are ignored.
  void inverse(Complex* in, double* out) const;

 private:
  std::size_t m_n, m_rows;
  std::shared_ptr<const detail::FftPlan> m_forward, m_inverse;  // for fftw_malloc-aligned buffers
};

// k_q = 2 pi q / n for the half spectrum q = 0..n/2 (the Nyquist mode q = n/2 has
// k = pi). A spectral derivative along a periodic axis multiplies by i k_q (and
// zeroes q = n/2 for even n, whose sign is ambiguous).
double half_spectrum_wavenumber(std::size_t q, std::size_t n);

// The smallest length >= n whose only prime factors are 2, 3, 5 and 7: sizes FFTW
// transforms fastest. Used for zero padding, where any length >= the minimum works.
std::size_t fft_friendly_length(std::size_t n);

}  // namespace nnfield
