// Pipeline cost alone (docs/design.md §11): the frames of one whole night of
// scenarios/default.yaml (seed 1, range level: two sleepers and a cat, 576,000 frames)
// are synthesized once, kept in memory (~0.9 GB), and then only the pipeline's
// Start/OnFrame/Finish is timed — SleepPipeline (tracking, features, XGBoost staging,
// PELT intent, smart alarm) and TrackingPipeline on its own. One core, thread CPU
// time, median of the repetitions. At exit it prints a table (s per night against
// the 0.5 s budget) and a digest of the estimates, so a speed-up that changes what is
// computed shows up as a different digest.
//
//   build/bench/pipeline_bench                               (table at the end)
//   NIGHTSIM_BENCH_HOURS=1 build/bench/pipeline_bench       (a shorter night, less memory)

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/rng.h"
#include "harness/night_runner.h"
#include "harness/scenario_loader.h"
#include "harness/training.h"
#include "pipeline/sleep_pipeline.h"
#include "pipeline/tracking_pipeline.h"

namespace {

using nightsim::AlarmDecision;
using nightsim::EpochEstimate;
using nightsim::RadarFrame;

constexpr int kRepetitions = 5;

double ThreadCpuS() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

// Keeps every frame as synthesized (range level: 3 RX × 64 bins, 1.5 kB each).
class Recorder : public nightsim::Pipeline {
 public:
  void Start(const nightsim::RadarInfo& radar, const nightsim::AppSettings& settings) override {
    radar_ = radar;
    settings_ = settings;
  }
  void OnFrame(const RadarFrame& frame, std::vector<EpochEstimate>*, std::vector<AlarmDecision>*) override {
    if (frame.time_s >= max_s_) return;
    if (frames_.empty()) frames_.reserve(static_cast<std::size_t>(max_s_ * radar_.frame_rate_hz + 1));
    frames_.push_back(frame);
  }
  void Finish(std::vector<EpochEstimate>*, std::vector<AlarmDecision>*) override {}
  double LatencyS() const override { return 0.0; }

