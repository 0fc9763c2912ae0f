#pragma once
/// \file
/// Running a sweep's nights on local cores, idempotently: each night's output is
/// `<out>/nights/<hash>.json`, written atomically, and a night whose output exists
/// is skipped — so an interrupted sweep (SIGINT, kill -9) rerun with the same
/// command redoes only the unfinished nights.

#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness/metrics.h"
#include "harness/sweep.h"

namespace nightsim::harness {

/// What a night's output file holds that the aggregate needs.
struct NightRecord {
  std::string hash;    ///< content hash (the file name)
  MetricSet metrics;   ///< every metric of the night, with directions
};

/// The JSON of a night's output: {"nightsim_version", "hash", "scenario",
/// "scenario_name", "point", "seed", "pipeline", "metrics", "better"}.
std::string NightRecordJson(const SweepSpec& spec, const SweepNight& night, const MetricSet& metrics);

/// Reads a night's output; nullopt when missing or not a complete night output for
/// `hash` (a foreign or damaged file is treated as not done).
std::optional<NightRecord> ReadNightRecord(const std::string& path, const std::string& hash);

/// The output path of a night in `out_dir`.
std::string NightPath(const std::string& out_dir, const std::string& hash);

/// How to run.
struct SweepRunOptions {
  int jobs{1};                 ///< worker threads (>= 1)
  ShardSpec shard;             ///< which slice of the manifest
  std::string out_dir;         ///< holds nights/
  std::FILE* progress{stderr}; ///< progress bar on a terminal, plain lines otherwise; null = silent
};

/// What a run did.
struct SweepRunSummary {
  int in_shard{0};        ///< distinct nights in this shard
  int skipped{0};         ///< already done (output present)
  int ran{0};             ///< run now
  std::vector<std::string> failed;  ///< "hash: scenario seed N: what" for nights that threw
  bool interrupted{false};  ///< stopped by SIGINT/SIGTERM before every night ran
  double wall_s{0};       ///< wall time of the run
  double night_wall_s{0}; ///< sum over the nights run of their wall time on a worker
};

/// Runs the nights of `manifest` in `options.shard` that have no output yet in
/// options.out_dir/nights, on options.jobs threads. A first SIGINT or SIGTERM stops
/// handing out nights (running ones finish and are written); a second one kills the
/// process — either way no output file is ever partial. Throws std::runtime_error
/// when out_dir cannot be written.
SweepRunSummary RunSweepNights(const SweepSpec& spec, const SweepManifest& manifest, const SweepRunOptions& options);

/// The records of every distinct night of `manifest` found in any of `dirs`
/// (each holding nights/), by hash; `missing` receives the manifest indices of
/// nights found nowhere.
std::map<std::string, NightRecord> CollectNightRecords(const SweepManifest& manifest,
                                                       const std::vector<std::string>& dirs,
                                                       std::vector<std::size_t>* missing);

}  // namespace nightsim::harness
