#pragma once
// Internal: where a body is, from its timeline. Shared by the truth builder and
// BodySignal so that the zone truth and the physics see the same positions.

#include <Eigen/Core>
#include <cmath>
#include <cstddef>

#include "sleepers/timeline.h"

namespace nightsim::sleepers::detail {

// Advances `index` so that states[index] is in force at t (t non-decreasing).
inline void AdvanceState(const BodyTimeline& tl, std::size_t& index, double t_s) {
  while (index + 1 < tl.states.size() && tl.states[index + 1].t_s <= t_s) ++index;
}

// Advances `index` to the last walk starting at or before t.
inline void AdvanceWalk(const BodyTimeline& tl, std::size_t& index, double t_s) {
  while (index + 1 < tl.walks.size() && tl.walks[index + 1].t0_s <= t_s) ++index;
}

// Torso centre height of a standing body: ≈ 0.68 of a person's height; a pet's body
// is a little above the floor.
inline double StandingTorsoZ(const BodyTimeline& tl) { return tl.is_person ? 0.68 * tl.spec.height_m : 0.22; }

// Torso position and heading at t given the state in force and the current walk.
inline void Locate(const BodyTimeline& tl, const StatePoint& s, std::size_t walk_index, double t_s,
                  Eigen::Vector3d* torso_m, double* heading_rad) {
  if (s.place == Place::kInBed) {
    *torso_m = tl.bed_torso_m;
    *heading_rad = tl.heading_in_bed_rad;
    if (tl.is_person) {
      if (s.posture == Posture::kSitting) {
        // Sitting up against the headboard: torso towards the head end and up.
        torso_m->y() -= 0.22;
        torso_m->z() += 0.30;
      } else if (s.posture == Posture::kLeftSide || s.posture == Posture::kRightSide) {
        torso_m->z() += 0.06;  // a side-lying torso is deeper than it is thick
      }
    }
    return;
  }
  if (tl.walks.empty()) {
    *torso_m = {tl.bed_torso_m.x(), tl.bed_torso_m.y(), StandingTorsoZ(tl)};
    *heading_rad = 0;
    return;
  }
  const Walk& w = tl.walks[walk_index];
  const double span = w.t1_s - w.t0_s;
  const double u = span > 0 ? std::clamp((t_s - w.t0_s) / span, 0.0, 1.0) : 1.0;
  const Eigen::Vector2d xy = w.from_m + u * (w.to_m - w.from_m);
  *torso_m = {xy.x(), xy.y(), StandingTorsoZ(tl)};
  const Eigen::Vector2d d = w.to_m - w.from_m;
  *heading_rad = d.squaredNorm() > 0 ? std::atan2(d.y(), d.x()) : 0.0;
}

}  // namespace nightsim::sleepers::detail
