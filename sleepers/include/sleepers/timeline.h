#pragma once
/// \file
/// The discrete timeline of one body over a night, as produced by the DES run
/// (sleepers/night.h): piecewise-constant states, walks, gross movements and
/// apneas, plus the timed truth events. Times are seconds since night start.
/// BodySignal (sleepers/body_signal.h) turns a timeline into continuous BodyState.

#include <Eigen/Core>
#include <cstdint>
#include <string>
#include <vector>

#include "core/body_state.h"
#include "sleepers/physiology.h"

namespace nightsim::sleepers {

/// Where a body is.
enum class Place {
  kAway,     ///< out of the room (before bedtime, bathroom, after rising; a pet elsewhere)
  kWalking,  ///< moving in the room along a Walk
  kInBed,    ///< on the bed, at its spot
};

/// What a person is doing while awake in bed (drives posture and fidgeting).
enum class Activity { kNone, kReading, kTv, kPhone, kLying };

/// The state in force from `t_s` until the next StatePoint.
struct StatePoint {
  double t_s{0};
  Place place{Place::kAway};
  Posture posture{Posture::kStanding};
  int stage{-1};           ///< 0 W, 1 N1, 2 N2, 3 N3, 4 REM, -1 out of bed (pets: 0 awake, 2 asleep)
  bool intent{false};      ///< trying to sleep (lights out … final awakening)
  Activity activity{Activity::kNone};
};

/// A straight walk across the room.
struct Walk {
  double t0_s{0}, t1_s{0};
  Eigen::Vector2d from_m{0, 0}, to_m{0, 0};  ///< floor positions (x, y)
};

/// Kinds of gross and small movements.
enum class MovementKind {
  kTurnOver,   ///< posture change (or a shift in place); animates BodyState::transition
  kLimb,       ///< limb movement or in-place adjustment
  kTwitch,     ///< brief REM twitch
  kFidget,     ///< hand/arm activity while reading, watching or on the phone
  kGetUpDown,  ///< getting into or out of bed
};

/// One movement: motion envelope from t0_s over duration_s.
struct Movement {
  double t0_s{0};
  double duration_s{0};
  MovementKind kind{MovementKind::kLimb};
  double motion{0};       ///< peak BodyState::motion, 0..1
  double limb_m{0};       ///< peak limb displacement, metres
  Posture from{Posture::kBack};  ///< for kTurnOver: posture left
  Posture to{Posture::kBack};    ///< for kTurnOver: posture reached
};

/// A breathing event of sleep apnea.
struct Apnea {
  double t0_s{0};
  double duration_s{0};
  bool central{false};  ///< central: effort stops; obstructive: effort continues against a closed airway
};

/// Kinds of truth events.
enum class EventKind {
  kBedtime, kLightsOut, kSleepOnset, kStageChange, kAwakening, kTurnOver, kRestroomTrip, kReturnToBed,
  kApnea, kPetOnBed, kPetOffBed, kAlarm, kFinalAwakening, kRise, kScripted,
};

/// Stable lower-case name of an event kind ("restroom_trip").
const char* ToString(EventKind kind);

/// A timed truth event of one body.
struct TruthEvent {
  double t_s{0};
  std::string body_id;
  EventKind kind{EventKind::kStageChange};
  double duration_s{0};  ///< for events with an extent (awakening, restroom trip, apnea, pet visit)
  int value{0};          ///< stage for kStageChange; 1 = central for kApnea
  std::string detail;    ///< free text (e.g. the scripted event kind, the cause of an awakening)
};

/// Everything the DES decided about one body.
struct BodyTimeline {
  BodySpec spec;
  bool is_person{true};
  Physiology physiology;                 ///< resolved parameters of the body
  std::uint64_t seed{0};                 ///< run seed (BodySignal derives its streams from it)
  std::vector<StatePoint> states;        ///< sorted by t_s; states[0].t_s == 0
  std::vector<Walk> walks;               ///< sorted, non-overlapping
  std::vector<Movement> movements;       ///< sorted by t0_s
  std::vector<Apnea> apneas;             ///< sorted, non-overlapping
  std::vector<TruthEvent> events;        ///< sorted by t_s
  Eigen::Vector3d bed_torso_m{0, 0, 0};  ///< torso centre lying at the body's spot
  double heading_in_bed_rad{0};          ///< torso → head direction lying in bed
  double lights_out_s{-1};               ///< −1 when never
  double rise_s{-1};                     ///< final out-of-bed moment; −1 when never
};

}  // namespace nightsim::sleepers
