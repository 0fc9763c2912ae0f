#include "pipeline/primary_tracker.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace nightsim::pipeline {

PrimaryTracker::PrimaryTracker(TrackerConfig config, BedSide bed_side) : config_(config) {
  const TrackerConfig& c = config_;
  if (!(c.min_range_m >= 0.0 && c.min_range_m < c.acquire_max_range_m && c.acquire_max_range_m <= c.track_max_range_m)) {
    throw std::invalid_argument("TrackerConfig: need 0 <= min_range_m < acquire_max_range_m <= track_max_range_m");
  }
  if (!(c.human_min_rate_bpm > 0.0 && c.human_max_rate_bpm > c.human_min_rate_bpm &&
        c.track_max_rate_bpm >= c.human_max_rate_bpm)) {
    throw std::invalid_argument("TrackerConfig: need 0 < human_min_rate_bpm < human_max_rate_bpm <= track_max_rate_bpm");
  }
  if (!(c.person_min_reflectivity_db >= c.min_reflectivity_db)) {
    throw std::invalid_argument("TrackerConfig: need person_min_reflectivity_db >= min_reflectivity_db");
  }
  if (!(c.person_min_rate_bpm >= c.human_min_rate_bpm && c.person_min_rate_bpm < c.human_max_rate_bpm &&
        c.person_max_depth_mm > 0.0)) {
    throw std::invalid_argument(
        "TrackerConfig: need human_min_rate_bpm <= person_min_rate_bpm < human_max_rate_bpm, person_max_depth_mm > 0");
  }
  if (!(c.far_acquire_min_range_m > c.acquire_max_range_m && c.far_acquire_max_range_m >= c.far_acquire_min_range_m &&
        c.far_acquire_confirm_s >= 0.0 && c.near_zone_max_range_m > 0.0)) {
    throw std::invalid_argument(
        "TrackerConfig: need acquire_max_range_m < far_acquire_min_range_m <= far_acquire_max_range_m, "
        "far_acquire_confirm_s >= 0, near_zone_max_range_m > 0");
  }
  if (!(c.track_alpha > 0.0 && c.track_alpha <= 1.0)) throw std::invalid_argument("TrackerConfig.track_alpha must be in (0, 1]");
  if (!(c.gate_range_m > 0.0 && c.gate_azimuth_rad > 0.0 && c.lost_after_s > 0.0 && c.body_gap_m >= 0.0 &&
        c.acquire_confirm_s >= 0.0 && c.acquire_gap_s >= 0.0 && c.switch_confirm_s >= 0.0 && c.pattern_confirm_s >= 0.0)) {
    throw std::invalid_argument("TrackerConfig: gates and durations must be positive");
  }
  // Device frame: x is the device's right. The device stands on the user's
  // nightstand at the head end looking across the bed. Lying on the back, the
  // user's left side of the bed is on their left; a device on that side looks
  // toward the user's right, so its right hand points to the headboard and the
  // foot of the bed lies at negative azimuth. The right side mirrors that.
  foot_sign_ = bed_side == BedSide::kLeft ? -1.0 : 1.0;
}

bool PrimaryTracker::IsBreathing(const CellAssessment& c) const {
  const double toward_foot = c.azimuth_rad * foot_sign_;
  const bool in_view = toward_foot >= 0.0 ? toward_foot <= config_.max_foot_side_azimuth_rad
                                          : -toward_foot <= config_.max_head_side_azimuth_rad;
  return in_view && std::abs(c.elevation_rad) <= config_.max_abs_elevation_rad && c.range_m >= config_.min_range_m &&
         c.quality >= config_.min_quality && c.rate_bpm >= config_.human_min_rate_bpm &&
         c.rate_bpm <= config_.track_max_rate_bpm && c.fast_ratio <= config_.max_fast_ratio &&
         c.reflectivity_db >= config_.min_reflectivity_db;
}

