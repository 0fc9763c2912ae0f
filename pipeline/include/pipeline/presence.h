#pragma once
/// \file
/// Presence confidence and the sleep-session rule.

namespace nightsim::pipeline {

/// Settings of PresenceDetector.
struct PresenceConfig {
  double tau_s{8.0};                    ///< time constant of the confidence (EMA of the evidence)
  double on_threshold{0.5};             ///< confidence at which presence starts (data flows onward)
  double off_threshold{0.35};           ///< confidence below which presence ends (hysteresis)
  double session_start_s{300.0};        ///< a session starts after presence lasting longer than this
  double gap_tolerance_s{60.0};         ///< absences up to this long do not restart the presence run
  double session_end_absence_s{900.0};  ///< a session ends after absence lasting this long
};

/// The presence decision at one instant.
struct PresenceState {
  double confidence{0.0};  ///< 0..1: readings are reliable and someone is present
  bool present{false};
  bool session{false};     ///< a sleep session is running
};

/// Turns a per-update evidence value (0..1) into a confidence, a hysteretic
/// presence decision and the session state. Updates must come at increasing times.
class PresenceDetector {
 public:
  /// Throws std::invalid_argument when thresholds or durations are inconsistent.
  explicit PresenceDetector(PresenceConfig config);
  /// Folds in `evidence` (clamped to 0..1) observed at `time_s`.
  PresenceState Update(double time_s, double evidence);
  const PresenceState& state() const { return state_; }

 private:
  PresenceConfig config_;
  PresenceState state_;
  bool started_{false};
  double last_time_s_{0.0};
  double run_start_s_{0.0};    // start of the current presence run (gaps tolerated)
  double absent_since_s_{0.0};
  bool in_run_{false};
};

}  // namespace nightsim::pipeline
