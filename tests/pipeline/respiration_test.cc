// Tests of EstimateRate's octave check on closed-form breathing waveforms: breaths whose
// depth varies from breath to breath make the autocorrelation peak of a multiple of the
// period higher than the single breath's (the sub-multiple or "octave" error of
// autocorrelation period estimators); the rate must still be the breath's. And the
// check must not turn a slow breath with strong harmonics into one of its harmonics.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <vector>

#include "pipeline/respiration.h"
#include "synthetic_frames.h"

namespace nightsim::pipeline {
namespace {

constexpr double kPi = std::numbers::pi;

// Normalised autocorrelation of x at lag k over the overlap, as EstimateRate computes it.
double Autocorrelation(const std::vector<double>& x, int k) {
  const std::size_t n = x.size();
  double s = 0.0, e1 = 0.0, e2 = 0.0;
  for (std::size_t i = 0; i + static_cast<std::size_t>(k) < n; ++i) {
    s += x[i] * x[i + static_cast<std::size_t>(k)];
    e1 += x[i] * x[i];
    e2 += x[i + static_cast<std::size_t>(k)] * x[i + static_cast<std::size_t>(k)];
  }
  return s / std::sqrt(e1 * e2);
}

// Highest autocorrelation at the integer lags within one sample of `lag`.
double AutocorrelationNear(const std::vector<double>& x, double lag) {
  double best = -1.0;
  for (int k = static_cast<int>(std::ceil(lag - 1.0)); k <= static_cast<int>(std::floor(lag + 1.0)); ++k) {
    best = std::max(best, Autocorrelation(x, k));
  }
  return best;
}

// n samples at fs of breaths at `bpm` — an asymmetric breath (fundamental and a 40 %
// second harmonic) — whose depth swings between 0.2 and 1.8 over `cycle` breaths:
// (1 + 0.8 cos(2π f t / cycle)) · (sin(2π f t) + 0.4 sin(4π f t + 1)), detrended.
std::vector<double> BreathsOfVaryingDepth(double bpm, double cycle, double fs, int n) {
  std::vector<double> x(static_cast<std::size_t>(n));
  const double f = bpm / 60.0;
  for (int i = 0; i < n; ++i) {
    const double t = i / fs;
    x[static_cast<std::size_t>(i)] = (1.0 + 0.8 * std::cos(2.0 * kPi * f * t / cycle)) *
                                     (std::sin(2.0 * kPi * f * t) + 0.4 * std::sin(4.0 * kPi * f * t + 1.0));
  }
  Detrend(&x);
  return x;
}

// Checks that `x` is an octave trap for the plain rule (the first peak within 85 % of
// the highest): the single breath's peak is below 85 % of a multiple's within the lags
// searched; then that EstimateRate gives the breath's rate.
void ExpectTheBreathNotAMultiple(const std::vector<double>& x, double bpm, double fs, double min_bpm,
                                 double max_bpm, const char* what) {
  const double period = fs * 60.0 / bpm;
  const int max_lag = std::min(static_cast<int>(std::ceil(fs * 60.0 / min_bpm)), 2 * static_cast<int>(x.size()) / 3);
  double multiple = -1.0;
  for (int m = 2; m * period <= max_lag; ++m) multiple = std::max(multiple, AutocorrelationNear(x, m * period));
  ASSERT_GT(multiple, -1.0) << what << ": no multiple of the period is searched at " << bpm << " /min";
  EXPECT_LT(AutocorrelationNear(x, period), 0.85 * multiple) << what << ": not a trap at " << bpm << " /min";
  const RateEstimate r = EstimateRate(x, fs, min_bpm, max_bpm);
  ASSERT_TRUE(r.valid) << what << " " << bpm;
  EXPECT_NEAR(r.rate_bpm, bpm, 0.3) << what;
  EXPECT_GT(r.periodicity, 0.8) << what << " " << bpm;  // the repetition's strength, at the multiple
}

// The cell assessor's window: 20 s of block means at 2.5 Hz, rates 5–45 /min. Depth
// cycles of 3, 3.6 and 4 breaths put the highest peak at 3 or 4 breaths (old rule:
// 5–8 /min for breathing at 15–24 /min).
TEST(RespirationOctaveTest, CellWindowGivesTheBreathNotAMultipleWhenDepthVaries) {
  for (double cycle : {3.0, 3.6}) {
    for (double bpm : {15.0, 18.0, 21.0, 24.0}) {
      ExpectTheBreathNotAMultiple(BreathsOfVaryingDepth(bpm, cycle, 2.5, 50), bpm, 2.5, 5.0, 45.0,
                                  cycle == 3.0 ? "cycle 3" : "cycle 3.6");
    }
  }
  for (double bpm : {21.0, 24.0}) {
    ExpectTheBreathNotAMultiple(BreathsOfVaryingDepth(bpm, 4.0, 2.5, 50), bpm, 2.5, 5.0, 45.0, "cycle 4");
  }
}

// The epoch's window: 60 s at 10 Hz (half the frame rate), rates 4–40 /min.
TEST(RespirationOctaveTest, EpochWindowGivesTheBreathNotAMultipleWhenDepthVaries) {
  for (double bpm : {12.0, 15.0, 18.0, 21.0, 24.0}) {
    ExpectTheBreathNotAMultiple(BreathsOfVaryingDepth(bpm, 3.0, 10.0, 600), bpm, 10.0, 4.0, 40.0, "cycle 3");
  }
  for (double bpm : {18.0, 21.0, 24.0}) {
    ExpectTheBreathNotAMultiple(BreathsOfVaryingDepth(bpm, 4.0, 10.0, 600), bpm, 10.0, 4.0, 40.0, "cycle 4");
  }
}

// The same trap with white noise of a fifth of the breath's depth added (a fixed-seed
// statistic): the check still finds the breath.
TEST(RespirationOctaveTest, NoisyBreathsOfVaryingDepthGiveTheBreath) {
  int right = 0, cases = 0;
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    for (double bpm : {18.0, 21.0, 24.0}) {
      std::vector<double> x = BreathsOfVaryingDepth(bpm, 3.0, 2.5, 50);
      for (std::size_t i = 0; i < x.size(); ++i) x[i] += 0.2 * testing::Gaussian(seed, i);
      Detrend(&x);
      const RateEstimate r = EstimateRate(x, 2.5, 5.0, 45.0);
      ++cases;
      right += r.valid && std::abs(r.rate_bpm - bpm) <= 1.0;
    }
  }
  EXPECT_GE(right, cases - 1) << right << " of " << cases;
}

// A slow breath with a strong second or third harmonic (0.9 of the fundamental) and
// the simulator's asymmetric breath keep their fundamental: the harmonics' lines are
// weaker, so the octave check does not move the rate up.
TEST(RespirationOctaveTest, HarmonicsOfASlowBreathAreNotTakenForIt) {
  for (double fs : {2.5, 10.0}) {
    const int n = fs < 5.0 ? 50 : 600;
    for (double bpm : {6.0, 8.0, 10.0, 12.0}) {
      for (int h : {2, 3}) {
        std::vector<double> x(static_cast<std::size_t>(n));
        for (int i = 0; i < n; ++i) {
          const double p = 2.0 * kPi * bpm / 60.0 * i / fs;
          x[static_cast<std::size_t>(i)] = std::sin(p) + 0.9 * std::sin(h * p + 0.5);
        }
        Detrend(&x);
        const RateEstimate r = EstimateRate(x, fs, fs < 5.0 ? 5.0 : 4.0, fs < 5.0 ? 45.0 : 40.0);
        ASSERT_TRUE(r.valid) << fs << " " << bpm << " " << h;
        EXPECT_NEAR(r.rate_bpm, bpm, 0.15) << fs << " " << bpm << " harmonic " << h;
      }
      std::vector<double> x(static_cast<std::size_t>(n));
      for (int i = 0; i < n; ++i) x[static_cast<std::size_t>(i)] = testing::BreathShape(i / fs * bpm / 60.0);
      Detrend(&x);
      const RateEstimate r = EstimateRate(x, fs, fs < 5.0 ? 5.0 : 4.0, fs < 5.0 ? 45.0 : 40.0);
      ASSERT_TRUE(r.valid);
      EXPECT_NEAR(r.rate_bpm, bpm, 0.15) << fs << " " << bpm << " breath shape";
    }
  }
}

}  // namespace
}  // namespace nightsim::pipeline
