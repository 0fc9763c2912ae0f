// Tests of the night process: determinism, independence of bodies, restroom trips,
// alarms, scripts, pets, posture, age effects and apneas.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "sleepers/body_signal.h"
#include "sleepers/night.h"
#include "sleepers/sleep_measures.h"
#include "test_scenarios.h"

namespace nightsim::sleepers {
namespace {

using testing::CoupleWithCatScenario;
using testing::HealthyAdultScenario;

const BodyTimeline& Body(const Night& n, const std::string& id) {
  for (const auto& b : n.bodies) {
    if (b.spec.id == id) return b;
  }
  throw std::runtime_error("no body " + id);
}

// Samples a body's signal at 20 frames/s over [from, to) and returns every field.
std::vector<double> SampleSignal(const BodyTimeline& tl, double from_s, double to_s) {
  BodySignal signal(tl);
  std::vector<double> out;
  for (double t = from_s; t < to_s; t += 0.05) {
    const BodyState& s = signal.At(t);
    out.insert(out.end(), {s.chest_m, s.abdomen_m, s.heart_m, s.limb_m, s.motion, s.transition, s.torso_m.x(),
                           s.torso_m.y(), s.torso_m.z(), static_cast<double>(s.posture), s.in_bed ? 1.0 : 0.0});
  }
  return out;
}

bool SameTimeline(const BodyTimeline& a, const BodyTimeline& b) {
  if (a.states.size() != b.states.size() || a.movements.size() != b.movements.size() ||
      a.apneas.size() != b.apneas.size() || a.events.size() != b.events.size()) {
    return false;
  }
  for (std::size_t i = 0; i < a.states.size(); ++i) {
    const auto &x = a.states[i], &y = b.states[i];
    if (x.t_s != y.t_s || x.stage != y.stage || x.posture != y.posture || x.place != y.place || x.intent != y.intent) return false;
  }
  for (std::size_t i = 0; i < a.movements.size(); ++i) {
    if (a.movements[i].t0_s != b.movements[i].t0_s || a.movements[i].motion != b.movements[i].motion) return false;
  }
  for (std::size_t i = 0; i < a.apneas.size(); ++i) {
    if (a.apneas[i].t0_s != b.apneas[i].t0_s || a.apneas[i].duration_s != b.apneas[i].duration_s) return false;
  }
  for (std::size_t i = 0; i < a.events.size(); ++i) {
    if (a.events[i].t_s != b.events[i].t_s || a.events[i].kind != b.events[i].kind) return false;
  }
  return true;
}

TEST(Night, SameSeedGivesTheSameNight) {
  const Scenario s = CoupleWithCatScenario();
  const Night a = SimulateNight(s, 42), b = SimulateNight(s, 42), c = SimulateNight(s, 43);
  for (std::size_t i = 0; i < a.bodies.size(); ++i) EXPECT_TRUE(SameTimeline(a.bodies[i], b.bodies[i])) << i;
  EXPECT_EQ(a.people[0].StageCodes(), b.people[0].StageCodes());
  EXPECT_NE(a.people[0].StageCodes(), c.people[0].StageCodes());
  EXPECT_EQ(SampleSignal(a.bodies[0], 3 * 3600.0, 3 * 3600.0 + 600), SampleSignal(b.bodies[0], 3 * 3600.0, 3 * 3600.0 + 600));
}

TEST(Night, RemovingThePetOrThePartnerLeavesThePrimaryBitIdentical) {
  const Scenario full = CoupleWithCatScenario();
  Scenario no_pet = full;
  no_pet.pets.clear();
  Scenario alone = full;
  alone.pets.clear();
  alone.people.resize(1);
  Scenario pet_first = full;  // listing order does not matter either
  std::reverse(pet_first.people.begin(), pet_first.people.end());
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    const Night a = SimulateNight(full, seed), b = SimulateNight(no_pet, seed), c = SimulateNight(alone, seed),
                d = SimulateNight(pet_first, seed);
    const BodyTimeline& primary = Body(a, "alice");
    EXPECT_TRUE(SameTimeline(primary, Body(b, "alice")));
    EXPECT_TRUE(SameTimeline(primary, Body(c, "alice")));
    EXPECT_TRUE(SameTimeline(primary, Body(d, "alice")));
    EXPECT_TRUE(SameTimeline(Body(a, "bob"), Body(d, "bob")));
    EXPECT_EQ(a.people[0].StageCodes(), c.people[0].StageCodes());
    // Breathing, heart and movements over a whole night at 20 frames/s.
    EXPECT_EQ(SampleSignal(primary, 0, full.night.duration_s), SampleSignal(Body(c, "alice"), 0, full.night.duration_s));
  }
}

TEST(Night, ARestroomTripTakesThePersonOutOfBedAndTheTruthSaysSo) {
  Scenario s = HealthyAdultScenario();
  s.people[0].rates.restroom_per_night = 0.0;
  s.people[0].events.push_back({ScriptedEvent::Kind::kRestroom, 4 * 3600.0, 360.0});
  const Night night = SimulateNight(s, 7);
  const BodyTimeline& tl = night.bodies[0];
  const auto trip = std::find_if(tl.events.begin(), tl.events.end(),
                                 [](const TruthEvent& e) { return e.kind == EventKind::kRestroomTrip; });
  ASSERT_NE(trip, tl.events.end());
  EXPECT_GE(trip->t_s, 4 * 3600.0);
  EXPECT_LT(trip->t_s, 4 * 3600.0 + 150);
  EXPECT_GE(trip->duration_s, 360.0);  // away plus walking
  EXPECT_LT(trip->duration_s, 420.0);
  // Every epoch fully inside the trip is out of bed in the truth; the epoch before is in bed.
  const double epoch = night.epoch_s;
  int out_epochs = 0;
  for (const auto& e : night.people[0].epochs) {
    if (e.t_s >= trip->t_s + 10 && e.t_s + epoch <= trip->t_s + trip->duration_s - 10) {
      EXPECT_EQ(e.stage, kOutOfBed);
      EXPECT_FALSE(e.in_bed);
      EXPECT_FALSE(e.intent);
      ++out_epochs;
    }
  }
  EXPECT_GE(out_epochs, 10);
  const auto before = static_cast<std::size_t>(trip->t_s / epoch) - 1;
  EXPECT_TRUE(night.people[0].epochs[before].in_bed);
  // The body signal agrees: out of the room in the middle of the trip, back in bed after.
  BodySignal signal(tl);
  EXPECT_TRUE(signal.At(trip->t_s - 60).in_bed);
  const BodyState& away = signal.At(trip->t_s + trip->duration_s / 2);
  EXPECT_FALSE(away.in_room);
  EXPECT_FALSE(away.in_bed);
  EXPECT_TRUE(signal.At(trip->t_s + trip->duration_s + 10).in_bed);
  // And the person falls asleep again.
  const auto back = static_cast<std::size_t>((trip->t_s + trip->duration_s) / epoch);
  bool slept_again = false;
  for (std::size_t i = back; i < back + 120 && i < night.people[0].epochs.size(); ++i) slept_again |= night.people[0].epochs[i].stage > 0;
  EXPECT_TRUE(slept_again);
}

TEST(Night, TheAlarmInterruptsWhateverStage) {
  Scenario s = HealthyAdultScenario();
  s.people[0].wake_mode = "alarm";
  s.device.alarm_s = 8.0 * 3600.0 + 7;  // not on an epoch boundary
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    const Night night = SimulateNight(s, seed);
    const BodyTimeline& tl = night.bodies[0];
    const auto alarm = std::find_if(tl.events.begin(), tl.events.end(), [](const TruthEvent& e) { return e.kind == EventKind::kAlarm; });
    ASSERT_NE(alarm, tl.events.end());
    EXPECT_DOUBLE_EQ(alarm->t_s, *s.device.alarm_s);
    // Awake from the alarm on, out of bed a few minutes later.
    for (const auto& st : tl.states) {
      if (st.t_s >= alarm->t_s) {
        EXPECT_LE(st.stage, kWake);
      }
    }
    ASSERT_GT(tl.rise_s, alarm->t_s);
    EXPECT_LT(tl.rise_s, alarm->t_s + 3600);
  }
}

