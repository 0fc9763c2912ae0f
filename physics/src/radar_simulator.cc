#include "physics/radar_simulator.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>

#include "core/rng.h"
#include "physics/clutter.h"
#include "physics/radar_config.h"

namespace nightsim::physics {
namespace {

using Eigen::Vector3d;
constexpr double kTwoPi = 2.0 * std::numbers::pi;
constexpr double kRcsFluctuationDb = 1.5;   // log-normal spread of a part's RCS per pose
constexpr double kMotionJitterM = 0.02;     // part position jitter per unit of gross motion, per frame
constexpr double kRateStepS = 1e-3;         // finite-difference step for analytic motions
constexpr double kPhaseNoiseOffsetHz = 1e5; // offset at which phase_noise_dbc_hz is given

const RadarParams& Checked(const RadarParams& p) {
  const auto problems = CheckRadarParams(p);
  if (AnyRadarError(problems)) {
    std::string msg = "invalid radar parameters:";
    for (const auto& pr : problems) {
      if (!pr.warning) msg += " device.radar." + pr.key + ": " + pr.message + ";";
    }
    throw std::invalid_argument(msg);
  }
  return p;
}

std::uint64_t Mix(std::uint64_t h, std::uint64_t v) {
  std::uint64_t z = h ^ (v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2));
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

std::uint64_t Q(double v) { return static_cast<std::uint64_t>(std::llround(v * 1000.0)); }

std::vector<std::complex<float>> ToFloat(const std::vector<std::complex<double>>& v) {
  std::vector<std::complex<float>> out(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    out[i] = {static_cast<float>(v[i].real()), static_cast<float>(v[i].imag())};
  }
  return out;
}

std::vector<float> ToFloat(const std::vector<double>& v) { return std::vector<float>(v.begin(), v.end()); }

DeviceSpec WithSimulatedHardware(const DeviceSpec& device, const SimulationSpec& sim) {
  DeviceSpec out = device;
  out.radar = SimulatedHardware(device.radar, sim);
  return out;
}

}  // namespace

RadarSimulator::RadarSimulator(const RoomSpec& room, const DeviceSpec& device, std::uint64_t seed,
                               RadarSimulatorOptions options)
    : room_(room),
      device_(WithSimulatedHardware(device, options)),
      seed_(seed),
      options_(options),
      info_(MakeRadarInfo(Checked(device.radar))),
      synth_(device_.radar, options.kernel_half_span_bins),
      hardware_(device_.radar, synth_, seed, options.dc_offset),
      prop_(device_.radar, room, DevicePose::From(device), options.multipath, options.cull_below_noise_db),
      noise_(seed),
      bank_(synth_.constants()) {
  const FmcwConstants& k = synth_.constants();
  kernel_floor_v_ = prop_.bin_noise_sd_v() * std::pow(10.0, -options_.kernel_floor_below_noise_db / 20.0);
  accumulator_.Reset(k.num_rx, k.bins, synth_.pad_bins());
  std::vector<Tone> tones;
  if (options_.static_scene) {
    for (const StaticReflector& r : StaticReflectors(room_, prop_.pose())) {
      ScatterLook look;
      look.position_m = r.position_m;
      look.rcs_m2 = std::pow(10.0, r.rcs_dbsm / 10.0);
      prop_.AddPaths(look, 1.0, false, nullptr, &tones);
    }
    prop_.AddSurfaceReturns(&tones);
  }
  if (hardware_.leakage()) tones.push_back(*hardware_.leakage());  // with its phase-noise skirt below
  std::vector<std::complex<double>> range(static_cast<std::size_t>(k.num_rx) * k.bins);
  std::vector<double> raw(static_cast<std::size_t>(k.num_rx) * k.samples);
  if (hardware_.has_chirp_offsets()) {
    raw = hardware_.chirp_offsets_v();
    synth_.AddRangeOfChirp(raw, range);
  }
  // Phase noise: with L(f) ∝ 1/f², the residual phase after mixing with a copy delayed by τ
  // is white, S(f) = 2 L(f) (2π f τ)²; over the Nyquist band it adds A²/2 · S · fs/2 of noise.
  const double l_lin = std::pow(10.0, device.radar.phase_noise_dbc_hz / 10.0);
  double pn_var = 0.0;
  for (const Tone& t : tones) {
    synth_.AddRangeExact(t, range);
    synth_.AddRawStationary(t, raw);
    const double tau = t.path_m[0] / kSpeedOfLightMps;
    const double s_phi = 2.0 * l_lin * std::pow(kTwoPi * kPhaseNoiseOffsetHz * tau, 2);
    pn_var += 0.5 * t.amplitude_v[0] * t.amplitude_v[0] * s_phi * 0.5 * k.sample_rate_hz;
  }
  static_range_ = ToFloat(range);
  static_raw_ = ToFloat(raw);
  noise_sd_v_ = std::sqrt(k.thermal_sd_v * k.thermal_sd_v + pn_var);
  const double q2 = options_.quantize ? k.adc_lsb_v * k.adc_lsb_v / 12.0 : 0.0;
  range_noise_sd_v_ = std::sqrt(noise_sd_v_ * noise_sd_v_ + q2);
}

RadarSimulator::PoseKey RadarSimulator::KeyOf(const BodySpec& spec, const BodyState& st) {
  PoseKey key;
  key.id = StableId(spec.id);
  key.kind = spec.kind;
  key.height_m = spec.height_m;
  key.mass_kg = spec.mass_kg;
  key.in_room = st.in_room;
  if (!st.in_room) return key;  // nothing else matters while away
  key.in_bed = st.in_bed;
  key.posture = st.posture;
  key.from_posture = st.from_posture;
  key.transition = st.transition;
  key.x = st.torso_m.x();
  key.y = st.torso_m.y();
  key.z = st.torso_m.z();
  key.heading = st.heading_rad;
  key.limb_m = st.limb_m;
  key.motion = st.motion;
  return key;
}

RadarSimulator::BodyMemory& RadarSimulator::MemoryFor(std::uint64_t id) {
  for (BodyMemory& m : memory_) {
    if (m.id == id) return m;
  }
  memory_.push_back(BodyMemory{});
  memory_.back().id = id;
  return memory_.back();
}

void RadarSimulator::UpdateRcs(const BodySpec& spec, const PoseKey& key, BodyMemory* memory) const {
  std::uint64_t h = Mix(key.id, static_cast<std::uint64_t>(key.posture));
  h = Mix(h, static_cast<std::uint64_t>(key.from_posture));
  for (double v : {key.transition, key.x, key.y, key.z, key.heading, key.limb_m}) h = Mix(h, Q(v));
  h = Mix(h, key.in_bed ? 1 : 0);
  if (memory->rcs_valid && memory->rcs_pose_hash == h) return;
  memory->rcs_valid = true;
  memory->rcs_pose_hash = h;
  RandomStream stream = RandomStream(seed_, StableId(spec.id), StableId("rcs")).Derive(h);
  for (int i = 0; i < kMaxBodyParts; ++i) {
    const double db = options_.rcs_fluctuation ? stream.Normal(0.0, kRcsFluctuationDb) : 0.0;
    memory->rcs_factor[i] = std::pow(10.0, db / 10.0);
  }
}

double RadarSimulator::DirectTransmission(const Vector3d& p, int self) const {
  double t = 1.0;
  for (int j = 0; j < static_cast<int>(capsules_.size()); ++j) {
    if (j != self) t *= LegTransmission(prop_.pose().origin_m, p, capsules_[j]);
  }
  return t;
}

ScatterLook RadarSimulator::LookOf(const FrameBody& fb, int i) const {
  const BodyPart& part = fb.parts.part[i];
  ScatterLook look;
  look.position_m = part.Position();
  look.normal = part.normal;
  look.rcs_m2 = part.pressed ? 0.0 : part.rcs_m2 * memory_[fb.memory].rcs_factor[i];
  look.aspect_floor = part.aspect_floor;
  return look;
}

void RadarSimulator::AddBodyTones(int body, bool breathing, bool rigid, std::span<const BodyState> states,
                                  std::vector<Tone>* tones) {
  const FrameBody& fb = frame_bodies_[body];
  const BodyMemory& mem = memory_[fb.memory];
  const double fr = synth_.constants().frame_rate_hz;
  for (int i = 0; i < fb.parts.count; ++i) {
    const BodyPart& part = fb.parts.part[i];
    if (part.pressed) continue;
    if (part.breathing ? !breathing : !rigid) continue;
    const ScatterLook look = LookOf(fb, i);
    const std::size_t first = tones->size();
    specs_scratch_.clear();
    prop_.AddPaths(look, DirectTransmission(look.position_m, body), states[fb.index].in_bed, &specs_scratch_, tones);
    if (!fb.has_previous) continue;
    for (std::size_t j = first; j < tones->size(); ++j) {
      // d(path)/dt from the previous frame: the motion within this frame.
      Tone& tone = (*tones)[j];
      tone.path_rate_mps = (tone.path_m[0] - prop_.PathLength0(mem.position[i], specs_scratch_[j - first])) * fr;
    }
  }
}

void RadarSimulator::BuildSteadyCache(std::span<const BodySpec> specs, std::span<const BodyState> states) {
  std::vector<std::complex<double>> range(static_range_.begin(), static_range_.end());
  std::vector<double> raw(static_raw_.begin(), static_raw_.end());
  std::vector<Tone> rigid;
  std::vector<Tone> paths;
  bank_.Clear();
  slots_.clear();
  resting_bodies_.clear();
  for (int b = 0; b < static_cast<int>(frame_bodies_.size()); ++b) {
    const FrameBody& fb = frame_bodies_[b];
    const BodyMemory& mem = memory_[fb.memory];
    resting_bodies_.push_back({fb.index, fb.memory});
    AddBodyTones(b, false, true, states, &rigid);
    for (int i = 0; i < fb.parts.count; ++i) {
      const BodyPart& part = fb.parts.part[i];
      if (part.pressed || !part.breathing) continue;
      const ScatterLook look = LookOf(fb, i);
      paths.clear();
      specs_scratch_.clear();
      prop_.AddPaths(look, DirectTransmission(look.position_m, b), states[fb.index].in_bed, &specs_scratch_, &paths);
      if (paths.empty()) continue;
      const int slot = static_cast<int>(slots_.size());
      slots_.push_back({fb.index, PartDisplacementWeights(specs[fb.index].kind, i)});
      for (std::size_t j = 0; j < paths.size(); ++j) {
        const double previous = fb.has_previous ? prop_.PathLength0(mem.position[i], specs_scratch_[j])
                                                : std::numeric_limits<double>::quiet_NaN();
        double a_max = 0.0;
        for (double a : paths[j].amplitude_v) a_max = std::max(a_max, a);
        bank_.Add(prop_, part.rest_m, part.normal, specs_scratch_[j], paths[j].amplitude_v,
                  synth_.QuadsFor(a_max, kernel_floor_v_), slot, previous);
      }
    }
  }
  for (Tone& t : rigid) {
    t.path_rate_mps = 0.0;  // resting: the pose equals the previous frame's
    synth_.AddRangeExact(t, range);
    synth_.AddRawStationary(t, raw);
  }
  slow_range_ = ToFloat(range);
  slow_raw_ = ToFloat(raw);
  displacements_.assign(slots_.size(), 0.0);
  counts_.breathing_paths = bank_.size();
  cache_valid_ = true;
}

void RadarSimulator::AddPointTones(std::span<const PointTarget> points) {
  for (const PointTarget& pt : points) {
    ScatterLook look;
    look.position_m = pt.position_m;
    look.rcs_m2 = std::pow(10.0, pt.rcs_dbsm / 10.0);
    const std::size_t first = tones_.size();
    specs_scratch_.clear();
    prop_.AddPaths(look, DirectTransmission(look.position_m, -1), false, &specs_scratch_, &tones_);
    const Vector3d later = pt.position_m + kRateStepS * pt.velocity_mps;
    for (std::size_t j = first; j < tones_.size(); ++j) {
      tones_[j].path_rate_mps = (prop_.PathLength0(later, specs_scratch_[j - first]) - tones_[j].path_m[0]) / kRateStepS;
    }
  }
}

void RadarSimulator::AddClutterTones(double t_s) {
  if (!options_.clutter) return;
  const int chirps = synth_.constants().chirps;
  for (const ClutterSpec& c : room_.clutter) {
    const ClutterPoints now = ClutterAt(c, room_, t_s);
    const ClutterPoints later = ClutterAt(c, room_, t_s + kRateStepS);
    const bool fast = IsFastClutter(c, t_s);
    if (fast) {  // every point at every chirp, once (not once per point)
      chirp_points_.resize(chirps);
      for (int m = 0; m < chirps; ++m) chirp_points_[m] = ClutterAt(c, room_, t_s + synth_.ChirpOffsetS(m));
    }
    for (int i = 0; i < now.count; ++i) {
      ScatterLook look;
      look.position_m = now.point[i].position_m;
      look.rcs_m2 = now.point[i].rcs_m2;
      const std::size_t first = tones_.size();
      specs_scratch_.clear();
      prop_.AddPaths(look, DirectTransmission(look.position_m, -1), false, &specs_scratch_, &tones_);
      const std::size_t last = tones_.size();
      if (!fast || i == 0) {  // slow clutter and the fan's housing: linear motion within the frame
        for (std::size_t j = first; j < last; ++j) {
          tones_[j].path_rate_mps =
              (prop_.PathLength0(later.point[i].position_m, specs_scratch_[j - first]) - tones_[j].path_m[0]) /
              kRateStepS;
        }
        continue;
      }
      // A blade moves tens of degrees within a frame: evaluate its paths at every chirp
      // (amplitudes from the frame time; motion within one chirp is neglected).
      for (std::size_t j = first; j < last; ++j) tones_[j].chirp = 0;
      for (int m = 1; m < chirps; ++m) {
        const ClutterPoints& at = chirp_points_[m];
        for (std::size_t j = first; j < last; ++j) {
          Tone tone = tones_[j];
          tone.chirp = m;
          prop_.PathLengths(at.point[i].position_m, specs_scratch_[j - first], &tone.path_m);
          tones_.push_back(tone);
        }
      }
      const ClutterPoints& at0 = chirp_points_[0];
      for (std::size_t j = first; j < last; ++j) {
        prop_.PathLengths(at0.point[i].position_m, specs_scratch_[j - first], &tones_[j].path_m);
      }
    }
  }
}

void RadarSimulator::SynthesizeFrame(std::int64_t frame_index, std::span<const BodySpec> specs,
                                     std::span<const BodyState> states, RadarLevel level, RadarFrame* out) {
  SynthesizeFrame(frame_index, specs, states, {}, level, out);
}

void RadarSimulator::BuildFrameBodies(std::int64_t frame_index, std::span<const BodySpec> specs,
                                      std::span<const BodyState> states) {
  frame_bodies_.clear();
  capsules_.clear();
  for (std::size_t i = 0; i < specs.size(); ++i) {
    if (!states[i].in_room) continue;
    FrameBody fb;
    fb.index = static_cast<int>(i);
    BodyMemory& mem = MemoryFor(keys_[i].id);
    fb.memory = static_cast<int>(&mem - memory_.data());
    fb.parts = BuildBodyParts(specs[i], states[i]);
    fb.has_previous = mem.frame == frame_index - 1 && mem.count == fb.parts.count;
    if (fb.has_previous && mem.positions_stale) {  // the previous frame was a resting one
      const BodyParts last = BuildBodyParts(specs[i], mem.last_state);
      for (int p = 0; p < last.count; ++p) mem.position[p] = last.part[p].Position();
    }
    mem.positions_stale = false;
    if (states[i].motion > 0.0) {  // gross movement: every part jitters, differently each frame
      RandomStream jitter =
          RandomStream(seed_, keys_[i].id, StableId("motion")).Derive(static_cast<std::uint64_t>(frame_index));
      const double sd = kMotionJitterM * std::min(states[i].motion, 1.0);
      for (int p = 0; p < fb.parts.count; ++p) {
        const double dx = jitter.Normal(0.0, sd);
        const double dy = jitter.Normal(0.0, sd);
        const double dz = jitter.Normal(0.0, sd);
        fb.parts.part[p].rest_m += Vector3d(dx, dy, dz);
      }
    }
    UpdateRcs(specs[i], keys_[i], &mem);
    frame_bodies_.push_back(fb);
    capsules_.push_back(BodyCapsule(specs[i], states[i]));
  }
}

void RadarSimulator::SynthesizeFrame(std::int64_t frame_index, std::span<const BodySpec> specs,
                                     std::span<const BodyState> states, std::span<const PointTarget> points,
                                     RadarLevel level, RadarFrame* out) {
  if (specs.size() != states.size()) {
    throw std::invalid_argument("RadarSimulator::SynthesizeFrame: specs and states differ in length");
  }
  const FmcwConstants& k = synth_.constants();
  const double t_s = static_cast<double>(frame_index) / k.frame_rate_hz;
  const bool consecutive = frame_index == last_frame_ + 1;

  keys_.clear();
  bool moving = false;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    keys_.push_back(KeyOf(specs[i], states[i]));
    if (states[i].in_room && states[i].motion > 0.0) moving = true;
  }
  const bool steady = consecutive && !moving && keys_ == prev_keys_;

