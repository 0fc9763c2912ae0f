#include "physics/stream.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <stdexcept>

namespace nightsim::physics {
namespace {

// One frame's update of every real and imaginary part alike: the clutter mean, the
// deviation from it and the second difference. X(t−2) is not needed after its second
// difference, so `prev2` takes X(t) in its place and the caller swaps the two buffers
// (no copy of X(t−1) every frame). A function of its own over restrict pointers so that
// GCC vectorizes it (inlined into OnFrame, where the frame's data comes from a
// std::vector, it stayed scalar).
[[gnu::noinline]] void UpdateComponents(const float* x, std::size_t count, float a_clutter, float* __restrict mean,
                                        float* __restrict prev, float* __restrict prev2, float* __restrict deviation,
                                        float* __restrict second) {
  for (std::size_t j = 0; j < count; ++j) {
    const float v = x[j];
    const float m = mean[j] + a_clutter * (v - mean[j]);
    mean[j] = m;
    deviation[j] = v - m;
    second[j] = v - 2.0f * prev[j] + prev2[j];
    prev2[j] = v;
  }
}

}  // namespace

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
  const std::size_t n = static_cast<std::size_t>(bins) * nrx;  // complex values per frame
  // std::complex<float> is array-compatible with float[2] ([complex.numbers]).
  const float* x = reinterpret_cast<const float*>(frame.range.data());
  if (!started_) {
    mean_.assign(x, x + 2 * n);
    prev_ = mean_;
    prev2_ = mean_;
    deviation_.assign(2 * n, 0.0f);
    second_diff_.assign(2 * n, 0.0f);
    bin_power_.assign(bins, 0.0);
    bin_second_diff_.assign(bins, 0.0);
    power_.assign(bins, 0.0);
    started_ = true;
  }
  // Static clutter: exponential mean per bin; moving power = |X − mean|², smoothed.
  // X(t) − 2X(t−1) + X(t−2): smooth breathing motion cancels, gross motion does not.
  // Real and imaginary parts are updated alike, so these run over the frame as plain
  // floats (vectorized), into buffers the processor keeps: no per-frame allocation or
  // copy of the frame. The mean, the deviation, the second difference and the per-bin
  // power below are the same float and double operations in the same order as the
  // former std::complex<float> code, so the same bits; only the frame's total of the
  // second difference is summed in another order (see there).
  UpdateComponents(x, 2 * n, a_clutter, mean_.data(), prev_.data(), prev2_.data(), deviation_.data(),
                   second_diff_.data());
  prev_.swap(prev2_);  // prev_ ← X(t), prev2_ ← X(t−1)
  const float* deviation = deviation_.data();
  const float* second = second_diff_.data();
  // Per bin, summed over rx in rx order in double: |·|² of each complex value computed
  // in float like std::norm.
  double* __restrict bin_power = bin_power_.data();
  double* __restrict bin_second = bin_second_diff_.data();
  for (int k = 0; k < bins; ++k) bin_power[k] = bin_second[k] = 0.0;
  for (int r = 0; r < nrx; ++r) {
    const float* dev = deviation + 2 * static_cast<std::size_t>(r) * bins;
    const float* sec = second + 2 * static_cast<std::size_t>(r) * bins;
    for (int k = 0; k < bins; ++k) {
      bin_power[k] += dev[2 * k] * dev[2 * k] + dev[2 * k + 1] * dev[2 * k + 1];
      bin_second[k] += sec[2 * k] * sec[2 * k] + sec[2 * k + 1] * sec[2 * k + 1];
    }
  }
  // The frame's total: the per-bin sums above added in four partial sums (no 192-long
  // chain of dependent adds). The terms are the former code's, but it added each one
  // (bin by bin, rx by rx within a bin) to a single running double, so this total can
  // differ from it in the last bits (double rounding only), and with it the floor and
  // the motion value.
  double partial[4] = {0.0, 0.0, 0.0, 0.0};
  int k4 = 0;
  for (; k4 + 4 <= bins; k4 += 4) {
    for (int q = 0; q < 4; ++q) partial[q] += bin_second[k4 + q];
  }
  for (; k4 < bins; ++k4) partial[0] += bin_second[k4];
  const double second_diff = (partial[0] + partial[1]) + (partial[2] + partial[3]);
  for (int k = 0; k < bins; ++k) power_[k] += a_power * (bin_power[k] - power_[k]);
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
  // The median bin power, only at the decimated samples; the scratch buffer keeps its
  // capacity, so this allocates once per processor, not once per sample.
  std::vector<double>& sorted = median_scratch_;
  sorted.assign(power_.begin() + min_bin, power_.end());
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
