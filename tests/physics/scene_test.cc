// Tests the propagation model's shortcuts against its direct evaluation: the amplitudes of
// a scatterer's paths, whose antenna gains are evaluated once per leg surface and reused,
// equal Amplitude evaluated path by path.

#include "physics/scene.h"

#include <gtest/gtest.h>

#include <vector>

#include "physics_test_util.h"

namespace nightsim::physics {
namespace {

// Tests that AddPaths' amplitudes (gains shared between the paths of one scatterer) are
// bit-identical to Amplitude of each path on its own, with multipath off the floor too.
TEST(Propagation, SharedLegGainsGiveTheAmplitudesOfEachPathOnItsOwn) {
  RoomSpec room;  // default room: reflective walls, floor and ceiling
  DeviceSpec dev;
  const Propagation prop(dev.radar, room, DevicePose::From(dev), true, 40.0);  // keep weak paths too
  for (const bool skip_floor : {false, true}) {
    for (const Eigen::Vector3d& at : {Eigen::Vector3d(1.7, 1.1, 0.7), Eigen::Vector3d(0.9, 2.6, 1.4)}) {
      ScatterLook look;
      look.position_m = at;
      look.normal = Eigen::Vector3d(-0.8, -0.3, 0.5).normalized();
      look.rcs_m2 = 0.1;
      look.aspect_floor = 0.05;
      std::vector<PathSpec> specs;
      std::vector<Tone> tones;
      prop.AddPaths(look, 0.7, skip_floor, &specs, &tones);
      ASSERT_GE(specs.size(), 7u);  // direct and multipath
      ASSERT_EQ(specs.size(), tones.size());
      for (std::size_t i = 0; i < specs.size(); ++i) {
        EXPECT_EQ(tones[i].amplitude_v[0], prop.Amplitude(look, specs[i], 0.7)) << i;
      }
    }
  }
}

}  // namespace
}  // namespace nightsim::physics
