#pragma once
// Scenarios built in C++ for the sleepers tests (the YAML loader lives in harness/).

#include <string>

#include "core/scenario.h"

namespace nightsim::sleepers::testing {

// A healthy 35-year-old alone in a standard bedroom: in bed around 22:30, a quarter
// of an hour on the phone, natural wake around 06:57, up a few minutes later.
inline Scenario HealthyAdultScenario() {
  Scenario s;
  s.name = "healthy-35";
  s.night.start_clock_s = 22 * 3600.0;
  s.night.duration_s = 10.5 * 3600.0;
  PersonSpec p;
  p.id = "alice";
  p.role = "primary";
  p.side = "left";
  p.age_y = 35;
  p.sex = "female";
  p.bedtime_s = 30 * 60.0;
  p.bedtime_sd_s = 25 * 60.0;
  p.activity = "phone";
  p.activity_s = 15 * 60.0;
  p.wake_mode = "natural";
  p.wake_s = 8.82 * 3600.0;
  p.wake_sd_s = 45 * 60.0;
  p.out_of_bed_after_s = 300;
  s.people.push_back(p);
  return s;
}

// The same bedroom with a partner on the right and a cat at the foot of the bed.
inline Scenario CoupleWithCatScenario() {
  Scenario s = HealthyAdultScenario();
  PersonSpec bob = s.people[0];
  bob.id = "bob";
  bob.role = "partner";
  bob.side = "right";
  bob.sex = "male";
  bob.age_y = 41;
  bob.height_m = 1.82;
  bob.mass_kg = 84;
  bob.bedtime_s = 75 * 60.0;
  bob.activity = "reading";
  bob.ahi = 12;
  bob.wake_mode = "alarm";
  bob.wake_s = 8.5 * 3600.0;
  s.people.push_back(bob);
  PetSpec cat;
  cat.id = "cat";
  cat.kind = "cat";
  cat.spot = "foot";
  cat.visits = {{2 * 3600.0, 4 * 3600.0}};
  cat.visits_per_night = 1.5;
  s.pets.push_back(cat);
  return s;
}

}  // namespace nightsim::sleepers::testing
