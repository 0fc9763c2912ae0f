#include "pipeline/primary_tracker.h"

#include <cmath>
#include <stdexcept>

namespace nightsim::pipeline {

PrimaryTracker::PrimaryTracker(TrackerConfig config, BedSide bed_side) : config_(config) {
  const TrackerConfig& c = config_;
  if (!(c.min_range_m >= 0.0 && c.min_range_m < c.acquire_max_range_m && c.acquire_max_range_m <= c.track_max_range_m)) {
    throw std::invalid_argument("TrackerConfig: need 0 <= min_range_m < acquire_max_range_m <= track_max_range_m");
  }
  if (!(c.human_min_rate_bpm > 0.0 && c.human_max_rate_bpm > c.human_min_rate_bpm)) {
    throw std::invalid_argument("TrackerConfig: need 0 < human_min_rate_bpm < human_max_rate_bpm");
  }
  if (!(c.track_alpha > 0.0 && c.track_alpha <= 1.0)) throw std::invalid_argument("TrackerConfig.track_alpha must be in (0, 1]");
  if (!(c.gate_range_m > 0.0 && c.gate_azimuth_rad > 0.0 && c.lost_after_s > 0.0 && c.body_gap_m >= 0.0 &&
        c.acquire_confirm_s >= 0.0 && c.switch_confirm_s >= 0.0 && c.pattern_confirm_s >= 0.0)) {
    throw std::invalid_argument("TrackerConfig: gates and durations must be positive");
  }
  // Device frame: x is the device's right. The device stands on the user's
  // nightstand at the head end looking across the bed. Lying on the back, the
  // user's left side of the bed is on their left; a device on that side looks
  // toward the user's right, so its right hand points to the headboard and the
  // foot of the bed lies at negative azimuth. The right side mirrors that.
  foot_sign_ = bed_side == BedSide::kLeft ? -1.0 : 1.0;
}

bool PrimaryTracker::IsHumanLike(const CellAssessment& c) const {
  const double toward_foot = c.azimuth_rad * foot_sign_;
  const bool in_view = toward_foot >= 0.0 ? toward_foot <= config_.max_foot_side_azimuth_rad
                                          : -toward_foot <= config_.max_head_side_azimuth_rad;
  return in_view && std::abs(c.elevation_rad) <= config_.max_abs_elevation_rad && c.range_m >= config_.min_range_m &&
         c.quality >= config_.min_quality && c.rate_bpm >= config_.human_min_rate_bpm &&
         c.rate_bpm <= config_.human_max_rate_bpm && c.fast_ratio <= config_.max_fast_ratio &&
         c.reflectivity_db >= config_.min_reflectivity_db;
}

void PrimaryTracker::ClusterBodies(const std::vector<CellAssessment>& cells) {
  // Cells arrive in increasing range; human-like cells chained by small range
  // gaps are one body, represented by its best-quality cell.
  bodies_.clear();
  double last_range_m = -1e9;
  for (int i = 0; i < static_cast<int>(cells.size()); ++i) {
    const CellAssessment& c = cells[static_cast<std::size_t>(i)];
    if (!IsHumanLike(c)) continue;
    if (bodies_.empty() || c.range_m - last_range_m > config_.body_gap_m) {
      bodies_.push_back({i, c.range_m});
    } else {
      Body& b = bodies_.back();
      if (c.quality > cells[static_cast<std::size_t>(b.cell)].quality) {
        b.cell = i;
        b.range_m = c.range_m;
      }
    }
    last_range_m = c.range_m;
  }
}

int PrimaryTracker::NearestEligible(const std::vector<CellAssessment>& cells, double max_range_m) const {
  int best = -1;
  for (const Body& b : bodies_) {
    if (b.range_m > max_range_m) continue;
    if (best < 0 || b.range_m < cells[static_cast<std::size_t>(best)].range_m) best = b.cell;
  }
  return best;
}

void PrimaryTracker::StartTrack(double time_s, const CellAssessment& cell, int index) {
  state_.tracking = true;
  state_.cell = index;
  state_.range_m = cell.range_m;
  state_.azimuth_rad = cell.azimuth_rad;
  state_.rate_bpm = cell.rate_bpm;
  state_.quality = cell.quality;
  state_.coasting = false;
  reflectivity_db_ = cell.reflectivity_db;
  last_seen_s_ = time_s;
  pending_since_s_ = -1.0;
  closer_since_s_ = -1.0;
  pattern_since_s_ = -1.0;
}

void PrimaryTracker::Lose() {
  state_ = TrackState{};
  pending_since_s_ = -1.0;
  closer_since_s_ = -1.0;
  pattern_since_s_ = -1.0;
}

TrackState PrimaryTracker::Update(double time_s, const std::vector<CellAssessment>& cells, bool motion_near_track) {
  ClusterBodies(cells);
  state_.cell = -1;
  state_.quality = 0.0;
  state_.coasting = false;
  state_.acquiring = false;
  state_.acquiring_quality = 0.0;

  if (!state_.tracking) {
    // Acquisition: the nearest person on the user's side, confirmed over time.
    const int c = NearestEligible(cells, config_.acquire_max_range_m);
    if (c < 0) {
      pending_since_s_ = -1.0;
      return state_;
    }
    const CellAssessment& cell = cells[static_cast<std::size_t>(c)];
    if (pending_since_s_ < 0.0 || std::abs(cell.range_m - pending_range_m_) > config_.gate_range_m) {
      pending_since_s_ = time_s;
    }
    pending_range_m_ = cell.range_m;
    if (time_s - pending_since_s_ >= config_.acquire_confirm_s) {
      StartTrack(time_s, cell, c);
    } else {
      state_.acquiring = true;
      state_.acquiring_quality = cell.quality;
    }
    return state_;
  }

  // Association: the person's body within the gate, nearest to the track. A body
  // only outside the gate (a distance jump) is not followed.
  int assoc = -1;
  for (const Body& b : bodies_) {
    const CellAssessment& c = cells[static_cast<std::size_t>(b.cell)];
    if (std::abs(c.range_m - state_.range_m) > config_.gate_range_m ||
        std::abs(c.azimuth_rad - state_.azimuth_rad) > config_.gate_azimuth_rad || c.range_m > config_.track_max_range_m) {
      continue;
    }
    if (assoc < 0 || std::abs(c.range_m - state_.range_m) <
                         std::abs(cells[static_cast<std::size_t>(assoc)].range_m - state_.range_m)) {
      assoc = b.cell;
    }
  }

  if (assoc >= 0) {
    const CellAssessment& c = cells[static_cast<std::size_t>(assoc)];
    // An abrupt, sustained change of breathing rate or reflector strength in the
    // same place means another body may have taken it (the pet in the user's spot,
    // the partner rolling over): reassess who is nearest.
    const bool changed = std::abs(c.rate_bpm - state_.rate_bpm) > config_.rate_change_bpm ||
                         c.reflectivity_db < reflectivity_db_ - config_.reflectivity_drop_db;
    if (changed) {
      if (pattern_since_s_ < 0.0) pattern_since_s_ = time_s;
    } else {
      pattern_since_s_ = -1.0;
    }
    if (changed && time_s - pattern_since_s_ >= config_.pattern_confirm_s) {
      const int nearest = NearestEligible(cells, config_.acquire_max_range_m);
      if (nearest < 0) {
        Lose();
        return state_;
      }
      StartTrack(time_s, cells[static_cast<std::size_t>(nearest)], nearest);
      return state_;
    }
    const double a = config_.track_alpha;
    state_.range_m += a * (c.range_m - state_.range_m);
    state_.azimuth_rad += a * (c.azimuth_rad - state_.azimuth_rad);
    if (!changed) {
      state_.rate_bpm += a * (c.rate_bpm - state_.rate_bpm);
      reflectivity_db_ += a * (c.reflectivity_db - reflectivity_db_);
    }
    state_.cell = assoc;
    state_.quality = c.quality;
    last_seen_s_ = time_s;
  } else {
    state_.coasting = true;
    if (motion_near_track) last_seen_s_ = time_s;  // a moving person is still there
    if (time_s - last_seen_s_ >= config_.lost_after_s) {
      Lose();  // left the bed (restroom) or the signal is gone
      return state_;
    }
  }

  // "The person closest to the device": someone persistently nearer takes over.
  const int nearest = NearestEligible(cells, config_.acquire_max_range_m);
  if (nearest >= 0 && nearest != assoc &&
      cells[static_cast<std::size_t>(nearest)].range_m < state_.range_m - config_.closer_margin_m) {
    if (closer_since_s_ < 0.0) closer_since_s_ = time_s;
    if (time_s - closer_since_s_ >= config_.switch_confirm_s) {
      StartTrack(time_s, cells[static_cast<std::size_t>(nearest)], nearest);
    }
  } else {
    closer_since_s_ = -1.0;
  }
  return state_;
}

}  // namespace nightsim::pipeline
