// Whole-night benchmark (docs/design.md §11): one table of the figures the design sets
// goals for, measured through the same APIs the CLI uses (RunNight, NightFileWriter,
// RunSweepNights), on the night of bench/night_bench.yaml: 8 hours, two sleepers and
// a cat.
//
//   build/bench/night_bench [--reps N] [--dir FOLDER] [--only ROW]
//
// --only night|raw|hdf5|memory|sweep measures that row alone (e.g. `--only hdf5 --reps 9`
// to profile or compare the HDF5 write without minutes of the other rows).
//
// Rows (wall time, median of N repetitions, default 3; the process runs on one core
// except the 2-worker sweep):
// - simulation + pipeline + scoring of the whole night at `range` level, no frames
//   written: seconds and × real time (goal ≤ 2 s);
// - raw-level synthesis: the first 30 minutes at `raw` level through RunNight with a
//   pipeline that does nothing, extrapolated ×16 to the 8-hour night (goal ≤ 30 s);
// - HDF5 range-frame writing: the range frames of the first 30 minutes (captured in
//   memory first) written through NightFileWriter, against a plain sequential write
//   of as many bytes as the finished file into the same folder, both synced to disk
//   (goal ≤ 2×);
// - peak memory (VmHWM) of a 2-hour and an 8-hour night at `range` level, each in a
//   fresh child process (this program re-executed), so neither sees the other's heap
//   (goal < 200 MB each, and about equal: memory bounded by a window);
// - sweep throughput of sweeps/throughput.yaml (eight 75-minute nights) on 1 and 2
//   workers and the parallel efficiency T1 / (2 T2) (goal ≥ 90 %). On a machine
//   shared with other work the second core is not really free: read it then as a
//   lower bound.
#include <sys/resource.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "frame/pipeline_api.h"
#include "harness/night_output.h"
#include "harness/night_runner.h"
#include "harness/scenario_loader.h"
#include "harness/sweep.h"
#include "harness/sweep_runner.h"

namespace {

namespace fs = std::filesystem;
using nightsim::RadarFrame;
using nightsim::RadarLevel;
using nightsim::harness::ParameterOverrides;

const std::string kScenario = std::string(NIGHTSIM_SOURCE_DIR) + "/bench/night_bench.yaml";
const std::string kSweep = std::string(NIGHTSIM_SOURCE_DIR) + "/sweeps/throughput.yaml";
constexpr double kNightS = 8 * 3600.0;
constexpr std::uint64_t kSeed = 1;

// A night shortened to end at `end`, every event moved inside it.
ParameterOverrides Until(const char* end, const char* alarm, const char* sam_wake, const char* cat_from,
                         const char* cat_to) {
  return {{"night_end", end}, {"alarm", alarm}, {"sam_wake", sam_wake}, {"cat_from", cat_from}, {"cat_to", cat_to}};
}
const ParameterOverrides kTwoHours = Until("01:00", "00:55", "00:50", "23:50", "00:40");
const ParameterOverrides kHalfHour = Until("23:30", "23:28", "23:27", "23:20", "23:29");

double WallS(const std::function<void()>& f) {
  const auto t0 = std::chrono::steady_clock::now();
  f();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// A pipeline that reads nothing and reports every epoch as unscored: what is left of
// RunNight's time is the sleepers, the synthesis and the scorer.
class IdlePipeline final : public nightsim::Pipeline {
 public:
  void Start(const nightsim::RadarInfo& radar, const nightsim::AppSettings& settings) override {
    frames_per_epoch_ = static_cast<std::int64_t>(radar.frame_rate_hz * settings.epoch_s + 0.5);
  }
  void OnFrame(const RadarFrame& frame, std::vector<nightsim::EpochEstimate>* out,
               std::vector<nightsim::AlarmDecision>*) override {
    if ((frame.index + 1) % frames_per_epoch_ == 0) {
      nightsim::EpochEstimate e;
      e.epoch = frame.index / frames_per_epoch_;
      e.stage = nightsim::EstStage::kNone;
      out->push_back(e);
    }
  }
  void Finish(std::vector<nightsim::EpochEstimate>*, std::vector<nightsim::AlarmDecision>*) override {}
  double LatencyS() const override { return 0; }

 private:
  std::int64_t frames_per_epoch_{1};
};

// Writes `bytes` bytes sequentially in 1 MiB blocks and syncs them, as a plain
// program would: the yardstick of the HDF5 write row.
void PlainWrite(const std::string& path, std::uintmax_t bytes) {
  std::vector<char> block(1 << 20, '\x5a');
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) std::perror(path.c_str()), std::exit(1);
  for (std::uintmax_t left = bytes; left > 0;) {
    const std::size_t n = static_cast<std::size_t>(std::min<std::uintmax_t>(left, block.size()));
    if (::write(fd, block.data(), n) != static_cast<ssize_t>(n)) std::perror(path.c_str()), std::exit(1);
    left -= n;
  }
  ::fsync(fd);
  ::close(fd);
}

// Peak resident memory of a night run in a fresh process: this program, re-executed.
double ChildPeakMb(const char* hours) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::execl("/proc/self/exe", "night_bench", "--memory-child", hours, static_cast<char*>(nullptr));
    std::_Exit(127);
  }
  int status = 0;
  rusage usage{};
  if (pid < 0 || ::wait4(pid, &status, 0, &usage) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::fprintf(stderr, "night_bench: the %s-hour memory child failed\n", hours);
    return -1;
  }
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss: KiB on Linux
}

