// Tests of the sleep-measure definitions on hand-made hypnograms and on Sleep-EDF.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sleepers/sleep_measures.h"

namespace nightsim::sleepers {
namespace {

TEST(SleepMeasures, DefinitionsOnAHandMadeNight) {
  // 4 W (latency 2 min) | N1 N2 N2 | W -1 -1 W (one awakening, out of bed) | N2 N3 N3 REM REM | W W (after the last sleep)
  const std::vector<int> codes = {0, 0, 0, 0, 1, 2, 2, 0, -1, -1, 0, 2, 3, 3, 4, 4, 0, 0};
  const SleepMeasures m = ComputeSleepMeasures(codes);
  ASSERT_TRUE(m.slept);
  EXPECT_DOUBLE_EQ(m.tib_min, 9.0);
  EXPECT_DOUBLE_EQ(m.sol_min, 2.0);
  EXPECT_DOUBLE_EQ(m.tst_min, 4.0);
  EXPECT_DOUBLE_EQ(m.waso_min, 2.0);  // out-of-bed epochs inside the SPT are wake
  EXPECT_DOUBLE_EQ(m.spt_min, 6.0);
  EXPECT_EQ(m.awakenings, 1);
  EXPECT_EQ(m.wake_bouts_epochs, std::vector<int>{4});
  ASSERT_TRUE(m.rem_latency_min.has_value());
  EXPECT_DOUBLE_EQ(*m.rem_latency_min, 5.0);
  EXPECT_EQ(m.rem_periods, 1);
  EXPECT_DOUBLE_EQ(m.n3_pct, 25.0);
  EXPECT_EQ(m.from_count[2], 3);  // N2 N2 | N2 before W | N2 before N3
  EXPECT_EQ(m.stay_count[2], 1);
}

TEST(SleepMeasures, WindowExcludesPreBedAndPostRise) {
  const std::vector<int> codes = {-1, -1, 0, 0, 2, 2, 0, -1, -1};
  MeasureOptions o;
  o.lights_out_epoch = 2;
  o.rise_epoch = 7;
  const SleepMeasures m = ComputeSleepMeasures(codes, o);
  EXPECT_DOUBLE_EQ(m.tib_min, 2.5);
  EXPECT_DOUBLE_EQ(m.sol_min, 1.0);
  EXPECT_DOUBLE_EQ(m.se_pct, 40.0);
}

TEST(SleepMeasures, RemGapsUnderFifteenMinutesAreOnePeriod) {
  std::vector<int> codes(200, 2);
  codes[10] = 4;
  codes[35] = 4;   // 25 epochs later: same period
  codes[100] = 4;  // 65 epochs later: a new one
  EXPECT_EQ(ComputeSleepMeasures(codes).rem_periods, 2);
}

TEST(SleepMeasures, NoSleepIsNotAnError) {
  const std::vector<int> codes = {0, 0, -1};
  const SleepMeasures m = ComputeSleepMeasures(codes);
  EXPECT_FALSE(m.slept);
  EXPECT_EQ(AggregateMeasures(std::vector<SleepMeasures>{m}).tst_min.n, 0u);
}

TEST(SleepMeasures, RejectsBadCodesAndWindows) {
  EXPECT_THROW(ComputeSleepMeasures(std::vector<int>{0, 5}), std::invalid_argument);
  MeasureOptions o;
  o.rise_epoch = 10;
  EXPECT_THROW(ComputeSleepMeasures(std::vector<int>{0, 1}, o), std::invalid_argument);
}

TEST(SleepMeasures, LoadsTheSleepEdfNights) {
  const auto nights = LoadHypnogramDirectory(std::string(NIGHTSIM_SHARED_DIR) + "/data/hypnograms/sleep-edf-st");
  ASSERT_EQ(nights.size(), 44u);
  for (const auto& n : nights) EXPECT_GT(n.size(), 600u);
  EXPECT_THROW(LoadHypnogramJson("/nonexistent.json"), std::runtime_error);
}

}  // namespace
}  // namespace nightsim::sleepers
