// Radar synthesis throughput (docs/design.md §11). One core, CPU time of the synthesis alone
// (the machine may be shared; body states are computed outside the timed sections), median
// of the repetitions. At exit it prints a table: µs per frame, seconds per 8-hour night
// (576,000 frames) and × real time (20 frames/s), against the goals — range synthesis a
// small fraction of the 2 s night (≤ 1 µs/frame, ≈ 0.6 s/night), raw ≤ 30 s per night
// (≤ 52 µs/frame).
//
// Cases:
// - synthetic: two sleepers and a cat in the default bedroom (room and device of
//   scenarios/default.yaml), at `range` and `raw` level, at rest (breathing only: the
//   resting cache) and while one sleeper turns over in every frame (the worst case);
// - real night: scenarios/default.yaml (Alex reads, Sam comes to bed later, restroom
//   trips, turns, movements) plus Milo the cat at the foot of the bed 23:40–05:30, seed 7,
//   as the sleepers model simulates it: the whole night at `range` level, and four
//   10-minute windows spread over the night at `raw` level (scaled to a night); the same
//   range night once more with only the paths a frame shows 20 dB above the noise (the
//   lowest `simulation.cull_below_noise_db`, −20): how far the fewest paths get;
// - fan: scenarios/stress/empty_room_fan.yaml (nobody; an oscillating fan whose blades move
//   within a frame), a 10-minute window at `range` and a 1-minute window at `raw` level.
//
//   build-perf/bench/physics_bench                   (table at the end)
//   build-perf/bench/physics_bench --benchmark_filter=Range

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <map>
#include <numbers>
#include <span>
#include <utility>
#include <string>
#include <vector>

#include "harness/scenario_loader.h"
#include "sleepers/body_signal.h"
#include "sleepers/night.h"
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

constexpr double kFramesPerNight = 8 * 3600 * 20.0;
constexpr double kFrameRateHz = 20.0;
constexpr int kRepetitions = 5;
constexpr int kNightRepetitions = 3;  // whole-night and windowed cases (each run is seconds long)

double ThreadCpuS() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

// The room and device of the default scenario, loaded once.
const nightsim::Scenario& DefaultScenario() {
  static const nightsim::Scenario scenario =
      nightsim::harness::LoadScenario(std::string(NIGHTSIM_SOURCE_DIR) + "/scenarios/default.yaml");
  return scenario;
}

// Two sleepers lying in the default bed (1.6 m wide, head at y = 0.1 m, mattress at 0.55 m)
// and a cat at the foot, breathing at different rates.
struct Night {
  std::vector<BodySpec> specs;
  std::vector<BodyState> states;
  Night() {
    BodySpec a;
    a.id = "alex";
    a.height_m = 1.68;
    a.mass_kg = 64;
    BodySpec b;
    b.id = "sam";
    b.height_m = 1.82;
    b.mass_kg = 82;
    BodySpec c;
    c.id = "cat";
    c.kind = BodyKind::kCat;
    c.height_m = 0.45;
    c.mass_kg = 4.5;
    specs = {a, b, c};
    BodyState s;
    s.in_room = true;
    s.in_bed = true;
    s.heading_rad = -std::numbers::pi / 2;  // head towards the head wall
    s.torso_m = Eigen::Vector3d(1.6, 0.85, 0.66);
    states = {s, s, s};
    states[1].torso_m = Eigen::Vector3d(2.4, 0.9, 0.67);
    states[1].posture = states[1].from_posture = Posture::kLeftSide;
    states[2].torso_m = Eigen::Vector3d(2.0, 1.9, 0.62);
    states[2].heading_rad = 0.3;
  }
  void At(double t_s) {
    const double rate_hz[3] = {0.25, 0.22, 0.45};
    const double amp_m[3] = {4e-3, 5e-3, 1e-3};
    for (int i = 0; i < 3; ++i) {
      const double ph = 2 * std::numbers::pi * rate_hz[i] * t_s;
      states[i].chest_m = amp_m[i] * std::sin(ph);
      states[i].abdomen_m = 0.8 * amp_m[i] * std::sin(ph - 0.3);
      states[i].heart_m = i < 2 ? 0.2e-3 * std::sin(2 * std::numbers::pi * 1.1 * t_s) : 0.0;
    }
  }
};

