// Tests that a scenario's `simulation` section reaches the radar physics of a run.

#include <gtest/gtest.h>

#include <complex>
#include <string>
#include <vector>

#include "harness/night_runner.h"
#include "harness/scenario_loader.h"

namespace nightsim::harness {
namespace {

const std::string kData = std::string(NIGHTSIM_SOURCE_DIR) + "/tests/harness/data/scenarios/";

// The largest |X| over every range bin of every frame of a one-minute empty-room night.
float LargestReturn(const std::string& simulation_yaml) {
  const Scenario scenario = LoadScenarioText(
      "extends: good/empty_room.yaml\nnight:\n  start: \"21:00\"\n  end: \"21:01\"\n" + simulation_yaml,
      kData + "inline.yaml");
  float largest = 0.0f;
  RunNight(scenario, RunOptions{}, nullptr, [&](const RadarFrame& f) {
    for (const std::complex<float>& x : f.range) largest = std::max(largest, std::abs(x));
  });
  return largest;
}

// Tests that switching off the room, its fan, the receiver noise and the chip's own
// returns (leakage, DC) leaves an empty room's radar exactly silent, and that each one
// alone is heard.
TEST(SimulationSwitches, AnEmptyRoomWithoutSceneClutterAndNoiseIsSilent) {
  const std::vector<std::string> sources = {"noise", "static_scene", "clutter", "leakage", "dc_offset"};
  auto all_off_but = [&](const std::string& kept) {
    std::string yaml = "simulation:\n";
    for (const std::string& s : sources) {
      if (s != kept) yaml += "  " + s + ": false\n";
    }
    return yaml;
  };
  EXPECT_EQ(LargestReturn(all_off_but("")), 0.0f);
  for (const std::string& kept : sources) EXPECT_GT(LargestReturn(all_off_but(kept)), 0.0f) << kept;
}

}  // namespace
}  // namespace nightsim::harness
