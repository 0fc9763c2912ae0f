#include "pipeline/tracking_pipeline.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace nightsim::pipeline {

namespace {

void Require(bool ok, const char* field, const char* expected) {
  if (!ok) throw std::invalid_argument(std::string("TrackingConfig.") + field + ": " + expected);
}

double Median(std::vector<double>* v) {
  if (v->empty()) return 0.0;
  const std::size_t mid = v->size() / 2;
  std::nth_element(v->begin(), v->begin() + static_cast<std::ptrdiff_t>(mid), v->end());
  double m = (*v)[mid];
  if (v->size() % 2 == 0) m = 0.5 * (m + *std::max_element(v->begin(), v->begin() + static_cast<std::ptrdiff_t>(mid)));
  return m;
}

}  // namespace

void TrackingConfig::Validate() const {
  Require(phase_sign == 1.0 || phase_sign == -1.0, "phase_sign", "must be +1 or -1");
  Require(block_s > 0.0, "block_s", "must be > 0");
  Require(map_window_s >= block_s, "map_window_s", "must be >= block_s");
  Require(num_angles >= 2, "num_angles", "must be >= 2");
  Require(max_abs_azimuth_rad > 0.0 && max_abs_azimuth_rad < 1.5707963, "max_abs_azimuth_rad", "must be in (0, π/2)");
  Require(capon_loading >= 0.0, "capon_loading", "must be >= 0");
  Require(zone_max_range_m > tracker.min_range_m, "zone_max_range_m", "must exceed tracker.min_range_m");
  Require(min_peak_separation_bins >= 1, "min_peak_separation_bins", "must be >= 1");
  Require(max_cells >= 1, "max_cells", "must be >= 1");
  Require(far_max_cells >= 0, "far_max_cells", "must be >= 0");
  Require(noise_tau_s > 0.0, "noise_tau_s", "must be > 0");
  Require(cell.window_s >= 4.0 * block_s, "cell.window_s", "must be >= 4 block_s");
  Require(motion_ratio_threshold > 0.0 && motion_ratio_threshold <= 1.0, "motion_ratio_threshold", "must be in (0, 1]");
  Require(motion_margin_m > 0.0, "motion_margin_m", "must be > 0");
  Require(presence_quality_ref > 0.0, "presence_quality_ref", "must be > 0");
  Require(other_person_hold_s >= 0.0, "other_person_hold_s", "must be >= 0");
  Require(decision_lag_s >= 0.0, "decision_lag_s", "must be >= 0");
  Require(rate_margin_s >= 0.0, "rate_margin_s", "must be >= 0");
  Require(min_rate_window_s > 0.0, "min_rate_window_s", "must be > 0");
  Require(min_rate_bpm > 0.0 && max_rate_bpm > min_rate_bpm, "min_rate_bpm", "need 0 < min_rate_bpm < max_rate_bpm");
  Require(finalize_delay_s >= decision_lag_s && finalize_delay_s >= rate_margin_s + block_s, "finalize_delay_s",
          "must cover decision_lag_s and rate_margin_s + block_s (causality)");
  Require(stream_buffer_s > 0.0, "stream_buffer_s", "must be > 0");
  Require(leakage_cells >= 0.0, "leakage_cells", "must be >= 0");
  // Stage configs validate themselves on construction; check them early too.
  PresenceDetector{presence};
  PrimaryTracker{tracker, BedSide::kLeft};
}

namespace {

// One past the last bin within `cells` range resolutions of range 0 (the transmitter's
// leakage). An FMCW sensor resolves c / 2B; a pulsed one (no swept bandwidth) is
// taken to resolve its point spacing. A bin exactly at the limit is beyond it.
int LeakageEndBin(const RadarInfo& radar, double cells) {
  const double resolution_m = radar.bandwidth_hz > 0.0 ? 299792458.0 / (2.0 * radar.bandwidth_hz) : radar.range_bin_m;
  const double bins = (cells * resolution_m - radar.range_start_m) / radar.range_bin_m;
  return static_cast<int>(std::ceil(bins - 1e-9));
}

// The tracker tells far-search cells from near ones by the detection zone.
TrackerConfig TrackerFor(const TrackingConfig& c) {
  TrackerConfig t = c.tracker;
  t.near_zone_max_range_m = c.zone_max_range_m;
  return t;
}

}  // namespace

