#pragma once
/// \file
/// Agreement and uncertainty across nights: Bland–Altman analysis of a measure
/// (device vs reference, Menghini et al. 2021, SLEEP 44(2) zsaa170), sample
/// quantiles, and a percentile bootstrap with an explicit random stream.

#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "core/rng.h"

namespace nightsim::harness {

/// Bland–Altman summary of paired measurements, differences = device − reference.
struct BlandAltman {
  int n{0};               ///< number of pairs
  double bias{0};         ///< mean difference, unit of the measure
  double sd{0};           ///< sample SD of the differences (n − 1 denominator)
  double loa_lower{0};    ///< bias − 1.96 · sd (lower 95 % limit of agreement)
  double loa_upper{0};    ///< bias + 1.96 · sd (upper 95 % limit of agreement)
  /// Proportional-bias check (Menghini et al.: differences regressed on the
  /// reference): difference = intercept + slope · reference. Present when n >= 3
  /// and the reference values are not all equal.
  std::optional<double> slope;
  std::optional<double> intercept;   ///< unit of the measure
  std::optional<double> slope_se;    ///< standard error of the slope
  /// |slope / slope_se| > 1.96: the normal approximation of a two-sided 5 % test.
  /// With few nights the t distribution would be stricter; treat as a flag to look.
  std::optional<bool> proportional;
};

/// Bland–Altman of `device` against `reference` (same length, finite values).
/// nullopt when fewer than 2 pairs (no SD). Throws std::invalid_argument when the
/// lengths differ or a value is not finite.
std::optional<BlandAltman> ComputeBlandAltman(std::span<const double> reference,
                                              std::span<const double> device);

/// Sample quantile by linear interpolation between order statistics (Hyndman &
/// Fan type 7, the default of R and NumPy). q in [0, 1]; values non-empty and
/// finite. Throws std::invalid_argument otherwise.
double Quantile(std::span<const double> values, double q);

/// Arithmetic mean; values non-empty. Throws std::invalid_argument when empty.
double Mean(std::span<const double> values);

/// A confidence interval around a point estimate.
struct ConfidenceInterval {
  double estimate{0};  ///< the statistic on the original sample
  double lower{0};     ///< lower bound
  double upper{0};     ///< upper bound
  double level{0.95};  ///< coverage, e.g. 0.95
};

/// A statistic of a sample (mean, median …).
using Statistic = std::function<double(std::span<const double>)>;

/// Percentile bootstrap CI of `statistic` over `sample` (non-empty): `resamples`
/// resamples with replacement, indices drawn from `rng` (advanced), bounds the
/// (1 − level)/2 and (1 + level)/2 type-7 quantiles of the resampled statistics.
/// For paired counterfactual effects pass the per-pair differences. Deterministic
/// for a given stream position. Throws std::invalid_argument unless sample is
/// non-empty, resamples >= 1 and 0 < level < 1.
ConfidenceInterval BootstrapCi(std::span<const double> sample, const Statistic& statistic,
                               int resamples, double level, RandomStream& rng);

}  // namespace nightsim::harness
