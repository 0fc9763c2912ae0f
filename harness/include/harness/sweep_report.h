#pragma once
/// \file
/// What a sweep reports: the aggregate (JSON and a readable table — each metric's
/// mean and 95 % CI per scenario and per swept parameter value, and each paired
/// factor's effect), and the regression gate against a stored baseline (JUnit XML
/// and a Markdown summary for CI systems).
///
/// Everything here is a pure function of the sweep, its manifest and the nights'
/// records: the bootstrap streams are keyed by what they summarize, never by run
/// order, so the aggregate is byte-identical for any -j and any shard split.

#include <cstdio>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "harness/agreement.h"
#include "harness/sweep.h"
#include "harness/sweep_runner.h"

namespace nightsim::harness {

/// Bootstrap resamples behind every CI of a sweep.
inline constexpr int kSweepBootstrapResamples = 2000;
/// Coverage of every CI of a sweep.
inline constexpr double kSweepCiLevel = 0.95;

/// Mean of `values` (non-empty) with a percentile-bootstrap CI of the mean whose
/// random stream is keyed by `key` (same key and values → same bounds).
ConfidenceInterval SweepMeanCi(std::span<const double> values, std::string_view key);

/// The aggregate of a sweep.
struct SweepAggregate {
  std::string json;   ///< aggregate.json: nights (with every metric), groups, effects
  std::string table;  ///< aggregate.txt: the report metrics, per scenario / value / factor
};

/// Aggregates the records of every night of `manifest` (all must be present in
/// `records`; throws std::invalid_argument otherwise). Plain nights make the
/// per-scenario and per-value groups; factor arms make the paired effects
/// (changed − reference, pooled over points and seeds of a scenario).
SweepAggregate AggregateSweep(const SweepSpec& spec, const SweepManifest& manifest,
                              const std::map<std::string, NightRecord>& records);

/// One gated metric compared with the baseline.
struct GateResult {
  SweepGate gate;
  Better better{Better::kNone};
  int pairs{0};                 ///< plain nights paired with the baseline (same scenario, point, seed)
  double baseline_mean{0};      ///< over the pairs
  double current_mean{0};
  /// Mean paired worsening (> 0 worse) in the metric's unit: current − baseline for
  /// kLower, baseline − current for kHigher, |current| − |baseline| for kTowardZero;
  /// with its bootstrap CI.
  ConfidenceInterval worse;
  bool failed{false};           ///< worse.estimate > tolerance and worse.lower > 0
  std::string note;             ///< why not evaluated (no pairs), else ""
};

/// All gates of a sweep.
struct GateReport {
  std::string baseline_path;
  std::vector<GateResult> results;
  int unpaired_nights{0};       ///< plain nights with no baseline night of the same key
  /// true when any gate failed.
  bool Failed() const;
};

/// Compares the plain nights' gated metrics with the baseline (an aggregate.json of
/// an earlier run), pairing nights by (scenario, point, seed). Throws InputError
/// when the baseline cannot be read or is not a sweep aggregate.
GateReport EvaluateGates(const SweepSpec& spec, const SweepManifest& manifest,
                         const std::map<std::string, NightRecord>& records, const std::string& baseline_path);

/// JUnit XML: one testsuite, one testcase per gate (failure / skipped).
std::string GateJUnitXml(const SweepSpec& spec, const GateReport& report);

/// A Markdown summary: verdict and one table row per gate.
std::string GateMarkdown(const SweepSpec& spec, const GateReport& report);

}  // namespace nightsim::harness

namespace nightsim::harness {

/// Writes `out_dir`/aggregate.json and aggregate.txt and, with a baseline,
/// gate.xml (JUnit) and gate.md (Markdown; also appended to $GITHUB_STEP_SUMMARY
/// when that is set), all atomically; prints the table and the gate summary to
/// `print` (may be null). Returns kExitCheckFailed when a gate failed, else kExitOk.
/// Throws InputError for an unreadable baseline, std::runtime_error on I/O errors.
int WriteSweepOutputs(const SweepSpec& spec, const SweepManifest& manifest,
                      const std::map<std::string, NightRecord>& records, const std::string& out_dir,
                      const std::string& baseline_path, std::FILE* print);

}  // namespace nightsim::harness
