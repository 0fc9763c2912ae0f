// Known-answer tests of the whole first half of the pipeline on synthetic bedrooms:
// one sleeper, two sleepers, a restroom trip, a fan, a pet alone, causality.
#include "pipeline/tracking_pipeline.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "synthetic_frames.h"

namespace nightsim::pipeline {
namespace {

using testing::Scatterer;
using testing::Scene;
using testing::TorsoAmplitude;

/// A breathing person: chest, abdomen (slightly later), shoulder, still head.
void AddPerson(Scene* scene, double range_m, double azimuth_rad, double rate_bpm, double depth_mm,
               double amp_at_1m = 0.036, double start_s = -1e9, double end_s = 1e9, double start2_s = 1e9,
               double end2_s = 1e9) {
  auto add = [&](double dr, double daz, double amp_scale, double depth_scale, double phase) {
    Scatterer s;
    s.range_m = range_m + dr;
    s.azimuth_rad = azimuth_rad + daz;
    s.amplitude = amp_scale * TorsoAmplitude(range_m + dr, amp_at_1m);
    s.breath_rate_bpm = depth_scale > 0.0 ? rate_bpm : 0.0;
    s.breath_depth_mm = depth_mm * depth_scale;
    s.breath_phase = phase;
    s.start_s = start_s;
    s.end_s = end_s;
    s.start2_s = start2_s;
    s.end2_s = end2_s;
    scene->scatterers.push_back(s);
  };
  add(0.0, 0.0, 1.0, 1.0, 0.0);     // chest
  add(0.08, -0.1, 0.7, 0.8, 0.05);  // abdomen
  add(-0.07, 0.1, 0.5, 0.25, 0.0);  // shoulder
  add(-0.12, 0.3, 0.4, 0.0, 0.0);   // head: no breathing
}

/// A pet: one small reflector with fast shallow breathing.
void AddPet(Scene* scene, double range_m, double azimuth_rad, double rate_bpm = 25.0) {
  Scatterer s;
  s.range_m = range_m;
  s.azimuth_rad = azimuth_rad;
  s.amplitude = TorsoAmplitude(range_m, 0.006);  // ~15 dB below a torso, as a cat in physics/
  s.breath_rate_bpm = rate_bpm;
  s.breath_depth_mm = 1.0;
  scene->scatterers.push_back(s);
}

Scene Room() {
  Scene s;
  s.scatterers = testing::Clutter();
  return s;
}

AppSettings Settings(BedSide side = BedSide::kLeft) {
  AppSettings a;
  a.bed_side = side;
  return a;
}

testing::RunResult RunScene(const Scene& scene, double duration_s, BedSide side = BedSide::kLeft,
                            TrackingConfig config = {}) {
  TrackingPipeline p(config);
  return testing::Run(p, testing::DefaultRadar(), Settings(side), scene, duration_s);
}

std::string Table(const testing::RunResult& r) {
  std::ostringstream os;
  for (std::size_t i = 0; i < r.epochs.size(); ++i) {
    const EpochEstimate& e = r.epochs[i];
    const RespirationFeatures& f = r.features[i];
    os << e.epoch << " pres=" << e.present << " conf=" << e.presence_confidence << " sess=" << e.session
       << " trk=" << e.tracking << " r=" << e.target_range_m << " az=" << e.target_angle_rad << " bpm=" << e.resp_rate_bpm
       << " mov=" << e.movement << " q=" << f.signal_quality << " breaths=" << f.breath_count << " reg=" << f.regularity
       << " depth=" << f.depth_mm << "\n";
  }
  return os.str();
}

// Tests a single breathing target at a known range and angle: presence, the
// 5-minute session rule, range/angle estimate and rate.
TEST(TrackingPipelineTest, SingleBreatherKnownAnswer) {
  Scene scene = Room();
  AddPerson(&scene, 0.6, -0.35, 15.0, 4.0);
  const auto r = RunScene(scene, 9 * 60.0);
  ASSERT_EQ(r.epochs.size(), 18u);
  ASSERT_EQ(r.features.size(), 18u);
  for (std::size_t i = 0; i < r.epochs.size(); ++i) {
    const EpochEstimate& e = r.epochs[i];
    EXPECT_EQ(e.epoch, static_cast<std::int64_t>(i));
    EXPECT_FALSE(e.intent);
    EXPECT_EQ(e.stage, EstStage::kNone);
    if (i >= 1) {
      EXPECT_TRUE(e.present) << i << "\n" << Table(r);
      EXPECT_TRUE(e.tracking) << i;
      EXPECT_NEAR(e.target_range_m, 0.6, 0.08) << i;
      EXPECT_NEAR(e.target_angle_rad, -0.35, 0.15) << i;
      EXPECT_NEAR(e.resp_rate_bpm, 15.0, 0.3) << i << "\n" << Table(r);
      EXPECT_GT(e.presence_confidence, 0.7);
      EXPECT_LT(e.movement, 0.1);
      EXPECT_NEAR(r.features[i].interval_mean_s, 4.0, 0.3) << i;
      EXPECT_GT(r.features[i].regularity, 0.8) << i;
    }
    // Presence starts within the first epoch; the session > 5 min later.
    if (i < 10) {
      EXPECT_FALSE(e.session) << i;
    }
    if (i >= 12) {
      EXPECT_TRUE(e.session) << i << "\n" << Table(r);
    }
  }
}

// Tests a sensor like the imported real ones: one receiver (no direction), 21 bins
// starting at 0.3 m, 12.94 frames/s and data in arbitrary units (10⁴ times the
// reference's). The breather is found at its range, on boresight, at its rate — from
// the per-update cells (a 40-s recording is too short for a 20-s clean epoch rate).
TEST(TrackingPipelineTest, OneReceiverSensorWithRangeOffsetAndOwnUnits) {
  RadarInfo radar = testing::DefaultRadar();
  radar.rx.resize(1);
  radar.frame_rate_hz = 12.94;
  radar.range_bins = 21;
  radar.range_bin_m = 0.06;
  radar.range_start_m = 0.298;
  Scene scene;
  scene.noise_sigma *= 1e4;
  AddPerson(&scene, 0.65, 0.3, 15.0, 4.0, 0.036 * 1e4);
  TrackingPipeline p;
  std::vector<EpochEstimate> out;
  std::vector<AlarmDecision> alarms;
  p.Start(radar, Settings());
  std::vector<double> rates;
  for (std::int64_t i = 0; i < static_cast<std::int64_t>(40.0 * radar.frame_rate_hz); ++i) {
    p.OnFrame(testing::MakeRangeFrame(radar, scene, i), &out, &alarms);
    const int cell = p.track().tracking ? p.track().cell : -1;
    if (cell < 0) continue;
    const CellAssessment& c = p.cells()[static_cast<std::size_t>(cell)];
    EXPECT_NEAR(c.range_m, 0.65, 0.1) << i;
    EXPECT_EQ(c.azimuth_rad, 0.0);
    rates.push_back(c.rate_bpm);
  }
  p.Finish(&out, &alarms);
  ASSERT_GE(rates.size(), 5u);
  for (double r : rates) EXPECT_NEAR(r, 15.0, 0.5);
  // The partial second epoch (30–40 s) is read without the decision lag: present.
  ASSERT_EQ(out.size(), 2u);
  EXPECT_TRUE(out[0].present);
  EXPECT_TRUE(out[1].present);
  EXPECT_NEAR(out[1].target_range_m, 0.65, 0.1);
}

// Tests the raw level: the pipeline's own range FFT feeds the same chain.
TEST(TrackingPipelineTest, RawFramesGoThroughTheRangeFft) {
  Scene scene = Room();
  AddPerson(&scene, 0.7, -0.2, 13.0, 5.0);
  const RadarInfo radar = testing::DefaultRadar();
  TrackingPipeline p;
  p.Start(radar, Settings());
  std::vector<EpochEstimate> out;
  std::vector<AlarmDecision> alarms;
  for (std::int64_t i = 0; i < 20 * 150; ++i) p.OnFrame(testing::MakeRawFrame(radar, scene, i, 2), &out, &alarms);
  p.Finish(&out, &alarms);
  ASSERT_EQ(out.size(), 5u);
  for (std::size_t i = 1; i < out.size(); ++i) {
    EXPECT_TRUE(out[i].tracking) << i;
    EXPECT_NEAR(out[i].target_range_m, 0.7, 0.08) << i;
    EXPECT_NEAR(out[i].resp_rate_bpm, 13.0, 0.3) << i;
  }
}

// Tests two breathing targets at different ranges: the nearer one (the user, on
// the configured side) is tracked and the partner's rate is never reported.
TEST(TrackingPipelineTest, TwoBreathersTracksTheNearestOnTheConfiguredSide) {
  for (BedSide side : {BedSide::kLeft, BedSide::kRight}) {
    const double foot = side == BedSide::kLeft ? -1.0 : 1.0;
    Scene scene = Room();
    AddPerson(&scene, 0.65, 0.35 * foot, 16.0, 4.0);
    AddPerson(&scene, 1.35, 0.15 * foot, 11.0, 5.0, 0.04);
    const auto r = RunScene(scene, 6 * 60.0, side);
    for (std::size_t i = 1; i < r.epochs.size(); ++i) {
      const EpochEstimate& e = r.epochs[i];
      EXPECT_TRUE(e.tracking) << i << "\n" << Table(r);
      EXPECT_NEAR(e.target_range_m, 0.65, 0.08) << i;
      EXPECT_NEAR(e.resp_rate_bpm, 16.0, 0.3) << i << "\n" << Table(r);
    }
  }
}

// Tests that a partner alone in bed (the user absent) is never taken for the user,
// though someone is present, and that whoever comes to bed first does not matter.
TEST(TrackingPipelineTest, PartnerFirstThenUser) {
  Scene scene = Room();
  AddPerson(&scene, 1.3, -0.1, 11.0, 5.0, 0.04);
  AddPerson(&scene, 0.6, -0.35, 16.0, 4.0, 0.036, /*start_s=*/240.0);
  const auto r = RunScene(scene, 10 * 60.0);
  for (std::size_t i = 0; i < r.epochs.size(); ++i) {
    const EpochEstimate& e = r.epochs[i];
    if (i < 8) {
      if (i >= 2) {
        EXPECT_TRUE(e.present) << i << "\n" << Table(r);  // a person is in bed: the partner
      }
      EXPECT_FALSE(e.tracking) << i;
      EXPECT_EQ(e.resp_rate_bpm, 0.0) << i;  // but the partner's breathing is never the user's
    }
    if (i >= 10) {
      EXPECT_TRUE(e.tracking) << i << "\n" << Table(r);
      EXPECT_NEAR(e.resp_rate_bpm, 16.0, 0.3) << i;
    }
  }
  EXPECT_TRUE(r.epochs.back().session) << Table(r);
}

// Tests a restroom trip: tracking ends within a bounded time while the partner keeps
// the room occupied, the session survives, and the user is re-acquired on return
// within 2 minutes.
TEST(TrackingPipelineTest, TargetLeavesAndReturns) {
  Scene scene = Room();
  AddPerson(&scene, 0.6, -0.35, 14.0, 4.0, 0.036, -1e9, 8 * 60.0, 12 * 60.0, 1e9);
  AddPerson(&scene, 1.35, -0.1, 11.0, 5.0, 0.04);  // the partner stays in bed
  const auto r = RunScene(scene, 16 * 60.0);
  for (std::size_t i = 0; i < r.epochs.size(); ++i) {
    const EpochEstimate& e = r.epochs[i];
    const double start = 30.0 * static_cast<double>(i);
    if (start >= 8 * 60.0 + 60.0 && start + 30.0 <= 12 * 60.0) {  // gone for more than a minute
      EXPECT_FALSE(e.tracking) << i << "\n" << Table(r);
      EXPECT_TRUE(e.present) << i;           // the partner is still in bed
      EXPECT_EQ(e.resp_rate_bpm, 0.0) << i;  // but the partner's 11 /min is never reported
    }
    if (start >= 12 * 60.0 + 60.0) {  // back for a minute: re-acquired
      EXPECT_TRUE(e.tracking) << i << "\n" << Table(r);
      EXPECT_NEAR(e.resp_rate_bpm, 14.0, 0.3) << i;
    }
    if (i >= 12) {
      EXPECT_TRUE(e.session) << i << "\n" << Table(r);
    }
  }
}

// Tests that a session ends after sustained absence (15 minutes by default).
TEST(TrackingPipelineTest, SessionEndsOnSustainedAbsence) {
  Scene scene = Room();
  AddPerson(&scene, 0.6, -0.35, 14.0, 4.0, 0.036, -1e9, 7 * 60.0);
  const auto r = RunScene(scene, 25 * 60.0);
  ASSERT_EQ(r.epochs.size(), 50u);
  EXPECT_TRUE(r.epochs[12].session);
  EXPECT_TRUE(r.epochs[40].session) << Table(r);  // 13 min after leaving: still running
  EXPECT_FALSE(r.epochs[46].session) << Table(r);  // 16 min after: ended
}

// Tests an empty room with fans (fast periodic movers, no respiration): no
// presence, no session.
TEST(TrackingPipelineTest, EmptyRoomWithFanStartsNoSession) {
  Scene scene = Room();
  for (double hz : {12.3, 17.0}) {
    Scatterer blade;
    blade.range_m = hz < 15 ? 0.9 : 1.25;
    blade.azimuth_rad = hz < 15 ? -0.3 : 0.2;
    blade.amplitude = 0.05;
    blade.vibration_hz = hz;
    blade.vibration_mm = 15.0;
    scene.scatterers.push_back(blade);
  }
  const auto r = RunScene(scene, 12 * 60.0);
  for (const EpochEstimate& e : r.epochs) {
    EXPECT_FALSE(e.present) << e.epoch << "\n" << Table(r);
    EXPECT_FALSE(e.session);
    EXPECT_FALSE(e.tracking);
  }
}

// Tests a small, weak, fast-breathing (25 /min) pet alone on the bed, at the foot
// and in the user's spot: no presence, no session.
TEST(TrackingPipelineTest, PetAloneStartsNoSession) {
  for (double range_m : {1.5, 0.7}) {
    Scene scene = Room();
    AddPet(&scene, range_m, -0.6);
    const auto r = RunScene(scene, 12 * 60.0);
    for (const EpochEstimate& e : r.epochs) {
      EXPECT_FALSE(e.present) << range_m << " " << e.epoch << "\n" << Table(r);
      EXPECT_FALSE(e.session);
      EXPECT_FALSE(e.tracking);
    }
  }
}

// Tests that the tracker follows the user through a turn-over (gross movement, then
// the chest 12 cm farther) with the partner behind, and that the movement shows.
TEST(TrackingPipelineTest, FollowsThePrimaryThroughAPostureChange) {
  Scene scene = Room();
  AddPerson(&scene, 0.6, -0.35, 14.0, 3.0);
  for (std::size_t i = scene.scatterers.size() - 4; i < scene.scatterers.size(); ++i) {
    scene.scatterers[i].shift_m = 0.12;
    scene.scatterers[i].shift_at_s = 200.0;  // epoch 6
  }
  AddPerson(&scene, 1.35, -0.1, 11.0, 4.0, 0.04);
  const auto r = RunScene(scene, 8 * 60.0);
  for (std::size_t i = 1; i < r.epochs.size(); ++i) {
    const EpochEstimate& e = r.epochs[i];
    EXPECT_TRUE(e.tracking) << i << "\n" << Table(r);
    EXPECT_TRUE(e.present) << i;
    if (i <= 6 || i >= 8) {
      EXPECT_NEAR(e.target_range_m, i <= 6 ? 0.6 : 0.72, 0.08) << i;  // epoch 7 may hold either
    }
    EXPECT_NEAR(e.resp_rate_bpm, 14.0, 0.3) << i;
    if (i == 6) {
      EXPECT_GT(e.movement, 0.05) << Table(r);
    } else {
      EXPECT_EQ(e.movement, 0.0) << i;
    }
  }
}

// Tests a back-facing sleeper (0.3 mm breathing, a short I/Q arc) at 14 dB more
// noise than the other scenes: linear demodulation still gives the rate.
TEST(TrackingPipelineTest, ShallowBreathingAtLowSnr) {
  Scene scene = Room();
  scene.noise_sigma *= 5.0;
  AddPerson(&scene, 0.7, -0.3, 13.0, 0.3, 0.1);  // a torso (strong reflector) seen from the back
  const auto r = RunScene(scene, 4 * 60.0);
  for (std::size_t i = 1; i < r.epochs.size(); ++i) {
    EXPECT_TRUE(r.epochs[i].present) << i << "\n" << Table(r);
    EXPECT_NEAR(r.epochs[i].resp_rate_bpm, 13.0, 0.3) << i;
    EXPECT_LT(r.features[i].depth_mm, 1.0) << i;  // depth is a lower bound in linear mode
  }
}

// Tests that a pet next to the user is never reported in the user's place.
TEST(TrackingPipelineTest, PetBesideTheUserIsIgnored) {
  Scene scene = Room();
  AddPerson(&scene, 0.6, -0.35, 14.0, 4.0);
  AddPet(&scene, 1.0, -0.7, 26.0);
  const auto r = RunScene(scene, 5 * 60.0);
  for (std::size_t i = 1; i < r.epochs.size(); ++i) {
    EXPECT_NEAR(r.epochs[i].target_range_m, 0.6, 0.08) << i;
    EXPECT_NEAR(r.epochs[i].resp_rate_bpm, 14.0, 0.3) << i << "\n" << Table(r);
  }
}

// Tests causality by truncation: cutting the night at T + LatencyS() leaves every
// estimate of the epochs ending by T unchanged, field by field.
TEST(TrackingPipelineTest, EstimatesDoNotDependOnDataAfterTheLatencyBound) {
  Scene scene = Room();
  AddPerson(&scene, 0.6, -0.35, 14.0, 4.0, 0.036, -1e9, 7 * 60.0, 9 * 60.0, 1e9);
  AddPerson(&scene, 1.35, -0.1, 11.0, 5.0, 0.04, 5 * 60.0);
  const auto full = RunScene(scene, 14 * 60.0);
  TrackingPipeline probe;
  for (double t_cut : {6.5 * 60.0, 9.5 * 60.0}) {
    const auto cut = RunScene(scene, t_cut + probe.LatencyS());
    const auto n = static_cast<std::size_t>(t_cut / 30.0);
    ASSERT_GE(cut.epochs.size(), n);
    for (std::size_t i = 0; i < n; ++i) {
      const EpochEstimate& a = full.epochs[i];
      const EpochEstimate& b = cut.epochs[i];
      EXPECT_EQ(a.present, b.present) << i;
      EXPECT_EQ(a.presence_confidence, b.presence_confidence) << i;
      EXPECT_EQ(a.session, b.session) << i;
      EXPECT_EQ(a.tracking, b.tracking) << i;
      EXPECT_EQ(a.target_range_m, b.target_range_m) << i;
      EXPECT_EQ(a.target_angle_rad, b.target_angle_rad) << i;
      EXPECT_EQ(a.resp_rate_bpm, b.resp_rate_bpm) << i;
      EXPECT_EQ(a.movement, b.movement) << i;
      EXPECT_EQ(full.features[i].breath_count, cut.features[i].breath_count) << i;
      EXPECT_EQ(full.features[i].depth_mm, cut.features[i].depth_mm) << i;
    }
  }
}

// Tests the respiration stream: bounded latency, increasing times, one breath
// flag per breath, bounded buffer.
TEST(TrackingPipelineTest, RespirationStreamHasBoundedLatency) {
  Scene scene = Room();
  AddPerson(&scene, 0.6, -0.35, 15.0, 4.0);
  const RadarInfo radar = testing::DefaultRadar();
  TrackingPipeline p;
  p.Start(radar, Settings());
  std::vector<EpochEstimate> out;
  std::vector<AlarmDecision> alarms;
  std::vector<RespSample> stream;
  double worst_latency_s = 0.0;
  for (std::int64_t i = 0; i < 20 * 180; ++i) {
    const RadarFrame f = testing::MakeRangeFrame(radar, scene, i);
    p.OnFrame(f, &out, &alarms);
    const std::size_t before = stream.size();
    p.TakeRespStream(&stream);
    if (stream.size() > before) worst_latency_s = std::max(worst_latency_s, f.time_s - stream[before].time_s);
  }
  ASSERT_GT(stream.size(), 20u * 120u);
  EXPECT_LE(worst_latency_s, p.RespStreamLatencyS() + 1e-9);
  int breaths = 0;
  for (std::size_t i = 1; i < stream.size(); ++i) {
    ASSERT_GT(stream[i].time_s, stream[i - 1].time_s);
    breaths += stream[i].breath;
  }
  const double tracked_s = stream.back().time_s - stream.front().time_s;
  EXPECT_NEAR(breaths, tracked_s * 15.0 / 60.0, 2.0);

  // Undrained, the stream keeps at most stream_buffer_s.
  TrackingConfig small;
  small.stream_buffer_s = 30.0;
  TrackingPipeline q(small);
  const auto r = testing::Run(q, radar, Settings(), scene, 0.0);
  q.Start(radar, Settings());
  for (std::int64_t i = 0; i < 20 * 120; ++i) q.OnFrame(testing::MakeRangeFrame(radar, scene, i), &out, &alarms);
  std::vector<RespSample> kept;
  q.TakeRespStream(&kept);
  ASSERT_FALSE(kept.empty());
  EXPECT_LE(kept.back().time_s - kept.front().time_s, 30.0 + 1e-9);
  EXPECT_TRUE(r.epochs.empty());
}

// Tests determinism: the same frames give bit-identical estimates.
TEST(TrackingPipelineTest, Deterministic) {
  Scene scene = Room();
  AddPerson(&scene, 0.6, -0.35, 15.0, 4.0);
  AddPet(&scene, 1.2, -0.6);
  const auto a = RunScene(scene, 3 * 60.0);
  const auto b = RunScene(scene, 3 * 60.0);
  ASSERT_EQ(a.epochs.size(), b.epochs.size());
  for (std::size_t i = 0; i < a.epochs.size(); ++i) {
    EXPECT_EQ(a.epochs[i].resp_rate_bpm, b.epochs[i].resp_rate_bpm);
    EXPECT_EQ(a.epochs[i].presence_confidence, b.epochs[i].presence_confidence);
    EXPECT_EQ(a.features[i].depth_mm, b.features[i].depth_mm);
  }
  ASSERT_EQ(a.stream.size(), b.stream.size());
  for (std::size_t i = 0; i < a.stream.size(); ++i) ASSERT_EQ(a.stream[i].displacement_mm, b.stream[i].displacement_mm);
}

TEST(TrackingPipelineTest, RejectsBadConfigurationAndInput) {
  TrackingConfig bad;
  bad.finalize_delay_s = 5.0;  // shorter than the rate margin: would break causality
  EXPECT_THROW(TrackingPipeline{bad}, std::invalid_argument);
  TrackingPipeline p;
  RadarFrame f;
  std::vector<EpochEstimate> out;
  std::vector<AlarmDecision> alarms;
  EXPECT_THROW(p.OnFrame(f, &out, &alarms), std::invalid_argument);  // before Start
  RadarInfo no_rx = testing::DefaultRadar();
  no_rx.rx.clear();
  EXPECT_THROW(p.Start(no_rx, Settings()), std::invalid_argument);
  p.Start(testing::DefaultRadar(), Settings());
  f.level = RadarLevel::kStream;
  EXPECT_THROW(p.OnFrame(f, &out, &alarms), std::invalid_argument);
}

}  // namespace
}  // namespace nightsim::pipeline
