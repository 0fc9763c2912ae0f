#include "harness/sweep_runner.h"

#include <fmt/core.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>

#include "harness/atomic_file.h"
#include "harness/interruption.h"
#include "harness/night_output.h"
#include "harness/night_runner.h"
#include "scenario_detail.h"
#include "sweep_detail.h"

namespace nightsim::harness {

namespace detail {


YAML::Node ReadJsonFile(const std::string& path) {
  try {
    return YAML::LoadFile(path);
  } catch (const YAML::Exception&) {
    return YAML::Node();
  }
}

}  // namespace detail

namespace {

namespace fs = std::filesystem;

std::string FormatDuration(double s) {
  if (s < 60) return fmt::format("{:.0f}s", s);
  if (s < 3600) return fmt::format("{}m{:02d}s", static_cast<int>(s) / 60, static_cast<int>(s) % 60);
  return fmt::format("{}h{:02d}m", static_cast<int>(s) / 3600, (static_cast<int>(s) % 3600) / 60);
}

}  // namespace

std::string NightPath(const std::string& out_dir, const std::string& hash) {
  return (fs::path(out_dir) / "nights" / (hash + ".json")).string();
}

std::string NightRecordJson(const SweepSpec& spec, const SweepNight& night, const MetricSet& metrics) {
  using detail::JsonString;
  std::string point = "{";
  for (const auto& [k, v] : night.point) point += (point.size() > 1 ? ", " : "") + JsonString(k) + ": " + JsonString(v);
  point += "}";
  std::string knobs = "{";
  for (const auto& [k, v] : spec.pipeline.knobs) knobs += (knobs.size() > 1 ? ", " : "") + JsonString(k) + ": " + JsonString(v);
  knobs += "}";
  const SweepScenario& sc = spec.scenarios[night.scenario];
  return fmt::format(
      "{{\n\"nightsim_version\": {},\n\"hash\": {},\n\"scenario\": {},\n\"scenario_name\": {},\n\"point\": {},\n"
      "\"seed\": {},\n\"pipeline\": {},\n\"metrics\": {},\n\"better\": {}\n}}\n",
      JsonString(NightsimVersion()), JsonString(night.hash), JsonString(sc.path), JsonString(sc.name), point,
      night.seed, knobs, metrics.ToJson(), metrics.DirectionsToJson());
}

std::optional<NightRecord> ReadNightRecord(const std::string& path, const std::string& hash) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return std::nullopt;
  const YAML::Node doc = detail::ReadJsonFile(path);
  if (!doc.IsMap() || !doc["hash"] || doc["hash"].as<std::string>("") != hash || !doc["metrics"].IsMap() ||
      !doc["better"].IsMap()) {
    return std::nullopt;
  }
  NightRecord r;
  r.hash = hash;
  for (const auto& kv : doc["metrics"]) {
    const std::string name = kv.first.as<std::string>("");
    const auto value = detail::ParseNumber(kv.second.as<std::string>(""));
    const std::string better = doc["better"][name] ? doc["better"][name].as<std::string>("") : "";
    if (name.empty() || !value) return std::nullopt;
    Better b = Better::kNone;
    if (better == "higher") b = Better::kHigher;
    else if (better == "lower") b = Better::kLower;
    else if (better == "zero") b = Better::kTowardZero;
    r.metrics.Set(name, *value, b);
  }
  return r;
}

