// Tests that generated nights of a healthy 35-year-old meet every realism target of
// docs/design.md §4, measured by the same code on the model and on the Sleep-EDF nights.

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "sleepers/night.h"
#include "sleepers/sleep_measures.h"
#include "test_scenarios.h"

namespace nightsim::sleepers {
namespace {

constexpr int kNights = 400;

MeasuresAggregate ModelAggregate(const Scenario& scenario, int nights, std::uint64_t first_seed) {
  std::vector<SleepMeasures> measures;
  for (int n = 0; n < nights; ++n) {
    const Night night = SimulateNight(scenario, first_seed + static_cast<std::uint64_t>(n));
    const PersonTruth& truth = night.people.at(0);
    measures.push_back(ComputeSleepMeasures(truth.StageCodes(), truth.MeasureWindow(night.epoch_s)));
  }
  return AggregateMeasures(measures);
}

MeasuresAggregate SleepEdfAggregate() {
  std::vector<SleepMeasures> measures;
  for (const auto& codes : LoadHypnogramDirectory(std::string(NIGHTSIM_SHARED_DIR) + "/data/hypnograms/sleep-edf-st")) {
    measures.push_back(ComputeSleepMeasures(codes));
  }
  return AggregateMeasures(measures);
}

TEST(HypnogramRealism, HealthyAdultMeetsEveryTarget) {
  const MeasuresAggregate model = ModelAggregate(testing::HealthyAdultScenario(), kNights, 1000);
  const MeasuresAggregate edf = SleepEdfAggregate();
  std::printf("%s", FormatRealismTable(model, &edf, "Sleep-EDF").c_str());
  for (const RealismTarget& t : RealismTargets()) {
    EXPECT_GE(t.value(model), t.lo) << t.name;
    EXPECT_LE(t.value(model), t.hi) << t.name;
  }
}

}  // namespace
}  // namespace nightsim::sleepers
