// Tests of the continuous body signals: breathing by stage (ordering and overlap of
// the published distributions), long-range correlation in REM, waveform shape,
// apneas, heartbeat, and the non-decreasing-time contract.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "sleepers/body_signal.h"
#include "sleepers/night.h"
#include "sleepers/sleep_measures.h"
#include "test_scenarios.h"

namespace nightsim::sleepers {
namespace {

// A person lying in bed in one stage for `hours`.
BodyTimeline ConstantStage(int stage, double hours, std::uint64_t seed) {
  BodyTimeline tl;
  tl.spec.id = "probe";
  tl.physiology = ResolvePersonPhysiology(PersonSpec{});
  tl.seed = seed;
  tl.states.push_back({0.0, Place::kInBed, Posture::kBack, stage, true, Activity::kNone});
  tl.states.push_back({hours * 3600.0, Place::kInBed, Posture::kBack, stage, true, Activity::kNone});
  return tl;
}

double Mean(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s / static_cast<double>(v.size());
}

double Quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(q * static_cast<double>(v.size() - 1))];
}

double Autocorrelation(const std::vector<double>& x, std::size_t lag) {
  const double m = Mean(x);
  double num = 0, den = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    den += (x[i] - m) * (x[i] - m);
    if (i + lag < x.size()) num += (x[i] - m) * (x[i + lag] - m);
  }
  return num / den;
}

// Per-epoch mean breathing rate and depth of many nights, pooled by truth stage.
struct StageBreathing {
  std::array<std::vector<double>, 5> rate_bpm, depth_m, abdominal_share, interval_cv;
};

StageBreathing CollectByStage(int nights) {
  StageBreathing out;
  const Scenario s = testing::HealthyAdultScenario();
  for (int n = 0; n < nights; ++n) {
    const Night night = SimulateNight(s, 500 + static_cast<std::uint64_t>(n));
    const PersonTruth& truth = night.people[0];
    BreathGenerator gen(night.bodies[0], RandomStream(night.seed, "alice", "breathing"));
    Breath b = gen.Next();
    for (const auto& e : truth.epochs) {
      std::vector<double> periods, depths, shares;
      while (b.t0_s < e.t_s) b = gen.Next();
      while (b.t0_s < e.t_s + night.epoch_s) {
        if (!b.apnea && !b.sigh) {
          periods.push_back(b.period_s);
          depths.push_back(b.chest_pp_m + b.abdomen_pp_m);
          shares.push_back(b.abdomen_pp_m / (b.chest_pp_m + b.abdomen_pp_m));
        }
        b = gen.Next();
      }
      if (e.stage < 0 || !e.in_bed || periods.size() < 4) continue;
      const auto k = static_cast<std::size_t>(e.stage);
      const double mean_period = Mean(periods);
      double var = 0;
      for (double p : periods) var += (p - mean_period) * (p - mean_period);
      out.rate_bpm[k].push_back(60.0 / mean_period);
      out.depth_m[k].push_back(Mean(depths));
      out.abdominal_share[k].push_back(Mean(shares));
      out.interval_cv[k].push_back(std::sqrt(var / static_cast<double>(periods.size())) / mean_period);
    }
  }
  return out;
}

