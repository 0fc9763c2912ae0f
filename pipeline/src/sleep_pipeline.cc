#include "pipeline/sleep_pipeline.h"

#include <stdexcept>

namespace nightsim::pipeline {

void SleepPipelineConfig::Validate() const {
  tracking.Validate();
  context.Validate();
  intent.Validate();
  staging.Validate();
  alarm.Validate();
  if (!(max_latency_s > 0.0)) throw std::invalid_argument("SleepPipelineConfig.max_latency_s must be > 0");
}

// ---------------------------------------------------------------------------

SleepDecider::SleepDecider(const SleepPipelineConfig& config)
    : config_(config), context_(config.context), intent_(config.intent), smoother_(config.staging) {
  config_.Validate();
  // The models are not kept in config_: a copy of several MB per pipeline is waste.
  config_.intent_model_json.clear();
  config_.staging_model_json.clear();
  if (!config.intent_model_json.empty()) {
    intent_model_ = std::make_unique<BoostedTrees>(config.intent_model_json,
                                                   static_cast<int>(context_.IntentInputNames().size()));
  }
  if (!config.staging_model_json.empty()) {
    staging_model_ = std::make_unique<BoostedTrees>(config.staging_model_json,
                                                    static_cast<int>(context_.StagingInputNames().size()));
  }
}

SleepDecider::~SleepDecider() = default;

void SleepDecider::Reset() {
  context_ = FeatureContext(config_.context);
  intent_ = IntentDetector(config_.intent);
  smoother_ = StageSmoother(config_.staging);
  scores_.clear();
  next_decision_ = 0;
  any_row_ = false;
  was_staging_ = false;
}

void SleepDecider::Push(const EpochFeatures& row, std::vector<EpochDecision>* out) {
  if (!any_row_) next_decision_ = row.epoch;
  any_row_ = true;
  context_.Push(row);
  std::optional<double> score;
  if (row.tracking && row.present) {
    const std::vector<float> inputs = context_.IntentInputs();
    if (on_intent_inputs) on_intent_inputs(row.epoch, inputs);
    if (intent_model_) score = intent_model_->Predict(inputs).at(0);
  }
  intent_.Push(row.epoch, score);
  scores_.push_back(score);
  while (next_decision_ + config_.context.lookahead_epochs <= row.epoch) Decide(next_decision_++, out);
}

void SleepDecider::Finish(std::vector<EpochDecision>* out) {
  const std::optional<std::int64_t> newest = context_.newest();
  if (!newest) return;
  while (next_decision_ <= *newest) Decide(next_decision_++, out);
}

void SleepDecider::Decide(std::int64_t epoch, std::vector<EpochDecision>* out) {
  const EpochFeatures* row = context_.Row(epoch);
  if (row == nullptr) throw std::logic_error("SleepDecider: the row of a decided epoch is no longer held");
  EpochDecision d;
  d.epoch = epoch;
  d.intent = intent_.Decide(epoch);
  if (!scores_.empty()) {
    d.intent_score = scores_.front();
    scores_.pop_front();
  }
  if (row->tracking && row->present) {
    if (!d.intent) {
      // Not trying to sleep (reading, TV, up for the day): awake by definition.
      d.stage = EstStage::kWake;
      was_staging_ = false;
    } else {
      const std::vector<float> inputs = context_.StagingInputs(epoch, intent_.current_start());
      if (on_staging_inputs) on_staging_inputs(epoch, inputs);
      if (staging_model_) {
        if (!was_staging_) smoother_.Reset();
        d.stage = smoother_.Push(staging_model_->Predict(inputs));
        was_staging_ = true;
      }
    }
  }
  out->push_back(d);
}

// ---------------------------------------------------------------------------

SleepPipeline::SleepPipeline(SleepPipelineConfig config)
    : config_(std::move(config)), tracking_(config_.tracking),
      decider_(std::make_unique<SleepDecider>(config_)) {
  // The decider holds the parsed models; the JSON is not needed again.
  config_.intent_model_json.clear();
  config_.staging_model_json.clear();
}

SleepPipeline::~SleepPipeline() = default;

double SleepPipeline::LatencyS() const {
  return config_.tracking.finalize_delay_s + config_.context.lookahead_epochs * epoch_s_;
}

void SleepPipeline::Start(const RadarInfo& radar, const AppSettings& settings) {
  tracking_.Start(radar, settings);
  settings_ = settings;
  epoch_s_ = settings.epoch_s;
  if (LatencyS() > config_.max_latency_s + 1e-9) {
    throw std::invalid_argument("SleepPipeline: latency " + std::to_string(LatencyS()) + " s exceeds max_latency_s");
  }
  // A new night forgets every row but keeps the models: parsing them again (several
  // MB of JSON) costs more than the rest of an hour of pipeline.
  decider_->Reset();
  extractor_ = std::make_unique<EpochFeatureExtractor>(settings.epoch_s, settings.night_start_clock_s);
  alarm_ = std::make_unique<SmartAlarm>(config_.alarm, settings.alarm_s, settings.smart_window_s);
  recorded_.clear();
  pending_.clear();
}

void SleepPipeline::OnFrame(const RadarFrame& frame, std::vector<EpochEstimate>* out,
                            std::vector<AlarmDecision>* alarms) {
  if (!alarm_) throw std::invalid_argument("SleepPipeline::OnFrame before Start()");
  tracking_.OnFrame(frame, &track_out_, &no_alarms_);
  Drain(out, false);
  if (const std::optional<AlarmDecision> d = alarm_->OnTime(frame.time_s); d && alarms != nullptr) {
    alarms->push_back(*d);
  }
}

void SleepPipeline::Finish(std::vector<EpochEstimate>* out, std::vector<AlarmDecision>* /*alarms*/) {
  if (!alarm_) return;
  tracking_.Finish(&track_out_, &no_alarms_);
  Drain(out, true);
}

void SleepPipeline::Drain(std::vector<EpochEstimate>* out, bool finish) {
  // The stream first: every sample of an epoch is out before that epoch's features.
  tracking_.TakeRespStream(&stream_);
  extractor_->AddStream(stream_);
  stream_.clear();
  tracking_.TakeFeatures(&features_);
  if (features_.size() != track_out_.size()) {
    throw std::logic_error("SleepPipeline: tracking estimates and features out of step");
  }
  for (std::size_t i = 0; i < features_.size(); ++i) {
    pending_.push_back(track_out_[i]);
    const EpochFeatures row = extractor_->Finish(track_out_[i], features_[i]);
    if (record_) recorded_.push_back(row);
    decider_->Push(row, &decisions_);
  }
  features_.clear();
  track_out_.clear();
  if (finish) decider_->Finish(&decisions_);
  Emit(decisions_, out);
  decisions_.clear();
}

void SleepPipeline::Emit(const std::vector<EpochDecision>& decisions, std::vector<EpochEstimate>* out) {
  for (const EpochDecision& d : decisions) {
    if (pending_.empty() || pending_.front().epoch != d.epoch) {
      throw std::logic_error("SleepPipeline: decisions out of step with the tracking estimates");
    }
    EpochEstimate e = pending_.front();
    pending_.pop_front();
    e.intent = d.intent;
    e.stage = d.stage;
    alarm_->OnStage(e.epoch, static_cast<double>(e.epoch + 1) * epoch_s_, e.stage);
    if (out != nullptr) out->push_back(e);
  }
}

void SleepPipeline::TakeEpochFeatures(std::vector<EpochFeatures>* out) {
  out->insert(out->end(), recorded_.begin(), recorded_.end());
  recorded_.clear();
}

}  // namespace nightsim::pipeline
