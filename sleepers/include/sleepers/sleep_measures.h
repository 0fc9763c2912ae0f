#pragma once
/// \file
/// Sleep measures of a hypnogram (AASM / Menghini et al. 2021 definitions) and
/// their aggregation over many nights, shared by the hypnogram realism tests, the
/// `nightsim hypnograms` table and the harness's staging metrics.
///
/// Codes are the YASA/AASM codes of docs/design.md §4: 0 W, 1 N1, 2 N2, 3 N3, 4 REM,
/// -1 out of bed (or unscored in real recordings). Definitions used throughout:
/// - analysis window: [lights-out epoch, rise epoch); TIB is its length;
/// - sleep onset: first sleep epoch (N1..REM) in the window; SOL = onset − lights out;
/// - sleep period (SPT): sleep onset … last sleep epoch, inclusive;
/// - inside the SPT a -1 epoch counts as wake (an out-of-bed trip is wake after
///   sleep onset; an unscored epoch in a recording is treated the same way);
/// - an awakening is a maximal run of ≥ 1 wake epoch inside the SPT;
/// - a REM period is a run of REM epochs where gaps shorter than 15 min are merged;
/// - thirds: the SPT cut into three equal parts; stage % of all SPT epochs in a part;
/// - stay probability of a stage: P(next epoch same stage | this stage) inside the SPT.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace nightsim::sleepers {

/// Stage codes of the truth (docs/design.md §4).
inline constexpr int kOutOfBed = -1;
inline constexpr int kWake = 0;
inline constexpr int kN1 = 1;
inline constexpr int kN2 = 2;
inline constexpr int kN3 = 3;
inline constexpr int kRem = 4;

/// Where the analysis window of a hypnogram lies.
struct MeasureOptions {
  double epoch_s{30.0};               ///< epoch length, seconds
  std::size_t lights_out_epoch{0};    ///< first epoch of the window (lights out)
  std::optional<std::size_t> rise_epoch;  ///< one past the last epoch of the window (default: end)
  double rem_merge_gap_s{15 * 60.0};  ///< REM epochs closer than this belong to one REM period
};

/// The sleep measures of one night. Durations in minutes, percentages 0..100.
struct SleepMeasures {
  bool slept{false};          ///< false: no sleep epoch in the window (only TIB is meaningful)
  double tib_min{0};          ///< time in bed: window length
  double tst_min{0};          ///< total sleep time
  double sol_min{0};          ///< sleep-onset latency
  double spt_min{0};          ///< sleep period time, onset to last sleep epoch
  double waso_min{0};         ///< wake (and out-of-bed) inside the SPT
  double se_pct{0};           ///< sleep efficiency TST / TIB
  double n1_pct{0}, n2_pct{0}, n3_pct{0}, rem_pct{0};  ///< of TST
  std::optional<double> rem_latency_min;  ///< sleep onset to the first REM epoch
  int awakenings{0};          ///< wake runs of ≥ 1 epoch inside the SPT
  int rem_periods{0};
  std::array<double, 3> n3_third_pct{};   ///< N3 % of each third of the SPT
  std::array<double, 3> rem_third_pct{};  ///< REM % of each third of the SPT
  std::array<std::int64_t, 5> from_count{};  ///< epochs of stage s followed by another epoch in the SPT
  std::array<std::int64_t, 5> stay_count{};  ///< … of which the next epoch is stage s again
  std::vector<int> wake_bouts_epochs;        ///< length of every awakening, epochs
};

/// Computes the measures of one hypnogram. Throws std::invalid_argument for codes
/// outside -1..4 or a window outside the hypnogram.
SleepMeasures ComputeSleepMeasures(std::span<const int> codes, const MeasureOptions& options = {});

/// Mean, SD (population), median and count of one measure over nights.
struct MeasureSummary {
  double mean{0}, sd{0}, median{0};
  std::size_t n{0};
};

/// Measures aggregated over nights. Stay probabilities pool the transitions of all
/// nights (per-night ratios of rare stages are too noisy to average).
struct MeasuresAggregate {
  std::size_t nights{0};
  MeasureSummary tst_min, sol_min, waso_min, se_pct, n1_pct, n2_pct, n3_pct, rem_pct, rem_latency_min,
      awakenings, rem_periods;
  std::array<MeasureSummary, 3> n3_third_pct, rem_third_pct;
  std::array<double, 5> stay_probability{};  ///< pooled, per stage code 0..4
  /// Maximum-likelihood exponent α of a power-law density p(d) ∝ d^−α fitted to all
  /// awakening lengths (continuous approximation, d_min = 1 epoch): the heavy tail.
  double wake_bout_alpha{0};
  /// Fraction of awakenings lasting ≥ 10 epochs (5 min).
  double wake_bout_p_ge_10{0};
};

/// Aggregates nights (nights without sleep count only in `nights`).
MeasuresAggregate AggregateMeasures(std::span<const SleepMeasures> nights);

/// One realism target of docs/design.md §4: an acceptable range of an aggregate figure.
struct RealismTarget {
  std::string name;   ///< e.g. "TST mean (min)"
  double lo{0}, hi{0};
  /// Reads the figure this target is about from an aggregate.
  double (*value)(const MeasuresAggregate&){nullptr};
};

/// The realism targets of docs/design.md §4 for healthy adults (the spec, not data).
const std::vector<RealismTarget>& RealismTargets();

/// A plain-text table: one row per target with the model's figure, the target range
/// and (when given) the reference data's figure, e.g. Sleep-EDF. Rows whose model
/// figure is outside its range are marked with '!'.
std::string FormatRealismTable(const MeasuresAggregate& model, const MeasuresAggregate* reference,
                               const std::string& reference_name = "reference");

/// Reads a hypnogram file: a JSON list of integer codes. Throws std::runtime_error
/// when the file cannot be read or is not such a list.
std::vector<int> LoadHypnogramJson(const std::string& path);

/// Reads every `*.json` hypnogram in a directory, in file-name order.
std::vector<std::vector<int>> LoadHypnogramDirectory(const std::string& directory);

}  // namespace nightsim::sleepers
