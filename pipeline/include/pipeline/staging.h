#pragma once
/// \file
/// Incremental sleep staging: gradient-boosted trees (XGBoost) on the context
/// inputs of FeatureContext, followed by a causal hidden-Markov forward filter that
/// smooths the per-epoch class probabilities with sticky stage transitions.
/// One estimate per epoch, decided once, never revised.

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "frame/pipeline_api.h"

namespace nightsim::pipeline {

/// A trained XGBoost model (gradient-boosted trees), loaded from the JSON bytes
/// XGBoost writes (XGBoosterSaveModelToBuffer with format "json"). Prediction runs
/// on one thread and is deterministic.
class BoostedTrees {
 public:
  /// Loads a model. Throws std::invalid_argument when `model_json` is not an
  /// XGBoost model or does not take `expected_features` inputs.
  BoostedTrees(std::string_view model_json, int expected_features);
  ~BoostedTrees();
  BoostedTrees(const BoostedTrees&) = delete;
  BoostedTrees& operator=(const BoostedTrees&) = delete;

  /// Number of inputs the model takes.
  int num_features() const { return num_features_; }
  /// Model output for one row of inputs (NaN = missing): the class probabilities of
  /// a multi:softprob model, one probability for binary:logistic. Throws
  /// std::invalid_argument when inputs.size() != num_features(), std::runtime_error
  /// when XGBoost fails.
  std::vector<float> Predict(std::span<const float> inputs) const;

 private:
  void* booster_{nullptr};  // BoosterHandle
  void* proxy_{nullptr};    // DMatrixHandle of a proxy matrix reused by every Predict
  int num_features_{0};
};

/// Settings of the stage smoother and decision.
struct StagingConfig {
  /// Probability of keeping the stage from one epoch to the next in the forward
  /// filter (the rest is spread evenly over the other stages). Real hypnograms keep
  /// the stage with p ≈ .7 (wake) to .95 (REM) (docs/design.md §4); the trees already see
  /// neighbouring epochs, so the filter only needs to be mildly sticky.
  double stay_probability{0.7};
  /// Multipliers of the class probabilities before the decision (wake, light, deep,
  /// REM): trade sensitivity between classes; 1 = plain maximum a posteriori.
  std::array<double, 4> class_weights{1.0, 1.0, 1.0, 1.0};
  /// Throws std::invalid_argument naming the first bad field.
  void Validate() const;
};

/// Causal forward filter over 4-class probabilities: α_t ∝ p_t ⊙ (Tᵀ α_{t−1}),
/// where p_t are the classifier's probabilities (treated as scaled likelihoods).
class StageSmoother {
 public:
  explicit StageSmoother(StagingConfig config = {});
  /// Forgets the history (a new session).
  void Reset();
  /// Adds the classifier probabilities of the next epoch (wake, light, deep, REM;
  /// non-negative) and returns the decided stage.
  EstStage Push(std::span<const float> probabilities);
  /// Filtered probabilities after the latest Push.
  const std::array<double, 4>& posterior() const { return alpha_; }

 private:
  StagingConfig config_;
  std::array<double, 4> alpha_{};
  bool started_{false};
};

}  // namespace nightsim::pipeline
