#include "pipeline/range_angle.h"

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>

#include "frame/simd.h"

namespace nightsim::pipeline {

namespace {

// Bartlett row of one bin, P_k = max(0, Re a_k^H R a_k) / N², for all grid angles at
// once (vectorised across angles). Per angle these are the operations of the complex
// form in the same order: ci += R_ij a_j, then q += conj(a_i) ci, whose real part
// a_re ci_re − (−a_im) ci_im is exactly a_re ci_re + a_im ci_im.
NIGHTSIM_TARGET_CLONES
void BartlettRow(const SpatialCov& c, int n, int num_angles, const double* __restrict a_re,
                 const double* __restrict a_im, double* __restrict ci_re, double* __restrict ci_im,
                 double* __restrict q, double* __restrict row) {
  for (int k = 0; k < num_angles; ++k) q[k] = 0.0;
  for (int i = 0; i < n; ++i) {
    for (int k = 0; k < num_angles; ++k) ci_re[k] = ci_im[k] = 0.0;
    for (int j = 0; j < n; ++j) {
      const double r_re = c(i, j).real();
      const double r_im = c(i, j).imag();
      const double* aj_re = a_re + static_cast<std::ptrdiff_t>(j) * num_angles;
      const double* aj_im = a_im + static_cast<std::ptrdiff_t>(j) * num_angles;
      for (int k = 0; k < num_angles; ++k) {
        ci_re[k] += r_re * aj_re[k] - r_im * aj_im[k];
        ci_im[k] += r_re * aj_im[k] + r_im * aj_re[k];
      }
    }
    const double* ai_re = a_re + static_cast<std::ptrdiff_t>(i) * num_angles;
    const double* ai_im = a_im + static_cast<std::ptrdiff_t>(i) * num_angles;
    for (int k = 0; k < num_angles; ++k) q[k] += ai_re[k] * ci_re[k] + ai_im[k] * ci_im[k];
  }
  for (int k = 0; k < num_angles; ++k) row[k] = std::max(0.0, q[k]) / (n * n);  // P = a^H R a / N²
}

}  // namespace

ArrayModel MakeArrayModel(const RadarInfo& radar, double phase_sign) {
  const int n = static_cast<int>(radar.rx.size());
  if (n < 1 || n > kMaxRx) throw std::invalid_argument("RadarInfo.rx: the pipeline needs 1 to 4 receive antennas");
  if (!(radar.wavelength_m() > 0.0)) throw std::invalid_argument("RadarInfo: non-positive wavelength");
  if (phase_sign != 1.0 && phase_sign != -1.0) throw std::invalid_argument("phase_sign must be +1 or -1");
  ArrayModel m;
  m.rx = radar.rx;
  m.wavelength_m = radar.wavelength_m();
  m.phase_sign = phase_sign;
  if (n == 1) {
    // One receiver measures range and phase but no direction: every cell is read as
    // on boresight (azimuth and elevation 0), and the map has one beam.
    m.az_a = m.az_b = -1;
    return m;
  }
  double best_x = 0.0;
  double best_z = 0.0;
  for (int a = 0; a < n; ++a) {
    for (int b = 0; b < n; ++b) {
      const double dx = radar.rx[b].x_m - radar.rx[a].x_m;
      const double dz = radar.rx[b].z_m - radar.rx[a].z_m;
      // The azimuth pair is the longest purely horizontal baseline (an L array's
      // diagonal pair mixes azimuth and elevation); likewise for elevation.
      if (dx > best_x + 1e-12 && std::abs(dz) < 1e-6 * (1.0 + dx)) { best_x = dx; m.az_a = a; m.az_b = b; }
      if (dz > best_z + 1e-12 && std::abs(dx) < 1e-6 * (1.0 + dz)) { best_z = dz; m.el_a = a; m.el_b = b; }
    }
  }
  if (best_x <= 0.0) throw std::invalid_argument("RadarInfo.rx: no horizontal antenna baseline for azimuth");
  if (best_x > 0.5 * m.wavelength_m * 1.05) {
    // Longer baselines are ambiguous in azimuth; the pipeline's phase-difference
    // direction estimate assumes λ/2.
    throw std::invalid_argument("RadarInfo.rx: azimuth baseline longer than λ/2 is ambiguous");
  }
  return m;
}

void SteeringVector(const ArrayModel& model, double azimuth_rad, double elevation_rad, std::complex<double>* a) {
  const double ux = std::sin(azimuth_rad) * std::cos(elevation_rad);
  const double uy = std::cos(azimuth_rad) * std::cos(elevation_rad);
  const double uz = std::sin(elevation_rad);
  const double k = model.phase_sign * 2.0 * std::numbers::pi / model.wavelength_m;
  for (std::size_t i = 0; i < model.rx.size(); ++i) {
    const AntennaPosition& p = model.rx[i];
    a[i] = std::polar(1.0, k * (p.x_m * ux + p.y_m * uy + p.z_m * uz));  // ψ_k = ±(2π/λ) p_k·u
  }
}

Direction EstimateDirection(const SpatialCov& cov, const ArrayModel& model) {
  // C(b, a) = E[x_b conj(x_a)] has phase ψ_b − ψ_a = sign·k·(p_b − p_a)·u.
  if (model.az_a < 0) return {};  // one receiver: no direction, boresight
  const double k = model.phase_sign * 2.0 * std::numbers::pi / model.wavelength_m;
  const double dx = model.rx[static_cast<std::size_t>(model.az_b)].x_m - model.rx[static_cast<std::size_t>(model.az_a)].x_m;
  double ux = std::arg(cov(model.az_b, model.az_a)) / (k * dx);
  double uz = 0.0;
  if (model.el_a >= 0) {
    const double dz = model.rx[static_cast<std::size_t>(model.el_b)].z_m - model.rx[static_cast<std::size_t>(model.el_a)].z_m;
    uz = std::arg(cov(model.el_b, model.el_a)) / (k * dz);
  }
  ux = std::clamp(ux, -1.0, 1.0);
  uz = std::clamp(uz, -1.0, 1.0);
  const double norm2 = ux * ux + uz * uz;
  if (norm2 > 1.0) {
    const double s = 1.0 / std::sqrt(norm2);
    ux *= s;
    uz *= s;
  }
  Direction d;
  d.elevation_rad = std::asin(uz);
  d.azimuth_rad = std::atan2(ux, std::sqrt(std::max(0.0, 1.0 - ux * ux - uz * uz)));
  return d;
}

RangeAngleMap::RangeAngleMap(ArrayModel model, Beamformer beamformer, int num_angles, double max_abs_azimuth_rad,
                             double capon_loading)
    : model_(std::move(model)), beamformer_(beamformer), num_angles_(num_angles), capon_loading_(capon_loading) {
  if (num_angles < 2) throw std::invalid_argument("num_angles must be >= 2");
  if (!(max_abs_azimuth_rad > 0.0 && max_abs_azimuth_rad < std::numbers::pi / 2)) {
    throw std::invalid_argument("max_abs_azimuth_rad must be in (0, π/2)");
  }
  if (!(capon_loading >= 0.0)) throw std::invalid_argument("capon_loading must be >= 0");
  const std::size_t n = model_.rx.size();
  grid_az_rad_.resize(static_cast<std::size_t>(num_angles_));
  steering_.resize(static_cast<std::size_t>(num_angles_) * n);
  for (int k = 0; k < num_angles_; ++k) {
    const double az = -max_abs_azimuth_rad + 2.0 * max_abs_azimuth_rad * k / (num_angles_ - 1);
    grid_az_rad_[static_cast<std::size_t>(k)] = az;
    SteeringVector(model_, az, 0.0, &steering_[static_cast<std::size_t>(k) * n]);
  }
  steering_re_.resize(steering_.size());
  steering_im_.resize(steering_.size());
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t k = 0; k < static_cast<std::size_t>(num_angles_); ++k) {
      steering_re_[i * num_angles_ + k] = steering_[k * n + i].real();
      steering_im_[i * num_angles_ + k] = steering_[k * n + i].imag();
    }
  }
  scratch_.resize(3 * static_cast<std::size_t>(num_angles_));
}

