#include "sleepers/physiology.h"

#include <algorithm>
#include <cmath>

namespace nightsim::sleepers {

Physiology ResolvePersonPhysiology(const PersonSpec& person) {
  Physiology p;
  const double decades = (person.age_y - 35.0) / 10.0;
  const bool male = person.sex == "male";

  // Slow-wave sleep falls with age, faster in men (≈ −1.9 % of TST per decade);
  // women keep more N3 at any age.
  HypnogramParams& h = p.hypnogram;
  h.s0 = std::clamp((male ? 0.94 : 1.0) * (1.0 - (male ? 0.115 : 0.06) * decades), 0.15, 1.6);
  // Sleep fragments with age: more and longer awakenings, ≈ +10 min WASO per decade,
  // which is what lowers TST and SE at a fixed time in bed.
  const double frag = std::clamp(1.0 + 0.14 * decades, 0.6, 3.0);
  h.wake_after_n1 = std::min(0.8, h.wake_after_n1 * frag);
  h.wake_after_n2 *= frag;
  h.wake_after_rem *= frag;
  h.wake_after_rem_period = std::min(0.8, h.wake_after_rem_period * frag);
  h.wake_scale = std::clamp(1.0 + 0.11 * decades, 0.6, 3.0);
  h.sol_median_min *= std::clamp(1.0 + 0.02 * decades, 0.7, 1.5);

  BreathingParams& b = p.breathing;
  b.rate_bpm = person.breathing_rate_bpm.value_or((male ? 14.5 : 15.5) + 0.3 * decades);
  // Tidal excursion grows with body size: chest surface ∝ mass^(2/3) spread over ∝ height.
  const double size = std::cbrt(std::max(person.mass_kg, 20.0) / 70.0) * std::clamp(person.height_m / 1.70, 0.6, 1.3);
  b.tidal_pp_m = (male ? 8.8e-3 : 7.6e-3) * size;
  // The sex difference in ribcage/abdominal share is small next to the stage effect
  // (≈ 38 % → 55 %); it is left at zero so the stage targets hold for everyone.
  b.abdominal_offset = 0.0;

  HeartParams& hr = p.heart;
  hr.rate_bpm = person.heart_rate_bpm.value_or((male ? 60.0 : 64.0) + 0.5 * decades);
  hr.pp_m = 0.3e-3 * size;

  BehaviourParams& be = p.behaviour;
  be.turnover_per_hour = person.rates.turnover_per_hour.value_or(std::max(1.0, 3.0 - 0.25 * decades));
  // ≥ 1 trip a night in ≈ 60 % of 35-year-olds, ≈ 85 % at 75 (P = 1 − e^−λ).
  be.restroom_per_night = person.rates.restroom_per_night.value_or(std::clamp(0.95 * std::exp(0.18 * decades), 0.3, 3.0));
  be.ahi = std::max(0.0, person.ahi);
  be.central_fraction = std::clamp(person.central_apnea_fraction, 0.0, 1.0);
  be.walk_speed_mps = std::clamp(0.85 - 0.03 * decades, 0.4, 1.1);
  return p;
}

Physiology ResolvePetPhysiology(const PetSpec& pet) {
  Physiology p;
  const bool dog = pet.kind == "dog";
  BreathingParams& b = p.breathing;
  b.pet = true;
  // Resting rates 16–30 /min; smaller animals breathe faster.
  b.rate_bpm = std::clamp((dog ? 22.0 : 26.0) * std::pow(std::max(pet.mass_kg, 1.0) / (dog ? 20.0 : 4.5), -0.1), 16.0, 30.0);
  b.tidal_pp_m = 2.5e-3 * std::cbrt(std::max(pet.mass_kg, 1.0) / 4.5);
  b.variability = 0.8;
  p.heart.rate_bpm = dog ? 85.0 : 150.0;
  p.heart.pp_m = 0.05e-3;
  p.behaviour.turnover_per_hour = 2.0;
  p.behaviour.walk_speed_mps = 1.0;
  return p;
}

}  // namespace nightsim::sleepers
