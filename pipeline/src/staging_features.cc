#include "pipeline/staging_features.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace nightsim::pipeline {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

// Sleep-stage context is read from these base features (lags, leads, windows):
// the breathing pattern and movement. Position and clock enter only as the row.
constexpr std::array<BaseFeature, 11> kContextFeatures{
    kRateBpm,        kPeriodicity,  kDepthMm,      kRegularity,   kIntervalCv,   kMovement,
    kSignalQuality,  kStreamDepthCv, kLongestPauseS, kIntervalLag1, kBreathCount};

// Features whose spread over a window says something (variability of breathing).
constexpr std::array<BaseFeature, 4> kSpreadFeatures{kRateBpm, kDepthMm, kIntervalCv, kStreamDepthMm};

double Median(std::vector<double>* v) {
  if (v->empty()) return std::numeric_limits<double>::quiet_NaN();
  const auto mid = v->begin() + static_cast<std::ptrdiff_t>(v->size() / 2);
  std::nth_element(v->begin(), mid, v->end());
  return *mid;
}

bool Finite(float v) { return std::isfinite(v); }

// Mean and SD of the finite values; NaN when there are none.
void MeanSd(const std::vector<float>& v, float* mean, float* sd) {
  double s = 0.0, s2 = 0.0;
  int n = 0;
  for (float x : v) {
    if (!Finite(x)) continue;
    s += x;
    s2 += static_cast<double>(x) * x;
    ++n;
  }
  if (n == 0) {
    *mean = *sd = kNaN;
    return;
  }
  const double m = s / n;
  *mean = static_cast<float>(m);
  *sd = n >= 2 ? static_cast<float>(std::sqrt(std::max(0.0, s2 / n - m * m))) : kNaN;
}

}  // namespace

const std::array<const char*, kNumBaseFeatures>& BaseFeatureNames() {
  static const std::array<const char*, kNumBaseFeatures> kNames{
      "rate_bpm",      "periodicity",      "depth_mm",          "regularity",    "breath_count",
      "interval_mean_s", "interval_sd_s",  "interval_cv",       "movement",      "signal_quality",
      "range_m",       "azimuth_rad",      "presence_confidence", "tracked",     "stream_coverage",
      "stream_segments", "stream_depth_cv", "stream_depth_mm",  "longest_pause_s", "interval_lag1",
      "clock_h",       "elevation_rad"};
  return kNames;
}

// ---------------------------------------------------------------------------

EpochFeatureExtractor::EpochFeatureExtractor(double epoch_s, double night_start_clock_s)
    : epoch_s_(epoch_s), night_start_clock_s_(night_start_clock_s) {
  if (!(epoch_s > 0.0)) throw std::invalid_argument("EpochFeatureExtractor: epoch_s must be > 0");
}

void EpochFeatureExtractor::AddStream(std::span<const RespSample> samples) {
  for (const RespSample& s : samples) {
    if (!samples_.empty()) {
      const double dt = s.time_s - samples_.back().time_s;
      if (dt > 0.0 && (frame_dt_s_ == 0.0 || dt < frame_dt_s_)) frame_dt_s_ = dt;
    }
    samples_.push_back(s);
  }
}

