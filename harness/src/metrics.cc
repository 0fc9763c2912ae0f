// ScoreNight: joins truth and estimates per epoch and computes every metric.
#include "harness/metrics.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "harness/agreement.h"

namespace nightsim::harness {

const char* BetterName(Better better) {
  switch (better) {
    case Better::kHigher: return "higher";
    case Better::kLower: return "lower";
    case Better::kTowardZero: return "zero";
    case Better::kNone: return "none";
  }
  return "none";
}

void MetricSet::Set(std::string name, double value, Better better) {
  if (name.empty()) throw std::invalid_argument("MetricSet::Set: empty name");
  if (!std::isfinite(value)) {
    throw std::invalid_argument("MetricSet::Set: " + name + " is not finite; leave it out instead");
  }
  values_[std::move(name)] = MetricValue{value, better};
}

void MetricSet::SetIfPresent(std::string name, std::optional<double> value, Better better) {
  if (value) Set(std::move(name), *value, better);
}

std::optional<double> MetricSet::Get(std::string_view name) const {
  const auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second.value;
}

std::optional<Better> MetricSet::Direction(std::string_view name) const {
  const auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second.better;
}

void MetricSet::ForEach(const std::function<void(const std::string&, double, Better)>& f) const {
  for (const auto& [name, v] : values_) f(name, v.value, v.better);
}

bool ScoringOptions::IsValid(std::string* error) const {
  auto fail = [error](std::string message) {
    if (error != nullptr) *error = std::move(message);
    return false;
  };
  if (!(identity_gate_m > 0)) return fail(fmt::format("identity_gate_m: must be > 0, got {}", identity_gate_m));
  if (!(restroom_min_s >= 0)) return fail(fmt::format("restroom_min_s: must be >= 0, got {}", restroom_min_s));
  if (!(resp_error_threshold_bpm > 0)) {
    return fail(fmt::format("resp_error_threshold_bpm: must be > 0, got {}", resp_error_threshold_bpm));
  }
  if (awakening_min_epochs < 1) {
    return fail(fmt::format("awakening_min_epochs: must be >= 1, got {}", awakening_min_epochs));
  }
  return true;
}

std::vector<std::string> ScoredParts::NotScored() const {
  std::vector<std::string> out;
  for (const auto& [given, name] : {std::pair{presence, "presence"}, std::pair{session, "session"},
                                    std::pair{identity, "identity"}, std::pair{respiration, "respiration"},
                                    std::pair{intent, "intent"}, std::pair{alarm, "alarm"}}) {
    if (!given) out.emplace_back(name);
  }
  return out;
}

const char* FailureStageName(FailureStage stage) {
  switch (stage) {
    case FailureStage::kNone: return "none";
    case FailureStage::kPresence: return "presence";
    case FailureStage::kIdentity: return "identity";
    case FailureStage::kRespiration: return "respiration";
    case FailureStage::kIntent: return "intent";
    case FailureStage::kStaging: return "staging";
  }
  return "none";
}

namespace {

using Epoch = std::int64_t;

/// Everything the per-topic scorers share.
struct Joined {
  Joined(const NightTruth& t, const ScoringOptions& o) : truth(t), options(o) {}
  const NightTruth& truth;
  const ScoringOptions& options;
  Epoch n{0};
  double epoch_min{0};
  int primary{-1};                    // index into truth.bodies
  std::vector<EpochEstimate> est;     // one per truth epoch
  std::vector<bool> person_in_bed;    // presence truth
  std::vector<int> tracked_body;      // attribution per epoch

