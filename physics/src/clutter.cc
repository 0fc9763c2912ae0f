#include "physics/clutter.h"

#include <Eigen/Geometry>
#include <algorithm>
#include <cmath>
#include <numbers>

namespace nightsim::physics {
namespace {

using Eigen::Vector3d;
constexpr double kTwoPi = 2.0 * std::numbers::pi;

double Dbsm(double db) { return std::pow(10.0, db / 10.0); }

}  // namespace

bool IsFastClutter(const ClutterSpec& c, double t_s) {
  return c.kind == ClutterSpec::Kind::kFan && t_s >= c.on_s && t_s < c.off_s && c.rate_hz > 0.0;
}

ClutterPoints ClutterAt(const ClutterSpec& c, const RoomSpec& room, double t_s) {
  ClutterPoints out;
  const bool on = t_s >= c.on_s && t_s < c.off_s;
  const double t = on ? t_s - c.on_s : 0.0;  // time since switched on
  const Vector3d centre(c.x_m, c.y_m, c.z_m);
  if (c.kind == ClutterSpec::Kind::kFan) {
    const Vector3d room_centre(0.5 * room.width_m, 0.5 * room.length_m, c.z_m);
    Vector3d to_centre = room_centre - centre;
    const double base_yaw = to_centre.norm() > 1e-6 ? std::atan2(to_centre.y(), to_centre.x()) : 0.0;
    const double yaw = base_yaw + 40.0 * std::numbers::pi / 180.0 * std::sin(kTwoPi * c.oscillation_hz * t);
    const Vector3d facing(std::cos(yaw), std::sin(yaw), 0.0);
    const Vector3d side = facing.cross(Vector3d::UnitZ());
    out.point[0] = {centre - 0.08 * facing, Dbsm(c.rcs_dbsm)};
    const double r = 0.7 * c.amplitude_m;
    for (int i = 0; i < 3; ++i) {
      const double beta = kTwoPi * (c.rate_hz * t + i / 3.0);
      out.point[1 + i] = {centre + 0.05 * facing + r * (std::cos(beta) * side + std::sin(beta) * Vector3d::UnitZ()),
                          Dbsm(c.rcs_dbsm - 5.0)};
    }
    out.count = 4;
    return out;
  }
  // Curtain: along the nearest wall, normal into the room.
  const double dx0 = c.x_m;
  const double dx1 = room.width_m - c.x_m;
  const double dy0 = c.y_m;
  const double dy1 = room.length_m - c.y_m;
  const double m = std::min({dx0, dx1, dy0, dy1});
  Vector3d normal;
  if (m == dx0) normal = Vector3d::UnitX();
  else if (m == dx1) normal = -Vector3d::UnitX();
  else if (m == dy0) normal = Vector3d::UnitY();
  else normal = -Vector3d::UnitY();
  const Vector3d along = normal.cross(Vector3d::UnitZ());
  for (int i = 0; i < 3; ++i) {
    const double sway = on ? c.amplitude_m * std::sin(kTwoPi * c.rate_hz * t + 1.3 * i) : 0.0;
    out.point[i] = {centre + (i - 1) * 0.4 * along + sway * normal, Dbsm(c.rcs_dbsm - 4.8)};
  }
  out.count = 3;
  return out;
}

}  // namespace nightsim::physics