EpochFeatures EpochFeatureExtractor::Finish(const EpochEstimate& estimate, const RespirationFeatures& f) {
  EpochFeatures row;
  row.epoch = f.epoch;
  row.start_s = f.start_s;
  row.present = f.present;
  row.session = estimate.session;
  row.tracking = f.tracking;
  row.values.fill(kNaN);
  auto set = [&](BaseFeature k, double v) { row.values[static_cast<std::size_t>(k)] = static_cast<float>(v); };

  const bool breathing = f.tracking && f.present;
  if (f.valid) {
    set(kRateBpm, f.rate_bpm);
    set(kPeriodicity, f.periodicity);
  }
  if (breathing) {
    set(kBreathCount, f.breath_count);
    if (f.breath_count > 0) set(kDepthMm, f.depth_mm);
    if (f.interval_mean_s > 0.0) {
      set(kRegularity, f.regularity);
      set(kIntervalMeanS, f.interval_mean_s);
      set(kIntervalSdS, f.interval_sd_s);
      set(kIntervalCv, f.interval_cv);
    }
  }
  if (f.present) set(kMovement, f.movement);
  if (f.tracking) {
    set(kSignalQuality, f.signal_quality);
    set(kRangeM, f.range_m);
    set(kAzimuthRad, f.azimuth_rad);
    set(kElevationRad, f.elevation_rad);
  }
  set(kPresenceConfidence, f.presence_confidence);
  set(kTracked, f.tracking ? 1.0 : 0.0);
  // Hours after 18:00, wrapped to a day: evening bedtimes and morning wakes stay ordered.
  const double clock_s = night_start_clock_s_ + f.start_s;
  set(kClockH, std::fmod(std::fmod(clock_s / 3600.0 - 18.0, 24.0) + 24.0, 24.0));

  // Stream statistics of the samples inside the epoch. Breath depths are measured
  // peak minus the lowest displacement since the previous peak, carried across
  // epoch boundaries within one stream segment.
  const double start_s = f.start_s;
  const double end_s = start_s + epoch_s_;
  while (!samples_.empty() && samples_.front().time_s < start_s) samples_.pop_front();
  int n = 0, segments = 0;
  std::vector<double> depths, intervals;
  double since_s = 0.0;   // last breath peak, or the start of the current stretch of samples
  double longest_s = 0.0;  // longest time without a breath peak seen at any sample
  while (!samples_.empty() && samples_.front().time_s < end_s) {
    const RespSample s = samples_.front();
    samples_.pop_front();
    if (s.segment_start) {
      ++segments;
      have_trough_ = false;
      last_breath_s_ = -1.0;
    }
    if (n == 0 || s.segment_start) since_s = last_breath_s_ >= 0.0 ? last_breath_s_ : s.time_s;
    ++n;
    if (!have_trough_ || s.displacement_mm < trough_mm_) {
      trough_mm_ = s.displacement_mm;
      have_trough_ = true;
    }
    if (s.breath) {
      depths.push_back(s.displacement_mm - trough_mm_);
      if (last_breath_s_ >= 0.0) intervals.push_back(s.time_s - last_breath_s_);
      last_breath_s_ = s.time_s;
      trough_mm_ = s.displacement_mm;
      since_s = s.time_s;
    }
    longest_s = std::max(longest_s, s.time_s - since_s);
  }
  if (n > 0 && frame_dt_s_ > 0.0) {
    set(kStreamCoverage, std::min(1.0, n * frame_dt_s_ / epoch_s_));
    set(kStreamSegments, segments);
    set(kLongestPauseS, longest_s);
    if (!depths.empty()) {
      std::vector<double> d = depths;
      const double med = Median(&d);
      set(kStreamDepthMm, med);
      if (depths.size() >= 3 && med > 0.0) {
        double s = 0.0, s2 = 0.0;
        for (double v : depths) {
          s += v;
          s2 += v * v;
        }
        const double k = static_cast<double>(depths.size());
        const double m = s / k;
        set(kStreamDepthCv, std::sqrt(std::max(0.0, s2 / k - m * m)) / std::max(m, 1e-6));
      }
    }
    // Lag-1 autocorrelation of consecutive breath intervals: REM breathing has
    // long-range correlated intervals, N3 nearly independent ones.
    if (intervals.size() >= 5) {
      double m = 0.0;
      for (double v : intervals) m += v;
      m /= static_cast<double>(intervals.size());
      double num = 0.0, den = 0.0;
      for (std::size_t i = 0; i < intervals.size(); ++i) {
        den += (intervals[i] - m) * (intervals[i] - m);
        if (i > 0) num += (intervals[i] - m) * (intervals[i - 1] - m);
      }
      if (den > 1e-12) set(kIntervalLag1, num / den);
    }
  }
  return row;
}

