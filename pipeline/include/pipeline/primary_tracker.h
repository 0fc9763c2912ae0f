#pragma once
/// \file
/// Primary-user tracking: which respiration-bearing cell belongs to the person the
/// device is set up for, through posture changes, restroom trips, partners and pets.

#include <vector>

#include "frame/pipeline_api.h"
#include "pipeline/cell_assessment.h"

namespace nightsim::pipeline {

/// Settings of PrimaryTracker. The device sits on the nightstand on the user's side
/// of the bed, so the primary is the nearest person; the partner is farther away.
struct TrackerConfig {
  double min_range_m{0.2};                  ///< nearer cells are the nightstand itself
  double acquire_max_range_m{1.0};          ///< a new primary is acquired only this close
  double track_max_range_m{1.3};            ///< an existing track may drift this far (user rolls inward)
  double max_foot_side_azimuth_rad{1.05};   ///< azimuth limit toward the foot of the bed
  /// Azimuth limit toward the headboard. The whole map grid by default: a device
  /// turned away from the bed sees its user on this side, while the head wall's
  /// mirror images of the user lie beyond the grid and farther than the user.
  double max_head_side_azimuth_rad{1.05};
  double max_abs_elevation_rad{0.9};        ///< beyond: floor/ceiling reflections
  double min_quality{0.35};                 ///< respiration quality of a person's cell
  double human_min_rate_bpm{5.0};           ///< breathing-rate range of an adult
  double human_max_rate_bpm{24.0};          ///< cats and dogs breathe 16–30 /min: the upper part is theirs;
                                            ///< a body breathing faster is not acquired as a person
  /// A tracked sleeper's cells still count up to this rate: REM breathing reaches
  /// 24 /min and a cell's rate estimate scatters around it.
  double track_max_rate_bpm{30.0};
  double min_reflectivity_db{45.0};         ///< range-compensated strength, dB(Hz) (CellAssessment), of any
                                            ///< cell of a body worth following (weak parts, a shadowed partner)
  /// The strongest cell of a body must reach this range-compensated strength, dB(Hz),
  /// for the body to be a person: acquired as the primary, or present without a track.
  /// With the reference radar a sleeper's near side reads 67–73 dB(Hz) (63 at worst over
  /// whole nights), a 4.5-kg cat 52–55, a 12-kg dog ~3 dB more; the person 0.33 m from
  /// the shared BGT60TR13C recording's unit reads 60 (simulated there: 63–66).
  double person_min_reflectivity_db{59.0};
  /// A person breathes at least this fast: an oscillating fan's head sweep (periods
  /// of 10–30 s) shows as a smooth, strong "breather" at 4–8 /min. Adults asleep
  /// breathe 9–24 /min; a tracked sleeper's slower cells still count (human_min_rate_bpm).
  double person_min_rate_bpm{8.0};
  /// A person's breathing moves the best cell by at most this much (5–95 % spread,
  /// CellAssessment::depth_mm): a chest wall breathes 1–12 mm from the front, ≤ 10 mm
  /// in every cell of whole simulated nights; a fan's sweeping head 20–26 mm.
  double person_max_depth_mm{15.0};
  double max_fast_ratio{0.35};              ///< a breathing cell changes smoothly (CellAssessment::fast_ratio);
                                            ///< above this it is a fan or constant movement
  double body_gap_m{0.15};                  ///< human cells closer than this in range are one body
  double acquire_confirm_s{10.0};           ///< an eligible body must persist this long to be acquired
  double acquire_gap_s{6.0};                ///< updates without it shorter than this do not restart that
  double gate_range_m{0.25};                ///< association gate in range (posture changes move the chest)
  double gate_azimuth_rad{0.6};             ///< association gate in azimuth
  double lost_after_s{30.0};                ///< no breathing and no movement at the track this long: gone
  double closer_margin_m{0.25};             ///< a person this much nearer than the track ...
  double switch_confirm_s{30.0};            ///< ... for this long becomes the primary
  double rate_change_bpm{5.0};              ///< a rate this different from the track's ...
  double reflectivity_drop_db{10.0};        ///< ... or a reflector this much weaker ...
  double pattern_confirm_s{20.0};           ///< ... for this long triggers a reassessment
  double track_alpha{0.2};                  ///< EMA weight of a new association in the track state
  // --- a lone sleeper beyond the near zone (a device placed away from the bed)
  /// Cells beyond this range come from the far search only (TrackingPipeline sets it to
  /// its zone_max_range_m): they serve the lone-far-sleeper rule and nothing else.
  double near_zone_max_range_m{1.5};
  /// A person is acquired beyond acquire_max_range_m only from this range on, when no
  /// other breathing body is seen anywhere and nobody is near: the strongest part of a
  /// partner beside a bedside user lies within one double bed's width (≤ 1.8 m) of
  /// the device, so a lone body farther than that is the user of a device standing
  /// away from the bed.
  double far_acquire_min_range_m{1.9};
  double far_acquire_max_range_m{2.4};      ///< farthest range of such a track
  double far_acquire_confirm_s{60.0};       ///< the lone far body must persist this long (stricter than near)
  double far_body_gap_m{0.25};              ///< beyond the near zone, breathing cells this close (same direction
                                            ///< and rate) are one body: a far torso's near side and centre
  double far_body_depth_m{0.4};             ///< bodies this deep behind the nearest, in its direction and at its rate, are one torso
  double far_body_azimuth_rad{0.25};        ///< "its direction" (0.55 m across at 2.2 m: a partner beside is farther)
};

/// The tracker's output at one update.
struct TrackState {
  bool tracking{false};      ///< the primary is being tracked
  int cell{-1};              ///< index of the primary's cell in the Update() input, −1 when none
  double range_m{0.0};       ///< track range (smoothed)
  double azimuth_rad{0.0};   ///< track azimuth (smoothed)
  double rate_bpm{0.0};      ///< track breathing rate (smoothed)
  double quality{0.0};       ///< quality of the associated cell, 0 when none
  bool coasting{false};      ///< tracking without a breathing cell (moving or briefly lost)
  bool acquiring{false};     ///< searching, with an eligible person being confirmed
  double acquiring_quality{0.0};  ///< quality of that person's cell
  int acquiring_cell{-1};    ///< index of that cell in the Update() input, −1 when none
  /// Best respiration quality of a person (IsPerson) other than the tracked one
  /// anywhere in the cells given, 0 when none: someone is in bed even when the
  /// primary is not (a partner alone).
  double other_person_quality{0.0};
};

/// Follows the primary user. Pure function of its inputs and history: deterministic.
class PrimaryTracker {
 public:
  /// Throws std::invalid_argument on inconsistent settings.
  PrimaryTracker(TrackerConfig config, BedSide bed_side);

