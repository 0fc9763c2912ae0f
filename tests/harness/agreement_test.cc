// Tests of Bland–Altman agreement, quantiles and the bootstrap helper.
#include "harness/agreement.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

namespace nightsim::harness {
namespace {

TEST(AgreementTest, BlandAltmanOfAKnownSetMatchesTheHandComputation) {
  // differences 2, 1, 3, 1: mean 1.75; squared deviations .0625 + .5625 + 1.5625 +
  // .5625 = 2.75, SD = sqrt(2.75 / 3).
  const std::vector<double> reference{10, 20, 30, 40};
  const std::vector<double> device{12, 21, 33, 41};
  const auto ba = ComputeBlandAltman(reference, device);
  ASSERT_TRUE(ba.has_value());
  const double sd = std::sqrt(2.75 / 3.0);
  EXPECT_EQ(ba->n, 4);
  EXPECT_DOUBLE_EQ(ba->bias, 1.75);
  EXPECT_DOUBLE_EQ(ba->sd, sd);
  EXPECT_DOUBLE_EQ(ba->loa_lower, 1.75 - 1.96 * sd);
  EXPECT_DOUBLE_EQ(ba->loa_upper, 1.75 + 1.96 * sd);
  // Differences on reference: Sxx = 500, Sxy = −5 → slope −0.01, no proportional bias.
  EXPECT_NEAR(*ba->slope, -0.01, 1e-12);
  EXPECT_NEAR(*ba->intercept, 1.75 + 0.01 * 25, 1e-12);
  EXPECT_FALSE(*ba->proportional);
}

TEST(AgreementTest, ADeviceReadingTenPercentHighShowsProportionalBias) {
  const std::vector<double> reference{100, 200, 300, 400, 500};
  std::vector<double> device;
  for (double r : reference) device.push_back(1.1 * r);
  const auto ba = ComputeBlandAltman(reference, device);
  ASSERT_TRUE(ba.has_value());
  EXPECT_NEAR(*ba->slope, 0.1, 1e-12);
  EXPECT_TRUE(*ba->proportional);
}

TEST(AgreementTest, FewerThanTwoPairsGiveNoAgreementAndTwoGiveNoSlope) {
  EXPECT_FALSE(ComputeBlandAltman(std::vector<double>{1.0}, std::vector<double>{2.0}).has_value());
  const auto two = ComputeBlandAltman(std::vector<double>{1.0, 2.0}, std::vector<double>{2.0, 2.0});
  ASSERT_TRUE(two.has_value());
  EXPECT_DOUBLE_EQ(two->bias, 0.5);
  EXPECT_FALSE(two->slope.has_value());
  EXPECT_THROW(ComputeBlandAltman(std::vector<double>{1.0}, std::vector<double>{1.0, 2.0}),
               std::invalid_argument);
  EXPECT_THROW(ComputeBlandAltman(std::vector<double>{1.0, NAN}, std::vector<double>{1.0, 2.0}),
               std::invalid_argument);
}

TEST(AgreementTest, QuantilesInterpolateLikeNumpy) {
  const std::vector<double> v{4, 1, 3, 2};
  EXPECT_DOUBLE_EQ(Quantile(v, 0.0), 1.0);
  EXPECT_DOUBLE_EQ(Quantile(v, 0.5), 2.5);
  EXPECT_DOUBLE_EQ(Quantile(v, 0.95), 3.85);  // h = 3 · 0.95 = 2.85 → 3 + 0.85 · (4 − 3)
  EXPECT_DOUBLE_EQ(Quantile(v, 1.0), 4.0);
  EXPECT_DOUBLE_EQ(Quantile(std::vector<double>{7}, 0.3), 7.0);
  EXPECT_THROW(Quantile(std::vector<double>{}, 0.5), std::invalid_argument);
  EXPECT_THROW(Quantile(v, 1.5), std::invalid_argument);
}

TEST(AgreementTest, BootstrapIsDeterministicForAStreamAndBracketsTheEstimate) {
  const std::vector<double> sample{1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  RandomStream a(7, "sweep", "bootstrap");
  RandomStream b(7, "sweep", "bootstrap");
  const auto ci_a = BootstrapCi(sample, Mean, 2000, 0.95, a);
  const auto ci_b = BootstrapCi(sample, Mean, 2000, 0.95, b);
  EXPECT_EQ(ci_a.lower, ci_b.lower);
  EXPECT_EQ(ci_a.upper, ci_b.upper);
  EXPECT_DOUBLE_EQ(ci_a.estimate, 5.5);
  EXPECT_LT(ci_a.lower, 5.5);
  EXPECT_GT(ci_a.upper, 5.5);
  // The standard error of the mean is ~0.87 here: a 95 % interval spans roughly ±1.7.
  EXPECT_GT(ci_a.lower, 3.5);
  EXPECT_LT(ci_a.upper, 7.5);
}

TEST(AgreementTest, BootstrapOfAConstantSampleIsAPoint) {
  RandomStream rng(1, "sweep", "bootstrap");
  const auto ci = BootstrapCi(std::vector<double>{3, 3, 3}, Mean, 100, 0.9, rng);
  EXPECT_DOUBLE_EQ(ci.lower, 3.0);
  EXPECT_DOUBLE_EQ(ci.upper, 3.0);
  EXPECT_DOUBLE_EQ(ci.level, 0.9);
  EXPECT_THROW(BootstrapCi(std::vector<double>{}, Mean, 100, 0.9, rng), std::invalid_argument);
  EXPECT_THROW(BootstrapCi(std::vector<double>{1}, Mean, 0, 0.9, rng), std::invalid_argument);
  EXPECT_THROW(BootstrapCi(std::vector<double>{1}, Mean, 10, 1.0, rng), std::invalid_argument);
}

}  // namespace
}  // namespace nightsim::harness
