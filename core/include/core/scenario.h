#pragma once
/// \file
/// The resolved scenario: plain, validated structs with units in their names
/// (docs/design.md §3). Produced by the loader in harness/ from YAML; consumed by
/// sleepers/, physics/ and harness/. Clock times are resolved to seconds since
/// the start of the night (t = 0 at `night.start_clock_s`).

#include <array>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/errors.h"

namespace nightsim {

/// The night's time frame.
struct NightSpec {
  double start_clock_s{22 * 3600.0};  ///< clock time of t = 0, seconds after midnight
  double duration_s{9 * 3600.0};      ///< end minus start, crossing midnight handled
  double epoch_s{30.0};               ///< scoring epoch length
};

/// Amplitude reflection coefficients (0..1) of the room's surfaces.
struct SurfaceReflectivity {
  double walls{0.3};
  double floor{0.2};
  double ceiling{0.2};
};

/// The bed: axis-aligned, head end at y = head_y_m, feet towards +y.
/// Seen lying on one's back in it, "left" is −x and "right" is +x.
struct BedSpec {
  double center_x_m{2.0};
  double head_y_m{0.1};
  double width_m{1.6};
  double length_m{2.0};
  double height_m{0.55};  ///< top of the mattress above the floor
};

/// A static reflector (nightstand, wardrobe, chair …) as an axis-aligned box.
struct FurnitureSpec {
  std::string name;
  double x_m{0}, y_m{0};                 ///< centre of the footprint
  double size_x_m{0.5}, size_y_m{0.5}, height_m{0.6};
  double rcs_dbsm{-5.0};
};

/// Something that moves but does not breathe.
struct ClutterSpec {
  enum class Kind { kFan, kCurtain };
  std::string name;
  Kind kind{Kind::kFan};
  double x_m{0}, y_m{0}, z_m{1.0};
  double rate_hz{15.0};          ///< blade rotation (fan) or sway (curtain) frequency
  double oscillation_hz{0.05};   ///< fan head sweep frequency (0 = fixed)
  double amplitude_m{0.15};      ///< blade radius (fan) or sway amplitude (curtain)
  double rcs_dbsm{-15.0};
  double on_s{0.0};              ///< switched on at (seconds since night start)
  double off_s{1e12};            ///< switched off at
};

/// Where people leave the room to (bathroom) through.
struct DoorSpec {
  double x_m{0.3};
  double y_m{3.5};
};

/// The room.
struct RoomSpec {
  double width_m{4.0};   ///< x extent
  double length_m{4.5};  ///< y extent
  double height_m{2.5};  ///< z extent
  SurfaceReflectivity reflectivity;
  BedSpec bed;
  std::vector<FurnitureSpec> furniture;
  std::vector<ClutterSpec> clutter;
  DoorSpec door;
  bool has_bed{true};  ///< false: the room has no bed (`bed` is then unused)
};

/// Explicit radar parameters. Defaults are the BGT60TR13C-like reference preset.
struct RadarParams {
  std::string preset{"bgt60tr13c"};
  double start_hz{58.5e9};
  double bandwidth_hz{4.0e9};
  int samples_per_chirp{128};
  double sample_rate_hz{2.0e6};
  double chirp_s{64e-6};          ///< ramp duration; defaults to samples / sample rate
  int chirps_per_frame{16};
  double chirp_repetition_s{300e-6};  ///< chirp-to-chirp interval within a frame
  double frame_rate_hz{20.0};
  /// RX antenna positions in the device frame (x right, y boresight, z up), metres.
  /// Default: an L at λ/2 (RX1 origin, RX2 to the right, RX3 above).
  std::vector<std::array<double, 3>> rx_positions_m;
  double tx_power_dbm{5.0};
  double antenna_gain_dbi{6.0};   ///< boresight gain of each of TX and RX
  double azimuth_fov_deg{90.0};   ///< half-power (−3 dB) full width, azimuth
  double elevation_fov_deg{70.0}; ///< half-power full width, elevation
  double noise_figure_db{12.0};
  double if_gain_db{30.0};
  double if_highpass_hz{20e3};    ///< IF high-pass corner (suppresses very near returns)
  double if_lowpass_hz{1.0e6};    ///< anti-alias low-pass corner
  int adc_bits{12};
  double adc_full_scale_v{1.0};
  double phase_noise_dbc_hz{-85.0};  ///< at 100 kHz offset
  // The chip's own fingerprint: what a real unit adds to every frame (calibrated on the
  // shared BGT60TR13C recording; physics/hardware.h says how each is synthesized).
  double rf_gain_db{0.0};            ///< LNA and mixer conversion gain ahead of the IF gain (signals and noise)
  std::vector<double> leakage_dbc;   ///< TX→RX coupling per RX, dB of the TX power (empty: no leakage)
  double leakage_path_m{0.076};      ///< electrical length of the coupling path (sets its beat frequency)
  double leakage_jitter_db{-47.0};   ///< frame-to-frame fluctuation of the leakage, dB relative to it
  double leakage_drift_deg{0.5};     ///< slow wander of the leakage phase over minutes (SD), degrees
  std::vector<double> rx_gain_db;    ///< gain of each RX relative to nominal (empty: all 0)
  std::vector<double> rx_phase_deg;  ///< phase of each RX relative to nominal, at the centre frequency (empty: all 0)
  std::vector<double> dc_offset_v;   ///< DC offset at each RX's ADC input, volts (empty: all 0)
};

/// The bedside device and the user's app settings.
struct DeviceSpec {
  double x_m{0.6}, y_m{0.3}, z_m{0.65};
  double yaw_deg{0.0};    ///< boresight direction in the xy-plane, degrees from +x towards +y
  double pitch_deg{0.0};  ///< boresight tilt, positive up
  RadarParams radar;
  std::string bed_side{"left"};          ///< configured side: "left" or "right"
  std::optional<double> alarm_s;         ///< alarm time, seconds since night start
  double smart_window_s{1800.0};
};

/// A scripted event for one person at a clock time.
struct ScriptedEvent {
  enum class Kind { kRestroom, kGetUp, kTurnOver, kWake, kLeave };
  Kind kind{Kind::kRestroom};
  double at_s{0};           ///< seconds since night start
  double duration_s{300};   ///< time away (restroom, get up, leave)
};

/// Rates of stochastic events for one person (nullopt: the model's default for age/sex).
struct EventRates {
  std::optional<double> restroom_per_night;   ///< expected restroom trips
  std::optional<double> turnover_per_hour;    ///< posture shifts per hour asleep
  double early_rise_probability{0.0};         ///< chance of a final awakening before the smart window
};

/// One person.
struct PersonSpec {
  std::string id;
  std::string role{"primary"};   ///< "primary" or "partner"
  std::string side{"left"};      ///< "left" or "right" of the bed
  double age_y{35};
  std::string sex{"female"};     ///< "female" or "male"
  double height_m{1.70};
  double mass_kg{70};
  // Schedule.
  double bedtime_s{0};           ///< gets into bed (seconds since night start)
  double bedtime_sd_s{600};      ///< spread of the bedtime
  std::string activity{"phone"}; ///< pre-sleep: "none", "reading", "tv", "phone", "lying"
  double activity_s{900};        ///< pre-sleep activity duration before lights out
  std::string wake_mode{"alarm"};///< "alarm" or "natural"
  double wake_s{0};              ///< natural final awakening (seconds since night start)
  double wake_sd_s{900};
  double out_of_bed_after_s{300};///< in-bed wake after the final awakening
  // Physiology.
  std::optional<double> breathing_rate_bpm;  ///< resting wake rate override
  double ahi{0};                 ///< apnea–hypopnea index, events per hour of sleep
  double central_apnea_fraction{0.1};
  std::optional<double> heart_rate_bpm;
  std::vector<ScriptedEvent> events;
  EventRates rates;
};

/// A visit of a pet to the bed.
struct PetVisit {
  double from_s{0};
  double to_s{0};
};

/// A pet.
struct PetSpec {
  std::string id;
  std::string kind{"cat"};     ///< "cat" or "dog"
  std::string spot{"foot"};    ///< "foot", "between", "left", "right"
  double mass_kg{4.5};
  std::vector<PetVisit> visits;          ///< scripted visits
  double visits_per_night{0};            ///< stochastic visits
  double mean_stay_s{3600};
};

/// Switches of the radar physics (the scenario's `simulation` section), for studies of
/// what each effect costs the pipeline; the defaults are the full model.
struct SimulationSpec {
  bool noise{true};            ///< receiver noise: thermal, phase-noise skirt, and (range level) quantization noise
  bool quantize{true};         ///< raw level: ADC rounding and clipping; range level: quantization noise
  bool static_scene{true};     ///< room surfaces, bed frame and furniture
  bool multipath{true};        ///< first-order image sources off walls, floor and ceiling
  bool clutter{true};          ///< fans and curtains
  bool rcs_fluctuation{true};  ///< log-normal RCS per body part and pose (σ = 1.5 dB)
  bool leakage{true};          ///< the transmitter's leakage into each receiver (device.radar.leakage_*)
  bool rx_mismatch{true};      ///< gain and phase mismatch between receivers (rx_gain_db, rx_phase_deg)
  bool dc_offset{true};        ///< raw ADC offset per RX and the chirp-start transient the IF high-pass leaves
  bool if_filters{true};       ///< the IF high-pass and anti-aliasing low-pass response across the range bins
  /// Range level: each path's kernel window ends where the Hann sidelobes it leaves out
  /// stay this many dB below the noise standard deviation of one range bin (most multipath
  /// needs 4 bins, a chest facing the device 16–24). The error this leaves is measured in
  /// the tests: ≤ 1e-3 of the profile's peak against FFT(raw).
  double kernel_floor_below_noise_db{30.0};
  /// Propagation paths whose range-bin peak lies more than this many dB below the noise
  /// of one range bin are not synthesized (a single frame cannot show them; long
  /// integrations could: raise it, at a cost of speed — 10 dB doubles a resting night's
  /// breathing paths, 30 dB nearly quadruples them). What the default (0 dB) drops is
  /// measured in radar_simulator_test and docs/results.md ("Fidelity against speed").
  double cull_below_noise_db{0.0};