// ---------------------------------------------------------------------------

void FeatureContextConfig::Validate() const {
  if (lookahead_epochs < 0) throw std::invalid_argument("FeatureContextConfig.lookahead_epochs must be >= 0");
  if (short_window_epochs < 1) throw std::invalid_argument("FeatureContextConfig.short_window_epochs must be >= 1");
  if (long_window_epochs < short_window_epochs) {
    throw std::invalid_argument("FeatureContextConfig.long_window_epochs must be >= short_window_epochs");
  }
  if (!(movement_threshold >= 0.0)) throw std::invalid_argument("FeatureContextConfig.movement_threshold must be >= 0");
  if (bout_gap_epochs < 1) throw std::invalid_argument("FeatureContextConfig.bout_gap_epochs must be >= 1");
  if (reference_epochs < 1) throw std::invalid_argument("FeatureContextConfig.reference_epochs must be >= 1");
  if (!(shift_range_m > 0.0 && shift_azimuth_rad > 0.0)) {
    throw std::invalid_argument("FeatureContextConfig: shift thresholds must be > 0");
  }
}

FeatureContext::FeatureContext(FeatureContextConfig config) : config_(config) { config_.Validate(); }

std::optional<std::int64_t> FeatureContext::newest() const {
  if (rows_.empty()) return std::nullopt;
  return rows_.back().epoch;
}

const EpochFeatures* FeatureContext::Row(std::int64_t epoch) const {
  if (rows_.empty() || epoch < rows_.front().epoch || epoch > rows_.back().epoch) return nullptr;
  return &rows_[static_cast<std::size_t>(epoch - rows_.front().epoch)];
}

void FeatureContext::Push(const EpochFeatures& row) {
  if (!rows_.empty() && row.epoch != rows_.back().epoch + 1) {
    throw std::invalid_argument("FeatureContext::Push: epochs must be consecutive");
  }
  rows_.push_back(row);
  const std::size_t keep = static_cast<std::size_t>(config_.long_window_epochs + config_.lookahead_epochs + 1);
  while (rows_.size() > keep) rows_.pop_front();

  // Running state, as of the newest row.
  if (row.session) {
    if (!session_start_) {
      session_start_ = row.epoch;
      rate_sum_ = depth_sum_ = 0.0;
      rate_n_ = 0;
    }
  } else {
    session_start_.reset();
  }
  // The in-bed bout: tracked epochs with gaps shorter than bout_gap_epochs (a lost
  // track for a minute does not mean the user got up).
  if (row.tracking) {
    const float range = row.values[kRangeM];
    const float azimuth = row.values[kAzimuthRad];
    if (!tracked_start_ || row.epoch - last_tracked_ > config_.bout_gap_epochs) {
      tracked_start_ = row.epoch;
      range_min_m_ = Finite(range) ? range : 0.0;
      ref_range_.clear();
      ref_azimuth_.clear();
      ref_elevation_.clear();
      ref_depth_.clear();
      last_shift_.reset();
      shifts_ = 0;
      have_prev_ = false;
    } else if (Finite(range)) {
      range_min_m_ = std::min(range_min_m_, static_cast<double>(range));
    }
    last_tracked_ = row.epoch;
    if (static_cast<int>(ref_range_.size()) < config_.reference_epochs && Finite(range) && Finite(azimuth)) {
      ref_range_.push_back(range);
      ref_azimuth_.push_back(azimuth);
      if (Finite(row.values[kElevationRad])) ref_elevation_.push_back(row.values[kElevationRad]);
      if (Finite(row.values[kDepthMm])) ref_depth_.push_back(row.values[kDepthMm]);
    }
    if (Finite(range) && Finite(azimuth)) {
      if (have_prev_ && (std::abs(range - prev_range_) >= config_.shift_range_m ||
                         std::abs(azimuth - prev_azimuth_) >= config_.shift_azimuth_rad)) {
        last_shift_ = row.epoch;
        ++shifts_;
      }
      prev_range_ = range;
      prev_azimuth_ = azimuth;
      have_prev_ = true;
    }
  } else if (tracked_start_ && row.epoch - last_tracked_ > config_.bout_gap_epochs) {
    tracked_start_.reset();
  }
  const float mv = row.values[kMovement];
  if (Finite(mv) && mv > config_.movement_threshold) last_movement_ = row.epoch;
  if (session_start_ && Finite(row.values[kRateBpm]) && Finite(row.values[kDepthMm])) {
    rate_sum_ += row.values[kRateBpm];
    depth_sum_ += row.values[kDepthMm];
    ++rate_n_;
  }
}

