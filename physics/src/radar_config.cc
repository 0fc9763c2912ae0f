#include "physics/radar_config.h"

#include <algorithm>
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
  auto warn = [&out](const char* key, std::string msg) { out.push_back({key, std::move(msg), true}); };
  auto range = [&bad](const char* key, double v, double lo, double hi, const char* unit) {
    if (!std::isfinite(v) || v < lo || v > hi) {
      bad(key, "expected a value in [" + Num(lo) + ", " + Num(hi) + "] " + unit + ", got " + Num(v));
      return false;
    }
    return true;
  };

  if (!p.preset.empty() && FindRadarPreset(p.preset) == nullptr) {
    std::string known;
    for (const std::string& name : RadarPresetNames()) known += (known.empty() ? "" : ", ") + name;
    bad("preset", "unknown preset '" + p.preset + "'; known: " + known + " (or empty for explicit values only)");
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
  range("rf_gain_db", p.rf_gain_db, -20.0, 60.0, "dB");
  range("leakage_path_m", p.leakage_path_m, 1e-4, 1.0, "m");
  range("leakage_jitter_db", p.leakage_jitter_db, -200.0, 0.0, "dB");
  range("leakage_drift_deg", p.leakage_drift_deg, 0.0, 180.0, "deg");
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
    warn("sample_rate_hz", "the Nyquist frequency covers ranges up to " + Num(nyquist_range_m) +
                               " m only: bodies farther away alias into nearer bins (a bedside radar that "
                               "must see across a bed needs at least " + Num(kMinUsefulRangeM) + " m)");
  }
  if (lp_ok && p.if_lowpass_hz > 0.5 * p.sample_rate_hz * (1.0 + 1e-9)) {
    bad("if_lowpass_hz", "the IF low-pass corner " + Num(p.if_lowpass_hz) + " Hz is above the Nyquist frequency " +
                             Num(0.5 * p.sample_rate_hz) + " Hz: returns beyond the maximum range would alias");
  }
  const double lowpass_range_m = kSpeedOfLightMps * p.if_lowpass_hz / (2.0 * slope_hz_per_s);
  if (lp_ok && lowpass_range_m < kMinUsefulRangeM) {
    warn("if_lowpass_hz", "the IF bandwidth passes beat frequencies of ranges up to " + Num(lowpass_range_m) +
                              " m only: farther returns are attenuated by the low-pass (a bedside radar that "
                              "must see across a bed needs at least " + Num(kMinUsefulRangeM) + " m)");
  }
  if (hp_ok && lp_ok && p.if_highpass_hz >= p.if_lowpass_hz) {
    bad("if_highpass_hz", "the IF high-pass corner must be below the low-pass corner " + Num(p.if_lowpass_hz) + " Hz");
  }
  const double wavelength_m = kSpeedOfLightMps / SampledCentreHz(p);
  // Δφ per frame = 4π v / (λ f_frame) < π  ⇔  f_frame > 4 v / λ
  const double min_frame_rate_hz = 4.0 * kMaxBreathingSpeedMps / wavelength_m;
  if (p.frame_rate_hz < min_frame_rate_hz) {
    warn("frame_rate_hz", "at " + Num(p.frame_rate_hz) + " frames/s the phase of the fastest breathing (up to " +
                              Num(kMaxBreathingSpeedMps * 1000) + " mm/s) wraps between frames and cannot be "
                              "unwrapped; unambiguous at " + Num(min_frame_rate_hz) + " frames/s or more at this "
                              "wavelength");
  }
  const int num_rx = p.rx_positions_m.empty() ? 3 : static_cast<int>(p.rx_positions_m.size());
  auto per_rx = [&](const char* key, const std::vector<double>& values) {
    if (!values.empty() && static_cast<int>(values.size()) != num_rx) {
      bad(key, "expected one value per receive antenna (" + std::to_string(num_rx) + "), got " +
                   std::to_string(values.size()));
    }
  };
  per_rx("leakage_dbc", p.leakage_dbc);
  per_rx("rx_gain_db", p.rx_gain_db);
  per_rx("rx_phase_deg", p.rx_phase_deg);
  per_rx("dc_offset_v", p.dc_offset_v);
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

double AdcLsbV(const RadarParams& p) { return 2.0 * p.adc_full_scale_v / std::ldexp(1.0, p.adc_bits); }

bool AnyRadarError(const std::vector<RadarParamProblem>& problems) {
  return std::any_of(problems.begin(), problems.end(), [](const RadarParamProblem& p) { return !p.warning; });
}

