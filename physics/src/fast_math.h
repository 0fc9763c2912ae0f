#pragma once
// Small numeric kernels shared by the synthesis code (internal to physics/). Everything
// here is plain IEEE arithmetic in a fixed order, so results are bit-identical on every
// run of the same build; no libm call, so they do not depend on which libm variant the
// dynamic loader picks either.

#include <cmath>
#include <cstdint>
#include <cstddef>
#include <cstring>
#include <numbers>

#include "frame/simd.h"


namespace nightsim::physics::detail {

// Four floats, mapped by GCC/Clang onto one SSE (or NEON) register; arithmetic is
// element-wise and never contracted into FMA unless the target ISA has FMA and
// -ffp-contract allows it (the project builds for baseline x86-64: no FMA; the AVX2
// clones of the hot kernels do not enable FMA either, and fmcw.cc and path_bank.cc are
// built with -ffp-contract=off).

// Kernels worth a wider register get an AVX2 clone (NIGHTSIM_TARGET_CLONES, frame/simd.h).
using V4 = float __attribute__((vector_size(16)));

inline V4 Load4(const float* p) {
  V4 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline void Store4(float* p, V4 v) { std::memcpy(p, &v, sizeof v); }
inline V4 Splat4(float x) { return V4{x, x, x, x}; }

// Largest integer <= x for |x| < 2^62, without a libm call.
inline double FloorFast(double x) {
  const double t = static_cast<double>(static_cast<std::int64_t>(x));
  return t > x ? t - 1.0 : t;
}

// Nearest integer (half to even) for |x| < 2^51, branch-free: adding and subtracting
// 1.5·2^52 leaves no fraction bits (needs the default rounding mode and no -ffast-math).
inline double NearestFast(double x) {
  constexpr double kMagic = 6755399441055744.0;
  return (x + kMagic) - kMagic;
}

// sin and cos of a phase of any size (|phase| < 2^50 rad). The quadrant is removed in
// double (k = nearest(phase / (π/2)), y = phase − k π/2, |y| <= π/4 + rounding), then Taylor
// polynomials in float: |error| < 1e-7 (sin: next term y^11/11! < 3e-9; cos: y^10/10! < 3e-8;
// the rest is float rounding). About 25 flops instead of a libm call.
inline void FastSinCos(double phase_rad, float* s, float* c) {
  constexpr double kHalfPi = 0.5 * std::numbers::pi;
  constexpr double kTwoOverPi = 2.0 / std::numbers::pi;
  const double k = NearestFast(phase_rad * kTwoOverPi);
  const float y = static_cast<float>(phase_rad - k * kHalfPi);
  const float y2 = y * y;
  const float sy = y * (1.0f + y2 * (-1.0f / 6 + y2 * (1.0f / 120 + y2 * (-1.0f / 5040 + y2 * (1.0f / 362880)))));
  const float cy = 1.0f + y2 * (-0.5f + y2 * (1.0f / 24 + y2 * (-1.0f / 720 + y2 * (1.0f / 40320))));
  switch (static_cast<std::int64_t>(k) & 3) {
    case 0: *s = sy; *c = cy; break;
    case 1: *s = cy; *c = -sy; break;
    case 2: *s = -sy; *c = -cy; break;
    default: *s = -cy; *c = sy; break;
  }
}

// FastSinCos of four phases at once: the quadrant removal in double, the polynomials
// and the quadrant selection four-wide. Same formulas, so the same results as FastSinCos.
// The quadrant removal is four-wide too (in double): the quadrant k mod 4 is taken as
// k − 4·nearest(k/4) ∈ [−2, 2] (exact in double), whose two's-complement low bits are those of
// the int64 k — no int64 conversion, which SSE2/AVX2 lack.
inline void FastSinCos4(const double* phase_rad, float* s, float* c) {
  using V4i = std::int32_t __attribute__((vector_size(16)));
  using V4d = double __attribute__((vector_size(32)));
  constexpr double kHalfPi = 0.5 * std::numbers::pi;
  constexpr double kTwoOverPi = 2.0 / std::numbers::pi;
  constexpr double kMagic = 6755399441055744.0;  // NearestFast
  V4d phase;
  std::memcpy(&phase, phase_rad, sizeof phase);
  const V4d k = (phase * kTwoOverPi + kMagic) - kMagic;
  const V4 y = __builtin_convertvector(phase - k * kHalfPi, V4);
  const V4d k_mod4 = k - 4.0 * ((k * 0.25 + kMagic) - kMagic);
  const V4i quadrant = __builtin_convertvector(k_mod4, V4i) & 3;
  const V4 y2 = y * y;
  const V4 sy = y * (1.0f + y2 * (-1.0f / 6 + y2 * (1.0f / 120 + y2 * (-1.0f / 5040 + y2 * (1.0f / 362880)))));
  const V4 cy = 1.0f + y2 * (-0.5f + y2 * (1.0f / 24 + y2 * (-1.0f / 720 + y2 * (1.0f / 40320))));
  const V4i odd = (quadrant & 1) != 0;
  const V4 a = odd ? cy : sy;
  const V4 b = odd ? sy : cy;
  Store4(s, (quadrant & 2) != 0 ? -a : a);
  Store4(c, ((quadrant + 1) & 2) != 0 ? -b : b);
}

// The series branch of DopplerFactor (used where |M ψ| < 1): coefficients of ψ², ψ⁴, ψ⁶
// for M chirps, and its value; branch-free, so loops over many paths vectorize.
struct DopplerSeries {
  double c2, c4, c6;
  explicit DopplerSeries(int chirps) {
    const double m2 = static_cast<double>(chirps) * chirps;
    c2 = -(m2 - 1.0) / 24.0;
    c4 = (m2 - 1.0) * (3.0 * m2 - 7.0) / 5760.0;
    c6 = -(m2 - 1.0) * (3.0 * m2 * m2 - 18.0 * m2 + 31.0) / 967680.0;
  }
  double operator()(double psi) const {
    const double p2 = psi * psi;
    return 1.0 + p2 * (c2 + p2 * (c4 + p2 * c6));
  }
  static bool Applies(double psi, int chirps) { return std::fabs(chirps * psi) < 1.0; }
};

// Chirp-averaging factor of a tone whose phase advances ψ per chirp, referenced to the
// centre chirp: (1/M) Σ e^{jψ(m − (M−1)/2)} = sin(Mψ/2) / (M sin(ψ/2)). Below |Mψ| = 1 the
// Maclaurin series to ψ⁶ (next term < 1e-8) avoids two libm sines per tone.
inline double DopplerFactor(double psi, int chirps) {
  if (DopplerSeries::Applies(psi, chirps)) return DopplerSeries(chirps)(psi);
  const double s = std::sin(0.5 * psi);
  if (std::fabs(s) < 1e-12) return 1.0;
  return std::sin(0.5 * chirps * psi) / (chirps * s);
}

}  // namespace nightsim::physics::detail
