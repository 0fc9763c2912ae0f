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
  double max_head_side_azimuth_rad{0.7};    ///< azimuth limit toward the headboard
  double max_abs_elevation_rad{0.9};        ///< beyond: floor/ceiling reflections
  double min_quality{0.35};                 ///< respiration quality of a person's cell
  double human_min_rate_bpm{5.0};           ///< breathing-rate range of an adult
  double human_max_rate_bpm{24.0};          ///< cats and dogs breathe 16–30 /min: the upper part is theirs
  double min_reflectivity_db{20.0};         ///< range-compensated strength (CellAssessment) of a torso;
                                            ///< a cat or a small dog is ~15 dB weaker
  double max_fast_ratio{0.35};              ///< a breathing cell changes smoothly (CellAssessment::fast_ratio);
                                            ///< above this it is a fan or constant movement
  double body_gap_m{0.15};                  ///< human cells closer than this in range are one body
  double acquire_confirm_s{10.0};           ///< an eligible body must persist this long to be acquired
  double gate_range_m{0.25};                ///< association gate in range (posture changes move the chest)
  double gate_azimuth_rad{0.6};             ///< association gate in azimuth
  double lost_after_s{30.0};                ///< no breathing and no movement at the track this long: gone
  double closer_margin_m{0.25};             ///< a person this much nearer than the track ...
  double switch_confirm_s{30.0};            ///< ... for this long becomes the primary
  double rate_change_bpm{5.0};              ///< a rate this different from the track's ...
  double reflectivity_drop_db{10.0};        ///< ... or a reflector this much weaker ...
  double pattern_confirm_s{20.0};           ///< ... for this long triggers a reassessment
  double track_alpha{0.2};                  ///< EMA weight of a new association in the track state
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
  struct Body {
    int cell{-1};  // best cell of the body
    double range_m{0.0};
  };
  void ClusterBodies(const std::vector<CellAssessment>& cells);
  int NearestEligible(const std::vector<CellAssessment>& cells, double max_range_m) const;
  void StartTrack(double time_s, const CellAssessment& cell, int index);
  void Lose();

  TrackerConfig config_;
  double foot_sign_;  // sign of azimuth toward the foot of the bed
  TrackState state_;
  std::vector<Body> bodies_;
  double reflectivity_db_{0.0};
  double last_seen_s_{0.0};
  double pending_range_m_{0.0};
  double pending_since_s_{-1.0};
  double closer_since_s_{-1.0};
  double pattern_since_s_{-1.0};
};

}  // namespace nightsim::pipeline
