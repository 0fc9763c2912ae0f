#include "harness/agreement.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace nightsim::harness {

namespace {

void RequireFinite(std::span<const double> values, const char* what) {
  for (double v : values) {
    if (!std::isfinite(v)) throw std::invalid_argument(std::string(what) + ": values must be finite");
  }
}

}  // namespace

double Mean(std::span<const double> values) {
  if (values.empty()) throw std::invalid_argument("Mean: empty sample");
  double sum = 0;
  for (double v : values) sum += v;
  return sum / static_cast<double>(values.size());
}

double Quantile(std::span<const double> values, double q) {
  if (values.empty()) throw std::invalid_argument("Quantile: empty sample");
  if (!(q >= 0 && q <= 1)) throw std::invalid_argument("Quantile: q must be in [0, 1]");
  RequireFinite(values, "Quantile");
  std::vector<double> sorted(values.begin(), values.end());
  std::sort(sorted.begin(), sorted.end());
  // Type 7: h = (n − 1) q, interpolate between x[floor h] and x[floor h + 1].
  const double h = static_cast<double>(sorted.size() - 1) * q;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

std::optional<BlandAltman> ComputeBlandAltman(std::span<const double> reference,
                                              std::span<const double> device) {
  if (reference.size() != device.size()) {
    throw std::invalid_argument("ComputeBlandAltman: reference and device differ in length");
  }
  RequireFinite(reference, "ComputeBlandAltman reference");
  RequireFinite(device, "ComputeBlandAltman device");
  const std::size_t n = reference.size();
  if (n < 2) return std::nullopt;
  std::vector<double> diff(n);
  for (std::size_t i = 0; i < n; ++i) diff[i] = device[i] - reference[i];
  BlandAltman ba;
  ba.n = static_cast<int>(n);
  ba.bias = Mean(diff);
  double ss = 0;
  for (double d : diff) ss += (d - ba.bias) * (d - ba.bias);
  ba.sd = std::sqrt(ss / static_cast<double>(n - 1));
  ba.loa_lower = ba.bias - 1.96 * ba.sd;
  ba.loa_upper = ba.bias + 1.96 * ba.sd;

  // Ordinary least squares of the difference on the reference value.
  const double ref_mean = Mean(reference);
  double sxx = 0, sxy = 0;
  for (std::size_t i = 0; i < n; ++i) {
    sxx += (reference[i] - ref_mean) * (reference[i] - ref_mean);
    sxy += (reference[i] - ref_mean) * (diff[i] - ba.bias);
  }
  if (n >= 3 && sxx > 0) {
    const double slope = sxy / sxx;
    const double intercept = ba.bias - slope * ref_mean;
    double rss = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const double r = diff[i] - (intercept + slope * reference[i]);
      rss += r * r;
    }
    const double slope_se = std::sqrt(rss / static_cast<double>(n - 2) / sxx);
    ba.slope = slope;
    ba.intercept = intercept;
    ba.slope_se = slope_se;
    // A perfect linear fit has se 0: any non-zero slope is then proportional bias.
    ba.proportional = slope_se > 0 ? std::abs(slope / slope_se) > 1.96 : slope != 0;
  }
  return ba;
}

ConfidenceInterval BootstrapCi(std::span<const double> sample, const Statistic& statistic, int resamples,
                               double level, RandomStream& rng) {
  if (sample.empty()) throw std::invalid_argument("BootstrapCi: empty sample");
  if (resamples < 1) throw std::invalid_argument("BootstrapCi: resamples must be >= 1");
  if (!(level > 0 && level < 1)) throw std::invalid_argument("BootstrapCi: level must be in (0, 1)");
  ConfidenceInterval ci;
  ci.level = level;
  ci.estimate = statistic(sample);
  std::vector<double> stats;
  stats.reserve(static_cast<std::size_t>(resamples));
  std::vector<double> resample(sample.size());
  for (int r = 0; r < resamples; ++r) {
    for (double& x : resample) x = sample[rng.UniformInt(sample.size())];
    stats.push_back(statistic(resample));
  }
  ci.lower = Quantile(stats, (1 - level) / 2);
  ci.upper = Quantile(stats, (1 + level) / 2);
  return ci;
}

}  // namespace nightsim::harness
