#include "pipeline/staging.h"

#include <xgboost/c_api.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace nightsim::pipeline {
namespace {

void Check(int status, const char* what) {
  if (status != 0) throw std::runtime_error(std::string("XGBoost ") + what + ": " + XGBGetLastError());
}

}  // namespace

BoostedTrees::BoostedTrees(std::string_view model_json, int expected_features) {
  if (model_json.empty() || model_json.front() != '{') {
    throw std::invalid_argument("BoostedTrees: not an XGBoost JSON model");
  }
  BoosterHandle booster = nullptr;
  Check(XGBoosterCreate(nullptr, 0, &booster), "create");
  booster_ = booster;
  try {
    if (XGBoosterLoadModelFromBuffer(booster, model_json.data(), model_json.size()) != 0) {
      throw std::invalid_argument(std::string("BoostedTrees: cannot load the model: ") + XGBGetLastError());
    }
    // One thread: the pipeline runs beside the simulator on a shared machine, and a
    // single-row prediction gains nothing from more.
    Check(XGBoosterSetParam(booster, "nthread", "1"), "set nthread");
    bst_ulong n = 0;
    Check(XGBoosterGetNumFeature(booster, &n), "number of features");
    num_features_ = static_cast<int>(n);
    if (num_features_ != expected_features) {
      throw std::invalid_argument("BoostedTrees: the model takes " + std::to_string(num_features_) +
                                  " inputs, the pipeline provides " + std::to_string(expected_features) +
                                  " (retrain with `nightsim train`)");
    }
  } catch (...) {
    XGBoosterFree(booster);
    booster_ = nullptr;
    throw;
  }
}

BoostedTrees::~BoostedTrees() {
  if (booster_ != nullptr) XGBoosterFree(static_cast<BoosterHandle>(booster_));
}

std::vector<float> BoostedTrees::Predict(std::span<const float> inputs) const {
  if (static_cast<int>(inputs.size()) != num_features_) {
    throw std::invalid_argument("BoostedTrees::Predict: wrong number of inputs");
  }
  DMatrixHandle matrix = nullptr;
  Check(XGDMatrixCreateFromMat(inputs.data(), 1, inputs.size(), std::numeric_limits<float>::quiet_NaN(), &matrix),
        "matrix");
  bst_ulong len = 0;
  const float* result = nullptr;
  const int status = XGBoosterPredict(static_cast<BoosterHandle>(booster_), matrix, 0, 0, 0, &len, &result);
  std::vector<float> out;
  if (status == 0) out.assign(result, result + len);
  XGDMatrixFree(matrix);
  Check(status, "predict");
  return out;
}

// ---------------------------------------------------------------------------

void StagingConfig::Validate() const {
  if (!(stay_probability >= 0.25 && stay_probability < 1.0)) {
    throw std::invalid_argument("StagingConfig.stay_probability must be in [0.25, 1)");
  }
  for (double w : class_weights) {
    if (!(w > 0.0 && std::isfinite(w))) throw std::invalid_argument("StagingConfig.class_weights must be > 0");
  }
}

StageSmoother::StageSmoother(StagingConfig config) : config_(config) { config_.Validate(); }

void StageSmoother::Reset() {
  started_ = false;
  alpha_ = {};
}

EstStage StageSmoother::Push(std::span<const float> probabilities) {
  if (probabilities.size() != 4) throw std::invalid_argument("StageSmoother::Push: 4 probabilities expected");
  std::array<double, 4> prior{0.25, 0.25, 0.25, 0.25};
  if (started_) {
    const double move = (1.0 - config_.stay_probability) / 3.0;
    for (std::size_t j = 0; j < 4; ++j) {
      prior[j] = 0.0;
      for (std::size_t i = 0; i < 4; ++i) prior[j] += alpha_[i] * (i == j ? config_.stay_probability : move);
    }
  }
  double total = 0.0;
  for (std::size_t j = 0; j < 4; ++j) {
    // A floor keeps one confident epoch from zeroing a stage for good.
    alpha_[j] = prior[j] * std::max(1e-4, static_cast<double>(probabilities[j]));
    total += alpha_[j];
  }
  for (double& a : alpha_) a /= total;
  started_ = true;
  std::size_t best = 0;
  double best_v = -1.0;
  for (std::size_t j = 0; j < 4; ++j) {
    const double v = alpha_[j] * config_.class_weights[j];
    if (v > best_v) {
      best_v = v;
      best = j;
    }
  }
  return static_cast<EstStage>(static_cast<int>(best));
}

}  // namespace nightsim::pipeline