struct TrackingPipeline::Stages {
  Stages(const TrackingConfig& c, const RadarInfo& radar, const AppSettings& settings, int num_rx, int num_bins,
         int stats_bins, int frames_per_block)
      : model(MakeArrayModel(radar, c.phase_sign)),
        stats(num_rx, stats_bins, std::max(1, static_cast<int>(std::lround(c.map_window_s / c.block_s)))),
        ring(std::max(frames_per_block, static_cast<int>(std::lround(c.cell.window_s * radar.frame_rate_hz))), num_rx,
             num_bins),
        map(model, c.beamformer, c.num_angles, c.max_abs_azimuth_rad, c.capon_loading),
        assessor(model, c.cell, radar.frame_rate_hz, radar.integration_s()),
        tracker(TrackerFor(c), settings.bed_side),
        presence(c.presence),
        breath(c.breath) {}
  ArrayModel model;
  BinStatistics stats;
  FrameRing ring;
  RangeAngleMap map;
  CellAssessor assessor;
  PrimaryTracker tracker;
  PresenceDetector presence;
  BreathDetector breath;
  std::unique_ptr<RangeFft> fft;
};

TrackingPipeline::TrackingPipeline(TrackingConfig config) : config_(std::move(config)) { config_.Validate(); }

TrackingPipeline::~TrackingPipeline() = default;

void TrackingPipeline::Start(const RadarInfo& radar, const AppSettings& settings) {
  if (!(radar.frame_rate_hz > 0.0)) throw std::invalid_argument("RadarInfo.frame_rate_hz must be > 0");
  if (radar.range_bins < 1 || !(radar.range_bin_m > 0.0)) {
    throw std::invalid_argument("RadarInfo: range_bins and range_bin_m must be positive");
  }
  if (!(settings.epoch_s > 0.0)) throw std::invalid_argument("AppSettings.epoch_s must be > 0");
  radar_ = radar;
  settings_ = settings;
  num_rx_ = static_cast<int>(radar.rx.size());
  num_bins_ = radar.range_bins;
  frames_per_block_ = std::max(1, static_cast<int>(std::lround(config_.block_s * radar.frame_rate_hz)));
  // Statistics only cover the detection zone (plus the neighbour a peak test needs
  // and a margin): bins beyond it are never examined, and skipping them saves work.
  stats_bins_ = std::min(num_bins_, LastBinWithin(config_.zone_max_range_m) + 4);
  all_bins_ = std::max(stats_bins_, std::min(num_bins_, LastBinWithin(config_.far_zone_max_range_m) + 4));
  // The nearest bin a cell may come from: beyond the nightstand (tracker.min_range_m)
  // and beyond the transmitter's leakage into the receivers, which every real sensor
  // shows at range 0, spread over the main lobe of its range response.
  first_cell_bin_ = std::max(0, std::max(FirstBinFrom(config_.tracker.min_range_m),
                                         LeakageEndBin(radar, config_.leakage_cells)));
  stages_ = std::make_unique<Stages>(config_, radar, settings, num_rx_, num_bins_, all_bins_, frames_per_block_);
  started_ = true;
  frames_in_block_ = 0;
  last_frame_s_ = 0.0;
  any_frame_ = false;
  last_update_s_ = -1.0;
  noise_var_ = 0.0;
  noise_init_ = false;
  profile_.assign(static_cast<std::size_t>(num_rx_) * num_bins_, {});
  fast_.assign(static_cast<std::size_t>(all_bins_), 0.0);
  dyn_.assign(static_cast<std::size_t>(all_bins_), 0.0);
  peaks_.clear();
  cells_.clear();
  records_.clear();
  stream_.clear();
  breaths_.clear();
  stream_out_.clear();
  features_out_.clear();
  stream_bin_ = -1;
  stream_last_s_ = -1.0;
  stream_last_mm_ = 0.0;
  next_epoch_ = 0;
  other_quality_ = 0.0;
  other_seen_s_ = -1e300;
}

int TrackingPipeline::FirstBinFrom(double range_m) const {
  return static_cast<int>(std::ceil((range_m - radar_.range_start_m) / radar_.range_bin_m));
}

int TrackingPipeline::LastBinWithin(double range_m) const {
  return static_cast<int>(std::floor((range_m - radar_.range_start_m) / radar_.range_bin_m));
}

