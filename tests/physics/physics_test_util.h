#pragma once
// Shared fixtures for the physics tests: an empty reference room, a device looking
// along +x, and helpers to synthesize frames.

#include <algorithm>
#include <cmath>
#include <complex>
#include <vector>

#include "physics/radar_simulator.h"

namespace nightsim::physics::testing {

// Empty room (no reflecting surfaces, no furniture); device at (0.3, 2.0, 1.0) looking along +x.
inline RoomSpec EmptyRoom() {
  RoomSpec room;
  room.width_m = 4.0;
  room.length_m = 4.0;
  room.height_m = 2.5;
  room.reflectivity = {0.0, 0.0, 0.0};
  return room;
}

inline DeviceSpec BoresightDevice() {
  DeviceSpec d;
  d.x_m = 0.3;
  d.y_m = 2.0;
  d.z_m = 1.0;
  d.yaw_deg = 0.0;
  d.pitch_deg = 0.0;
  return d;
}

// Everything deterministic and additive: no noise, no quantization, no RCS fluctuation.
inline RadarSimulatorOptions CleanOptions() {
  RadarSimulatorOptions o;
  o.noise = false;
  o.quantize = false;
  o.static_scene = false;
  o.multipath = false;
  o.clutter = false;
  o.rcs_fluctuation = false;
  return o;
}

inline RadarFrame Range(RadarSimulator& sim, std::int64_t index, std::span<const PointTarget> points,
                        std::span<const BodySpec> specs = {}, std::span<const BodyState> states = {}) {
  RadarFrame f;
  sim.SynthesizeFrame(index, specs, states, points, RadarLevel::kRange, &f);
  return f;
}

// Index of the largest |X| of RX `rx`.
inline int PeakBin(const RadarFrame& f, int rx = 0) {
  int best = 0;
  for (int k = 1; k < f.num_bins; ++k) {
    if (std::abs(f.Range(rx, k)) > std::abs(f.Range(rx, best))) best = k;
  }
  return best;
}

inline double WrapRad(double x) { return std::remainder(x, 2.0 * M_PI); }

}  // namespace nightsim::physics::testing

namespace nightsim::physics::testing {

// Two sleepers on their backs in the default bed and a cat at the foot, breathing.
struct Sleepers {
  std::vector<BodySpec> specs;
  std::vector<BodyState> states;

  explicit Sleepers(bool with_cat = true) {
    BodySpec a;
    a.id = "alice";
    BodySpec b;
    b.id = "bob";
    b.height_m = 1.82;
    b.mass_kg = 85;
    specs = {a, b};
    BodyState s;
    s.in_room = true;
    s.in_bed = true;
    s.heading_rad = -M_PI / 2;  // head towards low y
    s.torso_m = Eigen::Vector3d(1.6, 0.75, 0.66);
    states = {s, s};
    states[1].torso_m = Eigen::Vector3d(2.4, 0.8, 0.67);
    if (with_cat) {
      BodySpec c;
      c.id = "cat";
      c.kind = BodyKind::kCat;
      c.height_m = 0.45;
      c.mass_kg = 4.5;
      specs.push_back(c);
      BodyState cs = s;
      cs.torso_m = Eigen::Vector3d(2.0, 1.9, 0.62);
      cs.heading_rad = 0.3;
      states.push_back(cs);
    }
  }

  // Breathing at time t: chest/abdomen sinusoids, heartbeat; different rates per body.
  // Bodies a test adds after the two sleepers and the cat (a walker) keep their state
  // (the tables have three rows: reading a fourth was undefined behaviour, UBSan).
  void At(double t) {
    const double rate_hz[3] = {0.25, 0.22, 0.45};
    const double amp_m[3] = {4e-3, 5e-3, 1e-3};
    for (std::size_t i = 0; i < std::min<std::size_t>(states.size(), 3); ++i) {
      const double ph = 2 * M_PI * rate_hz[i] * t;
      states[i].chest_m = amp_m[i] * std::sin(ph);
      states[i].abdomen_m = 0.8 * amp_m[i] * std::sin(ph - 0.3);
      states[i].heart_m = i < 2 ? 0.2e-3 * std::sin(2 * M_PI * 1.1 * t) : 0.0;
    }
  }
};

}  // namespace nightsim::physics::testing
