#pragma once
/// \file
/// The per-frame work of a resting room: while no body changes pose, every body part
/// that breathes moves only along its fixed outward normal, by a displacement of a few
/// millimetres. A BreathingPathBank holds the propagation paths of those parts in a form
/// prepared once per resting period, so that a frame costs, per path, one square root per
/// leg (the exact path length |a + d u| = √(|a|² + 2 d a·u + d²) of a leg whose apparent
/// scatterer moves by d along the unit vector u) and, per path and RX, one polynomial
/// sine/cosine and one short kernel window (QuadsFor) — no geometry, no radar equation,
/// no libm call.

#include <Eigen/Core>
#include <complex>
#include <span>
#include <vector>

#include "physics/fmcw.h"
#include "physics/scene.h"

namespace nightsim::physics {

/// Breathing propagation paths of one resting period. Not thread-safe; one per simulator.
class BreathingPathBank {
 public:
  /// `k` are the radar's constants (copied).
  explicit BreathingPathBank(const FmcwConstants& k);

  /// Forgets every path (a new resting period starts).
  void Clear();

  /// Adds path `spec` of a scatterer whose position is rest_m + d · normal, d the
  /// displacement (metres) that slot `slot` of Update's argument gives. The amplitude
  /// (volts, per RX) is held for the period. `previous_path0_m` is the RX 0 path length
  /// in the previous frame (NaN: unknown, the first frame has no motion within it).
  /// `quads` is the path's kernel width (FmcwSynthesizer::QuadsFor its amplitude).
  void Add(const Propagation& prop, const Eigen::Vector3d& rest_m, const Eigen::Vector3d& normal, PathSpec spec,
           const std::array<double, kMaxRx>& amplitude_v, int quads, int slot, double previous_path0_m);

  /// Paths held.
  int size() const { return static_cast<int>(slot_.size()); }

  /// Moves every path to the displacements `displacement_m` (indexed by slot): path lengths
  /// per RX and d(path)/dt from the previous Update (or previous_path0_m), which must be
  /// one frame earlier.
  void Update(std::span<const double> displacement_m);

  /// Adds the range profile of every path (as FmcwSynthesizer::AddRangeFast, with the
  /// kernel widths given to Add) to `out`. Call after Update.
  void AddRange(const FmcwSynthesizer& synth, SplitProfile* out);

  /// Appends every path as a Tone (for raw synthesis). Call after Update.
  void AppendTones(std::vector<Tone>* tones) const;

 private:
  // Builds placements_ from the current path lengths (the first AddRange of a period).
  void Place();

  FmcwConstants k_;
  int num_rx_{0};
  // Per path: displacement slot, leg geometry |a|² and 2 a·u (leg 0 TX, leg 1 + r RX r),
  // amplitude and path length per RX, RX 0 path length of the previous frame, rate, width.
  std::vector<int> slot_;
  std::vector<std::vector<double>> leg_a2_, leg_b_;  // [leg][path]
  std::array<std::vector<double>, kMaxRx> amplitude_v_;
  std::array<std::vector<double>, kMaxRx> path_m_;
  std::vector<double> previous_path0_m_;
  std::vector<double> rate_mps_;
  std::vector<int> quads_;
  // Update scratch: displacement per path, leg lengths [leg][path].
  std::vector<double> displacement_m_;
  std::vector<std::vector<double>> leg_m_;
  // AddRange, per entry e = r · paths + i: phase, bin, half amplitude, sine, cosine; then
  // the kernel windows of each entry that can reach the profile (sign ±1: tone or image,
  // centre = sign · bin + offset, offset a multiple of N).
  std::vector<FmcwSynthesizer::KernelPlacement> placements_;
  bool placed_{false};
  std::vector<float> doppler_;  // half the chirp-averaging factor, per path
  std::vector<double> phase_rad_;
  std::vector<double> bin_;
  std::vector<float> half_amplitude_v_;
  std::vector<float> sin_;
  std::vector<float> cos_;
};

}  // namespace nightsim::physics
