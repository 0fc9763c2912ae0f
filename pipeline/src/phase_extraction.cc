#include "pipeline/phase_extraction.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "frame/simd.h"

namespace nightsim::pipeline {

namespace {

// atan2 via Abramowitz & Stegun 4.4.49 (|error| ≤ 2e-8 rad on [0, 1]): several times
// faster than libm's, and the phase of every sample of every assessed cell is the
// hottest arithmetic of the pipeline. Written without branches (selects only) over
// whole arrays so that it vectorises; per element it is the same operations in the
// same order as the scalar form it replaced, so the phases are bit for bit the same.
// phase[i] = atan2(y, x) of sample i minus `centre`; 0 where that point is the centre.
NIGHTSIM_TARGET_CLONES
void PhasesAbout(const float* __restrict samples, int n, double centre_re, double centre_im, double* __restrict phase) {
  constexpr double kPi = std::numbers::pi;
  for (int i = 0; i < n; ++i) {
    const double x = static_cast<double>(samples[2 * i]) - centre_re;
    const double y = static_cast<double>(samples[2 * i + 1]) - centre_im;
    const double ax = std::abs(x);
    const double ay = std::abs(y);
    const double hi = ax < ay ? ay : ax;  // std::max(ax, ay)
    const double lo = ay < ax ? ay : ax;  // std::min(ax, ay)
    const double a = lo / hi;             // NaN when hi == 0; replaced below
    const double s = a * a;
    double r = 0.0028662257;
    r = r * s - 0.0161657367;
    r = r * s + 0.0429096138;
    r = r * s - 0.0752896400;
    r = r * s + 0.1065626393;
    r = r * s - 0.1420889944;
    r = r * s + 0.1999355085;
    r = r * s - 0.3333314528;
    r = (r * s + 1.0) * a;
    // Both sides of each select are computed first: a conditional subtraction is a
    // branch to GCC (it might trap), a select between computed values vectorises.
    const double r_swapped = 0.5 * kPi - r;
    r = ay > ax ? r_swapped : r;
    const double r_left = kPi - r;
    r = x < 0.0 ? r_left : r;
    const double r_neg = -r;
    r = y < 0.0 ? r_neg : r;
    phase[i] = hi == 0.0 ? 0.0 : r;
  }
}

// Mean and centred moments of the points, one pass each: the circle fit and the
// spread of ExtractDisplacement share them (each used to make its own passes).
struct Moments {
  double mx{0}, my{0};
  double suu{0}, svv{0}, suv{0}, suuu{0}, svvv{0}, suvv{0}, svuu{0};
};

Moments ComputeMoments(const std::complex<float>* points, int n) {
  Moments m;
  for (int i = 0; i < n; ++i) {
    m.mx += points[i].real();
    m.my += points[i].imag();
  }
  m.mx /= n;
  m.my /= n;
  for (int i = 0; i < n; ++i) {
    const double u = points[i].real() - m.mx;
    const double v = points[i].imag() - m.my;
    m.suu += u * u;
    m.svv += v * v;
    m.suv += u * v;
    m.suuu += u * u * u;
    m.svvv += v * v * v;
    m.suvv += u * v * v;
    m.svuu += v * u * u;
  }
  return m;
}

// Kåsa: minimise Σ (u² + v² − 2 u uc − 2 v vc − c)² on centred coordinates; the
// normal equations reduce to a 2×2 system for the centre.
CircleFit FitFromMoments(const Moments& m, int n) {
  CircleFit fit;
  const double det = m.suu * m.svv - m.suv * m.suv;
  if (!(m.suu + m.svv > 0.0) || det <= 1e-12 * (m.suu + m.svv) * (m.suu + m.svv)) return fit;  // degenerate or collinear
  const double bu = 0.5 * (m.suuu + m.suvv);
  const double bv = 0.5 * (m.svvv + m.svuu);
  const double uc = (bu * m.svv - bv * m.suv) / det;
  const double vc = (bv * m.suu - bu * m.suv) / det;
  fit.centre = {m.mx + uc, m.my + vc};
  fit.radius = std::sqrt(uc * uc + vc * vc + (m.suu + m.svv) / n);
  fit.ok = std::isfinite(fit.radius);
  return fit;
}

}  // namespace

CircleFit FitCircle(const std::complex<float>* points, int n) {
  if (n < 3) return {};
  return FitFromMoments(ComputeMoments(points, n), n);
}

Demodulation ExtractDisplacement(const std::complex<float>* samples, int n, double wavelength_m,
                                 double max_radius_over_spread, std::vector<double>* displacement_mm) {
  Demodulation out;
  if (n < 3) {
    displacement_mm->assign(static_cast<std::size_t>(std::max(n, 0)), 0.0);
    return out;
  }
  // Every path below writes all n samples, except the early return, which zeroes them.
  displacement_mm->resize(static_cast<std::size_t>(n));
  const Moments moments = ComputeMoments(samples, n);
  const std::complex<double> mean(moments.mx, moments.my);
  const double suu = moments.suu, svv = moments.svv, suv = moments.suv;
  out.spread = std::sqrt((suu + svv) / n);
  if (!(out.spread > 0.0)) {
    std::fill(displacement_mm->begin(), displacement_mm->end(), 0.0);
    return out;
  }
  const double mm_per_rad = wavelength_m / (4.0 * std::numbers::pi) * 1e3;  // d = φ λ / 4π
  const CircleFit fit = FitFromMoments(moments, n);
  double* d = displacement_mm->data();
  if (fit.ok && fit.radius <= max_radius_over_spread * out.spread) {
    out.mode = DemodMode::kArc;
    out.radius = fit.radius;
    // Phases first (vectorised), then the sequential unwrapping in place.
    PhasesAbout(reinterpret_cast<const float*>(samples), n, fit.centre.real(), fit.centre.imag(), d);
    double previous = d[0];
    double unwrapped = d[0];
    d[0] = unwrapped * mm_per_rad;
    for (int i = 1; i < n; ++i) {
      const double phase = d[i];
      // Both phases lie in (−π, π], so one 2π correction brings the step into (−π, π].
      double step = phase - previous;
      if (step > std::numbers::pi) {
        step -= 2.0 * std::numbers::pi;
      } else if (step < -std::numbers::pi) {
        step += 2.0 * std::numbers::pi;
      }
      unwrapped += step;
      previous = phase;
      d[i] = unwrapped * mm_per_rad;
    }
    return out;
  }
  // A short arc is nearly a segment: project on its principal axis and scale by a
  // capped radius. The axis is oriented along increasing phase around the fitted
  // centre (when the fit exists) so the sign matches the arc mode.
  out.mode = DemodMode::kLinear;
  out.radius = max_radius_over_spread * out.spread;
  const double theta = 0.5 * std::atan2(2.0 * suv, suu - svv);
  std::complex<double> axis = std::polar(1.0, theta);
  if (fit.ok) {
    const std::complex<double> to_centre = fit.centre - mean;
    const std::complex<double> tangent = std::complex<double>(0.0, -1.0) * to_centre;  // CCW at the arc
    if ((axis * std::conj(tangent)).real() < 0.0) axis = -axis;
  } else if (axis.real() < 0.0) {
    axis = -axis;
  }
  for (int i = 0; i < n; ++i) {
    const std::complex<double> v = (std::complex<double>(samples[i]) - mean) * std::conj(axis);
    d[i] = v.real() / out.radius * mm_per_rad;
  }
  return out;
}

}  // namespace nightsim::pipeline
