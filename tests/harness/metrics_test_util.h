#pragma once
// Hand-built truth/estimate pairs for the scoring tests: a night is written as a
// string of per-epoch YASA stages, the estimate starts as a copy of the truth
// with everything upstream right, and each test breaks exactly what it checks.

#include <cmath>
#include <limits>
#include <string_view>
#include <vector>

#include "frame/pipeline_api.h"
#include "harness/metrics.h"
#include "harness/truth.h"

namespace nightsim::harness::testing {

inline constexpr double kPrimaryRangeM = 0.8;
inline constexpr double kPrimaryAzimuthRad = 0.2;
inline constexpr double kTruthRateBpm = 15.0;

/// YASA code of a hypnogram character: '-' out of bed, 'W', '1', '2', '3', 'R'.
inline int YasaOf(char c) {
  switch (c) {
    case '-': return kYasaOutOfBed;
    case 'W': return kYasaWake;
    case '1': return kYasaN1;
    case '2': return kYasaN2;
    case '3': return kYasaN3;
    case 'R': return kYasaRem;
  }
  return 99;  // makes the truth invalid: a typo in a test fails loudly
}

/// 4-class stage of an estimate character: 'W', 'L', 'D', 'R', '-' (unscored).
inline EstStage EstOf(char c) {
  switch (c) {
    case 'W': return EstStage::kWake;
    case 'L': return EstStage::kLight;
    case 'D': return EstStage::kDeep;
    case 'R': return EstStage::kRem;
  }
  return EstStage::kNone;
}

/// A night of the primary only ("alice", always in the room, in bed and in view
/// whenever the hypnogram is not '-', intent whenever in bed, 15 breaths/min).
inline NightTruth MakeNight(std::string_view hypnogram, double epoch_s = 30.0) {
  NightTruth t;
  t.epoch_s = epoch_s;
  BodyTruth alice{"alice", BodyRole::kPrimary, {}};
  for (char c : hypnogram) {
    PrimaryEpochTruth p;
    p.stage = YasaOf(c);
    p.in_bed = p.stage != kYasaOutOfBed;
    p.in_zone = p.in_bed;
    p.intent = p.in_bed;
    p.resp_rate_bpm = p.in_bed ? kTruthRateBpm : std::numeric_limits<double>::quiet_NaN();
    t.primary.push_back(p);
    alice.epochs.push_back(BodyEpochTruth{true, p.in_bed, kPrimaryRangeM, kPrimaryAzimuthRad});
  }
  t.bodies.push_back(alice);
  return t;
}

/// Adds a body that is in the room throughout and in bed where `in_bed` has 'x'.
inline void AddBody(NightTruth* t, const char* id, BodyRole role, double range_m, double azimuth_rad,
                    std::string_view in_bed) {
  BodyTruth body{id, role, {}};
  for (char c : in_bed) body.epochs.push_back(BodyEpochTruth{true, c == 'x', range_m, azimuth_rad});
  t->bodies.push_back(body);
}

/// Points the tracked target of epoch estimate `x` at a body's truth position.
inline void TrackBody(const NightTruth& t, int body, std::int64_t e, EpochEstimate* x) {
  const BodyEpochTruth& b = t.bodies[static_cast<std::size_t>(body)].epochs[static_cast<std::size_t>(e)];
  x->tracking = true;
  x->target_range_m = b.range_m;
  x->target_angle_rad = b.azimuth_rad;
}

/// An estimate right in everything upstream of staging: present when a person is
/// in bed, session likewise, tracking the primary while in bed with its exact
/// rate and intent; stages from `stages` ('W', 'L', 'D', 'R', '-').
inline std::vector<EpochEstimate> PerfectUpstream(const NightTruth& t, std::string_view stages) {
  std::vector<EpochEstimate> out;
  for (std::int64_t e = 0; e < t.epochs(); ++e) {
    const PrimaryEpochTruth& p = t.primary[static_cast<std::size_t>(e)];
    EpochEstimate x;
    x.epoch = e;
    x.present = t.PersonInBed(e);
    x.presence_confidence = x.present ? 1.0 : 0.0;
    x.session = x.present;
    if (p.in_bed) {
      TrackBody(t, t.PrimaryBodyIndex(), e, &x);
      x.resp_rate_bpm = p.resp_rate_bpm;
    }
    x.intent = p.intent;
    x.stage = static_cast<std::size_t>(e) < stages.size() ? EstOf(stages[static_cast<std::size_t>(e)])
                                                          : EstStage::kNone;
    out.push_back(x);
  }
  return out;
}

/// The estimate's stages copied from the truth (4-class), '-' where out of bed.
inline std::string EstStagesOf(std::string_view hypnogram) {
  std::string out;
  for (char c : hypnogram) {
    switch (c) {
      case 'W': out += 'W'; break;
      case '1':
      case '2': out += 'L'; break;
      case '3': out += 'D'; break;
      case 'R': out += 'R'; break;
      default: out += '-';
    }
  }
  return out;
}

}  // namespace nightsim::harness::testing
