// Tests the radar simulator with extended bodies: range level = FFT(raw) for moving
// bodies, image sources, breathing phase vs truth, shadowing, the pet-independent
// noise stream, the resting-pose cache, and determinism.

#include "physics/radar_simulator.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <numbers>

#include "physics_test_util.h"

namespace nightsim::physics {
namespace {

using testing::BoresightDevice;
using testing::CleanOptions;
using testing::EmptyRoom;
using testing::PeakBin;
using testing::Sleepers;

double MaxRelativeError(const RadarFrame& range, const std::vector<std::complex<double>>& ref) {
  double peak = 0;
  double err = 0;
  for (std::size_t i = 0; i < ref.size(); ++i) {
    peak = std::max(peak, std::abs(ref[i]));
    err = std::max(err, std::abs(std::complex<double>(range.range[i]) - ref[i]));
  }
  return err / peak;
}

RoomSpec FurnishedRoom() {
  RoomSpec room;  // default 4 × 4.5 × 2.5 m, reflective walls, the default bed
  room.furniture.push_back({"nightstand", 0.6, 0.3, 0.45, 0.4, 0.5, -5.0});
  ClutterSpec fan;
  fan.name = "fan";
  fan.kind = ClutterSpec::Kind::kFan;
  fan.x_m = 3.5;
  fan.y_m = 1.0;
  fan.z_m = 1.0;
  room.clutter.push_back(fan);
  ClutterSpec curtain;
  curtain.name = "curtain";
  curtain.kind = ClutterSpec::Kind::kCurtain;
  curtain.x_m = 1.5;
  curtain.y_m = 0.05;
  curtain.z_m = 1.2;
  curtain.rate_hz = 0.3;
  curtain.amplitude_m = 0.03;
  room.clutter.push_back(curtain);
  return room;
}

// |range − FFT(raw)| ≤ 1e-3 of the profile's peak (the fast kernel's windows, which end
// where the left-out sidelobes are 30 dB below the noise of one bin, table interpolation,
// the linear motion within a frame, and raw chirps interpolated between three chirps for
// slow tones; measured ≤ 4.5e-4 while people move, ≤ 2.7e-4 at rest; ≤ 3.6e-4 / 9e-5 with
// the windows ending 40 dB below the noise).
TEST(RadarSimulator, TheFftOfRawEqualsRangeForMovingExtendedBodies) {
  RadarSimulatorOptions o = CleanOptions();
  o.static_scene = true;
  o.multipath = true;
  o.clutter = true;
  const RoomSpec room = FurnishedRoom();
  const DeviceSpec dev;
  RadarSimulator range_sim(room, dev, 3, o);
  RadarSimulator raw_sim(room, dev, 3, o);
  Sleepers night;
  // A third person walks past the foot of the bed; bob turns from his back to his left side.
  BodySpec walker;
  walker.id = "carol";
  night.specs.push_back(walker);
  BodyState w;
  w.in_room = true;
  w.posture = Posture::kStanding;
  w.from_posture = Posture::kStanding;
  night.states.push_back(w);
  const double fr = 20.0;
  std::vector<std::complex<double>> fft(3 * 64);
  for (int i = 0; i < 12; ++i) {
    const double t = i / fr;
    night.At(t);
    night.states[3].torso_m = Eigen::Vector3d(1.2 + 0.9 * t, 2.4, 1.1);
    night.states[3].heading_rad = 0.0;
    night.states[3].motion = 0.0;
    night.states[1].from_posture = Posture::kBack;
    night.states[1].posture = Posture::kLeftSide;
    night.states[1].transition = std::min(1.0, t / 0.5);
    RadarFrame a;
    RadarFrame b;
    range_sim.SynthesizeFrame(i, night.specs, night.states, RadarLevel::kRange, &a);
    raw_sim.SynthesizeFrame(i, night.specs, night.states, RadarLevel::kRaw, &b);
    raw_sim.synthesizer().RangeFromRaw(b.raw, fft);
    EXPECT_LT(MaxRelativeError(a, fft), 1e-3) << "frame " << i;
  }
  // Then everyone rests but breathes: the cached resting profile path.
  night.states.pop_back();
  night.specs.pop_back();
  for (int i = 12; i < 20; ++i) {
    night.At(i / fr);
    RadarFrame a;
    RadarFrame b;
    range_sim.SynthesizeFrame(i, night.specs, night.states, RadarLevel::kRange, &a);
    raw_sim.SynthesizeFrame(i, night.specs, night.states, RadarLevel::kRaw, &b);
    raw_sim.synthesizer().RangeFromRaw(b.raw, fft);
    EXPECT_LT(MaxRelativeError(a, fft), 1e-3) << "frame " << i;
  }
}

// A point next to a reflecting wall: the double bounce appears at the range of its mirror
// image, the single bounces at the mean of the direct and mirrored ranges.
TEST(RadarSimulator, AnImageSourceAppearsAtTheMirroredRange) {
  RoomSpec room = EmptyRoom();
  room.width_m = 6.0;
  room.reflectivity.walls = 0.6;
  DeviceSpec dev = BoresightDevice();
  dev.y_m = 1.0;  // wall y = 0 is 1 m to the device's right
  RadarSimulatorOptions o = CleanOptions();
  RadarSimulator direct(room, dev, 1, o);
  o.multipath = true;
  RadarSimulator multi(room, dev, 1, o);
  PointTarget t;
  t.position_m = Eigen::Vector3d(dev.x_m + 1.0, 0.4, dev.z_m);
  const RadarFrame a = testing::Range(direct, 0, std::span(&t, 1));
  const RadarFrame b = testing::Range(multi, 0, std::span(&t, 1));
  std::vector<double> diff(a.num_bins);
  for (int k = 0; k < a.num_bins; ++k) diff[k] = std::abs(b.Range(0, k) - a.Range(0, k));
  const Eigen::Vector3d d(dev.x_m, dev.y_m, dev.z_m);
  const Eigen::Vector3d mirror(t.position_m.x(), -t.position_m.y(), t.position_m.z());
  const double r_direct = (t.position_m - d).norm();
  const double r_image = (mirror - d).norm();
  const double bin_m = direct.info().range_bin_m;
  auto local_peak = [&](double range_m) {
    const int c = static_cast<int>(std::lround(range_m / bin_m));
    int best = c - 3;
    for (int k = c - 3; k <= c + 3; ++k) {
      if (diff[k] > diff[best]) best = k;
    }
    return best;
  };
  EXPECT_NEAR(local_peak(r_image), r_image / bin_m, 0.6);
  EXPECT_NEAR(local_peak(0.5 * (r_direct + r_image)), 0.5 * (r_direct + r_image) / bin_m, 0.6);
  EXPECT_EQ(PeakBin(a), static_cast<int>(std::lround(r_direct / bin_m)));
  // Without multipath nothing appears there.
  EXPECT_LT(std::abs(a.Range(0, local_peak(r_image))), 0.05 * diff[local_peak(r_image)]);
}

// The unwrapped phase of a breathing person's strongest bin, × λ/4π, is the range change:
// minus the chest displacement along its outward normal (person standing face-on at 1.2 m;
// RMS error ≤ 2 % of the truth's RMS; measured 0.2 %, a 3 % wavelength error would fail).
TEST(RadarSimulator, ABreathingBodysUnwrappedPhaseMatchesTheTruth) {
  const DeviceSpec dev = BoresightDevice();
  RadarSimulatorOptions o = CleanOptions();
  o.noise = true;
  o.quantize = true;
  RadarSimulator sim(EmptyRoom(), dev, 11, o);
  BodySpec spec;
  spec.id = "alice";
  BodyState s;
  s.in_room = true;
  s.posture = Posture::kStanding;
  s.from_posture = Posture::kStanding;
  s.heading_rad = M_PI;  // facing the device (−x)
  s.torso_m = Eigen::Vector3d(dev.x_m + 1.2, dev.y_m, dev.z_m - 0.1);
  const int frames = 600;
  std::vector<std::complex<float>> series;
  std::vector<double> truth;
  RadarFrame f;
  int bin = -1;
  for (int i = 0; i < frames; ++i) {
    const double t = i / 20.0;
    s.chest_m = 4e-3 * std::sin(2 * M_PI * 0.25 * t) + 1e-3 * std::sin(2 * M_PI * 0.07 * t);
    s.abdomen_m = s.chest_m;
    sim.SynthesizeFrame(i, std::span(&spec, 1), std::span(&s, 1), RadarLevel::kRange, &f);
    if (bin < 0) bin = PeakBin(f);
    series.push_back(f.Range(0, bin));
    truth.push_back(-s.chest_m);  // moving towards the radar shortens the range
  }
  std::vector<double> est(frames, 0.0);
  const double lambda = sim.constants().wavelength_m;
  for (int i = 1; i < frames; ++i) {
    est[i] = est[i - 1] + std::arg(std::complex<double>(series[i]) * std::conj(std::complex<double>(series[i - 1]))) *
                              lambda / (4 * M_PI);
  }
  double mean_e = 0, mean_t = 0;
  for (int i = 0; i < frames; ++i) {
    mean_e += est[i] / frames;
    mean_t += truth[i] / frames;
  }
  double err2 = 0, tr2 = 0;
  for (int i = 0; i < frames; ++i) {
    err2 += std::pow((est[i] - mean_e) - (truth[i] - mean_t), 2);
    tr2 += std::pow(truth[i] - mean_t, 2);
  }
  EXPECT_LT(std::sqrt(err2 / tr2), 0.02);
}

// Adding a pet changes the bodies' contributions but not a single noise draw.
TEST(RadarSimulator, ThePetDoesNotChangeTheRadarsNoise) {
  RadarSimulatorOptions noisy;
  RadarSimulatorOptions clean = noisy;
  clean.noise = false;
  const RoomSpec room;
  const DeviceSpec dev;
  Sleepers with_cat(true);
  Sleepers without_cat(false);
  RadarSimulator a(room, dev, 5, noisy), b(room, dev, 5, clean), c(room, dev, 5, noisy), d(room, dev, 5, clean);
  double max_noise = 0, max_diff = 0, max_pet = 0;
  for (int i = 0; i < 30; ++i) {
    with_cat.At(i / 20.0);
    without_cat.At(i / 20.0);
    RadarFrame fa, fb, fc, fd;
    a.SynthesizeFrame(i, with_cat.specs, with_cat.states, RadarLevel::kRange, &fa);
    b.SynthesizeFrame(i, with_cat.specs, with_cat.states, RadarLevel::kRange, &fb);
    c.SynthesizeFrame(i, without_cat.specs, without_cat.states, RadarLevel::kRange, &fc);
    d.SynthesizeFrame(i, without_cat.specs, without_cat.states, RadarLevel::kRange, &fd);
    for (std::size_t j = 0; j < fa.range.size(); ++j) {
      const auto n_with = std::complex<double>(fa.range[j]) - std::complex<double>(fb.range[j]);
      const auto n_without = std::complex<double>(fc.range[j]) - std::complex<double>(fd.range[j]);
      max_noise = std::max(max_noise, std::abs(n_with));
      max_diff = std::max(max_diff, std::abs(n_with - n_without));
      max_pet = std::max(max_pet, std::abs(std::complex<double>(fb.range[j]) - std::complex<double>(fd.range[j])));
    }
  }
  EXPECT_LT(max_diff, 1e-4 * max_noise);   // float rounding of the signals only (measured 5e-6)
  EXPECT_GT(max_pet, 0.3 * max_noise);     // the cat itself is seen
}

// Bob lies behind Alice as seen from the device: his chest returns ≥ 15 dB less power.
TEST(RadarSimulator, ANearerBodyShadowsTheOneBehind) {
  DeviceSpec dev;  // (0.6, 0.3, 0.65) looking along +x
  dev.y_m = 0.75;
  const RoomSpec room = EmptyRoom();
  Sleepers both(false);
  both.states[0].torso_m = Eigen::Vector3d(1.5, 0.75, 0.68);
  both.states[1].torso_m = Eigen::Vector3d(2.3, 0.75, 0.68);
  std::vector<BodySpec> bob_spec = {both.specs[1]};
  std::vector<BodyState> bob_state = {both.states[1]};
  std::vector<BodySpec> alice_spec = {both.specs[0]};
  std::vector<BodyState> alice_state = {both.states[0]};
  RadarSimulator s1(room, dev, 1, CleanOptions()), s2(room, dev, 1, CleanOptions()), s3(room, dev, 1, CleanOptions());
  RadarFrame f_both, f_alice, f_bob;
  s1.SynthesizeFrame(0, both.specs, both.states, RadarLevel::kRange, &f_both);
  s2.SynthesizeFrame(0, alice_spec, alice_state, RadarLevel::kRange, &f_alice);
  s3.SynthesizeFrame(0, bob_spec, bob_state, RadarLevel::kRange, &f_bob);
  const int k = PeakBin(f_bob);
  const auto bob_behind = f_both.Range(0, k) - f_alice.Range(0, k);
  EXPECT_LT(10 * std::log10(std::norm(bob_behind) / std::norm(f_bob.Range(0, k))), -15.0);
  // Alice, in front, is not shadowed by Bob.
  const int ka = PeakBin(f_alice);
  const auto alice_front = f_both.Range(0, ka) - f_bob.Range(0, ka);
  EXPECT_NEAR(std::abs(alice_front) / std::abs(f_alice.Range(0, ka)), 1.0, 1e-3);
}

// A resting frame synthesized from the cached resting profile equals the same frame
// synthesized from scratch (≤ 1e-3 of the peak, measured 2.4e-4: the breathing motion within
// the frame, unknown to a fresh simulator, and the fast kernel are the only differences).
TEST(RadarSimulator, TheRestingCacheEqualsAFreshSynthesis) {
  RadarSimulatorOptions o = CleanOptions();
  o.static_scene = true;
  o.multipath = true;
  const RoomSpec room;
  const DeviceSpec dev;
  Sleepers night;
  RadarSimulator running(room, dev, 9, o);
  RadarFrame f;
  for (int i = 0; i < 40; ++i) {
    night.At(i / 20.0);
    running.SynthesizeFrame(i, night.specs, night.states, RadarLevel::kRange, &f);
  }
  RadarSimulator fresh(room, dev, 9, o);
  RadarFrame g;
  fresh.SynthesizeFrame(39, night.specs, night.states, RadarLevel::kRange, &g);
  double peak = 0, err = 0;
  for (std::size_t j = 0; j < f.range.size(); ++j) {
    peak = std::max(peak, static_cast<double>(std::abs(g.range[j])));
    err = std::max(err, static_cast<double>(std::abs(f.range[j] - g.range[j])));
  }
  EXPECT_LT(err / peak, 1e-3);
}

// Resting frames skip the body model; the first moving frame after them must still see
// the previous frame's part positions (its motion within the frame): bit-identical to a
// simulator that synthesized that previous frame from scratch.
TEST(RadarSimulator, AMovingFrameAfterRestingFramesEqualsAFreshSimulation) {
  RadarSimulatorOptions o = CleanOptions();
  o.static_scene = true;
  o.multipath = true;
  const RoomSpec room;
  const DeviceSpec dev;
  Sleepers night;
  RadarSimulator resting(room, dev, 9, o);
  RadarSimulator fresh(room, dev, 9, o);
  RadarFrame a;
  RadarFrame b;
  for (int i = 0; i < 30; ++i) {
    night.At(i / 20.0);
    resting.SynthesizeFrame(i, night.specs, night.states, RadarLevel::kRange, &a);
  }
  EXPECT_EQ(resting.counts().resting_frames, 29);  // all but the first
  EXPECT_GT(resting.counts().breathing_paths, 20);
  fresh.SynthesizeFrame(29, night.specs, night.states, RadarLevel::kRange, &b);
  night.At(30 / 20.0);
  night.states[1].from_posture = Posture::kBack;
  night.states[1].posture = Posture::kLeftSide;
  night.states[1].transition = 0.1;
  night.states[1].motion = 0.5;
  resting.SynthesizeFrame(30, night.specs, night.states, RadarLevel::kRange, &a);
  fresh.SynthesizeFrame(30, night.specs, night.states, RadarLevel::kRange, &b);
  EXPECT_EQ(a.range, b.range);
  EXPECT_EQ(resting.counts().resting_frames, 29);
}

TEST(RadarSimulator, TheSameSeedGivesIdenticalFramesAndAnotherSeedDoesNot) {
  const RoomSpec room;
  const DeviceSpec dev;
  Sleepers night;
  RadarSimulator a(room, dev, 42, {}), b(room, dev, 42, {}), c(room, dev, 43, {});
  for (int i = 0; i < 5; ++i) {
    night.At(i / 20.0);
    for (RadarLevel level : {RadarLevel::kRange, RadarLevel::kRaw}) {
      RadarFrame fa, fb, fc;
      a.SynthesizeFrame(i, night.specs, night.states, level, &fa);
      b.SynthesizeFrame(i, night.specs, night.states, level, &fb);
      c.SynthesizeFrame(i, night.specs, night.states, level, &fc);
      EXPECT_EQ(fa.range, fb.range);
      EXPECT_EQ(fa.raw, fb.raw);
      EXPECT_TRUE(fa.range != fc.range || fa.raw != fc.raw);
    }
  }
}

TEST(RadarSimulator, InvalidRadarParametersThrowNamingTheField) {
  DeviceSpec dev;
  dev.radar.chirps_per_frame = 200;  // 200 chirps of 300 µs do not fit into a 50 ms frame
  try {
    RadarSimulator sim(RoomSpec{}, dev, 1);
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("chirps_per_frame"), std::string::npos);
  }
  // What only limits a bedside night (breathing phase that can wrap) is no error.
  DeviceSpec slow;
  slow.radar.frame_rate_hz = 2.0;
  EXPECT_NO_THROW(RadarSimulator(RoomSpec{}, slow, 1));
}

// The default cull drops every path whose peak lies below one range bin's noise
// (cull_amplitude_v: a tone's peak is A/2). What those paths add up to in a noise-free
// night of two sleepers and a cat (default room: multipath off every surface, furniture),
// against a simulator that keeps every path down to 60 dB below the noise, over 4 s of
// breathing: measured 37 of 205 breathing paths kept; the frame-to-frame part of the
// difference (what breathing modulates; the static part is clutter to the pipeline) is
// 0.45 of a bin's noise sd rms and 3.4 in the worst bin and frame (5.5 with the static part).
TEST(RadarSimulator, TheDefaultCullDropsWhatAddsUpToAboutTheNoiseOfABin) {
  RadarSimulatorOptions o = CleanOptions();
  o.static_scene = true;
  o.multipath = true;
  RadarSimulatorOptions keep_all = o;
  keep_all.cull_below_noise_db = 60.0;
  const RoomSpec room;
  const DeviceSpec dev;
  Sleepers night;
  RadarSimulator culled(room, dev, 9, o);
  RadarSimulator full(room, dev, 9, keep_all);
  const double bin_noise_sd_v = culled.propagation().bin_noise_sd_v();
  EXPECT_DOUBLE_EQ(culled.propagation().cull_amplitude_v(), 2.0 * bin_noise_sd_v);
  EXPECT_DOUBLE_EQ(full.propagation().cull_amplitude_v(), 2.0 * 1e-3 * bin_noise_sd_v);
  constexpr int kFrames = 80;
  std::vector<std::vector<std::complex<double>>> difference;  // [frame][rx·bin]
  RadarFrame a;
  RadarFrame b;
  for (int i = 0; i < kFrames; ++i) {
    night.At(i / 20.0);
    culled.SynthesizeFrame(i, night.specs, night.states, RadarLevel::kRange, &a);
    full.SynthesizeFrame(i, night.specs, night.states, RadarLevel::kRange, &b);
    difference.emplace_back(a.range.size());
    for (std::size_t j = 0; j < a.range.size(); ++j) {
      difference.back()[j] = std::complex<double>(a.range[j]) - std::complex<double>(b.range[j]);
    }
  }
  EXPECT_EQ(culled.counts().breathing_paths, 37);
  EXPECT_EQ(full.counts().breathing_paths, 205);
  double worst_sd = 0.0;
  double dynamic_worst_sd = 0.0;
  double dynamic_sum_sd2 = 0.0;
  const std::size_t cells = difference[0].size();
  for (std::size_t j = 0; j < cells; ++j) {
    std::complex<double> mean = 0.0;
    for (int i = 1; i < kFrames; ++i) mean += difference[i][j];  // frame 0 has no motion within it
    mean /= kFrames - 1.0;
    for (int i = 1; i < kFrames; ++i) {
      worst_sd = std::max(worst_sd, std::abs(difference[i][j]) / bin_noise_sd_v);
      const double dynamic_sd = std::abs(difference[i][j] - mean) / bin_noise_sd_v;
      dynamic_worst_sd = std::max(dynamic_worst_sd, dynamic_sd);
      dynamic_sum_sd2 += dynamic_sd * dynamic_sd;
    }
  }
  const double dynamic_rms_sd = std::sqrt(dynamic_sum_sd2 / (static_cast<double>(cells) * (kFrames - 1)));
  EXPECT_GT(dynamic_rms_sd, 0.3);  // the cull does drop something
  EXPECT_LT(dynamic_rms_sd, 0.6);
  EXPECT_LT(dynamic_worst_sd, 4.5);
  EXPECT_LT(worst_sd, 7.0);
}

}  // namespace
}  // namespace nightsim::physics