std::vector<std::string> FeatureContext::IntentInputNames() const {
  std::vector<std::string> names;
  for (const char* n : BaseFeatureNames()) names.push_back(n);
  for (const char* f : {"movement", "range_m", "azimuth_rad", "elevation_rad"}) {
    for (int lag = 1; lag <= 3; ++lag) names.push_back(std::string(f) + "_lag" + std::to_string(lag));
  }
  for (const char* f : {"movement", "rate_bpm", "depth_mm", "periodicity", "signal_quality"}) {
    names.push_back(std::string(f) + "_mean_short_past");
  }
  names.push_back("movement_epochs_short_past");
  names.push_back("range_minus_bout_min_m");
  names.push_back("range_minus_short_median_m");
  names.push_back("range_change_4_m");
  names.push_back("azimuth_change_4_rad");
  names.push_back("elevation_change_4_rad");
  names.push_back("range_minus_bout_start_m");
  names.push_back("azimuth_minus_bout_start_rad");
  names.push_back("elevation_minus_bout_start_rad");
  names.push_back("depth_over_bout_start");
  names.push_back("epochs_since_posture_shift");
  names.push_back("posture_shifts_in_bout");
  names.push_back("epochs_since_tracked");
  names.push_back("epochs_since_session");
  names.push_back("epochs_since_movement");
  return names;
}

