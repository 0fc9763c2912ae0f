#pragma once
/// \file
/// The chip's own fingerprint: what a real radar adds to every frame whatever is in the
/// room. Real BGT60TR13C recordings are dominated by it (../shared/data/radar: the
/// transmitter's leakage ≈ 20 dB above a chest 0.33 m away, receivers 9–14 dB apart).
///
/// - Leakage: the TX couples into each RX over a short electrical path (leakage_path_m),
///   so it is a beat tone of a few centimetres' range, of power leakage_dbc below the TX
///   power, through the same receive chain and IF filters as any return. It carries the
///   phase-noise skirt of the radar equation's closed form (RadarSimulator adds it with the
///   static tones), a frame-to-frame complex jitter (leakage_jitter_db) and a slow drift of
///   its phase (leakage_drift_deg: four sinusoids of periods 20 s to 5 min, random phases).
/// - Receiver mismatch: FmcwConstants::rx_gain and rx_path_offset_m (Propagation applies them).
/// - DC offset and chirp-start transient: a constant per RX at the ADC input, and the
///   decay of the first-order IF high-pass after the leakage switches on at the start of a
///   ramp. With a zero-phase filter (IfFilterGain's convention) the output at the ramp's
///   start equals the input, so the transient is A (1 − |H(f_L)|) cos φ0 · e^{−t/τ},
///   τ = 1 / (2π f_hp), t the time since the ramp began (sampling starts with it).
/// - IF filters: SimulatedHardware flattens them when `if_filters` is off.

#include <complex>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/rng.h"
#include "core/scenario.h"
#include "physics/fmcw.h"

namespace nightsim::physics {

/// The radar parameters a simulation uses: `p` without the hardware effects that `sim`
/// switches off (leakage, receiver mismatch, DC offset; IF filters made flat).
RadarParams SimulatedHardware(const RadarParams& p, const SimulationSpec& sim);

/// The leakage, DC offsets and chirp-start transients of one device for one night.
/// Built from SimulatedHardware() parameters and the synthesizer of the same parameters.
class Hardware {
 public:
  /// `seed` is the run seed: the leakage's fluctuation comes from (seed, "radar", "leakage").
  /// `chirp_transient`: the leakage's chirp-start transient (SimulationSpec::dc_offset).
  Hardware(const RadarParams& p, const FmcwSynthesizer& synth, std::uint64_t seed, bool chirp_transient = true);

  /// The leakage as a stationary tone (amplitude per RX after the receive chain and IF
  /// filters), or nullopt when the device has none.
  const std::optional<Tone>& leakage() const { return leakage_; }
  /// What is the same in every chirp besides the room: DC offsets and the chirp-start
  /// transient, [rx][sample], volts (all zero when the device has neither).
  const std::vector<double>& chirp_offsets_v() const { return chirp_offsets_v_; }
  /// True when chirp_offsets_v() is not all zero.
  bool has_chirp_offsets() const { return has_chirp_offsets_; }
  /// True when any frame differs from the next through the hardware (the leakage fluctuates).
  bool fluctuates() const { return leakage_.has_value(); }

  /// The leakage's complex gain in frame `frame_index` minus 1 (0 without leakage):
  /// jitter and drift, a pure function of (seed, frame index).
  std::complex<double> LeakageFluctuation(std::int64_t frame_index) const;

  /// Adds the frame's leakage fluctuation to a range frame ([rx][bin] rows of `out`).
  void AddFluctuation(std::int64_t frame_index, SplitProfile* out) const;
  /// Adds the frame's leakage fluctuation to a raw frame ([chirp][rx][sample]).
  void AddFluctuation(std::int64_t frame_index, std::span<float> raw) const;

 private:
  FmcwConstants k_;
  std::optional<Tone> leakage_;
  std::vector<double> chirp_offsets_v_;
  bool has_chirp_offsets_{false};
  double jitter_sd_{0};  // relative, per complex component
  // Phase drift: Σ amplitude_rad · sin(2π f t + phase), four terms.
  std::array<double, 4> drift_hz_{}, drift_phase_rad_{};
  double drift_amplitude_rad_{0};
  RandomStream stream_;
  // The leakage's own range profile and that of its quadrature (φ0 + π/2), [rx][bin]; and
  // its raw chirp and quadrature, [rx][sample]: a fluctuation g adds Re(g)·L − Im(g)·L⊥
  // (L = a cos θ, L⊥ = a sin θ: Re(g a e^{jθ}) − a cos θ).
  std::vector<std::complex<float>> range_i_, range_q_;
  std::vector<float> raw_i_, raw_q_;
};

}  // namespace nightsim::physics
