// `nightsim generate SCENARIO --nights N --level LEVEL --out DIR [-j N] [--seed S]
// [--set name=value …]`: a training set — N nights of SCENARIO with seeds S … S+N−1,
// one night file (radar data at LEVEL, truth, estimates, metrics) and its hypnogram
// files per night, and DIR/manifest.json listing every night with its split
// (train/val/test by a hash of the seed) and parameters. Nights whose complete file
// already exists (same content key) are skipped, so an interrupted run resumes.
//
// `nightsim generate SWEEP.yaml --out DIR [--nights N]`: the same for every distinct
// night of a sweep file (scenarios × parameter points × factor arms × seeds, expanded
// by ExpandSweep exactly as `nightsim sweep` runs them, with its pipeline knobs), so a
// training set can cover a parameter grid; --nights keeps the first N.

#include <fmt/core.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/program_options.hpp>
#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <yaml-cpp/yaml.h>

#include "core/errors.h"
#include "command_line.h"
#include "harness/atomic_file.h"
#include "harness/interruption.h"
#include "harness/cli.h"
#include "harness/metrics.h"
#include "harness/commands.h"
#include "harness/night_output.h"
#include "harness/night_reader.h"
#include "harness/night_runner.h"
#include "harness/scenario_loader.h"
#include "harness/sweep.h"
#include "harness/sweep_pipeline_knobs.h"

namespace po = boost::program_options;

