#include "pipeline/presence.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace nightsim::pipeline {

PresenceDetector::PresenceDetector(PresenceConfig config) : config_(config) {
  if (!(config_.tau_s > 0.0)) throw std::invalid_argument("PresenceConfig.tau_s must be > 0");
  if (!(config_.off_threshold >= 0.0 && config_.off_threshold <= config_.on_threshold && config_.on_threshold <= 1.0)) {
    throw std::invalid_argument("PresenceConfig: need 0 <= off_threshold <= on_threshold <= 1");
  }
  if (!(config_.session_start_s >= 0.0) || !(config_.gap_tolerance_s >= 0.0) || !(config_.session_end_absence_s > 0.0)) {
    throw std::invalid_argument("PresenceConfig: session durations must be >= 0 (end absence > 0)");
  }
}

PresenceState PresenceDetector::Update(double time_s, double evidence) {
  evidence = std::clamp(evidence, 0.0, 1.0);
  if (!started_) {
    started_ = true;
    last_time_s_ = time_s;
    absent_since_s_ = time_s;
  }
  const double dt = std::max(0.0, time_s - last_time_s_);
  last_time_s_ = time_s;
  state_.confidence += (1.0 - std::exp(-dt / config_.tau_s)) * (evidence - state_.confidence);
  const bool was_present = state_.present;
  state_.present = was_present ? state_.confidence >= config_.off_threshold : state_.confidence >= config_.on_threshold;
  if (state_.present) {
    if (!in_run_) {
      in_run_ = true;
      run_start_s_ = time_s;
    }
    // "A session starts after presence lasting more than 5 minutes."
    if (!state_.session && time_s - run_start_s_ > config_.session_start_s) state_.session = true;
  } else {
    if (was_present) absent_since_s_ = time_s;
    const double absent_s = time_s - absent_since_s_;
    if (in_run_ && absent_s > config_.gap_tolerance_s) in_run_ = false;
    if (state_.session && absent_s >= config_.session_end_absence_s) state_.session = false;
  }
  return state_;
}

}  // namespace nightsim::pipeline
