#pragma once
/// \file
/// Smart alarm (docs/design.md §6.7): in the window [alarm − smart_window, alarm] the
/// stage is checked every few minutes; the alarm fires at a check that finds the
/// user in light sleep late enough in the window, and otherwise at the alarm time —
/// never later. A user found awake (or gone) in the window gets no early alarm.
///
/// "Late enough": waiting longer keeps more sleep, but a light-sleep bout may end
/// in REM or deep sleep that lasts through the alarm. The policy fires at the first
/// check in light sleep within `late_window_s` of the alarm, and earlier in the
/// window only when the light bout has already lasted `long_bout_s` (long bouts are
/// the ones about to end into the next REM period).

#include <cstdint>
#include <optional>

#include "frame/pipeline_api.h"

namespace nightsim::pipeline {

/// Settings of SmartAlarm.
struct SmartAlarmConfig {
  double check_interval_s{120.0};  ///< the stage is checked this often in the window
  double late_window_s{180.0};     ///< light sleep at a check this close to the alarm fires it
  double long_bout_s{1500.0};      ///< a light bout this long fires the alarm anywhere in the window
  int awake_epochs{2};             ///< this many latest epochs awake (or absent) = the user is awake
  /// Throws std::invalid_argument naming the first bad field.
  void Validate() const;
};

/// The smart-alarm decision from the stream of decided stages.
class SmartAlarm {
 public:
  /// `alarm_s`: alarm time (seconds since night start), nullopt for no alarm;
  /// `window_s` >= 0: the smart window before it.
  SmartAlarm(SmartAlarmConfig config, std::optional<double> alarm_s, double window_s);
  /// The decided stage of the next epoch (in order), ending at `end_s`.
  /// kNone = not scored (user absent).
  void OnStage(std::int64_t epoch, double end_s, EstStage stage);
  /// Called with the current time (every frame, increasing). Returns the decision
  /// when the alarm fires now; at most once per night; never later than the alarm.
  std::optional<AlarmDecision> OnTime(double now_s);
  /// true once the alarm has fired.
  bool fired() const { return fired_; }

 private:
  SmartAlarmConfig config_;
  std::optional<double> alarm_s_;
  double window_s_;
  bool fired_{false};
  double next_check_s_{0.0};
  EstStage latest_{EstStage::kNone};
  int awake_run_{0};           // latest consecutive epochs awake or absent
  double light_since_s_{-1.0};  // start of the current light bout (decided stages)
};

}  // namespace nightsim::pipeline