TEST(Breathing, StageDistributionsHaveThePublishedOrderingAndOverlap) {
  const StageBreathing b = CollectByStage(40);
  std::array<double, 5> rate{}, depth{}, share{}, cv{};
  for (std::size_t k = 0; k < 5; ++k) {
    ASSERT_GT(b.rate_bpm[k].size(), 200u) << k;
    rate[k] = Mean(b.rate_bpm[k]);
    depth[k] = Mean(b.depth_m[k]);
    share[k] = Mean(b.abdominal_share[k]);
    cv[k] = Mean(b.interval_cv[k]);
    std::printf("stage %zu: rate %.2f bpm  depth %.2f mm  abdominal %.2f  interval CV %.3f  (%zu epochs)\n", k, rate[k],
                depth[k] * 1e3, share[k], cv[k], b.rate_bpm[k].size());
  }
  // Rates within adult norms; NREM a little faster than wake; N3 ≈ 0.92–0.95 × REM.
  for (double r : rate) {
    EXPECT_GT(r, 12.0);
    EXPECT_LT(r, 20.0);
  }
  EXPECT_GT(rate[kN2], rate[kWake]);
  EXPECT_NEAR(rate[kN3] / rate[kRem], 0.935, 0.025);
  // Depth: wake deepest, N3 deepest sleep stage, REM shallowest at ≈ 73 % of wake.
  EXPECT_GT(depth[kWake], depth[kN3]);
  EXPECT_GT(depth[kN3], depth[kN2]);
  EXPECT_GT(depth[kN2], depth[kRem]);
  EXPECT_NEAR(depth[kRem] / depth[kWake], 0.73, 0.05);
  // Minute ventilation NREM / wake ≈ 7.18 / 7.66.
  EXPECT_NEAR(rate[kN2] * depth[kN2] / (rate[kWake] * depth[kWake]), 0.937, 0.04);
  // Abdominal share ≈ 55 % in REM, ≈ 38 % in N3.
  EXPECT_NEAR(share[kRem], 0.55, 0.03);
  EXPECT_NEAR(share[kN3], 0.38, 0.03);
  // Regularity: N3 most regular; REM and wake least.
  EXPECT_LT(cv[kN3], cv[kN2]);
  EXPECT_LT(cv[kN2], cv[kRem]);
  EXPECT_LT(cv[kN2], cv[kWake]);
  // Overlap: the middle 80 % of every stage's rates and depths intersects every other's.
  for (std::size_t i = 0; i < 5; ++i) {
    for (std::size_t j = i + 1; j < 5; ++j) {
      EXPECT_LT(Quantile(b.rate_bpm[i], 0.1), Quantile(b.rate_bpm[j], 0.9)) << i << " " << j;
      EXPECT_LT(Quantile(b.rate_bpm[j], 0.1), Quantile(b.rate_bpm[i], 0.9)) << i << " " << j;
      EXPECT_LT(Quantile(b.depth_m[i], 0.1), Quantile(b.depth_m[j], 0.9)) << i << " " << j;
      EXPECT_LT(Quantile(b.depth_m[j], 0.1), Quantile(b.depth_m[i], 0.9)) << i << " " << j;
    }
  }
}

TEST(Breathing, RemIntervalsCarryLongRangeCorrelation) {
  auto intervals = [](int stage) {
    const BodyTimeline tl = ConstantStage(stage, 3.0, 11);
    BreathGenerator gen(tl, RandomStream(11, "probe", "breathing"));
    std::vector<double> x;
    for (Breath b = gen.Next(); b.t0_s < 3 * 3600.0; b = gen.Next()) {
      if (!b.sigh) x.push_back(b.period_s);
    }
    return x;
  };
  const auto rem = intervals(kRem), n3 = intervals(kN3);
  // Correlation 30 breaths (≈ 2 min) apart: clearly present in REM, negligible in N3.
  EXPECT_GT(Autocorrelation(rem, 30), 0.25);
  EXPECT_LT(Autocorrelation(n3, 30), Autocorrelation(rem, 30) * 0.6);
}

TEST(Breathing, WaveformIsAsymmetricWithAPause) {
  const BodyTimeline tl = ConstantStage(kN2, 0.5, 3);
  BodySignal signal(tl);
  signal.At(100.0);
  const Breath b = signal.current_breath();
  const double pause_s = b.period_s - b.inhale_s - b.exhale_s;
  EXPECT_GT(pause_s, 0.05 * b.period_s);
  const double ie = b.inhale_s / (b.exhale_s + pause_s);
  EXPECT_GT(ie, 1.0 / 2.2);
  EXPECT_LT(ie, 1.0 / 1.3);
  // Peak at end-inspiration, back to zero in the pause.
  BodySignal probe(tl);
  EXPECT_NEAR(probe.At(b.t0_s + b.inhale_s).chest_m, b.chest_pp_m, 1e-9);
  EXPECT_NEAR(probe.At(b.t0_s + b.inhale_s + b.exhale_s + 0.5 * pause_s).chest_m, 0.0, 1e-12);
  // Chest excursion of an adult lying: 1–12 mm.
  EXPECT_GT(b.chest_pp_m, 1e-3);
  EXPECT_LT(b.chest_pp_m, 12e-3);
}

