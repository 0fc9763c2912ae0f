// Tests of penalised change-point detection (PELT) on series with known change points.
#include "pipeline/change_point.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <vector>

namespace nightsim::pipeline {
namespace {

// Deterministic pseudo-noise in [-1, 1] (a fixed linear congruential sequence):
// the tests need reproducible noise, not a random generator.
std::vector<double> Noise(std::size_t n, double amplitude, std::uint64_t seed) {
  std::vector<double> out;
  std::uint64_t x = seed;
  for (std::size_t i = 0; i < n; ++i) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    out.push_back(amplitude * (static_cast<double>(x >> 11) / 9007199254740992.0 * 2.0 - 1.0));
  }
  return out;
}

std::vector<double> Steps(const std::vector<std::pair<std::size_t, double>>& segments, double noise,
                          std::uint64_t seed) {
  std::vector<double> x;
  for (const auto& [length, level] : segments) x.insert(x.end(), length, level);
  const std::vector<double> e = Noise(x.size(), noise, seed);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] += e[i];
  return x;
}

TEST(ChangePointTest, FindsTheKnownChangePointsOfNoisySteps) {
  const std::vector<double> x = Steps({{40, 0.1}, {25, 0.9}, {60, 0.2}, {30, 0.7}}, 0.2, 7);
  const auto points = DetectChangePoints(x, MbicPenalty(x.size(), 0.15), 2);
  ASSERT_EQ(points.size(), 3u);
  EXPECT_NEAR(static_cast<double>(points[0]), 40.0, 1.0);
  EXPECT_NEAR(static_cast<double>(points[1]), 65.0, 1.0);
  EXPECT_NEAR(static_cast<double>(points[2]), 125.0, 1.0);
}

TEST(ChangePointTest, ExactStepsAreFoundExactly) {
  const std::vector<double> x = Steps({{10, 0.0}, {5, 1.0}, {10, 0.0}}, 0.0, 1);
  EXPECT_EQ(DetectChangePoints(x, 0.5, 1), (std::vector<std::size_t>{10, 15}));
}

TEST(ChangePointTest, PureNoiseHasNoChangePoint) {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    const std::vector<double> x = Steps({{300, 0.5}}, 0.25, seed);
    // σ of a uniform on [−0.25, 0.25] is 0.144; the MBIC penalty of that σ must hold.
    EXPECT_TRUE(DetectChangePoints(x, MbicPenalty(x.size(), 0.144), 2).empty()) << seed;
  }
}

TEST(ChangePointTest, ALargerPenaltyNeverAddsChangePoints) {
  const std::vector<double> x = Steps({{30, 0.0}, {3, 0.6}, {30, 0.1}, {30, 0.5}}, 0.15, 3);
  std::size_t previous = x.size();
  for (double penalty : {0.05, 0.2, 0.5, 1.0, 2.0, 5.0, 50.0}) {
    const std::size_t n = DetectChangePoints(x, penalty, 1).size();
    EXPECT_LE(n, previous) << penalty;
    previous = n;
  }
  EXPECT_EQ(previous, 0u);
}

TEST(ChangePointTest, SegmentsRespectTheMinimumLength) {
  // A 2-point blip: found with min_segment 1 or 2, never with 3.
  const std::vector<double> x = Steps({{20, 0.0}, {2, 1.0}, {20, 0.0}}, 0.0, 1);
  EXPECT_EQ(DetectChangePoints(x, 0.1, 2), (std::vector<std::size_t>{20, 22}));
  for (std::size_t p : DetectChangePoints(x, 0.1, 3)) {
    EXPECT_TRUE(p >= 3 && p <= x.size() - 3) << p;
  }
  const auto points = DetectChangePoints(x, 0.1, 3);
  for (std::size_t i = 1; i < points.size(); ++i) EXPECT_GE(points[i] - points[i - 1], 3u);
}

TEST(ChangePointTest, MatchesExhaustiveSearchOnShortSeries) {
  // PELT's pruning is exact: compare with the optimum over every segmentation of a
  // short series (dynamic programming without pruning).
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    const std::vector<double> x = Steps({{6, 0.2}, {5, 0.8}, {7, 0.3}}, 0.3, seed);
    const double beta = 0.3;
    const std::size_t n = x.size();
    auto cost = [&](std::size_t a, std::size_t b) {
      const double m = SegmentMean(x, a, b);
      double c = 0;
      for (std::size_t i = a; i < b; ++i) c += (x[i] - m) * (x[i] - m);
      return c;
    };
    std::vector<double> f(n + 1, 1e300);
    f[0] = -beta;
    for (std::size_t t = 1; t <= n; ++t) {
      for (std::size_t s = 0; s < t; ++s) f[t] = std::min(f[t], f[s] + cost(s, t) + beta);
    }
    const auto points = DetectChangePoints(x, beta, 1);
    double total = 0;
    std::size_t begin = 0;
    for (std::size_t p : points) {
      total += cost(begin, p) + beta;
      begin = p;
    }
    total += cost(begin, n);
    EXPECT_NEAR(total, f[n], 1e-9) << seed;
  }
}

TEST(ChangePointTest, RejectsBadArguments) {
  const std::vector<double> x(10, 0.0);
  EXPECT_THROW(DetectChangePoints(x, -1.0, 1), std::invalid_argument);
  EXPECT_THROW(DetectChangePoints(x, 1.0, 0), std::invalid_argument);
  EXPECT_TRUE(DetectChangePoints(std::vector<double>{}, 1.0, 1).empty());
  EXPECT_NEAR(MbicPenalty(100, 0.5), 3.0 * 0.25 * std::log(100.0), 1e-12);
}

}  // namespace
}  // namespace nightsim::pipeline