// µs of CPU per frame of each repetition, by case; printed as a table at exit.
class Summary {
 public:
  void Add(const std::string& key, double us_per_frame) { runs_[key].push_back(us_per_frame); }
  ~Summary() {
    if (runs_.empty()) return;
    struct Row {
      const char* key;
      const char* level;
      const char* what;
      double goal_us;
    };
    const Row rows[] = {
        {"range/rest", "range", "synthetic: resting", 1.0},
        {"range/move", "range", "synthetic: turning over", 1.0},
        {"range/night", "range", "real night (default + cat)", 1.0},
        {"range/night_no_fingerprint", "range", "real night, ideal chip", 1.0},
        {"range/night_strong", "range", "real night, paths >= +20 dB", 1.0},
        {"range/fan", "range", "fan (empty_room_fan)", 1.0},
        {"raw/rest", "raw", "synthetic: resting", 52.0},
        {"raw/move", "raw", "synthetic: turning over", 52.0},
        {"raw/night", "raw", "real night, 4 x 10 min", 52.0},
        {"raw/fan", "raw", "fan, 1 min", 52.0},
    };
    std::printf("\nphysics synthesis, one core, CPU time; median of %d repetitions (synthetic cases) or %d\n"
                "(real night, fan); 8-h night = %.0f frames at %.0f frames/s\n\n",
                kRepetitions, kNightRepetitions, kFramesPerNight, kFrameRateHz);
    std::printf("%-6s %-28s %10s %12s %13s %14s %5s\n", "level", "case", "us/frame", "s per night", "x real time",
                "goal us/frame", "met");
    for (const Row& row : rows) {
      auto it = runs_.find(row.key);
      if (it == runs_.end()) continue;
      std::vector<double> v = it->second;
      std::sort(v.begin(), v.end());
      const double us = v.size() % 2 == 1 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
      std::printf("%-6s %-28s %10.2f %12.2f %13.0f %14.1f %5s\n", row.level, row.what, us, us * 1e-6 * kFramesPerNight,
                  1e6 / (us * kFrameRateHz), row.goal_us, us <= row.goal_us ? "yes" : "no");
    }
    const auto with = runs_.find("range/night");
    const auto without = runs_.find("range/night_no_fingerprint");
    if (with != runs_.end() && without != runs_.end()) {
      // Repetition i of each (run in turn with --benchmark_enable_random_interleaving) as a pair.
      std::vector<double> ratios;
      for (std::size_t i = 0; i < std::min(with->second.size(), without->second.size()); ++i) {
        ratios.push_back(with->second[i] / without->second[i]);
      }
      std::sort(ratios.begin(), ratios.end());
      std::printf("\nthe chip's fingerprint costs the real night's range synthesis x%.3f (median of %zu pairs; "
                  "goal <= x1.10)\n",
                  ratios[ratios.size() / 2], ratios.size());
    }
    std::printf("\nGoals (docs/design.md section 11): the whole night at range level (simulation + pipeline + scoring) <= 2 s,\n"
                "so range synthesis <= ~1 us/frame (0.6 s/night); raw synthesis <= 30 s per night (52 us/frame).\n");
  }

 private:
  std::map<std::string, std::vector<double>> runs_;
};

Summary& TheSummary() {
  static Summary summary;
  return summary;
}

void Synthesize(benchmark::State& state, RadarLevel level, bool turning, const char* key) {
  const nightsim::Scenario& scenario = DefaultScenario();
  RadarSimulator sim(scenario.room, scenario.device, 2024);
  Night night;
  RadarFrame frame;
  std::int64_t i = 0;
  const double cpu0 = ThreadCpuS();
  for (auto _ : state) {
    const double t = static_cast<double>(i) / kFrameRateHz;
    night.At(t);
    if (turning) {  // sam rolls from his back to his left side, over and over
      night.states[1].from_posture = Posture::kBack;
      night.states[1].transition = std::fmod(t, 2.0) / 2.0;
      night.states[1].motion = 1.0;
    }
    sim.SynthesizeFrame(i++, night.specs, night.states, level, &frame);
    benchmark::DoNotOptimize(frame.range.data());
    benchmark::DoNotOptimize(frame.raw.data());
  }
  const double us_per_frame = (ThreadCpuS() - cpu0) * 1e6 / static_cast<double>(i);
  TheSummary().Add(key, us_per_frame);
  state.counters["us_per_frame"] = us_per_frame;
  state.counters["night_s"] = us_per_frame * 1e-6 * kFramesPerNight;
  state.counters["x_realtime"] = 1e6 / (us_per_frame * kFrameRateHz);
  state.counters["resting_fraction"] =
      static_cast<double>(sim.counts().resting_frames) / static_cast<double>(sim.counts().frames);
  state.counters["breathing_paths"] = sim.counts().breathing_paths;
}

void BM_RangeResting(benchmark::State& s) { Synthesize(s, RadarLevel::kRange, false, "range/rest"); }
void BM_RangeTurningOver(benchmark::State& s) { Synthesize(s, RadarLevel::kRange, true, "range/move"); }
void BM_RawResting(benchmark::State& s) { Synthesize(s, RadarLevel::kRaw, false, "raw/rest"); }
void BM_RawTurningOver(benchmark::State& s) { Synthesize(s, RadarLevel::kRaw, true, "raw/move"); }

