// Radar synthesis throughput for two sleepers and a cat (DESIGN.md §11): frames per
// second at `range` and `raw` level on one core (CPU time), as ratios to real time
// (x_realtime, 20 frames/s) and as the projected synthesis time of an 8-hour night
// (night_s, 576,000 frames).
// Goals: range-level night in a small fraction of 2 s; raw-level night ≤ 30 s.

#include <benchmark/benchmark.h>

#include <cmath>
#include <numbers>
#include <vector>

#include "physics/radar_simulator.h"
#include "physics/stream.h"

namespace {

using nightsim::BodyKind;
using nightsim::BodySpec;
using nightsim::BodyState;
using nightsim::Posture;
using nightsim::RadarFrame;
using nightsim::RadarLevel;
using nightsim::physics::RadarSimulator;

constexpr double kNightFrames = 8 * 3600 * 20.0;

struct Night {
  std::vector<BodySpec> specs;
  std::vector<BodyState> states;
  Night() {
    BodySpec a;
    a.id = "alice";
    BodySpec b;
    b.id = "bob";
    b.height_m = 1.82;
    b.mass_kg = 85;
    BodySpec c;
    c.id = "cat";
    c.kind = BodyKind::kCat;
    c.height_m = 0.45;
    c.mass_kg = 4.5;
    specs = {a, b, c};
    BodyState s;
    s.in_room = true;
    s.in_bed = true;
    s.heading_rad = -std::numbers::pi / 2;
    s.torso_m = Eigen::Vector3d(1.6, 0.75, 0.66);
    states = {s, s, s};
    states[1].torso_m = Eigen::Vector3d(2.4, 0.8, 0.67);
    states[1].posture = states[1].from_posture = Posture::kLeftSide;
    states[2].torso_m = Eigen::Vector3d(2.0, 1.9, 0.62);
  }
  void At(double t) {
    const double rate[3] = {0.25, 0.22, 0.45};
    const double amp[3] = {4e-3, 5e-3, 1e-3};
    for (int i = 0; i < 3; ++i) {
      const double ph = 2 * std::numbers::pi * rate[i] * t;
      states[i].chest_m = amp[i] * std::sin(ph);
      states[i].abdomen_m = 0.8 * amp[i] * std::sin(ph - 0.3);
      states[i].heart_m = i < 2 ? 0.2e-3 * std::sin(2 * std::numbers::pi * 1.1 * t) : 0.0;
    }
  }
};

nightsim::RoomSpec Bedroom() {
  nightsim::RoomSpec room;
  room.furniture.push_back({"nightstand", 0.6, 0.3, 0.45, 0.4, 0.5, -5.0});
  room.furniture.push_back({"wardrobe", 3.6, 3.8, 0.6, 1.2, 2.0, 5.0});
  return room;
}

// turning: bob turns over continuously (every frame misses the resting cache: worst case).
void Synthesize(benchmark::State& state, RadarLevel level, bool turning) {
  RadarSimulator sim(Bedroom(), nightsim::DeviceSpec{}, 2024);
  Night night;
  RadarFrame frame;
  std::int64_t i = 0;
  for (auto _ : state) {
    const double t = i / 20.0;
    night.At(t);
    if (turning) {
      night.states[1].from_posture = Posture::kBack;
      night.states[1].transition = std::fmod(t, 2.0) / 2.0;
      night.states[1].motion = 1.0;
    }
    sim.SynthesizeFrame(i++, night.specs, night.states, level, &frame);
    benchmark::DoNotOptimize(frame.range.data());
    benchmark::DoNotOptimize(frame.raw.data());
  }
  // Rates over CPU time (the benchmark's clock), so a loaded machine does not distort them.
  using benchmark::Counter;
  const double frames = static_cast<double>(i);
  state.counters["frames_per_s"] = Counter(frames, Counter::kIsRate);
  state.counters["x_realtime"] = Counter(frames / 20.0, Counter::kIsRate);
  state.counters["night_s"] = Counter(frames / kNightFrames, Counter::kIsRate | Counter::kInvert);
}

void BM_RangeTwoSleepersAndCat(benchmark::State& s) { Synthesize(s, RadarLevel::kRange, false); }
void BM_RawTwoSleepersAndCat(benchmark::State& s) { Synthesize(s, RadarLevel::kRaw, false); }
void BM_RangeWhileTurningOver(benchmark::State& s) { Synthesize(s, RadarLevel::kRange, true); }
void BM_RawWhileTurningOver(benchmark::State& s) { Synthesize(s, RadarLevel::kRaw, true); }

// The on-device stream model on top of range frames (10 Hz output).
void BM_StreamFromRange(benchmark::State& state) {
  RadarSimulator sim(Bedroom(), nightsim::DeviceSpec{}, 2024);
  nightsim::physics::StreamProcessor dsp(sim.info());
  Night night;
  std::vector<RadarFrame> frames(200);
  for (int i = 0; i < 200; ++i) {
    night.At(i / 20.0);
    sim.SynthesizeFrame(i, night.specs, night.states, RadarLevel::kRange, &frames[i]);
  }
  std::int64_t i = 0;
  for (auto _ : state) {
    RadarFrame& f = frames[i % 200];
    f.index = i++;
    benchmark::DoNotOptimize(dsp.OnFrame(f));
  }
  state.counters["frames_per_s"] = benchmark::Counter(static_cast<double>(i), benchmark::Counter::kIsRate);
}

BENCHMARK(BM_RangeTwoSleepersAndCat)->MinTime(2.0);
BENCHMARK(BM_RawTwoSleepersAndCat)->MinTime(2.0);
BENCHMARK(BM_RangeWhileTurningOver)->MinTime(1.0);
BENCHMARK(BM_RawWhileTurningOver)->MinTime(1.0);
BENCHMARK(BM_StreamFromRange)->MinTime(1.0);

}  // namespace