TEST(Night, TruthWindowAndEventsAreConsistent) {
  const Night night = SimulateNight(CoupleWithCatScenario(), 5);
  for (const auto& truth : night.people) {
    ASSERT_TRUE(truth.lights_out_epoch && truth.rise_epoch);
    for (std::size_t i = 0; i < truth.epochs.size(); ++i) {
      const auto& e = truth.epochs[i];
      EXPECT_EQ(e.in_bed, e.stage != kOutOfBed) << i;
      if (e.intent) {
        EXPECT_TRUE(e.in_bed);
      }
    }
  }
  EXPECT_TRUE(std::is_sorted(night.events.begin(), night.events.end(),
                             [](const TruthEvent& a, const TruthEvent& b) { return a.t_s < b.t_s; }));
  auto count = [&](EventKind k) { return std::count_if(night.events.begin(), night.events.end(), [&](const TruthEvent& e) { return e.kind == k; }); };
  EXPECT_EQ(count(EventKind::kBedtime), 2);
  EXPECT_EQ(count(EventKind::kLightsOut), 2);
  EXPECT_EQ(count(EventKind::kSleepOnset), 2);
  EXPECT_EQ(count(EventKind::kRise), 2);
  EXPECT_GE(count(EventKind::kPetOnBed), 1);
  EXPECT_GT(count(EventKind::kApnea), 20);  // bob, AHI 12
}