double TrackingPipeline::LatencyS() const { return config_.finalize_delay_s; }

double TrackingPipeline::RespStreamLatencyS() const {
  return config_.block_s + (started_ ? 1.0 / radar_.frame_rate_hz : 0.0);
}

const TrackState& TrackingPipeline::track() const {
  static const TrackState kNone{};
  return stages_ ? stages_->tracker.state() : kNone;
}

const PresenceState& TrackingPipeline::presence() const {
  static const PresenceState kNone{};
  return stages_ ? stages_->presence.state() : kNone;
}

void TrackingPipeline::OnFrame(const RadarFrame& frame, std::vector<EpochEstimate>* out,
                               std::vector<AlarmDecision>* /*alarms*/) {
  if (!started_) throw std::invalid_argument("TrackingPipeline::OnFrame before Start");
  // Epochs whose latency bound has passed are final before this frame is seen.
  EmitReady(frame.time_s, out);
  const std::complex<float>* profile = nullptr;
  if (frame.level == RadarLevel::kRange) {
    if (frame.num_rx != num_rx_ || frame.num_bins != num_bins_ ||
        frame.range.size() != static_cast<std::size_t>(num_rx_) * num_bins_) {
      throw std::invalid_argument("range frame " + std::to_string(frame.index) + ": expected " +
                                  std::to_string(num_rx_) + " RX x " + std::to_string(num_bins_) + " bins");
    }
    profile = frame.range.data();
  } else if (frame.level == RadarLevel::kRaw) {
    if (frame.num_rx != num_rx_) throw std::invalid_argument("raw frame: RX count differs from RadarInfo");
    if (!stages_->fft) stages_->fft = std::make_unique<RangeFft>(frame.num_samples);
    stages_->fft->Transform(frame, num_bins_, &profile_);
    profile = profile_.data();
  } else {
    throw std::invalid_argument("TrackingPipeline needs range or raw frames, not the stream level");
  }
  stages_->stats.AddFrame(profile, num_bins_);
  stages_->ring.Push(profile, frame.time_s);
  last_frame_s_ = frame.time_s;
  any_frame_ = true;
  if (++frames_in_block_ >= frames_per_block_) {
    frames_in_block_ = 0;
    stages_->stats.EndBlock();
    Update(frame.time_s);
    last_update_s_ = frame.time_s;
  }
}

bool TrackingPipeline::MotionAround(double range_lo_m, double range_hi_m) const {
  const int lo = std::max(0, FirstBinFrom(range_lo_m));
  const int hi = std::min(all_bins_ - 1, LastBinWithin(range_hi_m));
  const double floor = num_rx_ * noise_var_;
  double fast = 0.0;
  double dyn = 0.0;
  for (int b = lo; b <= hi; ++b) {
    fast += std::max(0.0, fast_[static_cast<std::size_t>(b)] - floor);
    dyn += std::max(0.0, dyn_[static_cast<std::size_t>(b)] - floor);
  }
  // Gross movement decorrelates the signal from frame to frame, so its fast power is
  // a large share of the dynamic power; breathing rotates the phasor smoothly.
  return fast > std::pow(10.0, config_.motion_min_snr_db / 10.0) * floor && dyn > 0.0 &&
         fast / dyn > config_.motion_ratio_threshold;
}

