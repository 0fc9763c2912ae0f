#include "physics/antenna.h"

#include <Eigen/Geometry>
#include <algorithm>
#include <cmath>
#include <numbers>

namespace nightsim::physics {

DevicePose DevicePose::From(const DeviceSpec& d) {
  const double yaw = d.yaw_deg * std::numbers::pi / 180.0;
  const double pitch = d.pitch_deg * std::numbers::pi / 180.0;
  DevicePose p;
  p.origin_m = Eigen::Vector3d(d.x_m, d.y_m, d.z_m);
  p.boresight = Eigen::Vector3d(std::cos(pitch) * std::cos(yaw), std::cos(pitch) * std::sin(yaw), std::sin(pitch));
  p.right = p.boresight.cross(Eigen::Vector3d::UnitZ()).normalized();
  p.up = p.right.cross(p.boresight);
  return p;
}

Eigen::Vector3d DevicePose::ToRoom(const std::array<double, 3>& v) const {
  return origin_m + v[0] * right + v[1] * boresight + v[2] * up;
}

void DevicePose::Angles(const Eigen::Vector3d& dir, double* azimuth_rad, double* elevation_rad) const {
  const Eigen::Vector3d u = dir.normalized();
  *azimuth_rad = std::atan2(u.dot(right), u.dot(boresight));
  *elevation_rad = std::asin(std::clamp(u.dot(up), -1.0, 1.0));
}

AntennaPattern AntennaPattern::From(const RadarParams& p) {
  AntennaPattern a;
  a.boresight_gain_dbi = p.antenna_gain_dbi;
  a.azimuth_fov_deg = p.azimuth_fov_deg;
  a.elevation_fov_deg = p.elevation_fov_deg;
  return a;
}

double AntennaPattern::Gain(double azimuth_rad, double elevation_rad) const {
  const double az = azimuth_rad * 180.0 / std::numbers::pi / azimuth_fov_deg;
  const double el = elevation_rad * 180.0 / std::numbers::pi / elevation_fov_deg;
  // −3 dB at ±FOV/2: 3 (2 az / FOV)² = 12 (az / FOV)²
  const double rel_db = std::max(-12.0 * (az * az + el * el), floor_db);
  // 10^(dB/10) = e^(dB · ln10/10): exp is several times cheaper than pow (moving frames
  // evaluate the pattern twice per propagation path).
  constexpr double kNepersPerDb = 0.23025850929940458;  // ln(10) / 10
  return std::exp((boresight_gain_dbi + rel_db) * kNepersPerDb);
}

double AntennaPattern::Gain(const DevicePose& pose, const Eigen::Vector3d& dir) const {
  double az = 0;
  double el = 0;
  pose.Angles(dir, &az, &el);
  return Gain(az, el);
}

}  // namespace nightsim::physics
