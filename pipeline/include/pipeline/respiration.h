#pragma once
/// \file
/// Respiration from a displacement waveform: rate by autocorrelation, streaming
/// breath detection, and the per-epoch feature record the staging stage consumes.

#include <cstdint>
#include <optional>
#include <vector>

namespace nightsim::pipeline {

/// A breathing rate found in a waveform.
struct RateEstimate {
  double rate_bpm{0.0};     ///< breaths per minute; 0 when !valid
  double periodicity{0.0};  ///< normalised autocorrelation at the peak that set the rate (one or more breaths), −1..1
  bool valid{false};        ///< a local autocorrelation maximum exists in the rate range
};

/// Removes the least-squares line from `x` in place.
void Detrend(std::vector<double>* x);

/// Breathing rate of `x` (detrended, sampled at sample_rate_hz) from the first
/// normalised-autocorrelation peak within [60/max_rate_bpm, 60/min_rate_bpm] s that
/// reaches 85 % of the highest peak there (so a period, not twice it, wins), refined
/// by parabolic interpolation. Lags longer than 2/3 of the window are not searched.
/// Octave check: when that peak's lag L spans m ≥ 2 breaths — the autocorrelation has
/// a peak at least half as high within max(1 sample, 20 %) of L/m — and the
/// Hann-windowed spectrum carries more power at m/L than at 1/L (the fundamental is a
/// breathing waveform's strongest line), the rate is m/L, of the m with the most power.
/// `periodicity` stays the value of the peak at L: how strongly the waveform repeats.
RateEstimate EstimateRate(const std::vector<double>& x, double sample_rate_hz, double min_rate_bpm,
                          double max_rate_bpm);

/// One detected breath.
struct Breath {
  double time_s{0.0};      ///< time of the displacement peak
  double depth_mm{0.0};    ///< peak minus the preceding trough (≥ 0)
  double interval_s{0.0};  ///< since the previous breath; 0 for the first of a segment
};

/// Settings of BreathDetector.
struct BreathDetectorConfig {
  double baseline_tau_s{6.0};    ///< high-pass: posture drift removed by an EMA of this constant
  double smooth_tau_s{0.25};     ///< low-pass: noise removed by an EMA of this constant
  double hysteresis_frac{0.3};   ///< a turn must exceed this fraction of the recent breath depth
  double min_hysteresis_mm{0.02};  ///< and this absolute amount
  double max_rate_bpm{45.0};     ///< peaks closer than 60/this are merged
  double max_interval_s{15.0};   ///< longer gaps start a new segment (no interval reported)
};

/// Streaming breath detector with bounded latency (a fraction of a breath): peaks
/// of the smoothed, baseline-removed displacement confirmed by a hysteresis turn.
class BreathDetector {
 public:
  explicit BreathDetector(BreathDetectorConfig config = {});
  /// Feeds one sample (times strictly increasing); returns a breath when a peak is confirmed.
  std::optional<Breath> Push(double time_s, double displacement_mm);
  /// Forgets the waveform (a new segment: another cell, after a gap).
  void Reset();

 private:
  BreathDetectorConfig config_;
  bool started_{false};
  double last_time_s_{0.0};
  double baseline_{0.0};
  double smooth_{0.0};
  bool rising_{true};
  double extreme_{0.0};
  double extreme_time_s_{0.0};
  double last_trough_{0.0};
  bool have_trough_{false};
  double depth_ema_mm_{0.0};
  double last_breath_s_{-1.0};
};

/// Per-epoch respiration features of the primary user: what a staging classifier
/// consumes. All values are 0 when `valid` is false.
struct RespirationFeatures {
  std::int64_t epoch{0};             ///< epoch index
  double start_s{0.0};               ///< epoch start, seconds since night start
  bool present{false};               ///< presence decision of the epoch
  double presence_confidence{0.0};   ///< 0..1
  bool tracking{false};              ///< the primary was tracked for most of the epoch
  bool valid{false};                 ///< a rate could be measured (enough clean tracked data)
  double rate_bpm{0.0};              ///< breathing rate (autocorrelation over the epoch ± margin)
  double periodicity{0.0};           ///< autocorrelation at the breathing lag, 0..1
  double depth_mm{0.0};              ///< median breath depth (peak − trough), mm of displacement
  double regularity{0.0};            ///< 1 − CV of breath intervals, clipped to 0..1
  int breath_count{0};               ///< breaths detected in the epoch
  double interval_mean_s{0.0};       ///< mean breath interval
  double interval_sd_s{0.0};         ///< standard deviation of breath intervals
  double interval_cv{0.0};           ///< sd / mean of breath intervals
  double movement{0.0};              ///< fraction of the epoch's seconds with gross movement, 0..1
  double signal_quality{0.0};        ///< mean respiration quality of the tracked cell, 0..1
  double range_m{0.0};               ///< median range of the tracked target
  double azimuth_rad{0.0};           ///< median azimuth of the tracked target
  double elevation_rad{0.0};         ///< median elevation of the tracked cell (sitting up raises the chest)
};

/// One sample of the primary's respiration stream.
struct RespSample {
  double time_s{0.0};          ///< frame time, seconds since night start
  double displacement_mm{0.0}; ///< chest displacement (sign: the sensor's phase convention)
  bool segment_start{false};   ///< first sample after a gap or a change of cell (no continuity)
  bool breath{false};          ///< a breath peak was confirmed at this sample's push
};

}  // namespace nightsim::pipeline
