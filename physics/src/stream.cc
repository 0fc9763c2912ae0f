#include "physics/stream.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>

namespace nightsim::physics {

StreamProcessor::StreamProcessor(const RadarInfo& info, StreamOptions options) : info_(info), options_(options) {
  options_.decimation = std::max(1, options_.decimation);
}

std::optional<StreamSample> StreamProcessor::OnFrame(const RadarFrame& frame) {
  const int bins = info_.range_bins;
  const int nrx = static_cast<int>(info_.rx.size());
  if (frame.level != RadarLevel::kRange || frame.num_bins != bins || frame.num_rx != nrx ||
      frame.range.size() != static_cast<std::size_t>(bins) * nrx) {
    throw std::invalid_argument("StreamProcessor::OnFrame: expected a range-level frame matching the RadarInfo");
  }
  const double dt = 1.0 / info_.frame_rate_hz;
  const float a_clutter = static_cast<float>(std::min(1.0, dt / options_.clutter_time_constant_s));
  const double a_power = std::min(1.0, dt / options_.power_time_constant_s);
  const double a_drift = std::min(1.0, dt / options_.respiration_highpass_s);
  if (!started_) {
    mean_ = frame.range;
    prev_ = frame.range;
    prev2_ = frame.range;
    power_.assign(bins, 0.0);
    started_ = true;
  }
  // Static clutter: exponential mean per bin; moving power = |X − mean|², smoothed.
  double second_diff = 0.0;
  for (int k = 0; k < bins; ++k) {
    double p = 0.0;
    for (int r = 0; r < nrx; ++r) {
      const std::size_t i = static_cast<std::size_t>(r) * bins + k;
      mean_[i] += a_clutter * (frame.range[i] - mean_[i]);
      p += std::norm(frame.range[i] - mean_[i]);
      // X(t) − 2X(t−1) + X(t−2): smooth breathing motion cancels, gross motion does not.
      second_diff += std::norm(frame.range[i] - 2.0f * prev_[i] + prev2_[i]);
    }
    power_[k] += a_power * (p - power_[k]);
  }
  prev2_.swap(prev_);
  prev_ = frame.range;
  ++frames_;

  // Motion: second-difference energy over a slowly rising floor tracker.
  if (frames_ <= 3 || second_diff < floor_) floor_ = second_diff;
  else floor_ *= 1.0 + dt / 60.0;
  const double motion = floor_ > 0.0 ? std::clamp(std::log10(second_diff / floor_) / 2.0, 0.0, 1.0) : 0.0;

  // Target: strongest moving bin beyond the minimum range, with hysteresis.
  const int min_bin = std::min(bins - 1, static_cast<int>(std::ceil(options_.min_range_m / info_.range_bin_m)));
  int best = min_bin;
  for (int k = min_bin; k < bins; ++k) {
    if (power_[k] > power_[best]) best = k;
  }
  if (target_bin_ < 0 || power_[best] > options_.switch_ratio * power_[target_bin_]) {
    if (best != target_bin_) {
      target_bin_ = best;
      unwrapped_ = 0.0;
      drift_ = 0.0;
      last_phase_ = std::arg(frame.range[target_bin_]);
    }
  }
  // Respiration: unwrapped phase of RX 1 at the target bin, d = φ λ / (4π), drift removed.
  const double phase = std::arg(frame.range[target_bin_]);
  double dphi = phase - last_phase_;
  dphi -= 2.0 * std::numbers::pi * std::round(dphi / (2.0 * std::numbers::pi));
  unwrapped_ += dphi;
  last_phase_ = phase;
  const double displacement_m = unwrapped_ * info_.wavelength_m() / (4.0 * std::numbers::pi);
  drift_ += a_drift * (displacement_m - drift_);

  if (frame.index % options_.decimation != 0) return std::nullopt;
  std::vector<double> sorted(power_.begin() + min_bin, power_.end());
  std::nth_element(sorted.begin(), sorted.begin() + sorted.size() / 2, sorted.end());
  const double median = sorted[sorted.size() / 2];
  const int k = target_bin_;
  double offset = 0.0;  // parabolic interpolation of the power peak
  if (k > 0 && k + 1 < bins) {
    const double l = power_[k - 1], c = power_[k], r = power_[k + 1];
    const double den = l - 2.0 * c + r;
    if (den < 0.0) offset = std::clamp(0.5 * (l - r) / den, -0.5, 0.5);
  }
  const double snr_db = median > 0.0 && power_[k] > 0.0 ? 10.0 * std::log10(power_[k] / median) : 0.0;
  StreamSample s;
  s.frame_index = frame.index;
  s.time_s = frame.time_s;
  s.signal_quality = std::clamp((snr_db - 3.0) / 20.0, 0.0, 1.0);
  s.target = s.signal_quality > 0.0;
  s.distance_m = (k + offset) * info_.range_bin_m;
  s.respiration_m = displacement_m - drift_;
  s.motion = motion;
  return s;
}

}  // namespace nightsim::physics