SweepRunSummary RunSweepNights(const SweepSpec& spec, const SweepManifest& manifest, const SweepRunOptions& options) {
  const auto t0 = std::chrono::steady_clock::now();
  const std::string nights_dir = (fs::path(options.out_dir) / "nights").string();
  fs::create_directories(nights_dir);
  if (options.shard.count == 1) RemoveStaleTemporaries(nights_dir);

  // Distinct nights of this shard, in manifest order; those already written are skipped.
  SweepRunSummary summary;
  std::vector<std::size_t> pending;
  std::set<std::string> seen;
  for (const SweepNight& n : manifest.nights) {
    // A night shared by several manifest entries belongs to the shard of its first.
    if (!seen.insert(n.hash).second) continue;
    if (static_cast<int>(n.index % static_cast<std::size_t>(options.shard.count)) != options.shard.index) continue;
    ++summary.in_shard;
    if (ReadNightRecord(NightPath(options.out_dir, n.hash), n.hash)) ++summary.skipped;
    else pending.push_back(n.index);
  }

  const bool tty = options.progress != nullptr && ::isatty(::fileno(options.progress));
  std::mutex mu;
  std::atomic<std::size_t> next{0};
  int done = 0;
  double night_wall_total_s = 0;
  auto report = [&](const SweepNight& n, double night_s, const std::string& error) {
    // Called with `mu` held.
    ++done;
    night_wall_total_s += night_s;
    if (options.progress == nullptr) return;
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double eta = done > 0 ? elapsed / done * static_cast<double>(pending.size() - static_cast<std::size_t>(done)) : 0;
    const std::string what = fmt::format("{} seed {}{}{}", spec.scenarios[n.scenario].name, n.seed,
                                         n.point.empty() ? "" : " " + n.PointText(),
                                         n.factor.empty() ? "" : " [" + n.factor + "=" + n.arm + "]");
    if (tty) {
      constexpr int kWidth = 30;
      const int filled = static_cast<int>(kWidth * done / std::max<std::size_t>(1, pending.size()));
      fmt::print(options.progress, "\r\033[K[{}{}] {}/{} nights  {:.1f} s/night  eta {}  {}", std::string(filled, '#'),
                 std::string(kWidth - filled, '.'), done, pending.size(), night_wall_total_s / done, FormatDuration(eta), what);
      if (!error.empty()) fmt::print(options.progress, "\n  failed: {}\n", error);
    } else {
      fmt::print(options.progress, "night {}/{} {} {} in {:.1f} s{}\n", done, pending.size(), error.empty() ? "done" : "FAILED",
                 what, night_s, error.empty() ? "" : ": " + error);
    }
    std::fflush(options.progress);
  };
  if (options.progress != nullptr) {
    fmt::print(options.progress, "sweep {}: {} nights in {}{}, {} already done, {} to run on {} thread{}\n", spec.name,
               summary.in_shard, options.shard.count > 1 ? fmt::format("shard {}/{}", options.shard.index, options.shard.count) : "the manifest",
               "", summary.skipped, pending.size(), options.jobs, options.jobs == 1 ? "" : "s");
    std::fflush(options.progress);
  }

  StopSignals signals;
  auto worker = [&] {
    while (!StopSignals::StopRequested()) {
      const std::size_t k = next.fetch_add(1);
      if (k >= pending.size()) return;
      const SweepNight& n = manifest.nights[pending[k]];
      const auto start = std::chrono::steady_clock::now();
      std::string error;
      try {
        RunOptions run_options;
        run_options.seed = n.seed;
        std::unique_ptr<Pipeline> pipeline = MakePipeline(spec.pipeline);
        const NightRun run = RunNight(manifest.scenarios[n.index], run_options, pipeline.get());
        WriteFileAtomically(NightPath(options.out_dir, n.hash), NightRecordJson(spec, n, run.metrics.metrics));
      } catch (const std::exception& e) {
        error = e.what();
      }
      const double night_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      std::lock_guard<std::mutex> lock(mu);
      if (error.empty()) ++summary.ran;
      else summary.failed.push_back(fmt::format("{}: {} seed {}: {}", n.hash, spec.scenarios[n.scenario].path, n.seed, error));
      report(n, night_s, error);
    }
  };
  const int threads = std::max(1, std::min<int>(options.jobs, static_cast<int>(pending.size())));
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  if (tty && !pending.empty()) fmt::print(options.progress, "\n");

  summary.interrupted = StopSignals::StopRequested() && summary.ran + static_cast<int>(summary.failed.size()) < static_cast<int>(pending.size());
  summary.night_wall_s = night_wall_total_s;
  summary.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return summary;
}

std::map<std::string, NightRecord> CollectNightRecords(const SweepManifest& manifest,
                                                       const std::vector<std::string>& dirs,
                                                       std::vector<std::size_t>* missing) {
  std::map<std::string, NightRecord> records;
  std::set<std::string> absent;
  for (const SweepNight& n : manifest.nights) {
    if (records.count(n.hash)) continue;
    if (absent.count(n.hash)) {
      if (missing) missing->push_back(n.index);
      continue;
    }
    bool found = false;
    for (const auto& dir : dirs) {
      if (auto r = ReadNightRecord(NightPath(dir, n.hash), n.hash)) {
        records.emplace(n.hash, std::move(*r));
        found = true;
        break;
      }
    }
    if (!found) {
      absent.insert(n.hash);
      if (missing) missing->push_back(n.index);
    }
  }
  return records;
}

}  // namespace nightsim::harness
