#include "sleepers/hypnogram_model.h"

#include <algorithm>
#include <cmath>

#include "sleepers/sleep_measures.h"

namespace nightsim::sleepers {
namespace {

constexpr double kEpochMin = 0.5;
constexpr double kRemLighteningEpochs = 3.0;

double SmoothStep(double a, double b, double x) {
  const double u = std::clamp((x - a) / (b - a), 0.0, 1.0);
  return u * u * (3.0 - 2.0 * u);
}

// Slow-wave propensity across one NREM period: descent into N3 over the first
// quarter, lightening before the period ends (the "ascending" limb of the cycle).
double PhaseBump(double phase) { return SmoothStep(0.04, 0.28, phase) * (1.0 - SmoothStep(0.62, 0.92, phase)); }

int RoundEpochs(double x) { return std::max(1, static_cast<int>(std::lround(x))); }

}  // namespace

SleepStageModel::SleepStageModel(const HypnogramParams& params, RandomStream stream)
    : p_(params), rng_(std::move(stream)) {}

int SleepStageModel::DrawOnsetLatencyEpochs() {
  return RoundEpochs(rng_.LogNormal(std::log(p_.sol_median_min / kEpochMin), p_.sol_sigma));
}

int SleepStageModel::DrawReturnLatencyEpochs() {
  return RoundEpochs(rng_.LogNormal(std::log(p_.return_latency_median_min / kEpochMin), 0.6));
}

double SleepStageModel::S(double minutes_asleep) const {
  return p_.s0 * std::exp(-std::max(0.0, minutes_asleep) / p_.s_decay_min);
}

void SleepStageModel::ExtendSchedule() {
  const int start = periods_.empty() ? 0 : periods_.back().end_epoch;
  const bool next_rem = !periods_.empty() && !periods_.back().rem;
  double minutes;
  bool rem = false;
  if (periods_.empty()) {
    minutes = std::max(35.0, rng_.LogNormal(std::log(p_.first_nrem_median_min), p_.first_nrem_sigma));
  } else if (next_rem && !(rem_periods_ == 0 && rng_.Bernoulli(p_.skip_first_rem_probability))) {
    rem = true;
    const double mean = std::min(p_.rem_max_mean_min, p_.rem_first_mean_min + p_.rem_growth_min * rem_periods_);
    minutes = std::max(3.0, rng_.Gamma(p_.rem_shape, mean / p_.rem_shape));
    ++rem_periods_;
  } else {
    // A later NREM period; also the stand-in for a skipped first REM period.
    const double mean = std::max(50.0, p_.nrem_mean_min - p_.nrem_shrink_min * std::max(0, nrem_periods_ - 1));
    minutes = std::max(25.0, rng_.Gamma(p_.nrem_shape, mean / p_.nrem_shape));
  }
  if (!rem) ++nrem_periods_;
  periods_.push_back({start, start + RoundEpochs(minutes / kEpochMin), rem});
}

const UltradianPeriod& SleepStageModel::PeriodAt(int epoch_since_onset) {
  while (periods_.empty() || periods_.back().end_epoch <= epoch_since_onset) ExtendSchedule();
  // Periods are few (≈ 10 a night) and the query moves forward: scan from the back.
  for (std::size_t i = periods_.size(); i-- > 0;) {
    if (periods_[i].start_epoch <= epoch_since_onset) return periods_[i];
  }
  return periods_.front();
}

int SleepStageModel::DrawWakeEpochs() {
  // Discrete power law: P(d ≥ k) = (k / scale)^−α, truncated (very long awakenings end
  // the night instead, which the final-awakening logic models).
  const double d = p_.wake_scale * std::pow(rng_.Uniform01(), -1.0 / p_.wake_alpha);
  return std::clamp(static_cast<int>(d), 1, static_cast<int>(p_.wake_max_epochs));
}

StageBout SleepStageModel::Next(int epoch_since_onset, int previous_stage) {
  const UltradianPeriod& period = PeriodAt(epoch_since_onset);
  const double minutes = epoch_since_onset * kEpochMin;
  const bool rem_period_ended = previous_stage == kRem && !period.rem;

  if (previous_stage != kWake) {
    double p_wake = p_.wake_after_n2;
    switch (previous_stage) {
      case kN1: p_wake = p_.wake_after_n1; break;
      case kN3: p_wake = p_.wake_after_n3; break;
      case kRem: p_wake = rem_period_ended ? p_.wake_after_rem_period : p_.wake_after_rem; break;
      default: break;
    }
    p_wake *= 1.0 + p_.wake_late_night_gain * minutes / 480.0;
    if (rng_.Bernoulli(std::min(0.9, p_wake))) return {kWake, DrawWakeEpochs(), true};
  }

  const double phase = static_cast<double>(epoch_since_onset - period.start_epoch) /
                       std::max(1, period.end_epoch - period.start_epoch);
  const double depth = period.rem ? 0.0 : S(minutes) * PhaseBump(phase);
  int next = kN2;
  if (period.rem) {
    // Entering or re-entering REM goes through light sleep only after an arousal;
    // a REM bout that ends inside its period is a brief lightening (N1/N2).
    if (previous_stage == kRem) {
      next = rng_.Bernoulli(0.45) ? kN1 : kN2;
    } else if (previous_stage == kWake) {
      next = rng_.Bernoulli(0.75) ? kN1 : kRem;
    } else {
      next = kRem;
    }
  } else {
    switch (previous_stage) {
      case kWake: next = rng_.Bernoulli(0.8) ? kN1 : kN2; break;
      case kN1: next = kN2; break;
      case kN2: next = rng_.Bernoulli(std::min(0.95, p_.n3_entry_gain * depth)) ? kN3 : kN1; break;
      case kN3: next = rng_.Bernoulli(0.04) ? kN1 : kN2; break;
      case kRem: next = rng_.Bernoulli(0.45) ? kN1 : kN2; break;
      default: break;
    }
  }

  int epochs = 1;
  switch (next) {
    case kN1:
      epochs = 1 + static_cast<int>(std::lround(rng_.Gamma(0.7, p_.n1_bout_extra_epochs / 0.7)));
      break;
    case kN2: {
      // Deep in a descent, N2 is only the short gap between N3 bouts; inside a REM
      // period it is a brief lightening.
      const double mean =
          period.rem ? kRemLighteningEpochs : std::max(2.0, p_.n2_bout_mean_epochs / (1.0 + 4.5 * depth));
      epochs = RoundEpochs(rng_.Gamma(p_.n2_bout_shape, mean / p_.n2_bout_shape));
      break;
    }
    case kN3: {
      const double mean = p_.n3_bout_base_epochs + p_.n3_bout_depth_epochs * depth;
      epochs = RoundEpochs(rng_.Gamma(1.2, mean / 1.2));
      break;
    }
    case kRem:
      epochs = RoundEpochs(rng_.Gamma(1.8, p_.rem_bout_mean_epochs / 1.8));
      break;
    default: break;
  }
  // A sleep bout never crosses into the next ultradian period.
  epochs = std::max(1, std::min(epochs, period.end_epoch - epoch_since_onset));
  return {next, epochs, false};
}

}  // namespace nightsim::sleepers
