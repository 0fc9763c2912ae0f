#pragma once
/// \file
/// RadarSimulator: turns the bodies of a room into the frames of the bedside radar
/// (docs/design.md §5). One simulator per night: it keeps the previous frame's scatterer
/// positions (for the motion within a frame) and a cache of everything that does not
/// move between two discrete events.
///
/// Per frame, the static scene (walls, floor, ceiling, bed frame, furniture and their
/// first-order images) is a precomputed profile. While no body changes pose (same
/// posture, position, heading, limb displacement, no gross motion — checked by value
/// every frame), the non-breathing parts of every body are folded into that profile
/// once, and only the breathing parts (chest wall, flanks, back, abdomen; a pet's back
/// and flanks) and moving clutter are synthesized per frame — from a BreathingPathBank,
/// which needs nothing of a resting frame but the breathing displacements.

#include <Eigen/Core>
#include <cstdint>
#include <span>
#include <vector>

#include "core/body_state.h"
#include "core/scenario.h"
#include "frame/radar_frame.h"
#include "physics/antenna.h"
#include "physics/body_model.h"
#include "physics/clutter.h"
#include "physics/fmcw.h"
#include "physics/hardware.h"
#include "physics/path_bank.h"
#include "physics/scene.h"

namespace nightsim::physics {

/// Switches for tests and studies: a scenario's SimulationSpec (the defaults are the
/// full model) and the kernel span the tests vary.
struct RadarSimulatorOptions : SimulationSpec {
  /// Range level: the widest kernel window reaches at least this many bins beyond the
  /// path's bin on each side (windows come in quads: 4 ⌈(K + 1) / 2⌉ bins).
  int kernel_half_span_bins{FmcwSynthesizer::kDefaultHalfSpanBins};
};

/// What a simulator has done so far (for benchmarks and studies).
struct RadarSimulatorCounts {
  std::int64_t frames{0};          ///< frames synthesized
  std::int64_t resting_frames{0};  ///< of those, synthesized from the resting cache
  int breathing_paths{0};          ///< breathing paths of the current (or last) resting period
};

/// An isotropic point reflector (calibration target) with a constant velocity
/// within the frame.
struct PointTarget {
  Eigen::Vector3d position_m{0, 0, 0};    ///< at the frame time, room frame
  Eigen::Vector3d velocity_mps{0, 0, 0};  ///< used for the motion within the frame
  double rcs_dbsm{0.0};
};

/// Synthesizes radar frames of one room and device for one night.
class RadarSimulator {
 public:
  /// Throws std::invalid_argument naming the field when CheckRadarParams(device.radar)
  /// reports a problem. `seed` is the run seed; the radar's noise comes from
  /// (seed, "radar", "noise"), body RCS fluctuation from (seed, body id, "rcs"), gross
  /// motion jitter from (seed, body id, "motion").
  RadarSimulator(const RoomSpec& room, const DeviceSpec& device, std::uint64_t seed,
                 RadarSimulatorOptions options = {});

  /// What the device knows about itself (send to the pipeline before the first frame).
  const RadarInfo& info() const { return info_; }
  const FmcwConstants& constants() const { return synth_.constants(); }
  const FmcwSynthesizer& synthesizer() const { return synth_; }
  /// The device's own fingerprint as simulated (the scenario's switches applied).
  const Hardware& hardware() const { return hardware_; }
  const Propagation& propagation() const { return prop_; }
  /// Standard deviation of the receiver noise per raw IF sample (thermal and
  /// phase-noise skirt; quantization not included), volts.
  double noise_sd_v() const { return noise_sd_v_; }
  /// Raw samples clipped by the ADC in the last raw frame.
  int last_clipped_samples() const { return last_clipped_; }
  /// Frames synthesized so far, and how many came from the resting cache.
  const RadarSimulatorCounts& counts() const { return counts_; }

  /// Synthesizes frame `frame_index` (time = index / frame rate) into `*out`.
  /// `specs[i]` and `states[i]` describe body i at the frame time (bodies with
  /// in_room == false are absent); body ids must be unique. Frames are normally
  /// synthesized in order; after a gap the motion within the first frame is taken as
  /// zero. Level kRaw fills out->raw; kRange fills out->range; kStream fills
  /// out->range as well (level kRange): turn it into the on-device stream with
  /// StreamProcessor. Throws std::invalid_argument when the spans differ in length.
  void SynthesizeFrame(std::int64_t frame_index, std::span<const BodySpec> specs, std::span<const BodyState> states,
                       RadarLevel level, RadarFrame* out);

