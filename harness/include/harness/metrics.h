#pragma once
/// \file
/// Scoring: the one place where truth meets the pipeline's estimates (docs/design.md §7).
///
/// ScoreNight() joins a night's truth (harness/truth.h) with the pipeline's
/// per-epoch estimates and alarm decisions by epoch index and returns every
/// per-night figure as a flat, named MetricSet (for sweeps, gates and JSON) plus
/// the details reports need (confusion matrix, sleep measures, per-epoch identity
/// attribution and failure stage, restroom trips, alarm outcome).
///
/// Conventions:
/// - Names are snake_case, dotted by group, with the unit as a suffix:
///   `_min` minutes, `_bpm` breaths/min, `_pct` percent, `_fraction` 0..1,
///   `_epochs` epoch counts; flags are 0/1; counts carry no suffix.
/// - A metric that is not applicable to a night (REM latency without REM, κ when
///   chance agreement is 1, alarm figures with no alarm configured, precision with
///   no estimated presence …) is left out of the set, never NaN.
/// - Every metric carries its direction (Better) so a sweep can gate on any name.
///
/// Definitions (chosen here; see also each function):
/// - Presence truth: a person (primary or partner, not a pet) is in bed.
/// - Identity: a tracked epoch is attributed to the nearest in-room body whose
///   torso lies within ScoringOptions::identity_gate_m of the estimate's
///   (target_range_m, target_angle_rad), distance measured in the device's
///   horizontal plane; no body in the gate → unmatched.
/// - Staging: truth YASA 0 → wake, 1/2 → light, 3 → deep, 4 → REM; epochs where
///   the primary is out of bed are excluded; an in-bed epoch the pipeline left
///   unscored (kNone) counts as wake (the user sees no sleep for it) and the share
///   of such epochs is reported as `staging.unscored_fraction`.
/// - Sleep measures: computed by the same function for truth and estimate; see
///   ComputeSleepMeasures(). Window start (SOL reference): truth — lights out
///   (TruthEvents::lights_out_s, else the first epoch with truth intent);
///   pipeline — the start of its first intent epoch, else of its first session
///   epoch, else of its first scored epoch. The sleep-onset latency error is
///   `measures.sol_min.error` (pipeline − truth).

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "frame/pipeline_api.h"
#include "harness/truth.h"

namespace nightsim::harness {

// ---------------------------------------------------------------------------
// Named metrics.

/// Which way a metric improves.
enum class Better {
  kHigher,      ///< larger is better (accuracy, κ, F1 …)
  kLower,       ///< smaller is better (absolute errors, switches, failures …)
  kTowardZero,  ///< signed error or bias: closer to 0 is better
  kNone,        ///< descriptive (truth values, counts of opportunities)
};

/// "higher", "lower", "zero" or "none".
const char* BetterName(Better better);

/// A metric's value and direction.
struct MetricValue {
  double value{0};
  Better better{Better::kNone};
};

/// A flat set of named numbers in name order (deterministic iteration and JSON).
class MetricSet {
 public:
  /// Sets `name` (non-empty) to a finite `value`. Throws std::invalid_argument
  /// otherwise: a non-applicable metric is left out, not stored as NaN.
  void Set(std::string name, double value, Better better);
  /// Sets `name` when `value` holds a value; does nothing for nullopt.
  void SetIfPresent(std::string name, std::optional<double> value, Better better);
  /// The value of `name`, or nullopt when absent (not applicable).
  std::optional<double> Get(std::string_view name) const;
  /// The direction of `name`, or nullopt when absent.
  std::optional<Better> Direction(std::string_view name) const;
  /// true when `name` is in the set.
  bool Has(std::string_view name) const { return values_.find(name) != values_.end(); }
  /// Number of metrics.
  std::size_t size() const { return values_.size(); }
  /// Calls f(name, value, better) for every metric in name order.
  void ForEach(const std::function<void(const std::string&, double, Better)>& f) const;
  /// All metrics by name.
  const std::map<std::string, MetricValue, std::less<>>& values() const { return values_; }
  /// JSON object {"name": value, …} in name order, numbers as FormatNumber().
  std::string ToJson() const;
  /// JSON object {"name": "higher"|"lower"|"zero"|"none", …} in name order.
  std::string DirectionsToJson() const;