void RangeAngleMap::Compute(const BinStatistics& stats, int first_bin, int last_bin, double min_power) {
  const int n = static_cast<int>(model_.rx.size());
  if (stats.num_rx() != n) throw std::invalid_argument("RangeAngleMap: statistics have a different RX count");
  first_bin_ = std::max(0, first_bin);
  last_bin_ = std::min(stats.num_bins() - 1, last_bin);
  power_.assign(static_cast<std::size_t>(stats.num_bins()) * num_angles_, 0.0);
  using Mat = Eigen::Matrix<std::complex<double>, Eigen::Dynamic, Eigen::Dynamic, 0, kMaxRx, kMaxRx>;
  using Vec = Eigen::Matrix<std::complex<double>, Eigen::Dynamic, 1, 0, kMaxRx, 1>;
  for (int bin = first_bin_; bin <= last_bin_; ++bin) {
    const SpatialCov& c = stats.WindowCovariance(bin);
    // A beam never holds more than the mean power per RX times N (Bartlett) — skip
    // bins that cannot reach min_power.
    if (c.Trace() < min_power) continue;
    double* row = &power_[static_cast<std::size_t>(bin * num_angles_)];
    if (beamformer_ == Beamformer::kBartlett) {
      double* ci = scratch_.data();
      BartlettRow(c, n, num_angles_, steering_re_.data(), steering_im_.data(), ci, ci + num_angles_,
                  ci + 2 * num_angles_, row);
    } else {
      Mat r(n, n);
      for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j) r(i, j) = c(i, j);
      const double load = capon_loading_ * c.Trace() / n + 1e-300;
      for (int i = 0; i < n; ++i) r(i, i) += load;
      const Eigen::LLT<Mat> llt(r);
      for (int k = 0; k < num_angles_; ++k) {
        Vec a(n);
        for (int i = 0; i < n; ++i) a(i) = steering_[static_cast<std::size_t>(k * n + i)];
        const double q = a.dot(llt.solve(a)).real();  // a^H (R + δI)^{-1} a
        row[k] = q > 0.0 ? 1.0 / q : 0.0;
      }
    }
  }
}