  /// Same, with extra point targets (tests, calibration reflectors).
  void SynthesizeFrame(std::int64_t frame_index, std::span<const BodySpec> specs, std::span<const BodyState> states,
                       std::span<const PointTarget> points, RadarLevel level, RadarFrame* out);

 private:
  struct PoseKey {
    std::uint64_t id{0};
    BodyKind kind{BodyKind::kPerson};
    double height_m{0}, mass_kg{0};
    bool in_room{false}, in_bed{false};
    Posture posture{Posture::kBack}, from_posture{Posture::kBack};
    double transition{1};
    double x{0}, y{0}, z{0}, heading{0};
    double limb_m{0}, motion{0};
    bool operator==(const PoseKey&) const = default;
  };
  struct BodyMemory {
    std::uint64_t id{0};
    std::int64_t frame{-2};  // last frame it was in the room
    int count{0};
    std::array<Eigen::Vector3d, kMaxBodyParts> position;  // part positions in that frame
    bool positions_stale{false};  // resting frames skip the parts: rebuild them from last_state
    BodyState last_state;
    std::uint64_t rcs_pose_hash{0};
    bool rcs_valid{false};
    std::array<double, kMaxBodyParts> rcs_factor{};
  };
  struct FrameBody {  // one body in the room this frame
    int index{0};     // into specs/states
    int memory{0};    // into memory_
    bool has_previous{false};
    BodyParts parts;
  };
  struct Slot {  // one breathing part of the resting period: its displacement per frame
    int state{0};  // into states
    DisplacementWeights weights;
  };
  struct RestingBody {
    int state{0};
    int memory{0};
  };

  static PoseKey KeyOf(const BodySpec& spec, const BodyState& st);
  BodyMemory& MemoryFor(std::uint64_t id);
  void UpdateRcs(const BodySpec& spec, const PoseKey& key, BodyMemory* memory) const;
  double DirectTransmission(const Eigen::Vector3d& p, int self) const;
  ScatterLook LookOf(const FrameBody& fb, int part) const;
  void BuildFrameBodies(std::int64_t frame_index, std::span<const BodySpec> specs, std::span<const BodyState> states);
  void AddBodyTones(int body, bool breathing, bool rigid, std::span<const BodyState> states, std::vector<Tone>* tones);
  void BuildSteadyCache(std::span<const BodySpec> specs, std::span<const BodyState> states);
  void AddClutterTones(double t_s);
  void AddPointTones(std::span<const PointTarget> points);
  void Emit(std::int64_t frame_index, bool steady, RadarLevel level, RadarFrame* out);

  RoomSpec room_;
  DeviceSpec device_;
  std::uint64_t seed_;
  RadarSimulatorOptions options_;
  RadarInfo info_;
  FmcwSynthesizer synth_;
  Hardware hardware_;  // leakage, DC offsets, chirp-start transients
  Propagation prop_;
  NoiseSource noise_;
  double noise_sd_v_{0};
  double range_noise_sd_v_{0};  // noise_sd_v_ with the quantization noise (LSB² / 12) when quantizing

  std::vector<std::complex<float>> static_range_;  // [rx][bin]
  std::vector<float> static_raw_;                  // [rx][sample], one chirp
  std::vector<std::complex<float>> slow_range_;    // static + resting body parts
  std::vector<float> slow_raw_;
  bool cache_valid_{false};
  BreathingPathBank bank_;          // breathing paths of the resting period
  std::vector<Slot> slots_;         // displacement slots of bank_
  std::vector<double> displacements_;
  std::vector<RestingBody> resting_bodies_;
  double kernel_floor_v_{0};        // sidelobe floor of the range kernels, volts
  SplitProfile accumulator_;        // per-frame range synthesis

  std::vector<BodyMemory> memory_;
  std::vector<PoseKey> prev_keys_;
  std::vector<PoseKey> keys_;
  std::int64_t last_frame_{-2};
  std::vector<FrameBody> frame_bodies_;
  std::vector<Capsule> capsules_;  // per frame body
  std::vector<Tone> tones_;
  std::vector<PathSpec> specs_scratch_;
  std::vector<ClutterPoints> chirp_points_;  // fast clutter: its points at every chirp of the frame
  int last_clipped_{0};
  RadarSimulatorCounts counts_;
};

}  // namespace nightsim::physics
