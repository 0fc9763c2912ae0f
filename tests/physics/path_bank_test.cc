// Tests the breathing path bank: its per-frame path lengths (square roots of a quadratic
// in the displacement) equal the geometry of the propagation model, its rates are the
// frame-to-frame change, and its range profile equals the per-tone fast synthesis.

#include "physics/path_bank.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "physics_test_util.h"

namespace nightsim::physics {
namespace {

struct BankFixture {
  RoomSpec room;  // default room: reflective walls, floor and ceiling
  DeviceSpec dev;
  Propagation prop{dev.radar, room, DevicePose::From(dev), true};
  FmcwSynthesizer synth{dev.radar};
  BreathingPathBank bank{synth.constants()};
  // A chest-like scatterer 1.3 m from the device, its normal tilted towards it, and every
  // propagation path: direct, single and double bounces.
  Eigen::Vector3d rest{1.7, 1.1, 0.7};
  Eigen::Vector3d normal = Eigen::Vector3d(-0.8, -0.3, 0.5).normalized();
  std::vector<PathSpec> specs;

  // quads 0: kernel widths 1–4 quads by path; else that width for every path.
  explicit BankFixture(int quads = 0) {
    specs.push_back({-1, -1});
    for (int s = 0; s < 6; ++s) {
      specs.push_back({-1, s});
      specs.push_back({s, -1});
      specs.push_back({s, s});
    }
    std::array<double, kMaxRx> amplitude{};
    for (int r = 0; r < synth.constants().num_rx; ++r) amplitude[r] = 1e-3 * (1.0 + 0.1 * r);
    for (std::size_t i = 0; i < specs.size(); ++i) {
      bank.Add(prop, rest, normal, specs[i], amplitude, quads > 0 ? quads : 1 + static_cast<int>(i % 4), 0,
               std::numeric_limits<double>::quiet_NaN());
    }
  }
};

// |path − PathLengths(rest + d n)| ≤ 1e-12 m for displacements up to ±2 cm on every path
// and RX (the bank is exact geometry, not an expansion).
TEST(BreathingPathBank, PathLengthsEqualTheGeometryAtEveryDisplacement) {
  BankFixture f;
  const int num_rx = f.synth.constants().num_rx;
  for (double d : {-0.02, -3e-3, 0.0, 1e-4, 6e-3, 0.02}) {
    const std::vector<double> displacement = {d};
    f.bank.Update(displacement);
    std::vector<Tone> tones;
    f.bank.AppendTones(&tones);
    ASSERT_EQ(tones.size(), f.specs.size());
    for (std::size_t i = 0; i < tones.size(); ++i) {
      std::array<double, kMaxRx> expected{};
      f.prop.PathLengths(f.rest + d * f.normal, f.specs[i], &expected);
      for (int r = 0; r < num_rx; ++r) EXPECT_NEAR(tones[i].path_m[r], expected[r], 1e-12) << i << " " << r << " " << d;
    }
  }
}

// The rate is (path now − path in the previous Update) × frame rate; zero in the first
// frame when the previous path is unknown.
TEST(BreathingPathBank, TheRateIsTheChangeSinceThePreviousFrame) {
  BankFixture f;
  const std::vector<double> first = {1e-3};
  const std::vector<double> second = {1.5e-3};
  f.bank.Update(first);
  std::vector<Tone> a;
  f.bank.AppendTones(&a);
  f.bank.Update(second);
  std::vector<Tone> b;
  f.bank.AppendTones(&b);
  const double fr = f.synth.constants().frame_rate_hz;
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].path_rate_mps, 0.0);
    EXPECT_NEAR(b[i].path_rate_mps, (b[i].path_m[0] - a[i].path_m[0]) * fr, 1e-12);
  }
}

// AddRange equals AddRangeFast of the same tones at the same (widest) kernel width,
// ≤ 1e-6 of the peak: float rounding of the coefficients only.
TEST(BreathingPathBank, ItsRangeProfileEqualsTheFastSynthesisOfItsTones) {
  BankFixture f(FmcwSynthesizer(RadarParams{}).max_quads());
  const FmcwConstants& k = f.synth.constants();
  const std::vector<double> d0 = {2e-3};
  const std::vector<double> d1 = {2.4e-3};
  f.bank.Update(d0);
  f.bank.Update(d1);  // a non-zero rate: the Doppler factor is applied too
  SplitProfile from_bank;
  from_bank.Reset(k.num_rx, k.bins, f.synth.pad_bins());
  f.bank.AddRange(f.synth, &from_bank);
  std::vector<Tone> tones;
  f.bank.AppendTones(&tones);
  SplitProfile from_tones;
  from_tones.Reset(k.num_rx, k.bins, f.synth.pad_bins());
  for (const Tone& t : tones) f.synth.AddRangeFast(t, 0.0, &from_tones);  // floor 0: the widest kernel
  double peak = 0.0;
  double err = 0.0;
  for (int r = 0; r < k.num_rx; ++r) {
    for (int b = 0; b < k.bins; ++b) {
      const std::complex<double> x(from_bank.Re(r)[b], from_bank.Im(r)[b]);
      const std::complex<double> y(from_tones.Re(r)[b], from_tones.Im(r)[b]);
      peak = std::max(peak, std::abs(y));
      err = std::max(err, std::abs(x - y));
    }
  }
  EXPECT_GT(peak, 0.0);
  EXPECT_LT(err, 1e-6 * peak);
}

}  // namespace
}  // namespace nightsim::physics