void TrackingPipeline::Update(double time_s) {
  Stages& s = *stages_;
  // Noise floor: a low percentile over bins of the frame-difference power (white
  // noise gives num_rx·σ² there; bins with motion are a minority).
  scratch_.resize(static_cast<std::size_t>(stats_bins_));
  for (int b = 0; b < all_bins_; ++b) fast_[static_cast<std::size_t>(b)] = s.stats.FastPower(b);
  for (int b = 0; b < stats_bins_; ++b) scratch_[static_cast<std::size_t>(b)] = fast_[static_cast<std::size_t>(b)] / num_rx_;
  const std::size_t q = scratch_.size() / 4;
  std::nth_element(scratch_.begin(), scratch_.begin() + static_cast<std::ptrdiff_t>(q), scratch_.end());
  const double sample = std::max(scratch_[q], 1e-30);
  if (!noise_init_) {
    noise_var_ = sample;
    noise_init_ = true;
  } else {
    noise_var_ += (1.0 - std::exp(-config_.block_s / config_.noise_tau_s)) * (sample - noise_var_);
  }

  const int first_bin = first_cell_bin_;
  const int last_bin = std::min(stats_bins_ - 1, LastBinWithin(config_.zone_max_range_m));
  // Bartlett power ≤ trace (all power in one beam): a bin below the detection
  // threshold in trace cannot be a peak. (Capon power is below Bartlett's.)
  const double min_beam_power = std::pow(10.0, config_.detect_snr_db / 10.0) * noise_var_ / num_rx_;
  s.map.Compute(s.stats, first_bin, last_bin, min_beam_power);
  // The far search (PrimaryTracker's lone-far-sleeper rule) runs while nobody is
  // tracked or the track is a far one; its peaks come from a map of the far bins alone,
  // so the near zone's peaks are exactly those without it.
  const TrackState before = s.tracker.state();
  const int far_last_bin = std::min(all_bins_ - 1, LastBinWithin(config_.far_zone_max_range_m));
  const bool far_search = far_last_bin > last_bin && (!before.tracking || before.range_m > config_.zone_max_range_m);
  for (int b = 0; b < all_bins_; ++b) {
    const bool mapped = b >= first_bin && (b <= last_bin || (far_search && b <= far_last_bin));
    const double window = mapped ? s.stats.WindowCovariance(b).Trace() : 0.0;
    dyn_[static_cast<std::size_t>(b)] = std::max(window, s.stats.BlockVariance(b));
  }

  // Cells to assess: the strongest peaks, with the one nearest the track first so a
  // tracked person is never crowded out by stronger reflectors.
  peaks_ = s.map.DetectPeaks(s.stats, noise_var_, config_.detect_snr_db, config_.min_peak_separation_bins,
                             radar_.range_bin_m, radar_.range_start_m);
  far_peaks_.clear();
  if (far_search) {
    s.map.Compute(s.stats, last_bin + 1, far_last_bin, min_beam_power);
    far_peaks_ = s.map.DetectPeaks(s.stats, noise_var_, config_.detect_snr_db, config_.min_peak_separation_bins,
                                   radar_.range_bin_m, radar_.range_start_m);
    std::stable_sort(far_peaks_.begin(), far_peaks_.end(),
                     [](const CellPeak& a, const CellPeak& b) { return a.snr_db > b.snr_db; });
    if (static_cast<int>(far_peaks_.size()) > config_.far_max_cells) {
      far_peaks_.resize(static_cast<std::size_t>(config_.far_max_cells));
    }
    std::sort(far_peaks_.begin(), far_peaks_.end(), [](const CellPeak& a, const CellPeak& b) { return a.bin < b.bin; });
  }
  std::stable_sort(peaks_.begin(), peaks_.end(), [&](const CellPeak& a, const CellPeak& b) {
    if (before.tracking) {
      const bool na = std::abs(a.range_m - before.range_m) <= config_.tracker.gate_range_m;
      const bool nb = std::abs(b.range_m - before.range_m) <= config_.tracker.gate_range_m;
      if (na != nb) return na;
    }
    return a.snr_db > b.snr_db;
  });
  if (static_cast<int>(peaks_.size()) > config_.max_cells) peaks_.resize(static_cast<std::size_t>(config_.max_cells));
  std::sort(peaks_.begin(), peaks_.end(), [](const CellPeak& a, const CellPeak& b) { return a.bin < b.bin; });
  peaks_.insert(peaks_.end(), far_peaks_.begin(), far_peaks_.end());  // beyond every near peak: order kept

  cells_.clear();
  const bool ring_ready = s.ring.size() * 2 >= s.ring.capacity();
  if (ring_ready) {
    if (cell_displacement_.size() < peaks_.size()) {
      cell_displacement_.resize(peaks_.size());
      cell_times_.resize(peaks_.size());
    }
    const double floor = num_rx_ * noise_var_;
    for (std::size_t i = 0; i < peaks_.size(); ++i) {
      cells_.push_back(s.assessor.Assess(s.ring, peaks_[i], noise_var_));
      const std::size_t b = static_cast<std::size_t>(peaks_[i].bin);
      const double dyn = dyn_[b] - floor;
      cells_.back().fast_ratio = dyn > 0.0 ? std::clamp((fast_[b] - floor) / dyn, 0.0, 1.0) : 1.0;
      s.assessor.SwapSeries(&cell_displacement_[i], &cell_times_[i]);
    }
  }

  const double margin = config_.motion_margin_m;
  const bool moving = before.tracking ? MotionAround(before.range_m - margin, before.range_m + margin)
                                      : MotionAround(config_.tracker.min_range_m, config_.tracker.acquire_max_range_m);
  const TrackState track = s.tracker.Update(time_s, cells_, before.tracking && moving);

  // Presence evidence: a person's breathing (scaled by its quality); while tracked,
  // movement at the track (turning over) or a short coast keep it up.
  double evidence = 0.0;
  if (track.tracking) {
    if (track.cell >= 0) {
      evidence = track.quality / config_.presence_quality_ref;
    } else {
      evidence = moving ? 1.0 : 0.5;
    }
  } else if (track.acquiring) {
    evidence = track.acquiring_quality / config_.presence_quality_ref;
  }
  // Someone else in bed (a partner alone while the primary is away or not yet in
  // bed) is presence too, though not the primary's track.
  if (track.other_person_quality > 0.0) {
    other_quality_ = track.other_person_quality;
    other_seen_s_ = time_s;
  }
  if (time_s - other_seen_s_ <= config_.other_person_hold_s) {
    evidence = std::max(evidence, other_quality_ / config_.presence_quality_ref);
  }
  const PresenceState presence = s.presence.Update(time_s, evidence);

  // The respiration stream flows only above the presence threshold, from the
  // tracked cell — or from the cell it came from last time when that one is still
  // nearly as good, so the waveform does not hop between bins of one body.
  double quality = 0.0;
  if (track.tracking && track.cell >= 0 && presence.present) {
    const CellAssessment& tracked = cells_[static_cast<std::size_t>(track.cell)];
    quality = tracked.quality;
    bool done = false;
    if (stream_bin_ >= 0 && stream_bin_ != tracked.bin &&
        std::abs(stream_bin_ - tracked.bin) * radar_.range_bin_m <= config_.tracker.gate_range_m) {
      CellPeak sticky;
      sticky.bin = stream_bin_;
      sticky.range_m = radar_.range_start_m + stream_bin_ * radar_.range_bin_m;
      sticky.azimuth_rad = tracked.azimuth_rad;
      sticky.elevation_rad = tracked.elevation_rad;
      const CellAssessment alt = s.assessor.Assess(s.ring, sticky, noise_var_);
      if (alt.quality >= 0.7 * tracked.quality) {
        AppendStream(alt.bin, s.assessor.displacement_mm(), s.assessor.times_s(), !moving);
        done = true;
      }
    }
    if (!done) {
      AppendStream(tracked.bin, cell_displacement_[static_cast<std::size_t>(track.cell)],
                   cell_times_[static_cast<std::size_t>(track.cell)], !moving);
    }
  }

  SecondRecord r;
  r.time_s = time_s;
  r.confidence = presence.confidence;
  r.present = presence.present;
  r.session = presence.session;
  r.tracking = track.tracking;
  r.moving = moving && presence.present;
  r.quality = quality;
  r.range_m = track.tracking ? track.range_m : 0.0;
  r.azimuth_rad = track.tracking ? track.azimuth_rad : 0.0;
  r.elevation_rad = track.tracking && track.cell >= 0 ? cells_[static_cast<std::size_t>(track.cell)].elevation_rad
                                                      : std::numeric_limits<double>::quiet_NaN();
  records_.push_back(r);
  Prune();
}

