#include "physics/path_bank.h"

#include <cmath>
#include <numbers>

#include "fast_math.h"

namespace nightsim::physics {
namespace {

// The apparent position of a point seen along a leg off `surface` (−1: direct), and the
// apparent direction of a vector: the image source's linear part, v − 2 (n·v) n.
Eigen::Vector3d Apparent(const Propagation& prop, int surface, const Eigen::Vector3d& p) {
  return surface < 0 ? p : prop.surfaces()[surface].Mirror(p);
}
Eigen::Vector3d ApparentDirection(const Propagation& prop, int surface, const Eigen::Vector3d& v) {
  if (surface < 0) return v;
  const Eigen::Vector3d& n = prop.surfaces()[surface].normal;
  return v - 2.0 * n.dot(v) * n;
}

}  // namespace

BreathingPathBank::BreathingPathBank(const FmcwConstants& k)
    : k_(k), num_rx_(k.num_rx), leg_a2_(1 + k.num_rx), leg_b_(1 + k.num_rx), leg_m_(1 + k.num_rx) {}

void BreathingPathBank::Clear() {
  slot_.clear();
  for (auto& v : leg_a2_) v.clear();
  for (auto& v : leg_b_) v.clear();
  for (int r = 0; r < kMaxRx; ++r) {
    amplitude_v_[r].clear();
    path_m_[r].clear();
  }
  previous_path0_m_.clear();
  rate_mps_.clear();
  quads_.clear();
  placements_.clear();
  placed_ = false;
}

void BreathingPathBank::Add(const Propagation& prop, const Eigen::Vector3d& rest_m, const Eigen::Vector3d& normal,
                            PathSpec spec, const std::array<double, kMaxRx>& amplitude_v, int quads, int slot,
                            double previous_path0_m) {
  // Leg from antenna o to the apparent scatterer a0 + d u (|u| = 1): |a + d u|² = |a|² + 2 d a·u + d².
  const Eigen::Vector3d u_tx = ApparentDirection(prop, spec.tx_surface, normal);
  const Eigen::Vector3d a_tx = Apparent(prop, spec.tx_surface, rest_m) - prop.pose().origin_m;
  const Eigen::Vector3d u_rx = ApparentDirection(prop, spec.rx_surface, normal);
  const Eigen::Vector3d rest_rx = Apparent(prop, spec.rx_surface, rest_m);
  slot_.push_back(slot);
  leg_a2_[0].push_back(a_tx.squaredNorm());
  leg_b_[0].push_back(2.0 * a_tx.dot(u_tx));
  for (int r = 0; r < num_rx_; ++r) {
    const Eigen::Vector3d a_rx = rest_rx - prop.rx_m()[r];
    leg_a2_[1 + r].push_back(a_rx.squaredNorm());
    leg_b_[1 + r].push_back(2.0 * a_rx.dot(u_rx));
    amplitude_v_[r].push_back(amplitude_v[r]);
    path_m_[r].push_back(0.0);
  }
  previous_path0_m_.push_back(previous_path0_m);
  rate_mps_.push_back(0.0);
  quads_.push_back(quads);
  placed_ = false;
}

NIGHTSIM_TARGET_CLONES
void BreathingPathBank::Update(std::span<const double> displacement_m) {
  const std::size_t count = slot_.size();
  displacement_m_.resize(count);
  for (std::size_t i = 0; i < count; ++i) displacement_m_[i] = displacement_m[slot_[i]];
  const double* d = displacement_m_.data();
  for (int leg = 0; leg <= num_rx_; ++leg) {
    std::vector<double>& len = leg_m_[leg];
    len.resize(count);
    const double* a2 = leg_a2_[leg].data();
    const double* b = leg_b_[leg].data();
    for (std::size_t i = 0; i < count; ++i) len[i] = a2[i] + d[i] * (b[i] + d[i]);
    // Correctly rounded whatever the width (path_bank.cc is built with -fno-math-errno, so
    // the loop vectorizes).
    for (std::size_t i = 0; i < count; ++i) len[i] = std::sqrt(len[i]);
  }
  for (int r = 0; r < num_rx_; ++r) {
    const double* tx = leg_m_[0].data();
    const double* rx = leg_m_[1 + r].data();
    double* path = path_m_[r].data();
    for (std::size_t i = 0; i < count; ++i) path[i] = tx[i] + rx[i];
  }
  for (std::size_t i = 0; i < count; ++i) {
    // d(path)/dt from the previous frame: the motion within this frame.
    const double previous = previous_path0_m_[i];
    rate_mps_[i] = std::isnan(previous) ? 0.0 : (path_m_[0][i] - previous) * k_.frame_rate_hz;
    previous_path0_m_[i] = path_m_[0][i];
  }
}

void BreathingPathBank::Place() {
  // A breathing path moves by well under a bin while the bodies rest; the RX differ by
  // < 0.1 bin. Windows are placed for the bins they can reach with a margin of 3 bins
  // (AddKernels checks the exact window every frame).
  constexpr double kMarginBins = 3.0;
  const int n = k_.samples;
  const int bins = k_.bins;
  const int count = static_cast<int>(slot_.size());
  placements_.clear();
  for (int r = 0; r < num_rx_; ++r) {
    for (int i = 0; i < count; ++i) {
      const int q = quads_[i];
      const double p = k_.PathToBin(path_m_[r][i]);
      const double reach = 2.0 * q + kMarginBins;
      for (const float sign : {1.0f, -1.0f}) {
        // centre = sign p + j N must lie in (−reach, bins + reach)
        const double c = sign * p;
        const int j_lo = static_cast<int>(std::ceil((-reach - c) / n));
        const int j_hi = static_cast<int>(std::floor((bins + reach - c) / n));
        for (int j = j_lo; j <= j_hi; ++j) placements_.push_back({r * count + i, r, sign, static_cast<double>(j) * n, q});
      }
    }
  }
  placed_ = true;
}

NIGHTSIM_TARGET_CLONES
void BreathingPathBank::AddRange(const FmcwSynthesizer& synth, SplitProfile* out) {
  constexpr double kTwoPi = 2.0 * std::numbers::pi;
  const int count = size();
  if (count == 0) return;
  if (!placed_) Place();
  const std::size_t entries = static_cast<std::size_t>(count) * num_rx_;
  const std::size_t padded = (entries + 3) / 4 * 4;
  phase_rad_.resize(padded, 0.0);
  bin_.resize(padded);
  half_amplitude_v_.resize(padded);
  sin_.resize(padded);
  cos_.resize(padded);
  // Chirp averaging, then per entry φ0 = 2π f0 τ − π S τ², the bin and the half amplitude.
  const double psi_per_mps = kTwoPi * k_.chirp_repetition_s / k_.wavelength_m;
  // DopplerFactor's series branch for every path at once (branch-free, so it vectorizes;
  // the same operations, so the same bits), then the rare fast path through DopplerFactor.
  doppler_.resize(count);
  {
    const int chirps = k_.chirps;
    const detail::DopplerSeries series(chirps);
    const double* rate = rate_mps_.data();
    float* doppler = doppler_.data();
    for (int i = 0; i < count; ++i) doppler[i] = static_cast<float>(0.5 * series(psi_per_mps * rate[i]));
    for (int i = 0; i < count; ++i) {
      const double psi = psi_per_mps * rate[i];
      if (!detail::DopplerSeries::Applies(psi, chirps)) doppler[i] = static_cast<float>(0.5 * detail::DopplerFactor(psi, chirps));
    }
  }
  const double phase_per_s = kTwoPi * k_.start_hz;
  const double phase_per_s2 = std::numbers::pi * k_.slope_hz_per_s;
  for (int r = 0; r < num_rx_; ++r) {
    const double* path = path_m_[r].data();
    const double* amp = amplitude_v_[r].data();
    const float* doppler = doppler_.data();
    double* phase = phase_rad_.data() + static_cast<std::size_t>(r) * count;
    double* bin = bin_.data() + static_cast<std::size_t>(r) * count;
    float* half_a = half_amplitude_v_.data() + static_cast<std::size_t>(r) * count;
    for (int i = 0; i < count; ++i) {
      const double tau = path[i] * (1.0 / kSpeedOfLightMps);
      phase[i] = phase_per_s * tau - phase_per_s2 * tau * tau;
      bin[i] = path[i] * k_.bins_per_path_m;
      half_a[i] = static_cast<float>(amp[i]) * doppler[i];
    }
  }
  for (std::size_t e = entries; e < padded; ++e) phase_rad_[e] = 0.0;
  for (std::size_t e = 0; e < padded; e += 4) detail::FastSinCos4(&phase_rad_[e], &sin_[e], &cos_[e]);
  for (std::size_t e = 0; e < entries; ++e) {
    sin_[e] *= half_amplitude_v_[e];
    cos_[e] *= half_amplitude_v_[e];
  }
  // The tone at p + jN with coefficient c; its image (conjugate) at −p + jN.
  synth.AddKernels(placements_, bin_.data(), cos_.data(), sin_.data(), out);
}

void BreathingPathBank::AppendTones(std::vector<Tone>* tones) const {
  const int count = size();
  for (int i = 0; i < count; ++i) {
    Tone tone;
    for (int r = 0; r < num_rx_; ++r) {
      tone.amplitude_v[r] = amplitude_v_[r][i];
      tone.path_m[r] = path_m_[r][i];
    }
    tone.path_rate_mps = rate_mps_[i];
    tones->push_back(tone);
  }
}

}  // namespace nightsim::physics
