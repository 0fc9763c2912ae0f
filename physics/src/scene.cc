#include "physics/scene.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace nightsim::physics {
namespace {

constexpr double kFourPiCubed = 64.0 * std::numbers::pi * std::numbers::pi * std::numbers::pi;

}  // namespace

std::array<Surface, 6> RoomSurfaces(const RoomSpec& room) {
  const auto& r = room.reflectivity;
  return {{
      {Eigen::Vector3d(0, 0, 1), 0.0, r.floor, "floor"},
      {Eigen::Vector3d(0, 0, -1), -room.height_m, r.ceiling, "ceiling"},
      {Eigen::Vector3d(1, 0, 0), 0.0, r.walls, "wall_x0"},
      {Eigen::Vector3d(-1, 0, 0), -room.width_m, r.walls, "wall_xw"},
      {Eigen::Vector3d(0, 1, 0), 0.0, r.walls, "wall_y0"},
      {Eigen::Vector3d(0, -1, 0), -room.length_m, r.walls, "wall_yl"},
  }};
}

std::vector<StaticReflector> StaticReflectors(const RoomSpec& room, const DevicePose& pose) {
  std::vector<StaticReflector> out;
  const BedSpec& b = room.bed;
  const double x0 = b.center_x_m - 0.5 * b.width_m;
  const double x1 = b.center_x_m + 0.5 * b.width_m;
  const double y0 = b.head_y_m;
  const double y1 = b.head_y_m + b.length_m;
  const double frame_z = std::max(0.05, b.height_m - 0.15);
  out.push_back({Eigen::Vector3d(b.center_x_m, y0, b.height_m + 0.35), -3.0, "headboard"});
  out.push_back({Eigen::Vector3d(x0, y0, frame_z), -8.0, "bed_corner_head_left"});
  out.push_back({Eigen::Vector3d(x1, y0, frame_z), -8.0, "bed_corner_head_right"});
  out.push_back({Eigen::Vector3d(x0, y1, frame_z), -8.0, "bed_corner_foot_left"});
  out.push_back({Eigen::Vector3d(x1, y1, frame_z), -8.0, "bed_corner_foot_right"});
  const Eigen::Vector3d& d = pose.origin_m;
  for (const FurnitureSpec& f : room.furniture) {
    const double px = std::clamp(d.x(), f.x_m - 0.5 * f.size_x_m, f.x_m + 0.5 * f.size_x_m);
    const double py = std::clamp(d.y(), f.y_m - 0.5 * f.size_y_m, f.y_m + 0.5 * f.size_y_m);
    const double pz = std::min(f.height_m, d.z());
    out.push_back({Eigen::Vector3d(px, py, pz), f.rcs_dbsm, f.name});
  }
  return out;
}

double AspectFactor(const ScatterLook& s, const Eigen::Vector3d& toward) {
  if (s.normal.squaredNorm() == 0.0) return 1.0;
  const double c = std::max(0.0, s.normal.dot(toward));
  return (1.0 - s.aspect_floor) * c * c + s.aspect_floor;
}

Propagation::Propagation(const RadarParams& p, const RoomSpec& room, const DevicePose& pose, bool multipath,
                         double cull_below_noise_db)
    : params_(p),
      k_(FmcwConstants::From(p)),
      pose_(pose),
      pattern_(AntennaPattern::From(p)),
      surfaces_(RoomSurfaces(room)),
      multipath_(multipath) {
  for (const auto& a : ResolveRxPositions(p)) rx_.push_back(pose.ToRoom(a));
  // Noise in one bin: E|n|² = 1.5 σ² / (N M), σ² thermal plus quantization (LSB² / 12).
  const double sigma2 = k_.thermal_sd_v * k_.thermal_sd_v + k_.adc_lsb_v * k_.adc_lsb_v / 12.0;
  bin_noise_sd_v_ = std::sqrt(1.5 * sigma2 / (static_cast<double>(k_.samples) * k_.chirps));
  cull_v_ = 2.0 * std::pow(10.0, -cull_below_noise_db / 20.0) * bin_noise_sd_v_;  // a tone's peak is A/2
}

void Propagation::PathLengths(const Eigen::Vector3d& p, PathSpec spec, std::array<double, kMaxRx>* out) const {
  const Eigen::Vector3d pt = spec.tx_surface < 0 ? p : surfaces_[spec.tx_surface].Mirror(p);
  const Eigen::Vector3d pr = spec.rx_surface < 0 ? p : surfaces_[spec.rx_surface].Mirror(p);
  const double tx_leg = (pt - pose_.origin_m).norm();
  for (int r = 0; r < k_.num_rx; ++r) (*out)[r] = tx_leg + (pr - rx_[r]).norm() + k_.rx_path_offset_m[r];
}

double Propagation::PathLength0(const Eigen::Vector3d& p, PathSpec spec) const {
  const Eigen::Vector3d pt = spec.tx_surface < 0 ? p : surfaces_[spec.tx_surface].Mirror(p);
  const Eigen::Vector3d pr = spec.rx_surface < 0 ? p : surfaces_[spec.rx_surface].Mirror(p);
  return (pt - pose_.origin_m).norm() + (pr - rx_[0]).norm() + k_.rx_path_offset_m[0];
}

