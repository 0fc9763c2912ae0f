#pragma once
/// \file
/// BodyState: what the sleepers model says about a body at one instant, and all
/// that physics needs to place and move its scatterers. Truth, never pipeline input.

#include <Eigen/Core>
#include <string>

namespace nightsim {

/// Posture in body terms (not relative to the device: physics works that out).
/// Left/right side means lying on that side (left shoulder down for kLeftSide).
enum class Posture { kBack, kLeftSide, kRightSide, kFront, kSitting, kStanding };

/// Kind of living body.
enum class BodyKind { kPerson, kCat, kDog };

/// Fixed attributes of a body for the whole night.
struct BodySpec {
  std::string id;           ///< stable id from the scenario ("alice", "cat")
  BodyKind kind{BodyKind::kPerson};
  double height_m{1.70};    ///< standing height (people) or body length (pets)
  double mass_kg{70.0};
};

/// The instantaneous state of one body. Room frame: origin at a floor corner,
/// x along the room width, y along its length (the bed's head is at low y), z up.
struct BodyState {
  bool in_room{false};             ///< anywhere in the room (false: bathroom, away)
  bool in_bed{false};              ///< lying or sitting on the bed
  Eigen::Vector3d torso_m{0, 0, 0};///< centre of the torso (people) / body (pets)
  double heading_rad{0.0};         ///< direction torso→head in the xy-plane (lying); facing direction (upright)
  Posture posture{Posture::kBack};
  Posture from_posture{Posture::kBack};  ///< posture being left during a transition
  double transition{1.0};          ///< 0 → from_posture … 1 → posture (1 when settled)
  double chest_m{0.0};             ///< chest-wall displacement along its outward normal (breathing)
  double abdomen_m{0.0};           ///< abdominal displacement along its outward normal (breathing)
  double heart_m{0.0};             ///< precordial displacement from the heartbeat
  double limb_m{0.0};              ///< current limb displacement (twitches, limb movements)
  double motion{0.0};              ///< 0..1 gross-movement intensity (turn-over, walking)
};

}  // namespace nightsim
