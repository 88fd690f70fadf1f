// The FFT layer: the only file that includes FFTW (STYLE: only `fft` includes FFTW).
// Plans are cached by (length, rows, direction, alignment) and executed through the
// new-array interface (fftw_execute_dft_r2c/c2r), so one plan serves every buffer of
// the same shape and alignment, from any thread.
#include "nnfield/numerics/fft.hpp"

#include <fftw3.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <tuple>

namespace nnfield {

namespace detail {

void* fft_allocate(std::size_t bytes) {
  void* p = fftw_malloc(bytes);
  if (!p) throw std::bad_alloc();
  return p;
}

void fft_free(void* p) noexcept { fftw_free(p); }

// RAII owner of one fftw_plan. Only the planner makes and destroys them.
struct FftPlan {
  fftw_plan plan = nullptr;
  explicit FftPlan(fftw_plan p) : plan(p) {}
  FftPlan(const FftPlan&) = delete;
  FftPlan& operator=(const FftPlan&) = delete;
  ~FftPlan();
};

}  // namespace detail

namespace {

enum class Direction { forward, inverse };

// FFTW's planner (and fftw_destroy_plan) are not thread-safe: everything that
// touches it holds this mutex. fftw_execute_* needs no lock.
// Recursive: a plan destroyed while the lock is held (an exception during
// planning) locks it again in ~FftPlan.
std::recursive_mutex& planner_mutex() {
  static std::recursive_mutex m;
  return m;
}

using PlanKey = std::tuple<std::size_t, std::size_t, Direction, bool>;  // n, rows, direction, aligned

// Cached for the life of the program and deliberately never destroyed: RowFFTs held
// by other static objects may still run during static destruction.
std::map<PlanKey, std::shared_ptr<const detail::FftPlan>>& plan_cache() {
  static auto* cache = new std::map<PlanKey, std::shared_ptr<const detail::FftPlan>>();
  return *cache;
}

int checked_int(std::size_t v, const char* what) {
  if (v == 0 || v > std::size_t(INT_MAX))
    throw std::invalid_argument(std::string("RowFFT: ") + what + " = " + std::to_string(v) +
                                " must be in [1, " + std::to_string(INT_MAX) + "]");
  return int(v);
}

std::shared_ptr<const detail::FftPlan> get_plan(std::size_t n, std::size_t rows, Direction direction,
                                                bool aligned) {
  const int in = checked_int(n, "length"), howmany = checked_int(rows, "rows");
  const int nq = in / 2 + 1;
  if (double(rows) * double(nq) > double(INT_MAX)) throw std::invalid_argument("RowFFT: rows x length too large");
  std::lock_guard<std::recursive_mutex> lock(planner_mutex());
  auto& cache = plan_cache();
  const PlanKey key{n, rows, direction, aligned};
  if (auto it = cache.find(key); it != cache.end()) return it->second;

  // FFTW_ESTIMATE neither reads nor writes the arrays, but plans for their
  // alignment: plan on fftw_malloc'd scratch, or say FFTW_UNALIGNED.
  FftBuffer<double> real(rows * n);
  FftBuffer<Complex> spectrum(rows * std::size_t(nq));
  auto* c = reinterpret_cast<fftw_complex*>(spectrum.data());
  const unsigned flags = FFTW_ESTIMATE | (aligned ? 0u : FFTW_UNALIGNED);
  fftw_plan p = direction == Direction::forward
                    ? fftw_plan_many_dft_r2c(1, &in, howmany, real.data(), nullptr, 1, in, c, nullptr, 1, nq, flags)
                    : fftw_plan_many_dft_c2r(1, &in, howmany, c, nullptr, 1, nq, real.data(), nullptr, 1, in, flags);
  if (!p)
    throw std::runtime_error("FFTW could not plan a length-" + std::to_string(n) + " transform of " +
                             std::to_string(rows) + " rows");
  auto plan = std::make_shared<const detail::FftPlan>(p);
  cache.emplace(key, plan);
  return plan;
}

bool fftw_aligned(const void* p) {
  // fftw_alignment_of takes a non-const pointer but only inspects its value.
  return fftw_alignment_of(static_cast<double*>(const_cast<void*>(p))) == 0;
}

}  // namespace

detail::FftPlan::~FftPlan() {
  std::lock_guard<std::recursive_mutex> lock(planner_mutex());
  fftw_destroy_plan(plan);
}

RowFFT::RowFFT(std::size_t n, std::size_t rows)
    : m_n(n),
      m_rows(rows),
      m_forward(get_plan(n, rows, Direction::forward, true)),
      m_inverse(get_plan(n, rows, Direction::inverse, true)) {}

void RowFFT::forward(const double* in, Complex* out) const {
  // An out-of-place r2c plan leaves its input untouched (FFTW_PRESERVE_INPUT is the
  // default for it), so casting away const is safe.
  auto* i = const_cast<double*>(in);
  auto* o = reinterpret_cast<fftw_complex*>(out);
  if (fftw_aligned(in) && fftw_aligned(out))
    fftw_execute_dft_r2c(m_forward->plan, i, o);
  else
    fftw_execute_dft_r2c(get_plan(m_n, m_rows, Direction::forward, false)->plan, i, o);
}

void RowFFT::inverse(Complex* in, double* out) const {
  auto* i = reinterpret_cast<fftw_complex*>(in);
  if (fftw_aligned(in) && fftw_aligned(out))
    fftw_execute_dft_c2r(m_inverse->plan, i, out);
  else
    fftw_execute_dft_c2r(get_plan(m_n, m_rows, Direction::inverse, false)->plan, i, out);
}

double half_spectrum_wavenumber(std::size_t q, std::size_t n) { return 2.0 * 3.14159265358979323846 * double(q) / double(n); }

std::size_t fft_friendly_length(std::size_t n) {
  for (std::size_t m = std::max<std::size_t>(n, 1);; ++m) {
    std::size_t r = m;
    for (std::size_t p : {2, 3, 5, 7})
      while (r % p == 0) r /= p;
    if (r == 1) return m;
  }
}

}  // namespace nnfield