std::vector<float> FeatureContext::IntentInputs() const {
  std::vector<float> in;
  if (rows_.empty()) return in;
  const EpochFeatures& row = rows_.back();
  const std::int64_t e = row.epoch;
  auto value = [&](std::int64_t epoch, BaseFeature k) {
    const EpochFeatures* r = Row(epoch);
    return r == nullptr ? kNaN : r->values[static_cast<std::size_t>(k)];
  };
  in.insert(in.end(), row.values.begin(), row.values.end());
  for (BaseFeature k : {kMovement, kRangeM, kAzimuthRad, kElevationRad}) {
    for (int lag = 1; lag <= 3; ++lag) in.push_back(value(e - lag, k));
  }
  const int w = config_.short_window_epochs;
  std::vector<float> window;
  for (BaseFeature k : {kMovement, kRateBpm, kDepthMm, kPeriodicity, kSignalQuality}) {
    window.clear();
    for (int i = 0; i < w; ++i) window.push_back(value(e - i, k));
    float mean = kNaN, sd = kNaN;
    MeanSd(window, &mean, &sd);
    in.push_back(mean);
  }
  int moving = 0;
  std::vector<double> ranges;
  for (int i = 0; i < w; ++i) {
    const float m = value(e - i, kMovement);
    moving += Finite(m) && m > config_.movement_threshold;
  }
  for (int i = 0; i < 2 * w; ++i) {
    const float r = value(e - i, kRangeM);
    if (Finite(r)) ranges.push_back(r);
  }
  in.push_back(static_cast<float>(moving));
  const float range = row.values[kRangeM];
  in.push_back(tracked_start_ && Finite(range) ? static_cast<float>(range - range_min_m_) : kNaN);
  in.push_back(Finite(range) && !ranges.empty() ? static_cast<float>(range - Median(&ranges)) : kNaN);
  // The change over the last 4 epochs of one position value.
  auto change_4 = [&](BaseFeature k) {
    const float now = row.values[k];
    return Finite(now) && Finite(value(e - 4, k)) ? now - value(e - 4, k) : kNaN;
  };
  in.push_back(change_4(kRangeM));
  in.push_back(change_4(kAzimuthRad));
  in.push_back(change_4(kElevationRad));
  const float az = row.values[kAzimuthRad];
  const float el = row.values[kElevationRad];
  // Position and breath depth against the posture the bout started in: sitting up
  // to read puts the torso higher and nearer the head wall, and a chest seen from
  // the side or at a slant moves less along the line of sight than one lying down.
  auto median = [](const std::vector<float>& v) {
    std::vector<double> d(v.begin(), v.end());
    return Median(&d);
  };
  const bool ref = !ref_range_.empty();
  in.push_back(ref && Finite(range) ? static_cast<float>(range - median(ref_range_)) : kNaN);
  in.push_back(ref && Finite(az) ? static_cast<float>(az - median(ref_azimuth_)) : kNaN);
  in.push_back(!ref_elevation_.empty() && Finite(el) ? static_cast<float>(el - median(ref_elevation_)) : kNaN);
  const float depth = row.values[kDepthMm];
  const double ref_depth = ref_depth_.empty() ? 0.0 : median(ref_depth_);
  in.push_back(Finite(depth) && ref_depth > 0.0 ? static_cast<float>(depth / ref_depth) : kNaN);
  in.push_back(last_shift_ ? static_cast<float>(std::min<std::int64_t>(e - *last_shift_, 240)) : kNaN);
  in.push_back(tracked_start_ ? static_cast<float>(shifts_) : kNaN);
  in.push_back(tracked_start_ ? static_cast<float>(e - *tracked_start_) : kNaN);
  in.push_back(session_start_ ? static_cast<float>(e - *session_start_) : kNaN);
  in.push_back(last_movement_ ? static_cast<float>(std::min<std::int64_t>(e - *last_movement_, 240)) : kNaN);
  return in;
}

std::vector<std::string> FeatureContext::StagingInputNames() const {
  std::vector<std::string> names;
  for (const char* n : BaseFeatureNames()) names.push_back(n);
  const auto& base = BaseFeatureNames();
  for (BaseFeature k : kContextFeatures) {
    const std::string f = base[static_cast<std::size_t>(k)];
    for (int lag = 1; lag <= 2; ++lag) names.push_back(f + "_lag" + std::to_string(lag));
    for (int lead = 1; lead <= config_.lookahead_epochs; ++lead) names.push_back(f + "_lead" + std::to_string(lead));
    names.push_back(f + "_mean_short");
    names.push_back(f + "_mean_long");
  }
  for (BaseFeature k : kSpreadFeatures) {
    const std::string f = base[static_cast<std::size_t>(k)];
    names.push_back(f + "_sd_short");
    names.push_back(f + "_sd_long");
  }
  names.push_back("rate_minus_session_mean_bpm");
  names.push_back("depth_over_session_mean");
  names.push_back("rate_short_minus_session_mean_bpm");
  names.push_back("movement_epochs_short");
  names.push_back("movement_epochs_long");
  names.push_back("epochs_since_movement");
  names.push_back("epochs_since_session");
  names.push_back("epochs_since_intent");
  return names;
}

