#pragma once
/// \file
/// The ground truth of one night as the scorer needs it (docs/design.md §7): plain
/// per-epoch tables plus a few event times. The harness fills it from the sleepers
/// model and the physics geometry; the scorer (harness/metrics.h) is the only code
/// that puts it next to the pipeline's estimates.
///
/// Time is seconds since the start of the night (t = 0 at the night's start clock
/// time); epoch e covers [e · epoch_s, (e + 1) · epoch_s).

#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace nightsim::harness {

/// YASA / AASM stage codes used by the truth tables (docs/design.md §4).
inline constexpr int kYasaOutOfBed = -1;  ///< the person is not in bed
inline constexpr int kYasaWake = 0;       ///< W
inline constexpr int kYasaN1 = 1;         ///< N1
inline constexpr int kYasaN2 = 2;         ///< N2
inline constexpr int kYasaN3 = 3;         ///< N3
inline constexpr int kYasaRem = 4;        ///< REM

/// What a body is to the device owner.
enum class BodyRole { kPrimary, kPartner, kPet };

/// "primary", "partner" or "pet".
const char* BodyRoleName(BodyRole role);

/// The primary person in one epoch (the person the device is set up for).
struct PrimaryEpochTruth {
  int stage{kYasaOutOfBed};  ///< YASA code, −1 when out of bed; the stage held for most of the epoch
  bool in_bed{false};        ///< in bed for most of the epoch; must equal (stage != −1)
  bool in_zone{false};       ///< inside the radar's field of view for most of the epoch
  bool intent{false};        ///< trying to sleep (after lights out, before the final awakening)
  /// Mean breathing rate over the epoch, breaths/min; NaN when not defined
  /// (out of bed, apnea covering the epoch …).
  double resp_rate_bpm{std::numeric_limits<double>::quiet_NaN()};
  bool gross_movement{false};  ///< a turn-over, sitting up or walking in this epoch
};

/// Any body (primary, partner, pet) in one epoch, seen from the device.
struct BodyEpochTruth {
  bool in_room{false};    ///< anywhere in the bedroom (false: bathroom, elsewhere)
  bool in_bed{false};     ///< on the bed; implies in_room
  double range_m{0};      ///< distance device → torso centre, epoch mean
  double azimuth_rad{0};  ///< azimuth of the torso in the device frame, same convention
                          ///< as EpochEstimate::target_angle_rad
};

/// One body's per-epoch table.
struct BodyTruth {
  std::string id;                      ///< stable id from the scenario
  BodyRole role{BodyRole::kPartner};
  std::vector<BodyEpochTruth> epochs;  ///< one row per epoch of the night
};

/// A restroom trip of the primary: leaves the bed, later returns to it.
struct RestroomTrip {
  double leave_s{0};   ///< gets out of bed
  double return_s{0};  ///< back in bed; >= leave_s
};

/// The smart alarm as configured, with the best moment the truth allows.
struct AlarmTruth {
  double alarm_s{0};            ///< configured alarm time
  double smart_window_s{1800};  ///< the window [alarm_s − smart_window_s, alarm_s]
  double ideal_s{0};            ///< ideal fire time; see IdealAlarmS()
};

/// Events of the primary's night.
///
/// sleep_onset_s and final_awakening_s are carried for reports and output files;
/// the scorer derives sleep onset and the last sleep epoch from `primary` so that
/// truth and pipeline go through one definition (ComputeSleepMeasures).
struct TruthEvents {
  /// Intent to sleep starts (lights out): the start of the sleep-measure window
  /// and the reference of SOL and of the intent-start error. nullopt: the first
  /// epoch with `intent` is used.
  std::optional<double> lights_out_s;
  std::optional<double> sleep_onset_s;      ///< start of the first sleep epoch
  std::optional<double> final_awakening_s;  ///< end of the last sleep epoch
  std::vector<RestroomTrip> restroom_trips; ///< in time order
  std::optional<AlarmTruth> alarm;          ///< nullopt: no alarm configured
};

/// The truth of one night.
///
/// Invariants (checked by Validate()): every table has the same number of rows;
/// at most one body has the role kPrimary and its in_bed column equals
/// `primary[e].in_bed` (with none — an empty room, a pet alone — the primary table
/// is all out of bed and only presence is scored); stage is −1 exactly when out of bed; in_bed implies in_room.
struct NightTruth {
  double epoch_s{30.0};                   ///< epoch length
  std::vector<PrimaryEpochTruth> primary; ///< one row per epoch
  std::vector<BodyTruth> bodies;          ///< every body, the primary included
  TruthEvents events;

  /// Number of epochs of the night.
  std::int64_t epochs() const { return static_cast<std::int64_t>(primary.size()); }
  /// Index of the primary in `bodies`, or −1 when there is none.
  int PrimaryBodyIndex() const;
  /// Session truth: a person (primary or partner, not a pet) is in bed in epoch e.
  bool PersonInBed(std::int64_t e) const;
  /// The primary's YASA stage column (for IdealAlarmS and hypnogram files).
  std::vector<int> PrimaryStages() const;
  /// Checks the invariants above; false with a message naming the field otherwise.
  bool IsValid(std::string* error) const;
  /// Throws std::invalid_argument with IsValid()'s message when invalid.
  void Validate() const;
};

/// The ideal smart-alarm moment, seconds since night start: the end of the last
/// N1/N2 epoch that overlaps the window [alarm_s − smart_window_s, alarm_s],
/// capped at alarm_s — the latest moment that is still light sleep; alarm_s when
/// no light-sleep epoch overlaps the window. `stages` are YASA codes per epoch.
/// Throws std::invalid_argument unless epoch_s > 0 and smart_window_s >= 0.
double IdealAlarmS(std::span<const int> stages, double epoch_s, double alarm_s,
                   double smart_window_s);

}  // namespace nightsim::harness
