// Tests `nightsim hypnograms` as a user runs it: the files of every night and person,
// the realism table, and usage errors (exit 2, nothing written).

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <utility>

#include "night_file_test_util.h"

namespace nightsim::harness {
namespace {

using testing_util::CliRun;
using testing_util::Quote;
using testing_util::RunNightsim;

const std::string kScenario = std::string(NIGHTSIM_SOURCE_DIR) + "/scenarios/healthy_adult.yaml";

// Tests that N nights give one JSON and one CSV per night and person and the table.
TEST(HypnogramsCli, WritesEveryNightAndTheRealismTable) {
  const auto dir = testing_util::FreshDir("hypnograms_cli");
  const CliRun r = RunNightsim(
      "hypnograms " + Quote(kScenario) + " --nights 3 --seed 7 --reference none --out " + Quote((dir / "h").string()),
      dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  int json = 0, csv = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir / "h")) {
    json += e.path().extension() == ".json";
    csv += e.path().extension() == ".csv";
  }
  EXPECT_EQ(json, 3);
  EXPECT_EQ(csv, 3);
  EXPECT_NE(r.out.find("3 nights from seed 7"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("TST"), std::string::npos) << r.out;
}

// Tests that a missing or bad --nights, a missing --out and an unknown option exit 2
// and write nothing.
TEST(HypnogramsCli, UsageErrorsExit2) {
  const auto dir = testing_util::FreshDir("hypnograms_usage");
  const std::string out = " --out " + Quote((dir / "h").string());
  // Each case with what its message must name.
  const std::pair<std::string, std::string> cases[] = {
      {"--nights 2" + out, "SCENARIO: a scenario file is required"},
      {Quote(kScenario) + out, "--nights: must be >= 1, got 0"},
      {Quote(kScenario) + " --nights 0" + out, "--nights: must be >= 1, got 0"},
      {Quote(kScenario) + " --nights two" + out, "--nights"},
      {Quote(kScenario) + " --nights 2", "--out: the output folder is required"},
      {Quote(kScenario) + " --nights 2 --bogus" + out, "--bogus"}};
  for (const auto& [args, message] : cases) {
    const CliRun r = RunNightsim("hypnograms " + args, dir);
    EXPECT_EQ(r.exit_code, 2) << args;
    EXPECT_NE(r.err.find("error: "), std::string::npos) << args;
    EXPECT_NE(r.err.find(message), std::string::npos) << args << "\n" << r.err;
  }
  EXPECT_FALSE(std::filesystem::exists(dir / "h"));
}

}  // namespace
}  // namespace nightsim::harness
