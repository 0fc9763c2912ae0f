#pragma once
/// \file
/// The stress-test library (docs/design.md §7, use 1): a folder of scenarios, each
/// written to break one thing a bedside tracker must get right, run over several
/// seeds through RunNight() and summarised per scenario — identity, presence,
/// staging κ, TST error, alarm outcome and the dominant failure point. Used by
/// `nightsim stress` and by tests.
///
/// Each library file starts with a comment line saying what it stresses
/// (`# A cat at the feet: …`); LoadStressLibrary() requires it and reports it.
///
/// Determinism: every night is a pure function of (scenario, seed) and RunNight()
/// keeps no global state, so nights run on any number of worker threads; results
/// are stored by (scenario, seed) and aggregated in that order, so the report and
/// its JSON are identical bytes whatever `jobs` is. Wall times are measured but
/// kept out of the JSON for that reason.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/scenario.h"
#include "harness/metrics.h"

namespace nightsim::harness {

/// Where the library lives, relative to the repository root.
inline constexpr const char* kStressLibraryDir = "scenarios/stress";

/// A library scenario, loaded with its parameter defaults.
struct StressScenario {
  std::string file;      ///< file name inside the library folder, e.g. "pet_cat_at_feet.yaml"
  std::string stresses;  ///< its first line, a comment, without the leading "# "
  Scenario scenario;
};

/// The text of the comment on the first line of `path` ("# text" → "text"), or
/// nullopt when the first line is not a non-empty comment. Throws InputError when
/// the file cannot be read.
std::optional<std::string> LeadingComment(const std::string& path);

/// Loads every `*.yaml` directly in `dir` whose scenario name contains `filter`
/// (empty: all), sorted by file name. Throws InputError naming every problem:
/// `dir` missing or not a folder, a file without its leading comment, a scenario
/// that does not load, two files with one scenario name, or no scenario left
/// after the filter.
std::vector<StressScenario> LoadStressLibrary(const std::string& dir, std::string_view filter = {});

/// How to run the library.
struct StressOptions {
  static constexpr std::uint64_t kMaxSeeds = 100000;  ///< more is a typo (or a wrapped negative number)
  static constexpr int kMaxJobs = 1024;               ///< more threads than any machine it runs on

  std::uint64_t seeds{3};       ///< seeds per scenario: first_seed … first_seed + seeds − 1
  std::uint64_t first_seed{1};  ///< run seed of the first night of every scenario
  int jobs{1};                  ///< worker threads (nights in parallel)
  /// false with a message naming the option when a value is out of range.
  bool IsValid(std::string* error) const;
};

/// The metrics kept per night (a subset of ScoreNight()'s names), in the order the
/// JSON lists them: identity, presence, staging, sleep measures, alarm, failures.
const std::vector<std::string>& StressMetricNames();

/// One night of one library scenario.
struct StressNight {
  std::uint64_t seed{0};
  MetricSet metrics;             ///< the StressMetricNames() the night has (absent: not applicable)
  std::string dominant_failure;  ///< FailureStageName() of NightMetrics::dominant_failure, "none" if no epoch was wrong
  std::string dominant_upstream;  ///< FailureStageName() of NightMetrics::dominant_upstream_failure, or "none"
  double wall_s{0};              ///< wall time of RunNight() (s); not deterministic, not in the JSON
  double cpu_s{0};               ///< CPU time of the thread that ran it (s); likewise not in the JSON
};

/// A library scenario over all its seeds.
struct StressResult {
  std::string name;                ///< Scenario::name
  std::string file;                ///< StressScenario::file
  std::string stresses;            ///< StressScenario::stresses
  std::vector<StressNight> nights; ///< in seed order
  MetricSet mean;                  ///< each metric averaged over the nights that have it
  std::string dominant_failure;    ///< the nights' most frequent dominant failure; ties go
                                   ///< upstream (presence first), "none" ranks last
  std::string dominant_upstream;   ///< the same over StressNight::dominant_upstream
  double wall_s{0};                ///< sum of the nights' wall times (s)
  double cpu_s{0};                 ///< sum of the nights' CPU times (s)
};

/// The most frequent value of `field` (a failure stage name) over `nights`. Ties go
/// to the upstream stage (presence, identity, respiration, intent, staging), "none"
/// last; "none" for no nights.
std::string MostFrequentFailure(const std::vector<StressNight>& nights,
                                std::string StressNight::*field = &StressNight::dominant_failure);

/// Called once per finished night, from the worker that ran it (calls are
/// serialised, in completion order): the scenario's name, the night, how many
/// nights are done and how many there are in all.
using StressProgress = std::function<void(const std::string& scenario, const StressNight& night,
                                          std::size_t done, std::size_t total)>;

/// Runs every scenario of `library` for every seed on `options.jobs` threads and
/// returns one result per scenario in library order. Throws std::invalid_argument
/// for invalid options, and std::runtime_error naming the scenario and seed when a
/// night fails (the first failure in (scenario, seed) order; the other nights finish).
std::vector<StressResult> RunStress(const std::vector<StressScenario>& library, const StressOptions& options,
                                    const StressProgress& progress = {});

/// The terminal table: one row per scenario (means over seeds; "–" where a
/// metric does not apply; wall and CPU seconds per night last), then a legend.
std::string FormatStressTable(const std::vector<StressResult>& results, const StressOptions& options);

/// Deterministic JSON: {"nightsim_version", "seeds", "first_seed", "metrics",
/// "scenarios": [{"name", "file", "stresses", "seeds": [{"seed", "dominant_failure",
/// "dominant_upstream", "metrics"}], "mean": {"dominant_failure", "dominant_upstream",
/// "metrics"}}]}; numbers as FormatNumber().
std::string StressJson(const std::vector<StressResult>& results, const StressOptions& options);

}  // namespace nightsim::harness
