#pragma once
/// \file
/// Continuous signals of one body: breathing (chest and abdomen), heartbeat,
/// movements, posture and position, as BodyState at any time t, generated breath
/// by breath and beat by beat from the body's own streams. Queries must come with
/// non-decreasing t; each costs O(1) amortized (a few cursor checks and one
/// waveform evaluation), so physics can ask at frame rate for a whole night.

#include <cstdint>

#include "core/body_state.h"
#include "core/rng.h"
#include "sleepers/timeline.h"

namespace nightsim::sleepers {

/// One breath as generated (truth of "each breath").
struct Breath {
  double t0_s{0};          ///< start of inhalation
  double period_s{4};      ///< start to start of the next breath
  double inhale_s{1.4};    ///< inhalation time
  double exhale_s{1.8};    ///< active exhalation; the rest of the period is the end-expiratory pause
  double chest_pp_m{0};    ///< peak chest excursion (negative: moves inward, paradoxical)
  double abdomen_pp_m{0};  ///< peak abdominal excursion
  int stage{-1};           ///< stage in force at t0
  bool sigh{false};
  bool apnea{false};       ///< inside an apnea (no airflow)
  /// Breathing rate implied by this breath, breaths per minute.
  double rate_bpm() const { return 60.0 / period_s; }
};

/// Generates the breaths of one body in order. Parameters follow docs/design.md §4:
/// NREM slightly faster and shallower than wake, N3 the most regular, REM shallow
/// (≈ 73 % of wake) and irregular with long-range correlated intervals (a sum of
/// AR(1) processes spanning seconds to minutes approximates 1/f), abdominal share
/// ≈ 55 % in REM vs ≈ 38 % in N3, slow per-body drifts so that stage distributions
/// overlap, sighs, and apneas (obstructive: paradoxical effort; central: none).
class BreathGenerator {
 public:
  /// `timeline` must outlive the generator.
  BreathGenerator(const BodyTimeline& timeline, RandomStream stream);
  /// The next breath (the first starts at or before t = 0).
  Breath Next();

 private:
  const BodyTimeline* tl_;
  RandomStream rng_;
  std::size_t state_index_{0};
  std::size_t apnea_index_{0};
  double t_s_{0};
  double ar_fast_{0}, ar_mid_{0}, ar_slow_{0}, ar_depth_{0};
  double drift_rate_{0}, drift_depth_{0};
  double extra_pause_s_{0};
  int recovery_breaths_{0};
};

/// BodyState of one body at non-decreasing times.
class BodySignal {
 public:
  /// `timeline` must outlive the signal. Uses the streams (seed, body id, "breathing")
  /// and (seed, body id, "heart").
  explicit BodySignal(const BodyTimeline& timeline);

  /// The state at `t_s` (seconds since night start). Throws std::invalid_argument
  /// when `t_s` is earlier than the previous query.
  const BodyState& At(double t_s);
  /// The breath in progress at the last query.
  const Breath& current_breath() const { return breath_; }
  /// Heart rate of the beat in progress at the last query, beats per minute.
  double heart_rate_bpm() const { return 60.0 / beat_period_s_; }

 private:
  void UpdatePlace(double t_s);

  const BodyTimeline* tl_;
  BreathGenerator breaths_;
  RandomStream heart_rng_;
  Breath breath_;
  double beat_t0_s_{0}, beat_period_s_{1};
  double beat_ar_{0};
  double last_t_s_{-1e300};
  std::size_t state_index_{0};
  std::size_t walk_index_{0};
  std::size_t movement_index_{0};
  BodyState state_;
};

}  // namespace nightsim::sleepers