bool PrimaryTracker::IsHumanLike(const CellAssessment& c) const {
  return IsBreathing(c) && c.rate_bpm <= config_.human_max_rate_bpm;
}

void PrimaryTracker::ClusterBodies(const std::vector<CellAssessment>& cells) {
  // Cells arrive in increasing range; breathing cells chained by small range gaps
  // are one body. A body is a person when its strongest part is strong enough (a
  // pet's whole body is weaker than a torso's near side) and it breathes like an
  // adult: rate and depth (a fan's sweeping head is strong and smooth, but slower or
  // far deeper).
  bodies_.clear();
  body_of_cell_.assign(cells.size(), -1);
  double last_range_m = -1e9;
  int last_cell = -1;
  for (int i = 0; i < static_cast<int>(cells.size()); ++i) {
    const CellAssessment& c = cells[static_cast<std::size_t>(i)];
    if (!IsBreathing(c)) continue;
    // (The tolerance keeps bins exactly body_gap_m apart in one body whatever the rounding.)
    // A far-search cell never joins a near-zone body: near bodies stay what they were
    // without the far search.
    const bool crosses_zone = c.range_m > config_.near_zone_max_range_m && last_range_m <= config_.near_zone_max_range_m;
    // Far away a torso's near side and centre are separate peaks (~0.2 m apart, the
    // bins there being coarse against the body): they chain over far_body_depth_m.
    // A second sleeper close behind differs in direction or rate.
    const bool far_cell = c.range_m > config_.near_zone_max_range_m;
    const double gap_m = far_cell ? config_.far_body_gap_m : config_.body_gap_m;
    const bool far_apart = far_cell && !bodies_.empty() && !crosses_zone &&
                           (std::abs(c.azimuth_rad - cells[static_cast<std::size_t>(last_cell)].azimuth_rad) >
                                config_.far_body_azimuth_rad ||
                            std::abs(c.rate_bpm - cells[static_cast<std::size_t>(last_cell)].rate_bpm) >
                                config_.rate_change_bpm);
    if (bodies_.empty() || c.range_m - last_range_m > gap_m + 1e-6 || crosses_zone || far_apart) {
      bodies_.push_back({i, i, false});
    } else {
      Body& b = bodies_.back();
      if (c.quality > cells[static_cast<std::size_t>(b.best)].quality) b.best = i;
      if (c.reflectivity_db > cells[static_cast<std::size_t>(b.strongest)].reflectivity_db) b.strongest = i;
    }
    body_of_cell_[static_cast<std::size_t>(i)] = static_cast<int>(bodies_.size()) - 1;
    last_range_m = c.range_m;
    last_cell = i;
  }
  for (Body& b : bodies_) {
    const CellAssessment& strongest = cells[static_cast<std::size_t>(b.strongest)];
    const CellAssessment& best = cells[static_cast<std::size_t>(b.best)];
    b.person = strongest.reflectivity_db >= config_.person_min_reflectivity_db &&
               best.rate_bpm >= config_.person_min_rate_bpm && best.rate_bpm <= config_.human_max_rate_bpm &&
               best.depth_mm <= config_.person_max_depth_mm;
  }
}

int PrimaryTracker::NearestPerson(const std::vector<CellAssessment>& cells, double max_range_m) const {
  int best = -1;
  for (const Body& b : bodies_) {
    const double range_m = cells[static_cast<std::size_t>(b.strongest)].range_m;
    if (!b.person || range_m > max_range_m) continue;
    if (best < 0 || range_m < cells[static_cast<std::size_t>(best)].range_m) best = b.strongest;
  }
  return best;
}