namespace nightsim::harness {
namespace {

// Fixed split fractions (train, val; test is the rest). A night's split depends on its
// seed alone, so a seed keeps its split when more nights are generated.
constexpr double kTrainFraction = 0.8;
constexpr double kValFraction = 0.1;

// SplitMix64's finalizer: a well-mixed 64-bit hash of the seed.
std::uint64_t MixSeed(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

const char* SplitOf(std::uint64_t seed) {
  const double u = static_cast<double>(MixSeed(seed) >> 11) * 0x1.0p-53;  // uniform in [0, 1)
  if (u < kTrainFraction) return "train";
  if (u < kTrainFraction + kValFraction) return "val";
  return "test";
}


// One night to generate: a seed of the scenario, or a distinct night of a sweep.
struct Job {
  const Scenario* scenario{nullptr};
  std::uint64_t seed{0};
  std::string stem;  // DIR/<scenario>_s<seed>[_<night hash>], without extension
  std::string key;   // NightKey
  // Sweep nights only: every manifest entry that resolves to this night (the first
  // decides the stem), and the sweep's scenario path of it.
  std::vector<const SweepNight*> roles;
  std::string scenario_path;
};

// A sweep file lists `scenarios:`; a scenario file never has that key. Anything
// unreadable is left to LoadScenario, whose messages name the line.
bool IsSweepFile(const std::string& path) {
  try {
    const YAML::Node doc = YAML::LoadFile(path);
    return doc.IsMap() && doc["scenarios"];
  } catch (const YAML::Exception&) {
    return false;
  }
}

// What the manifest says about a night, from the run or from the existing file.
struct Done {
  bool skipped{false};
  std::int64_t epochs{0};
  std::int64_t frames{0};
  std::int64_t radar_rows{0};
  double wall_s{0};
};

// A night is complete when its file (renamed into place only when whole) carries the
// expected content key and its hypnogram files exist.
std::optional<Done> ExistingNight(const Job& job) {
  const std::string h5 = job.stem + ".h5";
  if (!std::filesystem::exists(h5) || !std::filesystem::exists(job.stem + ".hypnogram.csv") ||
      !std::filesystem::exists(job.stem + ".hypnogram.json")) {
    return std::nullopt;
  }
  try {
    const NightReader night(h5);
    if (night.info().night_key != job.key) return std::nullopt;
    return Done{true, night.info().epochs, night.info().frames, night.RadarRows(), 0.0};
  } catch (const InputError&) {
    return std::nullopt;  // foreign or damaged: generate it again
  }
}

Done GenerateNight(const Job& job, RadarLevel level, const PipelineSettings* pipeline_settings) {
  const auto t0 = std::chrono::steady_clock::now();
  RunOptions options;
  options.seed = job.seed;
  options.level = level;
  NightFileOptions file_options;
  file_options.frames = level;
  NightFileWriter file(job.stem + ".h5", *job.scenario, job.seed, file_options);
  // A sweep's knobs configure the pipeline whose estimates the file stores; nullptr
  // (no knobs) is nightsim's default pipeline.
  const std::unique_ptr<Pipeline> pipeline = pipeline_settings ? MakePipeline(*pipeline_settings) : nullptr;
  const NightRun run = RunNight(*job.scenario, options, pipeline.get(), file.Sink());
  file.Finish(run);
  WriteHypnogramFiles(run, job.stem);
  Done d;
  d.epochs = run.truth.epochs();
  d.frames = run.frames;
  d.radar_rows = file.RadarRows();
  d.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return d;
}

// Progress: a redrawn bar on a terminal, one plain line per night otherwise (logs, CI).
class Progress {
 public:
  Progress(std::size_t total, FILE* out) : total_(total), out_(out), tty_(::isatty(::fileno(out)) != 0) {}
  void Night(const Job& job, const Done& d) {
    std::lock_guard lock(mutex_);
    ++done_;
    if (d.skipped) ++skipped_;
    else run_s_ += d.wall_s;
    const std::size_t ran = done_ - skipped_;
    if (!tty_) {
      fmt::print(out_, "night {}/{}: seed {} {}\n", done_, total_, job.seed,
                 d.skipped ? "already complete, skipped" : fmt::format("written in {:.1f} s", d.wall_s));
      std::fflush(out_);
      return;
    }
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(kWidth * done_ / std::max<std::size_t>(1, total_));
    const double elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    std::string eta;
    if (ran > 0 && done_ < total_) {
      eta = fmt::format(", ETA {:.0f} s", elapsed_s / static_cast<double>(ran) * static_cast<double>(total_ - done_));
    }
    fmt::print(out_, "\r[{}{}] {}/{} nights ({} skipped){}   ", std::string(filled, '#'),
               std::string(kWidth - filled, ' '), done_, total_, skipped_, eta);
    if (done_ == total_) fmt::print(out_, "\n");
    std::fflush(out_);
  }
  std::size_t skipped() const { return skipped_; }
  double run_s() const { return run_s_; }

 private:
  std::size_t total_;
  FILE* out_;
  bool tty_;
  std::mutex mutex_;
  std::size_t done_{0}, skipped_{0};
  double run_s_{0};
  std::chrono::steady_clock::time_point start_{std::chrono::steady_clock::now()};
};

// {"name": "value", …} of the declared parameters in force.
std::string ParametersJson(const Scenario& scenario) {
  std::string params = "{";
  for (std::size_t i = 0; i < scenario.parameters.size(); ++i) {
    const ParameterSpec& p = scenario.parameters[i];
    // Numbers as JSON numbers (value_text is FormatNumber's, valid JSON).
    const bool native = p.type == "float" || p.type == "int";
    params += fmt::format("{}{}: {}", i ? ", " : "", JsonString(p.name), native ? p.value_text : JsonString(p.value_text));
  }
  return params + "}";
}

// The sweep fields of a night entry: its scenario path, the swept point, every
// (factor, arm) it plays (a plain night has factor "") and the sweep's night hash.
std::string SweepFieldsJson(const Job& job) {
  const SweepNight& first = *job.roles.front();
  std::string point = "{";
  for (const auto& [k, v] : first.point) point += (point.size() > 1 ? ", " : "") + JsonString(k) + ": " + JsonString(v);
  point += "}";
  std::string roles = "[";
  for (const SweepNight* n : job.roles) {
    roles += fmt::format("{}{{\"factor\": {}, \"arm\": {}}}", roles.size() > 1 ? ", " : "", JsonString(n->factor),
                         JsonString(n->arm));
  }
  roles += "]";
  return fmt::format(", \"scenario_path\": {}, \"point\": {}, \"roles\": {}, \"night_hash\": {}",
                     JsonString(job.scenario_path), point, roles, JsonString(first.hash));
}

// `sweep` is null for a scenario: then `scenario` and `source_path` describe it.
std::string ManifestJson(const Scenario* scenario, const SweepSpec* sweep, std::size_t sweep_nights,
                         const std::string& source_path, RadarLevel level, const std::vector<Job>& jobs,
                         const std::vector<Done>& done, const std::string& dir) {
  std::array<int, 3> counts{};
  for (const Job& j : jobs) {
    const std::string split = SplitOf(j.seed);
    ++counts[split == "train" ? 0 : split == "val" ? 1 : 2];
  }
  std::string j = "{\n";
  j += fmt::format("  \"nightsim_version\": {},\n", JsonString(NightsimVersion()));
  j += fmt::format("  \"night_schema_version\": {},\n", JsonString(kNightSchemaVersion));
  if (sweep == nullptr) {
    j += fmt::format("  \"scenario\": {{\"name\": {}, \"path\": {}, \"hash\": {}}},\n", JsonString(scenario->name),
                     JsonString(source_path), JsonString(ContentHash(scenario->resolved_yaml)));
  } else {
    j += fmt::format("  \"sweep\": {{\"name\": {}, \"path\": {}, \"manifest_nights\": {}, \"pipeline\": {}}},\n",
                     JsonString(sweep->name), JsonString(source_path), sweep_nights,
                     JsonString(sweep->pipeline.KnobsText()));
  }
  j += fmt::format("  \"level\": {},\n", JsonString(LevelName(level)));
  j += fmt::format(
      "  \"split\": {{\"fractions\": {{\"train\": {:g}, \"val\": {:g}, \"test\": {:g}}}, \"rule\": \"u = "
      "(splitmix64(seed) >> 11) / 2^53; train if u < {:g}, val if u < {:g}, else test\", \"counts\": {{\"train\": {}, "
      "\"val\": {}, \"test\": {}}}}},\n",
      kTrainFraction, kValFraction, 1.0 - kTrainFraction - kValFraction, kTrainFraction,
      kTrainFraction + kValFraction, counts[0], counts[1], counts[2]);
  j += "  \"nights\": [\n";
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    const std::string name = std::filesystem::path(jobs[i].stem).lexically_relative(dir).string();
    j += fmt::format(
        "    {{\"file\": {}, \"hypnogram_csv\": {}, \"hypnogram_json\": {}, \"seed\": {}, \"split\": {}, "
        "\"night_key\": {}, \"scenario\": {}, \"parameters\": {}, \"epochs\": {}, \"frames\": {}, "
        "\"radar_rows\": {}{}}}{}\n",
        JsonString(name + ".h5"), JsonString(name + ".hypnogram.csv"), JsonString(name + ".hypnogram.json"),
        jobs[i].seed, JsonString(SplitOf(jobs[i].seed)), JsonString(jobs[i].key), JsonString(jobs[i].scenario->name),
        ParametersJson(*jobs[i].scenario), done[i].epochs, done[i].frames, done[i].radar_rows,
        jobs[i].roles.empty() ? "" : SweepFieldsJson(jobs[i]), i + 1 < jobs.size() ? "," : "");
  }
  j += "  ]\n}\n";
  return j;
}

}  // namespace

int CmdGenerate(const std::vector<std::string>& args) {
  po::options_description options("options");
  std::string source_path, level_text, out_dir;
  std::int64_t nights = 0;
  std::uint64_t seed = 1;
  int jobs_wanted = DefaultJobs();
  std::vector<std::string> sets;
  options.add_options()
      ("help,h", "show this help")
      ("nights", po::value(&nights), "number of nights (>= 1); with a sweep: at most this many (default all)")
      ("level", po::value(&level_text)->default_value("stream"), "radar data written: stream, range or raw")
      ("out", po::value(&out_dir), "output folder (created if missing)")
      ("jobs,j", po::value(&jobs_wanted)->default_value(jobs_wanted), "nights generated in parallel (threads; default: every core)")
      ("seed", po::value(&seed)->default_value(1), "seed of the first night; night i uses seed + i (not with a sweep)")
      ("set", po::value(&sets)->composing(),
       "name=value: set a declared scenario parameter (repeatable; not with a sweep)");
  const po::variables_map vm = ParseCommandLine(args, options, {{"scenario", &source_path}});
  if (vm.count("help")) {
    fmt::print(
        "usage: nightsim generate SCENARIO --nights N --out DIR [--level stream|range|raw] [-j N] [--seed S]\n"
        "       nightsim generate SWEEP.yaml --out DIR [--nights N] [--level L] [-j N]\n\n"
        "Generates a training set: N nights of SCENARIO (seeds S … S+N-1), each as a night\n"
        "file DIR/<scenario>_s<seed>.h5 (radar data at LEVEL, every body's state at frame\n"
        "rate, per-epoch truth, the pipeline's estimates and metrics; docs/hdf5_layout.md)\n"
        "with its hypnograms DIR/<scenario>_s<seed>.hypnogram.{{csv,json}}, and\n"
        "DIR/manifest.json: every night with its seed, parameters and split (train 80 %,\n"
        "val 10 %, test 10 %, decided by a hash of the seed). A night whose complete file\n"
        "already exists with the same content is skipped, so an interrupted run resumes.\n"
        "Read the set from Python with python/nightsim_data.\n\n"
        "Given a sweep file (it lists `scenarios:`; scenarios/README.md, \"Sweep files\"),\n"
        "generates every distinct night `nightsim sweep` would run — scenarios × parameter\n"
        "points × factor arms × the sweep's seeds, with its pipeline knobs — as\n"
        "DIR/<scenario>_s<seed>_<night hash>.h5; a factor arm equal to another night is one\n"
        "file listed once with all its roles. --nights N keeps the first N in the sweep's\n"
        "order (scenario, point, plain then arms, seed); default all. The seeds and values\n"
        "come from the sweep, so --seed and --set are refused. The manifest records each\n"
        "night's scenario path, swept point, roles (factor, arm), parameters and hash.\n\n");
    std::cout << options << "\n";
    return kExitOk;
  }
  std::vector<InputProblem> problems;
  const bool is_sweep = !source_path.empty() && IsSweepFile(source_path);
  if (source_path.empty()) problems.push_back({"", 0, 0, "SCENARIO", "a scenario or sweep file is required"});
  if (is_sweep ? vm.count("nights") && nights < 1 : nights < 1) {
    problems.push_back({"", 0, 0, "--nights", "expected a whole number >= 1"});
  }
  if (is_sweep && !vm["seed"].defaulted()) {
    problems.push_back({source_path, 0, 0, "--seed", "a sweep file sets its own seeds (`seeds:`)"});
  }
  if (is_sweep && !sets.empty()) {
    problems.push_back({source_path, 0, 0, "--set", "a sweep file sets its own parameter values"});
  }
  if (out_dir.empty()) problems.push_back({"", 0, 0, "--out", "an output folder is required"});
  if (jobs_wanted < 1) problems.push_back({"", 0, 0, "--jobs", "expected a whole number >= 1"});
  if (!problems.empty()) throw InputError(std::move(problems));
  const RadarLevel level = ParseLevelOption(level_text);

  // Everything the jobs point into lives here until the manifest is written.
  Scenario scenario;
  SweepSpec spec;
  SweepManifest sweep_manifest;
  std::vector<Job> jobs;
  if (is_sweep) {
    spec = LoadSweep(source_path);
    sweep_manifest = ExpandSweep(spec);
  } else {
    scenario = LoadScenario(source_path, ParseOverrides(sets));
    PrintScenarioWarnings(scenario);
  }
  std::filesystem::create_directories(out_dir);
  RemoveStaleTemporaries(out_dir);  // of a run killed (kill -9) in the middle of a night
  const auto dir = std::filesystem::path(out_dir);
  if (is_sweep) {
    // One job per distinct night hash, in manifest order; later entries with the same
    // hash (an arm equal to the plain night) only add a role.
    std::map<std::string, std::size_t> by_hash;
    for (const SweepNight& n : sweep_manifest.nights) {
      if (const auto it = by_hash.find(n.hash); it != by_hash.end()) {
        jobs[it->second].roles.push_back(&n);
        continue;
      }
      if (vm.count("nights") && static_cast<std::int64_t>(jobs.size()) >= nights) continue;
      Job j;
      j.scenario = &sweep_manifest.scenarios[n.index];
      j.seed = n.seed;
      j.stem = (dir / fmt::format("{}_s{}_{}", j.scenario->name, n.seed, n.hash)).string();
      j.key = NightKey(*j.scenario, j.seed, level);
      j.roles.push_back(&n);
      j.scenario_path = spec.scenarios[n.scenario].path;
      by_hash[n.hash] = jobs.size();
      jobs.push_back(std::move(j));
    }
  } else {
    jobs.resize(static_cast<std::size_t>(nights));
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      Job& j = jobs[i];
      j.scenario = &scenario;
      j.seed = seed + i;
      j.stem = (dir / fmt::format("{}_s{}", scenario.name, j.seed)).string();
      j.key = NightKey(scenario, j.seed, level);
    }
  }
  // The knobs are part of a sweep night's hash, hence of its file name: a file made
  // with other knobs is never mistaken for this one.
  const PipelineSettings* pipeline_settings = is_sweep && !spec.pipeline.knobs.empty() ? &spec.pipeline : nullptr;