 private:
  std::map<std::string, MetricValue, std::less<>> values_;
};

/// A number as written in JSON and tables: fmt `{:.6g}`, "null" when not finite.
std::string FormatNumber(double value);

/// `s` as a quoted JSON string, with quotes, backslashes and control characters escaped.
std::string JsonString(std::string_view s);

// ---------------------------------------------------------------------------
// Staging: epoch-by-epoch agreement (Menghini et al. 2021).

/// 4-class stage of a YASA code: 0 → wake, 1/2 → light, 3 → deep, 4 → REM,
/// −1 (out of bed) → kNone. Throws std::invalid_argument for other codes.
EstStage StageFromYasa(int yasa);

/// "wake", "light", "deep", "rem" or "none".
const char* StageName(EstStage stage);

/// The four scored classes in matrix order.
inline constexpr std::array<EstStage, 4> kScoredStages{EstStage::kWake, EstStage::kLight,
                                                       EstStage::kDeep, EstStage::kRem};

/// 4 × 4 confusion matrix, rows = truth, columns = estimate, order of kScoredStages.
struct ConfusionMatrix {
  std::array<std::array<std::int64_t, 4>, 4> counts{};  ///< epochs

  /// Adds one epoch. Both stages must be scored (not kNone); throws otherwise.
  void Add(EstStage truth, EstStage estimate);
  /// All epochs.
  std::int64_t Total() const;
  /// Each row divided by its sum; a row without truth epochs is NaN (JSON null).
  std::array<std::array<double, 4>, 4> RowNormalized() const;
  /// Fraction of epochs on the diagonal; nullopt when empty.
  std::optional<double> Accuracy() const;
  /// Cohen's κ = (p_o − p_e) / (1 − p_e), p_e from the marginals; nullopt when
  /// empty or when chance agreement p_e is 1 (one class on both sides).
  std::optional<double> Kappa() const;
  /// One-vs-rest TP / (TP + FN); nullopt when the truth never has `stage`.
  std::optional<double> Sensitivity(EstStage stage) const;
  /// One-vs-rest TN / (TN + FP); nullopt when the truth is `stage` in every epoch.
  std::optional<double> Specificity(EstStage stage) const;
  /// One-vs-rest TP / (TP + FP) (precision); nullopt when never estimated.
  std::optional<double> Ppv(EstStage stage) const;
};

// ---------------------------------------------------------------------------
// Sleep measures.

/// Sleep measures of one hypnogram; times in minutes. Definitions are in
/// ComputeSleepMeasures().
struct SleepMeasures {
  double tib_min{0};                       ///< time in bed
  double spt_min{0};                       ///< sleep period time
  double tst_min{0};                       ///< total sleep time
  std::optional<double> se_pct;            ///< sleep efficiency, TST / TIB × 100
  std::optional<double> sol_min;           ///< sleep-onset latency
  double waso_min{0};                      ///< wake after sleep onset
  double light_min{0};                     ///< light sleep (N1 + N2)
  double deep_min{0};                      ///< deep sleep (N3)
  double rem_min{0};                       ///< REM sleep
  std::optional<double> light_pct;         ///< light / TST × 100
  std::optional<double> deep_pct;          ///< deep / TST × 100
  std::optional<double> rem_pct;           ///< REM / TST × 100
  std::optional<double> rem_latency_min;   ///< sleep onset → first REM epoch
  double awakenings{0};                    ///< wake bouts inside the sleep period
  std::optional<std::int64_t> sleep_onset_epoch;  ///< first sleep epoch
  std::optional<std::int64_t> last_sleep_epoch;   ///< last sleep epoch

