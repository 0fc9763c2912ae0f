#pragma once
/// \file
/// Training and evaluating the learned stages of the pipeline (intent and sleep
/// staging) on simulated nights — `nightsim train`.
///
/// 1. A population of nights is drawn from a base scenario (scenarios/train/
///    population.yaml): each night seed draws the primary's age, sex, body size,
///    bed side, pre-sleep activity and its length, bedtime, wake mode, alarm and
///    AHI, whether a partner and a pet share the bed, a fan, and the radar's
///    placement on the primary's nightstand (DrawPopulationScenario documents the
///    ranges). Nights are validated like any scenario file.
/// 2. Each night runs the simulator and nightsim's SleepPipeline with no models,
///    recording its EpochFeatures rows — exactly what the pipeline sees at run time.
/// 3. The rows are replayed through SleepDecider (the run-time decision code): the
///    intent inputs are labelled with the truth intent of in-bed epochs and an
///    XGBoost binary classifier is trained; the rows are replayed again with that
///    intent model and the stage inputs of intent epochs are labelled with the truth
///    stage (wake / light / deep / REM) for a 4-class XGBoost classifier.
/// 4. Both models are written atomically as XGBoost JSON. Training uses one thread
///    and fixed seeds, so the same nights and options give byte-identical files.
///
/// Seeds: training nights use seeds below kValidationSeedStart; validation nights
/// (for tuning post-processing and settings) lie in [kValidationSeedStart,
/// kHeldOutSeedStart); the figures reported against the quality targets come from
/// held-out nights at or above kHeldOutSeedStart. No two ranges share a night.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/scenario.h"
#include "harness/metrics.h"
#include "pipeline/sleep_pipeline.h"
#include "pipeline/staging_features.h"

