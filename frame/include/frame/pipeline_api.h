#pragma once
/// \file
/// The interface between nightsim and a pipeline under test. A pipeline receives
/// the sensor's own configuration, the user's app settings and radar frames — and
/// nothing else. It returns one estimate per 30-s epoch and alarm decisions.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "frame/radar_frame.h"

namespace nightsim {

/// Which side of the bed the user configured in the app, seen lying in bed.
enum class BedSide { kLeft, kRight };

/// What a user configures in the companion app.
struct AppSettings {
  BedSide bed_side{BedSide::kLeft};
  std::optional<double> alarm_s;   ///< alarm time, seconds since night start
  double smart_window_s{1800.0};   ///< smart-alarm window before the alarm
  double epoch_s{30.0};            ///< epoch length
  double night_start_clock_s{0.0}; ///< clock time of t = 0, seconds after midnight
};

/// Pipeline sleep stage (4 classes), or nothing scored for this epoch.
enum class EstStage : int { kNone = -1, kWake = 0, kLight = 1, kDeep = 2, kRem = 3 };

/// The pipeline's output for one epoch of the night.
struct EpochEstimate {
  std::int64_t epoch{0};         ///< epoch index from the start of the night
  bool present{false};           ///< someone is present with reliable readings
  double presence_confidence{0}; ///< 0..1
  bool session{false};           ///< a sleep session is running
  bool tracking{false};          ///< the primary user is being tracked
  double target_range_m{0};      ///< range of the tracked target (0 when none)
  double target_angle_rad{0};    ///< azimuth of the tracked target
  double resp_rate_bpm{0};       ///< breathing rate; 0 when not measured
  double movement{0};            ///< movement index, 0..1
  bool intent{false};            ///< user is trying to sleep
  EstStage stage{EstStage::kNone};
};

/// A decision of the smart alarm.
struct AlarmDecision {
  double fire_s{0};      ///< when the alarm fired, seconds since night start
  EstStage stage_at_fire{EstStage::kNone};
};

/// Any pipeline that nightsim can score in-process.
class Pipeline {
 public:
  virtual ~Pipeline() = default;
  /// Called once before the first frame.
  virtual void Start(const RadarInfo& radar, const AppSettings& settings) = 0;
  /// Frames arrive in order. May append finalized epoch estimates to `out`.
  virtual void OnFrame(const RadarFrame& frame, std::vector<EpochEstimate>* out,
                       std::vector<AlarmDecision>* alarms) = 0;
  /// End of data: flush every remaining epoch estimate.
  virtual void Finish(std::vector<EpochEstimate>* out, std::vector<AlarmDecision>* alarms) = 0;
  /// Bounded latency, seconds: an epoch's estimate never depends on data later than
  /// epoch end + this.
  virtual double LatencyS() const = 0;
};

}  // namespace nightsim