  tones_.clear();
  if (steady && cache_valid_) {
    // Resting frame: nothing moved but the breathing parts, along their normals.
    for (std::size_t i = 0; i < slots_.size(); ++i) displacements_[i] = slots_[i].weights.Of(states[slots_[i].state]);
    for (const RestingBody& rb : resting_bodies_) {
      BodyMemory& mem = memory_[rb.memory];
      mem.frame = frame_index;
      mem.last_state = states[rb.state];
      mem.positions_stale = true;
    }
  } else {
    BuildFrameBodies(frame_index, specs, states);
    if (steady) {
      BuildSteadyCache(specs, states);
      for (std::size_t i = 0; i < slots_.size(); ++i) displacements_[i] = slots_[i].weights.Of(states[slots_[i].state]);
    } else {
      cache_valid_ = false;
      for (int b = 0; b < static_cast<int>(frame_bodies_.size()); ++b) AddBodyTones(b, true, true, states, &tones_);
    }
    for (const FrameBody& fb : frame_bodies_) {
      BodyMemory& mem = memory_[fb.memory];
      mem.frame = frame_index;
      mem.count = fb.parts.count;
      for (int p = 0; p < fb.parts.count; ++p) mem.position[p] = fb.parts.part[p].Position();
    }
  }
  if (steady) bank_.Update(displacements_);
  AddPointTones(points);
  AddClutterTones(t_s);