  /// Calls f(name, value) for every measure in a fixed order; value is nullopt
  /// when not applicable. Names: tib_min, spt_min, tst_min, se_pct, sol_min,
  /// waso_min, light_min, deep_min, rem_min, light_pct, deep_pct, rem_pct,
  /// rem_latency_min, awakenings.
  void ForEach(const std::function<void(const char*, std::optional<double>)>& f) const;
};

/// Sleep measures of a 4-class hypnogram, one entry per epoch from t = 0 (kNone:
/// out of bed / not scored). Sleep = light, deep or REM. The definitions are those
/// of sleepers::ComputeSleepMeasures (sleepers/sleep_measures.h, shared with the
/// hypnogram realism checks), which this calls with light → N2:
/// - analysis window: from the epoch containing `lights_out_s` (default: the first
///   scored epoch) to the last scored epoch inclusive; TIB is its length (gaps such
///   as a restroom trip count); sleep outside the window is not counted;
/// - sleep onset: the first sleep epoch in the window; SOL = onset − window start;
/// - SPT: sleep onset to the last sleep epoch inclusive; TST: sleep epochs;
///   WASO: non-sleep epochs (wake or unscored / out of bed) inside the SPT;
/// - SE: TST / TIB × 100 (nullopt when TIB is 0), i.e. relative to the intent
///   period when a lights-out time is given;
/// - REM latency: sleep onset → first REM epoch; nullopt without REM;
/// - awakenings: maximal runs of non-sleep epochs inside the SPT at least
///   `awakening_min_epochs` long; the final awakening is not inside the SPT;
/// - no sleep at all: TST, SPT, WASO, stage minutes and awakenings are 0; SOL,
///   stage % and REM latency are nullopt.
/// Throws std::invalid_argument unless epoch_s > 0 and awakening_min_epochs >= 1.
SleepMeasures ComputeSleepMeasures(std::span<const EstStage> stages, double epoch_s,
                                   std::optional<double> lights_out_s,
                                   int awakening_min_epochs = 1);

// ---------------------------------------------------------------------------
// Scoring a night.

/// Which of the pipeline's outputs were given and are scored. nightsim's own
/// pipeline gives everything; a predictions file (`nightsim score`) gives the
/// columns it names, and what it leaves out is not scored rather than read as 0.
struct ScoredParts {
  bool presence{true};     ///< `present`: presence.* except the session figures
  bool session{true};      ///< `session`: presence.false_session_*, .session_delay_min
  bool identity{true};     ///< `tracking` + target position: identity.*; without it,
                           ///< respiration is scored on every measurable epoch
  bool respiration{true};  ///< `resp_rate_bpm`: resp.*
  bool intent{true};       ///< `intent`: intent.*
  bool alarm{true};        ///< `alarm_fire_s`: alarm.*
  /// Names of the parts not scored, in pipeline order ("presence", "session",
  /// "identity", "respiration", "intent", "alarm"); empty when all are.
  std::vector<std::string> NotScored() const;
};

/// Tunable definitions of the scorer. The defaults are listed in docs/design.md §7.
struct ScoringOptions {
  double identity_gate_m{0.3};          ///< max distance estimate → true body for attribution
  double restroom_min_s{180.0};         ///< trips at least this long must be detected
  double resp_error_threshold_bpm{2.0}; ///< larger rate errors are respiration failures
  int awakening_min_epochs{1};          ///< shortest wake bout counted as an awakening
  ScoredParts parts;                    ///< what the estimates contain (default: everything)
  /// false with a message naming the field when a value is out of range.
  bool IsValid(std::string* error) const;
};

/// The pipeline stage an epoch's error is attributed to, in pipeline order.
enum class FailureStage { kNone, kPresence, kIdentity, kRespiration, kIntent, kStaging };

/// "none", "presence", "identity", "respiration", "intent" or "staging".
const char* FailureStageName(FailureStage stage);

/// Attribution of an epoch's tracked target: an index into NightTruth::bodies, or:
inline constexpr int kNotTracking = -1;  ///< the pipeline tracked nothing
inline constexpr int kUnmatched = -2;    ///< tracked, but no true body within the gate

/// One restroom trip of the primary and how the pipeline handled it.
struct TripOutcome {
  double leave_s{0};                    ///< truth: left the bed
  double return_s{0};                   ///< truth: back in bed
  bool eligible{false};                 ///< long enough (>= restroom_min_s) to require detection
  bool detected{false};                 ///< tracking stopped in an epoch wholly inside the trip
  std::optional<double> reacquire_min;  ///< return → start of the first epoch tracked on the
                                        ///< primary (0 when tracked in the return epoch);
                                        ///< nullopt when not re-acquired before the next trip
};

/// What the smart alarm did, judged against the truth.
struct AlarmOutcome {
  bool fired{false};             ///< any decision
  double fire_s{0};              ///< earliest decision
  int truth_stage_at_fire{kYasaOutOfBed};  ///< YASA stage of the epoch the alarm interrupted
  bool in_light_or_wake{false};  ///< truth W, N1, N2 or already out of bed at the fire
  bool after_alarm{false};       ///< fire_s > alarm_s (must never happen)
  bool before_window{false};     ///< fire_s < alarm_s − smart_window_s
  double sleep_lost_min{0};      ///< (ideal_s − fire_s) / 60: > 0 fired early, < 0 late
};

/// Everything scored for one night.
struct NightMetrics {
  MetricSet metrics;                       ///< every figure by name (see the file comment)
  ConfusionMatrix confusion;               ///< staging, primary in-bed epochs
  SleepMeasures truth_measures;            ///< from the truth hypnogram
  SleepMeasures est_measures;              ///< from the pipeline's hypnogram
  std::vector<std::string> body_ids;       ///< NightTruth::bodies ids, for tracked_body
  std::vector<int> tracked_body;           ///< per epoch: body index, kNotTracking or kUnmatched
  std::vector<FailureStage> failure;       ///< per epoch: earliest failing stage, kNone when right
  std::optional<FailureStage> dominant_failure;  ///< stage with most wrong epochs (ties →
                                                 ///< upstream); nullopt when none is wrong
  std::optional<FailureStage> dominant_upstream_failure;  ///< the same over presence … intent
                                                          ///< only; nullopt when none of them failed
  std::vector<TripOutcome> trips;          ///< one per truth restroom trip
  std::optional<AlarmOutcome> alarm;       ///< nullopt when no alarm was configured or not scored
  std::vector<std::string> not_scored;     ///< ScoredParts::NotScored() of the options
};

/// Scores one night. `estimates` are matched to truth epochs by EpochEstimate::epoch;
/// missing epochs count as a default estimate (nothing present, nothing scored),
/// duplicates keep the first, out-of-range epochs are ignored — all three counted
/// under `join.*`. `alarms`: the pipeline's decisions (the earliest counts).
/// Throws std::invalid_argument when `truth` or `options` is invalid.
/// Parts not given (ScoringOptions::parts) are not scored: their metrics are left
/// out, their failure stage is never blamed (failure.<stage>_epochs left out), and
/// the dominant failure point comes from what was scored.
///
/// Metric names (each left out when not applicable):
/// - join.epochs, join.missing_estimates, join.duplicate_estimates,
///   join.out_of_range_estimates
/// - presence.precision, .recall, .f1, .false_present_min, .missed_present_min,
///   .detected, .detection_delay_min, .session_delay_min, .false_session_min,
///   .false_session_starts
/// - identity.primary_fraction, .partner_fraction, .pet_fraction,
///   .unmatched_fraction, .untracked_fraction (shares of the primary's in-bed
///   epochs, summing to 1), .partner_min, .pet_min (whole night), .switches,
///   .idtp_epochs, .idfp_epochs, .idfn_epochs, .idf1, .trips, .trips_eligible,
///   .trips_detected, .trip_detection_rate, .reacquire_mean_min,
///   .reacquire_max_min, .reacquire_failures
/// - resp.eligible_epochs, .coverage, .rate_mae_bpm, .rate_median_ae_bpm,
///   .rate_p95_ae_bpm, .rate_bias_bpm, .within_threshold_fraction
/// - intent.detected, .start_error_min, .start_abs_error_min, .epoch_accuracy
/// - staging.epochs, .unscored_fraction, .accuracy, .kappa,
///   .<stage>.sensitivity/.specificity/.ppv, .confusion.<truth>_as_<estimate>
/// - measures.<measure>.truth/.est/.error (est − truth)/.abs_error, for every
///   SleepMeasures name
/// - alarm.fired, .decisions, .truth_stage_at_fire, .in_light_or_wake,
///   .after_alarm, .before_window, .lead_min, .sleep_lost_min,
///   .sleep_lost_abs_min, .stage_at_fire_correct
/// - failure.wrong_epochs, failure.<stage>_epochs, failure.<stage>_fraction
NightMetrics ScoreNight(const NightTruth& truth, std::span<const EpochEstimate> estimates,
                        std::span<const AlarmDecision> alarms, const ScoringOptions& options = {});

/// Bland–Altman of each sleep measure across nights (pipeline vs truth), using
/// the nights where both sides have the measure: measures.<measure>.n, .bias,
/// .sd, .loa_lower, .loa_upper, .loa_width, and when computable .prop_slope and
/// .proportional (0/1). A measure with fewer than 2 such nights is left out.
MetricSet ScoreMeasuresAcrossNights(std::span<const NightMetrics> nights);

/// Deterministic JSON of a night: {"metrics", "better", "confusion", "failure",
/// "trips", "alarm"} and, when some part was not scored, "not_scored": [names];
/// keys in a fixed order, numbers as FormatNumber().
std::string ToJson(const NightMetrics& night);

/// How much of a night's metrics the terminal summary prints (the JSON keeps all).
enum class SummaryDetail {
  kHeadline,  ///< sleep measures, the HeadlineMetrics() present, the failure point
  kAll,       ///< also the confusion matrix and every other metric by group
};

/// The metrics a headline summary prints, in order: one or two per pipeline stage.
const std::vector<std::string>& HeadlineMetrics();

/// Parses "headline" or "all" (the `--metrics` option); nullopt otherwise.
std::optional<SummaryDetail> ParseSummaryDetail(std::string_view text);

/// A human-readable multi-line summary for the terminal: sleep measures truth vs
/// pipeline; at kAll the confusion matrix and every other metric by group, at
/// kHeadline the HeadlineMetrics() and how many more there are; the parts not
/// scored; the dominant failure point.
std::string FormatSummary(const NightMetrics& night, SummaryDetail detail = SummaryDetail::kAll);

}  // namespace nightsim::harness
