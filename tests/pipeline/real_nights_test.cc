// Integration tests of TrackingPipeline on short nights simulated end to end:
// sleepers → physics (FMCW frames of extended bodies, clutter, multipath, noise) →
// pipeline → scorer. They check what the unit tests on synthetic frames cannot:
// that the calibration (phase convention, reflectivities, gates) fits the physics.
// About 15 s of CPU in all.
#include <gtest/gtest.h>

#include <string>

#include "real_nights.h"

namespace nightsim::pipeline {
namespace {

using testing::Metric;
using testing::RunRealNight;

std::string Table(const harness::NightRun& run) {
  std::string s;
  for (const EpochEstimate& e : run.estimates) {
    const auto i = static_cast<std::size_t>(e.epoch);
    const int body = i < run.metrics.tracked_body.size() ? run.metrics.tracked_body[i] : -9;
    s += std::to_string(e.epoch) + " pres=" + std::to_string(e.present) + " sess=" + std::to_string(e.session) +
         " trk=" + std::to_string(e.tracking) + " r=" + std::to_string(e.target_range_m) +
         " az=" + std::to_string(e.target_angle_rad) + " bpm=" + std::to_string(e.resp_rate_bpm) +
         " body=" + std::to_string(body) + "\n";
  }
  return s;
}

// A couple; the primary (left, next to the radar) makes a 4-minute restroom trip
// while the partner sleeps on. The primary is tracked, the partner never reported,
// the trip detected and the primary re-acquired on return.
constexpr char kCoupleWithRestroomTrip[] = R"(
extends: base_bedroom.yaml
name: test_couple_restroom
night: {start: "23:00", end: "00:40"}
device: {bed_side: left}
people:
  - id: alex
    role: primary
    side: left
    schedule: {bedtime: "23:02", bedtime_sd_min: 0, activity: phone, activity_min: 5,
               wake_mode: natural, wake: "00:36", wake_sd_min: 0}
    events:
      - {kind: restroom, at: "23:50", duration_min: 4}
    rates: {restroom_per_night: 0}
  - id: sam
    role: partner
    side: right
    sex: male
    height_m: 1.82
    mass_kg: 82
    schedule: {bedtime: "23:01", bedtime_sd_min: 0, activity: phone, activity_min: 3,
               wake_mode: natural, wake: "00:38", wake_sd_min: 0}
    rates: {restroom_per_night: 0}
)";

TEST(RealNightsTest, CoupleWithRestroomTripTracksOnlyThePrimary) {
  for (std::uint64_t seed : {1u, 2u}) {
    const harness::NightRun run = RunRealNight(kCoupleWithRestroomTrip, seed);
    SCOPED_TRACE("seed " + std::to_string(seed) + "\n" + Table(run));
    EXPECT_GE(Metric(run, "identity.primary_fraction"), 0.96);
    EXPECT_EQ(Metric(run, "identity.partner_min"), 0.0);
    EXPECT_EQ(Metric(run, "identity.trips"), 1.0);
    EXPECT_EQ(Metric(run, "identity.trips_detected"), 1.0);
    EXPECT_LE(Metric(run, "identity.reacquire_max_min"), 2.0);
    EXPECT_GE(Metric(run, "presence.f1"), 0.97);
    EXPECT_LE(Metric(run, "resp.rate_median_ae_bpm"), 0.5);
    EXPECT_GE(Metric(run, "resp.coverage"), 0.9);
  }
}

// The radar on a dresser near the foot of the bed, 2.2 m from the torso of a lone
// sleeper (scenarios/stress/device_too_far.yaml): beyond the near acquisition zone,
// she is tracked by the lone-far-sleeper rule. With a partner in bed too (right side,
// in view) nobody is tracked — never the partner.
constexpr char kFarDevice[] = R"(
extends: base_bedroom.yaml
name: test_far_device
night: {start: "23:00", end: "00:10"}
room:
  furniture:
    - {name: dresser, x_m: 0.25, y_m: 2.4, size_x_m: 0.4, size_y_m: 0.8, height_m: 0.7, rcs_dbsm: 0}
device: {x_m: 0.25, y_m: 2.4, z_m: 0.75, yaw_deg: -52, bed_side: left}
people:
  - id: alex
    role: primary
    side: left
    schedule: {bedtime: "23:02", bedtime_sd_min: 0, activity: phone, activity_min: 5,
               wake_mode: natural, wake: "00:06", wake_sd_min: 0}
    rates: {restroom_per_night: 0})";

// The same night with a partner on the right side of the bed.
const std::string kFarDeviceWithPartner = std::string(kFarDevice) + R"(
  - id: sam
    role: partner
    side: right
    sex: male
    height_m: 1.82
    mass_kg: 82
    schedule: {bedtime: "23:01", bedtime_sd_min: 0, activity: phone, activity_min: 3,
               wake_mode: natural, wake: "00:08", wake_sd_min: 0}
    rates: {restroom_per_night: 0}
)";

