#pragma once
/// \file
/// The `stream` output level: the compact on-device stream a product sends to the
/// cloud (distance, respiration waveform, motion, signal quality), produced from range
/// frames by a model of the device's own DSP. Causal: each sample depends only on the
/// frames up to it.

#include <complex>
#include <cstdint>
#include <optional>
#include <vector>

#include "frame/radar_frame.h"

namespace nightsim::physics {

/// Settings of the on-device DSP model.
struct StreamOptions {
  int decimation{2};                      ///< one sample every `decimation` frames (2: 10 Hz at 20 frames/s); >= 1
  double clutter_time_constant_s{5.0};    ///< static-clutter estimate (exponential mean of the profile)
  double power_time_constant_s{2.0};      ///< smoothing of the moving power per bin
  double respiration_highpass_s{10.0};    ///< drift removal of the displacement waveform
  double min_range_m{0.25};               ///< nearer bins are ignored (antenna coupling, the device itself)
  double switch_ratio{2.0};               ///< another bin must be this much stronger to take over the target
};

/// One sample of the on-device stream.
struct StreamSample {
  std::int64_t frame_index{0};  ///< frame the sample was computed at
  double time_s{0.0};           ///< seconds since night start
  bool target{false};           ///< a moving target stands out of the noise
  double distance_m{0.0};       ///< range of the strongest moving target (interpolated between bins)
  double respiration_m{0.0};    ///< displacement towards the radar at that range, drift removed, m
  double motion{0.0};           ///< gross-movement index, 0..1 (breathing alone stays near 0)
  double signal_quality{0.0};   ///< 0..1 from the target's moving power over the median bin's
};

/// Turns range frames into the on-device stream.
class StreamProcessor {
 public:
  /// `info` as sent by the device; options validated (decimation clamped to >= 1).
  explicit StreamProcessor(const RadarInfo& info, StreamOptions options = {});

  /// Consumes one range-level frame (in order); returns a sample every `decimation`
  /// frames (frame_index % decimation == 0). Throws std::invalid_argument for a frame
  /// that is not range level or does not match `info`.
  std::optional<StreamSample> OnFrame(const RadarFrame& frame);

 private:
  RadarInfo info_;
  StreamOptions options_;
  bool started_{false};
  // Per-frame state as interleaved (re, im) floats [rx][bin][2] — the layout of the
  // frame's std::complex<float> — so the per-element updates are plain float loops
  // the compiler vectorizes, with no per-frame allocation or copy.
  std::vector<float> mean_;                // static-clutter estimate
  std::vector<float> prev_, prev2_;        // the two previous frames
  std::vector<float> deviation_;           // scratch: X − mean
  std::vector<float> second_diff_;         // scratch: X − 2X(t−1) + X(t−2)
  std::vector<double> bin_power_;          // scratch: Σ_rx |X − mean|² [bin]
  std::vector<double> bin_second_diff_;    // scratch: Σ_rx |X − 2X(t−1) + X(t−2)|² [bin]
  std::vector<double> median_scratch_;     // scratch for the median bin power
  std::vector<double> power_;              // [bin], summed over rx
  double floor_{0.0};                      // tracked floor of the second-difference energy
  int target_bin_{-1};
  double last_phase_{0.0};
  double unwrapped_{0.0};
  double drift_{0.0};
  int frames_{0};
};

}  // namespace nightsim::physics
