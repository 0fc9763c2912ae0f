// Tests of the intent post-processing (IntentDetector) on scripted score series.
#include "pipeline/intent.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <vector>

namespace nightsim::pipeline {
namespace {

constexpr int kLookahead = 3;

// Feeds `scores` (nullopt = user not tracked) and decides each epoch kLookahead
// epochs later, as SleepPipeline does; returns the decisions.
std::vector<bool> Decisions(const std::vector<std::optional<double>>& scores, IntentDetector* d) {
  std::vector<bool> out;
  const auto n = static_cast<std::int64_t>(scores.size());
  for (std::int64_t e = 0; e < n; ++e) {
    d->Push(e, scores[static_cast<std::size_t>(e)]);
    if (e >= kLookahead) out.push_back(d->Decide(e - kLookahead));
  }
  for (std::int64_t e = std::max<std::int64_t>(0, n - kLookahead); e < n; ++e) out.push_back(d->Decide(e));
  return out;
}

// Scores that wobble (±0.15) around `level`, deterministically.
double Wobble(double level, int i) { return level + 0.15 * ((i * 7919) % 11 - 5) / 5.0; }

TEST(IntentTest, StartsAtTheStepOfTheScore) {
  std::vector<std::optional<double>> s;
  for (int i = 0; i < 60; ++i) s.push_back(Wobble(0.15, i));   // reading: 30 min
  for (int i = 0; i < 200; ++i) s.push_back(Wobble(0.85, i));  // lights out
  IntentDetector d;
  const std::vector<bool> intent = Decisions(s, &d);
  ASSERT_TRUE(d.first_start().has_value());
  EXPECT_NEAR(static_cast<double>(*d.first_start()), 60.0, 1.0);
  for (int e = 0; e < 59; ++e) EXPECT_FALSE(intent[e]) << e;
  for (int e = 61; e < 260; ++e) EXPECT_TRUE(intent[e]) << e;
}

TEST(IntentTest, IsolatedHighScoresDoNotStartIntent) {
  std::vector<std::optional<double>> s;
  for (int i = 0; i < 120; ++i) s.push_back(i % 17 == 0 ? 0.95 : Wobble(0.15, i));
  IntentDetector d;
  const std::vector<bool> intent = Decisions(s, &d);
  EXPECT_FALSE(d.first_start().has_value());
  for (bool b : intent) EXPECT_FALSE(b);
}

TEST(IntentTest, ARestroomTripKeepsIntentAndALongAbsenceEndsIt) {
  std::vector<std::optional<double>> s;
  for (int i = 0; i < 20; ++i) s.push_back(Wobble(0.2, i));
  for (int i = 0; i < 100; ++i) s.push_back(Wobble(0.9, i));
  for (int i = 0; i < 10; ++i) s.push_back(std::nullopt);  // 5-min restroom trip
  for (int i = 0; i < 100; ++i) s.push_back(Wobble(0.9, i));
  for (int i = 0; i < 60; ++i) s.push_back(std::nullopt);  // up for the day
  IntentDetector d;
  const std::vector<bool> intent = Decisions(s, &d);
  EXPECT_NEAR(static_cast<double>(*d.first_start()), 20.0, 1.0);
  for (int e = 22; e < 230; ++e) EXPECT_TRUE(intent[e]) << e;
  const int end = 230 + IntentConfig{}.absence_end_epochs;
  for (int e = end; e < 290; ++e) EXPECT_FALSE(intent[e]) << e;
}

TEST(IntentTest, SustainedLowScoresEndIntent) {
  std::vector<std::optional<double>> s;
  for (int i = 0; i < 100; ++i) s.push_back(Wobble(0.9, i));
  for (int i = 0; i < 60; ++i) s.push_back(Wobble(0.05, i));  // sat up and switched the light on
  IntentDetector d;
  const std::vector<bool> intent = Decisions(s, &d);
  EXPECT_EQ(d.first_start(), std::optional<std::int64_t>(0));
  EXPECT_TRUE(intent[99]);
  const int off_by = 100 + IntentConfig{}.min_off_epochs + 2;
  for (int e = off_by; e < 160; ++e) EXPECT_FALSE(intent[e]) << e;
}

TEST(IntentTest, RejectsBadConfigurationAndOrder) {
  IntentConfig bad;
  bad.on_threshold = 0.1;  // below the off threshold
  EXPECT_THROW(IntentDetector{bad}, std::invalid_argument);
  IntentDetector d;
  d.Push(5, 0.5);
  EXPECT_THROW(d.Push(5, 0.5), std::invalid_argument);
}

}  // namespace
}  // namespace nightsim::pipeline
