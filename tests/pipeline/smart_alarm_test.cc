// Tests of the smart alarm on scripted stage sequences.
#include "pipeline/smart_alarm.h"

#include <gtest/gtest.h>

#include <functional>
#include <optional>
#include <stdexcept>
#include <vector>

namespace nightsim::pipeline {
namespace {

constexpr double kEpochS = 30.0;
constexpr double kLatencyS = 120.0;  // the pipeline decides an epoch 2 min after its end
constexpr double kAlarmS = 8 * 3600.0;

// Plays a night whose epoch e has stage stages(e): each epoch's stage reaches the
// alarm kLatencyS after the epoch ends; time advances in 1-s steps (frames).
std::optional<AlarmDecision> Play(const std::function<EstStage(int)>& stage_of, SmartAlarmConfig config = {}) {
  SmartAlarm alarm(config, kAlarmS, 1800.0);
  std::optional<AlarmDecision> fired;
  int next_epoch = 0;
  for (double t = 0; t <= kAlarmS + 3600.0; t += 1.0) {
    while ((next_epoch + 1) * kEpochS + kLatencyS <= t) {
      alarm.OnStage(next_epoch, (next_epoch + 1) * kEpochS, stage_of(next_epoch));
      ++next_epoch;
    }
    if (auto d = alarm.OnTime(t)) {
      EXPECT_FALSE(fired.has_value()) << "fired twice";
      fired = d;
    }
  }
  return fired;
}

int EpochAt(double t_s) { return static_cast<int>(t_s / kEpochS); }

TEST(SmartAlarmTest, LightSleepLateInTheWindowFiresThere) {
  // REM until 7 min before the alarm, then light sleep.
  const auto d = Play([](int e) { return e < EpochAt(kAlarmS - 420) ? EstStage::kRem : EstStage::kLight; });
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->stage_at_fire, EstStage::kLight);
  EXPECT_GE(d->fire_s, kAlarmS - SmartAlarmConfig{}.late_window_s);  // the latest check in light sleep
  EXPECT_LT(d->fire_s, kAlarmS);
}

TEST(SmartAlarmTest, LightSleepEarlyInTheWindowWaitsForTheLateWindow) {
  // Light sleep from 25 min before the alarm on: keep the sleep, fire in the late window.
  const auto d = Play([](int e) { return e < EpochAt(kAlarmS - 1500) ? EstStage::kDeep : EstStage::kLight; });
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->stage_at_fire, EstStage::kLight);
  EXPECT_GE(d->fire_s, kAlarmS - SmartAlarmConfig{}.late_window_s);
  EXPECT_LT(d->fire_s, kAlarmS);
}

TEST(SmartAlarmTest, ALongLightBoutEarlyInTheWindowIsCaught) {
  // Light from 50 min before the alarm to 20 min before, then REM to the alarm:
  // waiting for the late window would miss the light sleep.
  const auto d = Play([](int e) {
    if (e < EpochAt(kAlarmS - 3000)) return EstStage::kRem;
    return e < EpochAt(kAlarmS - 1200) ? EstStage::kLight : EstStage::kRem;
  });
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->stage_at_fire, EstStage::kLight);
  EXPECT_GE(d->fire_s, kAlarmS - 1800);
  EXPECT_LT(d->fire_s, kAlarmS - 1200 + kLatencyS + 1.0);
}

TEST(SmartAlarmTest, NoLightSleepFiresAtTheAlarmTime) {
  const auto d = Play([](int) { return EstStage::kRem; });
  ASSERT_TRUE(d.has_value());
  EXPECT_DOUBLE_EQ(d->fire_s, kAlarmS);
  EXPECT_EQ(d->stage_at_fire, EstStage::kRem);
}

TEST(SmartAlarmTest, AUserAlreadyAwakeGetsNoEarlyAlarm) {
  // Awake from 45 min before the alarm (with the odd light epoch while dozing).
  const auto d = Play([](int e) {
    if (e < EpochAt(kAlarmS - 2700)) return EstStage::kLight;
    return e % 9 == 0 ? EstStage::kLight : EstStage::kWake;
  });
  ASSERT_TRUE(d.has_value());
  EXPECT_DOUBLE_EQ(d->fire_s, kAlarmS);
  // Gone (nothing tracked) counts as awake too.
  const auto gone = Play([](int e) { return e < EpochAt(kAlarmS - 2700) ? EstStage::kLight : EstStage::kNone; });
  ASSERT_TRUE(gone.has_value());
  EXPECT_DOUBLE_EQ(gone->fire_s, kAlarmS);
}

TEST(SmartAlarmTest, NeverFiresAfterTheAlarmNorWithoutOne) {
  for (EstStage s : {EstStage::kWake, EstStage::kLight, EstStage::kDeep, EstStage::kRem, EstStage::kNone}) {
    const auto d = Play([s](int) { return s; });
    ASSERT_TRUE(d.has_value());
    EXPECT_LE(d->fire_s, kAlarmS);
    EXPECT_GE(d->fire_s, kAlarmS - 1800.0);
  }
  SmartAlarm none({}, std::nullopt, 1800.0);
  for (double t = 0; t < 36000.0; t += 10.0) EXPECT_FALSE(none.OnTime(t).has_value());
  SmartAlarmConfig bad;
  bad.check_interval_s = 0.0;
  EXPECT_THROW(SmartAlarm(bad, kAlarmS, 1800.0), std::invalid_argument);
}

}  // namespace
}  // namespace nightsim::pipeline