namespace nightsim::harness {

/// First seed of the validation range; training seeds lie below it.
inline constexpr std::uint64_t kValidationSeedStart = 500'000;
/// First seed of the held-out (evaluation) range; validation seeds lie below it.
inline constexpr std::uint64_t kHeldOutSeedStart = 1'000'000;

/// File names of the two models inside a models folder.
inline constexpr const char* kIntentModelFile = "intent_xgb.json";
inline constexpr const char* kStagingModelFile = "staging_xgb.json";

/// The folder the pipeline's models are read from: $NIGHTSIM_MODELS_DIR when set,
/// else the checkout's models/ (compiled in).
std::string DefaultModelsDir();

/// The default SleepPipelineConfig with the two models of `models_dir` (files
/// kIntentModelFile and kStagingModelFile). Throws InputError naming a file that is
/// missing or unreadable.
pipeline::SleepPipelineConfig SleepPipelineConfigFrom(const std::string& models_dir);

/// The population night of `seed` drawn from `base` (a scenario with a primary, a
/// partner and a pet, e.g. scenarios/train/population.yaml). Ranges, uniform unless
/// said otherwise:
/// Times are fractions of the base night (bedtime 2.5–25 %, alarm 80–95 %, natural
/// wake 77.5–95 %; activity and out-of-bed durations scaled by night / 10 h); the
/// clock times below are those of the 10-h base night 22:00–08:00.
/// - primary: bed side left/right (½ each); age 20–80 y; sex female/male (½);
///   height 1.55–1.75 m (female) / 1.65–1.90 m (male), BMI 19–31; bedtime 22:15–
///   00:30 (sd 10 min); activity none 10 %, reading 30 %, tv 20 %, phone 25 %,
///   lying 15 %, for 5–60 min; wake by alarm (70 %, alarm 06:00–07:30, smart window
///   30 min) or naturally at 05:45–07:30; out of bed 2–15 min after waking; AHI 0
///   (65 %), 5–15 (20 %) or 15–40 (15 %);
/// - partner (55 %): the other side, age ±10 y, bedtime ±60 min, any activity,
///   natural wake 05:45–07:45 (any activity for 5–45 min); otherwise removed;
/// - pet (25 %): cat or dog (⅔ / ⅓), at the foot, on the partner's side or between
///   (with a partner), 1–4 stochastic visits of 20–120 min; otherwise removed;
/// - a fan on a far wall (15 %);
/// - radar: on the primary's nightstand, x ± 0.1 m, y 0.2–0.45 m, z 0.6–0.8 m,
///   turned 0–35° from the head wall towards the foot of the bed, pitch −10–10°.
/// Throws InputError when `base` lacks the bodies or the drawn night is invalid.
Scenario DrawPopulationScenario(const Scenario& base, std::uint64_t seed);

/// One simulated night as training data: the pipeline's rows and the truth.
struct RecordedNight {
  std::uint64_t seed{0};
  std::string activity;                           ///< the primary's pre-sleep activity
  std::vector<pipeline::EpochFeatures> rows;      ///< SleepPipeline's rows, one per epoch from 0
  std::vector<int> truth_stage;                   ///< YASA code per epoch (−1 out of bed)
  std::vector<std::uint8_t> truth_intent;         ///< 1 when trying to sleep
};

/// Runs one night with a model-less SleepPipeline and records its rows and the truth.
RecordedNight RecordNight(const Scenario& scenario, std::uint64_t seed);

/// Learner settings of `nightsim train` (XGBoost parameters; one thread, fixed seed).
struct TrainingOptions {
  int intent_rounds{120};       ///< boosting rounds of the intent model
  int intent_max_depth{4};
  int staging_rounds{300};      ///< boosting rounds of the stage model
  int staging_max_depth{5};
  double learning_rate{0.08};   ///< eta
  double min_child_weight{5.0};
  /// Sample weights of the stage classes (wake, light, deep, REM) relative to light:
  /// evens out the classes' sensitivity (light sleep is half of all epochs).
  std::array<double, 4> stage_weights{1.6, 1.0, 2.2, 1.4};
};

/// The two trained models and what they were trained on.
struct TrainedModels {
  std::string intent_json;   ///< XGBoost JSON
  std::string staging_json;  ///< XGBoost JSON
  std::int64_t intent_rows{0};
  std::int64_t staging_rows{0};
  std::array<std::int64_t, 4> stage_counts{};  ///< staging rows per class
};

/// Trains both models on `nights` (deterministic; see the file comment).
TrainedModels TrainModels(const std::vector<RecordedNight>& nights, const TrainingOptions& options = {});

/// Figures of the pipeline on a set of evaluation nights (docs/design.md §7), pooled
/// over epochs for staging and by night for the rest.
struct EvaluationSummary {
  int nights{0};
  ConfusionMatrix confusion;              ///< pooled over every night's in-bed epochs
  std::vector<double> tst_error_min;      ///< per night: pipeline − truth TST
  std::vector<double> intent_abs_error_min;  ///< per night with a truth and an estimated start
  std::vector<double> sol_abs_error_min;     ///< per night with both SOLs
  std::vector<double> sol_abs_error_reading_tv_min;  ///< the reading and TV nights among them
  int intent_missed{0};                   ///< nights with truth intent and none estimated
  int alarms{0};                          ///< nights with an alarm configured
  int alarms_light_or_wake{0};
  int alarms_after{0};
  std::vector<double> alarm_sleep_lost_min;  ///< per alarm night: ideal − fire
  std::vector<double> night_kappa;           ///< per night κ (when defined)
};

/// Adds one scored night to `summary`; `activity` is the primary's pre-sleep activity.
void AddToSummary(const NightMetrics& metrics, const std::string& activity, EvaluationSummary* summary);

/// A human-readable table of `summary` against the quality targets of the pipeline.
std::string FormatEvaluation(const EvaluationSummary& summary);

/// The same as JSON (figures and targets), keys in a fixed order.
std::string EvaluationJson(const EvaluationSummary& summary);

/// Median of `v` (NaN when empty).
double Median(std::vector<double> v);

}  // namespace nightsim::harness
