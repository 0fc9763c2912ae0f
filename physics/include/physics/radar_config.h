#pragma once
/// \file
/// Radar configuration: the BGT60TR13C-like preset, derived quantities, and the
/// checks that reject impossible parameter combinations as scenario errors.

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "core/scenario.h"
#include "frame/radar_frame.h"

namespace nightsim::physics {

/// Speed of light in vacuum, m/s.
inline constexpr double kSpeedOfLightMps = 299792458.0;
/// Most receive antennas a configuration may have (the preset has 3).
inline constexpr int kMaxRx = 4;
/// Shortest range a bedside radar must cover to see across a bed, m. Used by
/// CheckRadarParams for the "range beyond the IF bandwidth / Nyquist" warnings.
inline constexpr double kMinUsefulRangeM = 1.5;
/// Fastest breathing surface speed that must unwrap without ambiguity, m/s:
/// 12 mm peak-to-peak at 0.5 Hz gives v = π f pp ≈ 0.019 m/s.
inline constexpr double kMaxBreathingSpeedMps = 0.02;

/// One problem with radar parameters: the key below `device.radar` and what is wrong.
struct RadarParamProblem {
  std::string key;      ///< e.g. "sample_rate_hz"
  std::string message;  ///< what was expected, or (a warning) what the night will lack
  /// True when the configuration can be synthesized but limits a bedside use (the
  /// range falls short of the bed, breathing cannot be unwrapped): the night runs.
  bool warning{false};
};

/// Every problem with `p` (empty when usable). Errors: out-of-range fields, a ramp
/// shorter than the sampling window, chirps that overlap or do not fit into a frame, an
/// IF low-pass above Nyquist (aliasing), a high-pass above the low-pass, a bad antenna
/// layout, an unknown preset. Warnings (`warning` set): a useful range (IF low-pass or
/// Nyquist) below kMinUsefulRangeM, a frame rate too low to unwrap breathing phase
/// (frame_rate_hz < 4 v_max / λ). Keys are RadarParams field names. Never throws.
std::vector<RadarParamProblem> CheckRadarParams(const RadarParams& p);

/// One ADC step of `p`, volts: 2 · adc_full_scale_v / 2^adc_bits.
double AdcLsbV(const RadarParams& p);

/// True when `problems` holds an error (not only warnings).
bool AnyRadarError(const std::vector<RadarParamProblem>& problems);

/// A named radar configuration: a device as its owners configure it.
struct RadarPreset {
  std::string name;         ///< the `device.radar.preset` value
  std::string description;  ///< what device and configuration it is, and where its numbers come from
  RadarParams params;       ///< every field (params.preset == name)
};

/// The preset registry, the default ("bgt60tr13c") first. Adding a preset is one entry here.
const std::vector<RadarPreset>& RadarPresets();

/// The preset named `name`, or nullptr.
const RadarPreset* FindRadarPreset(std::string_view name);

/// The names of RadarPresets(), in order.
std::vector<std::string> RadarPresetNames();

/// Overwrites every field of `*p` with the preset named `name` and returns true;
/// returns false and leaves `*p` untouched when the name is unknown. Explicit values
/// from a scenario are applied after this call.
bool ApplyRadarPreset(const std::string& name, RadarParams* p);

/// Receive antenna positions in the device frame (x right, y boresight, z up), m:
/// `p.rx_positions_m`, or the default L at λ/2 of the centre wavelength (RX1 at the
/// origin, RX2 to its right, RX3 above it) when that list is empty.
std::vector<std::array<double, 3>> ResolveRxPositions(const RadarParams& p);

/// What the device knows about itself, derived from the parameters (sent to the
/// pipeline). Precondition: CheckRadarParams(p) reports no error.
RadarInfo MakeRadarInfo(const RadarParams& p);

}  // namespace nightsim::physics