void TrackingPipeline::AppendStream(int bin, const std::vector<double>& displacement_mm,
                                    const std::vector<double>& times_s, bool clean) {
  const std::size_t n = times_s.size();
  if (n == 0) return;
  // New samples: newer than what was emitted, and at most one block old so a
  // resumed stream does not replay the analysis window.
  const double frame_dt_s = 1.0 / radar_.frame_rate_hz;
  const double oldest_new_s = times_s.back() - config_.block_s + 0.5 * frame_dt_s;
  std::size_t j = 0;
  while (j < n && (times_s[j] <= stream_last_s_ || times_s[j] < oldest_new_s)) ++j;
  if (j == n) return;
  // Extractions of consecutive windows differ by an offset (unwrapping branch, arc
  // centre): align the new samples to the last emitted one at the same frame time.
  const bool contiguous = stream_last_s_ >= 0.0 && j > 0 && times_s[j - 1] == stream_last_s_;
  double offset = 0.0;
  if (contiguous) {
    offset = stream_last_mm_ - displacement_mm[j - 1];
  } else {
    offset = (stream_last_s_ >= 0.0 ? stream_last_mm_ : 0.0) - displacement_mm[j];
  }
  const bool new_segment = !contiguous || bin != stream_bin_;
  Stages& s = *stages_;
  for (std::size_t i = j; i < n; ++i) {
    const double v = displacement_mm[i] + offset;
    const std::optional<Breath> breath = s.breath.Push(times_s[i], v);
    if (breath) breaths_.push_back(*breath);
    stream_.push_back({times_s[i], v, clean, new_segment && i == j});
    stream_out_.push_back({times_s[i], v, new_segment && i == j, breath.has_value()});
  }
  stream_last_s_ = times_s.back();
  stream_last_mm_ = displacement_mm.back() + offset;
  stream_bin_ = bin;
  while (!stream_out_.empty() && stream_out_.front().time_s < stream_out_.back().time_s - config_.stream_buffer_s) {
    stream_out_.pop_front();
  }
}

