// Tests `nightsim score` as a user runs it: a night file from `nightsim run` and the
// run's own predictions CSV score to the run's metrics; bad predictions and bad
// night files exit 2 with messages naming the file, the line and the problem.

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "night_file_test_util.h"

namespace nightsim::harness {
namespace {

using testing_util::CliRun;
using testing_util::Quote;
using testing_util::RunNightsim;
using testing_util::Slurp;

// One `nightsim run` of the short night shared by the tests of this file.
const std::filesystem::path& RunDir() {
  static const std::filesystem::path kDir = [] {
    const auto dir = testing_util::FreshDir("score_cli");
    const CliRun r =
        RunNightsim("run " + Quote(testing_util::kShortNight) + " --seed 5 --out " + Quote((dir / "n").string()), dir);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return dir;
  }();
  return kDir;
}

// The "night" object of a metrics JSON written by run or score.
std::string NightObject(const std::string& json) {
  const auto at = json.find("\"night\": ");
  return at == std::string::npos ? "" : json.substr(at);
}

// Tests that run writes every plain output, and that scoring the run's own
// predictions file reproduces the run's metrics exactly (same scorer, same truth).
TEST(ScoreCli, RunsOwnPredictionsScoreToTheRunsMetrics) {
  const auto& dir = RunDir();
  for (const char* f : {"n.h5", "n.json", "n.predictions.csv", "n.hypnogram.csv", "n.hypnogram.json"}) {
    EXPECT_TRUE(std::filesystem::exists(dir / f)) << f;
  }
  const CliRun r = RunNightsim("score " + Quote((dir / "n.h5").string()) + " " +
                                   Quote((dir / "n.predictions.csv").string()) + " --out " +
                                   Quote((dir / "score.json").string()),
                               dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("staging"), std::string::npos) << r.out;
  const std::string run_json = Slurp(dir / "n.json");
  const std::string score_json = Slurp(dir / "score.json");
  ASSERT_FALSE(NightObject(run_json).empty());
  EXPECT_EQ(NightObject(score_json), NightObject(run_json));
  EXPECT_NE(score_json.find("\"seed\": 5"), std::string::npos);
}

// Tests that the default output lands beside the predictions file.
TEST(ScoreCli, DefaultOutputIsBesideThePredictions) {
  const auto& dir = RunDir();
  std::filesystem::copy_file(dir / "n.predictions.csv", dir / "mine.csv",
                             std::filesystem::copy_options::overwrite_existing);
  const CliRun r = RunNightsim("score " + Quote((dir / "n.h5").string()) + " " + Quote((dir / "mine.csv").string()), dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::filesystem::exists(dir / "mine.score.json"));
}

// Tests that --out into a folder that does not exist yet creates it, as run does.
TEST(ScoreCli, OutputFolderIsCreated) {
  const auto& dir = RunDir();
  const auto out = dir / "new" / "deeper" / "s.json";
  const CliRun r = RunNightsim("score " + Quote((dir / "n.h5").string()) + " " +
                                   Quote((dir / "n.predictions.csv").string()) + " --out " + Quote(out.string()),
                               dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(Slurp(out).find("\"night\": "), std::string::npos);
}

// Tests that a predictions file with problems exits 2, names file:line and problem,
// and writes no metrics.
TEST(ScoreCli, BadPredictionsExit2WithLineNumbers) {
  const auto& dir = RunDir();
  testing_util::WriteText(dir / "bad.csv", "epoch,stage\n0,wake\n1,sleepy\n25,wake\n");
  const CliRun r = RunNightsim("score " + Quote((dir / "n.h5").string()) + " " + Quote((dir / "bad.csv").string()), dir);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("bad.csv:3:2: stage: unknown stage 'sleepy'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("bad.csv:4:1: epoch: epoch 25 is outside the night (epochs 0–19)"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "bad.score.json"));

  testing_util::WriteText(dir / "short.csv", "epoch,stage\n0,wake\n");
  const CliRun s = RunNightsim("score " + Quote((dir / "n.h5").string()) + " " + Quote((dir / "short.csv").string()), dir);
  EXPECT_EQ(s.exit_code, 2);
  EXPECT_NE(s.err.find("1 rows for a night of 20 epochs: 19 epochs missing"), std::string::npos) << s.err;
}

// Tests that a staging-only predictions file (issue #26) is scored on staging alone:
// the columns it leaves out are "not scored" in the JSON and the summary rather
// than read as 0, and the failure point comes from what was scored.
TEST(ScoreCli, LeftOutColumnsAreNotScored) {
  const auto& dir = RunDir();
  std::string csv = "epoch,stage\n";
  for (int e = 0; e < 20; ++e) csv += std::to_string(e) + ",light\n";
  testing_util::WriteText(dir / "staging_only.csv", csv);
  const CliRun r = RunNightsim("score " + Quote((dir / "n.h5").string()) + " " +
                                   Quote((dir / "staging_only.csv").string()),
                               dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string json = Slurp(dir / "staging_only.score.json");
  EXPECT_NE(json.find("\"not_scored\": [\"presence\", \"session\", \"identity\", \"respiration\", \"intent\", "
                      "\"alarm\"]"),
            std::string::npos)
      << json;
  for (const char* absent : {"identity.", "presence.f1", "presence.recall", "resp.", "intent.", "alarm.",
                             "failure.identity_epochs", "failure.presence_epochs"}) {
    EXPECT_EQ(json.find(std::string("\"") + absent), std::string::npos) << absent;
  }
  EXPECT_NE(json.find("\"staging.accuracy\""), std::string::npos);
  EXPECT_NE(json.find("\"dominant\": \"staging\""), std::string::npos) << json;
  EXPECT_NE(r.out.find("not scored (not in the estimates): presence, session, identity, respiration, intent, alarm"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("dominant failure point among the scored parts: staging"), std::string::npos) << r.out;
  // nightsim's own complete file has nothing unscored.
  EXPECT_EQ(Slurp(dir / "n.json").find("not_scored"), std::string::npos);
}

// Tests that a night file that is not one exits 2 with a clear message.
TEST(ScoreCli, ForeignOrCorruptNightFileExits2) {
  const auto& dir = RunDir();
  testing_util::WriteText(dir / "not.h5", "this is not HDF5\n");
  const CliRun r = RunNightsim("score " + Quote((dir / "not.h5").string()) + " " +
                                   Quote((dir / "n.predictions.csv").string()),
                               dir);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("not.h5: not an HDF5 file"), std::string::npos) << r.err;

  const std::string whole = Slurp(dir / "n.h5");
  testing_util::WriteText(dir / "cut.h5", whole.substr(0, whole.size() / 3));
  const CliRun c = RunNightsim("score " + Quote((dir / "cut.h5").string()) + " " +
                                   Quote((dir / "n.predictions.csv").string()),
                               dir);
  EXPECT_EQ(c.exit_code, 2) << c.err;
  EXPECT_NE(c.err.find("cut.h5"), std::string::npos) << c.err;

  const CliRun m = RunNightsim("score " + Quote((dir / "n.h5").string()), dir);
  EXPECT_EQ(m.exit_code, 2);
  EXPECT_NE(m.err.find("expected NIGHT.h5 and PREDICTIONS.csv"), std::string::npos) << m.err;
}

}  // namespace
}  // namespace nightsim::harness
