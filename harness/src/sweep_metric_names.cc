// The catalogue of per-night metric names, so a sweep file naming a metric that
// ScoreNight() never produces is rejected before any night runs. The stage and
// measure names come from the scorer's own enumerations; a test scores nights and
// checks that every name and direction they produce is listed here.

#include <string>

#include "harness/metrics.h"
#include "harness/sweep.h"

namespace nightsim::harness {

const std::map<std::string, Better, std::less<>>& KnownMetrics() {
  static const std::map<std::string, Better, std::less<>> kMetrics = [] {
    using B = Better;
    std::map<std::string, Better, std::less<>> m = {
        {"join.epochs", B::kNone},
        {"join.missing_estimates", B::kLower},
        {"join.duplicate_estimates", B::kLower},
        {"join.out_of_range_estimates", B::kLower},
        {"presence.precision", B::kHigher},
        {"presence.recall", B::kHigher},
        {"presence.f1", B::kHigher},
        {"presence.false_present_min", B::kLower},
        {"presence.missed_present_min", B::kLower},
        {"presence.false_session_min", B::kLower},
        {"presence.false_session_starts", B::kLower},
        {"presence.partner_only_min", B::kNone},
        {"presence.primary_recall", B::kHigher},
        {"presence.detected", B::kHigher},
        {"presence.detection_delay_min", B::kLower},
        {"presence.session_delay_min", B::kLower},
        {"identity.primary_fraction", B::kHigher},
        {"identity.partner_fraction", B::kLower},
        {"identity.pet_fraction", B::kLower},
        {"identity.unmatched_fraction", B::kLower},
        {"identity.untracked_fraction", B::kLower},
        {"identity.partner_min", B::kLower},
        {"identity.pet_min", B::kLower},
        {"identity.switches", B::kLower},
        {"identity.idtp_epochs", B::kHigher},
        {"identity.idfp_epochs", B::kLower},
        {"identity.idfn_epochs", B::kLower},
        {"identity.idf1", B::kHigher},
        {"identity.trips", B::kNone},
        {"identity.trips_eligible", B::kNone},
        {"identity.trips_detected", B::kHigher},
        {"identity.trip_detection_rate", B::kHigher},
        {"identity.reacquire_failures", B::kLower},
        {"identity.reacquire_mean_min", B::kLower},
        {"identity.reacquire_max_min", B::kLower},
        {"resp.eligible_epochs", B::kNone},
        {"resp.coverage", B::kHigher},
        {"resp.rate_mae_bpm", B::kLower},
        {"resp.rate_median_ae_bpm", B::kLower},
        {"resp.rate_p95_ae_bpm", B::kLower},
        {"resp.rate_bias_bpm", B::kTowardZero},
        {"resp.within_threshold_fraction", B::kHigher},
        {"intent.detected", B::kHigher},
        {"intent.start_error_min", B::kTowardZero},
        {"intent.start_abs_error_min", B::kLower},
        {"intent.epoch_accuracy", B::kHigher},
        {"staging.epochs", B::kNone},
        {"staging.unscored_fraction", B::kLower},
        {"staging.accuracy", B::kHigher},
        {"staging.kappa", B::kHigher},
        {"alarm.decisions", B::kNone},
        {"alarm.fired", B::kHigher},
        {"alarm.truth_stage_at_fire", B::kNone},
        {"alarm.in_light_or_wake", B::kHigher},
        {"alarm.after_alarm", B::kLower},
        {"alarm.before_window", B::kLower},
        {"alarm.lead_min", B::kNone},
        {"alarm.sleep_lost_min", B::kTowardZero},
        {"alarm.sleep_lost_abs_min", B::kLower},
        {"alarm.stage_at_fire_correct", B::kHigher},
        {"failure.wrong_epochs", B::kLower},
    };
    for (EstStage row : kScoredStages) {
      const std::string r = StageName(row);
      m["staging." + r + ".sensitivity"] = B::kHigher;
      m["staging." + r + ".specificity"] = B::kHigher;
      m["staging." + r + ".ppv"] = B::kHigher;
      for (EstStage col : kScoredStages) m["staging.confusion." + r + "_as_" + StageName(col)] = B::kNone;
    }
    SleepMeasures{}.ForEach([&](const char* name, std::optional<double>) {
      const std::string prefix = std::string("measures.") + name;
      m[prefix + ".truth"] = B::kNone;
      m[prefix + ".est"] = B::kNone;
      m[prefix + ".error"] = B::kTowardZero;
      m[prefix + ".abs_error"] = B::kLower;
    });
    for (FailureStage s : {FailureStage::kPresence, FailureStage::kIdentity, FailureStage::kRespiration,
                           FailureStage::kIntent, FailureStage::kStaging}) {
      const std::string prefix = std::string("failure.") + FailureStageName(s);
      m[prefix + "_epochs"] = B::kLower;
      m[prefix + "_fraction"] = B::kNone;
    }
    return m;
  }();
  return kMetrics;
}

}  // namespace nightsim::harness
