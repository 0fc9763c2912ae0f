#include "harness/truth.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

namespace nightsim::harness {

const char* BodyRoleName(BodyRole role) {
  switch (role) {
    case BodyRole::kPrimary: return "primary";
    case BodyRole::kPartner: return "partner";
    case BodyRole::kPet: return "pet";
  }
  return "unknown";
}

int NightTruth::PrimaryBodyIndex() const {
  for (std::size_t i = 0; i < bodies.size(); ++i) {
    if (bodies[i].role == BodyRole::kPrimary) return static_cast<int>(i);
  }
  return -1;
}

bool NightTruth::PersonInBed(std::int64_t e) const {
  for (const BodyTruth& body : bodies) {
    if (body.role == BodyRole::kPet) continue;
    if (body.epochs[static_cast<std::size_t>(e)].in_bed) return true;
  }
  return false;
}

std::vector<int> NightTruth::PrimaryStages() const {
  std::vector<int> stages;
  stages.reserve(primary.size());
  for (const PrimaryEpochTruth& row : primary) stages.push_back(row.stage);
  return stages;
}

bool NightTruth::IsValid(std::string* error) const {
  auto fail = [error](std::string message) {
    if (error != nullptr) *error = std::move(message);
    return false;
  };
  if (!(epoch_s > 0)) return fail(fmt::format("epoch_s: must be > 0, got {}", epoch_s));
  int primaries = 0;
  for (std::size_t b = 0; b < bodies.size(); ++b) {
    if (bodies[b].role == BodyRole::kPrimary) ++primaries;
    if (bodies[b].epochs.size() != primary.size()) {
      return fail(fmt::format("bodies[{}] ({}).epochs: {} rows, the primary table has {}", b,
                              bodies[b].id, bodies[b].epochs.size(), primary.size()));
    }
    for (std::size_t e = 0; e < primary.size(); ++e) {
      if (bodies[b].epochs[e].in_bed && !bodies[b].epochs[e].in_room) {
        return fail(fmt::format("bodies[{}] ({}).epochs[{}]: in_bed without in_room", b, bodies[b].id, e));
      }
    }
  }
  if (primaries > 1) return fail(fmt::format("bodies: at most one primary, found {}", primaries));
  // A night without a primary (an empty room, a pet alone) scores presence only.
  const BodyTruth* primary_body = primaries == 1 ? &bodies[static_cast<std::size_t>(PrimaryBodyIndex())] : nullptr;
  for (std::size_t e = 0; e < primary.size(); ++e) {
    const PrimaryEpochTruth& row = primary[e];
    if (primary_body == nullptr && row.in_bed) {
      return fail(fmt::format("primary[{}].in_bed: true, but no body has the primary role", e));
    }
    if (row.stage < kYasaOutOfBed || row.stage > kYasaRem) {
      return fail(fmt::format("primary[{}].stage: YASA code -1..4 expected, got {}", e, row.stage));
    }
    if ((row.stage != kYasaOutOfBed) != row.in_bed) {
      return fail(fmt::format("primary[{}]: stage {} disagrees with in_bed = {}", e, row.stage, row.in_bed));
    }
    if (primary_body != nullptr && primary_body->epochs[e].in_bed != row.in_bed) {
      return fail(fmt::format("primary[{}].in_bed disagrees with bodies ({}) in_bed", e, primary_body->id));
    }
  }
  for (std::size_t i = 0; i < events.restroom_trips.size(); ++i) {
    const RestroomTrip& trip = events.restroom_trips[i];
    if (!(trip.return_s >= trip.leave_s)) {
      return fail(fmt::format("events.restroom_trips[{}]: return_s {} before leave_s {}", i, trip.return_s,
                              trip.leave_s));
    }
    if (i > 0 && trip.leave_s < events.restroom_trips[i - 1].return_s) {
      return fail(fmt::format("events.restroom_trips[{}]: overlaps the previous trip", i));
    }
  }
  if (events.alarm && !(events.alarm->smart_window_s >= 0)) {
    return fail(fmt::format("events.alarm.smart_window_s: must be >= 0, got {}", events.alarm->smart_window_s));
  }
  return true;
}

void NightTruth::Validate() const {
  std::string error;
  if (!IsValid(&error)) throw std::invalid_argument("NightTruth: " + error);
}

double IdealAlarmS(std::span<const int> stages, double epoch_s, double alarm_s, double smart_window_s) {
  if (!(epoch_s > 0)) throw std::invalid_argument("IdealAlarmS: epoch_s must be > 0");
  if (!(smart_window_s >= 0)) throw std::invalid_argument("IdealAlarmS: smart_window_s must be >= 0");
  const double window_start_s = alarm_s - smart_window_s;
  // Scan backwards: the first light epoch met is the latest one.
  for (std::size_t i = stages.size(); i-- > 0;) {
    const double start_s = static_cast<double>(i) * epoch_s;
    const double end_s = start_s + epoch_s;
    if (start_s >= alarm_s) continue;
    if (end_s <= window_start_s) break;
    if (stages[i] == kYasaN1 || stages[i] == kYasaN2) return std::min(end_s, alarm_s);
  }
  return alarm_s;
}

}  // namespace nightsim::harness
