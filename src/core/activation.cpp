// Activations sigma, sigma', sigma'' (docs/theory.md section 1). The array kernel is the hot
// path of every forward pass; the transcendental part goes through the vector math
// library (vector_math.hpp), the derivatives are plain arithmetic.
#include "nnfield/core/activation.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <stdexcept>
#include <vector>

#include "numerics/vector_math.hpp"

namespace nnfield {

using detail::map_cos;
using detail::map_erf;
using detail::map_exp;
using detail::map_log1p;
using detail::map_sin;
using detail::map_one_minus_square;
using detail::map_tanh;
using detail::map_tanh_d1;

namespace {

constexpr double kTwoOverSqrtPi = 1.1283791670955126;  // 2 / sqrt(pi)
constexpr double kInvSqrt2 = 0.70710678118654752;      // 1 / sqrt(2)
constexpr double kInvSqrt2Pi = 0.39894228040143268;    // 1 / sqrt(2 pi)

double logistic(double z) {
  // Evaluated on the side where exp cannot overflow.
  if (z >= 0) return 1.0 / (1.0 + std::exp(-z));
  const double e = std::exp(z);
  return e / (1.0 + e);
}

double softplus(double z) { return std::max(z, 0.0) + std::log1p(std::exp(-std::fabs(z))); }

double normal_cdf(double z) { return 0.5 * (1.0 + std::erf(z * kInvSqrt2)); }
double normal_pdf(double z) { return kInvSqrt2Pi * std::exp(-0.5 * z * z); }

}  // namespace

const std::vector<std::string>& activation_names() {
  static const std::vector<std::string> names{"tanh", "sigmoid", "softplus", "erf", "sin", "gelu"};
  return names;
}

Activation activation_from_name(std::string_view name) {
  const auto& names = activation_names();
  for (std::size_t i = 0; i < names.size(); ++i)
    if (name == names[i]) return static_cast<Activation>(i);
  std::string valid;
  for (const auto& n : names) valid += (valid.empty() ? "" : ", ") + n;
  throw std::invalid_argument("unknown activation '" + std::string(name) + "' (valid: " + valid + ")");
}

std::string activation_name(Activation a) { return activation_names().at(static_cast<std::size_t>(a)); }

double sigma(Activation a, double z) {
  switch (a) {
    case Activation::tanh: return std::tanh(z);
    case Activation::sigmoid: return logistic(z);
    case Activation::softplus: return softplus(z);
    case Activation::erf: return std::erf(z);
    case Activation::sin: return std::sin(z);
    case Activation::gelu: return z * normal_cdf(z);
  }
  return 0.0;
}

double sigma_d1(Activation a, double z) {
  switch (a) {
    case Activation::tanh: { const double t = std::tanh(z); return 1.0 - t * t; }
    case Activation::sigmoid: { const double s = logistic(z); return s * (1.0 - s); }
    case Activation::softplus: return logistic(z);
    case Activation::erf: return kTwoOverSqrtPi * std::exp(-z * z);
    case Activation::sin: return std::cos(z);
    case Activation::gelu: return normal_cdf(z) + z * normal_pdf(z);
  }
  return 0.0;
}

double sigma_d2(Activation a, double z) {
  switch (a) {
    case Activation::tanh: { const double t = std::tanh(z); return -2.0 * t * (1.0 - t * t); }
    case Activation::sigmoid: { const double s = logistic(z); return s * (1.0 - s) * (1.0 - 2.0 * s); }
    case Activation::softplus: { const double s = logistic(z); return s * (1.0 - s); }
    case Activation::erf: return -2.0 * z * kTwoOverSqrtPi * std::exp(-z * z);
    case Activation::sin: return -std::sin(z);
    case Activation::gelu: return normal_pdf(z) * (2.0 - z * z);
  }
  return 0.0;
}

void sigma_and_d1(Activation a, const double* z, double* h, double* dh, std::size_t n) {
  switch (a) {
    case Activation::tanh:
      map_tanh_d1(z, h, dh, n);
      return;
    case Activation::sigmoid:
    case Activation::softplus: {
      // e = exp(-|z|) never overflows; the logistic and softplus follow from it.
      for (std::size_t i = 0; i < n; ++i) dh[i] = -std::fabs(z[i]);
      map_exp(dh, dh, n);
      for (std::size_t i = 0; i < n; ++i) {
        const double e = dh[i];
        const double s = (z[i] >= 0 ? 1.0 : e) / (1.0 + e);
        if (a == Activation::sigmoid) {
          h[i] = s;
          dh[i] = s * (1.0 - s);
        } else {
          h[i] = e;   // log1p argument, finished below
          dh[i] = s;
        }
      }
      if (a == Activation::softplus) {
        map_log1p(h, h, n);
        for (std::size_t i = 0; i < n; ++i) h[i] += std::max(z[i], 0.0);
      }
      return;
    }
    case Activation::erf:
      map_erf(z, h, n);
      for (std::size_t i = 0; i < n; ++i) dh[i] = -z[i] * z[i];
      map_exp(dh, dh, n);
      for (std::size_t i = 0; i < n; ++i) dh[i] *= kTwoOverSqrtPi;
      return;
    case Activation::sin:
      map_sin(z, h, n);
      map_cos(z, dh, n);
      return;
    case Activation::gelu:
      for (std::size_t i = 0; i < n; ++i) h[i] = z[i] * kInvSqrt2;
      map_erf(h, h, n);
      for (std::size_t i = 0; i < n; ++i) dh[i] = -0.5 * z[i] * z[i];
      map_exp(dh, dh, n);
      for (std::size_t i = 0; i < n; ++i) {
        const double cdf = 0.5 * (1.0 + h[i]);
        const double pdf = kInvSqrt2Pi * dh[i];
        h[i] = z[i] * cdf;
        dh[i] = cdf + z[i] * pdf;
      }
      return;
  }
}

namespace {

// kernel(z, out, m) on sites first .. first + n - 1 of a row of `row_width` sites, each site
// taken the way kernel on the whole row takes it: the vector kernels and the scalar tail
// agree only to ~1 ulp, so a site the whole row's vector loop reaches goes through a
// register here too (the block's part of it padded to whole registers), the others through
// the scalar tail. `out` holds Outs output arrays of the n sites.
template <std::size_t Outs, class Kernel>
void in_row(const Kernel& kernel, const double* z, const std::array<double*, Outs>& out, std::size_t n,
            std::size_t first, std::size_t row_width) {
#ifdef NNFIELD_LIBMVEC
  const std::size_t lanes = detail::kLanes;
#else
  const std::size_t lanes = 1;
#endif
  const std::size_t vector_end = row_width / lanes * lanes;  // the whole row's vector loop ends here
  const std::size_t body = first >= vector_end ? 0 : std::min(n, vector_end - first);
  if (body % lanes == 0) {
    kernel(z, out, body);
  } else {  // padded to whole registers, so that every site of the body is taken in one
    thread_local std::vector<double> padded_z;
    thread_local std::array<std::vector<double>, Outs> padded_out;
    const std::size_t padded = (body / lanes + 1) * lanes;
    padded_z.assign(padded, 0.0);
    std::copy_n(z, body, padded_z.data());
    std::array<double*, Outs> to;
    for (std::size_t o = 0; o < Outs; ++o) {
      padded_out[o].resize(padded);
      to[o] = padded_out[o].data();
    }
    kernel(padded_z.data(), to, padded);
    for (std::size_t o = 0; o < Outs; ++o) std::copy_n(to[o], body, out[o]);
  }
  // Sites past the whole row's vector loop: fewer than a register, the scalar tail.
  std::array<double*, Outs> tail;
  for (std::size_t o = 0; o < Outs; ++o) tail[o] = out[o] + body;
  kernel(z + body, tail, n - body);
}

}  // namespace

void sigma_and_d1_in_row(Activation a, const double* z, double* h, double* dh, std::size_t n, std::size_t first,
                         std::size_t row_width) {
  const auto kernel = [a](const double* zz, const std::array<double*, 2>& o, std::size_t m) {
    sigma_and_d1(a, zz, o[0], o[1], m);
  };
  in_row<2>(kernel, z, {h, dh}, n, first, row_width);
}

void sigma_all_in_row(Activation a, const double* z, double* h, double* d1, double* d2, std::size_t n,
                      std::size_t first, std::size_t row_width) {
  const auto kernel = [a](const double* zz, const std::array<double*, 3>& o, std::size_t m) {
    sigma_all(a, zz, o[0], o[1], o[2], m);
  };
  in_row<3>(kernel, z, {h, d1, d2}, n, first, row_width);
}

void sigma_all(Activation a, const double* z, double* h, double* d1, double* d2, std::size_t n) {
  sigma_and_d1(a, z, h, d1, n);
  switch (a) {
    case Activation::tanh:  // sigma'' = -2 sigma sigma'
      for (std::size_t i = 0; i < n; ++i) d2[i] = -2.0 * h[i] * d1[i];
      return;
    case Activation::sigmoid:  // sigma'' = sigma' (1 - 2 sigma)
      for (std::size_t i = 0; i < n; ++i) d2[i] = d1[i] * (1.0 - 2.0 * h[i]);
      return;
    case Activation::softplus:  // sigma' is the logistic s: sigma'' = s (1 - s)
      for (std::size_t i = 0; i < n; ++i) d2[i] = d1[i] * (1.0 - d1[i]);
      return;
    case Activation::erf:  // sigma'' = -2 z sigma'
      for (std::size_t i = 0; i < n; ++i) d2[i] = -2.0 * z[i] * d1[i];
      return;
    case Activation::sin:  // sigma'' = -sigma
      for (std::size_t i = 0; i < n; ++i) d2[i] = -h[i];
      return;
    case Activation::gelu:  // sigma'' = pdf(z) (2 - z^2)
      for (std::size_t i = 0; i < n; ++i) d2[i] = -0.5 * z[i] * z[i];
      map_exp(d2, d2, n);
      for (std::size_t i = 0; i < n; ++i) d2[i] *= kInvSqrt2Pi * (2.0 - z[i] * z[i]);
      return;
  }
}

void sigma_d2(Activation a, const double* z, double* d2, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) d2[i] = sigma_d2(a, z[i]);
}

bool d1_from_value(Activation a) { return a == Activation::tanh; }

void sigma_values(Activation a, const double* z, double* h, std::size_t n) {
  if (a == Activation::tanh) {
    map_tanh(z, h, n);
    return;
  }
  for (std::size_t i = 0; i < n; ++i) h[i] = sigma(a, z[i]);
}

void sigma_d1_of_value(Activation a, const double* h, double* d1, std::size_t n) {
  if (a != Activation::tanh) throw std::invalid_argument("sigma_d1_of_value: " + activation_name(a));
  map_one_minus_square(h, d1, n);  // as map_tanh_d1 takes it
}

}  // namespace nnfield
