#include "physics/radar_config.h"

#include <cmath>
#include <sstream>

namespace nightsim::physics {
namespace {

std::string Num(double v) {
  std::ostringstream s;
  s.precision(4);
  s << v;
  return s.str();
}

// Centre frequency of the sampled part of the ramp: f0 + S N / (2 fs).
double SampledCentreHz(const RadarParams& p) {
  const double slope = p.bandwidth_hz / p.chirp_s;
  return p.start_hz + 0.5 * slope * p.samples_per_chirp / p.sample_rate_hz;
}

}  // namespace

std::vector<RadarParamProblem> CheckRadarParams(const RadarParams& p) {
  std::vector<RadarParamProblem> out;
  auto bad = [&out](const char* key, std::string msg) { out.push_back({key, std::move(msg)}); };
  auto range = [&bad](const char* key, double v, double lo, double hi, const char* unit) {
    if (!std::isfinite(v) || v < lo || v > hi) {
      bad(key, "expected a value in [" + Num(lo) + ", " + Num(hi) + "] " + unit + ", got " + Num(v));
      return false;
    }
    return true;
  };

  if (!p.preset.empty() && p.preset != "bgt60tr13c") {
    bad("preset", "unknown preset '" + p.preset + "'; known: bgt60tr13c (or empty for explicit values only)");
  }
  bool ok = true;
  ok &= range("start_hz", p.start_hz, 1e9, 300e9, "Hz");
  ok &= range("bandwidth_hz", p.bandwidth_hz, 1e6, 20e9, "Hz");
  ok &= range("sample_rate_hz", p.sample_rate_hz, 1e4, 1e9, "Hz");
  ok &= range("chirp_s", p.chirp_s, 1e-7, 1e-2, "s");
  ok &= range("chirp_repetition_s", p.chirp_repetition_s, 1e-7, 1.0, "s");
  ok &= range("frame_rate_hz", p.frame_rate_hz, 0.1, 10000.0, "Hz");
  range("tx_power_dbm", p.tx_power_dbm, -40.0, 30.0, "dBm");
  range("antenna_gain_dbi", p.antenna_gain_dbi, -10.0, 40.0, "dBi");
  range("azimuth_fov_deg", p.azimuth_fov_deg, 1.0, 180.0, "deg");
  range("elevation_fov_deg", p.elevation_fov_deg, 1.0, 180.0, "deg");
  range("noise_figure_db", p.noise_figure_db, 0.0, 40.0, "dB");
  range("if_gain_db", p.if_gain_db, -20.0, 100.0, "dB");
  range("adc_full_scale_v", p.adc_full_scale_v, 1e-3, 100.0, "V");
  range("phase_noise_dbc_hz", p.phase_noise_dbc_hz, -200.0, -40.0, "dBc/Hz");
  const bool hp_ok = range("if_highpass_hz", p.if_highpass_hz, 0.0, 1e9, "Hz");
  const bool lp_ok = range("if_lowpass_hz", p.if_lowpass_hz, 1.0, 1e9, "Hz");
  if (p.samples_per_chirp < 16 || p.samples_per_chirp > 4096 || p.samples_per_chirp % 2 != 0) {
    bad("samples_per_chirp", "expected an even number in [16, 4096], got " + std::to_string(p.samples_per_chirp));
    ok = false;
  }
  if (p.chirps_per_frame < 1 || p.chirps_per_frame > 256) {
    bad("chirps_per_frame", "expected an integer in [1, 256], got " + std::to_string(p.chirps_per_frame));
    ok = false;
  }
  if (p.adc_bits < 4 || p.adc_bits > 24) {
    bad("adc_bits", "expected an integer in [4, 24], got " + std::to_string(p.adc_bits));
  }
  if (!ok) return out;  // derived checks need sane basics

  const double sampling_s = p.samples_per_chirp / p.sample_rate_hz;
  if (p.chirp_s < sampling_s * (1.0 - 1e-9)) {
    bad("chirp_s", "the ramp (" + Num(p.chirp_s) + " s) is shorter than the sampling window samples_per_chirp / "
                   "sample_rate_hz = " + Num(sampling_s) + " s");
  }
  if (p.chirp_repetition_s < p.chirp_s) {
    bad("chirp_repetition_s", "chirps overlap: the repetition interval " + Num(p.chirp_repetition_s) +
                                  " s is shorter than the ramp " + Num(p.chirp_s) + " s");
  }
  const double frame_s = 1.0 / p.frame_rate_hz;
  if (p.chirps_per_frame * p.chirp_repetition_s > frame_s) {
    bad("chirps_per_frame", std::to_string(p.chirps_per_frame) + " chirps of " + Num(p.chirp_repetition_s) +
                                " s do not fit into one frame period of " + Num(frame_s) + " s");
  }
  const double slope_hz_per_s = p.bandwidth_hz / p.chirp_s;
  // f_b = 2 S R / c  →  R = c f_b / (2 S)
  const double nyquist_range_m = kSpeedOfLightMps * 0.5 * p.sample_rate_hz / (2.0 * slope_hz_per_s);
  if (nyquist_range_m < kMinUsefulRangeM) {
    bad("sample_rate_hz", "the Nyquist frequency covers ranges up to " + Num(nyquist_range_m) +
                              " m only; a bedside radar needs at least " + Num(kMinUsefulRangeM) +
                              " m (raise the sample rate or lower the chirp slope)");
  }
  if (lp_ok && p.if_lowpass_hz > 0.5 * p.sample_rate_hz * (1.0 + 1e-9)) {
    bad("if_lowpass_hz", "the IF low-pass corner " + Num(p.if_lowpass_hz) + " Hz is above the Nyquist frequency " +
                             Num(0.5 * p.sample_rate_hz) + " Hz: returns beyond the maximum range would alias");
  }
  const double lowpass_range_m = kSpeedOfLightMps * p.if_lowpass_hz / (2.0 * slope_hz_per_s);
  if (lp_ok && lowpass_range_m < kMinUsefulRangeM) {
    bad("if_lowpass_hz", "the IF bandwidth passes beat frequencies of ranges up to " + Num(lowpass_range_m) +
                             " m only; a bedside radar needs at least " + Num(kMinUsefulRangeM) + " m");
  }
  if (hp_ok && lp_ok && p.if_highpass_hz >= p.if_lowpass_hz) {
    bad("if_highpass_hz", "the IF high-pass corner must be below the low-pass corner " + Num(p.if_lowpass_hz) + " Hz");
  }
  const double wavelength_m = kSpeedOfLightMps / SampledCentreHz(p);
  // Δφ per frame = 4π v / (λ f_frame) < π  ⇔  f_frame > 4 v / λ
  const double min_frame_rate_hz = 4.0 * kMaxBreathingSpeedMps / wavelength_m;
  if (p.frame_rate_hz < min_frame_rate_hz) {
    bad("frame_rate_hz", "at " + Num(p.frame_rate_hz) + " frames/s breathing phase (up to " +
                             Num(kMaxBreathingSpeedMps * 1000) + " mm/s) cannot be unwrapped; needs at least " +
                             Num(min_frame_rate_hz) + " frames/s at this wavelength");
  }
  if (!p.rx_positions_m.empty()) {
    if (static_cast<int>(p.rx_positions_m.size()) > kMaxRx) {
      bad("rx_positions_m", "at most " + std::to_string(kMaxRx) + " receive antennas are supported");
    }
    for (std::size_t i = 0; i < p.rx_positions_m.size(); ++i) {
      for (double v : p.rx_positions_m[i]) {
        if (!std::isfinite(v) || std::fabs(v) > 0.1) {
          bad("rx_positions_m", "antenna " + std::to_string(i) + " must lie within 0.1 m of the device origin");
          break;
        }
      }
      for (std::size_t j = 0; j < i; ++j) {
        const auto& a = p.rx_positions_m[i];
        const auto& b = p.rx_positions_m[j];
        const double d = std::hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
        if (d < 0.05 * wavelength_m) {
          bad("rx_positions_m", "antennas " + std::to_string(j) + " and " + std::to_string(i) + " coincide");
        }
      }
    }
  }
  return out;
}

bool ApplyRadarPreset(const std::string& name, RadarParams* p) {
  if (name != "bgt60tr13c") return false;
  *p = RadarParams{};  // the struct's defaults are the BGT60TR13C-like reference preset
  p->preset = name;
  return true;
}

std::vector<std::array<double, 3>> ResolveRxPositions(const RadarParams& p) {
  if (!p.rx_positions_m.empty()) return p.rx_positions_m;
  const double half_wavelength_m = 0.5 * kSpeedOfLightMps / SampledCentreHz(p);
  return {{0.0, 0.0, 0.0}, {half_wavelength_m, 0.0, 0.0}, {0.0, 0.0, half_wavelength_m}};
}

RadarInfo MakeRadarInfo(const RadarParams& p) {
  RadarInfo info;
  info.start_hz = p.start_hz;
  info.bandwidth_hz = p.bandwidth_hz;
  info.chirp_s = p.chirp_s;
  info.samples_per_chirp = p.samples_per_chirp;
  info.sample_rate_hz = p.sample_rate_hz;
  info.chirps_per_frame = p.chirps_per_frame;
  info.frame_rate_hz = p.frame_rate_hz;
  info.range_bins = p.samples_per_chirp / 2;
  // Bin spacing of the sampled sweep: ΔR = c fs / (2 S N) (= c / 2B when the ramp equals the window).
  const double slope_hz_per_s = p.bandwidth_hz / p.chirp_s;
  info.range_bin_m = kSpeedOfLightMps * p.sample_rate_hz / (2.0 * slope_hz_per_s * p.samples_per_chirp);
  for (const auto& a : ResolveRxPositions(p)) info.rx.push_back({a[0], a[1], a[2]});
  return info;
}

}  // namespace nightsim::physics
