#include "pipeline/smart_alarm.h"

#include <cmath>
#include <stdexcept>

namespace nightsim::pipeline {

void SmartAlarmConfig::Validate() const {
  if (!(check_interval_s > 0.0)) throw std::invalid_argument("SmartAlarmConfig.check_interval_s must be > 0");
  if (!(late_window_s >= 0.0)) throw std::invalid_argument("SmartAlarmConfig.late_window_s must be >= 0");
  if (!(long_bout_s > 0.0)) throw std::invalid_argument("SmartAlarmConfig.long_bout_s must be > 0");
  if (awake_epochs < 1) throw std::invalid_argument("SmartAlarmConfig.awake_epochs must be >= 1");
}

SmartAlarm::SmartAlarm(SmartAlarmConfig config, std::optional<double> alarm_s, double window_s)
    : config_(config), alarm_s_(alarm_s), window_s_(window_s) {
  config_.Validate();
  if (!(window_s >= 0.0)) throw std::invalid_argument("SmartAlarm: window_s must be >= 0");
  if (alarm_s_) next_check_s_ = *alarm_s_ - window_s_;
}

void SmartAlarm::OnStage(std::int64_t /*epoch*/, double end_s, EstStage stage) {
  // The light bout starts where the last other stage ended.
  if (stage != EstStage::kLight || light_since_s_ < 0.0) light_since_s_ = end_s;
  awake_run_ = (stage == EstStage::kWake || stage == EstStage::kNone) ? awake_run_ + 1 : 0;
  latest_ = stage;
}

std::optional<AlarmDecision> SmartAlarm::OnTime(double now_s) {
  if (fired_ || !alarm_s_) return std::nullopt;
  const double alarm_s = *alarm_s_;
  if (now_s >= alarm_s) {
    fired_ = true;
    return AlarmDecision{alarm_s, latest_};
  }
  if (now_s < next_check_s_) return std::nullopt;
  // A check. Checks fall on the grid alarm − window + k · interval.
  while (next_check_s_ <= now_s) next_check_s_ += config_.check_interval_s;
  const bool awake = awake_run_ >= config_.awake_epochs;
  if (awake || latest_ != EstStage::kLight) return std::nullopt;
  const bool late = alarm_s - now_s <= config_.late_window_s;
  const bool long_bout = light_since_s_ >= 0.0 && now_s - light_since_s_ >= config_.long_bout_s;
  if (!late && !long_bout) return std::nullopt;
  fired_ = true;
  return AlarmDecision{now_s, latest_};
}

}  // namespace nightsim::pipeline
