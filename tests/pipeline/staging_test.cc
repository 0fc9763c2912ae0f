// Tests of the staging building blocks: per-epoch features from the respiration
// stream, the context inputs, the forward-filter smoother and the model wrapper.
#include "pipeline/staging.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <numbers>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "pipeline/staging_features.h"

namespace nightsim::pipeline {
namespace {

// A stream of 20-Hz samples breathing at `rate_bpm` with `depth_mm` peak to peak,
// a breath flag at each peak, for [t0, t1).
std::vector<RespSample> Breathing(double t0, double t1, double rate_bpm, double depth_mm) {
  std::vector<RespSample> out;
  const double f = rate_bpm / 60.0;
  for (double t = t0; t < t1 - 1e-9; t += 0.05) {
    RespSample s;
    s.time_s = t;
    s.displacement_mm = 0.5 * depth_mm * std::sin(2 * std::numbers::pi * f * t);
    const double phase = std::fmod(f * t, 1.0);  // peak at phase 0.25
    s.breath = phase >= 0.25 && phase < 0.25 + f * 0.05;
    s.segment_start = out.empty();
    out.push_back(s);
  }
  return out;
}

RespirationFeatures Tracked(std::int64_t epoch, double rate_bpm) {
  RespirationFeatures f;
  f.epoch = epoch;
  f.start_s = 30.0 * static_cast<double>(epoch);
  f.present = f.tracking = f.valid = true;
  f.rate_bpm = rate_bpm;
  f.periodicity = 0.9;
  f.depth_mm = 4.0;
  f.breath_count = 7;
  f.interval_mean_s = 60.0 / rate_bpm;
  f.range_m = 0.6;
  return f;
}

TEST(StagingFeaturesTest, StreamStatisticsOfRegularBreathing) {
  EpochFeatureExtractor x(30.0, 22 * 3600.0);
  x.AddStream(Breathing(0.0, 90.0, 15.0, 4.0));
  EpochEstimate est;
  est.session = true;
  x.Finish(est, Tracked(0, 15.0));
  const EpochFeatures row = x.Finish(est, Tracked(1, 15.0));
  EXPECT_EQ(row.epoch, 1);
  EXPECT_NEAR(row.values[kStreamCoverage], 1.0, 0.01);
  EXPECT_EQ(row.values[kStreamSegments], 0.0f);
  EXPECT_NEAR(row.values[kStreamDepthMm], 4.0, 0.05);        // peak − preceding trough
  EXPECT_NEAR(row.values[kLongestPauseS], 4.0, 0.1);         // one breath every 4 s
  EXPECT_LT(row.values[kStreamDepthCv], 0.02);
  EXPECT_NEAR(row.values[kClockH], 4.0 + 30.0 / 3600.0, 1e-4);  // 22:00:30 is 4 h after 18:00
  EXPECT_EQ(row.values[kRateBpm], 15.0f);
  // An epoch without tracking has no breathing values.
  RespirationFeatures absent;
  absent.epoch = 2;
  absent.start_s = 60.0;
  const EpochFeatures gone = x.Finish(est, absent);
  EXPECT_TRUE(std::isnan(gone.values[kRateBpm]));
  EXPECT_TRUE(std::isnan(gone.values[kRangeM]));
  EXPECT_EQ(gone.values[kTracked], 0.0f);
}

TEST(StagingFeaturesTest, ContextInputsMatchTheirNamesAndLeadsStopAtTheData) {
  FeatureContext c;
  EpochFeatureExtractor x(30.0, 0.0);
  EpochEstimate est;
  est.session = true;
  for (std::int64_t e = 0; e < 10; ++e) {
    c.Push(x.Finish(est, Tracked(e, 12.0 + static_cast<double>(e))));
    EXPECT_EQ(c.IntentInputs().size(), c.IntentInputNames().size());
  }
  const std::vector<std::string> names = c.StagingInputNames();
  const std::vector<float> mid = c.StagingInputs(6, 2);
  ASSERT_EQ(mid.size(), names.size());
  auto at = [&](const std::vector<float>& v, const std::string& name) {
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (names[i] == name) return v[i];
    }
    ADD_FAILURE() << name;
    return 0.0f;
  };
  EXPECT_EQ(at(mid, "rate_bpm"), 18.0f);
  EXPECT_EQ(at(mid, "rate_bpm_lag1"), 17.0f);
  EXPECT_EQ(at(mid, "rate_bpm_lead3"), 21.0f);
  EXPECT_EQ(at(mid, "epochs_since_intent"), 4.0f);
  EXPECT_EQ(at(mid, "epochs_since_session"), 6.0f);
  // The last epoch has no leads: missing, not invented.
  const std::vector<float> last = c.StagingInputs(9, std::nullopt);
  EXPECT_TRUE(std::isnan(at(last, "rate_bpm_lead1")));
  EXPECT_TRUE(std::isnan(at(last, "epochs_since_intent")));
  EpochFeatures gap;
  gap.epoch = 12;
  EXPECT_THROW(c.Push(gap), std::invalid_argument);
}

// Tests the elevation inputs of intent: sitting up raises the tracked chest, so the
// rise against the bout's first epochs and over 4 epochs must reach the classifier.
TEST(StagingFeaturesTest, IntentSeesTheElevationRiseOfSittingUp) {
  FeatureContext c;
  EpochFeatureExtractor x(30.0, 0.0);
  EpochEstimate est;
  est.session = true;
  const std::vector<std::string> names = c.IntentInputNames();
  auto at = [&](const std::vector<float>& v, const std::string& name) {
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (names[i] == name) return v[i];
    }
    ADD_FAILURE() << name;
    return 0.0f;
  };
  for (std::int64_t e = 0; e < 12; ++e) {
    RespirationFeatures f = Tracked(e, 14.0);
    f.elevation_rad = e < 8 ? 0.05 : 0.45;  // lying for 8 epochs, then sitting up
    c.Push(x.Finish(est, f));
  }
  const std::vector<float> in = c.IntentInputs();
  ASSERT_EQ(in.size(), names.size());
  EXPECT_FLOAT_EQ(at(in, "elevation_rad"), 0.45f);
  EXPECT_FLOAT_EQ(at(in, "elevation_rad_lag3"), 0.45f);
  EXPECT_FLOAT_EQ(at(in, "elevation_change_4_rad"), 0.4f);  // epoch 11 against epoch 7
  EXPECT_FLOAT_EQ(at(in, "elevation_minus_bout_start_rad"), 0.4f);
}

