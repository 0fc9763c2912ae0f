// Tests of the predictions CSV: what it accepts, the defaults of left-out columns,
// the exact round trip of nightsim's own estimates, and that every kind of bad file
// is reported with its line and problem.

#include "harness/predictions_csv.h"

#include <gtest/gtest.h>

#include <string>

#include "core/errors.h"

namespace nightsim::harness {
namespace {

const PredictionsNight kNight{4, 30.0};  // 4 epochs of 30 s: the night is [0, 120) s

// The problems of a file that must be rejected, each as "file:line:column: key: message".
std::vector<std::string> Problems(const std::string& text, const PredictionsNight& night = kNight) {
  try {
    ParsePredictionsCsv(text, "p.csv", night);
  } catch (const InputError& e) {
    std::vector<std::string> out;
    for (const auto& p : e.problems()) out.push_back(p.Format());
    return out;
  }
  return {};
}

::testing::AssertionResult HasProblem(const std::vector<std::string>& problems, const std::string& text) {
  for (const auto& p : problems) {
    if (p.find(text) != std::string::npos) return ::testing::AssertionSuccess();
  }
  std::string all;
  for (const auto& p : problems) all += "\n  " + p;
  return ::testing::AssertionFailure() << "no problem contains '" << text << "'; got:" << all;
}

// Tests that labels, YASA codes, comments, blank lines, CRLF and any row order are accepted.
TEST(PredictionsCsv, AcceptsLabelsYasaCodesCommentsAndAnyOrder) {
  const Predictions p = ParsePredictionsCsv(
      "# from my pipeline\r\nepoch,stage\r\n3,REM\r\n\r\n0,none\r\n2,2\r\n1,W\r\n", "p.csv", kNight);
  ASSERT_EQ(p.estimates.size(), 4u);
  EXPECT_EQ(p.estimates[0].stage, EstStage::kNone);
  EXPECT_EQ(p.estimates[1].stage, EstStage::kWake);
  EXPECT_EQ(p.estimates[2].stage, EstStage::kLight);  // YASA 2 = N2 → light
  EXPECT_EQ(p.estimates[3].stage, EstStage::kRem);
  EXPECT_EQ(p.estimates[3].epoch, 3);
  // Left-out columns: present and session follow the stage, the rest stay off.
  EXPECT_FALSE(p.estimates[0].present);
  EXPECT_TRUE(p.estimates[1].present);
  EXPECT_TRUE(p.estimates[1].session);
  EXPECT_FALSE(p.estimates[1].tracking);
  EXPECT_TRUE(p.alarms.empty());
  // … and are not scored.
  EXPECT_EQ(p.parts.NotScored(),
            (std::vector<std::string>{"presence", "session", "identity", "respiration", "intent", "alarm"}));
}

// Tests that the columns a file names are the parts it is scored on, and that
// identity columns given only in part are rejected rather than half-scored.
TEST(PredictionsCsv, NamedColumnsAreTheScoredParts) {
  const Predictions p = ParsePredictionsCsv(
      "epoch,stage,present,tracking,target_range_m,target_angle_rad\n0,none,0,0,0,0\n1,wake,1,1,0.8,0\n"
      "2,light,1,1,0.8,0\n3,rem,1,1,0.8,0\n",
      "p.csv", kNight);
  EXPECT_EQ(p.parts.NotScored(), (std::vector<std::string>{"session", "respiration", "intent", "alarm"}));
  EXPECT_TRUE(HasProblem(Problems("epoch,stage,tracking\n0,wake,1\n1,wake,1\n2,wake,1\n3,wake,1\n"),
                         "p.csv:1: tracking: identity is scored from tracking, target_range_m and target_angle_rad "
                         "together"));
}

// Tests that time_s places a row in the epoch containing it, and that an alarm is read.
TEST(PredictionsCsv, TimeColumnAndAlarm) {
  const Predictions p = ParsePredictionsCsv(
      "time_s,stage,tracking,target_range_m,target_angle_rad,alarm_fire_s\n0,wake,1,0.8,0,\n45,n3,1,0.81,0,\n60,n1,0,0,0,"
      "\n119.5,deep,0,0,0,110.25\n",
      "p.csv", kNight);
  EXPECT_EQ(p.estimates[1].stage, EstStage::kDeep);
  EXPECT_EQ(p.estimates[1].target_range_m, 0.81);
  EXPECT_TRUE(p.estimates[1].tracking);
  ASSERT_EQ(p.alarms.size(), 1u);
  EXPECT_EQ(p.alarms[0].fire_s, 110.25);
  EXPECT_EQ(p.alarms[0].stage_at_fire, EstStage::kDeep);
}

// Tests that nightsim's own estimates survive PredictionsCsv → ParsePredictionsCsv exactly.
TEST(PredictionsCsv, OwnEstimatesRoundTripExactly) {
  std::vector<EpochEstimate> est(4);
  for (int i = 0; i < 4; ++i) {
    est[i].epoch = i;
    est[i].present = i > 0;
    est[i].presence_confidence = 0.1 * i + 1e-13;
    est[i].tracking = i == 2;
    est[i].target_range_m = 0.7123456789012345 + i;
    est[i].target_angle_rad = -0.3;
    est[i].resp_rate_bpm = 13.0 / 3.0;
    est[i].movement = 0.25;
    est[i].intent = i == 3;
    est[i].stage = static_cast<EstStage>(i - 1);
  }
  const std::vector<AlarmDecision> alarms{{100.5, EstStage::kLight}};
  const Predictions p = ParsePredictionsCsv(PredictionsCsv(est, alarms, 30.0), "p.csv", kNight);
  ASSERT_EQ(p.estimates.size(), 4u);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(p.estimates[i].present, est[i].present);
    EXPECT_EQ(p.estimates[i].session, est[i].session);
    EXPECT_EQ(p.estimates[i].presence_confidence, est[i].presence_confidence);
    EXPECT_EQ(p.estimates[i].target_range_m, est[i].target_range_m);
    EXPECT_EQ(p.estimates[i].resp_rate_bpm, est[i].resp_rate_bpm);
    EXPECT_EQ(p.estimates[i].intent, est[i].intent);
    EXPECT_EQ(p.estimates[i].stage, est[i].stage);
  }
  ASSERT_EQ(p.alarms.size(), 1u);
  EXPECT_EQ(p.alarms[0].fire_s, 100.5);
  EXPECT_EQ(p.alarms[0].stage_at_fire, EstStage::kLight);
}

// Tests each malformed-file problem: the message names file, line and problem.
TEST(PredictionsCsv, MalformedFilesNameLineAndProblem) {
  EXPECT_TRUE(HasProblem(Problems(""), "p.csv: empty file"));
  EXPECT_TRUE(HasProblem(Problems("# only a comment\n"), "empty file"));
  EXPECT_TRUE(HasProblem(Problems("epoch,stgae\n0,wake\n"), "p.csv:1:2: stgae: unknown column"));
  EXPECT_TRUE(HasProblem(Problems("epoch,stage,stage\n"), "p.csv:1:3: stage: column appears twice"));
  EXPECT_TRUE(HasProblem(Problems("epoch,present\n"), "p.csv:1: stage: the header must name a stage column"));
  EXPECT_TRUE(HasProblem(Problems("stage\nwake\n"), "p.csv:1: epoch: the header must name an epoch or a time_s"));
  EXPECT_TRUE(HasProblem(Problems("epoch,stage\n0,wake\n1,wake,1\n2,wake\n3,wake\n"),
                         "p.csv:3: 3 fields, the header has 2"));
  EXPECT_TRUE(HasProblem(Problems("epoch,stage\n0,wake\n\"1\",wake\n"), "p.csv:3:1: quoted fields are not supported"));
  EXPECT_TRUE(HasProblem(Problems("epoch,stage\n0,wake\n1.5,wake\n2,wake\n3,wake\n"),
                         "p.csv:3:1: epoch: '1.5' is not a whole number"));
  EXPECT_TRUE(HasProblem(Problems("epoch,stage,present\n0,wake,maybe\n1,wake,1\n2,wake,1\n3,wake,1\n"),
                         "p.csv:2:3: present: 'maybe' is not a flag"));
  EXPECT_TRUE(HasProblem(Problems("epoch,stage,resp_rate_bpm\n0,wake,nan\n1,wake,1\n2,wake,1\n3,wake,1\n"),
                         "p.csv:2:3: resp_rate_bpm: 'nan' is not a finite number"));
}

// Tests unknown stage labels, with the line and the accepted labels.
TEST(PredictionsCsv, UnknownStageLabelsNameTheLine) {
  const auto problems = Problems("epoch,stage\n0,wake\n1,n4\n2,asleep\n3,5\n");
  EXPECT_TRUE(HasProblem(problems, "p.csv:3:2: stage: unknown stage 'n4'; expected wake, light, deep, rem, none"));
  EXPECT_TRUE(HasProblem(problems, "p.csv:4:2: stage: unknown stage 'asleep'"));
  EXPECT_TRUE(HasProblem(problems, "p.csv:5:2: stage: unknown stage '5'"));
  EXPECT_TRUE(HasProblem(Problems("epoch,stage\n0,wake\n1,\n2,wake\n3,wake\n"), "p.csv:3:2: stage: missing"));
}

// Tests epochs and times outside the night, and epoch/time_s disagreeing.
TEST(PredictionsCsv, TimesOutsideTheNightNameTheLine) {
  EXPECT_TRUE(HasProblem(Problems("epoch,stage\n0,wake\n1,wake\n2,wake\n4,wake\n"),
                         "p.csv:5:1: epoch: epoch 4 is outside the night (epochs 0–3)"));
  EXPECT_TRUE(HasProblem(Problems("epoch,stage\n-1,wake\n"), "p.csv:2:1: epoch: epoch -1 is outside the night"));
  EXPECT_TRUE(HasProblem(Problems("time_s,stage\n0,wake\n30,wake\n60,wake\n120,wake\n"),
                         "p.csv:5:1: time_s: time 120 s is outside the night [0, 120) s"));
  EXPECT_TRUE(HasProblem(Problems("epoch,time_s,stage\n0,0,wake\n1,65,wake\n"),
                         "p.csv:3:2: time_s: time 65 s lies in epoch 2, but the row says epoch 1"));
  EXPECT_TRUE(HasProblem(Problems("epoch,stage,alarm_fire_s\n0,wake,\n1,wake,-3\n2,wake,\n3,wake,\n"),
                         "p.csv:3:3: alarm_fire_s: time -3 s is outside the night"));
}

// Tests the wrong number of epochs: duplicates and missing epochs.
// Tests that a time just below the night's end is in the last epoch even when
// time / epoch_s rounds up to the epoch count (epoch_s not exact in binary): found by
// tests/fuzz/predictions_fuzz.cc as a write past the end of the rows.
TEST(PredictionsCsv, TimeJustBeforeTheEndIsInTheLastEpoch) {
  const PredictionsNight night{3, 17.3};  // 51.9 < 3 · 17.3, but 51.9 / 17.3 rounds to 3
  const Predictions p = ParsePredictionsCsv("time_s,stage\n0,wake\n17.3,light\n51.9,rem\n", "p.csv", night);
  ASSERT_EQ(p.estimates.size(), 3u);
  EXPECT_EQ(p.estimates[2].epoch, 2);
  EXPECT_EQ(p.estimates[2].stage, EstStage::kRem);
  EXPECT_TRUE(HasProblem(Problems("epoch,time_s,stage\n0,0,wake\n1,17.3,light\n3,51.9,rem\n", night),
                         "epoch 3 is outside the night"));
}

TEST(PredictionsCsv, WrongNumberOfEpochsIsReported) {
  EXPECT_TRUE(HasProblem(Problems("epoch,stage\n0,wake\n1,wake\n1,light\n2,wake\n3,wake\n"),
                         "p.csv:4: epoch: epoch 1 appears twice (first on line 3)"));
  EXPECT_TRUE(HasProblem(Problems("epoch,stage\n0,wake\n1,wake\n"),
                         "epoch: 2 rows for a night of 4 epochs: 2 epochs missing (first 2, last 3)"));
}

// Tests that a thoroughly broken file lists at most the cap, then how many more.
TEST(PredictionsCsv, ManyProblemsAreCapped) {
  std::string text = "epoch,stage\n";
  for (int i = 0; i < 50; ++i) text += "0,bogus\n";
  const auto problems = Problems(text);
  ASSERT_EQ(problems.size(), kMaxPredictionProblems + 1);
  EXPECT_TRUE(HasProblem(problems, "and 30 more problems"));
}

}  // namespace
}  // namespace nightsim::harness
