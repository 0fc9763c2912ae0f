#pragma once
/// \file
/// Features of the sleep stages that follow the tracking pipeline (intent and
/// staging), computed only from what TrackingPipeline hands over: its per-epoch
/// RespirationFeatures and EpochEstimate, and the primary's respiration stream.
///
/// Two levels:
/// - EpochFeatureExtractor: one EpochFeatures row per epoch (the epoch's own
///   values: breathing, movement, position, stream statistics, clock time);
/// - FeatureContext: the rows in order → model inputs with temporal context
///   (lags, leads within the latency budget, rolling statistics, night-level
///   normalisation, time since the session and the intent started). Both the
///   running pipeline and the training command (harness/training.h) go through
///   this one class, so a model sees exactly the inputs it was trained on.
///
/// Missing values are NaN (the learner treats NaN as "missing").

#include <array>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "frame/pipeline_api.h"
#include "pipeline/respiration.h"

namespace nightsim::pipeline {

/// Index of each per-epoch base feature in EpochFeatures::values.
enum BaseFeature : int {
  kRateBpm = 0,           ///< breathing rate, breaths/min (NaN: no rate)
  kPeriodicity,           ///< autocorrelation at the breathing lag, 0..1
  kDepthMm,               ///< median breath depth, mm
  kRegularity,            ///< 1 − CV of breath intervals
  kBreathCount,           ///< breaths detected in the epoch
  kIntervalMeanS,         ///< mean breath interval, s
  kIntervalSdS,           ///< breath interval SD, s
  kIntervalCv,            ///< breath interval CV
  kMovement,              ///< fraction of the epoch's seconds with gross movement
  kSignalQuality,         ///< respiration quality of the tracked cell, 0..1
  kRangeM,                ///< range of the tracked target, m (NaN: not tracked)
  kAzimuthRad,            ///< azimuth of the tracked target, rad (NaN: not tracked)
  kPresenceConfidence,    ///< 0..1
  kTracked,               ///< 1 when the primary was tracked, else 0
  kStreamCoverage,        ///< fraction of the epoch covered by stream samples, 0..1
  kStreamSegments,        ///< stream discontinuities (new segments) in the epoch
  kStreamDepthCv,         ///< CV of per-breath depths from the stream
  kStreamDepthMm,         ///< median per-breath depth from the stream, mm
  kLongestPauseS,         ///< longest time without a breath peak inside the epoch, s
  kIntervalLag1,          ///< lag-1 autocorrelation of breath intervals, −1..1
  kClockH,                ///< clock time of the epoch start, hours after 18:00 (0..24)
  kElevationRad,          ///< elevation of the tracked cell, rad (NaN: not tracked)
  kNumBaseFeatures
};

/// Names of the base features, in BaseFeature order.
const std::array<const char*, kNumBaseFeatures>& BaseFeatureNames();

/// One epoch's own feature values and the tracking decisions of that epoch.
struct EpochFeatures {
  std::int64_t epoch{0};   ///< epoch index from the start of the night
  double start_s{0.0};     ///< epoch start, seconds since night start
  bool present{false};     ///< TrackingPipeline's presence decision
  bool session{false};     ///< a sleep session is running
  bool tracking{false};    ///< the primary is tracked
  std::array<float, kNumBaseFeatures> values{};  ///< by BaseFeature; NaN = missing
};

/// Builds EpochFeatures rows from the tracking pipeline's outputs. Stream samples
/// are added as they come (times increasing); Finish(e) is called once per epoch,
/// in order, after every stream sample of that epoch has been added.
class EpochFeatureExtractor {
 public:
  /// `epoch_s` > 0; `night_start_clock_s`: clock time of t = 0, seconds after midnight.
  EpochFeatureExtractor(double epoch_s, double night_start_clock_s);
  /// Adds stream samples (times increasing across calls).
  void AddStream(std::span<const RespSample> samples);
  /// The row of `features.epoch` from the tracking outputs of that epoch and the
  /// stream samples inside it; samples of earlier epochs are dropped.
  EpochFeatures Finish(const EpochEstimate& estimate, const RespirationFeatures& features);

 private:
  double epoch_s_;
  double night_start_clock_s_;
  double frame_dt_s_{0.0};  // learned from consecutive stream samples
  std::deque<RespSample> samples_;
  double last_breath_s_{-1.0};
  double trough_mm_{0.0};
  bool have_trough_{false};
};

/// Settings of FeatureContext.
struct FeatureContextConfig {
  int lookahead_epochs{3};    ///< leads used by the stage inputs (epochs after the staged one)
  int short_window_epochs{10};  ///< rolling window (past part), 5 min at 30-s epochs
  int long_window_epochs{40};   ///< long rolling window (past part), 20 min
  double movement_threshold{0.05};  ///< an epoch with more movement counts as a movement epoch
  int bout_gap_epochs{10};      ///< an in-bed bout ends after this many untracked epochs (5 min)
  int reference_epochs{6};      ///< the bout's first tracked epochs: the posture it started in
  double shift_range_m{0.03};   ///< a range step this large between epochs is a posture shift
  double shift_azimuth_rad{0.08};  ///< and so is an azimuth step this large
  /// Throws std::invalid_argument naming the first bad field.
  void Validate() const;
};

/// Rows in order → model inputs with temporal context. Memory is bounded by the
/// longest window plus running sums.
class FeatureContext {
 public:
  explicit FeatureContext(FeatureContextConfig config = {});
  /// Appends the next epoch's row (epochs consecutive; throws std::invalid_argument otherwise).
  void Push(const EpochFeatures& row);
  /// Epoch of the newest row, or nullopt before the first Push.
  std::optional<std::int64_t> newest() const;
  /// The row of `epoch` if it is still held.
  const EpochFeatures* Row(std::int64_t epoch) const;

  /// Intent inputs of the newest row: causal (that row and earlier ones only), so
  /// an intent score exists as soon as its epoch's row does. Order: IntentInputNames().
  std::vector<float> IntentInputs() const;
  /// Stage inputs of `epoch` = newest − lookahead (or any held epoch at the end of
  /// data): the row, its lags and leads, rolling statistics, night-normalised values
  /// and the epochs since the session and intent started (`intent_start_epoch`:
  /// the first intent epoch decided so far, if any). Order: StagingInputNames().
  std::vector<float> StagingInputs(std::int64_t epoch, std::optional<std::int64_t> intent_start_epoch) const;

  /// Names of IntentInputs() / StagingInputs() values (fixed for a configuration).
  std::vector<std::string> IntentInputNames() const;
  std::vector<std::string> StagingInputNames() const;

 private:
  FeatureContextConfig config_;
  std::deque<EpochFeatures> rows_;
  std::optional<std::int64_t> session_start_;   // first epoch of the current session
  std::optional<std::int64_t> tracked_start_;   // first epoch of the current in-bed bout
  std::int64_t last_tracked_{-1};                // latest tracked epoch
  std::vector<float> ref_range_, ref_azimuth_, ref_elevation_, ref_depth_;  // the bout's first tracked epochs
  std::optional<std::int64_t> last_shift_;       // latest posture shift (range/azimuth step)
  int shifts_{0};                                // posture shifts in the bout
  float prev_range_{0.0f}, prev_azimuth_{0.0f};  // latest tracked position
  bool have_prev_{false};
  std::optional<std::int64_t> last_movement_;   // latest movement epoch
  double rate_sum_{0.0}, depth_sum_{0.0};        // valid-rate epochs of the session so far
  int rate_n_{0};
  double range_min_m_{0.0};                      // least range of the current tracked bout
};

}  // namespace nightsim::pipeline
