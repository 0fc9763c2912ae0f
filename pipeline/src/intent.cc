#include "pipeline/intent.h"

#include <stdexcept>

#include "pipeline/change_point.h"

namespace nightsim::pipeline {

void IntentConfig::Validate() const {
  if (!(score_noise_sd > 0.0)) throw std::invalid_argument("IntentConfig.score_noise_sd must be > 0");
  if (!(penalty_scale > 0.0)) throw std::invalid_argument("IntentConfig.penalty_scale must be > 0");
  if (min_segment_epochs < 1) throw std::invalid_argument("IntentConfig.min_segment_epochs must be >= 1");
  if (!(on_threshold > off_threshold && off_threshold >= 0.0 && on_threshold <= 1.0)) {
    throw std::invalid_argument("IntentConfig: need 0 <= off_threshold < on_threshold <= 1");
  }
  if (min_off_epochs < 1) throw std::invalid_argument("IntentConfig.min_off_epochs must be >= 1");
  if (max_history_epochs < 2 * min_segment_epochs) {
    throw std::invalid_argument("IntentConfig.max_history_epochs must be >= 2 min_segment_epochs");
  }
  if (absence_end_epochs < 1) throw std::invalid_argument("IntentConfig.absence_end_epochs must be >= 1");
}

IntentDetector::IntentDetector(IntentConfig config) : config_(config) { config_.Validate(); }

void IntentDetector::Push(std::int64_t epoch, std::optional<double> score) {
  if (epoch <= newest_) throw std::invalid_argument("IntentDetector::Push: epochs must increase");
  newest_ = epoch;
  if (!score) return;
  if (last_present_ >= 0 && epoch - last_present_ > config_.absence_end_epochs) scores_.clear();  // a new bout
  last_present_ = epoch;
  scores_.push_back({epoch, *score});
  while (scores_.size() > static_cast<std::size_t>(config_.max_history_epochs)) scores_.pop_front();
}

bool IntentDetector::Decide(std::int64_t epoch) {
  // Gone for good (got up for the day, or left the room for long): intent ends.
  if (last_present_ < 0 || epoch - last_present_ >= config_.absence_end_epochs) {
    on_ = false;
    return false;
  }
  // Find the decided epoch among the scored ones; an unscored epoch (a short absence,
  // a restroom trip) keeps the current state.
  std::size_t index = scores_.size();
  for (std::size_t i = scores_.size(); i-- > 0;) {
    if (scores_[i].epoch == epoch) {
      index = i;
      break;
    }
    if (scores_[i].epoch < epoch) break;
  }
  if (index == scores_.size()) return on_;

  series_.clear();
  for (const Scored& s : scores_) series_.push_back(s.score);
  const double penalty = config_.penalty_scale * MbicPenalty(series_.size(), config_.score_noise_sd);
  const std::vector<std::size_t> points =
      DetectChangePoints(series_, penalty, static_cast<std::size_t>(config_.min_segment_epochs));
  std::size_t begin = 0, end = series_.size();
  for (std::size_t p : points) {
    if (p <= index) begin = p;
    else {
      end = p;
      break;
    }
  }
  const double mean = SegmentMean(series_, begin, end);
  if (!on_) {
    if (mean >= config_.on_threshold) {
      on_ = true;
      start_ = epoch;
      if (!first_start_) first_start_ = epoch;
    }
  } else if (mean < config_.off_threshold &&
             epoch - scores_[begin].epoch + 1 >= static_cast<std::int64_t>(config_.min_off_epochs)) {
    on_ = false;
  }
  return on_;
}

}  // namespace nightsim::pipeline