bool PrimaryTracker::OneBodyInView(const std::vector<CellAssessment>& cells) const {
  // A far torso shows as separate peaks (its near side and its centre, ~0.2 m apart,
  // more than body_gap_m): breathing bodies count as one when they lie within
  // far_body_depth_m of the nearest, in its direction, and breathe at its rate. A pet
  // (faster) or a second sleeper at another depth, direction or rate makes them several.
  if (bodies_.empty()) return true;
  const CellAssessment& first = cells[static_cast<std::size_t>(bodies_.front().strongest)];
  const double rate_bpm = cells[static_cast<std::size_t>(bodies_.front().best)].rate_bpm;
  for (const Body& b : bodies_) {
    if (cells[static_cast<std::size_t>(b.strongest)].range_m - first.range_m > config_.far_body_depth_m ||
        std::abs(cells[static_cast<std::size_t>(b.strongest)].azimuth_rad - first.azimuth_rad) >
            config_.far_body_azimuth_rad ||
        std::abs(cells[static_cast<std::size_t>(b.best)].rate_bpm - rate_bpm) > config_.rate_change_bpm) {
      return false;
    }
  }
  return true;
}

int PrimaryTracker::LoneFarPerson(const std::vector<CellAssessment>& cells) const {
  // Exactly one breathing body in view (a pet, a fan or a second person anywhere makes
  // the lone-sleeper premise unsafe), a person, its near side in the far ring.
  if (bodies_.empty() || !bodies_.front().person || !OneBodyInView(cells)) return -1;
  const int strongest = bodies_.front().strongest;
  const double range_m = cells[static_cast<std::size_t>(strongest)].range_m;
  if (range_m < config_.far_acquire_min_range_m || range_m > config_.far_acquire_max_range_m) return -1;
  return strongest;
}

int PrimaryTracker::AssociateCell(const std::vector<CellAssessment>& cells) const {
  // Any cell within the gate of a body as strong as the tracked one has been keeps the
  // track (its rate may exceed an adult's at rest: REM, recovery breaths). "As strong"
  // is person-strong, or within reflectivity_drop_db of the track's strength: a
  // sleeper seen through the edge of the beam stays tracked below the person
  // threshold, while a pet in the user's warm spot is far weaker than the user was.
  // The strongest such cell gives the position, so the reported target stays on the
  // torso's near side rather than hopping with whichever of the chest, flank or
  // abdomen bins breathes best.
  const double min_strength_db =
      std::min(config_.person_min_reflectivity_db, reflectivity_db_ - config_.reflectivity_drop_db);
  int best = -1;
  for (int i = 0; i < static_cast<int>(cells.size()); ++i) {
    const CellAssessment& c = cells[static_cast<std::size_t>(i)];
    const int body = BodyOf(i);
    if (body < 0 ||
        cells[static_cast<std::size_t>(bodies_[static_cast<std::size_t>(body)].strongest)].reflectivity_db <
            min_strength_db ||
        c.range_m > (far_track_ ? config_.far_acquire_max_range_m : config_.track_max_range_m) ||
        std::abs(c.range_m - state_.range_m) > config_.gate_range_m ||
        std::abs(c.azimuth_rad - state_.azimuth_rad) > config_.gate_azimuth_rad) {
      continue;
    }
    if (best < 0 || c.reflectivity_db > cells[static_cast<std::size_t>(best)].reflectivity_db) best = i;
  }
  return best;
}

void PrimaryTracker::Unseen(Candidate* c, double time_s) const {
  if (c->since_s >= 0.0 && time_s - c->seen_s > config_.acquire_gap_s) c->since_s = -1.0;
}

double PrimaryTracker::Seen(Candidate* c, double time_s, double range_m) const {
  if (c->since_s < 0.0 || std::abs(range_m - c->range_m) > config_.gate_range_m ||
      time_s - c->seen_s > config_.acquire_gap_s) {
    c->since_s = time_s;
  }
  c->range_m = range_m;
  c->seen_s = time_s;
  return time_s - c->since_s;
}

