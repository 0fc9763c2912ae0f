// Tests that a scenario's `simulation` section reaches the radar physics of a run.

#include <gtest/gtest.h>

#include <complex>
#include <string>

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

// Tests that switching off the room, its fan and the receiver noise leaves an empty
// room's radar exactly silent, and that each one alone is heard.
TEST(SimulationSwitches, AnEmptyRoomWithoutSceneClutterAndNoiseIsSilent) {
  const std::string silent = "simulation:\n  noise: false\n  static_scene: false\n  clutter: false\n";
  EXPECT_EQ(LargestReturn(silent), 0.0f);
  EXPECT_GT(LargestReturn("simulation:\n  static_scene: false\n  clutter: false\n"), 0.0f);  // noise
  EXPECT_GT(LargestReturn("simulation:\n  noise: false\n  clutter: false\n"), 0.0f);        // walls, floor
  EXPECT_GT(LargestReturn("simulation:\n  noise: false\n  static_scene: false\n"), 0.0f);   // the fan
}

}  // namespace
}  // namespace nightsim::harness