void TrackingPipeline::EmitReady(double time_s, std::vector<EpochEstimate>* out) {
  while (static_cast<double>(next_epoch_ + 1) * settings_.epoch_s + config_.finalize_delay_s <= time_s) {
    EmitEpoch(next_epoch_++, out);
  }
  Prune();
}

void TrackingPipeline::EmitEpoch(std::int64_t epoch, std::vector<EpochEstimate>* out, bool at_end) {
  const double start_s = static_cast<double>(epoch) * settings_.epoch_s;
  const double end_s = start_s + settings_.epoch_s;
  // A recording that ends before the epoch's lagged decisions begin (shorter than
  // epoch start + decision_lag_s) would leave the epoch without any: its decisions are
  // then read without the lag, from the seconds of the epoch there are.
  double lag_s = config_.decision_lag_s;
  if (at_end && (records_.empty() || records_.back().time_s < start_s + lag_s)) lag_s = 0.0;
  RespirationFeatures f;
  f.epoch = epoch;
  f.start_s = start_s;

  // Per-second decisions, read decision_lag_s late: each decision summarises the
  // seconds before it.
  int n = 0, n_present = 0, n_session = 0, n_tracking = 0, n_moving = 0;
  double confidence = 0.0;
  double quality = 0.0;
  std::vector<double> ranges;
  std::vector<double> azimuths;
  std::vector<double> elevations;
  for (const SecondRecord& r : records_) {
    if (r.time_s < start_s + lag_s || r.time_s >= end_s + lag_s) continue;
    ++n;
    confidence += r.confidence;
    n_present += r.present;
    n_session += r.session;
    n_moving += r.moving;
    if (r.tracking) {
      ++n_tracking;
      quality += r.quality;
      ranges.push_back(r.range_m);
      azimuths.push_back(r.azimuth_rad);
      if (std::isfinite(r.elevation_rad)) elevations.push_back(r.elevation_rad);
    }
  }
  bool session = false;
  if (n > 0) {
    f.present = 2 * n_present >= n && n_present > 0;
    f.presence_confidence = confidence / n;
    session = 2 * n_session >= n && n_session > 0;
    f.tracking = 2 * n_tracking >= n && n_tracking > 0;
    f.movement = f.present ? static_cast<double>(n_moving) / n : 0.0;
    if (f.tracking) {
      f.signal_quality = quality / n_tracking;
      f.range_m = Median(&ranges);
      f.azimuth_rad = Median(&azimuths);
      if (!elevations.empty()) f.elevation_rad = Median(&elevations);
    }
  }

  if (f.tracking && f.present) {
    // Rate: autocorrelation over the longest clean contiguous stretch of the
    // primary's waveform within the epoch ± rate_margin_s, at half the frame rate.
    const double frame_dt_s = 1.0 / radar_.frame_rate_hz;
    const double lo_s = start_s - config_.rate_margin_s;
    const double hi_s = end_s + config_.rate_margin_s;
    std::size_t best_begin = 0, best_len = 0, run_begin = 0, run_len = 0;
    double previous_s = -1e300;
    for (std::size_t i = 0; i < stream_.size(); ++i) {
      const StreamPoint& p = stream_[i];
      const bool usable = p.clean && p.time_s >= lo_s && p.time_s < hi_s;
      if (usable && run_len > 0 && p.time_s - previous_s <= 1.5 * frame_dt_s) {
        ++run_len;
      } else if (usable) {
        run_begin = i;
        run_len = 1;
      } else {
        run_len = 0;
      }
      if (run_len > best_len) {
        best_len = run_len;
        best_begin = run_begin;
      }
      previous_s = p.time_s;
    }
    if (static_cast<double>(best_len) * frame_dt_s >= config_.min_rate_window_s) {
      scratch_.clear();
      for (std::size_t i = 0; i + 1 < best_len; i += 2) {
        scratch_.push_back(0.5 * (stream_[best_begin + i].displacement_mm + stream_[best_begin + i + 1].displacement_mm));
      }
      Detrend(&scratch_);
      const RateEstimate rate =
          EstimateRate(scratch_, 0.5 * radar_.frame_rate_hz, config_.min_rate_bpm, config_.max_rate_bpm);
      if (rate.valid && rate.periodicity >= config_.min_periodicity) {
        f.valid = true;
        f.rate_bpm = rate.rate_bpm;
        f.periodicity = rate.periodicity;
      }
    }
    // Breath statistics from the streaming detector.
    std::vector<double> intervals;
    std::vector<double> depths;
    for (const Breath& b : breaths_) {
      if (b.time_s < start_s || b.time_s >= end_s) continue;
      ++f.breath_count;
      if (b.interval_s > 0.0) intervals.push_back(b.interval_s);
      if (b.depth_mm > 0.0) depths.push_back(b.depth_mm);
    }
    if (!intervals.empty()) {
      double sum = 0.0, sum2 = 0.0;
      for (double v : intervals) {
        sum += v;
        sum2 += v * v;
      }
      const double k = static_cast<double>(intervals.size());
      f.interval_mean_s = sum / k;
      f.interval_sd_s = std::sqrt(std::max(0.0, sum2 / k - f.interval_mean_s * f.interval_mean_s));
      f.interval_cv = f.interval_sd_s / f.interval_mean_s;
      f.regularity = intervals.size() >= 2 ? std::clamp(1.0 - f.interval_cv, 0.0, 1.0) : 0.0;
    }
    f.depth_mm = Median(&depths);
  }

  EpochEstimate e;
  e.epoch = epoch;
  e.present = f.present;
  e.presence_confidence = std::clamp(f.presence_confidence, 0.0, 1.0);
  e.session = session;
  e.tracking = f.tracking;
  e.target_range_m = f.tracking ? f.range_m : 0.0;
  e.target_angle_rad = f.tracking ? f.azimuth_rad : 0.0;
  e.resp_rate_bpm = f.valid ? f.rate_bpm : 0.0;
  e.movement = f.movement;
  if (out != nullptr) out->push_back(e);
  features_out_.push_back(f);
}

