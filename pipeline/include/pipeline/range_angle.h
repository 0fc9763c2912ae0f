#pragma once
/// \file
/// Range–angle processing across the receive array: steering vectors, a Bartlett
/// or Capon beamformer over the clutter-removed covariance of each bin, direction
/// from inter-antenna phase differences, and peak detection on the map.

#include <complex>
#include <vector>

#include "frame/radar_frame.h"
#include "pipeline/bin_statistics.h"

namespace nightsim::pipeline {

/// The receive array as the pipeline models it.
/// Phase model: a plane wave from unit direction u reaches RX k with phase
/// phase_sign · (2π/λ) · (p_k · u), u = (sin az cos el, cos az cos el, sin el) in
/// the device frame (x right, y boresight, z up); azimuth is positive to the
/// device's right, elevation positive up.
struct ArrayModel {
  std::vector<AntennaPosition> rx;  ///< antenna positions, metres
  double wavelength_m{0.005};       ///< carrier wavelength
  double phase_sign{1.0};           ///< +1 or −1: the sensor's phase convention
  int az_a{0}, az_b{1};             ///< the RX pair with the largest x baseline (b − a > 0); −1 with one RX
  int el_a{-1}, el_b{-1};           ///< the RX pair with the largest z baseline, −1 when none
};

/// The array of `radar` with `phase_sign` (±1). A single receiver gives a model
/// without direction (az_a = az_b = −1: every cell on boresight). Throws
/// std::invalid_argument when there are no or more than kMaxRx antennas, or 2 or more
/// without a horizontal baseline.
ArrayModel MakeArrayModel(const RadarInfo& radar, double phase_sign);

/// Unit-modulus steering vector for (azimuth, elevation) in radians; `a` receives
/// model.rx.size() values.
void SteeringVector(const ArrayModel& model, double azimuth_rad, double elevation_rad,
                    std::complex<double>* a);

/// Direction of the dominant source in a covariance, from the phase of the
/// cross terms of the azimuth pair (and the elevation pair when there is one);
/// boresight (0, 0) for a single receiver.
struct Direction {
  double azimuth_rad{0.0};
  double elevation_rad{0.0};
};
Direction EstimateDirection(const SpatialCov& cov, const ArrayModel& model);

/// Which beamformer builds the range–angle map.
enum class Beamformer {
  kBartlett,  ///< a^H R a / N²: robust, broad beams (a 2-element pair is ~60° wide)
  kCapon,     ///< 1 / (a^H (R + δI)^{-1} a): sharper, needs diagonal loading δ
};

/// One detected cell of the range–angle map.
struct CellPeak {
  int bin{0};
  double range_m{0.0};
  double azimuth_rad{0.0};    ///< from phase differences (finer than the grid)
  double elevation_rad{0.0};
  double snr_db{0.0};         ///< map power over the noise power of one beam
};

/// Range–angle map of dynamic (clutter-removed) power over an azimuth grid.
/// Power is normalised so that white noise of variance σ² per RX gives σ²/N and a
/// single source of amplitude A per RX on the grid gives A² (both beamformers).
class RangeAngleMap {
 public:
  /// `num_angles` ≥ 2 grid azimuths spanning ±max_abs_azimuth_rad; `capon_loading`
  /// is δ as a fraction of trace/N. Throws std::invalid_argument on bad values.
  RangeAngleMap(ArrayModel model, Beamformer beamformer, int num_angles, double max_abs_azimuth_rad,
                double capon_loading);

  /// Recomputes map rows for bins [first_bin, last_bin] from the window covariances.
  /// Bins whose total dynamic power (trace / N) is below `min_power` cannot hold a
  /// peak worth detecting and are left at 0 (most bins of a room are empty).
  void Compute(const BinStatistics& stats, int first_bin, int last_bin, double min_power = 0.0);

  /// Local range maxima of the per-bin best beam with SNR ≥ min_snr_db over a noise
  /// variance `noise_var` per RX sample, at least `min_separation_bins` apart
  /// (stronger first), returned in increasing range. Bins outside the last
  /// Compute() are ignored. Bin b lies at range_start_m + b · range_bin_m.
  std::vector<CellPeak> DetectPeaks(const BinStatistics& stats, double noise_var, double min_snr_db,
                                    int min_separation_bins, double range_bin_m, double range_start_m = 0.0) const;

  /// Power of bin `bin` at grid angle `k` (0 before Compute()).
  double Power(int bin, int k) const { return power_[static_cast<std::size_t>(bin * num_angles_ + k)]; }
  /// Grid azimuth k, radians.
  double GridAzimuthRad(int k) const { return grid_az_rad_[static_cast<std::size_t>(k)]; }
  int num_angles() const { return num_angles_; }
  const ArrayModel& model() const { return model_; }

 private:
  ArrayModel model_;
  Beamformer beamformer_;
  int num_angles_;
  double capon_loading_;
  std::vector<double> grid_az_rad_;
  std::vector<std::complex<double>> steering_;  // [angle][rx]
  std::vector<double> steering_re_, steering_im_;  // [rx][angle], for the Bartlett rows
  std::vector<double> scratch_;                 // 3 × num_angles: Σ_j R_ij a_j (re, im) and a^H R a
  std::vector<double> power_;                   // [bin][angle]
  int first_bin_{0};
  int last_bin_{-1};
};

}  // namespace nightsim::pipeline
