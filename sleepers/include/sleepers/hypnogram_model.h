#pragma once
/// \file
/// The sleep-stage process: a semi-Markov model driven by a two-process core.
///
/// - Process S (homeostatic slow-wave pressure) decays exponentially with time since
///   sleep onset; it sets how deep each NREM period goes (N3 front-loaded).
/// - An ultradian oscillator lays out alternating NREM and REM periods (first NREM
///   long and log-normal, later REM periods longer: REM back-loaded), occasionally
///   skipping the first REM period (the long tail of REM latency).
/// - Inside the periods, stages follow as bouts with non-geometric dwell times
///   (gamma / log-normal / shifted) whose parameters depend on the depth S · phase.
/// - Awakenings start when a bout ends, with a probability that depends on the stage
///   left and rises through the night; their length is a discrete power law (heavy tail).
///
/// Bouts are whole epochs, so the truth is a clean per-epoch hypnogram; external
/// events (alarm, restroom urge) may cut a bout anywhere.

#include "core/rng.h"
#include "sleepers/physiology.h"

#include <vector>

namespace nightsim::sleepers {

/// One macro period of the ultradian oscillator, in epochs since sleep onset.
struct UltradianPeriod {
  int start_epoch{0};
  int end_epoch{0};  ///< one past the last epoch
  bool rem{false};
};

/// The next stretch of one stage.
struct StageBout {
  int stage{0};     ///< 0 W, 1 N1, 2 N2, 3 N3, 4 REM
  int epochs{1};    ///< ≥ 1
  bool awakening{false};  ///< a wake bout inside sleep
};

/// Generates a person's sleep stages bout by bout. Draws only from the stream it is
/// given (the person's "hypnogram" stream).
class SleepStageModel {
 public:
  SleepStageModel(const HypnogramParams& params, RandomStream stream);

  /// Sleep-onset latency after lights out, in epochs (≥ 1).
  int DrawOnsetLatencyEpochs();
  /// Latency to fall asleep again after being up at night, in epochs (≥ 1).
  int DrawReturnLatencyEpochs();

  /// The bout that starts `epoch_since_onset` epochs after sleep onset, following a
  /// bout of `previous_stage` (0 at onset and after an awakening or trip).
  StageBout Next(int epoch_since_onset, int previous_stage);

  /// Homeostatic slow-wave pressure at `minutes_asleep` after onset.
  double S(double minutes_asleep) const;
  /// The ultradian period containing `epoch_since_onset` (extends the schedule lazily).
  const UltradianPeriod& PeriodAt(int epoch_since_onset);

 private:
  void ExtendSchedule();
  int DrawWakeEpochs();

  HypnogramParams p_;
  RandomStream rng_;
  std::vector<UltradianPeriod> periods_;
  int rem_periods_{0};
  int nrem_periods_{0};
};

}  // namespace nightsim::sleepers