  bool operator==(const SimulationSpec&) const = default;
};

/// A named, typed, unit-carrying parameter declared by a scenario.
struct ParameterSpec {
  std::string name;
  std::string type{"float"};   ///< "float", "int", "bool", "string", "clock"
  std::string unit;            ///< e.g. "min", "m", "bpm", "" for dimensionless
  std::string default_text;    ///< as written
  std::optional<double> min, max;  ///< in `unit`; clocks: seconds since night start
  std::string value_text;      ///< the value in force (default or --set)
  std::string description;     ///< what the parameter means (free text)
  std::vector<std::string> choices;  ///< allowed values of a "string" parameter (empty: any)
};

/// A fully resolved scenario.
struct Scenario {
  std::string name;
  std::string source_path;
  std::string description;
  NightSpec night;
  RoomSpec room;
  DeviceSpec device;
  std::vector<PersonSpec> people;
  std::vector<PetSpec> pets;
  SimulationSpec simulation;
  std::vector<ParameterSpec> parameters;
  std::string resolved_yaml;   ///< the resolved scenario as YAML text (for outputs and hashes)
  /// What the scenario allows but limits (a radar whose range falls short of the bed …):
  /// the night runs; commands print these on stderr as "warning: …". Not part of the YAML.
  std::vector<InputProblem> warnings;
};

}  // namespace nightsim