std::vector<CellPeak> RangeAngleMap::DetectPeaks(const BinStatistics& stats, double noise_var, double min_snr_db,
                                                 int min_separation_bins, double range_bin_m,
                                                 double range_start_m) const {
  std::vector<CellPeak> peaks;
  if (last_bin_ < first_bin_) return peaks;
  const int n = static_cast<int>(model_.rx.size());
  const double noise_beam = std::max(noise_var, 1e-300) / n;  // white noise through one beam: σ²/N
  auto best = [&](int bin) {
    double p = 0.0;
    for (int k = 0; k < num_angles_; ++k) p = std::max(p, Power(bin, k));
    return p;
  };
  const double min_snr = std::pow(10.0, min_snr_db / 10.0);
  for (int bin = first_bin_; bin <= last_bin_; ++bin) {
    const double p = best(bin);
    if (p < min_snr * noise_beam) continue;
    if (bin > first_bin_ && best(bin - 1) > p) continue;
    if (bin < last_bin_ && best(bin + 1) >= p) continue;
    CellPeak c;
    c.bin = bin;
    c.range_m = range_start_m + bin * range_bin_m;
    c.snr_db = 10.0 * std::log10(p / noise_beam);
    const Direction d = EstimateDirection(stats.WindowCovariance(bin), model_);
    c.azimuth_rad = d.azimuth_rad;
    c.elevation_rad = d.elevation_rad;
    peaks.push_back(c);
  }
  // Non-maximum suppression along range, strongest first: one body spans several bins.
  std::sort(peaks.begin(), peaks.end(), [](const CellPeak& a, const CellPeak& b) {
    return a.snr_db != b.snr_db ? a.snr_db > b.snr_db : a.bin < b.bin;
  });
  std::vector<CellPeak> kept;
  for (const CellPeak& p : peaks) {
    bool near = false;
    for (const CellPeak& k : kept) near = near || std::abs(k.bin - p.bin) < min_separation_bins;
    if (!near) kept.push_back(p);
  }
  std::sort(kept.begin(), kept.end(), [](const CellPeak& a, const CellPeak& b) { return a.bin < b.bin; });
  return kept;
}

}  // namespace nightsim::pipeline
