#pragma once
/// \file
/// Robust phase extraction from the I/Q trajectory of one cell: DC/arc correction
/// by a circle fit, phase unwrapping, conversion to displacement.

#include <complex>
#include <vector>

namespace nightsim::pipeline {

/// An algebraic (Kåsa) circle fit of points in the complex plane.
struct CircleFit {
  std::complex<double> centre;  ///< fitted centre: the static part of the cell (clutter + still body)
  double radius{0.0};           ///< fitted radius: amplitude of the moving reflector
  bool ok{false};               ///< false when the points are degenerate (all equal, collinear)
};

/// Fits a circle to `n` points (n ≥ 3). Kåsa's fit is biased toward small radii
/// on short noisy arcs; ExtractDisplacement guards against that.
CircleFit FitCircle(const std::complex<float>* points, int n);

/// How the displacement was obtained.
enum class DemodMode {
  kArc,     ///< angle around the fitted circle centre, unwrapped
  kLinear,  ///< projection on the principal axis (short arc: the fit is ill-posed)
  kNone,    ///< no usable signal (all points equal)
};

/// Result of ExtractDisplacement.
struct Demodulation {
  DemodMode mode{DemodMode::kNone};
  double radius{0.0};  ///< amplitude of the moving reflector, input units
  double spread{0.0};  ///< RMS distance of the points from their mean, input units
};

/// Radial displacement (mm) of the reflector in one cell from its complex samples:
/// d = φ · λ / (4π) with φ the unwrapped angle around the fitted centre. When the
/// fitted radius exceeds max_radius_over_spread × spread (an arc too short to fit),
/// the displacement is the projection on the principal I/Q axis divided by that
/// capped radius (linear demodulation; right in shape, depth a lower bound).
/// `displacement_mm` is resized to n. No allocation once it has capacity.
Demodulation ExtractDisplacement(const std::complex<float>* samples, int n, double wavelength_m,
                                 double max_radius_over_spread, std::vector<double>* displacement_mm);

}  // namespace nightsim::pipeline