  Emit(frame_index, steady, level, out);

  ++counts_.frames;
  if (steady) ++counts_.resting_frames;
  std::swap(prev_keys_, keys_);
  last_frame_ = frame_index;
}

void RadarSimulator::Emit(std::int64_t frame_index, bool steady, RadarLevel level, RadarFrame* out) {
  const FmcwConstants& k = synth_.constants();
  out->index = frame_index;
  out->time_s = static_cast<double>(frame_index) / k.frame_rate_hz;
  out->num_rx = k.num_rx;
  out->num_bins = k.bins;
  out->num_chirps = k.chirps;
  out->num_samples = k.samples;
  if (level == RadarLevel::kRaw) {
    out->level = RadarLevel::kRaw;
    out->range.clear();
    const std::vector<float>& base = steady ? slow_raw_ : static_raw_;
    out->raw.resize(static_cast<std::size_t>(k.chirps) * base.size());
    for (int m = 0; m < k.chirps; ++m) std::copy(base.begin(), base.end(), out->raw.begin() + m * base.size());
    if (steady) bank_.AppendTones(&tones_);
    synth_.AddRaw(tones_, out->raw);
    hardware_.AddFluctuation(frame_index, out->raw);
    if (options_.noise) noise_.AddRawNoise(frame_index, k, noise_sd_v_, out->raw);
    last_clipped_ = options_.quantize ? QuantizeRaw(k, out->raw) : 0;
    return;
  }
  out->level = RadarLevel::kRange;
  out->raw.clear();
  // The noise rows are fetched from memory while the paths are synthesized.
  NoiseSource::RangeNoiseDraws noise_draws;
  if (options_.noise) noise_draws = noise_.DrawRangeNoise(frame_index, k);
  accumulator_.Zero();
  if (steady) bank_.AddRange(synth_, &accumulator_);
  synth_.AddRangeFast(tones_, kernel_floor_v_, &accumulator_);
  hardware_.AddFluctuation(frame_index, &accumulator_);
  if (options_.noise) noise_.AddRangeNoise(noise_draws, k, range_noise_sd_v_, &accumulator_);
  const std::vector<std::complex<float>>& base = steady ? slow_range_ : static_range_;
  out->range.resize(base.size());
  accumulator_.AddTo(base, out->range);
}

}  // namespace nightsim::physics
