#pragma once
/// \file
/// Sweep files (schema in scenarios/README.md, "Sweep files") and their expansion
/// into a manifest of nights (docs/design.md §3, §10).
///
/// A sweep lists scenarios, values for their declared parameters (sets, ranges,
/// random draws), seeds, paired factors for counterfactual comparisons, pipeline
/// knobs, and the metrics that gate CI with their tolerances. LoadSweep() checks
/// all of it — every scenario loads with every parameter point, every draw is in
/// its parameter's range, every metric and knob name exists — before anything runs,
/// and throws InputError with file:line:column messages otherwise.
///
/// The unit of work is one night = (resolved scenario, parameter point, seed,
/// pipeline knobs, nightsim version); its content hash names its output, so a
/// night is run once however many manifest entries (plain nights and factor arms)
/// resolve to it, and a rerun skips it.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/scenario.h"
#include "harness/metrics.h"
#include "harness/scenario_loader.h"
#include "harness/sweep_pipeline_knobs.h"

namespace nightsim::harness {

/// A metric that gates CI: fails when the paired mean is worse than the
/// baseline's by more than `tolerance` and the bootstrap CI excludes zero.
struct SweepGate {
  std::string metric;   ///< a per-night metric name (harness/metrics.h)
  double tolerance{0};  ///< in the metric's own unit (>= 0)
};

/// One arm of a paired factor: a name and the parameter values it sets.
struct FactorArm {
  std::string name;                 ///< e.g. "absent"
  ParameterOverrides values;        ///< parameter → value text in its own unit
};

/// A paired factor: every (scenario, point, seed) is run in both arms; the effect
/// is arms[1] − arms[0] per metric.
struct SweepFactor {
  std::string name;                 ///< e.g. "pet"
  std::vector<FactorArm> arms;      ///< exactly two: reference, then changed
};

/// One scenario of a sweep with the values its parameters take.
struct SweepScenario {
  std::string path;                 ///< as written in the sweep file (the pairing key)
  std::string resolved_path;        ///< relative to the working directory
  std::string name;                 ///< Scenario::name
  int line{0};                      ///< where the entry is written in the sweep file (1-based)
  int column{0};
  /// Swept parameters in name order, each with its values as text in the
  /// parameter's unit (drawn values already drawn and checked).
  std::map<std::string, std::vector<std::string>> values;
};

/// A parsed, checked sweep file.
struct SweepSpec {
  std::string name;                 ///< `name`, default the file name without .yaml
  std::string description;
  std::string path;                 ///< the sweep file
  std::vector<SweepScenario> scenarios;
  std::vector<std::uint64_t> seeds; ///< run seeds, in file order, distinct
  std::vector<SweepFactor> factors; ///< in file order
  std::vector<SweepGate> gates;     ///< in file order
  std::vector<std::string> report_metrics;  ///< metrics shown in the readable table
  PipelineSettings pipeline;        ///< knobs set by `pipeline:`
  std::uint64_t sample_seed{1};     ///< seed of the random parameter draws
};

/// One manifest entry: a night and the role it plays in the sweep.
struct SweepNight {
  std::size_t index{0};             ///< position in the manifest
  std::size_t scenario{0};          ///< index into SweepSpec::scenarios
  ParameterOverrides point;         ///< swept parameter values (and the arm's)
  std::string factor;               ///< "" for a plain night, else the factor's name
  std::string arm;                  ///< the arm's name ("" for a plain night)
  std::uint64_t seed{0};
  std::string hash;                 ///< content hash: 16 hex digits
  /// The point as text, "name=value,name=value" in name order ("" when none):
  /// with scenario, factor, arm and seed the key that pairs nights across runs.
  std::string PointText() const;
};

/// The expanded sweep: every night in a fixed order (scenario, point, plain then
/// each factor's arms, seed), with its scenario resolved.
struct SweepManifest {
  std::vector<SweepNight> nights;
  std::vector<Scenario> scenarios;  ///< one per night, same order
};

/// Reads and checks the sweep at `path` (loading every scenario at every point).
/// Throws InputError listing every problem with file:line:column and key path.
SweepSpec LoadSweep(const std::string& path);

/// The part of `spec` with only the given seeds (each one of spec.seeds) and
/// scenarios (each a path as written in the sweep file or a scenario name), in the
/// sweep file's order; an empty list keeps them all. Every night keeps its content
/// hash and pairing key, so the part gates against a baseline of the whole sweep.
/// Throws InputError naming the option (`--seed`, `--scenario`) and what the sweep has.
SweepSpec SelectFromSweep(const SweepSpec& spec, const std::vector<std::uint64_t>& seeds,
                          const std::vector<std::string>& scenarios);
/// Expands a sweep into its manifest. Deterministic. Throws InputError when a
/// scenario rejects a point (reported at the sweep file).
SweepManifest ExpandSweep(const SweepSpec& spec);

/// Content hash of a night: FNV-1a 64 of (resolved scenario YAML, parameter point,
/// seed, pipeline knobs, nightsim version), as 16 hex digits.
std::string NightHash(const std::string& resolved_yaml, const std::string& point_text, std::uint64_t seed,
                      const std::string& knobs_text, const std::string& version);

/// A deterministic slice of a manifest: shard `index` of `count` holds the nights
/// whose manifest index ≡ index (mod count); shards partition the manifest.
struct ShardSpec {
  int index{0};  ///< 0-based
  int count{1};  ///< >= 1
};

/// Parses `--shard` text: "I/N" (0 <= I < N), or "N" with the index taken from
/// the environment (SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN, else
/// JOB_COMPLETION_INDEX). Throws InputError.
ShardSpec ParseShard(const std::string& text);

/// The shard the environment asks for when no --shard is given: a Slurm array job
/// (SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN of SLURM_ARRAY_TASK_COUNT), else
/// nullopt. Throws InputError when the variables are inconsistent.
std::optional<ShardSpec> ShardFromEnvironment();

/// Every per-night metric name ScoreNight() can produce, with its direction, in
/// name order. Used to reject an unknown metric before anything runs.
const std::map<std::string, Better, std::less<>>& KnownMetrics();

}  // namespace nightsim::harness
