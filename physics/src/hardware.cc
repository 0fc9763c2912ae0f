#include "physics/hardware.h"

#include <cmath>
#include <limits>
#include <numbers>

namespace nightsim::physics {
namespace {

constexpr double kTwoPi = 2.0 * std::numbers::pi;
using cd = std::complex<double>;
using cf = std::complex<float>;

// Drift periods: four sinusoids, log-spaced between 20 s and 5 min.
constexpr std::array<double, 4> kDriftPeriodS = {20.0, 49.3, 121.6, 300.0};

}  // namespace

RadarParams SimulatedHardware(const RadarParams& p, const SimulationSpec& sim) {
  RadarParams out = p;
  if (!sim.leakage) out.leakage_dbc.clear();
  if (!sim.rx_mismatch) {
    out.rx_gain_db.clear();
    out.rx_phase_deg.clear();
  }
  if (!sim.dc_offset) out.dc_offset_v.clear();
  if (!sim.if_filters) {  // IfFilterGain is 1 without a high-pass corner and with an infinite low-pass one
    out.if_highpass_hz = 0.0;
    out.if_lowpass_hz = std::numeric_limits<double>::infinity();
  }
  return out;
}

Hardware::Hardware(const RadarParams& p, const FmcwSynthesizer& synth, std::uint64_t seed, bool chirp_transient)
    : k_(synth.constants()), stream_(seed, StableId("radar"), StableId("leakage")) {
  const int n = k_.samples;
  const std::size_t row_samples = static_cast<std::size_t>(k_.num_rx) * n;
  chirp_offsets_v_.assign(row_samples, 0.0);
  for (int r = 0; r < k_.num_rx && r < static_cast<int>(p.dc_offset_v.size()); ++r) {
    for (int i = 0; i < n; ++i) chirp_offsets_v_[static_cast<std::size_t>(r) * n + i] = p.dc_offset_v[r];
    has_chirp_offsets_ = has_chirp_offsets_ || p.dc_offset_v[r] != 0.0;
  }
  if (p.leakage_dbc.empty()) return;

  // The coupled power P_t·c enters the receive chain like a return: A = √(2 R P) g |H(f_L)|.
  const double beat_hz = k_.slope_hz_per_s * p.leakage_path_m / kSpeedOfLightMps;
  const double filter = IfFilterGain(p, beat_hz);
  Tone tone;
  for (int r = 0; r < k_.num_rx; ++r) {
    const double coupling = r < static_cast<int>(p.leakage_dbc.size()) ? std::pow(10.0, p.leakage_dbc[r] / 10.0) : 0.0;
    tone.amplitude_v[r] = std::sqrt(2.0 * kLoadOhm * k_.tx_power_w * coupling) * k_.if_gain * filter * k_.rx_gain[r];
    tone.path_m[r] = p.leakage_path_m + k_.rx_path_offset_m[r];
  }
  leakage_ = tone;

  // In-phase and quadrature chirps of the leakage (a cos θ, a sin θ), and the chirp-start transient.
  const double decay_per_sample =
      chirp_transient && p.if_highpass_hz > 0 ? std::exp(-kTwoPi * p.if_highpass_hz / k_.sample_rate_hz) : 0.0;
  std::vector<double> in_phase(row_samples, 0.0), quadrature(row_samples, 0.0);
  synth.AddRawStationary(tone, in_phase);
  for (int r = 0; r < k_.num_rx; ++r) {
    const double a = tone.amplitude_v[r];
    const double tau = tone.path_m[r] / kSpeedOfLightMps;
    const double phi0 = kTwoPi * k_.start_hz * tau - std::numbers::pi * k_.slope_hz_per_s * tau * tau;
    const double omega = kTwoPi * k_.slope_hz_per_s * tau / k_.sample_rate_hz;
    const double transient = filter > 0.0 ? a / filter * (1.0 - filter) * std::cos(phi0) : 0.0;
    double decay = 1.0;
    for (int i = 0; i < n; ++i) {
      const std::size_t at = static_cast<std::size_t>(r) * n + i;
      quadrature[at] = a * std::sin(omega * i + phi0);
      if (decay_per_sample > 0.0) chirp_offsets_v_[at] += transient * decay;
      has_chirp_offsets_ = has_chirp_offsets_ || (decay_per_sample > 0.0 && transient != 0.0);
      decay *= decay_per_sample;
    }
  }
  std::vector<cd> range_i(static_cast<std::size_t>(k_.num_rx) * k_.bins), range_q(range_i.size());
  synth.AddRangeOfChirp(in_phase, range_i);
  synth.AddRangeOfChirp(quadrature, range_q);
  range_i_.assign(range_i.begin(), range_i.end());
  range_q_.assign(range_q.begin(), range_q.end());
  raw_i_.assign(in_phase.begin(), in_phase.end());
  raw_q_.assign(quadrature.begin(), quadrature.end());

  jitter_sd_ = std::pow(10.0, p.leakage_jitter_db / 20.0) * std::sqrt(0.5);
  // Σ of four sinusoids of amplitude a has variance 4 a² / 2: a = σ / √2.
  drift_amplitude_rad_ = p.leakage_drift_deg * std::numbers::pi / 180.0 / std::sqrt(2.0);
  RandomStream drift = stream_.Derive("drift");
  for (std::size_t i = 0; i < kDriftPeriodS.size(); ++i) {
    drift_hz_[i] = 1.0 / kDriftPeriodS[i];
    drift_phase_rad_[i] = drift.Uniform(0.0, kTwoPi);
  }
}

std::complex<double> Hardware::LeakageFluctuation(std::int64_t frame_index) const {
  if (!leakage_) return 0.0;
  const double t_s = static_cast<double>(frame_index) / k_.frame_rate_hz;
  double drift_rad = 0.0;
  for (std::size_t i = 0; i < drift_hz_.size(); ++i) {
    drift_rad += drift_amplitude_rad_ * std::sin(kTwoPi * drift_hz_[i] * t_s + drift_phase_rad_[i]);
  }
  RandomStream jitter = stream_.Derive(static_cast<std::uint64_t>(frame_index));
  const double jr = jitter.Normal(0.0, jitter_sd_);
  const double ji = jitter.Normal(0.0, jitter_sd_);
  return cd(1.0 + jr, ji) * cd(std::cos(drift_rad), std::sin(drift_rad)) - 1.0;
}

void Hardware::AddFluctuation(std::int64_t frame_index, SplitProfile* out) const {
  if (!leakage_) return;
  const cd g = LeakageFluctuation(frame_index);
  const float gr = static_cast<float>(g.real());
  const float gi = static_cast<float>(g.imag());
  for (int r = 0; r < k_.num_rx; ++r) {
    float* re = out->Re(r);
    float* im = out->Im(r);
    const cf* li = range_i_.data() + static_cast<std::size_t>(r) * k_.bins;
    const cf* lq = range_q_.data() + static_cast<std::size_t>(r) * k_.bins;
    for (int b = 0; b < k_.bins; ++b) {
      re[b] += gr * li[b].real() - gi * lq[b].real();
      im[b] += gr * li[b].imag() - gi * lq[b].imag();
    }
  }
}

void Hardware::AddFluctuation(std::int64_t frame_index, std::span<float> raw) const {
  if (!leakage_) return;
  const cd g = LeakageFluctuation(frame_index);
  const float gr = static_cast<float>(g.real());
  const float gi = static_cast<float>(g.imag());
  const std::size_t row = raw_i_.size();  // one chirp: [rx][sample]
  for (std::size_t start = 0; start + row <= raw.size(); start += row) {
    float* x = raw.data() + start;
    for (std::size_t i = 0; i < row; ++i) x[i] += gr * raw_i_[i] - gi * raw_q_[i];
  }
}

}  // namespace nightsim::physics