void PrimaryTracker::StartTrack(double time_s, const std::vector<CellAssessment>& cells, int index) {
  const CellAssessment& cell = cells[static_cast<std::size_t>(index)];
  const Body& body = bodies_[static_cast<std::size_t>(BodyOf(index))];
  state_.tracking = true;
  state_.cell = index;
  state_.range_m = cell.range_m;
  state_.azimuth_rad = cell.azimuth_rad;
  state_.rate_bpm = cells[static_cast<std::size_t>(body.best)].rate_bpm;
  state_.quality = cells[static_cast<std::size_t>(body.best)].quality;
  state_.coasting = false;
  reflectivity_db_ = cell.reflectivity_db;
  last_seen_s_ = time_s;
  far_track_ = false;
  far_.since_s = -1.0;
  crowded_since_s_ = -1.0;
  pending_.since_s = -1.0;
  closer_since_s_ = -1.0;
  pattern_since_s_ = -1.0;
}

void PrimaryTracker::Lose() {
  state_ = TrackState{};
  far_track_ = false;
  far_.since_s = -1.0;
  crowded_since_s_ = -1.0;
  pending_.since_s = -1.0;
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
  state_.acquiring_cell = -1;
  state_.other_person_quality = 0.0;

  if (!state_.tracking) {
    // Acquisition: the nearest person on the user's side, confirmed over time.
    // A person settling into bed still shifts now and then, and an update without
    // breathing quality then does not restart the confirmation unless it lasts.
    const int c = NearestPerson(cells, config_.acquire_max_range_m);
    if (c < 0) {
      Unseen(&pending_, time_s);
      // Nobody near: a lone sleeper far away (the device stands away from the bed) is
      // the user, confirmed over a longer time than a near one.
      const int far = LoneFarPerson(cells);
      if (far < 0) {
        Unseen(&far_, time_s);
        OtherPersons(cells, -1);
        return state_;
      }
      if (Seen(&far_, time_s, cells[static_cast<std::size_t>(far)].range_m) >= config_.far_acquire_confirm_s) {
        StartTrack(time_s, cells, far);
        far_track_ = true;
      } else {
        state_.acquiring = true;
        state_.acquiring_cell = bodies_.front().best;
        state_.acquiring_quality = cells[static_cast<std::size_t>(state_.acquiring_cell)].quality;
      }
      OtherPersons(cells, 0);
      return state_;
    }
    far_.since_s = -1.0;
    if (Seen(&pending_, time_s, cells[static_cast<std::size_t>(c)].range_m) >= config_.acquire_confirm_s) {
      StartTrack(time_s, cells, c);
    } else {
      state_.acquiring = true;
      state_.acquiring_cell = bodies_[static_cast<std::size_t>(BodyOf(c))].best;
      state_.acquiring_quality = cells[static_cast<std::size_t>(state_.acquiring_cell)].quality;
    }
    OtherPersons(cells, BodyOf(c));
    return state_;
  }

  // A far track rests on being the only breathing body in view: another one (a
  // partner or a pet arriving) for pattern_confirm_s ends it, and the ordinary rules
  // (nearest person within acquire_max_range_m) take over.
  if (far_track_) {
    if (!OneBodyInView(cells)) {
      if (crowded_since_s_ < 0.0) crowded_since_s_ = time_s;
      if (time_s - crowded_since_s_ >= config_.pattern_confirm_s) {
        Lose();
        OtherPersons(cells, -1);
        return state_;
      }
    } else {
      crowded_since_s_ = -1.0;
    }
  }

  // Association: a person's cell within the gate. A body only outside the gate (a
  // distance jump) is not followed.
  const int assoc = AssociateCell(cells);
  if (assoc >= 0) {
    const CellAssessment& c = cells[static_cast<std::size_t>(assoc)];
    const Body& body = bodies_[static_cast<std::size_t>(BodyOf(assoc))];
    const CellAssessment& best = cells[static_cast<std::size_t>(body.best)];
    // An abrupt, sustained change of breathing rate or reflector strength in the
    // same place means another body may have taken it (the partner rolling into the
    // user's spot): reassess who is nearest.
    const bool changed = std::abs(best.rate_bpm - state_.rate_bpm) > config_.rate_change_bpm ||
                         c.reflectivity_db < reflectivity_db_ - config_.reflectivity_drop_db;
    if (changed) {
      if (pattern_since_s_ < 0.0) pattern_since_s_ = time_s;
    } else {
      pattern_since_s_ = -1.0;
    }
    if (changed && time_s - pattern_since_s_ >= config_.pattern_confirm_s) {
      const int nearest = NearestPerson(cells, config_.acquire_max_range_m);
      // A far track reassessed with nobody near: still the lone far body, if any (a
      // turn-over far away changes the strength of the torso's near side).
      const int far = far_track_ && nearest < 0 ? LoneFarPerson(cells) : -1;
      if (far >= 0) {
        StartTrack(time_s, cells, far);
        far_track_ = true;
        OtherPersons(cells, 0);
        return state_;
      }
      if (nearest < 0) {
        Lose();
        OtherPersons(cells, -1);
        return state_;
      }
      StartTrack(time_s, cells, nearest);
      OtherPersons(cells, BodyOf(nearest));
      return state_;
    }
    const double a = config_.track_alpha;
    state_.range_m += a * (c.range_m - state_.range_m);
    state_.azimuth_rad += a * (c.azimuth_rad - state_.azimuth_rad);
    if (!changed) {
      state_.rate_bpm += a * (best.rate_bpm - state_.rate_bpm);
      reflectivity_db_ += a * (c.reflectivity_db - reflectivity_db_);
    }
    state_.cell = assoc;
    state_.quality = best.quality;
    last_seen_s_ = time_s;
  } else {
    state_.coasting = true;
    if (motion_near_track) last_seen_s_ = time_s;  // a moving person is still there
    if (time_s - last_seen_s_ >= config_.lost_after_s) {
      Lose();  // left the bed (restroom) or the signal is gone
      OtherPersons(cells, -1);
      return state_;
    }
  }

  // "The person closest to the device": someone persistently nearer takes over.
  const int own_body = assoc >= 0 ? BodyOf(assoc) : -1;
  const int nearest = NearestPerson(cells, config_.acquire_max_range_m);
  const bool nearer = nearest >= 0 && BodyOf(nearest) != own_body &&
                      cells[static_cast<std::size_t>(nearest)].range_m < state_.range_m - config_.closer_margin_m;
  if (nearer) {
    if (closer_since_s_ < 0.0) closer_since_s_ = time_s;
    if (time_s - closer_since_s_ >= config_.switch_confirm_s) {
      StartTrack(time_s, cells, nearest);
      OtherPersons(cells, BodyOf(nearest));
      return state_;
    }
  } else {
    closer_since_s_ = -1.0;
  }
  OtherPersons(cells, own_body);
  return state_;
}

void PrimaryTracker::OtherPersons(const std::vector<CellAssessment>& cells, int own_body) {
  // Not the tracked (or candidate) body, nor, while the track coasts, a body at the
  // track: the primary lying still with a weak breathing return is not someone else.
  double best = 0.0;
  for (int i = 0; i < static_cast<int>(bodies_.size()); ++i) {
    const Body& b = bodies_[static_cast<std::size_t>(i)];
    if (!b.person || i == own_body) continue;
    // Far-search cells speak only for the lone-far-sleeper rule.
    if (cells[static_cast<std::size_t>(b.strongest)].range_m > config_.near_zone_max_range_m) continue;
    if (own_body < 0 && state_.tracking &&
        std::abs(cells[static_cast<std::size_t>(b.strongest)].range_m - state_.range_m) <= config_.gate_range_m) {
      continue;
    }
    best = std::max(best, cells[static_cast<std::size_t>(b.best)].quality);
  }
  state_.other_person_quality = best;
}

}  // namespace nightsim::pipeline
