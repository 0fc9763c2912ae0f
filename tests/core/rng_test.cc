// Tests of the counter-based random streams and the distributions built on them.
#include "core/rng.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <vector>

namespace nightsim {
namespace {

std::vector<std::uint64_t> Words(RandomStream s, int n) {
  std::vector<std::uint64_t> out;
  for (int i = 0; i < n; ++i) out.push_back(s.NextU64());
  return out;
}

TEST(RngTest, StableIdIsFnv1a) {
  EXPECT_EQ(StableId(""), 0xcbf29ce484222325ull);
  EXPECT_EQ(StableId("a"), 0xaf63dc4c8601ec8cull);  // published FNV-1a 64 test vector
  EXPECT_NE(StableId("alex"), StableId("sam"));
}

TEST(RngTest, Fnv1aContinuesFromAGivenHash) {
  EXPECT_EQ(Fnv1a("a"), 0xaf63dc4c8601ec8cull);
  EXPECT_EQ(Fnv1a("foobar"), 0x85944171f73967e8ull);  // published FNV-1a 64 test vector
  EXPECT_EQ(Fnv1a("bar", Fnv1a("foo")), Fnv1a("foobar"));
  EXPECT_EQ(Fnv1a(std::string_view("a\0b", 3)), Fnv1a("b", Fnv1a(std::string_view("a\0", 2))));
}

TEST(RngTest, TheSameSeedEntityAndPurposeGiveTheSameSequence) {
  EXPECT_EQ(Words(RandomStream(1, "alex", "breathing"), 1000), Words(RandomStream(1, "alex", "breathing"), 1000));
}

TEST(RngTest, PhiloxOutputIsPinned) {
  // Pins the stream layout (key = {seed, entity}, counter = {purpose, block, 0, 0});
  // any change here changes every night ever generated.
  RandomStream s(0, 0, 0);
  const auto w = Words(s, 4);
  RandomStream again(0, 0, 0);
  EXPECT_EQ(w, Words(again, 4));
  // Philox4x64-10 of counter 0, key 0 (Random123 known-answer test vector).
  EXPECT_EQ(w[0], 0x16554d9eca36314cull);
  EXPECT_EQ(w[1], 0xdb20fe9d672d0fdcull);
  EXPECT_EQ(w[2], 0xd7e772cee186176bull);
  EXPECT_EQ(w[3], 0x7e68b68aec7ba23bull);
}

TEST(RngTest, SeedEntityAndPurposeEachChangeTheSequence) {
  const auto base = Words(RandomStream(1, "alex", "breathing"), 16);
  EXPECT_NE(base, Words(RandomStream(2, "alex", "breathing"), 16));
  EXPECT_NE(base, Words(RandomStream(1, "sam", "breathing"), 16));
  EXPECT_NE(base, Words(RandomStream(1, "alex", "movement"), 16));
}

TEST(RngTest, DrawingFromOtherEntitiesOrPurposesLeavesAStreamBitIdentical) {
  // Interleave draws from a partner, a pet and another purpose of the same person:
  // the primary's breathing stream must not notice.
  RandomStream alone(5, "alex", "breathing");
  const auto expected = Words(alone, 500);

  RandomStream alex(5, "alex", "breathing");
  RandomStream sam(5, "sam", "breathing");
  RandomStream cat(5, "cat", "visits");
  RandomStream alex_moves(5, "alex", "movement");
  std::vector<std::uint64_t> got;
  for (int i = 0; i < 500; ++i) {
    sam.NextU64();
    if (i % 3 == 0) cat.Normal();
    alex_moves.Uniform01();
    got.push_back(alex.NextU64());
  }
  EXPECT_EQ(got, expected);
}

TEST(RngTest, DerivedStreamsAreIndependentOfTheParentsPositionAndOfEachOther) {
  RandomStream parent(3, "radar", "noise");
  const auto child_before = Words(parent.Derive(42), 8);
  parent.NextU64();
  parent.NextU64();
  EXPECT_EQ(Words(parent.Derive(42), 8), child_before);
  EXPECT_NE(Words(parent.Derive(43), 8), child_before);
  EXPECT_NE(Words(parent.Derive("apnea"), 8), Words(parent.Derive("sigh"), 8));
  EXPECT_NE(Words(parent.Derive(42), 8), Words(parent, 8));
}

TEST(RngTest, ADrawIsAPureFunctionOfItsPosition) {
  RandomStream a(9, "x", "y");
  for (int i = 0; i < 5; ++i) a.NextU64();
  RandomStream b(9, "x", "y");
  const auto all = Words(b, 10);
  EXPECT_EQ(a.NextU64(), all[5]);
  EXPECT_EQ(a.position(), 6u);
}

struct Moments {
  double mean{0}, var{0};
};
template <typename F>
Moments Sample(int n, F draw) {
  std::vector<double> v(n);
  for (auto& x : v) x = draw();
  const double mean = std::accumulate(v.begin(), v.end(), 0.0) / n;
  double var = 0;
  for (double x : v) var += (x - mean) * (x - mean);
  return {mean, var / (n - 1)};
}

constexpr int kN = 200000;

TEST(RngTest, UniformMoments) {
  RandomStream s(11, "t", "uniform");
  const auto m = Sample(kN, [&] { return s.Uniform(2.0, 6.0); });
  EXPECT_NEAR(m.mean, 4.0, 0.02);          // sd of mean = 1.155/sqrt(2e5) = 0.0026
  EXPECT_NEAR(m.var, 16.0 / 12.0, 0.02);
  RandomStream u(11, "t", "u01");
  for (int i = 0; i < 100000; ++i) {
    const double x = u.Uniform01();
    ASSERT_GT(x, 0.0);
    ASSERT_LT(x, 1.0);
  }
}

TEST(RngTest, NormalMomentsAndTails) {
  RandomStream s(12, "t", "normal");
  std::vector<double> v(kN);
  for (auto& x : v) x = s.Normal(1.5, 2.0);
  const auto m = Sample(kN, [&, i = 0]() mutable { return v[i++]; });
  EXPECT_NEAR(m.mean, 1.5, 0.02);
  EXPECT_NEAR(m.var, 4.0, 0.06);
  int beyond_2sd = 0;
  for (double x : v) beyond_2sd += std::fabs(x - 1.5) > 4.0;
  EXPECT_NEAR(static_cast<double>(beyond_2sd) / kN, 0.0455, 0.003);
}

TEST(RngTest, ExponentialMoments) {
  RandomStream s(13, "t", "exp");
  const auto m = Sample(kN, [&] { return s.Exponential(0.5); });
  EXPECT_NEAR(m.mean, 2.0, 0.03);
  EXPECT_NEAR(m.var, 4.0, 0.15);
}

TEST(RngTest, GammaMomentsForLargeAndSmallShapes) {
  RandomStream s(14, "t", "gamma");
  const auto big = Sample(kN, [&] { return s.Gamma(3.0, 2.0); });
  EXPECT_NEAR(big.mean, 6.0, 0.05);
  EXPECT_NEAR(big.var, 12.0, 0.3);
  const auto small = Sample(kN, [&] { return s.Gamma(0.5, 1.0); });
  EXPECT_NEAR(small.mean, 0.5, 0.01);
  EXPECT_NEAR(small.var, 0.5, 0.03);
}

TEST(RngTest, LogNormalMoments) {
  RandomStream s(15, "t", "lognormal");
  const auto m = Sample(kN, [&] { return s.LogNormal(0.0, 0.5); });
  EXPECT_NEAR(m.mean, std::exp(0.125), 0.01);
  EXPECT_NEAR(m.var, (std::exp(0.25) - 1) * std::exp(0.25), 0.02);
}

TEST(RngTest, PoissonMomentsBelowAndAboveTheAlgorithmSwitch) {
  RandomStream s(16, "t", "poisson");
  for (double lambda : {0.3, 4.0, 9.9, 10.0, 55.0, 1000.0}) {
    const auto m = Sample(kN, [&] { return static_cast<double>(s.Poisson(lambda)); });
    EXPECT_NEAR(m.mean, lambda, 4 * std::sqrt(lambda / kN) + 1e-9) << lambda;
    EXPECT_NEAR(m.var, lambda, 0.03 * lambda + 0.01) << lambda;
  }
  EXPECT_EQ(s.Poisson(0.0), 0);
}

TEST(RngTest, BernoulliAndCategoricalFrequencies) {
  RandomStream s(17, "t", "discrete");
  int hits = 0;
  for (int i = 0; i < kN; ++i) hits += s.Bernoulli(0.3);
  EXPECT_NEAR(static_cast<double>(hits) / kN, 0.3, 0.005);

  const std::vector<double> w = {1.0, 0.0, 3.0, 6.0};
  std::vector<int> counts(4, 0);
  for (int i = 0; i < kN; ++i) ++counts[s.Categorical(w)];
  EXPECT_EQ(counts[1], 0);
  EXPECT_NEAR(counts[0] / double(kN), 0.1, 0.004);
  EXPECT_NEAR(counts[2] / double(kN), 0.3, 0.005);
  EXPECT_NEAR(counts[3] / double(kN), 0.6, 0.005);
}

TEST(RngTest, UniformIntIsUnbiasedAndInRange) {
  RandomStream s(18, "t", "int");
  std::vector<int> counts(7, 0);
  for (int i = 0; i < 70000; ++i) ++counts[s.UniformInt(7)];
  for (int c : counts) EXPECT_NEAR(c, 10000, 400);
}

TEST(RngTest, InvalidParametersThrow) {
  RandomStream s(1, "t", "bad");
  EXPECT_THROW(s.Exponential(0.0), std::invalid_argument);
  EXPECT_THROW(s.Gamma(-1.0, 1.0), std::invalid_argument);
  EXPECT_THROW(s.Poisson(-2.0), std::invalid_argument);
  EXPECT_THROW(s.UniformInt(0), std::invalid_argument);
  const std::vector<double> zero = {0.0, 0.0};
  EXPECT_THROW(s.Categorical(zero), std::invalid_argument);
}

}  // namespace
}  // namespace nightsim