void TrackingPipeline::Prune() {
  // Nothing before the next epoch's earliest window is needed again: memory stays
  // bounded by the latency, not the night.
  const double keep_from_s = static_cast<double>(next_epoch_) * settings_.epoch_s - config_.rate_margin_s - 1.0;
  while (!records_.empty() && records_.front().time_s < keep_from_s) records_.pop_front();
  while (!stream_.empty() && stream_.front().time_s < keep_from_s) stream_.pop_front();
  while (!breaths_.empty() && breaths_.front().time_s < keep_from_s) breaths_.pop_front();
}

void TrackingPipeline::Finish(std::vector<EpochEstimate>* out, std::vector<AlarmDecision>* /*alarms*/) {
  if (!started_ || !any_frame_) return;
  const double data_end_s = last_frame_s_ + 1.0 / radar_.frame_rate_hz;
  while (static_cast<double>(next_epoch_) * settings_.epoch_s < data_end_s - 1e-9) EmitEpoch(next_epoch_++, out, true);
  Prune();
}

void TrackingPipeline::TakeFeatures(std::vector<RespirationFeatures>* out) {
  out->insert(out->end(), features_out_.begin(), features_out_.end());
  features_out_.clear();
}

void TrackingPipeline::TakeRespStream(std::vector<RespSample>* out) {
  out->insert(out->end(), stream_out_.begin(), stream_out_.end());
  stream_out_.clear();
}

}  // namespace nightsim::pipeline
