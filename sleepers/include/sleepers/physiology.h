#pragma once
/// \file
/// Resolved physiology of a body: the parameters of the hypnogram, breathing, heart
/// and movement models after age, sex, body size and scenario overrides are applied
/// (docs/design.md §4). Reference values are those of a healthy 35-year-old; every
/// per-decade effect is applied relative to 35 years.

#include "core/scenario.h"

namespace nightsim::sleepers {

/// Parameters of the sleep-stage process (sleepers/hypnogram_model.h).
/// Times in minutes unless the name says epochs.
struct HypnogramParams {
  // Sleep onset.
  double sol_median_min{13.5};        ///< median sleep-onset latency after lights out
  double sol_sigma{0.66};             ///< log-normal spread of the latency
  double return_latency_median_min{4.0};  ///< falling asleep again after a restroom trip
  // Homeostatic process S: slow-wave propensity decaying with time asleep.
  double s0{1.0};                     ///< S at sleep onset (1 at 35 y)
  double s_decay_min{200.0};          ///< e-folding time of S
  // Ultradian NREM–REM oscillator.
  double first_nrem_median_min{86.0}; ///< first NREM period (sets REM latency)
  double first_nrem_sigma{0.33};
  double skip_first_rem_probability{0.12};  ///< first REM period missed (long latency)
  double nrem_mean_min{84.0};         ///< later NREM periods
  double nrem_shrink_min{4.0};        ///< each later NREM period is this much shorter
  double nrem_shape{9.0};             ///< gamma shape of NREM period lengths
  double rem_first_mean_min{16.0};    ///< first REM period
  double rem_growth_min{10.0};         ///< REM periods lengthen through the night
  double rem_max_mean_min{42.0};
  double rem_shape{4.0};
  // Micro-structure: semi-Markov bouts inside the periods.
  double n3_entry_gain{2.6};          ///< P(N2 → N3) = gain · depth, depth = S · phase bump
  double n3_bout_base_epochs{1.5};
  double n3_bout_depth_epochs{9.5};  ///< N3 bouts lengthen with depth
  double n2_bout_mean_epochs{21.0};   ///< N2 bouts in light NREM
  double n2_bout_shape{1.4};
  double n1_bout_extra_epochs{1.0};   ///< N1 bout = 1 + Gamma(shape 0.7, this mean)
  double rem_bout_mean_epochs{22.0};
  // Awakenings: entered at bout ends, heavy-tailed lengths.
  double wake_after_n1{0.24};         ///< P(awakening) when an N1 bout ends
  double wake_after_n2{0.06};
  double wake_after_n3{0.02};
  double wake_after_rem{0.11};
  double wake_after_rem_period{0.30}; ///< when a REM period ends
  double wake_late_night_gain{0.7};   ///< awakening probability × (1 + gain · hours asleep / 8)
  double wake_alpha{1.47};             ///< discrete Pareto exponent of awakening length (survival d^−α)
  double wake_scale{1.0};             ///< awakening lengths × this (age)
  double wake_max_epochs{90.0};
};

/// Parameters of the breathing waveform generator.
struct BreathingParams {
  double rate_bpm{15.0};          ///< resting wake rate
  double tidal_pp_m{8.0e-3};      ///< chest + abdomen peak-to-peak displacement, awake, lying
  double variability{1.0};        ///< scales the stage-dependent variability
  double abdominal_offset{0.0};   ///< added to the stage's abdominal share (sex)
  bool pet{false};                ///< pets: fast, shallow, no stage structure
};

/// Parameters of the heartbeat generator.
struct HeartParams {
  double rate_bpm{62.0};          ///< in REM (the reference stage of docs/design.md §4)
  double pp_m{0.3e-3};            ///< precordial peak-to-peak displacement
};

/// Parameters of movements and behaviour.
struct BehaviourParams {
  double turnover_per_hour{3.0};      ///< posture shifts per hour in bed asleep
  double restroom_per_night{0.9};     ///< expected restroom trips
  double ahi{0.0};                    ///< apnea events per hour of sleep
  double central_fraction{0.1};
  double walk_speed_mps{0.8};
};

/// Everything resolved for one body.
struct Physiology {
  HypnogramParams hypnogram;
  BreathingParams breathing;
  HeartParams heart;
  BehaviourParams behaviour;
};

/// Applies age, sex, body size and the overrides of `person` (docs/design.md §4: per decade
/// TST −6…−10 min, SE −1.6…−2.1 %, WASO +10 min, N3 −1.9 % in men; restroom trips
/// rising with age; fewer posture shifts with age).
Physiology ResolvePersonPhysiology(const PersonSpec& person);

/// Cats and dogs: fast shallow breathing scaled by body mass.
Physiology ResolvePetPhysiology(const PetSpec& pet);

}  // namespace nightsim::sleepers
