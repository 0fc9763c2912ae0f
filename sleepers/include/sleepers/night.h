#pragma once
/// \file
/// One night of every body in a scenario, simulated as DES processes (people,
/// their alarms, restroom urges, scripts, movements and apneas; pets and their
/// visits), and the truth derived from it.
///
///   const sleepers::Night night = sleepers::SimulateNight(scenario, seed);
///   for (const auto& person : night.people) { ... person.epochs ... }
///   sleepers::BodySignal signal(night.bodies[0]);
///   for (Tick t = 0; t < end; t += 50) { const BodyState& s = signal.At(TicksToSeconds(t)); ... }
///
/// Every draw of a body comes from streams keyed by its own id, and bodies never
/// influence each other, so removing a partner or a pet leaves every other body's
/// timeline and signals bit-identical (docs/design.md §9).

#include <Eigen/Core>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/scenario.h"
#include "sleepers/sleep_measures.h"
#include "sleepers/timeline.h"

namespace nightsim::sleepers {

/// Truth of one person for one scoring epoch.
struct PersonEpochTruth {
  double t_s{0};        ///< epoch start, seconds since night start
  int stage{-1};        ///< 0 W, 1 N1, 2 N2, 3 N3, 4 REM, -1 out of bed (majority of the epoch)
  bool intent{false};   ///< trying to sleep for most of the epoch
  bool in_bed{false};   ///< in bed for most of the epoch
  bool in_zone{false};  ///< in the radar's detection zone for most of the epoch
};

/// Per-epoch truth of one person.
struct PersonTruth {
  std::string id;
  std::vector<PersonEpochTruth> epochs;
  std::optional<std::size_t> lights_out_epoch;  ///< epoch containing lights out
  std::optional<std::size_t> rise_epoch;        ///< one past the last in-bed epoch of the night
  /// The stage codes, one per epoch.
  std::vector<int> StageCodes() const;
  /// The analysis window (lights out … rise) for ComputeSleepMeasures.
  MeasureOptions MeasureWindow(double epoch_s) const;
};

/// What to build besides the timelines.
struct NightOptions {
  bool epoch_truth{true};  ///< per-epoch truth of every person (cheap; off only for pure timeline benchmarks)
};

/// The simulated night.
struct Night {
  std::uint64_t seed{0};
  double duration_s{0};
  double epoch_s{30};
  std::vector<BodyTimeline> bodies;   ///< people in scenario order, then pets in scenario order
  std::vector<PersonTruth> people;    ///< scenario order
  std::vector<TruthEvent> events;     ///< every body's events, by time, then body order
};

/// Simulates the night of `scenario` with run seed `seed`. Throws std::invalid_argument
/// for duplicate or empty body ids, or a night shorter than one epoch.
Night SimulateNight(const Scenario& scenario, std::uint64_t seed, const NightOptions& options = {});

/// Whether a point is inside the radar's detection zone: in front of the device,
/// within half the azimuth field of view of its boresight and within the
/// unambiguous range of its chirp (c / 2B · samples / 2).
bool InRadarZone(const DeviceSpec& device, const Eigen::Vector3d& point_m);

/// Per-epoch truth of a person's timeline.
PersonTruth BuildPersonTruth(const BodyTimeline& body, const Scenario& scenario);

}  // namespace nightsim::sleepers
