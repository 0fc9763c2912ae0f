#pragma once
/// \file
/// Moving clutter: a fan (rotating blades on an oscillating head, plus its housing)
/// and a curtain (panels swaying along their normal). Positions are analytic
/// functions of time, so they can be evaluated at every chirp.

#include <Eigen/Core>
#include <array>

#include "core/scenario.h"

namespace nightsim::physics {

/// Most point scatterers of one clutter object.
inline constexpr int kMaxClutterPoints = 4;

/// One isotropic point scatterer of a clutter object.
struct ClutterPoint {
  Eigen::Vector3d position_m{0, 0, 0};
  double rcs_m2{0.0};
};

/// The scatterers of a clutter object at one instant.
struct ClutterPoints {
  std::array<ClutterPoint, kMaxClutterPoints> point;
  int count{0};
};

/// Scatterers of `c` at time `t_s` (seconds since night start). Fan: the housing
/// (rcs_dbsm) and three blades (rcs_dbsm − 5 dB each) at 0.7 · amplitude_m from the
/// hub, rotating at rate_hz in the plane facing the room centre, the head sweeping
/// ±40° at oscillation_hz. Curtain: three panels (rcs_dbsm − 4.8 dB each) 0.4 m apart
/// along the nearest wall, swaying along the wall normal by amplitude_m at rate_hz with
/// staggered phases. Outside [on_s, off_s) everything rests at its t = on_s pose.
ClutterPoints ClutterAt(const ClutterSpec& c, const RoomSpec& room, double t_s);

/// True when `c` moves so fast at `t_s` that it must be evaluated at every chirp (a
/// running fan); slow clutter is evaluated at the frame time with a linear velocity.
bool IsFastClutter(const ClutterSpec& c, double t_s);

}  // namespace nightsim::physics