TEST(StageSmootherTest, StickyAgainstASingleContraryEpoch) {
  StageSmoother s;
  const std::vector<float> rem{0.05f, 0.15f, 0.05f, 0.75f};
  const std::vector<float> light{0.1f, 0.55f, 0.05f, 0.3f};
  for (int i = 0; i < 5; ++i) EXPECT_EQ(s.Push(rem), EstStage::kRem);
  EXPECT_EQ(s.Push(light), EstStage::kRem);  // one moderately light epoch does not flip REM
  int pushes = 1;
  while (s.Push(light) != EstStage::kLight && pushes < 10) ++pushes;
  EXPECT_GE(pushes, 2);
  EXPECT_LE(pushes, 3);  // a run of them does
  const std::vector<float> deep{0.0f, 0.02f, 0.97f, 0.01f};
  EXPECT_EQ(s.Push(deep), EstStage::kDeep);  // a confident epoch does
  s.Reset();
  EXPECT_EQ(s.Push(light), EstStage::kLight);
}

TEST(StageSmootherTest, ClassWeightsShiftTheDecision) {
  StagingConfig c;
  c.class_weights = {3.0, 1.0, 1.0, 1.0};
  StageSmoother s(c);
  EXPECT_EQ(s.Push(std::vector<float>{0.3f, 0.5f, 0.1f, 0.1f}), EstStage::kWake);
  StagingConfig bad;
  bad.stay_probability = 1.0;
  EXPECT_THROW(StageSmoother{bad}, std::invalid_argument);
}

TEST(BoostedTreesTest, CommittedStageModelGivesProbabilities) {
  std::ifstream in(std::string(NIGHTSIM_SOURCE_DIR) + "/models/staging_xgb.json", std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  const int inputs = static_cast<int>(FeatureContext().StagingInputNames().size());
  BoostedTrees model(text.str(), inputs);
  EXPECT_EQ(model.num_features(), inputs);
  const std::vector<float> missing(static_cast<std::size_t>(inputs), std::nanf(""));
  const std::vector<float> p = model.Predict(missing);
  ASSERT_EQ(p.size(), 4u);
  EXPECT_NEAR(p[0] + p[1] + p[2] + p[3], 1.0, 1e-5);
  EXPECT_THROW(model.Predict(std::vector<float>(3, 0.0f)), std::invalid_argument);
  EXPECT_THROW(BoostedTrees(text.str(), inputs + 1), std::invalid_argument);
  EXPECT_THROW(BoostedTrees("{\"not\": \"a model\"}", inputs), std::invalid_argument);
}

}  // namespace
}  // namespace nightsim::pipeline