  std::vector<Done> done(jobs.size());
  Progress progress(jobs.size(), stderr);
  std::atomic<std::size_t> next{0};
  std::atomic<std::size_t> finished{0};  // nights complete (run now or before)
  std::atomic<bool> failed{false};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto worker = [&] {
    for (;;) {
      const std::size_t i = next.fetch_add(1);
      if (i >= jobs.size() || failed || StopSignals::StopRequested()) return;
      try {
        const std::optional<Done> existing = ExistingNight(jobs[i]);
        done[i] = existing ? *existing : GenerateNight(jobs[i], level, pipeline_settings);
        progress.Night(jobs[i], done[i]);
        ++finished;
      } catch (...) {
        std::lock_guard lock(error_mutex);
        if (!error) error = std::current_exception();
        failed = true;
        return;
      }
    }
  };
  const auto t0 = std::chrono::steady_clock::now();
  const int threads = std::max(1, std::min<int>(jobs_wanted, static_cast<int>(jobs.size())));
  // A first SIGINT/SIGTERM lets the nights under way finish and be written, then
  // stops: no manifest, exit 130, and the rerun skips the complete nights.
  StopSignals signals;
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
  if (StopSignals::StopRequested() && finished.load() < jobs.size()) {
    fmt::print(stderr, "interrupted: {} of {} nights complete, no manifest written; rerun the same command to resume\n",
               finished.load(), jobs.size());
    return 130;
  }
  const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  const std::string manifest = (dir / "manifest.json").string();
  WriteFileAtomically(manifest, ManifestJson(is_sweep ? nullptr : &scenario, is_sweep ? &spec : nullptr,
                                             sweep_manifest.nights.size(), source_path, level, jobs, done, out_dir));
  const std::size_t ran = jobs.size() - progress.skipped();
  fmt::print("generated {} night{} of {} at level {} in {} ({} already complete) in {:.1f} s on {} thread{}",
             ran, ran == 1 ? "" : "s", is_sweep ? "sweep " + spec.name : scenario.name, LevelName(level), out_dir,
             progress.skipped(), wall_s, threads, threads == 1 ? "" : "s");
  if (ran > 0) fmt::print(" ({:.2f} s per night per thread)", progress.run_s() / static_cast<double>(ran));
  fmt::print("\nmanifest: {}\n", manifest);
  return kExitOk;
}

}  // namespace nightsim::harness
