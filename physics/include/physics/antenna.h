#pragma once
/// \file
/// Device pose in the room and the antenna gain pattern (a fan-shaped detection zone).

#include <Eigen/Core>
#include <array>

#include "core/scenario.h"

namespace nightsim::physics {

/// Where the device is and where it looks. Room frame: origin at a floor corner,
/// x along the width, y along the length, z up. Device frame: x to the device's
/// right, y along boresight, z up (tilted by the pitch).
struct DevicePose {
  Eigen::Vector3d origin_m{0, 0, 0};   ///< TX phase centre (device-frame origin), room frame
  Eigen::Vector3d right{0, -1, 0};     ///< device +x in the room frame (unit)
  Eigen::Vector3d boresight{1, 0, 0};  ///< device +y in the room frame (unit)
  Eigen::Vector3d up{0, 0, 1};         ///< device +z in the room frame (unit)

  /// From a DeviceSpec: yaw_deg measured from +x towards +y in the xy-plane, pitch
  /// positive up; right = boresight × z (normalized), up = right × boresight.
  static DevicePose From(const DeviceSpec& d);
  /// A device-frame point (metres) in the room frame.
  Eigen::Vector3d ToRoom(const std::array<double, 3>& device_xyz_m) const;
  /// Azimuth (positive to the device's right) and elevation (positive up) of a
  /// room-frame direction, radians. `dir` need not be normalized; non-zero.
  void Angles(const Eigen::Vector3d& dir, double* azimuth_rad, double* elevation_rad) const;
};

/// Gain pattern of one antenna (TX and RX antennas are alike): a Gaussian beam with
/// −3 dB at half the field of view in each plane, floored at `floor_db` below
/// boresight (back lobe). G_dB = G0 − 12 (az/FOV_az)² − 12 (el/FOV_el)².
struct AntennaPattern {
  double boresight_gain_dbi{6.0};
  double azimuth_fov_deg{90.0};    ///< full width at half power, azimuth
  double elevation_fov_deg{70.0};  ///< full width at half power, elevation
  double floor_db{-30.0};          ///< lowest gain relative to boresight, dB (< 0)

  /// From radar parameters.
  static AntennaPattern From(const RadarParams& p);
  /// Power gain (linear) toward azimuth/elevation in radians.
  double Gain(double azimuth_rad, double elevation_rad) const;
  /// Power gain (linear) toward a room-frame direction (non-zero) from the device.
  double Gain(const DevicePose& pose, const Eigen::Vector3d& dir) const;
};

}  // namespace nightsim::physics
