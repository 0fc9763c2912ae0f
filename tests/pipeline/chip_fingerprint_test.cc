// The BGT60TR13C's fingerprint (physics/hardware.h: leakage, receiver mismatch, DC
// offset, the real gain chain and noise) made the reference preset's nights a real
// unit's. Statistical comparison of the same nights with the ideal chip (RadarParams'
// own defaults, the reference preset before the fingerprint) and with the preset as it
// is: the tracker must see the same people and the same breathing, within tolerances
// that a real regression (a lost sleeper, a leakage bin tracked, a biased rate) breaks.
// About 30 s of CPU.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "real_nights.h"

namespace nightsim::pipeline {
namespace {

using testing::Metric;
using testing::RunRealNight;

// A couple, the primary beside the radar, with a restroom trip: one hour and a half.
std::string Couple(const std::string& radar, const std::string& simulation) {
  return R"(
extends: base_bedroom.yaml
name: test_chip_fingerprint
night: {start: "23:00", end: "00:30"}
device: {bed_side: left, radar: )" + radar + R"(}
simulation: )" + simulation + R"(
people:
  - id: alex
    role: primary
    side: left
    schedule: {bedtime: "23:02", bedtime_sd_min: 0, activity: phone, activity_min: 5,
               wake_mode: natural, wake: "00:26", wake_sd_min: 0}
    events:
      - {kind: restroom, at: "23:45", duration_min: 4}
    rates: {restroom_per_night: 0}
  - id: sam
    role: partner
    side: right
    sex: male
    schedule: {bedtime: "23:01", bedtime_sd_min: 0, activity: phone, activity_min: 3,
               wake_mode: natural, wake: "00:28", wake_sd_min: 0}
    rates: {restroom_per_night: 0}
)";
}

// RadarParams' defaults: no leakage, matched receivers, no DC, no RF gain, NF 12 dB.
constexpr char kIdealChip[] = "{preset: bgt60tr13c, rf_gain_db: 0, noise_figure_db: 12}";
constexpr char kIdealEffects[] = "{leakage: false, rx_mismatch: false, dc_offset: false}";
constexpr char kReferencePreset[] = "{preset: bgt60tr13c}";

TEST(ChipFingerprintTest, TheRealChipsNightsTrackTheSamePeopleAndBreathing) {
  std::vector<double> d_primary, d_presence, d_mae, rate_diffs;
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    const harness::NightRun ideal = RunRealNight(Couple(kIdealChip, kIdealEffects), seed);
    const harness::NightRun real = RunRealNight(Couple(kReferencePreset, "{}"), seed);
    SCOPED_TRACE("seed " + std::to_string(seed));
    // Nobody but the primary, on either chip.
    EXPECT_EQ(Metric(real, "identity.partner_min"), 0.0);
    EXPECT_EQ(Metric(ideal, "identity.partner_min"), 0.0);
    d_primary.push_back(Metric(real, "identity.primary_fraction") - Metric(ideal, "identity.primary_fraction"));
    d_presence.push_back(Metric(real, "presence.f1") - Metric(ideal, "presence.f1"));
    d_mae.push_back(Metric(real, "resp.rate_mae_bpm") - Metric(ideal, "resp.rate_mae_bpm"));
    // Per epoch, where both tracked the primary: the same breathing rate.
    ASSERT_EQ(real.estimates.size(), ideal.estimates.size());
    for (std::size_t i = 0; i < real.estimates.size(); ++i) {
      const EpochEstimate& a = real.estimates[i];
      const EpochEstimate& b = ideal.estimates[i];
      if (a.tracking && b.tracking && a.resp_rate_bpm > 0 && b.resp_rate_bpm > 0) {
        rate_diffs.push_back(a.resp_rate_bpm - b.resp_rate_bpm);
      }
    }
  }
  auto mean = [](const std::vector<double>& v) {
    double s = 0;
    for (double x : v) s += x;
    return s / static_cast<double>(v.size());
  };
  EXPECT_GT(mean(d_primary), -0.02);   // tracked share of the primary's in-bed epochs
  EXPECT_GT(mean(d_presence), -0.02);  // presence F1
  EXPECT_LT(mean(d_mae), 0.2);         // breathing-rate MAE, 1/min
  ASSERT_GE(rate_diffs.size(), 300u);
  std::sort(rate_diffs.begin(), rate_diffs.end());
  const double median = rate_diffs[rate_diffs.size() / 2];
  const double p90_abs = [&] {
    std::vector<double> a;
    for (double d : rate_diffs) a.push_back(std::abs(d));
    std::sort(a.begin(), a.end());
    return a[a.size() * 9 / 10];
  }();
  EXPECT_LT(std::abs(median), 0.1);  // no bias between the chips, 1/min
  EXPECT_LT(p90_abs, 1.0);           // nine epochs in ten within 1 /min of each other
  std::cout << "paired (real − ideal): primary " << mean(d_primary) << ", presence F1 " << mean(d_presence)
            << ", MAE " << mean(d_mae) << " /min; per-epoch rate: median " << median << ", 90 % of |Δ| < "
            << p90_abs << " /min over " << rate_diffs.size() << " epochs\n";
}

}  // namespace
}  // namespace nightsim::pipeline
