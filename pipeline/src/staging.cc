#include "pipeline/staging.h"

#include <xgboost/c_api.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
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
    // One proxy matrix for every prediction: a fresh DMatrix per row (what
    // XGBoosterPredict needs) costs more than walking the trees, mostly in its
    // construction (which reads the cgroup CPU quota from /sys each time).
    DMatrixHandle proxy = nullptr;
    Check(XGProxyDMatrixCreate(&proxy), "proxy matrix");
    proxy_ = proxy;
    bst_ulong n = 0;
    Check(XGBoosterGetNumFeature(booster, &n), "number of features");
    num_features_ = static_cast<int>(n);
    if (num_features_ != expected_features) {
      throw std::invalid_argument("BoostedTrees: the model takes " + std::to_string(num_features_) +
                                  " inputs, the pipeline provides " + std::to_string(expected_features) +
                                  " (retrain with `nightsim train`)");
    }
  } catch (...) {
    if (proxy_ != nullptr) XGDMatrixFree(static_cast<DMatrixHandle>(proxy_));
    proxy_ = nullptr;
    XGBoosterFree(booster);
    booster_ = nullptr;
    throw;
  }
}

BoostedTrees::~BoostedTrees() {
  if (proxy_ != nullptr) XGDMatrixFree(static_cast<DMatrixHandle>(proxy_));
  if (booster_ != nullptr) XGBoosterFree(static_cast<BoosterHandle>(booster_));
}

std::vector<float> BoostedTrees::Predict(std::span<const float> inputs) const {
  if (static_cast<int>(inputs.size()) != num_features_) {
    throw std::invalid_argument("BoostedTrees::Predict: wrong number of inputs");
  }
  // In-place prediction on the caller's row (an __array_interface__ naming its
  // address): the same trees summed in the same order as through a DMatrix, so the
  // same floats, without building a matrix per row.
  char array[160];
  std::snprintf(array, sizeof array,
                "{\"data\": [%llu, true], \"shape\": [1, %zu], \"typestr\": \"<f4\", \"version\": 3}",
                static_cast<unsigned long long>(reinterpret_cast<std::uintptr_t>(inputs.data())), inputs.size());
  // Plain values (type 0: probabilities after the objective's transform), every tree,
  // NaN = missing (as XGDMatrixCreateFromMat was told before); the installed library
  // (1.6) also requires cache_id.
  static constexpr char kConfig[] =
      "{\"type\": 0, \"training\": false, \"iteration_begin\": 0, \"iteration_end\": 0, "
      "\"strict_shape\": false, \"missing\": NaN, \"cache_id\": 0}";
  const bst_ulong* shape = nullptr;
  bst_ulong dims = 0;
  const float* result = nullptr;
  Check(XGBoosterPredictFromDense(static_cast<BoosterHandle>(booster_), array, kConfig,
                                  static_cast<DMatrixHandle>(proxy_), &shape, &dims, &result),
        "predict");
  bst_ulong len = 1;
  for (bst_ulong d = 0; d < dims; ++d) len *= shape[d];
  return std::vector<float>(result, result + len);
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
