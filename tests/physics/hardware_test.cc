// Tests the chip's fingerprint (physics/hardware.h) against its closed forms: the leakage
// tone, its fluctuation's spread, receiver gain and phase mismatch, the DC offset and the
// chirp-start transient, range = FFT(raw) with all of them, and each switch.

#include "physics/hardware.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "physics/radar_config.h"
#include "physics_test_util.h"

namespace nightsim::physics {
namespace {

using testing::BoresightDevice;
using testing::CleanOptions;
using testing::EmptyRoom;
using testing::PeakBin;

constexpr double kTwoPi = 2.0 * std::numbers::pi;

// The recording's configuration with a steady leakage (no jitter, no drift), so that one
// frame can be compared with the closed form.
DeviceSpec SteadyLeakageDevice() {
  DeviceSpec dev = BoresightDevice();
  EXPECT_TRUE(ApplyRadarPreset("bgt60tr13c_wideband", &dev.radar));
  dev.radar.leakage_jitter_db = -200.0;
  dev.radar.leakage_drift_deg = 0.0;
  return dev;
}

double MaxRelativeError(std::span<const std::complex<float>> got, std::span<const std::complex<double>> want) {
  double peak = 0.0, err = 0.0;
  for (std::size_t i = 0; i < want.size(); ++i) {
    peak = std::max(peak, std::abs(want[i]));
    err = std::max(err, std::abs(std::complex<double>(got[i]) - want[i]));
  }
  return err / peak;
}

TEST(Hardware, TheLeakageIsTheRadarEquationsToneOfItsCoupling) {
  const DeviceSpec dev = SteadyLeakageDevice();
  RadarSimulatorOptions o = CleanOptions();
  o.dc_offset = false;
  RadarSimulator sim(EmptyRoom(), dev, 1, o);
  const RadarFrame f = testing::Range(sim, 0, {});
  // A = √(2 R P_t c) · g_rf g_if · |H(f_L)| · g_rx, f_L = S L / c, path L = leakage_path_m.
  const FmcwConstants& k = sim.constants();
  const double beat_hz = k.slope_hz_per_s * dev.radar.leakage_path_m / kSpeedOfLightMps;
  Tone want;
  for (int r = 0; r < 3; ++r) {
    const double coupling = std::pow(10.0, dev.radar.leakage_dbc[r] / 10.0);
    const double chain = std::pow(10.0, (dev.radar.rf_gain_db + dev.radar.if_gain_db) / 20.0);
    want.amplitude_v[r] = std::sqrt(2.0 * kLoadOhm * 1e-3 * std::pow(10.0, dev.radar.tx_power_dbm / 10.0) * coupling) *
                          chain * IfFilterGain(dev.radar, beat_hz) * std::pow(10.0, dev.radar.rx_gain_db[r] / 20.0);
    want.path_m[r] = dev.radar.leakage_path_m;
  }
  std::vector<std::complex<double>> profile(3 * k.bins);
  sim.synthesizer().AddRangeExact(want, profile);
  EXPECT_LT(MaxRelativeError(f.range, profile), 1e-5);
  // A few centimetres of range: the first bins, about 20 dB above a chest at 0.33 m (README of the data).
  EXPECT_LE(PeakBin(f, 0), 2);
  EXPECT_NEAR(20 * std::log10(std::abs(f.Range(0, PeakBin(f, 0))) / std::abs(f.Range(2, PeakBin(f, 2)))),
              dev.radar.leakage_dbc[0] - dev.radar.leakage_dbc[2] + dev.radar.rx_gain_db[0] - dev.radar.rx_gain_db[2],
              1.0);
}

TEST(Hardware, TheLeakagesJitterAndDriftHaveTheirStatedSpread) {
  DeviceSpec dev = SteadyLeakageDevice();
  dev.radar.leakage_jitter_db = -50.0;  // |g − 1| rms 3.16e-3
  const FmcwSynthesizer synth(dev.radar);
  const Hardware jitter(dev.radar, synth, 7);
  double sum2 = 0.0;
  const int frames = 20000;
  for (int i = 0; i < frames; ++i) sum2 += std::norm(jitter.LeakageFluctuation(i));
  EXPECT_NEAR(std::sqrt(sum2 / frames), std::pow(10.0, -50.0 / 20.0), 0.03 * std::pow(10.0, -50.0 / 20.0));

  dev.radar.leakage_jitter_db = -200.0;
  dev.radar.leakage_drift_deg = 0.5;
  const Hardware drift(dev.radar, synth, 7);
  double phase2 = 0.0;
  const int hours_of_frames = static_cast<int>(2 * 3600 * dev.radar.frame_rate_hz);
  for (int i = 0; i < hours_of_frames; ++i) phase2 += std::pow(std::arg(1.0 + drift.LeakageFluctuation(i)), 2);
  EXPECT_NEAR(std::sqrt(phase2 / hours_of_frames) * 180.0 / std::numbers::pi, 0.5, 0.05);
  // A pure function of (seed, frame): asked again, or by a second device, the same value.
  EXPECT_EQ(drift.LeakageFluctuation(1234), Hardware(dev.radar, synth, 7).LeakageFluctuation(1234));
  EXPECT_NE(drift.LeakageFluctuation(1234), Hardware(dev.radar, synth, 8).LeakageFluctuation(1234));
}

TEST(Hardware, ReceiverMismatchScalesAndTurnsEachReceiver) {
  DeviceSpec dev = BoresightDevice();
  dev.radar.rx_gain_db = {0.0, -3.0, 2.0};
  dev.radar.rx_phase_deg = {0.0, 30.0, -20.0};
  const PointTarget target{Eigen::Vector3d(1.5, 2.0, 1.0), Eigen::Vector3d::Zero(), 0.0};
  RadarSimulatorOptions matched = CleanOptions();
  matched.rx_mismatch = false;
  RadarSimulator ideal(EmptyRoom(), dev, 1, matched);
  RadarSimulator real(EmptyRoom(), dev, 1, CleanOptions());
  const RadarFrame a = testing::Range(ideal, 0, std::span(&target, 1));
  const RadarFrame b = testing::Range(real, 0, std::span(&target, 1));
  const int bin = PeakBin(a, 0);
  for (int r = 0; r < 3; ++r) {
    const std::complex<double> ratio = std::complex<double>(b.Range(r, bin)) / std::complex<double>(a.Range(r, bin));
    EXPECT_NEAR(20 * std::log10(std::abs(ratio)), dev.radar.rx_gain_db[r], 0.05) << "rx " << r;
    EXPECT_NEAR(std::arg(ratio) * 180.0 / std::numbers::pi, dev.radar.rx_phase_deg[r], 1.0) << "rx " << r;
  }
}

TEST(Hardware, DcOffsetAndTheChirpStartTransientAreInEveryChirp) {
  const DeviceSpec dev = SteadyLeakageDevice();
  RadarSimulator sim(EmptyRoom(), dev, 1, CleanOptions());
  RadarFrame f;
  sim.SynthesizeFrame(0, {}, {}, {}, RadarLevel::kRaw, &f);
  const FmcwConstants& k = sim.constants();
  const Tone& leak = *sim.hardware().leakage();
  // x[n] = dc + A cos(ω n + φ0) + A (1/|H| − 1) cos φ0 · e^{−2π f_hp n / fs}
  const double beat_hz = k.slope_hz_per_s * dev.radar.leakage_path_m / kSpeedOfLightMps;
  const double h = IfFilterGain(dev.radar, beat_hz);
  for (int r = 0; r < 3; ++r) {
    const double a = leak.amplitude_v[r];
    const double tau = leak.path_m[r] / kSpeedOfLightMps;
    const double phi0 = kTwoPi * k.start_hz * tau - std::numbers::pi * k.slope_hz_per_s * tau * tau;
    const double omega = kTwoPi * k.slope_hz_per_s * tau / k.sample_rate_hz;
    for (int m = 0; m < k.chirps; m += k.chirps - 1) {
      for (int n = 0; n < k.samples; ++n) {
        const double want = dev.radar.dc_offset_v[r] + a * std::cos(omega * n + phi0) +
                            a * (1.0 / h - 1.0) * std::cos(phi0) *
                                std::exp(-kTwoPi * dev.radar.if_highpass_hz * n / k.sample_rate_hz);
        ASSERT_NEAR(f.Raw(m, r, n), want, 1e-5 * a) << "rx " << r << " chirp " << m << " sample " << n;
      }
    }
  }
}

TEST(Hardware, TheFftOfRawEqualsRangeWithTheWholeFingerprint) {
  DeviceSpec dev = BoresightDevice();
  ASSERT_TRUE(ApplyRadarPreset("bgt60tr13c_wideband", &dev.radar));
  RadarSimulatorOptions o = CleanOptions();
  o.static_scene = true;
  RoomSpec room = EmptyRoom();
  room.reflectivity = {0.3, 0.2, 0.2};
  const PointTarget target{Eigen::Vector3d(0.7, 2.05, 1.0), Eigen::Vector3d(0.0, 0.002, 0.0), -10.0};
  RadarSimulator range_sim(room, dev, 5, o);
  RadarSimulator raw_sim(room, dev, 5, o);
  std::vector<std::complex<double>> fft(3 * range_sim.constants().bins);
  for (int i = 0; i < 6; ++i) {
    RadarFrame a, b;
    range_sim.SynthesizeFrame(i, {}, {}, std::span(&target, 1), RadarLevel::kRange, &a);
    raw_sim.SynthesizeFrame(i, {}, {}, std::span(&target, 1), RadarLevel::kRaw, &b);
    raw_sim.synthesizer().RangeFromRaw(b.raw, fft);
    EXPECT_LT(MaxRelativeError(a.range, fft), 1e-4) << "frame " << i;
  }
}

TEST(Hardware, EachSwitchRemovesItsEffect) {
  RadarParams p;
  ASSERT_TRUE(ApplyRadarPreset("bgt60tr13c_wideband", &p));
  ASSERT_FALSE(p.leakage_dbc.empty());
  ASSERT_FALSE(p.dc_offset_v.empty());
  SimulationSpec off;
  off.leakage = off.rx_mismatch = off.dc_offset = off.if_filters = false;
  const RadarParams q = SimulatedHardware(p, off);
  EXPECT_TRUE(q.leakage_dbc.empty());
  EXPECT_TRUE(q.rx_gain_db.empty());
  EXPECT_TRUE(q.rx_phase_deg.empty());
  EXPECT_TRUE(q.dc_offset_v.empty());
  for (double f_hz : {1e3, 8e4, 4e5, 9e5}) EXPECT_EQ(IfFilterGain(q, f_hz), 1.0);
  EXPECT_LT(IfFilterGain(p, 1e3), 0.05);  // the 80 kHz high-pass, when on
  // The simulator without them: an empty room with noise off is exactly silent.
  DeviceSpec dev = BoresightDevice();
  dev.radar = p;
  RadarSimulatorOptions o = CleanOptions();
  o.leakage = o.dc_offset = false;
  RadarSimulator sim(EmptyRoom(), dev, 1, o);
  RadarFrame raw;
  sim.SynthesizeFrame(0, {}, {}, {}, RadarLevel::kRaw, &raw);
  for (float v : raw.raw) ASSERT_EQ(v, 0.0f);
  const RadarFrame range = testing::Range(sim, 1, {});
  for (const auto& v : range.range) ASSERT_EQ(v, std::complex<float>(0.0f, 0.0f));
}

}  // namespace
}  // namespace nightsim::physics