TEST(Night, APetCanBeOnTheBedWhileThePeopleAreAway) {
  Scenario s = HealthyAdultScenario();
  PetSpec dog;
  dog.id = "rex";
  dog.kind = "dog";
  dog.mass_kg = 20;
  dog.spot = "left";
  dog.visits = {{60.0, 900.0}};  // before anyone goes to bed
  s.pets.push_back(dog);
  s.people[0].bedtime_s = 3600;
  s.people[0].bedtime_sd_s = 0;
  const Night night = SimulateNight(s, 3);
  BodySignal pet(night.bodies[1]);
  EXPECT_TRUE(pet.At(500).in_bed);
  EXPECT_FALSE(night.people[0].epochs[500 / 30].in_bed);
  // Fast, shallow breathing.
  pet.At(600);
  EXPECT_GE(pet.current_breath().rate_bpm(), 14.0);
  EXPECT_LE(pet.current_breath().rate_bpm(), 45.0);
  EXPECT_LT(std::fabs(pet.current_breath().chest_pp_m) + std::fabs(pet.current_breath().abdomen_pp_m), 5e-3);
  EXPECT_FALSE(pet.At(1200).in_room);
}

TEST(Night, PostureOccupancyAndShiftRateMatchAdults) {
  const Scenario s = HealthyAdultScenario();
  std::array<double, 6> time_s{};
  double asleep_s = 0;
  int changes = 0;
  for (std::uint64_t seed = 1; seed <= 60; ++seed) {
    const Night night = SimulateNight(s, seed);
    const BodyTimeline& tl = night.bodies[0];
    for (std::size_t i = 0; i + 1 < tl.states.size(); ++i) {
      const auto& st = tl.states[i];
      if (st.place != Place::kInBed || st.stage < kN1) continue;
      const double dt = tl.states[i + 1].t_s - st.t_s;
      time_s[static_cast<std::size_t>(st.posture)] += dt;
      asleep_s += dt;
    }
    for (const auto& e : tl.events) changes += e.kind == EventKind::kTurnOver;
  }
  const double side = (time_s[1] + time_s[2]) / asleep_s, back = time_s[0] / asleep_s, front = time_s[3] / asleep_s;
  EXPECT_NEAR(side, 0.54, 0.06);
  EXPECT_NEAR(back, 0.38, 0.06);
  EXPECT_NEAR(front, 0.07, 0.03);
  const double per_hour_in_bed = changes / (asleep_s / 3600.0);
  EXPECT_GE(per_hour_in_bed, 2.0);
  EXPECT_LE(per_hour_in_bed, 4.0);
}

// Tests that the pre-sleep activity shows in the hands (phone scrolled more often than
// pages are turned, TV almost still, lying awake not at all) and stops at lights out.
TEST(Night, PreSleepActivityMovesTheHands) {
  std::map<std::string, double> fidgets_per_h;
  for (const std::string activity : {"phone", "reading", "tv", "lying"}) {
    Scenario s = HealthyAdultScenario();
    s.people[0].activity = activity;
    s.people[0].activity_s = 30 * 60.0;
    double presleep_s = 0;
    int fidgets = 0;
    for (std::uint64_t seed = 1; seed <= 40; ++seed) {
      const Night night = SimulateNight(s, seed);
      const BodyTimeline& tl = night.bodies[0];
      ASSERT_GT(tl.lights_out_s, 0.0);
      const auto in_bed = std::find_if(tl.states.begin(), tl.states.end(),
                                       [](const StatePoint& p) { return p.place == Place::kInBed; });
      ASSERT_NE(in_bed, tl.states.end());
      presleep_s += tl.lights_out_s - in_bed->t_s;
      for (const Movement& m : tl.movements) {
        if (m.kind != MovementKind::kFidget) continue;
        EXPECT_LT(m.t0_s, tl.lights_out_s) << activity << " seed " << seed;
        ++fidgets;
      }
    }
    fidgets_per_h[activity] = fidgets / (presleep_s / 3600.0);
  }
  std::printf("fidgets/h phone %.1f reading %.1f tv %.1f lying %.1f\n", fidgets_per_h["phone"],
              fidgets_per_h["reading"], fidgets_per_h["tv"], fidgets_per_h["lying"]);
  // Sitting adds the general fidgeting (40/h) to TV and reading; lying awake has none.
  EXPECT_GT(fidgets_per_h["phone"], 70.0);
  EXPECT_GT(fidgets_per_h["reading"], 60.0);
  EXPECT_GT(fidgets_per_h["phone"], fidgets_per_h["tv"] + 20.0);
  EXPECT_GT(fidgets_per_h["reading"], fidgets_per_h["tv"] + 10.0);
  EXPECT_EQ(fidgets_per_h["lying"], 0.0);
}

