// Tests the on-device stream model on a breathing sleeper: distance, respiration
// waveform, motion during a turn-over, and the decimated rate.

#include "physics/stream.h"

#include <gtest/gtest.h>

#include <cmath>

#include "physics/body_model.h"
#include "physics/radar_simulator.h"
#include "physics_test_util.h"

namespace nightsim::physics {
namespace {

TEST(Stream, ABreathingSleeperGivesDistanceRespirationAndQuality) {
  const RoomSpec room;
  const DeviceSpec dev;
  RadarSimulator sim(room, dev, 21);
  StreamProcessor dsp(sim.info());
  testing::Sleepers night(false);
  night.specs.pop_back();
  night.states.pop_back();
  // Seen from mattress height, the strongest breathing return of a supine sleeper is the
  // near flank of the chest or abdomen, or the chest front: accept any torso scatterer.
  const BodyParts parts = BuildBodyParts(night.specs[0], night.states[0]);
  const Eigen::Vector3d device(dev.x_m, dev.y_m, dev.z_m);
  auto near_torso = [&](double d) {
    double best = 1e9;
    for (int i : {0, 1, 4, 5}) best = std::min(best, std::fabs((parts.part[i].rest_m - device).norm() - d));
    return best;
  };
  std::vector<double> est, truth, motion;
  RadarFrame f;
  int samples = 0;
  for (int i = 0; i < 1200; ++i) {  // 60 s
    const double t = i / 20.0;
    night.At(t);
    sim.SynthesizeFrame(i, night.specs, night.states, RadarLevel::kRange, &f);
    const auto s = dsp.OnFrame(f);
    if (!s) continue;
    ++samples;
    if (t < 30.0) continue;  // let the clutter estimate settle
    EXPECT_TRUE(s->target);
    EXPECT_LT(near_torso(s->distance_m), 0.05);
    est.push_back(s->respiration_m);
    truth.push_back(night.states[0].chest_m);
    motion.push_back(s->motion);
  }
  EXPECT_EQ(samples, 600);  // 10 Hz
  double sxy = 0, sxx = 0, syy = 0, mx = 0, my = 0;
  for (std::size_t i = 0; i < est.size(); ++i) {
    mx += est[i] / est.size();
    my += truth[i] / est.size();
  }
  for (std::size_t i = 0; i < est.size(); ++i) {
    sxy += (est[i] - mx) * (truth[i] - my);
    sxx += (est[i] - mx) * (est[i] - mx);
    syy += (truth[i] - my) * (truth[i] - my);
  }
  // Range change is minus the outward displacement: strong negative correlation.
  EXPECT_LT(sxy / std::sqrt(sxx * syy), -0.9);
  double max_motion = 0;
  for (double m : motion) max_motion = std::max(max_motion, m);
  EXPECT_LT(max_motion, 0.3);  // breathing alone is not movement

  // A turn-over with gross motion raises the motion index.
  double turning = 0;
  for (int i = 1200; i < 1240; ++i) {
    night.At(i / 20.0);
    night.states[0].from_posture = Posture::kBack;
    night.states[0].posture = Posture::kLeftSide;
    night.states[0].transition = (i - 1200) / 40.0;
    night.states[0].motion = 1.0;
    sim.SynthesizeFrame(i, night.specs, night.states, RadarLevel::kRange, &f);
    if (const auto s = dsp.OnFrame(f)) turning = std::max(turning, s->motion);
  }
  EXPECT_GT(turning, 0.5);
}

TEST(Stream, OnlyRangeFramesAreAccepted) {
  RadarSimulator sim(RoomSpec{}, DeviceSpec{}, 1);
  StreamProcessor dsp(sim.info());
  RadarFrame f;
  sim.SynthesizeFrame(0, {}, {}, RadarLevel::kRaw, &f);
  EXPECT_THROW(dsp.OnFrame(f), std::invalid_argument);
}

}  // namespace
}  // namespace nightsim::physics