  const PrimaryEpochTruth& P(Epoch e) const { return truth.primary[static_cast<std::size_t>(e)]; }
  const EpochEstimate& E(Epoch e) const { return est[static_cast<std::size_t>(e)]; }
  int Tracked(Epoch e) const { return tracked_body[static_cast<std::size_t>(e)]; }
  /// The estimate describes the primary: tracked on them, or assumed so when the
  /// estimates say nothing about tracking (identity not scored).
  bool OnPrimary(Epoch e) const { return !options.parts.identity || Tracked(e) == primary; }
  BodyRole RoleOf(int body) const { return truth.bodies[static_cast<std::size_t>(body)].role; }
  double StartS(Epoch e) const { return static_cast<double>(e) * truth.epoch_s; }
  double Min(Epoch epochs) const { return static_cast<double>(epochs) * epoch_min; }
};

std::optional<double> Ratio(double num, double den) {
  if (den <= 0) return std::nullopt;
  return num / den;
}

double Flag(bool b) { return b ? 1.0 : 0.0; }

void Join(std::span<const EpochEstimate> estimates, Joined* j, MetricSet* m) {
  j->est.assign(static_cast<std::size_t>(j->n), EpochEstimate{});
  std::vector<bool> seen(static_cast<std::size_t>(j->n), false);
  for (Epoch e = 0; e < j->n; ++e) j->est[static_cast<std::size_t>(e)].epoch = e;
  std::int64_t out_of_range = 0, duplicates = 0, seen_count = 0;
  for (const EpochEstimate& x : estimates) {
    if (x.epoch < 0 || x.epoch >= j->n) {
      ++out_of_range;
      continue;
    }
    const auto i = static_cast<std::size_t>(x.epoch);
    if (seen[i]) {
      ++duplicates;
      continue;
    }
    seen[i] = true;
    j->est[i] = x;
    ++seen_count;
  }
  m->Set("join.epochs", static_cast<double>(j->n), Better::kNone);
  m->Set("join.missing_estimates", static_cast<double>(j->n - seen_count), Better::kLower);
  m->Set("join.duplicate_estimates", static_cast<double>(duplicates), Better::kLower);
  m->Set("join.out_of_range_estimates", static_cast<double>(out_of_range), Better::kLower);
}

/// Nearest in-room body to the tracked target within the gate, in the device's
/// horizontal plane: d² = r₁² + r₂² − 2 r₁ r₂ cos(θ₁ − θ₂) (law of cosines).
void Attribute(Joined* j) {
  j->tracked_body.assign(static_cast<std::size_t>(j->n), kNotTracking);
  const double gate2 = j->options.identity_gate_m * j->options.identity_gate_m;
  for (Epoch e = 0; e < j->n; ++e) {
    const EpochEstimate& x = j->E(e);
    if (!x.tracking) continue;
    int best = kUnmatched;
    double best_d2 = gate2;
    for (std::size_t b = 0; b < j->truth.bodies.size(); ++b) {
      const BodyEpochTruth& t = j->truth.bodies[b].epochs[static_cast<std::size_t>(e)];
      if (!t.in_room) continue;
      const double d2 = x.target_range_m * x.target_range_m + t.range_m * t.range_m -
                        2.0 * x.target_range_m * t.range_m * std::cos(x.target_angle_rad - t.azimuth_rad);
      // Strict < keeps the lowest index on ties: stable, independent of anything else.
      if (d2 <= gate2 && (best == kUnmatched || d2 < best_d2)) {
        best = static_cast<int>(b);
        best_d2 = d2;
      }
    }
    j->tracked_body[static_cast<std::size_t>(e)] = best;
  }
}

void ScorePresence(const Joined& j, MetricSet* m) {
  std::int64_t tp = 0, fp = 0, fn = 0, false_session = 0, false_starts = 0;
  // "Someone present" is the interface's meaning; the partner-only minutes and the
  // primary's own recall show how much of it is the user's, so partner-only time
  // cannot hide in a good F1.
  std::int64_t partner_only = 0, primary_in_view = 0, primary_seen = 0;
  std::optional<Epoch> first_truth, first_detect, first_session;
  for (Epoch e = 0; e < j.n; ++e) {
    const bool truth = j.person_in_bed[static_cast<std::size_t>(e)];
    const EpochEstimate& x = j.E(e);
    const PrimaryEpochTruth& p = j.P(e);
    partner_only += truth && !p.in_bed;
    if (p.in_bed && p.in_zone) {
      ++primary_in_view;
      primary_seen += x.present;
    }
    tp += truth && x.present;
    fp += !truth && x.present;
    fn += truth && !x.present;
    if (truth && !first_truth) first_truth = e;
    if (first_truth && x.present && !first_detect) first_detect = e;
    if (first_truth && x.session && !first_session) first_session = e;
    if (x.session && !truth) {
      ++false_session;
      if (e == 0 || !j.E(e - 1).session) ++false_starts;
    }
  }
  const ScoredParts& parts = j.options.parts;
  if (parts.presence) {
    m->SetIfPresent("presence.precision", Ratio(tp, tp + fp), Better::kHigher);
    m->SetIfPresent("presence.recall", Ratio(tp, tp + fn), Better::kHigher);
    m->SetIfPresent("presence.f1", Ratio(2.0 * tp, 2.0 * tp + fp + fn), Better::kHigher);
    m->Set("presence.false_present_min", j.Min(fp), Better::kLower);
    m->Set("presence.missed_present_min", j.Min(fn), Better::kLower);
  }
  if (parts.session) {
    m->Set("presence.false_session_min", j.Min(false_session), Better::kLower);
    m->Set("presence.false_session_starts", static_cast<double>(false_starts), Better::kLower);
  }
  m->Set("presence.partner_only_min", j.Min(partner_only), Better::kNone);
  if (parts.presence) m->SetIfPresent("presence.primary_recall", Ratio(primary_seen, primary_in_view), Better::kHigher);
  if (first_truth) {
    if (parts.presence) {
      m->Set("presence.detected", Flag(first_detect.has_value()), Better::kHigher);
      if (first_detect) m->Set("presence.detection_delay_min", j.Min(*first_detect - *first_truth), Better::kLower);
    }
    if (parts.session && first_session) {
      m->Set("presence.session_delay_min", j.Min(*first_session - *first_truth), Better::kLower);
    }
  }
}

void ScoreIdentity(const Joined& j, MetricSet* m, std::vector<TripOutcome>* trips) {
  std::int64_t in_bed = 0, on_primary = 0, on_partner = 0, on_pet = 0, unmatched = 0, untracked = 0;
  std::int64_t partner_all = 0, pet_all = 0, tracking_all = 0, switches = 0;
  int last_body = kNotTracking;
  for (Epoch e = 0; e < j.n; ++e) {
    const int body = j.Tracked(e);
    const bool primary_in_bed = j.P(e).in_bed;
    if (body != kNotTracking) ++tracking_all;
    if (body >= 0) {
      if (j.RoleOf(body) == BodyRole::kPartner) ++partner_all;
      if (j.RoleOf(body) == BodyRole::kPet) ++pet_all;
      // A switch: the body behind the tracked target changed (gaps in tracking
      // or unmatched epochs in between do not reset it).
      if (last_body >= 0 && body != last_body) ++switches;
      last_body = body;
    }
    if (!primary_in_bed) continue;
    ++in_bed;
    if (body == kNotTracking) ++untracked;
    else if (body == kUnmatched) ++unmatched;
    else if (body == j.primary) ++on_primary;
    else if (j.RoleOf(body) == BodyRole::kPet) ++on_pet;
    else ++on_partner;
  }
  const double den = static_cast<double>(in_bed);
  m->SetIfPresent("identity.primary_fraction", Ratio(on_primary, den), Better::kHigher);
  m->SetIfPresent("identity.partner_fraction", Ratio(on_partner, den), Better::kLower);
  m->SetIfPresent("identity.pet_fraction", Ratio(on_pet, den), Better::kLower);
  m->SetIfPresent("identity.unmatched_fraction", Ratio(unmatched, den), Better::kLower);
  m->SetIfPresent("identity.untracked_fraction", Ratio(untracked, den), Better::kLower);
  m->Set("identity.partner_min", j.Min(partner_all), Better::kLower);
  m->Set("identity.pet_min", j.Min(pet_all), Better::kLower);
  m->Set("identity.switches", static_cast<double>(switches), Better::kLower);

  // IDF1 with one truth (the primary, present while in bed) and one hypothesis
  // (the tracked target, present while tracking).
  const std::int64_t idtp = on_primary;
  const std::int64_t idfp = tracking_all - idtp;
  const std::int64_t idfn = in_bed - idtp;
  m->Set("identity.idtp_epochs", static_cast<double>(idtp), Better::kHigher);
  m->Set("identity.idfp_epochs", static_cast<double>(idfp), Better::kLower);
  m->Set("identity.idfn_epochs", static_cast<double>(idfn), Better::kLower);
  m->SetIfPresent("identity.idf1", Ratio(idtp, idtp + 0.5 * idfp + 0.5 * idfn), Better::kHigher);

  // Restroom trips.
  const auto& truth_trips = j.truth.events.restroom_trips;
  std::int64_t eligible = 0, detected = 0, failures = 0;
  std::vector<double> reacquire;
  for (std::size_t i = 0; i < truth_trips.size(); ++i) {
    TripOutcome out;
    out.leave_s = truth_trips[i].leave_s;
    out.return_s = truth_trips[i].return_s;
    out.eligible = out.return_s - out.leave_s >= j.options.restroom_min_s;
    const double epoch_s = j.truth.epoch_s;
    for (Epoch e = 0; e < j.n; ++e) {
      const bool inside = j.StartS(e) >= out.leave_s && j.StartS(e) + epoch_s <= out.return_s;
      if (inside && !j.E(e).tracking) {
        out.detected = true;
        break;
      }
    }
    // Search from the epoch containing the return up to the next trip's leave.
    const double limit_s = i + 1 < truth_trips.size() ? truth_trips[i + 1].leave_s : j.StartS(j.n);
    for (Epoch e = 0; e < j.n && j.StartS(e) < limit_s; ++e) {
      if (j.StartS(e) + epoch_s <= out.return_s) continue;
      if (j.Tracked(e) == j.primary) {
        out.reacquire_min = std::max(0.0, j.StartS(e) - out.return_s) / 60.0;
        break;
      }
    }
    eligible += out.eligible;
    detected += out.eligible && out.detected;
    if (out.reacquire_min) reacquire.push_back(*out.reacquire_min);
    else ++failures;
    trips->push_back(out);
  }
  m->Set("identity.trips", static_cast<double>(truth_trips.size()), Better::kNone);
  m->Set("identity.trips_eligible", static_cast<double>(eligible), Better::kNone);
  m->Set("identity.trips_detected", static_cast<double>(detected), Better::kHigher);
  m->SetIfPresent("identity.trip_detection_rate", Ratio(detected, eligible), Better::kHigher);
  if (!truth_trips.empty()) m->Set("identity.reacquire_failures", static_cast<double>(failures), Better::kLower);
  if (!reacquire.empty()) {
    m->Set("identity.reacquire_mean_min", Mean(reacquire), Better::kLower);
    m->Set("identity.reacquire_max_min", *std::max_element(reacquire.begin(), reacquire.end()), Better::kLower);
  }
}

/// A measurable epoch: the primary is in bed, in view, still, with a known rate.
bool Measurable(const PrimaryEpochTruth& p) {
  return p.in_bed && p.in_zone && !p.gross_movement && std::isfinite(p.resp_rate_bpm);
}

bool RateReported(const EpochEstimate& x) { return std::isfinite(x.resp_rate_bpm) && x.resp_rate_bpm > 0; }

void ScoreRespiration(const Joined& j, MetricSet* m) {
  std::int64_t eligible = 0, within = 0;
  std::vector<double> abs_errors;
  double signed_sum = 0;
  for (Epoch e = 0; e < j.n; ++e) {
    if (!Measurable(j.P(e)) || !j.OnPrimary(e)) continue;
    ++eligible;
    if (!RateReported(j.E(e))) continue;
    const double error = j.E(e).resp_rate_bpm - j.P(e).resp_rate_bpm;
    signed_sum += error;
    abs_errors.push_back(std::abs(error));
    within += std::abs(error) <= j.options.resp_error_threshold_bpm;
  }
  m->Set("resp.eligible_epochs", static_cast<double>(eligible), Better::kNone);
  m->SetIfPresent("resp.coverage", Ratio(static_cast<double>(abs_errors.size()), eligible), Better::kHigher);
  if (abs_errors.empty()) return;
  const double count = static_cast<double>(abs_errors.size());
  m->Set("resp.rate_mae_bpm", Mean(abs_errors), Better::kLower);
  m->Set("resp.rate_median_ae_bpm", Quantile(abs_errors, 0.5), Better::kLower);
  m->Set("resp.rate_p95_ae_bpm", Quantile(abs_errors, 0.95), Better::kLower);
  m->Set("resp.rate_bias_bpm", signed_sum / count, Better::kTowardZero);
  m->Set("resp.within_threshold_fraction", static_cast<double>(within) / count, Better::kHigher);
}

std::optional<double> TruthLightsOutS(const Joined& j) {
  if (j.truth.events.lights_out_s) return j.truth.events.lights_out_s;
  for (Epoch e = 0; e < j.n; ++e) {
    if (j.P(e).intent) return j.StartS(e);
  }
  return std::nullopt;
}

std::optional<double> EstIntentStartS(const Joined& j) {
  for (Epoch e = 0; e < j.n; ++e) {
    if (j.E(e).intent) return j.StartS(e);
  }
  return std::nullopt;
}

void ScoreIntent(const Joined& j, MetricSet* m) {
  const std::optional<double> truth_s = TruthLightsOutS(j);
  const std::optional<double> est_s = EstIntentStartS(j);
  if (truth_s) m->Set("intent.detected", Flag(est_s.has_value()), Better::kHigher);
  if (truth_s && est_s) {
    const double error_min = (*est_s - *truth_s) / 60.0;
    m->Set("intent.start_error_min", error_min, Better::kTowardZero);
    m->Set("intent.start_abs_error_min", std::abs(error_min), Better::kLower);
  }
  std::int64_t in_bed = 0, agree = 0;
  for (Epoch e = 0; e < j.n; ++e) {
    if (!j.P(e).in_bed) continue;
    ++in_bed;
    agree += j.P(e).intent == j.E(e).intent;
  }
  m->SetIfPresent("intent.epoch_accuracy", Ratio(agree, in_bed), Better::kHigher);
}

/// The pipeline's stage on an epoch where the truth is in bed: unscored reads as wake.
EstStage ScoredOrWake(EstStage s) { return s == EstStage::kNone ? EstStage::kWake : s; }

void ScoreStaging(const Joined& j, NightMetrics* out) {
  MetricSet* m = &out->metrics;
  std::int64_t unscored = 0;
  std::vector<EstStage> truth_stages(static_cast<std::size_t>(j.n));
  std::vector<EstStage> est_stages(static_cast<std::size_t>(j.n));
  for (Epoch e = 0; e < j.n; ++e) {
    const EstStage truth = StageFromYasa(j.P(e).stage);
    truth_stages[static_cast<std::size_t>(e)] = truth;
    est_stages[static_cast<std::size_t>(e)] = j.E(e).stage;
    if (truth == EstStage::kNone) continue;
    unscored += j.E(e).stage == EstStage::kNone;
    out->confusion.Add(truth, ScoredOrWake(j.E(e).stage));
  }
  const ConfusionMatrix& cm = out->confusion;
  m->Set("staging.epochs", static_cast<double>(cm.Total()), Better::kNone);
  m->SetIfPresent("staging.unscored_fraction", Ratio(unscored, cm.Total()), Better::kLower);
  m->SetIfPresent("staging.accuracy", cm.Accuracy(), Better::kHigher);
  m->SetIfPresent("staging.kappa", cm.Kappa(), Better::kHigher);
  for (std::size_t r = 0; r < 4; ++r) {
    const std::string stage = StageName(kScoredStages[r]);
    m->SetIfPresent("staging." + stage + ".sensitivity", cm.Sensitivity(kScoredStages[r]), Better::kHigher);
    m->SetIfPresent("staging." + stage + ".specificity", cm.Specificity(kScoredStages[r]), Better::kHigher);
    m->SetIfPresent("staging." + stage + ".ppv", cm.Ppv(kScoredStages[r]), Better::kHigher);
    for (std::size_t c = 0; c < 4; ++c) {
      m->Set("staging.confusion." + stage + "_as_" + StageName(kScoredStages[c]),
             static_cast<double>(cm.counts[r][c]), Better::kNone);
    }
  }

  // Sleep measures, one definition for both sides; only the SOL reference differs.
  std::optional<double> est_reference_s = EstIntentStartS(j);
  for (Epoch e = 0; e < j.n && !est_reference_s; ++e) {
    if (j.E(e).session) est_reference_s = j.StartS(e);
  }
  // Without the primary ever in bed there is no night to measure (an empty room):
  // leave the measures out rather than report a TST error of 0.
  const bool primary_slept_here = std::any_of(j.truth.primary.begin(), j.truth.primary.end(),
                                              [](const PrimaryEpochTruth& p) { return p.in_bed; });
  if (!primary_slept_here) return;
  const int min_bout = j.options.awakening_min_epochs;
  out->truth_measures = ComputeSleepMeasures(truth_stages, j.truth.epoch_s, TruthLightsOutS(j), min_bout);
  out->est_measures = ComputeSleepMeasures(est_stages, j.truth.epoch_s, est_reference_s, min_bout);
  std::vector<std::pair<const char*, std::optional<double>>> truth_values, est_values;
  out->truth_measures.ForEach([&](const char* name, std::optional<double> v) { truth_values.emplace_back(name, v); });
  out->est_measures.ForEach([&](const char* name, std::optional<double> v) { est_values.emplace_back(name, v); });
  for (std::size_t i = 0; i < truth_values.size(); ++i) {
    const std::string prefix = std::string("measures.") + truth_values[i].first;
    const std::optional<double> t = truth_values[i].second;
    const std::optional<double> x = est_values[i].second;
    m->SetIfPresent(prefix + ".truth", t, Better::kNone);
    m->SetIfPresent(prefix + ".est", x, Better::kNone);
    if (t && x) {
      m->Set(prefix + ".error", *x - *t, Better::kTowardZero);
      m->Set(prefix + ".abs_error", std::abs(*x - *t), Better::kLower);
    }
  }
}

void ScoreAlarm(const Joined& j, std::span<const AlarmDecision> alarms, NightMetrics* out) {
  if (!j.truth.events.alarm) return;
  const AlarmTruth& cfg = *j.truth.events.alarm;
  MetricSet* m = &out->metrics;
  AlarmOutcome a;
  m->Set("alarm.decisions", static_cast<double>(alarms.size()), Better::kNone);
  a.fired = !alarms.empty();
  m->Set("alarm.fired", Flag(a.fired), Better::kHigher);
  if (!a.fired) {
    out->alarm = a;
    return;
  }
  const AlarmDecision& first = *std::min_element(
      alarms.begin(), alarms.end(), [](const AlarmDecision& x, const AlarmDecision& y) { return x.fire_s < y.fire_s; });
  a.fire_s = first.fire_s;
  // The epoch the alarm interrupted holds the instant just before fire_s; at an
  // epoch boundary the following epoch may already show the wake it caused.
  if (j.n > 0) {
    const auto e = std::clamp<Epoch>(static_cast<Epoch>(std::ceil(a.fire_s / j.truth.epoch_s)) - 1, 0, j.n - 1);
    a.truth_stage_at_fire = j.P(e).stage;
  }
  a.in_light_or_wake = a.truth_stage_at_fire <= kYasaN2;  // −1 (already up), W, N1, N2
  a.after_alarm = a.fire_s > cfg.alarm_s;
  a.before_window = a.fire_s < cfg.alarm_s - cfg.smart_window_s;
  a.sleep_lost_min = (cfg.ideal_s - a.fire_s) / 60.0;
  m->Set("alarm.truth_stage_at_fire", a.truth_stage_at_fire, Better::kNone);
  m->Set("alarm.in_light_or_wake", Flag(a.in_light_or_wake), Better::kHigher);
  m->Set("alarm.after_alarm", Flag(a.after_alarm), Better::kLower);
  m->Set("alarm.before_window", Flag(a.before_window), Better::kLower);
  m->Set("alarm.lead_min", (cfg.alarm_s - a.fire_s) / 60.0, Better::kNone);
  m->Set("alarm.sleep_lost_min", a.sleep_lost_min, Better::kTowardZero);
  m->Set("alarm.sleep_lost_abs_min", std::abs(a.sleep_lost_min), Better::kLower);
  if (a.truth_stage_at_fire != kYasaOutOfBed) {
    m->Set("alarm.stage_at_fire_correct", Flag(StageFromYasa(a.truth_stage_at_fire) == first.stage_at_fire),
           Better::kHigher);
  }
  out->alarm = a;
}

FailureStage EarliestFailure(const Joined& j, Epoch e) {
  const PrimaryEpochTruth& p = j.P(e);
  const EpochEstimate& x = j.E(e);
  const ScoredParts& parts = j.options.parts;
  const bool presence_wrong = parts.presence && x.present != j.person_in_bed[static_cast<std::size_t>(e)];
  const bool stage_wrong = p.in_bed && ScoredOrWake(x.stage) != StageFromYasa(p.stage);
  if (!presence_wrong && !stage_wrong) return FailureStage::kNone;
  if (presence_wrong) return FailureStage::kPresence;
  // From here the epoch is wrong through its stage, so the primary is in bed.
  if (!j.OnPrimary(e)) return FailureStage::kIdentity;
  if (parts.respiration && Measurable(p) &&
      (!RateReported(x) || std::abs(x.resp_rate_bpm - p.resp_rate_bpm) > j.options.resp_error_threshold_bpm)) {
    return FailureStage::kRespiration;
  }
  if (parts.intent && x.intent != p.intent) return FailureStage::kIntent;
  return FailureStage::kStaging;
}

void ScoreFailures(const Joined& j, NightMetrics* out) {
  constexpr std::array<FailureStage, 5> kStages{FailureStage::kPresence, FailureStage::kIdentity,
                                                FailureStage::kRespiration, FailureStage::kIntent,
                                                FailureStage::kStaging};
  std::array<std::int64_t, 6> counts{};
  out->failure.resize(static_cast<std::size_t>(j.n));
  for (Epoch e = 0; e < j.n; ++e) {
    const FailureStage f = EarliestFailure(j, e);
    out->failure[static_cast<std::size_t>(e)] = f;
    ++counts[static_cast<std::size_t>(f)];
  }
  const std::int64_t wrong = j.n - counts[0];
  MetricSet* m = &out->metrics;
  m->Set("failure.wrong_epochs", static_cast<double>(wrong), Better::kLower);
  std::int64_t best = 0, best_upstream = 0;
  const ScoredParts& parts = j.options.parts;
  for (FailureStage s : kStages) {
    // A part not scored is never blamed, so it has no failure count to report.
    if ((s == FailureStage::kPresence && !parts.presence) || (s == FailureStage::kIdentity && !parts.identity) ||
        (s == FailureStage::kRespiration && !parts.respiration) || (s == FailureStage::kIntent && !parts.intent)) {
      continue;
    }
    const std::int64_t c = counts[static_cast<std::size_t>(s)];
    const std::string name = std::string("failure.") + FailureStageName(s);
    m->Set(name + "_epochs", static_cast<double>(c), Better::kLower);
    m->SetIfPresent(name + "_fraction", Ratio(c, wrong), Better::kNone);
    if (c > best) {  // strict: ties go to the upstream stage, met first
      best = c;
      out->dominant_failure = s;
    }
    // Staging errors are spread over every night; a local tracking failure (a
    // restroom trip, a partner's arrival) must still show behind them.
    if (s != FailureStage::kStaging && c > best_upstream) {
      best_upstream = c;
      out->dominant_upstream_failure = s;
    }
  }
}

}  // namespace

NightMetrics ScoreNight(const NightTruth& truth, std::span<const EpochEstimate> estimates,
                        std::span<const AlarmDecision> alarms, const ScoringOptions& options) {
  truth.Validate();
  std::string error;
  if (!options.IsValid(&error)) throw std::invalid_argument("ScoringOptions: " + error);

  NightMetrics out;
  Joined j(truth, options);
  j.n = truth.epochs();
  j.epoch_min = truth.epoch_s / 60.0;
  j.primary = truth.PrimaryBodyIndex();
  j.person_in_bed.resize(static_cast<std::size_t>(j.n));
  for (Epoch e = 0; e < j.n; ++e) j.person_in_bed[static_cast<std::size_t>(e)] = truth.PersonInBed(e);
  for (const BodyTruth& body : truth.bodies) out.body_ids.push_back(body.id);

  Join(estimates, &j, &out.metrics);
  Attribute(&j);
  const ScoredParts& parts = options.parts;
  ScorePresence(j, &out.metrics);
  if (parts.identity) ScoreIdentity(j, &out.metrics, &out.trips);
  if (parts.respiration) ScoreRespiration(j, &out.metrics);
  if (parts.intent) ScoreIntent(j, &out.metrics);
  ScoreStaging(j, &out);
  if (parts.alarm) ScoreAlarm(j, alarms, &out);
  ScoreFailures(j, &out);
  out.not_scored = parts.NotScored();
  out.tracked_body = std::move(j.tracked_body);
  return out;
}

MetricSet ScoreMeasuresAcrossNights(std::span<const NightMetrics> nights) {
  // Measure names in their fixed order, and per name the (truth, est) pairs.
  std::vector<std::string> names;
  SleepMeasures{}.ForEach([&](const char* name, std::optional<double>) { names.emplace_back(name); });
  std::vector<std::vector<double>> truth_values(names.size()), est_values(names.size());
  for (const NightMetrics& night : nights) {
    std::vector<std::optional<double>> t, x;
    night.truth_measures.ForEach([&](const char*, std::optional<double> v) { t.push_back(v); });
    night.est_measures.ForEach([&](const char*, std::optional<double> v) { x.push_back(v); });
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (!t[i] || !x[i]) continue;
      truth_values[i].push_back(*t[i]);
      est_values[i].push_back(*x[i]);
    }
  }
  MetricSet m;
  for (std::size_t i = 0; i < names.size(); ++i) {
    const std::optional<BlandAltman> ba = ComputeBlandAltman(truth_values[i], est_values[i]);
    if (!ba) continue;
    const std::string prefix = "measures." + names[i];
    m.Set(prefix + ".n", ba->n, Better::kNone);
    m.Set(prefix + ".bias", ba->bias, Better::kTowardZero);
    m.Set(prefix + ".sd", ba->sd, Better::kLower);
    m.Set(prefix + ".loa_lower", ba->loa_lower, Better::kNone);
    m.Set(prefix + ".loa_upper", ba->loa_upper, Better::kNone);
    m.Set(prefix + ".loa_width", ba->loa_upper - ba->loa_lower, Better::kLower);
    m.SetIfPresent(prefix + ".prop_slope", ba->slope, Better::kTowardZero);
    if (ba->proportional) m.Set(prefix + ".proportional", Flag(*ba->proportional), Better::kLower);
  }
  return m;
}

}  // namespace nightsim::harness