// The real night: scenarios/default.yaml plus a cat at the foot of the bed, simulated once.
struct RealNight {
  nightsim::Scenario scenario;
  nightsim::sleepers::Night night;
  std::vector<BodySpec> specs;
};

const RealNight& TheRealNight() {
  static const RealNight real = [] {
    RealNight r;
    const std::string dir = std::string(NIGHTSIM_SOURCE_DIR) + "/scenarios/";
    r.scenario = nightsim::harness::LoadScenarioText(
        "extends: default.yaml\n"
        "name: bench_two_sleepers_and_a_cat\n"
        "pets:\n"
        "  - id: milo\n"
        "    kind: cat\n"
        "    spot: foot\n"
        "    visits:\n"
        "      - from: \"23:40\"\n"
        "        to: \"05:30\"\n",
        dir + "bench_two_sleepers_and_a_cat.yaml");
    r.night = nightsim::sleepers::SimulateNight(r.scenario, 7);
    for (const auto& tl : r.night.bodies) r.specs.push_back(tl.spec);
    return r;
  }();
  return real;
}

struct WindowsCost {
  double us_per_frame{0.0};     // CPU µs per synthesized frame
  double breathing_paths{0.0};  // breathing paths of the resting period, averaged over the minutes
};

// Synthesizes the frames of the windows [first, first + count) of `scenario`'s night in
// order, the body states of each 1-minute chunk computed before the chunk's synthesis is
// timed.
WindowsCost SynthesizeWindows(const nightsim::Scenario& scenario, const nightsim::sleepers::Night& night,
                         const std::vector<BodySpec>& specs, RadarLevel level,
                         const std::vector<std::pair<std::int64_t, std::int64_t>>& windows,
                         const nightsim::physics::RadarSimulatorOptions& options = {}) {
  RadarSimulator sim(scenario.room, scenario.device, 7, options);
  std::vector<nightsim::sleepers::BodySignal> signals;
  signals.reserve(night.bodies.size());
  for (const auto& tl : night.bodies) signals.emplace_back(tl);
  constexpr std::int64_t kChunk = 1200;
  std::vector<BodyState> chunk(static_cast<std::size_t>(kChunk) * specs.size());
  RadarFrame frame;
  double cpu_s = 0.0;
  std::int64_t frames = 0;
  double paths_sum = 0.0;
  for (const auto& [first, count] : windows) {
    for (std::int64_t c0 = first; c0 < first + count; c0 += kChunk) {
      const std::int64_t n = std::min(kChunk, first + count - c0);
      for (std::int64_t i = 0; i < n; ++i) {
        for (std::size_t b = 0; b < signals.size(); ++b) {
          chunk[static_cast<std::size_t>(i) * specs.size() + b] = signals[b].At(static_cast<double>(c0 + i) / kFrameRateHz);
        }
      }
      const double cpu0 = ThreadCpuS();
      for (std::int64_t i = 0; i < n; ++i) {
        const std::span<const BodyState> states(chunk.data() + static_cast<std::size_t>(i) * specs.size(), specs.size());
        sim.SynthesizeFrame(c0 + i, specs, states, level, &frame);
        benchmark::DoNotOptimize(frame.range.data());
        benchmark::DoNotOptimize(frame.raw.data());
      }
      cpu_s += ThreadCpuS() - cpu0;
      frames += n;
      // Resting periods last minutes: one sample per 1-minute chunk weighs them by length.
      paths_sum += static_cast<double>(sim.counts().breathing_paths) * static_cast<double>(n);
    }
  }
  return {cpu_s * 1e6 / static_cast<double>(frames), paths_sum / static_cast<double>(frames)};
}

void RecordNight(benchmark::State& state, const char* key, WindowsCost cost) {
  TheSummary().Add(key, cost.us_per_frame);
  state.counters["us_per_frame"] = cost.us_per_frame;
  state.counters["night_s"] = cost.us_per_frame * 1e-6 * kFramesPerNight;
  state.counters["breathing_paths"] = cost.breathing_paths;
}

// The whole real night at range level, with the simulator's `options`.
void RangeRealNight(benchmark::State& state, const char* key,
                    const nightsim::physics::RadarSimulatorOptions& options) {
  const RealNight& real = TheRealNight();
  const auto frames = static_cast<std::int64_t>(std::floor(real.scenario.night.duration_s * kFrameRateHz));
  for (auto _ : state) {
    RecordNight(state, key,
                SynthesizeWindows(real.scenario, real.night, real.specs, RadarLevel::kRange, {{0, frames}}, options));
  }
}

void BM_RangeRealNight(benchmark::State& state) { RangeRealNight(state, "range/night", {}); }

