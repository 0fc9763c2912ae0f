#pragma once
/// \file
/// Penalized change-point detection of a piecewise-constant mean: PELT (Killick,
/// Fearnhead & Eckley 2012, "Optimal detection of changepoints with a linear
/// computational cost"). Exact minimiser of
///   Σ_segments C(segment) + β · (number of change points),
/// with the L2 cost C(y_a..y_b) = Σ (y_i − mean)², i.e. twice the Gaussian negative
/// log-likelihood of a mean change at known variance σ², scaled by σ².

#include <cstddef>
#include <span>
#include <vector>

namespace nightsim::pipeline {

/// The modified BIC penalty (Zhang & Siegmund 2007; the default of Killick's R
/// package `changepoint`) for a mean change in a series of `n` points with noise
/// standard deviation `noise_sd`: β = 3 σ² ln n, in squared units of the series.
/// (The plain BIC, 2 σ² ln n, finds spurious change points in long noise series:
/// the best of n candidate locations beats it too often.) Precondition: noise_sd >= 0.
double MbicPenalty(std::size_t n, double noise_sd);

/// Change points of `x`: the start indices of every segment after the first, in
/// increasing order (empty: one segment). `penalty` (β, squared units of x) is the
/// price of one change point; every segment is at least `min_segment` points long.
/// Deterministic: among equal-cost segmentations the one with the earliest last
/// change point wins. Throws std::invalid_argument for penalty < 0 or
/// min_segment == 0. O(n) typical, O(n²) worst case.
std::vector<std::size_t> DetectChangePoints(std::span<const double> x, double penalty, std::size_t min_segment = 1);

/// Mean of x[begin, end). Precondition: begin < end <= x.size().
double SegmentMean(std::span<const double> x, std::size_t begin, std::size_t end);

}  // namespace nightsim::pipeline
