// Tests of epoch-by-epoch staging agreement and of the sleep measures, each
// against numbers worked out by hand in the comments.
#include <gtest/gtest.h>

#include <string_view>
#include <vector>

#include "harness/metrics.h"
#include "metrics_test_util.h"

namespace nightsim::harness {
namespace {

using testing::EstOf;

constexpr EstStage W = EstStage::kWake, L = EstStage::kLight, D = EstStage::kDeep, R = EstStage::kRem;

ConfusionMatrix FromCounts(const std::array<std::array<std::int64_t, 4>, 4>& counts) {
  ConfusionMatrix cm;
  cm.counts = counts;
  return cm;
}

std::vector<EstStage> Hypnogram(std::string_view s) {
  std::vector<EstStage> out;
  for (char c : s) out.push_back(EstOf(c));
  return out;
}

TEST(StagingMetricsTest, YasaCodesMapToFourClasses) {
  EXPECT_EQ(StageFromYasa(-1), EstStage::kNone);
  EXPECT_EQ(StageFromYasa(0), W);
  EXPECT_EQ(StageFromYasa(1), L);
  EXPECT_EQ(StageFromYasa(2), L);
  EXPECT_EQ(StageFromYasa(3), D);
  EXPECT_EQ(StageFromYasa(4), R);
  EXPECT_THROW(StageFromYasa(5), std::invalid_argument);
}

TEST(StagingMetricsTest, KappaOfATwoByTwoTableMatchesTheHandComputation) {
  // truth wake: 20 scored wake, 5 light; truth light: 10 wake, 15 light. N = 50.
  // p_o = 35/50 = 0.7; rows 25/25, columns 30/20 → p_e = .5·.6 + .5·.4 = 0.5;
  // κ = (0.7 − 0.5) / (1 − 0.5) = 0.4.
  ConfusionMatrix cm;
  for (int i = 0; i < 20; ++i) cm.Add(W, W);
  for (int i = 0; i < 5; ++i) cm.Add(W, L);
  for (int i = 0; i < 10; ++i) cm.Add(L, W);
  for (int i = 0; i < 15; ++i) cm.Add(L, L);
  EXPECT_EQ(cm.Total(), 50);
  EXPECT_DOUBLE_EQ(*cm.Accuracy(), 0.7);
  EXPECT_NEAR(*cm.Kappa(), 0.4, 1e-12);
}

TEST(StagingMetricsTest, FourByFourKappaSensitivitySpecificityAndPpvMatchTheHandComputation) {
  //            est W  L  D  R   row
  // truth W      8  2  0  0    10
  //       L      1 15  2  2    20
  //       D      0  3  7  0    10
  //       R      1  1  0  8    10
  // column      10 21  9 10    N = 50
  // p_o = 38/50 = 0.76; p_e = (10·10 + 20·21 + 10·9 + 10·10)/2500 = 0.284;
  // κ = 0.476 / 0.716.
  const ConfusionMatrix cm = FromCounts({{{8, 2, 0, 0}, {1, 15, 2, 2}, {0, 3, 7, 0}, {1, 1, 0, 8}}});
  EXPECT_DOUBLE_EQ(*cm.Accuracy(), 0.76);
  EXPECT_NEAR(*cm.Kappa(), 0.476 / 0.716, 1e-12);
  // Light one-vs-rest: TP 15, FN 5, FP 6 (2 + 3 + 1), TN 24.
  EXPECT_DOUBLE_EQ(*cm.Sensitivity(L), 0.75);
  EXPECT_DOUBLE_EQ(*cm.Specificity(L), 24.0 / 30.0);
  EXPECT_DOUBLE_EQ(*cm.Ppv(L), 15.0 / 21.0);
  // Deep: TP 7, FN 3, FP 2, TN 38.
  EXPECT_DOUBLE_EQ(*cm.Sensitivity(D), 0.7);
  EXPECT_DOUBLE_EQ(*cm.Specificity(D), 38.0 / 40.0);
  EXPECT_DOUBLE_EQ(*cm.Ppv(D), 7.0 / 9.0);
  // Wake: TP 8, FN 2, FP 2, TN 38.
  EXPECT_DOUBLE_EQ(*cm.Sensitivity(W), 0.8);
  EXPECT_DOUBLE_EQ(*cm.Specificity(W), 38.0 / 40.0);
  EXPECT_DOUBLE_EQ(*cm.Ppv(W), 0.8);
  const auto rows = cm.RowNormalized();
  EXPECT_DOUBLE_EQ(rows[1][1], 0.75);
  EXPECT_DOUBLE_EQ(rows[3][0], 0.1);
}

TEST(StagingMetricsTest, PerfectAgreementHasKappaOne) {
  const ConfusionMatrix cm = FromCounts({{{5, 0, 0, 0}, {0, 9, 0, 0}, {0, 0, 3, 0}, {0, 0, 0, 4}}});
  EXPECT_DOUBLE_EQ(*cm.Kappa(), 1.0);
  EXPECT_DOUBLE_EQ(*cm.Accuracy(), 1.0);
}

TEST(StagingMetricsTest, ChanceAgreementHasKappaZero) {
  // Estimate independent of the truth, both 50/50 wake/light: p_o = p_e = 0.5.
  const ConfusionMatrix cm = FromCounts({{{25, 25, 0, 0}, {25, 25, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 0}}});
  EXPECT_NEAR(*cm.Kappa(), 0.0, 1e-12);
}

TEST(StagingMetricsTest, OneClassOnBothSidesLeavesKappaUndefined) {
  const ConfusionMatrix cm = FromCounts({{{40, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 0}}});
  EXPECT_FALSE(cm.Kappa().has_value());
  EXPECT_DOUBLE_EQ(*cm.Accuracy(), 1.0);
  EXPECT_FALSE(cm.Sensitivity(R).has_value());   // no REM in the truth
  EXPECT_FALSE(cm.Ppv(R).has_value());           // never scored REM
  EXPECT_DOUBLE_EQ(*cm.Specificity(R), 1.0);
  EXPECT_FALSE(cm.Specificity(W).has_value());   // no non-wake truth
  EXPECT_TRUE(std::isnan(cm.RowNormalized()[3][3]));
}

TEST(StagingMetricsTest, AnEmptyMatrixHasNoAccuracyOrKappa) {
  const ConfusionMatrix cm;
  EXPECT_FALSE(cm.Accuracy().has_value());
  EXPECT_FALSE(cm.Kappa().has_value());
  ConfusionMatrix bad;
  EXPECT_THROW(bad.Add(EstStage::kNone, W), std::invalid_argument);
}

TEST(SleepMeasuresTest, ATinyHypnogramGivesTheHandComputedMeasures) {
  // epoch:  0 1 2 3 4 5 6 7 8 9 10 11 12   (30-s epochs: 2 per minute)
  // stage:  - W W L L W D D R L W  W  -
  // Lights out at 60 s: window epochs 2..11 = 10 → TIB 5 min; sleep 3,4,6,7,8,9 = 6;
  // SPT 3..9 = 7; WASO 1 (epoch 5).
  const auto m = ComputeSleepMeasures(Hypnogram("-WWLLWDDRLWW-"), 30.0, /*lights_out_s=*/60.0);
  EXPECT_DOUBLE_EQ(m.tib_min, 5.0);
  EXPECT_DOUBLE_EQ(m.tst_min, 3.0);
  EXPECT_DOUBLE_EQ(m.spt_min, 3.5);
  EXPECT_DOUBLE_EQ(m.waso_min, 0.5);
  EXPECT_DOUBLE_EQ(*m.se_pct, 60.0);
  EXPECT_DOUBLE_EQ(*m.sol_min, 0.5);  // onset 90 s − lights out 60 s
  EXPECT_DOUBLE_EQ(m.light_min, 1.5);
  EXPECT_DOUBLE_EQ(m.deep_min, 1.0);
  EXPECT_DOUBLE_EQ(m.rem_min, 0.5);
  EXPECT_DOUBLE_EQ(*m.light_pct, 50.0);
  EXPECT_DOUBLE_EQ(*m.deep_pct, 100.0 / 3.0);
  EXPECT_DOUBLE_EQ(*m.rem_pct, 100.0 / 6.0);
  EXPECT_DOUBLE_EQ(*m.rem_latency_min, 2.5);  // epoch 8 − epoch 3
  EXPECT_DOUBLE_EQ(m.awakenings, 1.0);        // epoch 5; the final wake is not counted
  EXPECT_EQ(*m.sleep_onset_epoch, 3);
  EXPECT_EQ(*m.last_sleep_epoch, 9);
}

TEST(SleepMeasuresTest, WithoutLightsOutTheWindowStartsAtTheFirstScoredEpoch) {
  // Window 1..11: TIB 5.5 min, SOL from 30 s to 90 s.
  const auto m = ComputeSleepMeasures(Hypnogram("-WWLLWDDRLWW-"), 30.0, std::nullopt);
  EXPECT_DOUBLE_EQ(m.tib_min, 5.5);
  EXPECT_DOUBLE_EQ(*m.sol_min, 1.0);
  EXPECT_DOUBLE_EQ(*m.se_pct, 100.0 * 3.0 / 5.5);
}

TEST(SleepMeasuresTest, SleepBeforeLightsOutIsNotCounted) {
  // Lights out at 120 s (epoch 4) after two epochs of light "sleep" while reading.
  const auto m = ComputeSleepMeasures(Hypnogram("-WLLLLL"), 30.0, 120.0);
  EXPECT_DOUBLE_EQ(m.tib_min, 1.5);
  EXPECT_DOUBLE_EQ(m.tst_min, 1.5);
  EXPECT_DOUBLE_EQ(*m.sol_min, 0.0);
  // A lights out after the last scored epoch leaves an empty window.
  const auto late = ComputeSleepMeasures(Hypnogram("-WLL"), 30.0, 1000.0);
  EXPECT_DOUBLE_EQ(late.tib_min, 0.0);
  EXPECT_FALSE(late.se_pct.has_value());
  EXPECT_FALSE(late.sol_min.has_value());
}

TEST(SleepMeasuresTest, AnOutOfBedGapInsideTheSleepPeriodIsWasoAndOneAwakening) {
  // A restroom trip: L L - - - L. SPT 6 epochs, TST 3, WASO 3 epochs = 1.5 min.
  const auto m = ComputeSleepMeasures(Hypnogram("LL---L"), 30.0, std::nullopt);
  EXPECT_DOUBLE_EQ(m.tib_min, 3.0);
  EXPECT_DOUBLE_EQ(m.waso_min, 1.5);
  EXPECT_DOUBLE_EQ(m.awakenings, 1.0);
}

TEST(SleepMeasuresTest, AwakeningsShorterThanTheMinimumAreNotCounted) {
  // Bouts of 1 and 2 epochs inside the sleep period.
  const auto stages = Hypnogram("LWLLWWL");
  EXPECT_DOUBLE_EQ(ComputeSleepMeasures(stages, 30.0, std::nullopt, 1).awakenings, 2.0);
  EXPECT_DOUBLE_EQ(ComputeSleepMeasures(stages, 30.0, std::nullopt, 2).awakenings, 1.0);
  EXPECT_DOUBLE_EQ(ComputeSleepMeasures(stages, 30.0, std::nullopt, 3).awakenings, 0.0);
}

TEST(SleepMeasuresTest, NoTimeInBedGivesZerosAndNoEfficiency) {
  const auto m = ComputeSleepMeasures(Hypnogram("-----"), 30.0, std::nullopt);
  EXPECT_DOUBLE_EQ(m.tib_min, 0.0);
  EXPECT_DOUBLE_EQ(m.tst_min, 0.0);
  EXPECT_FALSE(m.se_pct.has_value());
  EXPECT_FALSE(m.sol_min.has_value());
  EXPECT_FALSE(m.sleep_onset_epoch.has_value());
}

TEST(SleepMeasuresTest, AnAllWakeNightHasNoSleepOnsetAndZeroEfficiency) {
  const auto m = ComputeSleepMeasures(Hypnogram("WWWWWWWW"), 30.0, 0.0);
  EXPECT_DOUBLE_EQ(m.tib_min, 4.0);
  EXPECT_DOUBLE_EQ(m.tst_min, 0.0);
  EXPECT_DOUBLE_EQ(*m.se_pct, 0.0);
  EXPECT_DOUBLE_EQ(m.spt_min, 0.0);
  EXPECT_DOUBLE_EQ(m.waso_min, 0.0);
  EXPECT_DOUBLE_EQ(m.awakenings, 0.0);
  EXPECT_FALSE(m.sol_min.has_value());
  EXPECT_FALSE(m.rem_latency_min.has_value());
  EXPECT_FALSE(m.light_pct.has_value());
}

TEST(SleepMeasuresTest, ANightWithoutRemHasNoRemLatencyAndZeroRem) {
  const auto m = ComputeSleepMeasures(Hypnogram("WLLDDLW"), 30.0, 0.0);
  EXPECT_FALSE(m.rem_latency_min.has_value());
  EXPECT_DOUBLE_EQ(m.rem_min, 0.0);
  EXPECT_DOUBLE_EQ(*m.rem_pct, 0.0);
  EXPECT_DOUBLE_EQ(*m.deep_pct, 40.0);
}

TEST(SleepMeasuresTest, ForEachListsEveryMeasureInAFixedOrder) {
  std::vector<std::string> names;
  SleepMeasures{}.ForEach([&](const char* name, std::optional<double>) { names.emplace_back(name); });
  EXPECT_EQ(names, (std::vector<std::string>{"tib_min", "spt_min", "tst_min", "se_pct", "sol_min", "waso_min",
                                             "light_min", "deep_min", "rem_min", "light_pct", "deep_pct",
                                             "rem_pct", "rem_latency_min", "awakenings"}));
}

TEST(SleepMeasuresTest, BadArgumentsThrow) {
  EXPECT_THROW(ComputeSleepMeasures(Hypnogram("L"), 0.0, std::nullopt), std::invalid_argument);
  EXPECT_THROW(ComputeSleepMeasures(Hypnogram("L"), 30.0, std::nullopt, 0), std::invalid_argument);
}

}  // namespace
}  // namespace nightsim::harness