namespace {

RadarPreset Preset(std::string name, std::string description, RadarParams params) {
  params.preset = name;
  return {std::move(name), std::move(description), std::move(params)};
}

// What a BGT60TR13C unit adds to every frame, calibrated on the shared recording
// (../shared/data/radar/infineon_bgt60tr13c_breathing, IF gain 23 dB, reduced as
// hardware.h says; the figures are per RX):
// - Levels: noise 1.3 counts per sample (far bins' frame-to-frame floor 2.2–2.4 in FFT
//   counts), a chest at 0.33 m 47 dB above that floor. nightsim's radar equation gives the
//   chest 12–21 dB weaker and its thermal noise 28 dB lower at the same IF gain: 18 dB of
//   front-end conversion gain ahead of the IF gain and an effective noise figure of 22.5 dB
//   (thermal plus the IF chain's excess noise at these low beat frequencies) meet both.
// - Leakage: at 1.3–1.6 bins (a 7.6 cm electrical path), 428/178/94 counts of amplitude
//   after the 80 kHz high-pass: −43.2/−50.8/−56.4 dBc through the chain above; its
//   frame-to-frame fluctuation ≈ 0.3 % (−50 dB), its phase wanders ≈ 0.5° over 20 s.
// - Receivers: the chest reads 0/−2.0/−0.5 dB apart (taken as gain mismatch); the DC at the
//   ADC is −468/−81/+16 counts from mid-scale. The phase mismatch cannot be told apart
//   from the angle of arrival without a reference target: left at 0.
void ApplyBgt60tr13cFingerprint(RadarParams* p) {
  const double lsb_v = AdcLsbV(*p);
  p->rf_gain_db = 18.0;
  p->noise_figure_db = 22.5;
  p->leakage_dbc = {-43.2, -50.8, -56.4};
  p->leakage_path_m = 0.076;
  p->leakage_jitter_db = -50.0;
  p->leakage_drift_deg = 0.5;
  p->rx_gain_db = {0.0, -2.0, -0.5};
  p->dc_offset_v = {-468.0 * lsb_v, -81.0 * lsb_v, 16.0 * lsb_v};
}

// nightsim's reference configuration (RadarParams' defaults, an ideal chip) on a real
// unit: the same chip carries the same fingerprint whatever its chirps.
RadarParams Bgt60tr13cReference() {
  RadarParams p;
  ApplyBgt60tr13cFingerprint(&p);
  return p;
}

// The configuration of the shared BGT60TR13C breathing recording (Infineon ifxdaq
// config.json): 58–63.5 GHz, 64 samples at 2 MHz (a 32 µs ramp), 8 chirps 591 µs apart,
// a frame every 77.27 ms, IF gain 23 dB, high-pass 80 kHz, anti-aliasing 500 kHz.
RadarParams Bgt60tr13cWideband() {
  RadarParams p;
  p.start_hz = 58.0e9;
  p.bandwidth_hz = 5.5e9;
  p.samples_per_chirp = 64;
  p.sample_rate_hz = 2.0e6;
  p.chirp_s = 32e-6;
  p.chirps_per_frame = 8;
  p.chirp_repetition_s = 591.1249900236726e-6;
  p.frame_rate_hz = 1.0 / 0.07726884633302689;
  p.if_gain_db = 23.0;
  p.if_highpass_hz = 80e3;
  p.if_lowpass_hz = 500e3;
  ApplyBgt60tr13cFingerprint(&p);
  return p;
}

}  // namespace

const std::vector<RadarPreset>& RadarPresets() {
  static const std::vector<RadarPreset> presets = {
      Preset("bgt60tr13c",
             "Infineon BGT60TR13C, nightsim's reference configuration: 58.5-62.5 GHz, 128 samples at 2 MHz, "
             "16 chirps, 20 frames/s, IF gain 30 dB, 1 TX and 3 RX in an L at half a wavelength, with the "
             "chip's fingerprint",
             Bgt60tr13cReference()),
      Preset("bgt60tr13c_wideband",
             "Infineon BGT60TR13C as in the shared breathing recording (ifxdaq): 58-63.5 GHz, 64 samples at 2 MHz, "
             "8 chirps, 12.94 frames/s, IF gain 23 dB, high-pass 80 kHz, anti-aliasing 500 kHz",
             Bgt60tr13cWideband()),
  };
  return presets;
}

const RadarPreset* FindRadarPreset(std::string_view name) {
  for (const RadarPreset& p : RadarPresets()) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

std::vector<std::string> RadarPresetNames() {
  std::vector<std::string> names;
  for (const RadarPreset& p : RadarPresets()) names.push_back(p.name);
  return names;
}

bool ApplyRadarPreset(const std::string& name, RadarParams* p) {
  const RadarPreset* preset = FindRadarPreset(name);
  if (preset == nullptr) return false;
  *p = preset->params;
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