TEST(Breathing, ApneasStopAirflowOrEffort) {
  BodyTimeline tl = ConstantStage(kN2, 0.5, 5);
  tl.apneas = {{100.0, 20.0, false}, {300.0, 25.0, true}};
  BreathGenerator gen(tl, RandomStream(5, "probe", "breathing"));
  bool paradoxical = false, flat = false, recovery = false;
  double normal_depth = 0;
  for (Breath b = gen.Next(); b.t0_s < 400; b = gen.Next()) {
    if (b.t0_s < 90) normal_depth = std::max(normal_depth, b.abdomen_pp_m + b.chest_pp_m);
    if (b.t0_s >= 100 && b.t0_s < 120) paradoxical |= b.apnea && b.chest_pp_m < 0 && b.abdomen_pp_m > 0;
    if (b.t0_s >= 300 && b.t0_s < 325) {
      flat |= b.apnea && b.chest_pp_m == 0 && b.abdomen_pp_m == 0 && b.t0_s + b.period_s >= 324.9;
    }
    if (b.t0_s >= 325 && b.t0_s < 328) recovery |= b.chest_pp_m + b.abdomen_pp_m > 1.2 * normal_depth;
  }
  EXPECT_TRUE(paradoxical);
  EXPECT_TRUE(flat);
  EXPECT_TRUE(recovery);
}

TEST(BodySignal, HeartbeatAndStatesAreWithinPhysiologicalRanges) {
  const Night night = SimulateNight(testing::HealthyAdultScenario(), 9);
  BodySignal signal(night.bodies[0]);
  double heart_max = 0, heart_min = 0, chest_max = 0;
  double hr_min = 1e9, hr_max = 0;
  for (double t = 3 * 3600.0; t < 4 * 3600.0; t += 0.05) {
    const BodyState& s = signal.At(t);
    if (!s.in_bed) continue;
    heart_max = std::max(heart_max, s.heart_m);
    heart_min = std::min(heart_min, s.heart_m);
    chest_max = std::max(chest_max, s.chest_m);
    hr_min = std::min(hr_min, signal.heart_rate_bpm());
    hr_max = std::max(hr_max, signal.heart_rate_bpm());
    EXPECT_GE(s.motion, 0.0);
    EXPECT_LE(s.motion, 1.0);
    EXPECT_GE(s.transition, 0.0);
    EXPECT_LE(s.transition, 1.0);
  }
  EXPECT_GT(heart_max - heart_min, 0.1e-3);
  EXPECT_LT(heart_max - heart_min, 0.5e-3);
  EXPECT_GT(chest_max, 1e-3);
  EXPECT_LT(chest_max, 12e-3);
  EXPECT_GE(hr_min, 48.0);  // 0.8 Hz
  EXPECT_LE(hr_max, 120.0);  // 2 Hz
  EXPECT_THROW(signal.At(100.0), std::invalid_argument);
}

TEST(BodySignal, TurnOversAnimateThePosture) {
  const Night night = SimulateNight(testing::HealthyAdultScenario(), 4);
  const BodyTimeline& tl = night.bodies[0];
  const auto turn = std::find_if(tl.movements.begin(), tl.movements.end(), [](const Movement& m) {
    return m.kind == MovementKind::kTurnOver && m.from != m.to && m.t0_s > 3600;
  });
  ASSERT_NE(turn, tl.movements.end());
  BodySignal signal(tl);
  const BodyState& mid = signal.At(turn->t0_s + turn->duration_s / 2);
  EXPECT_EQ(mid.posture, turn->to);
  EXPECT_EQ(mid.from_posture, turn->from);
  EXPECT_GT(mid.transition, 0.2);
  EXPECT_LT(mid.transition, 0.8);
  EXPECT_GT(mid.motion, 0.4);
  const BodyState& after = signal.At(turn->t0_s + turn->duration_s + 0.5);
  EXPECT_EQ(after.transition, 1.0);
}

}  // namespace
}  // namespace nightsim::sleepers
