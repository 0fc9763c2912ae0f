#include "physics/fmcw.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <numbers>

#include "core/rng.h"
#include "fast_math.h"

namespace nightsim::physics {
namespace {

constexpr double kTwoPi = 2.0 * std::numbers::pi;
using cd = std::complex<double>;
using cf = std::complex<float>;
using detail::DopplerFactor;
using detail::FastSinCos;
using detail::FastSinCos4;
using detail::FloorFast;
using detail::Load4;
using detail::Splat4;
using detail::Store4;
using detail::V4;

cd Expj(double phase) { return {std::cos(phase), std::sin(phase)}; }

// Table of complex standard normals (E|z|² = 1), built once per process, padded so
// that any row of up to kNoisePad entries starting below kNoiseTableSize fits; and its
// Hann-filtered copy F_i = ½T_i − ¼(T_{i−1} + T_{i+1}) as separate real/imaginary planes.
constexpr std::size_t kNoiseTableSize = 1u << 16;
constexpr std::size_t kNoiseOffsetMask = kNoiseTableSize - 1;
// The two table rows one noise row reads, from bits 0–31 of its draw w (higher bits pick
// its phases): one definition for the range noise, its prefetch and the raw noise.
std::array<std::size_t, 2> NoiseRowOffsets(std::uint64_t w) {
  return {static_cast<std::size_t>(w & kNoiseOffsetMask), static_cast<std::size_t>((w >> 16) & kNoiseOffsetMask)};
}
constexpr std::size_t kNoisePad = 4096;

struct NoiseTables {
  std::vector<cf> normal;
  std::vector<float> filtered_re;
  std::vector<float> filtered_im;
};

const NoiseTables& Tables() {
  static const NoiseTables tables = [] {
    NoiseTables t;
    const std::size_t size = kNoiseTableSize + kNoisePad;
    t.normal.resize(size);
    RandomStream s(0x6e6f697365ull, StableId("radar"), StableId("noise_table"));
    const double h = std::sqrt(0.5);
    for (auto& v : t.normal) {
      const double a = s.Normal();
      const double b = s.Normal();
      v = cf(static_cast<float>(a * h), static_cast<float>(b * h));
    }
    t.filtered_re.assign(size, 0.0f);
    t.filtered_im.assign(size, 0.0f);
    for (std::size_t i = 1; i + 1 < size; ++i) {
      const cd f = 0.5 * cd(t.normal[i]) - 0.25 * (cd(t.normal[i - 1]) + cd(t.normal[i + 1]));
      t.filtered_re[i] = static_cast<float>(f.real());
      t.filtered_im[i] = static_cast<float>(f.imag());
    }
    return t;
  }();
  return tables;
}

}  // namespace

void SplitProfile::Reset(int rx_count, int bin_count, int pad_bins) {
  num_rx = rx_count;
  bins = bin_count;
  pad = pad_bins;
  stride = bin_count + 2 * pad_bins;
  re.assign(static_cast<std::size_t>(num_rx) * stride, 0.0f);
  im.assign(re.size(), 0.0f);
}

void SplitProfile::Zero() {
  std::fill(re.begin(), re.end(), 0.0f);
  std::fill(im.begin(), im.end(), 0.0f);
}

void SplitProfile::AddTo(std::span<const cf> base, std::span<cf> out) const {
  for (int rx = 0; rx < num_rx; ++rx) {
    const float* r = re.data() + static_cast<std::size_t>(rx) * stride + pad;
    const float* i = im.data() + static_cast<std::size_t>(rx) * stride + pad;
    const cf* b = base.data() + static_cast<std::size_t>(rx) * bins;
    cf* o = out.data() + static_cast<std::size_t>(rx) * bins;
    for (int k = 0; k < bins; ++k) o[k] = cf(b[k].real() + r[k], b[k].imag() + i[k]);
  }
}

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
  k.if_gain = std::pow(10.0, (p.rf_gain_db + p.if_gain_db) / 20.0);
  for (std::size_t r = 0; r < p.rx_gain_db.size() && r < k.rx_gain.size(); ++r) {
    k.rx_gain[r] = std::pow(10.0, p.rx_gain_db[r] / 20.0);
  }
  // A phase φ at the centre frequency is the electrical length φ/2π · λc (it also moves the
  // beat frequency, by far less than a bin, as a longer trace does).
  for (std::size_t r = 0; r < p.rx_phase_deg.size() && r < k.rx_path_offset_m.size(); ++r) {
    k.rx_path_offset_m[r] = p.rx_phase_deg[r] / 360.0 * k.wavelength_m;
  }
  // P_n = k T0 F B_n with B_n = fs/2 (real sampling); σ_v = √(P_n R) · g_if
  const double noise_w =
      kBoltzmannJPerK * kNoiseTemperatureK * std::pow(10.0, p.noise_figure_db / 10.0) * 0.5 * p.sample_rate_hz;
  k.thermal_sd_v = std::sqrt(noise_w * kLoadOhm) * k.if_gain;
  k.adc_bits = p.adc_bits;
  k.adc_full_scale_v = p.adc_full_scale_v;
  k.adc_lsb_v = AdcLsbV(p);
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
    : params_(p),
      k_(FmcwConstants::From(p)),
      half_span_(std::clamp(half_span_bins, 1, p.samples_per_chirp / 2)),
      max_quads_((half_span_ + 2) / 2) {
  const int n = k_.samples;
  chirp_blocks_ = (n + kChirpBlock - 1) / kChirpBlock;
  twiddle_.resize(n);
  window_.resize(n);
  for (int i = 0; i < n; ++i) {
    twiddle_[i] = Expj(-kTwoPi * i / n);
    window_[i] = 0.5 - 0.5 * std::cos(kTwoPi * i / n);  // periodic Hann
  }
  // Kernel rows at kTableSteps + 1 fractional offsets; stored with the step to the next row.
  const int width = 4 * max_quads_;
  std::vector<cd> rows(static_cast<std::size_t>(kTableSteps + 1) * width);
  for (int f = 0; f <= kTableSteps; ++f) {
    for (int j = 0; j < width; ++j) {
      rows[static_cast<std::size_t>(f) * width + j] =
          Kernel(j - 2 * max_quads_ + 1 - static_cast<double>(f) / kTableSteps);
    }
  }
  // Two copies per row: quads starting at bin 0 and at bin 2 (a window of q quads starts at
  // bin 2 (max_quads − q) of the row, on one grid or the other).
  row_floats_ = 16 * (2 * max_quads_ - 1);
  table_.assign(static_cast<std::size_t>(kTableSteps) * row_floats_, 0.0f);
  for (int f = 0; f < kTableSteps; ++f) {
    float* row = table_.data() + static_cast<std::size_t>(f) * row_floats_;
    for (int shift = 0; shift <= 2; shift += 2) {
      float* block = row + (shift == 0 ? 0 : 16 * max_quads_);
      for (int j = shift; j + (shift == 0 ? 0 : 2) < width; ++j) {
        const cd v = rows[static_cast<std::size_t>(f) * width + j];
        const cd d = rows[static_cast<std::size_t>(f + 1) * width + j] - v;
        float* quad = block + 16 * ((j - shift) / 4) + (j - shift) % 4;  // [re ×4 | im ×4 | Δre ×4 | Δim ×4]
        quad[0] = static_cast<float>(v.real());
        quad[4] = static_cast<float>(v.imag());
        quad[8] = static_cast<float>(d.real());
        quad[12] = static_cast<float>(d.imag());
      }
    }
  }
  // A window of q quads starts at bin 2 (max_quads − q) of the row, on the grid starting at
  // bin 0 or 2.
  window_offset_.assign(max_quads_ + 1, 0);
  for (int q = 1; q <= max_quads_; ++q) {
    const int skip = max_quads_ - q;
    window_offset_[q] = skip % 2 == 0 ? 16 * (skip / 2) : 16 * max_quads_ + 16 * ((skip - 1) / 2);
  }
  // Largest sidelobe at or beyond each distance: |W| is even and N-periodic, so κ in [d, N/2].
  constexpr int kGrid = 32;  // samples per bin; the sidelobe peaks are a bin wide
  const int half = n / 2;
  std::vector<double> at(static_cast<std::size_t>(half) * kGrid + 1);
  for (std::size_t i = 0; i < at.size(); ++i) at[i] = std::abs(Kernel(static_cast<double>(i) / kGrid));
  sidelobe_.assign(half + 1, 0.0);
  double running = 0.0;
  for (int i = static_cast<int>(at.size()) - 1; i >= 0; --i) {
    running = std::max(running, at[i]);
    if (i % kGrid == 0) sidelobe_[i / kGrid] = running;
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

double FmcwSynthesizer::ChirpAveraging(const Tone& tone) const {
  // A single-chirp tone is 1/M of the frame; a tone in every chirp turns by ψ = 2π v T_rep / λ per chirp.
  return tone.chirp >= 0 ? 1.0 / k_.chirps
                         : DopplerFactor(kTwoPi * tone.path_rate_mps * k_.chirp_repetition_s / k_.wavelength_m,
                                         k_.chirps);
}

void FmcwSynthesizer::AddRangeExact(const Tone& tone, std::span<std::complex<double>> profile) const {
  const int n = k_.samples;
  const int bins = k_.bins;
  const double doppler = ChirpAveraging(tone);
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

int FmcwSynthesizer::QuadsFor(double amplitude_v, double floor_v) const {
  if (floor_v <= 0.0) return max_quads_;
  for (int q = 1; q < max_quads_; ++q) {
    const int d = std::min(2 * q, static_cast<int>(sidelobe_.size()) - 1);
    if (0.5 * amplitude_v * sidelobe_[d] < floor_v) return q;
  }
  return max_quads_;
}

namespace {

// Eight floats: one AVX register in the AVX2 clones, two SSE registers on the baseline
// target; element-wise, so the same bits either way. Always inlined: a V8 never crosses
// a call, so GCC's note that the baseline passes one differently (-Wpsabi, silenced for
// this file in physics/CMakeLists.txt) does not apply.
using V8 = float __attribute__((vector_size(32)));
[[gnu::always_inline]] inline V8 Cat8(V4 lo, V4 hi) { return __builtin_shufflevector(lo, hi, 0, 1, 2, 3, 4, 5, 6, 7); }
[[gnu::always_inline]] inline V8 Load8(const float* p) {
  V8 v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
[[gnu::always_inline]] inline void Store8(float* p, V8 v) { std::memcpy(p, &v, sizeof v); }

// coeff · (row + t Δrow) added to `count` bins, eight (two quads of the table) at a time,
// then a last quad; Quads > 0 unrolls a fixed width (most kernels are 4–12 bins, where a
// loop's overhead would dominate). Every bin gets the same float operations in the same
// order whatever the width: kr = re + t Δre, ki = im + t Δim, out += (cr kr − ci ki) + j(cr ki + ci kr).
template <int Quads>
__attribute__((always_inline)) inline void AccumulateKernel(const float* quad, int quads, V4 t, V4 cr, V4 ci,
                                                            float* o_re, float* o_im) {
  const int n = Quads > 0 ? Quads : quads;
  const V8 t8 = Cat8(t, t);
  const V8 cr8 = Cat8(cr, cr);
  const V8 ci8 = Cat8(ci, ci);
  int i = 0;
  for (; i + 2 <= n; i += 2, quad += 32) {
    const V8 kr = Cat8(Load4(quad), Load4(quad + 16)) + t8 * Cat8(Load4(quad + 8), Load4(quad + 24));
    const V8 ki = Cat8(Load4(quad + 4), Load4(quad + 20)) + t8 * Cat8(Load4(quad + 12), Load4(quad + 28));
    Store8(o_re + 4 * i, Load8(o_re + 4 * i) + (cr8 * kr - ci8 * ki));
    Store8(o_im + 4 * i, Load8(o_im + 4 * i) + (cr8 * ki + ci8 * kr));
  }
  if (i < n) {
    const V4 kr = Load4(quad) + t * Load4(quad + 8);
    const V4 ki = Load4(quad + 4) + t * Load4(quad + 12);
    Store4(o_re + 4 * i, Load4(o_re + 4 * i) + (cr * kr - ci * ki));
    Store4(o_im + 4 * i, Load4(o_im + 4 * i) + (cr * ki + ci * kr));
  }
}

}  // namespace

__attribute__((always_inline)) inline void FmcwSynthesizer::AddKernel(const KernelTable& table, double centre_bin,
                                                                      float coeff_re, float coeff_im, int quads,
                                                                      float* re, float* im) {
  const double fl = FloorFast(centre_bin);
  const int b0 = static_cast<int>(fl) - 2 * quads + 1;  // first bin of the window
  const int count = 4 * quads;
  if (b0 >= table.bins || b0 + count <= 0) return;
  const double f = (centre_bin - fl) * kTableSteps;
  int f0 = static_cast<int>(f);
  if (f0 >= kTableSteps) f0 = kTableSteps - 1;
  const float* quad = table.data + static_cast<std::size_t>(f0) * table.row_floats + table.window_offset[quads];
  // Linear interpolation between two table rows, times the coefficient.
  const V4 t = Splat4(static_cast<float>(f - f0));
  const V4 cr = Splat4(coeff_re);
  const V4 ci = Splat4(coeff_im);
  switch (quads) {
    case 1: AccumulateKernel<1>(quad, quads, t, cr, ci, re + b0, im + b0); break;
    case 2: AccumulateKernel<2>(quad, quads, t, cr, ci, re + b0, im + b0); break;
    case 3: AccumulateKernel<3>(quad, quads, t, cr, ci, re + b0, im + b0); break;
    case 4: AccumulateKernel<4>(quad, quads, t, cr, ci, re + b0, im + b0); break;
    case 5: AccumulateKernel<5>(quad, quads, t, cr, ci, re + b0, im + b0); break;
    case 6: AccumulateKernel<6>(quad, quads, t, cr, ci, re + b0, im + b0); break;
    default: AccumulateKernel<0>(quad, quads, t, cr, ci, re + b0, im + b0); break;
  }
}

NIGHTSIM_TARGET_CLONES
void FmcwSynthesizer::AddKernels(std::span<const KernelPlacement> placements, const double* bin_of, const float* re,
                                 const float* im, SplitProfile* out) const {
  const KernelTable table = Table();
  std::array<float*, kMaxRx> row_re{}, row_im{};
  for (int r = 0; r < out->num_rx && r < kMaxRx; ++r) {
    row_re[r] = out->Re(r);
    row_im[r] = out->Im(r);
  }
  for (const KernelPlacement& p : placements) {
    AddKernel(table, p.sign * bin_of[p.entry] + p.offset_bins, re[p.entry], p.sign * im[p.entry], p.quads,
              row_re[p.rx], row_im[p.rx]);
  }
}

void FmcwSynthesizer::AddRangeFast(const Tone& tone, double floor_v, SplitProfile* out) const {
  AddRangeFast(std::span<const Tone>(&tone, 1), floor_v, out);
}

namespace {

constexpr int kBlock = 16;  // FmcwSynthesizer::kChirpBlock

// Four doubles: two SSE2 registers on the baseline target, one AVX register on AVX2.
using V4d = double __attribute__((vector_size(32)));

// FmcwSynthesizer::PrepareChirps4 for chirps of n samples in `blocks` blocks, one chirp per
// lane: x[n] = A cos(ω n + φ0) as sample rotors e^{jωb}, b < 16, and block starts
// A e^{jφ0} e^{j16ωa}, so that every sample is an independent product Re(start_a · e^{jωb})
// and the accumulation vectorizes. The powers are built by short interleaved recurrences
// (four chains for the rotors, two for the blocks) rather than one long dependent chain; in
// double, so their error stays ~1e-15. Lanes never mix, so each chirp's floats are the same
// whatever its neighbours. (a + jb)(c + jd) = (ac − bd) + j(ad + bc).
NIGHTSIM_TARGET_CLONES
void PrepareChirps4Lanes(int n, int blocks, const double* phase_rad, const double* omega_rad,
                         const double* amplitude_v, float* const* rotors) {
  struct C4 {
    V4d re;
    V4d im;
  };
  auto mul = [](const C4& x, const C4& y) { return C4{x.re * y.re - x.im * y.im, x.re * y.im + x.im * y.re}; };
  // Lane l of a vector of four, rounded to float, into rotors[l][at].
  auto scatter = [&](const V4d& v, int at) {
    alignas(16) float f[4];
    Store4(f, __builtin_convertvector(v, V4));
    for (int l = 0; l < 4; ++l) rotors[l][at] = f[l];
  };
  alignas(16) float sn[4];
  alignas(16) float cs[4];
  FastSinCos4(omega_rad, sn, cs);
  C4 w[kBlock];
  w[0] = C4{V4d{} + 1.0, V4d{}};
  w[1] = C4{__builtin_convertvector(Load4(cs), V4d), __builtin_convertvector(Load4(sn), V4d)};
  w[2] = mul(w[1], w[1]);
  const C4 w4 = mul(w[2], w[2]);
  w[3] = mul(w[2], w[1]);
  for (int b = 4; b < kBlock; ++b) w[b] = mul(w[b - 4], w4);
  for (int b = 0; b < kBlock; ++b) {
    scatter(w[b].re, b);
    scatter(w[b].im, kBlock + b);
  }
  const C4 step = mul(w[kBlock - 1], w[1]);  // e^{j16ω}
  const C4 step2 = mul(step, step);
  FastSinCos4(phase_rad, sn, cs);
  V4d amp;
  std::memcpy(&amp, amplitude_v, sizeof amp);
  C4 even{amp * __builtin_convertvector(Load4(cs), V4d), amp * __builtin_convertvector(Load4(sn), V4d)};
  C4 odd = mul(even, step);
  int a = 0;
  for (int i = 0; i + kBlock <= n; i += kBlock, ++a) {
    C4& st = a % 2 == 0 ? even : odd;
    scatter(st.re, 2 * kBlock + a);
    scatter(st.im, 2 * kBlock + blocks + a);
    st = mul(st, step2);
  }
  if (a < blocks) {  // the start of a partial last block
    const C4& st = a % 2 == 0 ? even : odd;
    scatter(st.re, 2 * kBlock + a);
    scatter(st.im, 2 * kBlock + blocks + a);
  }
}

// Eight floats: two SSE registers on the baseline target, one AVX register on AVX2.
using V8 = float __attribute__((vector_size(32)));
// (Through pointers: passing 32-byte vectors by value changes the ABI between the clones.)
inline void Load8(V8* v, const float* p) { std::memcpy(v, p, sizeof *v); }
inline void Store8(float* p, const V8* v) { std::memcpy(p, v, sizeof *v); }

// FmcwSynthesizer::AccumulateChirps: x[16a + b] += sr_a wr_b − si_a wi_b, summed over the
// jobs in order, with the samples of two blocks held in registers while the jobs stream
// past (the sum at every sample is the same sequence of float operations as adding one
// chirp after the other).
NIGHTSIM_TARGET_CLONES
void AccumulateChirpsLanes(int n, int blocks, std::size_t job_floats, const float* rotors, const int* jobs,
                           std::size_t count, float* x) {
  int a = 0;
  for (; (a + 2) * kBlock <= n; a += 2) {
    float* x0 = x + a * kBlock;
    V8 acc[4];
    for (int j = 0; j < 4; ++j) Load8(&acc[j], x0 + 8 * j);
    for (std::size_t e = 0; e < count; ++e) {
      const float* r = rotors + static_cast<std::size_t>(jobs[e]) * job_floats;
      const float* sr = r + 2 * kBlock;
      const float* si = sr + blocks;
      // Scalar × vector (a broadcast); a vector literal would go through the stack.
      const float sr0 = sr[a], si0 = si[a];
      const float sr1 = sr[a + 1], si1 = si[a + 1];
      for (int j = 0; j < 2; ++j) {
        V8 wr, wi;
        Load8(&wr, r + 8 * j);
        Load8(&wi, r + kBlock + 8 * j);
        acc[j] = acc[j] + (sr0 * wr - si0 * wi);
        acc[2 + j] = acc[2 + j] + (sr1 * wr - si1 * wi);
      }
    }
    for (int j = 0; j < 4; ++j) Store8(x0 + 8 * j, &acc[j]);
  }
  for (; a < blocks; ++a) {  // an odd last block, or a partial one
    const int first = a * kBlock;
    const int size = std::min(kBlock, n - first);
    for (std::size_t e = 0; e < count; ++e) {
      const float* r = rotors + static_cast<std::size_t>(jobs[e]) * job_floats;
      const float sr = r[2 * kBlock + a];
      const float si = r[2 * kBlock + blocks + a];
      for (int b = 0; b < size; ++b) x[first + b] += sr * r[b] - si * r[kBlock + b];
    }
  }
}

}  // namespace

void FmcwSynthesizer::PrepareChirps4(const double* phase_rad, const double* omega_rad, const double* amplitude_v,
                                     float* const* rotors) const {
  PrepareChirps4Lanes(k_.samples, chirp_blocks_, phase_rad, omega_rad, amplitude_v, rotors);
}

void FmcwSynthesizer::AccumulateChirps(const float* rotors, std::span<const int> jobs, float* x) const {
  AccumulateChirpsLanes(k_.samples, chirp_blocks_, ChirpJobFloats(), rotors, jobs.data(), jobs.size(), x);
}

NIGHTSIM_TARGET_CLONES
void FmcwSynthesizer::AddRangeFast(std::span<const Tone> tones, double floor_v, SplitProfile* out) const {
  // AddRangeFast of each tone in turn, the same operations in the same order, but with the
  // phases' sines four at a time (FastSinCos4 equals FastSinCos) and the kernel width
  // computed once per run of tones with the same peak amplitude (the chirps of a fan blade).
  const int n = k_.samples;
  batch_.clear();
  batch_phase_.clear();
  double last_peak = -1.0;
  int quads = 0;
  for (const Tone& tone : tones) {
    const double doppler = ChirpAveraging(tone);
    double a_max = 0.0;
    for (int rx = 0; rx < k_.num_rx; ++rx) a_max = std::max(a_max, tone.amplitude_v[rx]);
    const double peak = a_max * std::fabs(doppler);
    if (peak != last_peak) {
      quads = QuadsFor(peak, floor_v);
      last_peak = peak;
    }
    for (int rx = 0; rx < k_.num_rx; ++rx) {
      if (tone.amplitude_v[rx] == 0.0) continue;
      const double tau = tone.path_m[rx] * (1.0 / kSpeedOfLightMps);
      // φ0 = 2π f0 τ − π S τ²
      batch_phase_.push_back(kTwoPi * k_.start_hz * tau - std::numbers::pi * k_.slope_hz_per_s * tau * tau);
      double p = k_.PathToBin(tone.path_m[rx]);
      if (p >= n) p = std::fmod(p, static_cast<double>(n));
      batch_.push_back({p, static_cast<float>(0.5 * tone.amplitude_v[rx] * doppler), quads, rx});
    }
  }
  const std::size_t count = batch_.size();
  batch_phase_.resize((count + 3) / 4 * 4, 0.0);
  batch_sin_.resize(batch_phase_.size());
  batch_cos_.resize(batch_phase_.size());
  for (std::size_t e = 0; e < batch_phase_.size(); e += 4) {
    detail::FastSinCos4(&batch_phase_[e], &batch_sin_[e], &batch_cos_[e]);
  }
  const KernelTable table = Table();
  for (std::size_t e = 0; e < count; ++e) {
    const BatchEntry& b = batch_[e];
    const float cr = b.half_amplitude_v * batch_cos_[e];
    const float ci = b.half_amplitude_v * batch_sin_[e];
    float* re = out->Re(b.rx);
    float* im = out->Im(b.rx);
    // The kernel is N-periodic: the tone at p (and p − N), its image (conjugate) at −p (and N − p).
    AddKernel(table, b.bin, cr, ci, b.quads, re, im);
    AddKernel(table, b.bin - n, cr, ci, b.quads, re, im);
    AddKernel(table, -b.bin, cr, -ci, b.quads, re, im);
    AddKernel(table, n - b.bin, cr, -ci, b.quads, re, im);
  }
}

void FmcwSynthesizer::AddRaw(std::span<const Tone> tones, std::span<float> raw) const {
  const int n = k_.samples;
  const int nrx = k_.num_rx;
  const int chirps = k_.chirps;
  const double s = k_.slope_hz_per_s;
  const double f0 = k_.start_hz;
  const double t_rep = k_.chirp_repetition_s;
  const double half = 0.5 * (chirps - 1);  // chirps from the centre to the first or last
  const std::size_t job_floats = ChirpJobFloats();
  // Every chirp of every tone is prepared first (its rotors and block starts, into
  // chirp_rotors_) as a job for one output row — rows [node][rx] of the three interpolation
  // nodes, then rows [chirp][rx] of the frame — and the rows are then accumulated row by
  // row, each row's jobs in tone order (so every sample sees the same sums as when the
  // chirps were added one after the other, but the samples stay in registers).
  const int node_rows = 3 * nrx;
  const int rows = node_rows + chirps * nrx;
  job_row_.clear();
  std::size_t jobs = 0;
  job_phase_.clear();
  job_omega_.clear();
  job_amplitude_.clear();
  auto chirp_at = [&](double path_m, double amplitude_v, int row) {
    const double tau = path_m / kSpeedOfLightMps;
    // x[n] = A cos(ω n + φ0), ω = 2π S τ / fs, φ0 = 2π f0 τ − π S τ²: start A e^{jφ0}, rotor e^{jω}.
    job_phase_.push_back(kTwoPi * f0 * tau - std::numbers::pi * s * tau * tau);
    job_omega_.push_back(kTwoPi * s * tau / k_.sample_rate_hz);
    job_amplitude_.push_back(amplitude_v);
    job_row_.push_back(row);
    ++jobs;
  };
  bool nodes = false;
  for (const Tone& tone : tones) {
    const bool every_chirp = tone.chirp < 0;
    // Largest phase step between chirps (at the end of the sweep), times the chirps to the centre.
    const double f_end = f0 + s * n / k_.sample_rate_hz;
    const double turn = kTwoPi * f_end * std::fabs(tone.path_rate_mps) * t_rep / kSpeedOfLightMps * half;
    const bool interpolate = every_chirp && turn <= kMaxInterpolatedTurnRad;
    nodes = nodes || interpolate;
    for (int rx = 0; rx < nrx; ++rx) {
      const double a = tone.amplitude_v[rx];
      if (a == 0.0) continue;
      if (interpolate) {
        for (int node = 0; node < 3; ++node) {
          const double offset_s = (node - 1) * half * t_rep;
          chirp_at(tone.path_m[rx] + tone.path_rate_mps * offset_s, a, node * nrx + rx);
        }
        continue;
      }
      const int m_first = every_chirp ? 0 : tone.chirp;
      const int m_last = every_chirp ? chirps - 1 : tone.chirp;
      for (int m = m_first; m <= m_last; ++m) {
        const double offset_s = every_chirp ? ChirpOffsetS(m) : 0.0;
        chirp_at(tone.path_m[rx] + tone.path_rate_mps * offset_s, a, node_rows + m * nrx + rx);
      }
    }
  }
  // Prepared four at a time (the last group padded with silent chirps).
  const std::size_t groups = (jobs + 3) / 4;
  job_phase_.resize(4 * groups, 0.0);
  job_omega_.resize(4 * groups, 0.0);
  job_amplitude_.resize(4 * groups, 0.0);
  if (chirp_rotors_.size() < 4 * groups * job_floats) chirp_rotors_.resize(4 * groups * job_floats);
  for (std::size_t g = 0; g < groups; ++g) {
    float* out[4];
    for (int l = 0; l < 4; ++l) out[l] = chirp_rotors_.data() + (4 * g + l) * job_floats;
    PrepareChirps4(&job_phase_[4 * g], &job_omega_[4 * g], &job_amplitude_[4 * g], out);
  }
  // Jobs grouped by row, in order within each row (a counting sort).
  row_start_.assign(static_cast<std::size_t>(rows) + 1, 0);
  for (const int row : job_row_) ++row_start_[row + 1];
  for (int r = 0; r < rows; ++r) row_start_[r + 1] += row_start_[r];
  row_jobs_.resize(jobs);
  row_fill_.assign(row_start_.begin(), row_start_.end() - 1);
  for (std::size_t j = 0; j < jobs; ++j) row_jobs_[row_fill_[job_row_[j]]++] = static_cast<int>(j);
  if (nodes) {
    for (auto& v : nodes_) v.assign(static_cast<std::size_t>(nrx) * n, 0.0f);
  }
  for (int r = 0; r < rows; ++r) {
    if (row_start_[r] == row_start_[r + 1]) continue;
    float* x = r < node_rows ? nodes_[r / nrx].data() + (r % nrx) * n
                             : raw.data() + static_cast<std::size_t>(r - node_rows) * n;
    AccumulateChirps(chirp_rotors_.data(),
                     std::span<const int>(row_jobs_.data() + row_start_[r], row_start_[r + 1] - row_start_[r]), x);
  }
  if (!nodes) return;
  // Quadratic through the first (u = −1), centre (0) and last (+1) chirp:
  // x(u) = c + u (l − f)/2 + u² ((l + f)/2 − c).
  float* first = nodes_[0].data();
  const float* centre = nodes_[1].data();
  float* last = nodes_[2].data();
  const std::size_t row = static_cast<std::size_t>(nrx) * n;
  for (std::size_t i = 0; i < row; ++i) {
    const float d1 = 0.5f * (last[i] - first[i]);
    const float d2 = 0.5f * (last[i] + first[i]) - centre[i];
    first[i] = d1;
    last[i] = d2;
  }
  for (int m = 0; m < chirps; ++m) {
    const float u = half > 0.0 ? static_cast<float>((m - half) / half) : 0.0f;
    const float u2 = u * u;
    float* x = raw.data() + static_cast<std::size_t>(m) * row;
    for (std::size_t i = 0; i < row; ++i) x[i] += centre[i] + u * first[i] + u2 * last[i];
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

template <typename Sample>
void FmcwSynthesizer::AddWindowedDft(const Sample* x, double norm, std::complex<double>* profile_row) const {
  const int n = k_.samples;
  for (int k = 0; k < k_.bins; ++k) {
    cd acc = 0.0;
    for (int i = 0; i < n; ++i) acc += window_[i] * static_cast<double>(x[i]) * twiddle_[(static_cast<long>(k) * i) % n];
    profile_row[k] += acc * norm;
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
      AddWindowedDft(raw.data() + (static_cast<std::size_t>(m) * nrx + rx) * n, norm,
                     profile.data() + static_cast<std::size_t>(rx) * bins);
    }
  }
}

void FmcwSynthesizer::AddRangeOfChirp(std::span<const double> chirp_samples,
                                      std::span<std::complex<double>> profile) const {
  const double norm = 1.0 / (0.5 * k_.samples);  // 1/Σw
  for (int rx = 0; rx < k_.num_rx; ++rx) {
    AddWindowedDft(chirp_samples.data() + static_cast<std::size_t>(rx) * k_.samples, norm,
                   profile.data() + static_cast<std::size_t>(rx) * k_.bins);
  }
}

NoiseSource::NoiseSource(std::uint64_t seed)
    : stream_(seed, StableId("radar"), StableId("noise")) {
  Tables();
}

void NoiseSource::AddRangeNoise(const RangeNoiseDraws& draws, const FmcwConstants& k, double sd_v,
                                SplitProfile* out) const {
  const NoiseTables& tables = Tables();
  const int bins = k.bins;
  // X_k = (1/Σw)(½G_k − ¼G_{k−1} − ¼G_{k+1}) with G the DFT of white real noise:
  // E|G_k|² = N σ², G_0 and G_{N/2} real, G_{−1} = conj(G_1); /√M for chirp averaging.
  const float scale = static_cast<float>(2.0 * sd_v / std::sqrt(static_cast<double>(k.samples) * k.chirps));
  const float inv_sqrt2 = static_cast<float>(std::sqrt(0.5));
  const float sqrt2 = static_cast<float>(std::sqrt(2.0));
  constexpr double kAngleStep = kTwoPi / 65536.0;
  for (int rx = 0; rx < k.num_rx; ++rx) {
    const std::uint64_t w = draws.word[rx];
    // Plain variables, not structured bindings: a lambda below captures them (clang 14).
    const std::array<std::size_t, 2> rows = NoiseRowOffsets(w);
    const std::size_t a = rows[0], b = rows[1];
    float s1 = 0.0f, c1 = 0.0f, s2 = 0.0f, c2 = 0.0f;
    FastSinCos(kAngleStep * static_cast<double>((w >> 32) & 0xffff), &s1, &c1);
    FastSinCos(kAngleStep * static_cast<double>((w >> 48) & 0xffff), &s2, &c2);
    const cf u1 = cf(c1, s1) * inv_sqrt2;
    const cf u2 = cf(c2, s2) * inv_sqrt2;
    float* re = out->Re(rx);
    float* im = out->Im(rx);
    // Inner bins from the filtered table: X_k = scale (u1 F[a+k] + u2 F[b+k]).
    const float* far = tables.filtered_re.data() + a;
    const float* fai = tables.filtered_im.data() + a;
    const float* fbr = tables.filtered_re.data() + b;
    const float* fbi = tables.filtered_im.data() + b;
    const V4 u1r = Splat4(scale * u1.real()), u1i = Splat4(scale * u1.imag());
    const V4 u2r = Splat4(scale * u2.real()), u2i = Splat4(scale * u2.imag());
    int i = 2;
    for (; i + 4 <= bins - 1; i += 4) {
      const V4 ar = Load4(far + i), ai = Load4(fai + i), br = Load4(fbr + i), bi = Load4(fbi + i);
      Store4(re + i, Load4(re + i) + (u1r * ar - u1i * ai + u2r * br - u2i * bi));
      Store4(im + i, Load4(im + i) + (u1r * ai + u1i * ar + u2r * bi + u2i * br));
    }
    for (; i < bins - 1; ++i) {
      const cf x = scale * (u1 * cf(far[i], fai[i]) + u2 * cf(fbr[i], fbi[i]));
      re[i] += x.real();
      im[i] += x.imag();
    }
    // Edge bins with the real-signal terms.
    auto g = [&](int idx) { return tables.normal[a + idx] * u1 + tables.normal[b + idx] * u2; };
    const cf g0(g(0).real() * sqrt2, 0.0f);             // G_0 real
    const cf g1 = g(1);
    const cf gn(g(bins).real() * sqrt2, 0.0f);          // G_{N/2} real
    const cf x0 = scale * (0.5f * g0 - 0.25f * (std::conj(g1) + g1));
    const cf x1 = scale * (0.5f * g1 - 0.25f * (g0 + g(2)));
    const cf xl = scale * (0.5f * g(bins - 1) - 0.25f * (g(bins - 2) + gn));
    re[0] += x0.real();
    im[0] += x0.imag();
    re[1] += x1.real();
    im[1] += x1.imag();
    re[bins - 1] += xl.real();
    im[bins - 1] += xl.imag();
  }
}

NoiseSource::RangeNoiseDraws NoiseSource::DrawRangeNoise(std::int64_t frame_index, const FmcwConstants& k) const {
  const NoiseTables& tables = Tables();
  RandomStream stream = stream_.Derive(static_cast<std::uint64_t>(frame_index));
  constexpr std::size_t kLineFloats = 16;  // a 64-byte cache line
  const std::size_t row = static_cast<std::size_t>(k.bins) + 1;
  RangeNoiseDraws draws;
  for (int rx = 0; rx < k.num_rx; ++rx) {
    const std::uint64_t w = stream.NextU64();
    draws.word[rx] = w;
    // The two offsets AddRangeNoise reads: rows [o, o + bins] of both filtered planes and
    // of the complex table (its edge bins).
    for (const std::size_t o : NoiseRowOffsets(w)) {
      for (std::size_t i = 0; i < row + kLineFloats; i += kLineFloats) {
        const std::size_t at = std::min(o + i, o + row - 1);
        __builtin_prefetch(tables.filtered_re.data() + at);
        __builtin_prefetch(tables.filtered_im.data() + at);
      }
      __builtin_prefetch(tables.normal.data() + o);
      __builtin_prefetch(tables.normal.data() + o + row - 1);
      __builtin_prefetch(tables.normal.data() + o + row - 3);
    }
  }
  return draws;
}

void NoiseSource::AddRawNoise(std::int64_t frame_index, const FmcwConstants& k, double sd_v,
                              std::span<float> raw) const {
  const float* table = reinterpret_cast<const float*>(Tables().normal.data());  // components: variance ½
  RandomStream stream = stream_.Derive(static_cast<std::uint64_t>(frame_index));
  const int n = k.samples;
  const int rows = k.chirps * k.num_rx;
  const float sd_row = static_cast<float>(sd_v * std::sqrt(2.0));
  for (int r = 0; r < rows; ++r) {
    const std::uint64_t w = stream.NextU64();
    const auto [a, b] = NoiseRowOffsets(w);
    const float* ta = table + 2 * a;
    const float* tb = table + 2 * b;
    float s = 0.0f;
    float c = 0.0f;
    FastSinCos(kTwoPi * static_cast<double>(w >> 40) / 16777216.0, &s, &c);
    c *= sd_row;
    s *= sd_row;
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
  if (k.adc_bits > 22) {  // codes beyond the reach of the rounding trick below
    for (float& v : raw) {
      float code = std::nearbyint(v * inv);
      if (code > hi || code < lo) ++clipped;
      v = std::clamp(code, lo, hi) * lsb;
    }
    return clipped;
  }
  // Round half to even without a libm call (baseline x86-64 has no rounding instruction):
  // after clamping to [lo − 1, hi + 1] (|x| <= 2^21 + 1), adding and subtracting 1.5·2^23
  // leaves the nearest integer. Branch-free, so it vectorizes.
  constexpr float kMagic = 12582912.0f;
  for (float& v : raw) {
    float x = v * inv;
    x = x < lo - 1.0f ? lo - 1.0f : x;
    x = x > hi + 1.0f ? hi + 1.0f : x;
    float code = (x + kMagic) - kMagic;
    clipped += (code > hi) | (code < lo);
    code = code > hi ? hi : code;
    code = code < lo ? lo : code;
    v = code * lsb;
  }
  return clipped;
}

}  // namespace nightsim::physics