TEST(RealNightsTest, ALoneSleeperFarFromTheDeviceIsTrackedNeverAPartner) {
  const harness::NightRun alone = RunRealNight(kFarDevice, 1);
  {
    SCOPED_TRACE("alone\n" + Table(alone));
    EXPECT_GE(Metric(alone, "identity.primary_fraction"), 0.9);
    EXPECT_GE(Metric(alone, "presence.f1"), 0.95);
    EXPECT_LE(Metric(alone, "resp.rate_median_ae_bpm"), 0.5);
  }
  const harness::NightRun couple = RunRealNight(kFarDeviceWithPartner, 1);
  SCOPED_TRACE("couple\n" + Table(couple));
  EXPECT_EQ(Metric(couple, "identity.partner_min"), 0.0);
  EXPECT_EQ(Metric(couple, "identity.pet_min"), 0.0);
}

// The partner alone in bed for 40 min before the primary comes (radar on the
// primary's nightstand): the partner is never tracked, far rule or not; the primary
// is, once in bed.
constexpr char kPartnerAloneFirst[] = R"(
extends: base_bedroom.yaml
name: test_partner_alone_first
night: {start: "23:00", end: "00:40"}
device: {bed_side: left}
people:
  - id: alex
    role: primary
    side: left
    schedule: {bedtime: "23:45", bedtime_sd_min: 0, activity: phone, activity_min: 3,
               wake_mode: natural, wake: "00:36", wake_sd_min: 0}
    rates: {restroom_per_night: 0}
  - id: sam
    role: partner
    side: right
    sex: male
    height_m: 1.82
    mass_kg: 82
    schedule: {bedtime: "23:01", bedtime_sd_min: 0, activity: phone, activity_min: 3,
               wake_mode: natural, wake: "00:38", wake_sd_min: 0}
    rates: {restroom_per_night: 0}
)";

TEST(RealNightsTest, APartnerAloneInBedIsNeverTracked) {
  for (std::uint64_t seed : {1u, 2u}) {
    const harness::NightRun run = RunRealNight(kPartnerAloneFirst, seed);
    SCOPED_TRACE("seed " + std::to_string(seed) + "\n" + Table(run));
    EXPECT_EQ(Metric(run, "identity.partner_min"), 0.0);
    EXPECT_GE(Metric(run, "identity.primary_fraction"), 0.95);
  }
}

// The mirror image: radar on the right nightstand, the primary on the right, a cat
// at the foot of the bed. Azimuths and the foot/headboard sides flip.
constexpr char kMirroredWithCatAtFeet[] = R"(
extends: base_bedroom.yaml
name: test_mirrored_cat
night: {start: "23:00", end: "00:10"}
device: {x_m: 3.1, y_m: 0.3, z_m: 0.62, yaw_deg: 165, bed_side: right}
people:
  - id: robin
    role: primary
    side: right
    sex: male
    height_m: 1.86
    mass_kg: 90
    schedule: {bedtime: "23:02", bedtime_sd_min: 0, activity: reading, activity_min: 5,
               wake_mode: natural, wake: "00:08", wake_sd_min: 0}
    rates: {restroom_per_night: 0}
pets:
  - id: milo
    kind: cat
    spot: foot
    visits:
      - {from: "23:10", to: "00:05"}
)";

TEST(RealNightsTest, MirroredGeometryTracksThePrimaryNotTheCat) {
  const harness::NightRun run = RunRealNight(kMirroredWithCatAtFeet, 1);
  SCOPED_TRACE(Table(run));
  EXPECT_GE(Metric(run, "identity.primary_fraction"), 0.95);
  EXPECT_EQ(Metric(run, "identity.pet_min"), 0.0);
  EXPECT_LE(Metric(run, "resp.rate_median_ae_bpm"), 0.5);
}

// Nobody in bed: an empty room with a fan inside the detection zone, and a cat alone
// on the primary's side of the bed. Neither is a person: no presence, no session,
// nothing tracked.
constexpr char kEmptyRoomWithFan[] = R"(
extends: base_bedroom.yaml
name: test_empty_fan
night: {start: "23:00", end: "23:50"}
room:
  clutter:
    - {name: fan, kind: fan, x_m: 1.5, y_m: 1.3, z_m: 0.9, rate_hz: 15}
)";

constexpr char kCatAlone[] = R"(
extends: base_bedroom.yaml
name: test_cat_alone
night: {start: "23:00", end: "23:50"}
pets:
  - id: milo
    kind: cat
    spot: left
    visits:
      - {from: "23:00", to: "23:50"}
)";

TEST(RealNightsTest, EmptyRoomFanAndPetAloneStartNoSession) {
  for (const char* yaml : {kEmptyRoomWithFan, kCatAlone}) {
    const harness::NightRun run = RunRealNight(yaml, 1);
    SCOPED_TRACE(run.scenario.name + "\n" + Table(run));
    ASSERT_FALSE(run.estimates.empty());
    for (const EpochEstimate& e : run.estimates) {
      EXPECT_FALSE(e.present) << e.epoch;
      EXPECT_FALSE(e.session) << e.epoch;
      EXPECT_FALSE(e.tracking) << e.epoch;
      EXPECT_EQ(e.resp_rate_bpm, 0.0) << e.epoch;
    }
  }
}

}  // namespace
}  // namespace nightsim::pipeline
