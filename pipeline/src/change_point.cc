#include "pipeline/change_point.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "frame/simd.h"

namespace nightsim::pipeline {

double MbicPenalty(std::size_t n, double noise_sd) {
  return 3.0 * noise_sd * noise_sd * std::log(static_cast<double>(n < 2 ? 2 : n));
}

double SegmentMean(std::span<const double> x, std::size_t begin, std::size_t end) {
  double sum = 0.0;
  for (std::size_t i = begin; i < end; ++i) sum += x[i];
  return sum / static_cast<double>(end - begin);
}

// The AVX2 clone widens the element-wise candidate loop below; the sums (prefix sums,
// the minimum) stay sequential, so both clones return the same change points.
NIGHTSIM_TARGET_CLONES
std::vector<std::size_t> DetectChangePoints(std::span<const double> x, double penalty, std::size_t min_segment) {
  if (!(penalty >= 0.0)) throw std::invalid_argument("DetectChangePoints: penalty must be >= 0");
  if (min_segment == 0) throw std::invalid_argument("DetectChangePoints: min_segment must be >= 1");
  const std::size_t n = x.size();
  if (n < 2 * min_segment) return {};

  // Prefix sums make the L2 cost of any segment O(1): C = Σy² − (Σy)²/len (computed
  // inline in the candidate loop below).
  std::vector<double> s1(n + 1, 0.0), s2(n + 1, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    s1[i + 1] = s1[i] + x[i];
    s2[i + 1] = s2[i] + x[i] * x[i];
  }


  constexpr double kInf = std::numeric_limits<double>::infinity();
  // best[t]: optimal penalised cost of x[0, t); last[t]: its last change point.
  std::vector<double> best(n + 1, kInf);
  std::vector<std::size_t> last(n + 1, 0);
  best[0] = -penalty;  // the first segment pays no change-point price
  // R_t of PELT, increasing τ, as parallel arrays of what the cost needs (τ, F(τ),
  // its prefix sums): the inner loop then reads contiguous memory and vectorises.
  // Only τ with a finite F(τ) enter (the others could never be chosen nor kept).
  std::vector<double> c_tau, c_best, c_s1, c_s2, c_value;
  std::vector<std::size_t> c_index;
  c_tau.reserve(n + 1);
  c_best.reserve(n + 1);
  c_s1.reserve(n + 1);
  c_s2.reserve(n + 1);
  c_value.reserve(n + 1);
  c_index.reserve(n + 1);
  for (std::size_t t = min_segment; t <= n; ++t) {
    // τ = t − min_segment becomes admissible now (its segment is long enough).
    const std::size_t newest = t - min_segment;
    if ((newest == 0 || newest >= min_segment) && best[newest] != kInf) {
      c_index.push_back(newest);
      c_tau.push_back(static_cast<double>(newest));
      c_best.push_back(best[newest]);
      c_s1.push_back(s1[newest]);
      c_s2.push_back(s2[newest]);
      c_value.push_back(0.0);
    }
    const std::size_t m = c_index.size();
    const double t_d = static_cast<double>(t);
    const double s1_t = s1[t];
    const double s2_t = s2[t];
    // F(τ) + C(τ, t), each computed once for both the minimum and the pruning.
    for (std::size_t k = 0; k < m; ++k) {
      const double sum = s1_t - c_s1[k];
      c_value[k] = c_best[k] + std::max(0.0, (s2_t - c_s2[k]) - sum * sum / (t_d - c_tau[k]));
    }
    double f = kInf;
    std::size_t arg = 0;
    for (std::size_t k = 0; k < m; ++k) {
      const double v = c_value[k] + penalty;
      if (v < f) {  // strict: the earliest τ wins ties
        f = v;
        arg = c_index[k];
      }
    }
    best[t] = f;
    last[t] = arg;
    // PELT pruning: τ can never be optimal again once F(τ) + C(τ, t) > F(t)
    // (the L2 cost satisfies C(a,b) + C(b,c) <= C(a,c), so K = 0). Along a stable
    // stretch nothing is pruned, so the compaction starts at the first pruned τ.
    std::size_t kept = 0;
    while (kept < m && c_value[kept] <= f) ++kept;
    for (std::size_t k = kept; k < m; ++k) {
      if (c_value[k] <= f) {
        c_index[kept] = c_index[k];
        c_tau[kept] = c_tau[k];
        c_best[kept] = c_best[k];
        c_s1[kept] = c_s1[k];
        c_s2[kept] = c_s2[k];
        ++kept;
      }
    }
    c_index.resize(kept);
    c_tau.resize(kept);
    c_best.resize(kept);
    c_s1.resize(kept);
    c_s2.resize(kept);
    c_value.resize(kept);
  }
  std::vector<std::size_t> points;
  for (std::size_t t = n; last[t] > 0; t = last[t]) points.push_back(last[t]);
  return {points.rbegin(), points.rend()};
}

}  // namespace nightsim::pipeline
