#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>

#include "placement.h"
#include "sleepers/night.h"

namespace nightsim::sleepers {

bool InRadarZone(const DeviceSpec& device, const Eigen::Vector3d& point_m) {
  const RadarParams& r = device.radar;
  constexpr double kSpeedOfLight = 299'792'458.0;
  // Unambiguous range of a real-sampled chirp: c / 2B per bin × samples / 2 bins.
  const double max_range_m = kSpeedOfLight / (2.0 * r.bandwidth_hz) * r.samples_per_chirp / 2.0;
  const Eigen::Vector3d d = point_m - Eigen::Vector3d(device.x_m, device.y_m, device.z_m);
  if (d.norm() > max_range_m) return false;
  const double yaw = device.yaw_deg * std::numbers::pi / 180.0;
  double off = std::atan2(d.y(), d.x()) - yaw;
  off = std::remainder(off, 2.0 * std::numbers::pi);
  return std::fabs(off) <= 0.5 * r.azimuth_fov_deg * std::numbers::pi / 180.0;
}

PersonTruth BuildPersonTruth(const BodyTimeline& body, const Scenario& scenario) {
  PersonTruth truth;
  truth.id = body.spec.id;
  const double epoch_s = scenario.night.epoch_s;
  const auto n = static_cast<std::size_t>(std::ceil(scenario.night.duration_s / epoch_s - 1e-9));
  truth.epochs.resize(n);
  // An odd number of samples per epoch: a majority always exists.
  constexpr int kSamples = 15;
  std::size_t state_index = 0, walk_index = 0;
  for (std::size_t e = 0; e < n; ++e) {
    PersonEpochTruth& out = truth.epochs[e];
    out.t_s = static_cast<double>(e) * epoch_s;
    std::array<int, 6> stage_votes{};
    int intent = 0, in_bed = 0, in_zone = 0;
    for (int k = 0; k < kSamples; ++k) {
      const double t = out.t_s + (k + 0.5) * epoch_s / kSamples;
      detail::AdvanceState(body, state_index, t);
      detail::AdvanceWalk(body, walk_index, t);
      const StatePoint& s = body.states[state_index];
      const bool bed = s.place == Place::kInBed;
      ++stage_votes[static_cast<std::size_t>((bed ? s.stage : kOutOfBed) + 1)];
      intent += s.intent;
      in_bed += bed;
      if (s.place != Place::kAway) {
        Eigen::Vector3d torso;
        double heading;
        detail::Locate(body, s, walk_index, t, &torso, &heading);
        in_zone += InRadarZone(scenario.device, torso);
      }
    }
    out.stage = static_cast<int>(std::max_element(stage_votes.begin(), stage_votes.end()) - stage_votes.begin()) - 1;
    out.intent = 2 * intent > kSamples;
    out.in_bed = 2 * in_bed > kSamples;
    out.in_zone = 2 * in_zone > kSamples;
  }
  if (body.lights_out_s >= 0 && body.lights_out_s < scenario.night.duration_s) {
    truth.lights_out_epoch = static_cast<std::size_t>(body.lights_out_s / epoch_s);
    std::size_t rise = n;
    if (body.rise_s >= 0) rise = std::min(n, static_cast<std::size_t>(std::ceil(body.rise_s / epoch_s)));
    // The window ends with the last in-bed epoch before rising.
    while (rise > *truth.lights_out_epoch && !truth.epochs[rise - 1].in_bed) --rise;
    truth.rise_epoch = rise;
  }
  return truth;
}

}  // namespace nightsim::sleepers
