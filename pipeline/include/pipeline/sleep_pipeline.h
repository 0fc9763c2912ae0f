#pragma once
/// \file
/// nightsim's whole pipeline (docs/design.md §6): TrackingPipeline (radar processing,
/// presence, primary tracking, respiration) followed by sleep intent, incremental
/// sleep staging and the smart alarm.
///
/// Chain, per epoch: TrackingPipeline's EpochEstimate + RespirationFeatures + the
/// respiration stream → EpochFeatureExtractor → FeatureContext → intent score
/// (trees) → IntentDetector (PELT) → stage probabilities (trees) → StageSmoother →
/// EpochEstimate.intent/.stage; the decided stages feed SmartAlarm, which is asked
/// at every frame. An epoch is decided once `lookahead_epochs` later epochs have
/// their features, i.e. finalize_delay_s + lookahead_epochs · epoch_s after its end
/// (120 s by default), and never revised.
///
/// The models are passed in as bytes (SleepPipelineConfig); the pipeline reads no
/// file itself. `nightsim train` produces them (harness/training.h).

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "frame/pipeline_api.h"
#include "pipeline/intent.h"
#include "pipeline/smart_alarm.h"
#include "pipeline/staging.h"
#include "pipeline/staging_features.h"
#include "pipeline/tracking_pipeline.h"

namespace nightsim::pipeline {

/// Every tunable of SleepPipeline, and its models.
struct SleepPipelineConfig {
  TrackingConfig tracking;
  FeatureContextConfig context;  ///< context.lookahead_epochs sets the latency
  IntentConfig intent;
  StagingConfig staging;
  SmartAlarmConfig alarm;
  /// XGBoost JSON of the intent classifier (binary:logistic on
  /// FeatureContext::IntentInputs()). Empty: no intent is ever decided.
  std::string intent_model_json;
  /// XGBoost JSON of the stage classifier (multi:softprob, 4 classes on
  /// FeatureContext::StagingInputs()). Empty: epochs are left unstaged (kNone).
  std::string staging_model_json;
  double max_latency_s{120.0};  ///< Start() refuses a configuration with a longer latency
  /// Throws std::invalid_argument naming the first bad field.
  void Validate() const;
};

/// What SleepDecider decided for one epoch.
struct EpochDecision {
  std::int64_t epoch{0};
  bool intent{false};                  ///< the user is trying to sleep
  std::optional<double> intent_score;  ///< the classifier's score, when scored
  EstStage stage{EstStage::kNone};     ///< kNone: nobody tracked, or no staging model
};

/// The decisions after the tracking pipeline, from EpochFeatures rows alone: the
/// part of SleepPipeline that the training command replays on recorded rows, so
/// training and run time share one code path.
class SleepDecider {
 public:
  /// Loads the models of `config` (throws std::invalid_argument for a bad model or
  /// configuration).
  explicit SleepDecider(const SleepPipelineConfig& config);
  ~SleepDecider();

  /// Called with (epoch, inputs) whenever intent inputs / stage inputs are computed
  /// (for training); unset by default.
  std::function<void(std::int64_t, const std::vector<float>&)> on_intent_inputs;
  std::function<void(std::int64_t, const std::vector<float>&)> on_staging_inputs;

  /// Adds the next epoch's row; appends the decisions that became possible (the
  /// epoch lookahead_epochs earlier).
  void Push(const EpochFeatures& row, std::vector<EpochDecision>* out);
  /// End of data: decides every remaining epoch with the rows there are.
  void Finish(std::vector<EpochDecision>* out);
  /// Forgets every row, score and decision (a new night); keeps the loaded models.
  void Reset();
  /// Names of the model inputs (for the training command's model metadata).
  std::vector<std::string> IntentInputNames() const { return context_.IntentInputNames(); }
  std::vector<std::string> StagingInputNames() const { return context_.StagingInputNames(); }

 private:
  void Decide(std::int64_t epoch, std::vector<EpochDecision>* out);

  SleepPipelineConfig config_;
  FeatureContext context_;
  IntentDetector intent_;
  StageSmoother smoother_;
  std::unique_ptr<BoostedTrees> intent_model_;
  std::unique_ptr<BoostedTrees> staging_model_;
  std::deque<std::optional<double>> scores_;  // intent scores of undecided epochs
  std::int64_t next_decision_{0};
  bool any_row_{false};
  bool was_staging_{false};
};

/// nightsim's full pipeline. Deterministic, causal (an epoch's estimate depends on
/// frames up to its end + LatencyS() only), bounded in memory.
class SleepPipeline : public Pipeline {
 public:
  /// Validates `config` and loads its models (throws std::invalid_argument).
  explicit SleepPipeline(SleepPipelineConfig config = {});
  ~SleepPipeline() override;

  /// Throws std::invalid_argument as TrackingPipeline::Start does, and when the
  /// latency would exceed max_latency_s.
  void Start(const RadarInfo& radar, const AppSettings& settings) override;
  void OnFrame(const RadarFrame& frame, std::vector<EpochEstimate>* out,
               std::vector<AlarmDecision>* alarms) override;
  void Finish(std::vector<EpochEstimate>* out, std::vector<AlarmDecision>* alarms) override;
  /// tracking.finalize_delay_s + context.lookahead_epochs · epoch_s (epoch_s = 30 s
  /// before Start()).
  double LatencyS() const override;

  /// Keeps every EpochFeatures row from now on for TakeEpochFeatures() (training).
  void RecordFeatures(bool on) { record_ = on; }
  /// Moves the recorded rows (in epoch order) to the end of `out`.
  void TakeEpochFeatures(std::vector<EpochFeatures>* out);
  /// The tracking stage (for reports and tests).
  const TrackingPipeline& tracking() const { return tracking_; }

 private:
  void Drain(std::vector<EpochEstimate>* out, bool finish);
  void Emit(const std::vector<EpochDecision>& decisions, std::vector<EpochEstimate>* out);

  SleepPipelineConfig config_;
  TrackingPipeline tracking_;
  std::unique_ptr<SleepDecider> decider_;
  std::unique_ptr<EpochFeatureExtractor> extractor_;
  std::unique_ptr<SmartAlarm> alarm_;
  AppSettings settings_;
  double epoch_s_{30.0};
  bool record_{false};
  std::vector<EpochFeatures> recorded_;
  std::vector<EpochEstimate> track_out_;
  std::vector<RespirationFeatures> features_;
  std::vector<RespSample> stream_;
  std::deque<EpochEstimate> pending_;
  std::vector<EpochDecision> decisions_;
  std::vector<AlarmDecision> no_alarms_;
};

}  // namespace nightsim::pipeline
