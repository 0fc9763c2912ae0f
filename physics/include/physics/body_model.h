#pragma once
/// \file
/// Bodies as extended targets: a fixed set of point scatterers per body (chest wall,
/// flanks, back, abdomen, head, shoulders, arms, legs for a person; back, flanks and
/// head for a pet), placed and oriented by posture, each moving along its outward
/// normal with the breathing, heart and limb displacements of BodyState. Plus the
/// body as an occluder (shadowing of bodies behind it).

#include <Eigen/Core>
#include <array>

#include "core/body_state.h"

namespace nightsim::physics {

/// Most scatterers of one body.
inline constexpr int kMaxBodyParts = 16;
/// Scatterers of a person (fixed, whatever the posture).
inline constexpr int kPersonParts = 15;
/// Scatterers of a pet.
inline constexpr int kPetParts = 4;

/// One scatterer of a body at one instant.
struct BodyPart {
  Eigen::Vector3d rest_m{0, 0, 0};  ///< position at zero displacement, room frame
  Eigen::Vector3d normal{0, 0, 1};  ///< outward unit normal
  double displacement_m{0.0};       ///< current displacement along the normal
  double rcs_m2{0.0};               ///< RCS seen along the normal (0: invisible)
  double aspect_floor{0.05};        ///< power fraction seen edge-on or from behind
  bool breathing{false};            ///< displacement follows chest/abdomen/heart (changes every frame)
  bool pressed{false};              ///< lies against the mattress: not seen by the radar
  /// Position now: rest + displacement · normal.
  Eigen::Vector3d Position() const { return rest_m + displacement_m * normal; }
};

/// The scatterers of one body. `count` depends only on the body's kind.
struct BodyParts {
  std::array<BodyPart, kMaxBodyParts> part;
  int count{0};
};

/// How a scatterer's displacement along its normal follows the body's signals:
/// d = chest · chest_m + abdomen · abdomen_m + heart · heart_m + limb · limb_m.
struct DisplacementWeights {
  double chest{0.0};
  double abdomen{0.0};
  double heart{0.0};
  double limb{0.0};
  /// The displacement in state `s`, metres (the value BuildBodyParts gives the part).
  double Of(const BodyState& s) const { return chest * s.chest_m + abdomen * s.abdomen_m + heart * s.heart_m + limb * s.limb_m; }
};

/// Displacement weights of scatterer `index` of a body of `kind` (all zero out of range).
DisplacementWeights PartDisplacementWeights(BodyKind kind, int index);

/// Name of scatterer `index` of a body of `kind` ("chest", "abdomen", "head" …).
const char* PartName(BodyKind kind, int index);

/// Scatterers of `spec` in state `state` (in or out of the room alike). People scale
/// with height (positions) and mass (RCS ∝ m^(2/3)); chest-wall RCS −10 dBsm for a
/// 70 kg adult. Displacements: chest front = chest_m + heart_m, flanks 0.4·chest_m
/// (0.3·abdomen_m), back 0.05·chest_m (0.03·abdomen_m), abdomen = abdomen_m, arms and
/// legs = limb_m. Lying postures turn about the body axis (back 0°, left side +90°,
/// front 180°, right side −90°); a transition interpolates that roll angle, other
/// transitions interpolate positions and normals. In bed, parts whose normal points
/// down (n·z < −0.7) are pressed into the mattress.
BodyParts BuildBodyParts(const BodySpec& spec, const BodyState& state);

/// A body as an occluder: a capsule around the torso (lying, sitting) or the whole
/// body (standing). Pets do not occlude (radius 0).
struct Capsule {
  Eigen::Vector3d a_m{0, 0, 0};
  Eigen::Vector3d b_m{0, 0, 0};
  double radius_m{0.0};
};

/// The occluding capsule of a body.
Capsule BodyCapsule(const BodySpec& spec, const BodyState& state);

/// One-way amplitude transmission through a fully blocking body (−10.5 dB; −21 dB round trip).
inline constexpr double kBlockedLegTransmission = 0.3;

/// One-way amplitude transmission of the segment from → to past capsule `c`: 1 when the
/// segment clears the axis by the radius, kBlockedLegTransmission within half the
/// radius, linear in between.
double LegTransmission(const Eigen::Vector3d& from, const Eigen::Vector3d& to, const Capsule& c);

}  // namespace nightsim::physics
