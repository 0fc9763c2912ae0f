#pragma once
/// \file
/// Test-only closed-form radar frames from point scatterers, for known-answer tests
/// of the pipeline. Header-only because tests/CMakeLists.txt compiles only
/// *_test.cc files. Model: a scatterer at range R(t), amplitude A, direction
/// (az, el) puts A·W(R/Δr − b)·exp(j(4πR/λ + ψ_k)) into bin b of RX k, with W the
/// bin-centred Hann-windowed DFT kernel and ψ_k = −(2π/λ) p_k·u (the bin phase grows
/// with the path length, as physics/ synthesizes it: the convention of
/// pipeline::ArrayModel with phase_sign = −1, TrackingConfig's default); plus
/// deterministic white noise.

#include <cmath>
#include <complex>
#include <cstdint>
#include <numbers>
#include <vector>

#include "frame/pipeline_api.h"
#include "pipeline/tracking_pipeline.h"

namespace nightsim::testing {

/// One point reflector and how it moves along the line of sight.
struct Scatterer {
  double range_m{0.6};
  double azimuth_rad{0.0};
  double elevation_rad{0.0};
  double amplitude{0.1};         ///< per-RX complex amplitude at its bin
  double breath_rate_bpm{0.0};   ///< 0: no breathing
  double breath_depth_mm{0.0};   ///< peak-to-peak chest displacement
  double breath_phase{0.0};      ///< cycles
  double vibration_hz{0.0};      ///< fast sinusoidal motion (fan blade)
  double vibration_mm{0.0};      ///< its amplitude
  double shift_m{0.0};           ///< posture change: range moves by this much ...
  double shift_at_s{1e9};        ///< ... starting here ...
  double shift_duration_s{4.0};  ///< ... over this long, with a 2-Hz, 20-mm wobble (gross movement)
  double start_s{-1e9};          ///< present from
  double end_s{1e9};             ///< present until
  /// Present during [start_s, end_s) and also [start2_s, end2_s).
  double start2_s{1e9};
  double end2_s{1e9};
};

/// A room: scatterers plus noise.
struct Scene {
  std::vector<Scatterer> scatterers;
  /// Complex noise standard deviation per RX sample. With TorsoAmplitude's default
  /// this puts a torso at ~68 dB(Hz) of range-compensated reflectivity
  /// (CellAssessment::reflectivity_db; a cell SNR of ~38 dB with DefaultRadar's
  /// 1.024 ms of integration) and AddPet-sized reflectors at ~53 dB(Hz): what physics/
  /// gives a sleeper's near side and a cat with the reference radar.
  double noise_sigma{4.4e-4};
  std::uint64_t seed{1};
};

/// Torso-like amplitude at range r: A ∝ 1/R² (radar equation, amplitude).
inline double TorsoAmplitude(double range_m, double at_1m = 0.036) { return at_1m / (range_m * range_m); }

/// The reference radar: 58.5–62.5 GHz, 64 bins of 3.75 cm, 20 frames/s, L array at λ/2.
inline RadarInfo DefaultRadar() {
  RadarInfo r;
  const double half = 0.5 * r.wavelength_m();
  r.rx = {{0.0, 0.0, 0.0}, {half, 0.0, 0.0}, {0.0, 0.0, half}};
  return r;
}

/// Static clutter of a bedroom: nightstand edge, bed frame, far wall.
inline std::vector<Scatterer> Clutter() {
  std::vector<Scatterer> c;
  c.push_back({.range_m = 0.12, .azimuth_rad = 0.3, .amplitude = 2.0});
  c.push_back({.range_m = 0.35, .azimuth_rad = -0.5, .elevation_rad = -0.4, .amplitude = 0.4});
  c.push_back({.range_m = 2.05, .azimuth_rad = 0.1, .amplitude = 0.8});
  return c;
}

/// A human-like breath: inhalation over 40 % of the cycle, exhalation over 60 %.
inline double BreathShape(double cycles) {
  const double p = cycles - std::floor(cycles);
  return p < 0.4 ? 0.5 - 0.5 * std::cos(std::numbers::pi * p / 0.4)
                 : 0.5 + 0.5 * std::cos(std::numbers::pi * (p - 0.4) / 0.6);
}

/// Deterministic standard normal from (seed, counter): splitmix64 + Box–Muller.
inline double Gaussian(std::uint64_t seed, std::uint64_t counter) {
  auto mix = [](std::uint64_t z) {
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  };
  const std::uint64_t a = mix(seed * 0x632be59bd9b4e019ULL + 2 * counter);
  const std::uint64_t b = mix(seed * 0x632be59bd9b4e019ULL + 2 * counter + 1);
  const double u1 = (static_cast<double>(a >> 11) + 0.5) / 9007199254740992.0;
  const double u2 = static_cast<double>(b >> 11) / 9007199254740992.0;
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

/// Range R(t) of a scatterer in metres.
inline double RangeAt(const Scatterer& s, double t) {
  double d_mm = 0.0;
  if (s.breath_rate_bpm > 0.0) d_mm += s.breath_depth_mm * BreathShape(t * s.breath_rate_bpm / 60.0 + s.breath_phase);
  if (s.vibration_hz > 0.0) d_mm += s.vibration_mm * std::sin(2.0 * std::numbers::pi * s.vibration_hz * t);
  double shift_m = 0.0;
  if (s.shift_m != 0.0 && t >= s.shift_at_s) {
    const double u = std::min(1.0, (t - s.shift_at_s) / s.shift_duration_s);
    shift_m = s.shift_m * u;
    if (u < 1.0) d_mm += 20.0 * std::sin(2.0 * std::numbers::pi * 2.0 * t);
  }
  return s.range_m + shift_m + 1e-3 * d_mm;
}

inline bool PresentAt(const Scatterer& s, double t) {
  return (t >= s.start_s && t < s.end_s) || (t >= s.start2_s && t < s.end2_s);
}

/// Hann-windowed DFT kernel at a fractional bin offset, normalised by the window's
/// coherent gain (1 at δ = 0, 0.85 at δ = ½): D(δ) + ½ D(δ−1) + ½ D(δ+1), D = sinc.
inline double HannKernel(double delta) {
  auto sinc = [](double x) { return std::abs(x) < 1e-9 ? 1.0 : std::sin(std::numbers::pi * x) / (std::numbers::pi * x); };
  return sinc(delta) + 0.5 * sinc(delta - 1.0) + 0.5 * sinc(delta + 1.0);
}

/// The range-level frame `index` of `scene`.
inline RadarFrame MakeRangeFrame(const RadarInfo& radar, const Scene& scene, std::int64_t index) {
  RadarFrame f;
  f.index = index;
  f.time_s = static_cast<double>(index) / radar.frame_rate_hz;
  f.level = RadarLevel::kRange;
  f.num_rx = static_cast<int>(radar.rx.size());
  f.num_bins = radar.range_bins;
  f.range.assign(static_cast<std::size_t>(f.num_rx) * f.num_bins, {0.0f, 0.0f});
  const double lambda = radar.wavelength_m();
  const double k = 2.0 * std::numbers::pi / lambda;
  for (const Scatterer& s : scene.scatterers) {
    if (!PresentAt(s, f.time_s)) continue;
    const double r = RangeAt(s, f.time_s);
    const double ux = std::sin(s.azimuth_rad) * std::cos(s.elevation_rad);
    const double uy = std::cos(s.azimuth_rad) * std::cos(s.elevation_rad);
    const double uz = std::sin(s.elevation_rad);
    const double centre = (r - radar.range_start_m) / radar.range_bin_m;
    const int b0 = std::max(0, static_cast<int>(std::floor(centre)) - 6);
    const int b1 = std::min(f.num_bins - 1, static_cast<int>(std::ceil(centre)) + 6);
    for (int rx = 0; rx < f.num_rx; ++rx) {
      const AntennaPosition& p = radar.rx[static_cast<std::size_t>(rx)];
      const double phase = 2.0 * k * r - k * (p.x_m * ux + p.y_m * uy + p.z_m * uz);  // 4πR/λ + ψ_k
      const std::complex<double> tone = std::polar(s.amplitude, phase);
      for (int b = b0; b <= b1; ++b) {
        f.range[static_cast<std::size_t>(rx * f.num_bins + b)] += std::complex<float>(tone * HannKernel(centre - b));
      }
    }
  }
  const std::uint64_t base = static_cast<std::uint64_t>(index) * f.range.size() * 2;
  const double sd = scene.noise_sigma / std::sqrt(2.0);
  for (std::size_t i = 0; i < f.range.size(); ++i) {
    f.range[i] += std::complex<float>(static_cast<float>(sd * Gaussian(scene.seed, base + 2 * i)),
                                      static_cast<float>(sd * Gaussian(scene.seed, base + 2 * i + 1)));
  }
  return f;
}

/// The raw-level frame `index`: `chirps` chirps of real IF samples whose Hann-
/// windowed FFT (as pipeline::RangeFft computes it) gives the range frame above
/// (bins of a tone at R: f_b = R/Δr bins; amplitude 2A so the FFT reads A).
inline RadarFrame MakeRawFrame(const RadarInfo& radar, const Scene& scene, std::int64_t index, int chirps) {
  RadarFrame f;
  f.index = index;
  f.time_s = static_cast<double>(index) / radar.frame_rate_hz;
  f.level = RadarLevel::kRaw;
  f.num_rx = static_cast<int>(radar.rx.size());
  f.num_chirps = chirps;
  f.num_samples = radar.samples_per_chirp;
  f.raw.assign(static_cast<std::size_t>(chirps) * f.num_rx * f.num_samples, 0.0f);
  const double k = 2.0 * std::numbers::pi / radar.wavelength_m();
  const int n = f.num_samples;
  for (const Scatterer& s : scene.scatterers) {
    if (!PresentAt(s, f.time_s)) continue;
    const double r = RangeAt(s, f.time_s);
    const double ux = std::sin(s.azimuth_rad) * std::cos(s.elevation_rad);
    const double uy = std::cos(s.azimuth_rad) * std::cos(s.elevation_rad);
    const double uz = std::sin(s.elevation_rad);
    const double cycles_per_sample = r / radar.range_bin_m / n;
    for (int rx = 0; rx < f.num_rx; ++rx) {
      const AntennaPosition& p = radar.rx[static_cast<std::size_t>(rx)];
      const double phase = 2.0 * k * r - k * (p.x_m * ux + p.y_m * uy + p.z_m * uz);
      for (int c = 0; c < chirps; ++c) {
        float* dst = &f.raw[(static_cast<std::size_t>(c) * f.num_rx + rx) * n];
        for (int i = 0; i < n; ++i) {
          dst[i] += static_cast<float>(2.0 * s.amplitude * std::cos(2.0 * std::numbers::pi * cycles_per_sample * i + phase));
        }
      }
    }
  }
  // Real white noise whose Hann-windowed, chirp-averaged FFT has complex variance
  // scene.noise_sigma² per bin:
  // per-bin variance = σ² Σw² / (Σw)² / chirps = σ² · 1.5 / (n · chirps).
  const double sd = scene.noise_sigma * std::sqrt(n * chirps / 1.5);
  const std::uint64_t base = static_cast<std::uint64_t>(index) * f.raw.size();
  for (std::size_t i = 0; i < f.raw.size(); ++i) {
    f.raw[i] += static_cast<float>(sd * Gaussian(scene.seed + 7, base + i));
  }
  return f;
}

/// Everything a run produced.
struct RunResult {
  std::vector<EpochEstimate> epochs;
  std::vector<pipeline::RespirationFeatures> features;
  std::vector<pipeline::RespSample> stream;
};

/// Feeds `duration_s` of `scene` (range frames) through `p`, then Finish().
inline RunResult Run(pipeline::TrackingPipeline& p, const RadarInfo& radar, const AppSettings& settings,
                     const Scene& scene, double duration_s) {
  RunResult out;
  std::vector<AlarmDecision> alarms;
  p.Start(radar, settings);
  const auto frames = static_cast<std::int64_t>(std::llround(duration_s * radar.frame_rate_hz));
  for (std::int64_t i = 0; i < frames; ++i) {
    p.OnFrame(MakeRangeFrame(radar, scene, i), &out.epochs, &alarms);
    if (i % 200 == 0) p.TakeRespStream(&out.stream);
  }
  p.Finish(&out.epochs, &alarms);
  p.TakeFeatures(&out.features);
  p.TakeRespStream(&out.stream);
  return out;
}

}  // namespace nightsim::testing
