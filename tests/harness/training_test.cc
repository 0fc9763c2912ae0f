// Tests of `nightsim train`: the population draw, the seed ranges, and that the
// same tiny sweep trains byte-identical models twice.
#include "harness/training.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "core/errors.h"
#include "harness/cli.h"
#include "harness/commands.h"
#include "harness/scenario_loader.h"

namespace nightsim::harness {
namespace {

std::filesystem::path FreshDir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("nightsim_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

std::string Slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string PopulationPath() { return std::string(NIGHTSIM_SOURCE_DIR) + "/scenarios/train/population.yaml"; }

// A one-hour version of the population base: the same draws, compressed in time,
// so that a training run costs seconds.
std::string TinyBase(const std::filesystem::path& dir) {
  const auto path = dir / "tiny_population.yaml";
  std::ofstream(path) << "extends: " << PopulationPath() << "\n"
                      << "name: tiny\n"
                         "night: {start: \"22:00\", end: \"23:00\"}\n"
                         "device: {alarm: \"22:55\"}\n"
                         "people:\n"
                         "  - id: primary\n"
                         "    schedule: {bedtime: \"22:05\", activity_min: 3}\n"
                         "  - id: partner\n"
                         "    schedule: {bedtime: \"22:06\", activity_min: 2, wake: \"22:50\"}\n";
  return path.string();
}

TEST(TrainingTest, PopulationDrawsAreValidDeterministicAndVaried) {
  const Scenario base = LoadScenario(PopulationPath());
  EXPECT_EQ(DrawPopulationScenario(base, 17).resolved_yaml, DrawPopulationScenario(base, 17).resolved_yaml);
  int partners = 0, pets = 0, alarms = 0, right = 0;
  std::set<std::string> activities;
  constexpr int kNights = 200;
  for (std::uint64_t seed = 1; seed <= kNights; ++seed) {
    const Scenario s = DrawPopulationScenario(base, seed);  // throws when invalid
    partners += s.people.size() == 2;
    pets += !s.pets.empty();
    alarms += s.device.alarm_s.has_value();
    right += s.device.bed_side == "right";
    activities.insert(s.people.front().activity);
    EXPECT_EQ(s.people.front().role, "primary");
    EXPECT_EQ(s.device.bed_side, s.people.front().side);
  }
  // Shares documented in training.h, within ±4 binomial SDs at n = 200.
  EXPECT_NEAR(partners / double(kNights), 0.55, 0.14);
  EXPECT_NEAR(pets / double(kNights), 0.25, 0.13);
  EXPECT_NEAR(alarms / double(kNights), 0.70, 0.13);
  EXPECT_NEAR(right / double(kNights), 0.50, 0.14);
  EXPECT_EQ(activities.size(), 5u);
  EXPECT_NE(DrawPopulationScenario(base, 1).resolved_yaml, DrawPopulationScenario(base, 2).resolved_yaml);
}

TEST(TrainingTest, TrainingAndEvaluationSeedsNeverOverlap) {
  EXPECT_THROW(CmdTrain({"--nights", "2", "--seed", std::to_string(kValidationSeedStart - 1)}), InputError);
  EXPECT_THROW(CmdTrain({"--nights", "2", "--seed", std::to_string(kHeldOutSeedStart - 1)}), InputError);
  EXPECT_THROW(CmdTrain({"--evaluate", "--nights", "1", "--seed", "5"}), InputError);
  EXPECT_THROW(CmdTrain({"--evaluate", "--nights", "1", "--seed", std::to_string(kValidationSeedStart)}), InputError);
  // Validation nights lie between the two; they never reach the held-out range.
  EXPECT_THROW(CmdTrain({"--evaluate", "--validation", "--nights", "1", "--seed", "5"}), InputError);
  EXPECT_THROW(CmdTrain({"--evaluate", "--validation", "--nights", "2", "--seed",
                         std::to_string(kHeldOutSeedStart - 1)}),
               InputError);
  EXPECT_THROW(CmdTrain({"--validation", "--nights", "1"}), InputError);
  EXPECT_THROW(CmdTrain({"--nights", "0"}), InputError);
}

// Tests reproducibility: the same tiny sweep (3 one-hour nights) trains
// byte-identical models twice, whatever the number of parallel jobs.
TEST(TrainingTest, SameSweepAndSeedGiveTheSameModelBytes) {
  const auto dir = FreshDir("train");
  const std::string base = TinyBase(dir);
  const auto a = dir / "a", b = dir / "b";
  ASSERT_EQ(CmdTrain({"--nights", "3", "--seed", "11", "--base", base, "--out", a.string(), "-j", "1"}), kExitOk);
  ASSERT_EQ(CmdTrain({"--nights", "3", "--seed", "11", "--base", base, "--out", b.string(), "-j", "2"}), kExitOk);
  for (const char* name : {kIntentModelFile, kStagingModelFile}) {
    const std::string first = Slurp(a / name);
    ASSERT_GT(first.size(), 1000u) << name;
    EXPECT_EQ(first, Slurp(b / name)) << name;
  }
  // The models load into the pipeline and fit its inputs.
  EXPECT_NO_THROW(pipeline::SleepPipeline{SleepPipelineConfigFrom(a.string())});
  std::filesystem::remove_all(dir);
}

TEST(TrainingTest, MissingModelsAreReportedAsBadInput) {
  const auto dir = FreshDir("nomodels");
  EXPECT_THROW(SleepPipelineConfigFrom(dir.string()), InputError);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace nightsim::harness
