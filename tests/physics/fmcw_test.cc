// Tests the FMCW signal model against closed forms with point targets: beat
// frequency and phase, displacement phase, angle of arrival, R⁻⁴ and the antenna
// pattern, the noise floor from the noise figure, and range level = FFT(raw).

#include "physics/fmcw.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <span>
#include <utility>
#include <vector>

#include "../../physics/src/fast_math.h"  // internal kernels: FastSinCos4 against FastSinCos
#include "core/rng.h"
#include "physics_test_util.h"

namespace nightsim::physics {
namespace {

using testing::BoresightDevice;
using testing::CleanOptions;
using testing::EmptyRoom;
using testing::PeakBin;
using testing::Range;
using testing::WrapRad;

constexpr double kPi = std::numbers::pi;

// A point on boresight whose round trip lands at fractional bin `bin`.
PointTarget AtBin(const FmcwConstants& k, const DeviceSpec& d, double bin, double rcs_dbsm = 0.0) {
  PointTarget t;
  const double range_m = bin / k.bins_per_path_m / 2.0;  // path = 2R
  t.position_m = Eigen::Vector3d(d.x_m + range_m, d.y_m, d.z_m);
  t.rcs_dbsm = rcs_dbsm;
  return t;
}

TEST(Fmcw, TheKernelEqualsTheDirectWindowedDft) {
  const FmcwSynthesizer synth(RadarParams{});
  const int n = 128;
  for (double kappa : {0.0, 0.3, -1.7, 5.25, 40.0}) {
    std::complex<double> direct = 0;
    for (int i = 0; i < n; ++i) {
      const double w = 0.5 - 0.5 * std::cos(2 * kPi * i / n);
      direct += w * std::polar(1.0, -2 * kPi * kappa * i / n);
    }
    direct /= 0.5 * n;
    EXPECT_LT(std::abs(synth.Kernel(kappa) - direct), 1e-12) << kappa;
  }
}

// f_b = 2 S R / c → bin p = f_b N / fs; peak |X| = A/2 with A from the radar equation;
// phase 4πR/λc − π S τ² − π k.
TEST(Fmcw, APointTargetPeaksAtItsBeatBinWithTheClosedFormPhaseAndLevel) {
  const DeviceSpec dev = BoresightDevice();
  RadarSimulator sim(EmptyRoom(), dev, 1, CleanOptions());
  const FmcwConstants& k = sim.constants();
  const RadarParams p;
  for (double bin : {12.0, 26.0, 26.4, 33.75, 41.0}) {
    const PointTarget t = AtBin(k, dev, bin);
    const RadarFrame f = Range(sim, 0, std::span(&t, 1));
    const int peak = PeakBin(f);
    EXPECT_EQ(peak, static_cast<int>(std::lround(bin))) << bin;
    const double range_m = (t.position_m.x() - dev.x_m);
    const double tau = 2 * range_m / kSpeedOfLightMps;
    const double expected_phase = 4 * kPi * range_m / k.wavelength_m - kPi * k.slope_hz_per_s * tau * tau - kPi * peak;
    EXPECT_NEAR(WrapRad(std::arg(f.Range(0, peak)) - expected_phase), 0.0, 2e-3) << bin;
    if (bin == std::round(bin)) {
      // P_r = P_t G² λ² σ / ((4π)³ R⁴), A = √(2 R_L P_r) g_if |H(f_b)|, on-bin peak A/2.
      const double g = k.antenna_gain;
      const double pr = k.tx_power_w * g * g * k.wavelength_m * k.wavelength_m * 1.0 /
                        (std::pow(4 * kPi, 3) * std::pow(range_m, 4));
      const double a = std::sqrt(2 * kLoadOhm * pr) * k.if_gain * IfFilterGain(p, k.slope_hz_per_s * tau);
      EXPECT_NEAR(std::abs(f.Range(0, peak)) / (0.5 * a), 1.0, 1e-3) << bin;
    }
  }
}

// A displacement d changes the phase by 4π d / λc.
TEST(Fmcw, ADisplacementChangesThePhaseByFourPiDOverLambda) {
  const DeviceSpec dev = BoresightDevice();
  RadarSimulator sim(EmptyRoom(), dev, 1, CleanOptions());
  const FmcwConstants& k = sim.constants();
  const PointTarget t0 = AtBin(k, dev, 27.3);
  const RadarFrame f0 = Range(sim, 0, std::span(&t0, 1));
  const int peak = PeakBin(f0);
  for (double d : {0.1e-3, 0.5e-3, 1.0e-3, 3.0e-3}) {
    PointTarget t1 = t0;
    t1.position_m.x() += d;
    const RadarFrame f1 = Range(sim, 10, std::span(&t1, 1));
    const double dphi = std::arg(f1.Range(0, peak) * std::conj(f0.Range(0, peak)));
    EXPECT_NEAR(dphi, WrapRad(4 * kPi * d / k.wavelength_m), 2e-3) << d;
  }
}

// Azimuth from the RX1–RX2 phase difference: Δφ = −2π d sin θ / λ (RX2 to the right),
// elevation likewise from RX1–RX3.
TEST(Fmcw, TheAngleOfATargetFollowsFromTheRxPhaseDifference) {
  const DeviceSpec dev = BoresightDevice();
  RadarSimulator sim(EmptyRoom(), dev, 1, CleanOptions());
  const FmcwConstants& k = sim.constants();
  const double d = 0.5 * k.wavelength_m;
  const Eigen::Vector3d origin(dev.x_m, dev.y_m, dev.z_m);
  for (double az_deg : {-40.0, -10.0, 0.0, 15.0, 35.0}) {
    const double az = az_deg * kPi / 180;
    PointTarget t;
    // right = (0, −1, 0) for a device looking along +x
    t.position_m = origin + 1.3 * Eigen::Vector3d(std::cos(az), -std::sin(az), 0.0);
    const RadarFrame f = Range(sim, 0, std::span(&t, 1));
    const int peak = PeakBin(f);
    const double dphi = std::arg(f.Range(1, peak) * std::conj(f.Range(0, peak)));
    const double est = std::asin(-dphi * k.wavelength_m / (2 * kPi * d));
    EXPECT_NEAR(est * 180 / kPi, az_deg, 0.3) << az_deg;
  }
  for (double el_deg : {-20.0, 25.0}) {
    const double el = el_deg * kPi / 180;
    PointTarget t;
    t.position_m = origin + 1.3 * Eigen::Vector3d(std::cos(el), 0.0, std::sin(el));
    const RadarFrame f = Range(sim, 0, std::span(&t, 1));
    const int peak = PeakBin(f);
    const double dphi = std::arg(f.Range(2, peak) * std::conj(f.Range(0, peak)));
    EXPECT_NEAR(std::asin(-dphi * k.wavelength_m / (2 * kPi * d)) * 180 / kPi, el_deg, 0.3) << el_deg;
  }
}

// Received power ∝ R⁻⁴ (after the IF filter's known gain) and ∝ G(θ)² two-way.
TEST(Fmcw, ReceivedPowerScalesAsRToTheMinusFourAndWithThePattern) {
  const DeviceSpec dev = BoresightDevice();
  RadarSimulator sim(EmptyRoom(), dev, 1, CleanOptions());
  const FmcwConstants& k = sim.constants();
  const RadarParams p;
  auto peak_power = [&](const PointTarget& t) {
    const RadarFrame f = Range(sim, 0, std::span(&t, 1));
    const int b = PeakBin(f);
    const double path = 2 * (t.position_m - Eigen::Vector3d(dev.x_m, dev.y_m, dev.z_m)).norm();
    const double h = IfFilterGain(p, k.slope_hz_per_s * path / kSpeedOfLightMps);
    return std::norm(f.Range(0, b)) / (h * h);
  };
  const PointTarget near = AtBin(k, dev, 20.0);
  const PointTarget far = AtBin(k, dev, 40.0);  // twice the range
  EXPECT_NEAR(peak_power(near) / peak_power(far), 16.0, 16.0 * 5e-3);

  // Same range, 45° off boresight in azimuth (half the 90° FOV): −3 dB each way.
  const double r = (near.position_m.x() - dev.x_m);
  PointTarget off = near;
  off.position_m = Eigen::Vector3d(dev.x_m, dev.y_m, dev.z_m) + r * Eigen::Vector3d(std::cos(kPi / 4), -std::sin(kPi / 4), 0);
  EXPECT_NEAR(10 * std::log10(peak_power(off) / peak_power(near)), -6.0, 0.05);
  PointTarget up = near;
  const double el = 35.0 * kPi / 180;  // half the 70° elevation FOV
  up.position_m = Eigen::Vector3d(dev.x_m, dev.y_m, dev.z_m) + r * Eigen::Vector3d(std::cos(el), 0, std::sin(el));
  EXPECT_NEAR(10 * std::log10(peak_power(up) / peak_power(near)), -6.0, 0.05);
}

// FFT of raw = range, for a static and a moving point target (incl. the real IF's
// negative-frequency image near DC and Doppler within the frame).
TEST(Fmcw, TheFftOfRawEqualsRangeForPointTargets) {
  const DeviceSpec dev = BoresightDevice();
  RadarSimulator sim(EmptyRoom(), dev, 1, CleanOptions());
  const FmcwConstants& k = sim.constants();
  std::vector<PointTarget> targets = {AtBin(k, dev, 3.3), AtBin(k, dev, 22.7, -5.0), AtBin(k, dev, 61.2, 5.0)};
  targets[1].velocity_mps = Eigen::Vector3d(0.8, 0, 0);  // 16 chirps span 1.2 rad·rad/s … Doppler smear
  RadarFrame range;
  RadarFrame raw;
  sim.SynthesizeFrame(0, {}, {}, targets, RadarLevel::kRange, &range);
  sim.SynthesizeFrame(1, {}, {}, targets, RadarLevel::kRaw, &raw);
  std::vector<std::complex<double>> fft(static_cast<std::size_t>(k.num_rx) * k.bins);
  sim.synthesizer().RangeFromRaw(raw.raw, fft);
  double peak = 0;
  double err = 0;
  for (std::size_t i = 0; i < fft.size(); ++i) {
    peak = std::max(peak, std::abs(fft[i]));
    const std::complex<double> r(range.range[i].real(), range.range[i].imag());
    err = std::max(err, std::abs(r - fft[i]));
  }
  EXPECT_LT(err / peak, 1e-3);
}

// Noise floor: per raw sample σ² = k T0 F (fs/2) R g²; per range bin E|n|² = 1.5 σ² / (N M);
// adjacent bins correlate by −2/3 (Hann). Both levels, from the same noise figure.
TEST(Fmcw, TheNoiseFloorMatchesTheNoiseFigure) {
  for (double nf_db : {12.0, 15.0}) {
    DeviceSpec dev = BoresightDevice();
    dev.radar.noise_figure_db = nf_db;
    RadarSimulatorOptions o = CleanOptions();
    o.noise = true;
    RadarSimulator sim(EmptyRoom(), dev, 7, o);
    const FmcwConstants& k = sim.constants();
    const double sigma2 = kBoltzmannJPerK * 290.0 * std::pow(10.0, nf_db / 10) * 1.0e6 * 50.0 * std::pow(10.0, 30.0 / 10);
    const double bin_var = 1.5 * sigma2 / (128.0 * 16.0);
    double p = 0;
    std::complex<double> c = 0;
    int n = 0;
    for (int i = 0; i < 400; ++i) {
      const RadarFrame f = Range(sim, i, {});
      for (int r = 0; r < k.num_rx; ++r) {
        for (int b = 1; b + 1 < k.bins; ++b) {
          const std::complex<double> x(f.Range(r, b));
          const std::complex<double> y(f.Range(r, b + 1));
          p += std::norm(x);
          c += x * std::conj(y);
          ++n;
        }
      }
    }
    EXPECT_NEAR(p / n / bin_var, 1.0, 0.03) << nf_db;
    EXPECT_NEAR(c.real() / p, -2.0 / 3.0, 0.03) << nf_db;

    double v = 0;
    int m = 0;
    std::vector<std::complex<double>> fft(static_cast<std::size_t>(k.num_rx) * k.bins);
    double fp = 0;
    int fn = 0;
    for (int i = 0; i < 40; ++i) {
      RadarFrame f;
      sim.SynthesizeFrame(i, {}, {}, {}, RadarLevel::kRaw, &f);
      for (float s : f.raw) {
        v += static_cast<double>(s) * s;
        ++m;
      }
      sim.synthesizer().RangeFromRaw(f.raw, fft);
      for (int r = 0; r < k.num_rx; ++r) {
        for (int b = 1; b + 1 < k.bins; ++b) {
          fp += std::norm(fft[static_cast<std::size_t>(r) * k.bins + b]);
          ++fn;
        }
      }
    }
    EXPECT_NEAR(v / m / sigma2, 1.0, 0.02) << nf_db;
    EXPECT_NEAR(fp / fn / bin_var, 1.0, 0.08) << nf_db;  // 40 frames: fewer samples
  }
}

TEST(Fmcw, TheAdcQuantizesAndClips) {
  RadarParams p;
  p.adc_bits = 8;
  const FmcwConstants k = FmcwConstants::From(p);
  std::vector<float> x = {0.0f, 0.3f * static_cast<float>(k.adc_lsb_v), 2.6f * static_cast<float>(k.adc_lsb_v), 5.0f, -5.0f};
  EXPECT_EQ(QuantizeRaw(k, x), 2);
  EXPECT_FLOAT_EQ(x[1], 0.0f);
  EXPECT_FLOAT_EQ(x[2], 3.0f * static_cast<float>(k.adc_lsb_v));
  EXPECT_FLOAT_EQ(x[3], static_cast<float>(k.adc_full_scale_v - k.adc_lsb_v));
  EXPECT_FLOAT_EQ(x[4], static_cast<float>(-k.adc_full_scale_v));
}

// The kernel window of a tone is the narrowest whose left-out sidelobes, (A/2)|W(κ)| for
// |κ| >= 2q, stay below the floor; capped at the widest window.
TEST(Fmcw, TheKernelWindowIsTheNarrowestThatKeepsTheSidelobesBelowTheFloor) {
  const FmcwSynthesizer synth(RadarParams{});
  const double floor_v = 1e-6;
  auto largest_left_out = [&](double amplitude_v, int q) {
    double worst = 0.0;
    for (double kappa = 2.0 * q; kappa <= 64.0; kappa += 1.0 / 64) {
      worst = std::max(worst, 0.5 * amplitude_v * std::abs(synth.Kernel(kappa)));
    }
    return worst;
  };
  int previous_q = 0;
  for (double db_over_floor : {0.0, 20.0, 35.0, 45.0, 55.0, 65.0}) {
    const double amplitude_v = 2.0 * floor_v * std::pow(10.0, db_over_floor / 20.0);
    const int q = synth.QuadsFor(amplitude_v, floor_v);
    EXPECT_GE(q, previous_q) << db_over_floor;  // stronger tones never get narrower windows
    previous_q = q;
    if (q < synth.max_quads()) {
      EXPECT_LT(largest_left_out(amplitude_v, q), floor_v) << db_over_floor;
    }
    if (q > 1) {
      EXPECT_GE(largest_left_out(amplitude_v, q - 1), floor_v) << db_over_floor;
    }
  }
  EXPECT_EQ(synth.QuadsFor(1.0, floor_v), synth.max_quads());  // 114 dB over the floor: capped
  EXPECT_EQ(synth.QuadsFor(1e-6, 0.0), synth.max_quads());     // no floor: the widest window
}

// Raw samples against x[n] = A cos(2π S τ_m n / fs + 2π f0 τ_m − π S τ_m²) evaluated in double
// per chirp (τ_m the delay at chirp m): a tone at breathing speed (interpolated between three
// chirps; bound 0.064 θ³ = 4e-5 of A at θ = 0.088 rad) and a walking-speed tone (every chirp).
TEST(Fmcw, RawChirpsOfSlowAndFastTonesMatchTheClosedForm) {
  const RadarParams p;
  const FmcwSynthesizer synth(p);
  const FmcwConstants& k = synth.constants();
  for (const auto& [rate_mps, tolerance] : {std::pair{0.03, 1e-4}, std::pair{1.2, 2e-5}}) {
    Tone tone;
    for (int r = 0; r < k.num_rx; ++r) {
      tone.amplitude_v[r] = 0.01;
      tone.path_m[r] = 2.345 + 1e-3 * r;
    }
    tone.path_rate_mps = rate_mps;
    std::vector<float> raw(static_cast<std::size_t>(k.chirps) * k.num_rx * k.samples, 0.0f);
    synth.AddRaw(std::span(&tone, 1), raw);
    double err = 0.0;
    for (int m = 0; m < k.chirps; ++m) {
      for (int r = 0; r < k.num_rx; ++r) {
        const double tau = (tone.path_m[r] + rate_mps * synth.ChirpOffsetS(m)) / kSpeedOfLightMps;
        for (int n = 0; n < k.samples; ++n) {
          const double x = 0.01 * std::cos(2 * kPi * k.slope_hz_per_s * tau * n / k.sample_rate_hz +
                                            2 * kPi * k.start_hz * tau - kPi * k.slope_hz_per_s * tau * tau);
          err = std::max(err, std::abs(raw[(static_cast<std::size_t>(m) * k.num_rx + r) * k.samples + n] - x));
        }
      }
    }
    EXPECT_LT(err, tolerance * 0.01) << rate_mps;
  }
}

// Raw frames of `tones` synthesized in one call and one call per tone, in that order.
std::pair<std::vector<float>, std::vector<float>> RawTogetherAndOneByOne(const FmcwSynthesizer& synth,
                                                                        std::span<const Tone> tones) {
  const FmcwConstants& k = synth.constants();
  const std::size_t size = static_cast<std::size_t>(k.chirps) * k.num_rx * k.samples;
  std::pair<std::vector<float>, std::vector<float>> out{std::vector<float>(size, 0.0f), std::vector<float>(size, 0.0f)};
  synth.AddRaw(tones, out.first);
  for (const Tone& tone : tones) synth.AddRaw(std::span(&tone, 1), out.second);
  return out;
}

// Tests that the blocked raw synthesis (every chirp of every tone prepared first, four at a
// time, then accumulated row by row with the samples held in registers) gives exactly the
// samples of adding the tones one after the other, and the closed form to float accuracy;
// with whole, odd and partial 16-sample blocks (128, 80 and 72 samples per chirp).
TEST(Fmcw, BlockedRawSynthesisEqualsAddingTheChirpsOneByOne) {
  for (const int samples : {128, 80, 72}) {
    RadarParams p;
    p.samples_per_chirp = samples;
    const FmcwSynthesizer synth(p);
    const FmcwConstants& k = synth.constants();
    // Fast tones (every chirp synthesized) and single-chirp tones: 11 tones, so the last
    // group of four chirps is padded.
    std::vector<Tone> tones;
    for (int i = 0; i < 11; ++i) {
      Tone tone;
      for (int r = 0; r < k.num_rx; ++r) {
        tone.amplitude_v[r] = 0.003 * (1 + i % 4) * (r == 1 && i == 3 ? 0.0 : 1.0);  // one silent RX
        tone.path_m[r] = 1.1 + 0.37 * i + 1e-3 * r;
      }
      tone.path_rate_mps = 0.8 + 0.1 * i;
      tone.chirp = i % 5 == 4 ? i % k.chirps : -1;
      tones.push_back(tone);
    }
    const auto [together, one_by_one] = RawTogetherAndOneByOne(synth, tones);
    EXPECT_EQ(together, one_by_one) << samples;  // bit for bit
    // And the closed form A cos(2π S τ n / fs + 2π f0 τ − π S τ²), τ at each chirp.
    double err = 0.0;
    double total_v = 0.0;
    for (const Tone& tone : tones) total_v += tone.amplitude_v[0];
    for (int m = 0; m < k.chirps; ++m) {
      for (int r = 0; r < k.num_rx; ++r) {
        for (int n = 0; n < k.samples; ++n) {
          double x = 0.0;
          for (const Tone& tone : tones) {
            if (tone.chirp >= 0 && tone.chirp != m) continue;
            const double offset_s = tone.chirp >= 0 ? 0.0 : synth.ChirpOffsetS(m);
            const double tau = (tone.path_m[r] + tone.path_rate_mps * offset_s) / kSpeedOfLightMps;
            x += tone.amplitude_v[r] * std::cos(2 * kPi * k.slope_hz_per_s * tau * n / k.sample_rate_hz +
                                                2 * kPi * k.start_hz * tau - kPi * k.slope_hz_per_s * tau * tau);
          }
          err = std::max(err, std::abs(together[(static_cast<std::size_t>(m) * k.num_rx + r) * k.samples + n] - x));
        }
      }
    }
    EXPECT_LT(err, 1e-5 * total_v) << samples;  // float samples and polynomial sines, as for one tone
  }
}

// Tests that slow tones (three chirps synthesized, the rest interpolated) summed in one call
// equal the same tones added one call at a time, to float rounding of the interpolation.
TEST(Fmcw, BlockedRawSynthesisOfSlowTonesEqualsOneCallPerTone) {
  const RadarParams p;
  const FmcwSynthesizer synth(p);
  const FmcwConstants& k = synth.constants();
  std::vector<Tone> tones;
  for (int i = 0; i < 9; ++i) {
    Tone tone;
    for (int r = 0; r < k.num_rx; ++r) {
      tone.amplitude_v[r] = 0.002 * (1 + i % 3);
      tone.path_m[r] = 1.5 + 0.21 * i + 1e-3 * r;
    }
    tone.path_rate_mps = 0.004 * (i - 4);
    tones.push_back(tone);
  }
  const auto [together, one_by_one] = RawTogetherAndOneByOne(synth, tones);
  double err = 0.0;
  for (std::size_t i = 0; i < together.size(); ++i) err = std::max(err, static_cast<double>(std::abs(together[i] - one_by_one[i])));
  EXPECT_LT(err, 1e-6 * 0.036);  // 1e-6 of the summed amplitudes (0.036 V)
}

// Tests that the batched range synthesis of many tones (the body paths of a moving frame,
// the per-chirp paths of a fan blade) gives exactly the profile of adding them one by one:
// tones every chirp and single-chirp tones, slow and fast, near and past N bins, a silent RX.
TEST(Fmcw, BatchedRangeSynthesisEqualsAddingTheTonesOneByOne) {
  const RadarParams p;
  const FmcwSynthesizer synth(p);
  const FmcwConstants& k = synth.constants();
  std::vector<Tone> tones;
  for (int i = 0; i < 23; ++i) {
    Tone tone;
    for (int r = 0; r < k.num_rx; ++r) {
      tone.amplitude_v[r] = (i == 5 && r == 2) ? 0.0 : 1e-4 * (1 + i % 3);
      tone.path_m[r] = 0.2 + 0.45 * i + 1e-3 * r;  // bins ≈ 3 … 137: some past N
    }
    tone.path_rate_mps = i % 4 == 0 ? 0.0 : 0.05 * i;
    tone.chirp = i % 6 == 3 ? i % k.chirps : -1;
    tones.push_back(tone);
  }
  for (const double floor_v : {0.0, 1e-7}) {
    SplitProfile batched;
    batched.Reset(k.num_rx, k.bins, synth.pad_bins());
    SplitProfile one_by_one;
    one_by_one.Reset(k.num_rx, k.bins, synth.pad_bins());
    synth.AddRangeFast(tones, floor_v, &batched);
    for (const Tone& t : tones) synth.AddRangeFast(t, floor_v, &one_by_one);
    EXPECT_EQ(batched.re, one_by_one.re) << floor_v;  // bit for bit
    EXPECT_EQ(batched.im, one_by_one.im) << floor_v;
  }
}

// The kernel windows (eight bins at a time, AVX2 clone on this machine when it has AVX2)
// give exactly the float sums of the scalar recipe: the table row f0 = ⌊256 frac(c)⌋ and the
// next one, both the double kernel rounded to float (the step taken in double, then
// rounded), interpolated in float, times the coefficient; every width, both grids, tones
// and images (centre −bin, conjugate coefficient), shifted by ±N.
TEST(Fmcw, KernelWindowsEqualTheScalarTableInterpolationBitForBit) {
  const FmcwSynthesizer synth(RadarParams{});
  const FmcwConstants& k = synth.constants();
  constexpr int kSteps = 256;
  std::vector<double> bins;
  std::vector<float> re, im;
  std::vector<FmcwSynthesizer::KernelPlacement> placements;
  for (int q = 1; q <= synth.max_quads(); ++q) {
    for (const double centre : {7.3, 31.996, -2.25, 60.5 + 0.01 * q, 0.0039}) {
      const int entry = static_cast<int>(bins.size());
      bins.push_back(centre + 0.37 * q);
      re.push_back(1.5e-3f * static_cast<float>(q));
      im.push_back(-0.7e-3f);
      placements.push_back({entry, q % k.num_rx, 1.0f, 0.0, q});
      placements.push_back({entry, (q + 1) % k.num_rx, -1.0f, 0.0, q});
      placements.push_back({entry, q % k.num_rx, -1.0f, static_cast<double>(k.samples), q});
      placements.push_back({entry, q % k.num_rx, 1.0f, -static_cast<double>(k.samples), q});
    }
  }
  SplitProfile fast;
  fast.Reset(k.num_rx, k.bins, synth.pad_bins());
  synth.AddKernels(placements, bins.data(), re.data(), im.data(), &fast);
  SplitProfile scalar;
  scalar.Reset(k.num_rx, k.bins, synth.pad_bins());
  int images = 0, shifted = 0;  // windows of each kind that reach the bins
  for (const auto& p : placements) {
    const double centre = p.sign * bins[p.entry] + p.offset_bins;
    const float coeff_re = re[p.entry];
    const float coeff_im = p.sign * im[p.entry];
    const double fl = std::floor(centre);
    const double f = (centre - fl) * kSteps;
    const int f0 = std::min(static_cast<int>(f), kSteps - 1);
    const float t = static_cast<float>(f - f0);
    const int b0 = static_cast<int>(fl) - 2 * p.quads + 1;
    if (b0 >= k.bins || b0 + 4 * p.quads <= 0) continue;
    images += p.sign < 0;
    shifted += p.offset_bins != 0.0;
    for (int j = 0; j < 4 * p.quads; ++j) {
      // bin b0 + j of the window: κ = b0 + j − centre, on row f0 (κ = j − 2q + 1 − f0/256)
      const int whole = j - 2 * p.quads + 1;
      const std::complex<double> v = synth.Kernel(whole - static_cast<double>(f0) / kSteps);
      const std::complex<double> d = synth.Kernel(whole - static_cast<double>(f0 + 1) / kSteps) - v;
      const float kr = static_cast<float>(v.real()) + t * static_cast<float>(d.real());
      const float ki = static_cast<float>(v.imag()) + t * static_cast<float>(d.imag());
      scalar.Re(p.rx)[b0 + j] += coeff_re * kr - coeff_im * ki;
      scalar.Im(p.rx)[b0 + j] += coeff_re * ki + coeff_im * kr;
    }
  }
  EXPECT_GT(images, 0);
  EXPECT_GT(shifted, 0);
  EXPECT_EQ(fast.re, scalar.re);
  EXPECT_EQ(fast.im, scalar.im);
}

// The four-wide sine/cosine (quadrant removal vectorized) gives the scalar one's bits, at
// every quadrant, for negative phases, phases of thousands of radians (a path's φ0) and
// quadrant boundaries.
TEST(Fmcw, FourWideSineAndCosineEqualTheScalarOnesBitForBit) {
  RandomStream rng(5, StableId("test"), StableId("sincos"));
  std::vector<double> phases = {0.0, -0.0, kPi / 4, -kPi / 4, kPi / 2, kPi, -kPi, 1.5 * kPi, 2 * kPi, 3 * kPi / 4};
  for (int i = 0; i < 4000; ++i) phases.push_back(rng.Uniform(-1.0, 1.0) * (i % 2 == 0 ? 10.0 : 1e5));
  while (phases.size() % 4 != 0) phases.push_back(0.1);
  for (std::size_t i = 0; i < phases.size(); i += 4) {
    float s4[4], c4[4];
    detail::FastSinCos4(&phases[i], s4, c4);
    for (int l = 0; l < 4; ++l) {
      float s = 0, c = 0;
      detail::FastSinCos(phases[i + l], &s, &c);
      ASSERT_EQ(s, s4[l]) << phases[i + l];
      ASSERT_EQ(c, c4[l]) << phases[i + l];
    }
  }
}

// The ADC rounds half to even, exactly as nearbyint, and clips at the codes' range.
TEST(Fmcw, TheAdcRoundsLikeNearbyint) {
  RadarParams p;
  p.adc_bits = 12;
  const FmcwConstants k = FmcwConstants::From(p);
  const double lsb = k.adc_lsb_v;
  std::vector<float> x;
  for (double code : {0.5, 1.5, 2.5, -0.5, -1.5, 2046.5, 2047.4, 2047.5, -2048.5, -2049.0, 1e9, -1e9}) {
    x.push_back(static_cast<float>(code * lsb));
  }
  RandomStream s(3, "test", "adc");
  for (int i = 0; i < 2000; ++i) x.push_back(static_cast<float>(s.Uniform(-2100.0, 2100.0) * lsb));
  std::vector<float> expected = x;
  int expected_clipped = 0;
  const float lsb_f = static_cast<float>(lsb);
  const float inv = 1.0f / lsb_f;
  for (float& v : expected) {
    const float code = std::nearbyint(v * inv);
    if (code > 2047.0f || code < -2048.0f) ++expected_clipped;
    v = std::clamp(code, -2048.0f, 2047.0f) * lsb_f;
  }
  EXPECT_EQ(QuantizeRaw(k, x), expected_clipped);
  EXPECT_EQ(x, expected);
}

// The DC bin of a real IF signal's windowed DFT is real: so is the range-level noise there.
TEST(Fmcw, RangeNoiseInTheDcBinIsReal) {
  RadarSimulatorOptions o = CleanOptions();
  o.noise = true;
  RadarSimulator sim(EmptyRoom(), BoresightDevice(), 4, o);
  double dc_power = 0.0;
  for (int i = 0; i < 50; ++i) {
    const RadarFrame f = Range(sim, i, {});
    for (int r = 0; r < f.num_rx; ++r) {
      EXPECT_EQ(f.Range(r, 0).imag(), 0.0f);
      dc_power += std::norm(f.Range(r, 0));
    }
  }
  EXPECT_GT(dc_power, 0.0);
}

}  // namespace
}  // namespace nightsim::physics