// The same night without the chip's fingerprint (leakage, receiver mismatch, DC): what
// the hardware effects cost the range synthesis (goal: ≤ 10 %, paired with the above).
void BM_RangeRealNightWithoutFingerprint(benchmark::State& state) {
  nightsim::physics::RadarSimulatorOptions options;
  options.leakage = false;
  options.rx_mismatch = false;
  options.dc_offset = false;
  RangeRealNight(state, "range/night_no_fingerprint", options);
}

// The floor of fewer paths: only those whose peak is at least 20 dB above a bin's noise.
void BM_RangeRealNightStrongPaths(benchmark::State& state) {
  nightsim::physics::RadarSimulatorOptions options;
  options.cull_below_noise_db = -20.0;
  RangeRealNight(state, "range/night_strong", options);
}

void BM_RawRealNight(benchmark::State& state) {
  const RealNight& real = TheRealNight();
  // 10 minutes at 23:30, 01:30, 03:30 and 05:30 (night start 22:00).
  std::vector<std::pair<std::int64_t, std::int64_t>> windows;
  for (double h : {1.5, 3.5, 5.5, 7.5}) windows.push_back({static_cast<std::int64_t>(h * 3600 * kFrameRateHz), 12000});
  for (auto _ : state) {
    RecordNight(state, "raw/night", SynthesizeWindows(real.scenario, real.night, real.specs, RadarLevel::kRaw, windows));
  }
}

void Fan(benchmark::State& state, RadarLevel level, std::int64_t frames, const char* key) {
  static const nightsim::Scenario scenario = nightsim::harness::LoadScenario(
      std::string(NIGHTSIM_SOURCE_DIR) + "/scenarios/stress/empty_room_fan.yaml");
  static const nightsim::sleepers::Night night = nightsim::sleepers::SimulateNight(scenario, 7);
  std::vector<BodySpec> specs;
  for (const auto& tl : night.bodies) specs.push_back(tl.spec);
  // From 01:00, when the fan has long been on.
  const auto first = static_cast<std::int64_t>(3 * 3600 * kFrameRateHz);
  for (auto _ : state) RecordNight(state, key, SynthesizeWindows(scenario, night, specs, level, {{first, frames}}));
}

void BM_RangeFan(benchmark::State& s) { Fan(s, RadarLevel::kRange, 12000, "range/fan"); }
void BM_RawFan(benchmark::State& s) { Fan(s, RadarLevel::kRaw, 1200, "raw/fan"); }

// The on-device stream model on top of range frames (10 Hz output).
void BM_StreamFromRange(benchmark::State& state) {
  const nightsim::Scenario& scenario = DefaultScenario();
  RadarSimulator sim(scenario.room, scenario.device, 2024);
  nightsim::physics::StreamProcessor dsp(sim.info());
  Night night;
  std::vector<RadarFrame> frames(200);
  for (int i = 0; i < 200; ++i) {
    night.At(i / kFrameRateHz);
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

// Fixed iteration counts (no probing runs, so every repetition is a full measurement).
BENCHMARK(BM_RangeResting)->Iterations(40000)->Repetitions(kRepetitions)->ReportAggregatesOnly(true);
BENCHMARK(BM_RangeTurningOver)->Iterations(4000)->Repetitions(kRepetitions)->ReportAggregatesOnly(true);
BENCHMARK(BM_RawResting)->Iterations(4000)->Repetitions(kRepetitions)->ReportAggregatesOnly(true);
BENCHMARK(BM_RawTurningOver)->Iterations(600)->Repetitions(kRepetitions)->ReportAggregatesOnly(true);
BENCHMARK(BM_RangeRealNight)->Iterations(1)->Repetitions(kNightRepetitions)->ReportAggregatesOnly(true)->Unit(benchmark::kSecond);
BENCHMARK(BM_RangeRealNightWithoutFingerprint)->Iterations(1)->Repetitions(kNightRepetitions)->ReportAggregatesOnly(true)->Unit(benchmark::kSecond);
BENCHMARK(BM_RangeRealNightStrongPaths)->Iterations(1)->Repetitions(kNightRepetitions)->ReportAggregatesOnly(true)->Unit(benchmark::kSecond);
BENCHMARK(BM_RawRealNight)->Iterations(1)->Repetitions(kNightRepetitions)->ReportAggregatesOnly(true)->Unit(benchmark::kSecond);
BENCHMARK(BM_RangeFan)->Iterations(1)->Repetitions(kNightRepetitions)->ReportAggregatesOnly(true)->Unit(benchmark::kSecond);
BENCHMARK(BM_RawFan)->Iterations(1)->Repetitions(kNightRepetitions)->ReportAggregatesOnly(true)->Unit(benchmark::kSecond);
BENCHMARK(BM_StreamFromRange)->MinTime(1.0);

}  // namespace