double Propagation::Amplitude(const ScatterLook& s, PathSpec spec, double direct_leg_transmission) const {
  LegGains gains;
  return Amplitude(s, spec, direct_leg_transmission, &gains);
}

double Propagation::Amplitude(const ScatterLook& s, PathSpec spec, double direct_leg_transmission,
                              LegGains* gains) const {
  const Eigen::Vector3d& d = pose_.origin_m;
  double rho = 1.0;
  double transmission = 1.0;
  Eigen::Vector3d apparent[2];
  Eigen::Vector3d toward[2];  // from the scatterer towards the (image of the) radar
  const int legs[2] = {spec.tx_surface, spec.rx_surface};
  for (int i = 0; i < 2; ++i) {
    if (legs[i] < 0) {
      apparent[i] = s.position_m;
      toward[i] = (d - s.position_m).normalized();
      transmission *= direct_leg_transmission;
    } else {
      const Surface& surf = surfaces_[legs[i]];
      // The scatterer must be on the room side of the surface for a bounce to exist.
      if (surf.reflectivity <= 0.0 || surf.normal.dot(s.position_m) - surf.offset_m <= 0.0) return 0.0;
      apparent[i] = surf.Mirror(s.position_m);
      toward[i] = (surf.Mirror(d) - s.position_m).normalized();
      rho *= surf.reflectivity;
    }
  }
  const double lt = (apparent[0] - d).norm();
  const double lr = (apparent[1] - d).norm();
  if (lt < 1e-3 || lr < 1e-3) return 0.0;
  // The gain towards an apparent scatterer depends only on the leg's surface (or none): a
  // scatterer's 19 paths need 7 distinct gains, each evaluated once (the same value as
  // evaluating it again, so the amplitudes are unchanged).
  auto gain = [&](int leg, const Eigen::Vector3d& apparent_m) {
    double& g = gains->gain[leg + 1];
    if (std::isnan(g)) g = pattern_.Gain(pose_, apparent_m - d);
    return g;
  };
  const double gt = gain(legs[0], apparent[0]);
  const double gr = gain(legs[1], apparent[1]);
  const double sigma = s.rcs_m2 * std::sqrt(AspectFactor(s, toward[0]) * AspectFactor(s, toward[1]));
  const double lambda = k_.wavelength_m;
  // P_r = P_t G_t G_r λ² σ ρ² / ((4π)³ L_t² L_r²)
  const double pr = k_.tx_power_w * gt * gr * lambda * lambda * sigma * rho * rho / (kFourPiCubed * lt * lt * lr * lr);
  const double beat_hz = k_.slope_hz_per_s * (lt + lr) / kSpeedOfLightMps;  // f_b = S τ
  return std::sqrt(2.0 * kLoadOhm * pr) * k_.if_gain * IfFilterGain(params_, beat_hz) * transmission;
}

void Propagation::AddPaths(const ScatterLook& s, double direct_leg_transmission, bool skip_floor,
                           std::vector<PathSpec>* specs, std::vector<Tone>* tones) const {
  if (s.rcs_m2 <= 0.0) return;
  const int last = multipath_ ? static_cast<int>(surfaces_.size()) : 0;
  LegGains gains;
  auto add = [&](PathSpec spec) {
    const double a = Amplitude(s, spec, direct_leg_transmission, &gains);
    if (a < cull_v_) return;
    Tone t;
    PathLengths(s.position_m, spec, &t.path_m);
    for (int r = 0; r < k_.num_rx; ++r) t.amplitude_v[r] = a * k_.rx_gain[r];
    if (specs != nullptr) specs->push_back(spec);
    tones->push_back(t);
  };
  add({-1, -1});
  for (int i = 0; i < last; ++i) {
    if (skip_floor && i == kFloorSurface) continue;
    add({-1, i});  // TX → scatterer → surface → RX
    add({i, -1});  // TX → surface → scatterer → RX
    add({i, i});   // TX → surface → scatterer → surface → RX (the image source proper)
  }
}

void Propagation::AddSurfaceReturns(std::vector<Tone>* tones) const {
  const double lambda = k_.wavelength_m;
  const Eigen::Vector3d& d = pose_.origin_m;
  for (const Surface& surf : surfaces_) {
    if (surf.reflectivity <= 0.0) continue;
    const Eigen::Vector3d image = surf.Mirror(d);
    const double l = (image - d).norm();
    if (l < 1e-3) continue;
    const double g = pattern_.Gain(pose_, image - d);
    // A plane mirror: one-way Friis to the radar's image, P = P_t G² λ² ρ² / (4π L)²
    const double pr = k_.tx_power_w * g * g * lambda * lambda * surf.reflectivity * surf.reflectivity /
                      std::pow(4.0 * std::numbers::pi * l, 2);
    const double a = std::sqrt(2.0 * kLoadOhm * pr) * k_.if_gain *
                     IfFilterGain(params_, k_.slope_hz_per_s * l / kSpeedOfLightMps);
    if (a < cull_v_) continue;
    Tone t;
    for (int r = 0; r < k_.num_rx; ++r) {
      t.path_m[r] = (image - rx_[r]).norm() + k_.rx_path_offset_m[r];
      t.amplitude_v[r] = a * k_.rx_gain[r];
    }
    tones->push_back(t);
  }
}

}  // namespace nightsim::physics