  double max_s_{8 * 3600.0};
  nightsim::RadarInfo radar_;
  nightsim::AppSettings settings_;
  std::vector<RadarFrame> frames_;
};

const Recorder& Night() {
  static const Recorder recorder = [] {
    Recorder r;
    const char* hours = std::getenv("NIGHTSIM_BENCH_HOURS");
    if (hours != nullptr) r.max_s_ = 3600.0 * std::atof(hours);
    nightsim::Scenario scenario =
        nightsim::harness::LoadScenario(std::string(NIGHTSIM_SOURCE_DIR) + "/scenarios/default.yaml");
    nightsim::harness::RunOptions options;
    options.seed = 1;
    nightsim::harness::RunNight(scenario, options, &r);
    return r;
  }();
  return recorder;
}

// Feeds the recorded night to `pipeline`.
std::vector<EpochEstimate> Replay(nightsim::Pipeline* pipeline) {
  const Recorder& night = Night();
  std::vector<EpochEstimate> out;
  std::vector<AlarmDecision> alarms;
  pipeline->Start(night.radar_, night.settings_);
  for (const RadarFrame& frame : night.frames_) pipeline->OnFrame(frame, &out, &alarms);
  pipeline->Finish(&out, &alarms);
  return out;
}

// FNV-1a over the bytes of one value: the hash below moves with any bit of any estimate.
template <typename T>
void HashValue(const T& v, std::uint64_t* h) {
  char bytes[sizeof(T)];
  std::memcpy(bytes, &v, sizeof(T));
  *h = nightsim::Fnv1a(std::string_view(bytes, sizeof(T)), *h);
}

// A digest of what the pipeline computed: counts and sums a behaviour change would move,
// and a hash of every field of every estimate (a speed-up meant to change nothing must
// leave it bit for bit the same).
std::string Digest(const std::vector<EpochEstimate>& out) {
  std::uint64_t hash = nightsim::kFnv1aOffsetBasis;
  for (const EpochEstimate& e : out) {
    HashValue(e.epoch, &hash);
    HashValue(e.present, &hash);
    HashValue(e.presence_confidence, &hash);
    HashValue(e.session, &hash);
    HashValue(e.tracking, &hash);
    HashValue(e.target_range_m, &hash);
    HashValue(e.target_angle_rad, &hash);
    HashValue(e.resp_rate_bpm, &hash);
    HashValue(e.movement, &hash);
    HashValue(e.intent, &hash);
    HashValue(e.stage, &hash);
  }
  int present = 0, session = 0, tracking = 0, intent = 0, rated = 0;
  int stages[5] = {0, 0, 0, 0, 0};
  double rate_sum = 0.0, range_sum = 0.0, movement_sum = 0.0;
  for (const EpochEstimate& e : out) {
    present += e.present;
    session += e.session;
    tracking += e.tracking;
    intent += e.intent;
    rated += e.resp_rate_bpm > 0.0;
    rate_sum += e.resp_rate_bpm;
    range_sum += e.target_range_m;
    movement_sum += e.movement;
    ++stages[static_cast<int>(e.stage) + 1];
  }
  char buf[480];
  std::snprintf(buf, sizeof buf,
                "epochs %zu present %d session %d tracking %d intent %d rated %d rate_sum %.6f range_sum %.6f "
                "movement_sum %.6f stages(none/W/L/D/R) %d/%d/%d/%d/%d hash %016llx",
                out.size(), present, session, tracking, intent, rated, rate_sum, range_sum, movement_sum, stages[0],
                stages[1], stages[2], stages[3], stages[4], static_cast<unsigned long long>(hash));
  return buf;
}

class Summary {
 public:
  void Add(const std::string& key, double night_s, const std::string& digest) {
    runs_[key].push_back(night_s);
    digests_[key] = digest;
  }
  ~Summary() {
    if (runs_.empty()) return;
    const Recorder& night = Night();
    std::printf("\npipeline alone: scenarios/default.yaml seed 1, %lld frames (%.2f h); one core, CPU time,\n"
                "median of %d repetitions, scaled to an 8-h night; goal <= 0.5 s per night (docs/design.md section 11)\n\n",
                static_cast<long long>(night.frames_.size()), night.frames_.size() / night.radar_.frame_rate_hz / 3600.0,
                kRepetitions);
    std::printf("%-18s %12s %14s %5s\n", "pipeline", "s measured", "s per 8-h night", "met");
    const double scale = 8 * 3600.0 * night.radar_.frame_rate_hz / static_cast<double>(night.frames_.size());
    for (auto& [key, v] : runs_) {
      std::sort(v.begin(), v.end());
      const double s = v.size() % 2 == 1 ? v[v.size() / 2] : 0.5 * (v[v.size() / 2 - 1] + v[v.size() / 2]);
      std::printf("%-18s %12.3f %14.3f %5s\n", key.c_str(), s, s * scale, s * scale <= 0.5 ? "yes" : "no");
    }
    std::printf("\n");
    for (const auto& [key, d] : digests_) std::printf("digest %-10s %s\n", key.c_str(), d.c_str());
  }

 private:
  std::map<std::string, std::vector<double>> runs_;
  std::map<std::string, std::string> digests_;
};

Summary& TheSummary() {
  static Summary summary;
  return summary;
}

void BM_SleepPipeline(benchmark::State& state) {
  Night();  // synthesized outside the timed region
  const nightsim::pipeline::SleepPipelineConfig config =
      nightsim::harness::SleepPipelineConfigFrom(nightsim::harness::DefaultModelsDir());
  for (auto _ : state) {
    const double cpu0 = ThreadCpuS();
    nightsim::pipeline::SleepPipeline pipeline(config);  // model loading is counted: once per night
    const std::vector<EpochEstimate> out = Replay(&pipeline);
    const double s = ThreadCpuS() - cpu0;
    TheSummary().Add("SleepPipeline", s, Digest(out));
    state.counters["night_cpu_s"] = s;
  }
}

void BM_TrackingPipeline(benchmark::State& state) {
  Night();
  for (auto _ : state) {
    const double cpu0 = ThreadCpuS();
    nightsim::pipeline::TrackingPipeline pipeline;
    const std::vector<EpochEstimate> out = Replay(&pipeline);
    const double s = ThreadCpuS() - cpu0;
    TheSummary().Add("TrackingPipeline", s, Digest(out));
    state.counters["night_cpu_s"] = s;
  }
}

BENCHMARK(BM_SleepPipeline)->Iterations(1)->Repetitions(kRepetitions)->ReportAggregatesOnly(true)->Unit(benchmark::kSecond);
BENCHMARK(BM_TrackingPipeline)->Iterations(1)->Repetitions(kRepetitions)->ReportAggregatesOnly(true)->Unit(benchmark::kSecond);

}  // namespace
