#include "physics/fmcw.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "core/rng.h"

namespace nightsim::physics {
namespace {

constexpr double kTwoPi = 2.0 * std::numbers::pi;
using cd = std::complex<double>;
using cf = std::complex<float>;

cd Expj(double phase) { return {std::cos(phase), std::sin(phase)}; }

// Largest integer <= x for |x| < 2^62, without a libm call.
double FloorFast(double x) {
  const double t = static_cast<double>(static_cast<std::int64_t>(x));
  return t > x ? t - 1.0 : t;
}

// sin and cos of a phase of any size: reduced to [−π, π] in double, evaluated in float
// (the result is stored in float anyway).
void SinCos(double phase, float* s, float* c) {
  const double r = phase - 2.0 * std::numbers::pi * FloorFast(phase * (0.5 / std::numbers::pi) + 0.5);
  const float rf = static_cast<float>(r);
  *s = std::sin(rf);
  *c = std::cos(rf);
}

// Chirp-averaging factor of a tone whose phase advances ψ per chirp, referenced to
// the centre chirp: (1/M) Σ e^{jψ(m − (M−1)/2)} = sin(Mψ/2) / (M sin(ψ/2)).
double DopplerFactor(double psi, int chirps) {
  const double m_psi = chirps * psi;
  if (std::fabs(m_psi) < 0.2) {  // series: 1 − (M² − 1) ψ² / 24, next term < 1e-6 here
    return 1.0 - (static_cast<double>(chirps) * chirps - 1.0) * psi * psi / 24.0;
  }
  const double s = std::sin(0.5 * psi);
  if (std::fabs(s) < 1e-12) return 1.0;
  return std::sin(0.5 * chirps * psi) / (chirps * s);
}

// Table of complex standard normals (E|z|² = 1), built once per process, padded so
// that any row of up to kNoisePad entries starting below kNoiseTableSize fits.
constexpr std::size_t kNoiseTableSize = 1u << 16;
constexpr std::size_t kNoisePad = 4096;

const std::vector<cf>& NormalTable() {
  static const std::vector<cf> table = [] {
    std::vector<cf> t(kNoiseTableSize + kNoisePad);
    RandomStream s(0x6e6f697365ull, StableId("radar"), StableId("noise_table"));
    const double h = std::sqrt(0.5);
    for (auto& v : t) {
      const double a = s.Normal();
      const double b = s.Normal();
      v = cf(static_cast<float>(a * h), static_cast<float>(b * h));
    }
    return t;
  }();
  return table;
}

}  // namespace

FmcwConstants FmcwConstants::From(const RadarParams& p) {
  FmcwConstants k;
  k.start_hz = p.start_hz;
  k.slope_hz_per_s = p.bandwidth_hz / p.chirp_s;
  k.sample_rate_hz = p.sample_rate_hz;
  k.samples = p.samples_per_chirp;
  k.bins = p.samples_per_chirp / 2;
  k.chirps = p.chirps_per_frame;
  k.num_rx = static_cast<int>(ResolveRxPositions(p).size());
  k.centre_hz = p.start_hz + 0.5 * k.slope_hz_per_s * k.samples / k.sample_rate_hz;
  k.wavelength_m = kSpeedOfLightMps / k.centre_hz;
  k.chirp_repetition_s = p.chirp_repetition_s;
  k.frame_rate_hz = p.frame_rate_hz;
  // p = f_b N / fs with f_b = S L / c
  k.bins_per_path_m = k.slope_hz_per_s * k.samples / (k.sample_rate_hz * kSpeedOfLightMps);
  k.range_bin_m = kSpeedOfLightMps * k.sample_rate_hz / (2.0 * k.slope_hz_per_s * k.samples);
  k.tx_power_w = 1e-3 * std::pow(10.0, p.tx_power_dbm / 10.0);
  k.antenna_gain = std::pow(10.0, p.antenna_gain_dbi / 10.0);
  k.if_gain = std::pow(10.0, p.if_gain_db / 20.0);
  // P_n = k T0 F B_n with B_n = fs/2 (real sampling); σ_v = √(P_n R) · g_if
  const double noise_w =
      kBoltzmannJPerK * kNoiseTemperatureK * std::pow(10.0, p.noise_figure_db / 10.0) * 0.5 * p.sample_rate_hz;
  k.thermal_sd_v = std::sqrt(noise_w * kLoadOhm) * k.if_gain;
  k.adc_bits = p.adc_bits;
  k.adc_full_scale_v = p.adc_full_scale_v;
  k.adc_lsb_v = 2.0 * p.adc_full_scale_v / std::ldexp(1.0, p.adc_bits);
  return k;
}

double IfFilterGain(const RadarParams& p, double beat_hz) {
  const double f = std::fabs(beat_hz);
  // |H_hp| = (f/fc) / √(1 + (f/fc)²)
  double hp = 1.0;
  if (p.if_highpass_hz > 0) {
    const double r = f / p.if_highpass_hz;
    hp = r / std::sqrt(1.0 + r * r);
  }
  // |H_lp| = 1 / √(1 + (f/fc)^8), fourth-order Butterworth
  const double r = f / p.if_lowpass_hz;
  const double r2 = r * r;
  const double r4 = r2 * r2;
  return hp / std::sqrt(1.0 + r4 * r4);
}

FmcwSynthesizer::FmcwSynthesizer(const RadarParams& p, int half_span_bins)
    : params_(p), k_(FmcwConstants::From(p)), half_span_(std::clamp(half_span_bins, 2, p.samples_per_chirp / 2)) {
  const int n = k_.samples;
  twiddle_.resize(n);
  window_.resize(n);
  for (int i = 0; i < n; ++i) {
    twiddle_[i] = Expj(-kTwoPi * i / n);
    window_[i] = 0.5 - 0.5 * std::cos(kTwoPi * i / n);  // periodic Hann
  }
  for (auto& v : rotor_scratch_) v.resize(256);
  const int width = 2 * half_span_ + 2;
  table_.resize(static_cast<std::size_t>(kTableSteps + 1) * width);
  for (int f = 0; f <= kTableSteps; ++f) {
    for (int j = 0; j < width; ++j) {
      const cd v = Kernel(j - half_span_ - static_cast<double>(f) / kTableSteps);
      table_[static_cast<std::size_t>(f) * width + j] = cf(static_cast<float>(v.real()), static_cast<float>(v.imag()));
    }
  }
}

cd FmcwSynthesizer::Kernel(double kappa) const {
  const int n = k_.samples;
  // D(κ) = Σ_n e^{−j2πκn/N} = e^{−jπκ(N−1)/N} sin(πκ) / sin(πκ/N), N-periodic
  auto dirichlet = [n](double x) -> cd {
    const double r = x - n * std::round(x / n);
    if (std::fabs(r) < 1e-9) return cd(n, 0.0);
    const double mag = std::sin(std::numbers::pi * r) / std::sin(std::numbers::pi * r / n);
    return mag * Expj(-std::numbers::pi * r * (n - 1) / n);
  };
  // Periodic Hann = ½ − ¼e^{j2πn/N} − ¼e^{−j2πn/N}: W = ½D(κ) − ¼D(κ−1) − ¼D(κ+1); Σw = N/2
  const cd w = 0.5 * dirichlet(kappa) - 0.25 * dirichlet(kappa - 1.0) - 0.25 * dirichlet(kappa + 1.0);
  return w / (0.5 * n);
}

void FmcwSynthesizer::AddRangeExact(const Tone& tone, std::span<std::complex<double>> profile) const {
  const int n = k_.samples;
  const int bins = k_.bins;
  const double doppler = tone.chirp >= 0 ? 1.0 / k_.chirps
                                         : DopplerFactor(kTwoPi * tone.path_rate_mps * k_.chirp_repetition_s /
                                                             k_.wavelength_m,
                                                         k_.chirps);
  std::vector<cd> u(bins + 2);
  for (int rx = 0; rx < k_.num_rx; ++rx) {
    if (tone.amplitude_v[rx] == 0.0) continue;
    const double tau = tone.path_m[rx] / kSpeedOfLightMps;
    const double phi0 = kTwoPi * k_.start_hz * tau - std::numbers::pi * k_.slope_hz_per_s * tau * tau;
    const cd coeff = 0.5 * tone.amplitude_v[rx] * doppler * Expj(phi0);
    cd* out = profile.data() + static_cast<std::size_t>(rx) * bins;
    for (int sign = 1; sign >= -1; sign -= 2) {
      // Term (A/2) e^{±jφ0} W(k ∓ p): geometric-series form of the Dirichlet kernel,
      // D(k − p) = (1 − e^{j2πp}) / (1 − e^{j2πp/N} e^{−j2πk/N}).
      double p = sign * k_.PathToBin(tone.path_m[rx]);
      if (std::fabs(p - std::round(p)) < 1e-7) p += 1e-7;  // step off the removable singularity
      const cd q = Expj(kTwoPi * p / n);
      const cd one_minus_e = 1.0 - Expj(kTwoPi * p);
      for (int k = -1; k <= bins; ++k) {
        u[k + 1] = 1.0 / (1.0 - q * twiddle_[(k + n) % n]);
      }
      const cd c = (sign > 0 ? coeff : std::conj(coeff)) * one_minus_e / (0.5 * n);
      for (int k = 0; k < bins; ++k) {
        out[k] += c * (0.5 * u[k + 1] - 0.25 * u[k] - 0.25 * u[k + 2]);
      }
    }
  }
}

void FmcwSynthesizer::AddKernelFast(double centre_bin, cf coeff, cf* out) const {
  const int bins = k_.bins;
  const double fl = FloorFast(centre_bin);
  const int m = static_cast<int>(fl);
  const int lo = m - half_span_;
  const int width = 2 * half_span_ + 2;
  const int k_begin = std::max(lo, 0);
  const int k_end = std::min(lo + width, bins);
  if (k_begin >= k_end) return;
  const double f = (centre_bin - fl) * kTableSteps;
  int f0 = static_cast<int>(f);
  if (f0 >= kTableSteps) f0 = kTableSteps - 1;
  const float t = static_cast<float>(f - f0);
  // Linear interpolation between two table rows, times the tone's coefficient; written
  // out in real arithmetic so that it vectorizes (std::complex<float> * would not).
  const float* row0 = reinterpret_cast<const float*>(table_.data() + static_cast<std::size_t>(f0) * width);
  const float* row1 = row0 + 2 * width;
  const float c0r = coeff.real() * (1.0f - t), c0i = coeff.imag() * (1.0f - t);
  const float c1r = coeff.real() * t, c1i = coeff.imag() * t;
  float* o = reinterpret_cast<float*>(out);
  for (int k = k_begin; k < k_end; ++k) {
    const int j = 2 * (k - lo);
    o[2 * k] += c0r * row0[j] - c0i * row0[j + 1] + c1r * row1[j] - c1i * row1[j + 1];
    o[2 * k + 1] += c0r * row0[j + 1] + c0i * row0[j] + c1r * row1[j + 1] + c1i * row1[j];
  }
}

void FmcwSynthesizer::AddRangeFast(const Tone& tone, std::span<std::complex<float>> profile) const {
  const int n = k_.samples;
  const int bins = k_.bins;
  const int reach = half_span_ + 2;  // the kernel table covers [c − K, c + K + 1]
  const double doppler = tone.chirp >= 0 ? 1.0 / k_.chirps
                                         : DopplerFactor(kTwoPi * tone.path_rate_mps * k_.chirp_repetition_s /
                                                             k_.wavelength_m,
                                                         k_.chirps);
  for (int rx = 0; rx < k_.num_rx; ++rx) {
    if (tone.amplitude_v[rx] == 0.0) continue;
    const double tau = tone.path_m[rx] * (1.0 / kSpeedOfLightMps);
    // φ0 = 2π f0 τ − π S τ²
    const double phi0 = kTwoPi * k_.start_hz * tau - std::numbers::pi * k_.slope_hz_per_s * tau * tau;
    const float half_a = static_cast<float>(0.5 * tone.amplitude_v[rx] * doppler);
    float sn = 0.0f;
    float cs = 0.0f;
    SinCos(phi0, &sn, &cs);
    const cf cpos(half_a * cs, half_a * sn);
    const cf cneg = std::conj(cpos);
    double p = k_.PathToBin(tone.path_m[rx]);
    if (p >= n) p = std::fmod(p, static_cast<double>(n));
    cf* out = profile.data() + static_cast<std::size_t>(rx) * bins;
    // The kernel is N-periodic: the tone at p (and p − N), its image at −p (and N − p).
    if (p - half_span_ < bins) AddKernelFast(p, cpos, out);
    if (p - n + reach > 0) AddKernelFast(p - n, cpos, out);
    if (-p + reach > 0) AddKernelFast(-p, cneg, out);
    if (n - p - half_span_ < bins) AddKernelFast(n - p, cneg, out);
  }
}

void FmcwSynthesizer::AddRaw(const Tone& tone, std::span<float> raw) const {
  const int n = k_.samples;
  const int nrx = k_.num_rx;
  const double s = k_.slope_hz_per_s;
  const double f0 = k_.start_hz;
  const int m_first = tone.chirp >= 0 ? tone.chirp : 0;
  const int chirps = tone.chirp >= 0 ? 1 : k_.chirps;
  // Path change between chirps (same for all RX).
  const double dtau = tone.chirp >= 0 ? 0.0 : tone.path_rate_mps * k_.chirp_repetition_s / kSpeedOfLightMps;
  const cd dsample_rot = Expj(kTwoPi * s * dtau / k_.sample_rate_hz);  // Δω per chirp
  constexpr int kBlock = 8;
  const int full_blocks = n / kBlock;
  const int blocks = (n + kBlock - 1) / kBlock;
  // Scratch, structure of arrays over chirps so that the recurrences of different chirps
  // run side by side: [chirp][b] sample rotors, [chirp][block] block starts.
  std::vector<float>& sr = scratch_[0];
  std::vector<float>& si = scratch_[1];
  std::vector<float>& br = scratch_[2];
  std::vector<float>& bi = scratch_[3];
  sr.resize(static_cast<std::size_t>(chirps) * kBlock);
  si.resize(sr.size());
  br.resize(static_cast<std::size_t>(chirps) * blocks);
  bi.resize(br.size());
  cd* rot = rotor_scratch_[0].data();  // sized for 256 chirps (CheckRadarParams' limit)
  cd* start = rotor_scratch_[1].data();
  cd* pw = rotor_scratch_[2].data();
  for (int rx = 0; rx < nrx; ++rx) {
    const double a = tone.amplitude_v[rx];
    if (a == 0.0) continue;
    const double offset_s = tone.chirp >= 0 ? 0.0 : ChirpOffsetS(m_first);
    const double tau = (tone.path_m[rx] + tone.path_rate_mps * offset_s) / kSpeedOfLightMps;
    // x[n] = A cos(ω n + φ0), ω = 2π S τ / fs, φ0 = 2π f0 τ − π S τ². From chirp to chirp
    // τ grows by dτ, so ω turns by 2π S dτ / fs and φ0 by 2π f0 dτ − π S (2 τ_m dτ + dτ²);
    // that step is taken at the middle chirp (it drifts by 2π S dτ² < 1e-12 rad per chirp).
    const double tau_mid = tau + 0.5 * (chirps - 1) * dtau;
    const cd phase_step = Expj(kTwoPi * f0 * dtau - std::numbers::pi * s * (2.0 * tau_mid * dtau + dtau * dtau));
    rot[0] = Expj(kTwoPi * s * tau / k_.sample_rate_hz);
    start[0] = a * Expj(kTwoPi * f0 * tau - std::numbers::pi * s * tau * tau);
    for (int m = 1; m < chirps; ++m) {
      rot[m] = rot[m - 1] * dsample_rot;
      start[m] = start[m - 1] * phase_step;
    }
    // Sample rotors e^{jωb}, b < 8, and the block step e^{j8ω}.
    for (int m = 0; m < chirps; ++m) pw[m] = 1.0;
    for (int b = 0; b < kBlock; ++b) {
      for (int m = 0; m < chirps; ++m) {
        sr[m * kBlock + b] = static_cast<float>(pw[m].real());
        si[m * kBlock + b] = static_cast<float>(pw[m].imag());
        pw[m] *= rot[m];
      }
    }
    // Block starts A e^{jφ0} e^{j8ωa}.
    for (int blk = 0; blk < blocks; ++blk) {
      for (int m = 0; m < chirps; ++m) {
        br[m * blocks + blk] = static_cast<float>(start[m].real());
        bi[m * blocks + blk] = static_cast<float>(start[m].imag());
        start[m] *= pw[m];
      }
    }
    // Every sample Re(start_a · e^{jωb}): independent products.
    for (int m = 0; m < chirps; ++m) {
      float* x = raw.data() + (static_cast<std::size_t>(m_first + m) * nrx + rx) * n;
      const float* srm = &sr[m * kBlock];
      const float* sim = &si[m * kBlock];
      const float* brm = &br[m * blocks];
      const float* bim = &bi[m * blocks];
      for (int blk = 0; blk < full_blocks; ++blk) {
        float* xb = x + blk * kBlock;
        const float r = brm[blk];
        const float q = bim[blk];
        for (int b = 0; b < kBlock; ++b) xb[b] += r * srm[b] - q * sim[b];
      }
      for (int i = full_blocks * kBlock, b = 0; i < n; ++i, ++b) x[i] += brm[full_blocks] * srm[b] - bim[full_blocks] * sim[b];
    }
  }
}

void FmcwSynthesizer::AddRawStationary(const Tone& tone, std::span<double> chirp_samples) const {
  const int n = k_.samples;
  for (int rx = 0; rx < k_.num_rx; ++rx) {
    const double a = tone.amplitude_v[rx];
    if (a == 0.0) continue;
    const double tau = tone.path_m[rx] / kSpeedOfLightMps;
    const double phi0 = kTwoPi * k_.start_hz * tau - std::numbers::pi * k_.slope_hz_per_s * tau * tau;
    const double omega = kTwoPi * k_.slope_hz_per_s * tau / k_.sample_rate_hz;
    double* x = chirp_samples.data() + static_cast<std::size_t>(rx) * n;
    for (int i = 0; i < n; ++i) x[i] += a * std::cos(omega * i + phi0);
  }
}

void FmcwSynthesizer::RangeFromRaw(std::span<const float> raw, std::span<std::complex<double>> profile) const {
  const int n = k_.samples;
  const int bins = k_.bins;
  const int nrx = k_.num_rx;
  std::fill(profile.begin(), profile.end(), cd(0.0));
  const double norm = 1.0 / (0.5 * n * k_.chirps);  // 1/Σw, mean over chirps
  for (int m = 0; m < k_.chirps; ++m) {
    for (int rx = 0; rx < nrx; ++rx) {
      const float* x = raw.data() + (static_cast<std::size_t>(m) * nrx + rx) * n;
      for (int k = 0; k < bins; ++k) {
        cd acc = 0.0;
        for (int i = 0; i < n; ++i) acc += window_[i] * static_cast<double>(x[i]) * twiddle_[(static_cast<long>(k) * i) % n];
        profile[static_cast<std::size_t>(rx) * bins + k] += acc * norm;
      }
    }
  }
}

NoiseSource::NoiseSource(std::uint64_t seed) : seed_(seed) { NormalTable(); }

void NoiseSource::AddRangeNoise(std::int64_t frame_index, const FmcwConstants& k, double sd_v,
                                std::span<std::complex<float>> profile) const {
  const std::vector<cf>& table = NormalTable();
  RandomStream stream =
      RandomStream(seed_, StableId("radar"), StableId("noise")).Derive(static_cast<std::uint64_t>(frame_index));
  const int bins = k.bins;
  // X_k = (1/Σw)(½G_k − ¼G_{k−1} − ¼G_{k+1}) with G the DFT of white real noise:
  // E|G_k|² = N σ², G_0 and G_{N/2} real, G_{−1} = conj(G_1); /√M for chirp averaging.
  const float scale = static_cast<float>(2.0 * sd_v / std::sqrt(static_cast<double>(k.samples) * k.chirps));
  const float inv_sqrt2 = static_cast<float>(std::sqrt(0.5));
  const float sqrt2 = static_cast<float>(std::sqrt(2.0));
  std::vector<cf> g(bins + 2);
  for (int rx = 0; rx < k.num_rx; ++rx) {
    const std::uint64_t w = stream.NextU64();
    const cf* ta = table.data() + (w & 0xffff);
    const cf* tb = table.data() + ((w >> 16) & 0xffff);
    const double th1 = kTwoPi * static_cast<double>((w >> 32) & 0xffff) / 65536.0;
    const double th2 = kTwoPi * static_cast<double>((w >> 48) & 0xffff) / 65536.0;
    const cf u1 = cf(static_cast<float>(std::cos(th1)), static_cast<float>(std::sin(th1))) * inv_sqrt2;
    const cf u2 = cf(static_cast<float>(std::cos(th2)), static_cast<float>(std::sin(th2))) * inv_sqrt2;
    for (int i = 0; i <= bins; ++i) g[i + 1] = ta[i] * u1 + tb[i] * u2;
    g[1] = cf(g[1].real() * sqrt2, 0.0f);                // G_0 real
    g[bins + 1] = cf(g[bins + 1].real() * sqrt2, 0.0f);  // G_{N/2} real
    g[0] = std::conj(g[2]);                              // G_{−1} = conj(G_1)
    cf* out = profile.data() + static_cast<std::size_t>(rx) * bins;
    for (int i = 0; i < bins; ++i) out[i] += scale * (0.5f * g[i + 1] - 0.25f * (g[i] + g[i + 2]));
  }
}

void NoiseSource::AddRawNoise(std::int64_t frame_index, const FmcwConstants& k, double sd_v,
                              std::span<float> raw) const {
  const float* table = reinterpret_cast<const float*>(NormalTable().data());  // components: variance ½
  RandomStream stream =
      RandomStream(seed_, StableId("radar"), StableId("noise")).Derive(static_cast<std::uint64_t>(frame_index));
  const int n = k.samples;
  const int rows = k.chirps * k.num_rx;
  const float sd_row = static_cast<float>(sd_v * std::sqrt(2.0));
  for (int r = 0; r < rows; ++r) {
    const std::uint64_t w = stream.NextU64();
    const float* ta = table + 2 * (w & 0xffff);
    const float* tb = table + 2 * ((w >> 16) & 0xffff);
    const double th = kTwoPi * static_cast<double>(w >> 40) / 16777216.0;
    const float c = static_cast<float>(std::cos(th)) * sd_row;
    const float s = static_cast<float>(std::sin(th)) * sd_row;
    float* x = raw.data() + static_cast<std::size_t>(r) * n;
    for (int i = 0; i < n; ++i) x[i] += c * ta[i] + s * tb[i];
  }
}

int QuantizeRaw(const FmcwConstants& k, std::span<float> raw) {
  const float lsb = static_cast<float>(k.adc_lsb_v);
  const float inv = 1.0f / lsb;
  const float hi = static_cast<float>(std::ldexp(1.0, k.adc_bits - 1) - 1.0);
  const float lo = static_cast<float>(-std::ldexp(1.0, k.adc_bits - 1));
  int clipped = 0;
  for (float& v : raw) {
    float code = std::nearbyint(v * inv);
    if (code > hi) {
      code = hi;
      ++clipped;
    } else if (code < lo) {
      code = lo;
      ++clipped;
    }
    v = code * lsb;
  }
  return clipped;
}

}  // namespace nightsim::physics