int MemoryChild(const std::string& hours) {
  const auto scenario = nightsim::harness::LoadScenario(kScenario, hours == "2" ? kTwoHours : ParameterOverrides{});
  (void)nightsim::harness::RunNight(scenario, {kSeed, RadarLevel::kRange});
  return 0;
}

struct Row {
  std::string what, figure, goal;
  bool met;
};

}  // namespace

constexpr const char* kUsage =
    "usage: night_bench [--reps N] [--dir FOLDER] [--only night|raw|hdf5|memory|sweep]\n\n"
    "The whole-night table of docs/design.md section 11 on bench/night_bench.yaml (8 h, two sleepers, a cat):\n"
    "simulation + pipeline + scoring at range level, raw synthesis, HDF5 writing, peak memory,\n"
    "sweep throughput; each the median of --reps repetitions (default 3). Takes minutes.\n"
    "  --reps N       repetitions per row (default 3)\n"
    "  --dir FOLDER   scratch folder, emptied first (default night_bench.tmp)\n"
    "  --only ROW     measure that row alone\n";

int main(int argc, char** argv) {
  if (argc == 3 && std::strcmp(argv[1], "--memory-child") == 0) return MemoryChild(argv[2]);
  int reps = 3;
  fs::path dir = "night_bench.tmp";
  std::string only;
  // Every argument is checked before anything runs: a typo must not cost minutes.
  for (int i = 1; i < argc; i += 2) {
    if (std::strcmp(argv[i], "--help") == 0 || std::strcmp(argv[i], "-h") == 0) {
      std::fputs(kUsage, stdout);
      return 0;
    }
    const bool known = std::strcmp(argv[i], "--reps") == 0 || std::strcmp(argv[i], "--dir") == 0 ||
                       std::strcmp(argv[i], "--only") == 0;
    if (!known || i + 1 >= argc) {
      std::fprintf(stderr, "night_bench: %s '%s'\n\n%s", known ? "a value is missing after" : "unknown argument",
                   argv[i], kUsage);
      return 2;
    }
    if (std::strcmp(argv[i], "--reps") == 0) reps = std::max(1, std::atoi(argv[i + 1]));
    else if (std::strcmp(argv[i], "--dir") == 0) dir = argv[i + 1];
    else only = argv[i + 1];
  }
  const std::vector<std::string> row_names = {"night", "raw", "hdf5", "memory", "sweep"};
  if (!only.empty() && std::find(row_names.begin(), row_names.end(), only) == row_names.end()) {
    std::fprintf(stderr, "night_bench: --only expects night, raw, hdf5, memory or sweep, got '%s'\n", only.c_str());
    return 2;
  }
  auto wanted = [&](const char* row) { return only.empty() || only == row; };
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::vector<Row> rows;
  auto add = [&](std::string what, std::string figure, std::string goal, bool met) {
    rows.push_back({std::move(what), std::move(figure), std::move(goal), met});
    std::fprintf(stderr, "night_bench: %s: %s\n", rows.back().what.c_str(), rows.back().figure.c_str());
  };
  char buf[256];

  // 1. The whole night at range level, nothing written.
  if (wanted("night")) {
    const auto night = nightsim::harness::LoadScenario(kScenario);
    std::vector<double> night_s;
    for (int r = 0; r < reps; ++r) {
      night_s.push_back(WallS([&] { (void)nightsim::harness::RunNight(night, {kSeed, RadarLevel::kRange}); }));
    }
    const double night_median_s = Median(night_s);
    std::snprintf(buf, sizeof buf, "%.2f s (%.0fx real time)", night_median_s, kNightS / night_median_s);
    add("8-h night, range: simulate + pipeline + score", buf, "<= 2 s (>= 14,400x)", night_median_s <= 2.0);
  }

  // 2. Raw synthesis: 30 minutes at raw level with an idle pipeline, ×16.
  const auto half_hour = nightsim::harness::LoadScenario(kScenario, kHalfHour);
  if (wanted("raw")) {
    std::vector<double> raw_s;
    for (int r = 0; r < reps; ++r) {
      IdlePipeline idle;
      raw_s.push_back(WallS([&] { (void)nightsim::harness::RunNight(half_hour, {kSeed, RadarLevel::kRaw}, &idle); }));
    }
    const double raw_night_s = 16 * Median(raw_s);
    std::snprintf(buf, sizeof buf, "%.1f s (30 min timed, x16)", raw_night_s);
    add("8-h night, raw synthesis (idle pipeline)", buf, "<= 30 s", raw_night_s <= 30.0);
  }

  // 3. HDF5 range frames against a plain sequential write of the same bytes.
  if (wanted("hdf5")) {
    std::vector<RadarFrame> frames;
    const nightsim::harness::NightRun run = nightsim::harness::RunNight(
        half_hour, {kSeed, RadarLevel::kRange}, nullptr, [&](const RadarFrame& f) { frames.push_back(f); });
    std::vector<double> h5_s, plain_s;
    std::uintmax_t file_bytes = 0;
    for (int r = 0; r < reps; ++r) {
      const std::string h5 = (dir / "night.h5").string();
      h5_s.push_back(WallS([&] {
        nightsim::harness::NightFileWriter writer(h5, half_hour, kSeed, {.frames = RadarLevel::kRange, .stream = {}, .window = {}});
        const nightsim::harness::FrameSink sink = writer.Sink();
        for (const RadarFrame& f : frames) sink(f);
        writer.Finish(run);
      }));
      file_bytes = fs::file_size(h5);
      fs::remove(h5);
      const std::string plain = (dir / "plain.bin").string();
      plain_s.push_back(WallS([&] { PlainWrite(plain, file_bytes); }));
      fs::remove(plain);
    }
    const double ratio = Median(h5_s) / Median(plain_s);
    std::snprintf(buf, sizeof buf, "%.2fx (%.0f MB: %.0f vs %.0f MB/s)", ratio, file_bytes / 1e6,
                  file_bytes / 1e6 / Median(h5_s), file_bytes / 1e6 / Median(plain_s));
    add("HDF5 range-frame write / plain write", buf, "<= 2x", ratio <= 2.0);
  }

  // 4. Peak memory of a 2-hour and an 8-hour night, each in a fresh process.
  if (wanted("memory")) {
    const double peak2_mb = ChildPeakMb("2"), peak8_mb = ChildPeakMb("8");
    std::snprintf(buf, sizeof buf, "%.0f MB / %.0f MB", peak2_mb, peak8_mb);
    add("peak RSS, 2-h / 8-h night (range)", buf, "< 200 MB, about equal",
        peak2_mb > 0 && peak8_mb > 0 && peak8_mb < 200 && peak8_mb < 1.25 * peak2_mb);
  }

  // 5. Sweep throughput on 1 and 2 workers.
  if (wanted("sweep")) {
    const auto spec = nightsim::harness::LoadSweep(kSweep);
    const auto manifest = nightsim::harness::ExpandSweep(spec);
    double sweep_s[2] = {0, 0};
    int sweep_nights = 0;
    for (int jobs : {1, 2}) {
      const fs::path out = dir / ("sweep-j" + std::to_string(jobs));
      nightsim::harness::SweepRunOptions options;
      options.jobs = jobs;
      options.out_dir = out.string();
      options.progress = nullptr;
      const auto summary = nightsim::harness::RunSweepNights(spec, manifest, options);
      sweep_s[jobs - 1] = summary.wall_s;
      sweep_nights = summary.ran;
      fs::remove_all(out);
    }
    const double efficiency = sweep_s[0] / (2 * sweep_s[1]);
    std::snprintf(buf, sizeof buf, "%.1f / %.1f nights/min, %.0f %% efficiency", 60 * sweep_nights / sweep_s[0],
                  60 * sweep_nights / sweep_s[1], 100 * efficiency);
    add("sweep (8 x 75-min nights), 1 / 2 workers", buf, ">= 90 % efficiency", efficiency >= 0.9);
  }
  fs::remove_all(dir);

  std::printf("\nnightsim whole-night benchmark: %s (8 h, 2 sleepers + cat), seed %llu, "
              "wall time, median of %d\n\n",
              "bench/night_bench.yaml", static_cast<unsigned long long>(kSeed), reps);
  std::printf("| %-46s | %-40s | %-22s | %-6s |\n", "what", "figure", "goal", "");
  std::printf("|%s|%s|%s|%s|\n", std::string(48, '-').c_str(), std::string(42, '-').c_str(),
              std::string(24, '-').c_str(), std::string(8, '-').c_str());
  for (const Row& r : rows) {
    std::printf("| %-46s | %-40s | %-22s | %-6s |\n", r.what.c_str(), r.figure.c_str(), r.goal.c_str(),
                r.met ? "met" : "missed");
  }
  return 0;
}