std::vector<float> FeatureContext::StagingInputs(std::int64_t epoch,
                                                 std::optional<std::int64_t> intent_start_epoch) const {
  std::vector<float> in;
  const EpochFeatures* row = Row(epoch);
  if (row == nullptr) throw std::invalid_argument("FeatureContext::StagingInputs: epoch not held");
  auto value = [&](std::int64_t e, BaseFeature k) {
    const EpochFeatures* r = Row(e);
    return r == nullptr ? kNaN : r->values[static_cast<std::size_t>(k)];
  };
  const std::int64_t newest = rows_.back().epoch;
  const std::int64_t lead_end = std::min<std::int64_t>(newest, epoch + config_.lookahead_epochs);
  in.insert(in.end(), row->values.begin(), row->values.end());
  std::vector<float> window;
  auto window_stats = [&](BaseFeature k, int past, float* mean, float* sd) {
    window.clear();
    for (std::int64_t e = epoch - past + 1; e <= lead_end; ++e) window.push_back(value(e, k));
    MeanSd(window, mean, sd);
  };
  for (BaseFeature k : kContextFeatures) {
    for (int lag = 1; lag <= 2; ++lag) in.push_back(value(epoch - lag, k));
    for (int lead = 1; lead <= config_.lookahead_epochs; ++lead) {
      in.push_back(epoch + lead <= lead_end ? value(epoch + lead, k) : kNaN);
    }
    float mean = kNaN, sd = kNaN;
    window_stats(k, config_.short_window_epochs, &mean, &sd);
    in.push_back(mean);
    window_stats(k, config_.long_window_epochs, &mean, &sd);
    in.push_back(mean);
  }
  for (BaseFeature k : kSpreadFeatures) {
    float mean = kNaN, sd = kNaN;
    window_stats(k, config_.short_window_epochs, &mean, &sd);
    in.push_back(sd);
    window_stats(k, config_.long_window_epochs, &mean, &sd);
    in.push_back(sd);
  }
  const float rate = row->values[kRateBpm];
  const float depth = row->values[kDepthMm];
  const bool norm = rate_n_ > 0;
  const double rate_mean = norm ? rate_sum_ / rate_n_ : 0.0;
  const double depth_mean = norm ? depth_sum_ / rate_n_ : 0.0;
  in.push_back(norm && Finite(rate) ? static_cast<float>(rate - rate_mean) : kNaN);
  in.push_back(norm && Finite(depth) && depth_mean > 0.0 ? static_cast<float>(depth / depth_mean) : kNaN);
  float short_rate = kNaN, unused = kNaN;
  window_stats(kRateBpm, config_.short_window_epochs, &short_rate, &unused);
  in.push_back(norm && Finite(short_rate) ? static_cast<float>(short_rate - rate_mean) : kNaN);
  auto movement_epochs = [&](int past) {
    int moving = 0;
    for (std::int64_t e = epoch - past + 1; e <= lead_end; ++e) {
      const float m = value(e, kMovement);
      moving += Finite(m) && m > config_.movement_threshold;
    }
    return static_cast<float>(moving);
  };
  in.push_back(movement_epochs(config_.short_window_epochs));
  in.push_back(movement_epochs(config_.long_window_epochs));
  // Epochs since the latest movement epoch at or before `epoch` (leads excluded:
  // they are in the lead features already).
  float since_movement = kNaN;
  for (std::int64_t e = epoch; e >= rows_.front().epoch; --e) {
    const float m = value(e, kMovement);
    if (Finite(m) && m > config_.movement_threshold) {
      since_movement = static_cast<float>(epoch - e);
      break;
    }
  }
  if (!Finite(since_movement) && last_movement_ && *last_movement_ <= epoch) {
    since_movement = static_cast<float>(epoch - *last_movement_);
  }
  if (!Finite(since_movement)) since_movement = static_cast<float>(config_.long_window_epochs + 1);
  in.push_back(since_movement);
  in.push_back(session_start_ && *session_start_ <= epoch ? static_cast<float>(epoch - *session_start_) : kNaN);
  in.push_back(intent_start_epoch && *intent_start_epoch <= epoch ? static_cast<float>(epoch - *intent_start_epoch)
                                                                    : kNaN);
  return in;
}

}  // namespace nightsim::pipeline
