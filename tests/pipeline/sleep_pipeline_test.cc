// Tests of the whole pipeline (SleepPipeline) with the committed models on
// synthetic frames: latency bound, causality by truncation, determinism, model checks.
#include "pipeline/sleep_pipeline.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "synthetic_frames.h"

namespace nightsim::pipeline {
namespace {

std::string ReadModel(const char* name) {
  const std::string path = std::string(NIGHTSIM_SOURCE_DIR) + "/models/" + name;
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (text.str().empty()) throw std::runtime_error("missing model " + path);
  return text.str();
}

SleepPipelineConfig CommittedModels() {
  SleepPipelineConfig c;
  c.intent_model_json = ReadModel("intent_xgb.json");
  c.staging_model_json = ReadModel("staging_xgb.json");
  return c;
}

// A person lying still, breathing 14/min, who turns over at 6 min and at 13 min
// (gross movement, range shift), with a cat at the foot of the bed.
testing::Scene Bedroom() {
  testing::Scene scene;
  scene.scatterers = testing::Clutter();
  auto add = [&](double dr, double amp, double depth) {
    testing::Scatterer s;
    s.range_m = 0.6 + dr;
    s.azimuth_rad = -0.35;
    s.amplitude = amp * testing::TorsoAmplitude(0.6 + dr);
    s.breath_rate_bpm = 14.0;
    s.breath_depth_mm = depth;
    s.shift_m = 0.05;
    s.shift_at_s = 6 * 60.0;
    scene.scatterers.push_back(s);
  };
  add(0.0, 1.0, 4.0);
  add(0.08, 0.7, 3.0);
  testing::Scatterer cat;
  cat.range_m = 1.3;
  cat.azimuth_rad = 0.1;
  cat.amplitude = testing::TorsoAmplitude(1.3, 0.006);
  cat.breath_rate_bpm = 26.0;
  cat.breath_depth_mm = 1.0;
  scene.scatterers.push_back(cat);
  return scene;
}

AppSettings Settings() {
  AppSettings a;
  a.bed_side = BedSide::kLeft;
  a.alarm_s = 15 * 60.0;
  a.smart_window_s = 8 * 60.0;
  return a;
}

struct Output {
  std::vector<EpochEstimate> epochs;
  std::vector<AlarmDecision> alarms;
};

Output RunFor(const testing::Scene& scene, double duration_s, SleepPipelineConfig config) {
  SleepPipeline p(std::move(config));
  const RadarInfo radar = testing::DefaultRadar();
  p.Start(radar, Settings());
  Output out;
  const auto frames = static_cast<std::int64_t>(duration_s * radar.frame_rate_hz);
  for (std::int64_t i = 0; i < frames; ++i) p.OnFrame(testing::MakeRangeFrame(radar, scene, i), &out.epochs, &out.alarms);
  p.Finish(&out.epochs, &out.alarms);
  return out;
}

TEST(SleepPipelineTest, LatencyIsAtMostTwoMinutes) {
  SleepPipeline p(CommittedModels());
  EXPECT_LE(p.LatencyS(), 120.0);
  SleepPipelineConfig slow = CommittedModels();
  slow.context.lookahead_epochs = 4;  // 30 + 4·30 s > 120 s
  slow.staging_model_json.clear();     // (its inputs depend on the lookahead)
  SleepPipeline q(slow);
  EXPECT_THROW(q.Start(testing::DefaultRadar(), Settings()), std::invalid_argument);
}

// Tests causality: cutting the frames at t_cut + LatencyS() leaves every estimate
// of the epochs ending by t_cut — intent and stage included — and every alarm
// decision before t_cut unchanged.
TEST(SleepPipelineTest, EstimatesDoNotDependOnDataAfterTheLatencyBound) {
  const testing::Scene scene = Bedroom();
  const Output full = RunFor(scene, 17 * 60.0, CommittedModels());
  ASSERT_EQ(full.epochs.size(), 34u);
  for (std::size_t i = 0; i < full.epochs.size(); ++i) EXPECT_EQ(full.epochs[i].epoch, static_cast<std::int64_t>(i));
  ASSERT_EQ(full.alarms.size(), 1u);
  EXPECT_LE(full.alarms[0].fire_s, 15 * 60.0);
  EXPECT_GE(full.alarms[0].fire_s, 7 * 60.0);
  const double latency_s = SleepPipeline(CommittedModels()).LatencyS();
  for (double t_cut : {8 * 60.0, 12.5 * 60.0}) {
    const Output cut = RunFor(scene, t_cut + latency_s, CommittedModels());
    const auto n = static_cast<std::size_t>(t_cut / 30.0);
    ASSERT_GE(cut.epochs.size(), n);
    for (std::size_t i = 0; i < n; ++i) {
      EXPECT_EQ(full.epochs[i].intent, cut.epochs[i].intent) << i;
      EXPECT_EQ(full.epochs[i].stage, cut.epochs[i].stage) << i;
      EXPECT_EQ(full.epochs[i].tracking, cut.epochs[i].tracking) << i;
      EXPECT_EQ(full.epochs[i].resp_rate_bpm, cut.epochs[i].resp_rate_bpm) << i;
    }
    for (const AlarmDecision& a : full.alarms) {
      if (a.fire_s > t_cut) continue;
      ASSERT_EQ(cut.alarms.size(), 1u);
      EXPECT_EQ(cut.alarms[0].fire_s, a.fire_s);
    }
  }
}

TEST(SleepPipelineTest, DeterministicAndStagesTheTrackedEpochs) {
  const testing::Scene scene = Bedroom();
  const Output a = RunFor(scene, 12 * 60.0, CommittedModels());
  const Output b = RunFor(scene, 12 * 60.0, CommittedModels());
  ASSERT_EQ(a.epochs.size(), b.epochs.size());
  int staged = 0;
  for (std::size_t i = 0; i < a.epochs.size(); ++i) {
    EXPECT_EQ(a.epochs[i].stage, b.epochs[i].stage) << i;
    EXPECT_EQ(a.epochs[i].intent, b.epochs[i].intent) << i;
    // Every tracked epoch gets a stage (wake before intent), and only those.
    EXPECT_EQ(a.epochs[i].tracking && a.epochs[i].present, a.epochs[i].stage != EstStage::kNone) << i;
    staged += a.epochs[i].stage != EstStage::kNone;
  }
  EXPECT_GE(staged, 15);
}

TEST(SleepPipelineTest, WithoutModelsNothingIsStagedAndIntentNeverStarts) {
  const Output out = RunFor(Bedroom(), 6 * 60.0, SleepPipelineConfig{});
  ASSERT_EQ(out.epochs.size(), 12u);
  for (const EpochEstimate& e : out.epochs) {
    EXPECT_FALSE(e.intent);
    EXPECT_TRUE(e.stage == EstStage::kNone || e.stage == EstStage::kWake);
  }
}

TEST(SleepPipelineTest, RejectsAModelThatDoesNotFitItsInputs) {
  SleepPipelineConfig swapped = CommittedModels();
  std::swap(swapped.intent_model_json, swapped.staging_model_json);
  EXPECT_THROW(SleepPipeline{swapped}, std::invalid_argument);
  SleepPipelineConfig garbage;
  garbage.staging_model_json = "not a model";
  EXPECT_THROW(SleepPipeline{garbage}, std::invalid_argument);
}

}  // namespace
}  // namespace nightsim::pipeline