  /// One update with the assessed cells of this instant. `motion_near_track` says
  /// whether there was gross movement around the current track (a person turning
  /// over or getting up), which keeps the track alive without a breathing cell.
  TrackState Update(double time_s, const std::vector<CellAssessment>& cells, bool motion_near_track);

  /// True when `cell` looks like a person's breathing: quality, adult rate range,
  /// smooth (not decorrelated) motion, reflector strength, field of view.
  bool IsHumanLike(const CellAssessment& cell) const;

  const TrackState& state() const { return state_; }

 private:
  // A body being confirmed for acquisition. An update without it shorter than
  // acquire_gap_s, or a move within gate_range_m, does not restart the confirmation.
  struct Candidate {
    double since_s{-1.0};  // first seen, −1 when none
    double seen_s{-1.0};   // last seen
    double range_m{0.0};   // where
  };
  // Forgets `c` once it has been unseen longer than acquire_gap_s.
  void Unseen(Candidate* c, double time_s) const;
  // Notes `c` seen at `range_m`; returns how long it has been confirmed, seconds.
  double Seen(Candidate* c, double time_s, double range_m) const;
  struct Body {
    int best{-1};       // best-quality cell (its quality and rate speak for the body)
    int strongest{-1};  // strongest cell (the body's position: a torso's near side)
    bool person{false}; // strong, and breathing at an adult's rate and depth
  };
  // Breathing of any body (person or pet): IsHumanLike up to track_max_rate_bpm.
  bool IsBreathing(const CellAssessment& cell) const;
  void ClusterBodies(const std::vector<CellAssessment>& cells);
  // Strongest cell of the nearest person within max_range_m, −1 when none.
  int NearestPerson(const std::vector<CellAssessment>& cells, double max_range_m) const;
  // Strongest cell of the only breathing body in view when it is a person in the far
  // acquisition ring and nothing breathes within the near zone, −1 otherwise.
  int LoneFarPerson(const std::vector<CellAssessment>& cells) const;
  // True when every breathing body in view is one torso (none, or all within
  // far_body_depth_m of the nearest and at its rate).
  bool OneBodyInView(const std::vector<CellAssessment>& cells) const;
  // Strongest cell within the association gate of the track of a body strong enough to
  // be the tracked one, −1 when none.
  int AssociateCell(const std::vector<CellAssessment>& cells) const;
  // Index into bodies_ of the body holding `cell`, −1 when it is in none.
  int BodyOf(int cell) const { return body_of_cell_[static_cast<std::size_t>(cell)]; }
  // Sets state_.other_person_quality from the persons other than body `own_body`.
  void OtherPersons(const std::vector<CellAssessment>& cells, int own_body);
  void StartTrack(double time_s, const std::vector<CellAssessment>& cells, int index);
  void Lose();

  TrackerConfig config_;
  double foot_sign_;  // sign of azimuth toward the foot of the bed
  TrackState state_;
  std::vector<Body> bodies_;
  std::vector<int> body_of_cell_;  // per input cell: index into bodies_, −1 when not breathing
  double reflectivity_db_{0.0};
  double last_seen_s_{0.0};
  Candidate pending_;      // the nearest person, being confirmed
  double closer_since_s_{-1.0};
  double pattern_since_s_{-1.0};
  bool far_track_{false};           // the track came from the lone-far-sleeper rule
  Candidate far_;                   // the lone far body, being confirmed
  double crowded_since_s_{-1.0};    // a far track with another breathing body in view since
};

}  // namespace nightsim::pipeline
