#pragma once
/// \file
/// Sleep intent (docs/design.md §6.5): is the user trying to sleep? An intent score per
/// epoch (a trained classifier on FeatureContext::IntentInputs(): movement, distance,
/// direction and elevation changes that tell sitting up from lying down, breathing) is
/// post-processed by penalised change-point detection (PELT, pipeline/change_point.h)
/// over the scores of the current in-bed bout. Intent starts when the segment the
/// decided epoch lies in has a high mean score and ends when it has a low one or
/// when the user has been gone long enough.

#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

namespace nightsim::pipeline {

/// Settings of IntentDetector.
struct IntentConfig {
  /// Noise SD σ of the intent score within a segment; the change-point penalty is
  /// the modified BIC penalty 3 σ² ln n (pipeline/change_point.h, MbicPenalty) times
  /// penalty_scale.
  double score_noise_sd{0.25};
  double penalty_scale{1.0};      ///< multiplies the MBIC penalty
  int min_segment_epochs{2};      ///< shortest segment PELT may create
  double on_threshold{0.5};       ///< segment mean at or above: intent
  double off_threshold{0.2};      ///< segment mean below (while intent): intent ends
  int min_off_epochs{10};         ///< a low segment ends intent only this long (5 min)
  int max_history_epochs{480};    ///< PELT sees at most this many recent scores (4 h)
  int absence_end_epochs{30};     ///< intent ends after this many epochs without the user (15 min)
  /// Throws std::invalid_argument naming the first bad field.
  void Validate() const;
};

/// Streaming intent decisions. Scores arrive one per epoch, in order; the decision
/// for an epoch may use every score pushed so far (the caller bounds the lookahead).
class IntentDetector {
 public:
  explicit IntentDetector(IntentConfig config = {});
  /// Adds the next epoch's score (0..1); nullopt when the user is not there to
  /// score (not tracked): such epochs are left out of the change-point series.
  void Push(std::int64_t epoch, std::optional<double> score);
  /// Decides `epoch` (already pushed, not earlier than the previous decision) from
  /// the scores pushed so far. Each epoch is decided once.
  bool Decide(std::int64_t epoch);
  /// The first epoch decided as intent, if any.
  std::optional<std::int64_t> first_start() const { return first_start_; }
  /// Start of the current intent period, if intent is on.
  std::optional<std::int64_t> current_start() const { return on_ ? std::optional(start_) : std::nullopt; }

 private:
  struct Scored {
    std::int64_t epoch;
    double score;
  };
  IntentConfig config_;
  std::deque<Scored> scores_;  // the current in-bed bout, at most max_history_epochs
  std::int64_t last_present_{-1};
  std::int64_t newest_{-1};
  bool on_{false};
  std::int64_t start_{0};
  std::optional<std::int64_t> first_start_;
  std::vector<double> series_;  // scratch
};

}  // namespace nightsim::pipeline
