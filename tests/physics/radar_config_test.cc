// Tests the radar preset, derived RadarInfo and the rejection of impossible parameters.

#include "physics/radar_config.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace nightsim::physics {
namespace {

bool HasKey(const std::vector<RadarParamProblem>& problems, const std::string& key) {
  return std::any_of(problems.begin(), problems.end(), [&](const auto& p) { return p.key == key; });
}
bool HasError(const std::vector<RadarParamProblem>& problems, const std::string& key) {
  return std::any_of(problems.begin(), problems.end(), [&](const auto& p) { return p.key == key && !p.warning; });
}
bool HasWarning(const std::vector<RadarParamProblem>& problems, const std::string& key) {
  return std::any_of(problems.begin(), problems.end(), [&](const auto& p) { return p.key == key && p.warning; });
}

TEST(RadarConfig, ThePresetIsValid) {
  RadarParams p;
  EXPECT_TRUE(CheckRadarParams(p).empty());
  p.tx_power_dbm = 0;
  ASSERT_TRUE(ApplyRadarPreset("bgt60tr13c", &p));
  EXPECT_EQ(p.tx_power_dbm, RadarParams{}.tx_power_dbm);
  EXPECT_TRUE(CheckRadarParams(p).empty());
}

TEST(RadarConfig, EveryPresetIsValidAndNamedOnce) {
  const std::vector<std::string> names = RadarPresetNames();
  ASSERT_FALSE(names.empty());
  EXPECT_EQ(names.front(), "bgt60tr13c");
  for (const RadarPreset& preset : RadarPresets()) {
    EXPECT_EQ(std::count(names.begin(), names.end(), preset.name), 1) << preset.name;
    EXPECT_EQ(preset.params.preset, preset.name);
    EXPECT_FALSE(preset.description.empty());
    EXPECT_FALSE(AnyRadarError(CheckRadarParams(preset.params))) << preset.name;
    RadarParams p;
    ASSERT_TRUE(ApplyRadarPreset(preset.name, &p));
    EXPECT_EQ(p.samples_per_chirp, preset.params.samples_per_chirp);
  }
}

// Every BGT60TR13C preset is the same chip: the fingerprint calibrated on the shared
// recording (gain chain, leakage, receiver mismatch, DC) whatever its chirps, while
// RadarParams' own defaults stay the ideal chip the closed-form tests use.
TEST(RadarConfig, TheBgt60tr13cPresetsCarryTheChipsFingerprint) {
  const RadarParams& reference = FindRadarPreset("bgt60tr13c")->params;
  const RadarParams& wideband = FindRadarPreset("bgt60tr13c_wideband")->params;
  for (const RadarParams* p : {&reference, &wideband}) {
    EXPECT_EQ(p->rf_gain_db, 18.0);
    EXPECT_EQ(p->noise_figure_db, 22.5);
    EXPECT_EQ(p->leakage_dbc.size(), 3u);
    EXPECT_EQ(p->rx_gain_db, reference.rx_gain_db);
    EXPECT_EQ(p->dc_offset_v, reference.dc_offset_v);
  }
  EXPECT_EQ(reference.samples_per_chirp, RadarParams{}.samples_per_chirp);
  EXPECT_EQ(reference.if_gain_db, RadarParams{}.if_gain_db);
  EXPECT_TRUE(RadarParams{}.leakage_dbc.empty());
  EXPECT_EQ(RadarParams{}.rf_gain_db, 0.0);
}

// The shared BGT60TR13C recording's configuration (58–63.5 GHz, 64 samples at 2 MHz,
// 8 chirps, 12.94 frames/s) is a device people own: it runs, with warnings that name
// what a bedside night loses (a 0.87 m Nyquist range, breathing phase that can wrap).
TEST(RadarConfig, TheRecordingsConfigurationRunsWithWarningsNotErrors) {
  const RadarPreset* preset = FindRadarPreset("bgt60tr13c_wideband");
  ASSERT_NE(preset, nullptr);
  const auto problems = CheckRadarParams(preset->params);
  EXPECT_FALSE(AnyRadarError(problems));
  EXPECT_TRUE(HasWarning(problems, "sample_rate_hz"));
  EXPECT_TRUE(HasWarning(problems, "frame_rate_hz"));
  const RadarInfo info = MakeRadarInfo(preset->params);
  EXPECT_EQ(info.range_bins, 32);
  EXPECT_NEAR(info.range_bin_m, 0.02725, 1e-5);  // c / 2B with B = 5.5 GHz
  EXPECT_NEAR(info.frame_rate_hz, 12.942, 1e-3);
}

TEST(RadarConfig, AnUnknownPresetIsRejected) {
  RadarParams p;
  EXPECT_FALSE(ApplyRadarPreset("awr1642", &p));
  p.preset = "awr1642";
  EXPECT_TRUE(HasKey(CheckRadarParams(p), "preset"));
}

TEST(RadarConfig, RadarInfoOfThePreset) {
  const RadarInfo info = MakeRadarInfo(RadarParams{});
  EXPECT_EQ(info.range_bins, 64);
  EXPECT_NEAR(info.range_bin_m, 0.0375, 1e-4);  // c / 2B
  EXPECT_NEAR(info.chirp_s, 64e-6, 1e-12);
  ASSERT_EQ(info.rx.size(), 3u);
  const double half_lambda = 0.5 * info.wavelength_m();
  EXPECT_NEAR(info.rx[1].x_m, half_lambda, 1e-9);  // azimuth pair
  EXPECT_NEAR(info.rx[2].z_m, half_lambda, 1e-9);  // elevation pair
}

TEST(RadarConfig, ARangeBeyondTheIfBandwidthIsAWarning) {
  RadarParams p;
  p.if_lowpass_hz = 300e3;  // 300 kHz ↔ 0.72 m at S = 62.5 MHz/µs
  EXPECT_TRUE(HasWarning(CheckRadarParams(p), "if_lowpass_hz"));
  EXPECT_FALSE(AnyRadarError(CheckRadarParams(p)));
}

TEST(RadarConfig, AliasingIsRejectedAShortNyquistRangeIsAWarning) {
  RadarParams p;
  p.if_lowpass_hz = 1.5e6;  // above fs/2 = 1 MHz
  EXPECT_TRUE(HasError(CheckRadarParams(p), "if_lowpass_hz"));
  RadarParams q;
  q.sample_rate_hz = 1.0e6;  // Nyquist range 1.2 m
  q.samples_per_chirp = 64;
  q.if_lowpass_hz = 0.5e6;
  EXPECT_TRUE(HasWarning(CheckRadarParams(q), "sample_rate_hz"));
  EXPECT_FALSE(AnyRadarError(CheckRadarParams(q)));
}

TEST(RadarConfig, AFrameRateTooLowToUnwrapBreathingIsAWarning) {
  RadarParams p;
  p.frame_rate_hz = 5.0;  // needs 4 v / λ ≈ 16 frames/s
  EXPECT_TRUE(HasWarning(CheckRadarParams(p), "frame_rate_hz"));
  EXPECT_FALSE(AnyRadarError(CheckRadarParams(p)));
  p.frame_rate_hz = 17.0;
  EXPECT_FALSE(HasKey(CheckRadarParams(p), "frame_rate_hz"));
}

TEST(RadarConfig, TimingThatCannotWorkIsRejected) {
  RadarParams p;
  p.chirp_s = 30e-6;  // shorter than 128 samples at 2 MHz
  EXPECT_TRUE(HasError(CheckRadarParams(p), "chirp_s"));
  RadarParams q;
  q.chirps_per_frame = 200;  // 200 × 300 µs > 50 ms
  EXPECT_TRUE(HasError(CheckRadarParams(q), "chirps_per_frame"));
  RadarParams r;
  r.samples_per_chirp = 127;
  EXPECT_TRUE(HasError(CheckRadarParams(r), "samples_per_chirp"));
  RadarParams s;
  s.chirp_repetition_s = 50e-6;  // shorter than the 64 µs ramp
  EXPECT_TRUE(HasError(CheckRadarParams(s), "chirp_repetition_s"));
}

TEST(RadarConfig, ABadAntennaLayoutIsRejected) {
  RadarParams p;
  p.rx_positions_m = {{0, 0, 0}, {0, 0, 0}};
  EXPECT_TRUE(HasKey(CheckRadarParams(p), "rx_positions_m"));
  p.rx_positions_m = {{0, 0, 0}, {0.5, 0, 0}};
  EXPECT_TRUE(HasKey(CheckRadarParams(p), "rx_positions_m"));
  p.rx_positions_m = {{0, 0, 0}, {0.0025, 0, 0}};
  EXPECT_TRUE(CheckRadarParams(p).empty());
}

TEST(RadarConfig, EveryProblemIsReportedNotJustTheFirst) {
  RadarParams p;
  p.adc_bits = 2;
  p.noise_figure_db = -3;
  p.azimuth_fov_deg = 0;
  EXPECT_GE(CheckRadarParams(p).size(), 3u);
}

}  // namespace
}  // namespace nightsim::physics