TEST(Night, AgeFragmentsSleepAndAddsRestroomTrips) {
  auto run = [](double age, const std::string& sex) {
    Scenario s = HealthyAdultScenario();
    s.people[0].age_y = age;
    s.people[0].sex = sex;
    std::vector<SleepMeasures> m;
    int nights_with_trip = 0;
    for (std::uint64_t seed = 1; seed <= 300; ++seed) {
      const Night n = SimulateNight(s, seed);
      m.push_back(ComputeSleepMeasures(n.people[0].StageCodes(), n.people[0].MeasureWindow(n.epoch_s)));
      nights_with_trip += std::any_of(n.bodies[0].events.begin(), n.bodies[0].events.end(),
                                      [](const TruthEvent& e) { return e.kind == EventKind::kRestroomTrip; });
    }
    return std::make_pair(AggregateMeasures(m), nights_with_trip / 300.0);
  };
  const auto [young, young_trips] = run(35, "male");
  const auto [old, old_trips] = run(65, "male");
  std::printf("per decade: WASO %+.2f TST %+.2f SE %+.2f N3 %+.2f; trips %.2f -> %.2f\n",
              (old.waso_min.mean - young.waso_min.mean) / 3, (old.tst_min.mean - young.tst_min.mean) / 3,
              (old.se_pct.mean - young.se_pct.mean) / 3, (old.n3_pct.mean - young.n3_pct.mean) / 3, young_trips, old_trips);
  // Per decade: WASO ≈ +10 min, TST −6…−10 min, SE −1.6…−2.1 %, N3 −1.9 % (men).
  EXPECT_NEAR((old.waso_min.mean - young.waso_min.mean) / 3, 10.0, 3.5);
  EXPECT_NEAR((old.tst_min.mean - young.tst_min.mean) / 3, -8.0, 3.0);
  EXPECT_NEAR((old.se_pct.mean - young.se_pct.mean) / 3, -1.85, 0.6);
  EXPECT_NEAR((old.n3_pct.mean - young.n3_pct.mean) / 3, -1.9, 0.7);
  // At least one trip a night in 57–85 % of adults, rising with age.
  EXPECT_GE(young_trips, 0.50);
  EXPECT_LE(old_trips, 0.90);
  EXPECT_GT(old_trips, young_trips + 0.08);
}

TEST(Night, ApneasFollowTheConfiguredAhi) {
  Scenario s = HealthyAdultScenario();
  s.people[0].ahi = 20;
  s.people[0].central_apnea_fraction = 0.3;
  double events = 0, central = 0, sleep_h = 0;
  for (std::uint64_t seed = 1; seed <= 30; ++seed) {
    const Night n = SimulateNight(s, seed);
    const SleepMeasures m = ComputeSleepMeasures(n.people[0].StageCodes(), n.people[0].MeasureWindow(n.epoch_s));
    sleep_h += m.tst_min / 60;
    for (const auto& a : n.bodies[0].apneas) {
      ++events;
      central += a.central;
      EXPECT_GE(a.duration_s, 10.0);
      EXPECT_LE(a.duration_s, 40.0);
    }
  }
  EXPECT_NEAR(events / sleep_h, 20.0, 5.0);
  EXPECT_NEAR(central / events, 0.3, 0.08);
}

TEST(Night, RejectsDuplicateIds) {
  Scenario s = CoupleWithCatScenario();
  s.pets[0].id = "alice";
  EXPECT_THROW(SimulateNight(s, 1), std::invalid_argument);
}

}  // namespace
}  // namespace nightsim::sleepers
