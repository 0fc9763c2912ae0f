// Tests of ScoreNight on hand-built truth/estimate pairs with known answers:
// presence, identity, restroom trips, respiration, intent, staging through the
// scorer, smart alarm, failure-point isolation, JSON and the named metric set.
#include "harness/metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "metrics_test_util.h"

namespace nightsim::harness {
namespace {

using testing::AddBody;
using testing::EstStagesOf;
using testing::MakeNight;
using testing::PerfectUpstream;
using testing::TrackBody;

NightMetrics Score(const NightTruth& t, const std::vector<EpochEstimate>& est,
                   const std::vector<AlarmDecision>& alarms = {}) {
  return ScoreNight(t, est, alarms);
}

double Get(const NightMetrics& m, std::string_view name) {
  const auto v = m.metrics.Get(name);
  EXPECT_TRUE(v.has_value()) << name << " missing";
  return v.value_or(NAN);
}

// ----- metric set -----------------------------------------------------------

TEST(MetricSetTest, StoresFiniteValuesWithTheirDirectionAndRefusesNan) {
  MetricSet m;
  m.Set("b.x_min", 2.5, Better::kLower);
  m.Set("a.y", 1.0, Better::kHigher);
  m.SetIfPresent("c.absent", std::nullopt, Better::kHigher);
  EXPECT_EQ(m.size(), 2u);
  EXPECT_EQ(*m.Get("b.x_min"), 2.5);
  EXPECT_EQ(*m.Direction("a.y"), Better::kHigher);
  EXPECT_FALSE(m.Has("c.absent"));
  EXPECT_THROW(m.Set("d", NAN, Better::kLower), std::invalid_argument);
  EXPECT_THROW(m.Set("", 1.0, Better::kLower), std::invalid_argument);
  std::vector<std::string> order;
  m.ForEach([&](const std::string& name, double, Better) { order.push_back(name); });
  EXPECT_EQ(order, (std::vector<std::string>{"a.y", "b.x_min"}));
  EXPECT_EQ(m.ToJson(), "{\n  \"a.y\": 1,\n  \"b.x_min\": 2.5\n}");
  EXPECT_EQ(m.DirectionsToJson(), "{\n  \"a.y\": \"higher\",\n  \"b.x_min\": \"lower\"\n}");
}

TEST(MetricSetTest, NumbersAreFormattedWithSixSignificantDigits) {
  EXPECT_EQ(FormatNumber(0.1), "0.1");
  EXPECT_EQ(FormatNumber(2.0 / 3.0), "0.666667");
  EXPECT_EQ(FormatNumber(1234567.0), "1.23457e+06");
  EXPECT_EQ(FormatNumber(-0.0), "0");
  EXPECT_EQ(FormatNumber(NAN), "null");
}

// ----- truth ----------------------------------------------------------------

TEST(TruthTest, InconsistentTruthIsRejectedNamingTheField) {
  std::string error;
  NightTruth t = MakeNight("WW22");
  EXPECT_TRUE(t.IsValid(&error)) << error;
  t.primary[1].in_bed = false;
  EXPECT_FALSE(t.IsValid(&error));
  EXPECT_NE(error.find("primary[1]"), std::string::npos);
  EXPECT_THROW(Score(t, {}), std::invalid_argument);

  NightTruth two_primaries = MakeNight("WW");
  AddBody(&two_primaries, "bob", BodyRole::kPrimary, 1.5, 0.0, "xx");
  EXPECT_FALSE(two_primaries.IsValid(&error));

  NightTruth short_table = MakeNight("WW");
  AddBody(&short_table, "bob", BodyRole::kPartner, 1.5, 0.0, "x");
  EXPECT_FALSE(short_table.IsValid(&error));
  EXPECT_NE(error.find("bob"), std::string::npos);
}

TEST(TruthTest, TheIdealAlarmIsTheEndOfTheLastLightEpochInTheWindow) {
  // 30-s epochs; alarm 600 s, window 300 s → epochs 10..19.
  std::vector<int> stages(25, kYasaN2);
  for (int e = 15; e < 20; ++e) stages[e] = kYasaN3;
  EXPECT_DOUBLE_EQ(IdealAlarmS(stages, 30.0, 600.0, 300.0), 450.0);  // end of epoch 14
  for (int e = 10; e < 15; ++e) stages[e] = kYasaN3;
  EXPECT_DOUBLE_EQ(IdealAlarmS(stages, 30.0, 600.0, 300.0), 600.0);  // no light: the alarm time
  stages[19] = kYasaN1;
  EXPECT_DOUBLE_EQ(IdealAlarmS(stages, 30.0, 600.0, 300.0), 600.0);  // light right up to the alarm
  stages[19] = kYasaN3;
  stages[9] = kYasaN2;  // outside the window (ends at 300 s)
  EXPECT_DOUBLE_EQ(IdealAlarmS(stages, 30.0, 600.0, 300.0), 600.0);
}

// ----- join -----------------------------------------------------------------

TEST(ScoreNightTest, MissingDuplicateAndOutOfRangeEstimatesAreCounted) {
  const NightTruth t = MakeNight("WWWW");
  std::vector<EpochEstimate> est = PerfectUpstream(t, "WWWW");
  est.erase(est.begin() + 2);  // epoch 2 missing
  est.push_back(est[0]);       // epoch 0 twice
  EpochEstimate late;
  late.epoch = 99;
  est.push_back(late);
  const NightMetrics m = Score(t, est);
  EXPECT_EQ(Get(m, "join.epochs"), 4);
  EXPECT_EQ(Get(m, "join.missing_estimates"), 1);
  EXPECT_EQ(Get(m, "join.duplicate_estimates"), 1);
  EXPECT_EQ(Get(m, "join.out_of_range_estimates"), 1);
  EXPECT_EQ(Get(m, "presence.missed_present_min"), 0.5);  // the missing epoch reads as absent
}

// ----- presence -------------------------------------------------------------

TEST(PresenceTest, PrecisionRecallF1AndDetectionDelayMatchTheHandCount) {
  // In bed epochs 2..9; the pipeline says present 4..11: TP 6, FP 2, FN 2.
  const NightTruth t = MakeNight("--WWWWWWWW--");
  std::vector<EpochEstimate> est = PerfectUpstream(t, "");
  for (std::int64_t e = 0; e < 12; ++e) est[e].present = est[e].session = e >= 4;
  const NightMetrics m = Score(t, est);
  EXPECT_DOUBLE_EQ(Get(m, "presence.precision"), 0.75);
  EXPECT_DOUBLE_EQ(Get(m, "presence.recall"), 0.75);
  EXPECT_DOUBLE_EQ(Get(m, "presence.f1"), 0.75);
  EXPECT_DOUBLE_EQ(Get(m, "presence.detection_delay_min"), 1.0);  // epoch 2 → 4
  EXPECT_DOUBLE_EQ(Get(m, "presence.session_delay_min"), 1.0);
  EXPECT_DOUBLE_EQ(Get(m, "presence.detected"), 1.0);
  EXPECT_DOUBLE_EQ(Get(m, "presence.false_present_min"), 1.0);
  EXPECT_DOUBLE_EQ(Get(m, "presence.false_session_min"), 1.0);    // epochs 10, 11
  EXPECT_DOUBLE_EQ(Get(m, "presence.false_session_starts"), 0.0);  // the session began with a person
}

TEST(PresenceTest, APetAloneOnTheBedMakesAFalseSession) {
  NightTruth t = MakeNight("--------");
  AddBody(&t, "cat", BodyRole::kPet, 1.2, -0.3, "..xxxxx.");
  std::vector<EpochEstimate> est = PerfectUpstream(t, "");
  for (std::int64_t e = 3; e <= 6; ++e) est[e].present = est[e].session = true;
  const NightMetrics m = Score(t, est);
  EXPECT_DOUBLE_EQ(Get(m, "presence.false_session_min"), 2.0);
  EXPECT_DOUBLE_EQ(Get(m, "presence.false_session_starts"), 1.0);
  EXPECT_DOUBLE_EQ(Get(m, "presence.precision"), 0.0);
  EXPECT_DOUBLE_EQ(Get(m, "presence.f1"), 0.0);
  EXPECT_FALSE(m.metrics.Has("presence.recall"));    // nobody to find
  EXPECT_FALSE(m.metrics.Has("presence.detected"));
  EXPECT_FALSE(m.metrics.Has("staging.accuracy"));   // the primary never in bed
}

TEST(PresenceTest, AnEmptyRoomWithAFanAndNoFalseAlarmHasNothingToScoreButZeroFalseTime) {
  const NightTruth t = MakeNight("------");
  const NightMetrics m = Score(t, PerfectUpstream(t, ""));
  EXPECT_FALSE(m.metrics.Has("presence.precision"));
  EXPECT_FALSE(m.metrics.Has("presence.f1"));
  EXPECT_DOUBLE_EQ(Get(m, "presence.false_present_min"), 0.0);
  EXPECT_DOUBLE_EQ(Get(m, "presence.false_session_min"), 0.0);
  EXPECT_FALSE(m.dominant_failure.has_value());
  EXPECT_FALSE(m.metrics.Has("measures.tst_min.error"));  // no night to measure, not an error of 0
  EXPECT_FALSE(m.metrics.Has("measures.tst_min.truth"));
  EXPECT_FALSE(m.metrics.Has("presence.primary_recall"));
}

TEST(PresenceTest, PartnerOnlyTimeIsShownApartFromThePrimarysRecall) {
  // Bob in bed 0..9; alice only 4..9, and out of the detection zone in epoch 9.
  NightTruth t = MakeNight("----222222");
  t.primary[9].in_zone = false;
  AddBody(&t, "bob", BodyRole::kPartner, 1.6, -0.1, "xxxxxxxxxx");
  std::vector<EpochEstimate> est = PerfectUpstream(t, EstStagesOf("----222222"));
  for (std::int64_t e = 0; e < 10; ++e) est[e].present = e >= 2 && e != 5;
  const NightMetrics m = Score(t, est);
  EXPECT_DOUBLE_EQ(Get(m, "presence.partner_only_min"), 2.0);  // epochs 0..3
  // In view 4..8 (5 epochs), reported present in 4, 6, 7, 8.
  EXPECT_DOUBLE_EQ(Get(m, "presence.primary_recall"), 0.8);
  EXPECT_DOUBLE_EQ(Get(m, "presence.recall"), 0.7);  // "someone in bed": 7 of 10
}

// ----- identity -------------------------------------------------------------

TEST(IdentityTest, AScriptedPartnerSwapIsAttributedSwitchedAndScored) {
  // Both in bed for 10 epochs; the tracker follows alice 0..3, bob 4..6, alice 7..9.
  NightTruth t = MakeNight("2222222222");
  AddBody(&t, "bob", BodyRole::kPartner, 1.6, -0.1, "xxxxxxxxxx");
  std::vector<EpochEstimate> est = PerfectUpstream(t, EstStagesOf("2222222222"));
  for (std::int64_t e = 4; e <= 6; ++e) TrackBody(t, 1, e, &est[e]);
  const NightMetrics m = Score(t, est);
  EXPECT_EQ(m.tracked_body, (std::vector<int>{0, 0, 0, 0, 1, 1, 1, 0, 0, 0}));
  EXPECT_DOUBLE_EQ(Get(m, "identity.primary_fraction"), 0.7);
  EXPECT_DOUBLE_EQ(Get(m, "identity.partner_fraction"), 0.3);
  EXPECT_DOUBLE_EQ(Get(m, "identity.pet_fraction"), 0.0);
  EXPECT_DOUBLE_EQ(Get(m, "identity.partner_min"), 1.5);
  EXPECT_DOUBLE_EQ(Get(m, "identity.switches"), 2.0);
  // IDTP 7, IDFP 3, IDFN 3 → 7 / (7 + 1.5 + 1.5).
  EXPECT_DOUBLE_EQ(Get(m, "identity.idf1"), 0.7);
  EXPECT_DOUBLE_EQ(Get(m, "failure.identity_epochs"), 0.0);  // stages still right
}

TEST(IdentityTest, TheGateDecidesBetweenABodyAndNothing) {
  NightTruth t = MakeNight("2222");
  AddBody(&t, "cat", BodyRole::kPet, 1.4, 0.6, "xxxx");
  std::vector<EpochEstimate> est = PerfectUpstream(t, "LLLL");
  est[1].target_range_m = testing::kPrimaryRangeM + 0.25;  // within 0.3 m of alice
  est[2].target_range_m = testing::kPrimaryRangeM + 0.35;  // nobody within the gate
  TrackBody(t, 1, 3, &est[3]);                             // on the cat
  const NightMetrics m = Score(t, est);
  EXPECT_EQ(m.tracked_body, (std::vector<int>{0, 0, kUnmatched, 1}));
  EXPECT_DOUBLE_EQ(Get(m, "identity.primary_fraction"), 0.5);
  EXPECT_DOUBLE_EQ(Get(m, "identity.unmatched_fraction"), 0.25);
  EXPECT_DOUBLE_EQ(Get(m, "identity.pet_fraction"), 0.25);
  EXPECT_DOUBLE_EQ(Get(m, "identity.pet_min"), 0.5);
  EXPECT_DOUBLE_EQ(Get(m, "identity.switches"), 1.0);  // alice → cat; unmatched epochs do not count
}

TEST(IdentityTest, ARestroomTripIsDetectedAndReacquisitionTimed) {
  // 20 epochs; out of bed and out of the room 180 s → 420 s (epochs 6..13).
  NightTruth t = MakeNight("222222--------222222");
  for (std::int64_t e = 6; e < 14; ++e) t.bodies[0].epochs[e].in_room = false;
  t.events.restroom_trips.push_back(RestroomTrip{180.0, 420.0});
  std::vector<EpochEstimate> est = PerfectUpstream(t, EstStagesOf("222222--------222222"));
  for (std::int64_t e = 14; e < 16; ++e) est[e].tracking = false;  // picks alice up again at epoch 16
  const NightMetrics m = Score(t, est);
  ASSERT_EQ(m.trips.size(), 1u);
  EXPECT_TRUE(m.trips[0].eligible);
  EXPECT_TRUE(m.trips[0].detected);
  EXPECT_DOUBLE_EQ(*m.trips[0].reacquire_min, 1.0);  // 480 s − 420 s
  EXPECT_DOUBLE_EQ(Get(m, "identity.trip_detection_rate"), 1.0);
  EXPECT_DOUBLE_EQ(Get(m, "identity.reacquire_mean_min"), 1.0);
  EXPECT_DOUBLE_EQ(Get(m, "identity.reacquire_max_min"), 1.0);
  EXPECT_DOUBLE_EQ(Get(m, "identity.reacquire_failures"), 0.0);
  // Epochs 14, 15: alice in bed but untracked and unscored ('L' kept, so no error):
  EXPECT_DOUBLE_EQ(Get(m, "identity.untracked_fraction"), 2.0 / 12.0);
}

TEST(IdentityTest, StayingOnThePartnerThroughATripIsNeitherDetectionNorReacquisition) {
  // Out of bed 120 s → 360 s (epochs 4..11); the tracker moves to bob for good.
  NightTruth t = MakeNight("2222--------2222");
  AddBody(&t, "bob", BodyRole::kPartner, 1.6, -0.1, "xxxxxxxxxxxxxxxx");
  t.events.restroom_trips.push_back(RestroomTrip{120.0, 360.0});
  std::vector<EpochEstimate> est = PerfectUpstream(t, EstStagesOf("2222--------2222"));
  for (std::int64_t e = 4; e < 16; ++e) TrackBody(t, 1, e, &est[e]);
  const NightMetrics m = Score(t, est);
  EXPECT_FALSE(m.trips[0].detected);
  EXPECT_FALSE(m.trips[0].reacquire_min.has_value());
  EXPECT_DOUBLE_EQ(Get(m, "identity.trip_detection_rate"), 0.0);
  EXPECT_DOUBLE_EQ(Get(m, "identity.reacquire_failures"), 1.0);
  EXPECT_FALSE(m.metrics.Has("identity.reacquire_mean_min"));
  EXPECT_DOUBLE_EQ(Get(m, "identity.partner_min"), 6.0);
  EXPECT_DOUBLE_EQ(Get(m, "identity.partner_fraction"), 0.5);  // 4 of alice's 8 in-bed epochs
  EXPECT_DOUBLE_EQ(Get(m, "identity.switches"), 1.0);
}

TEST(IdentityTest, AShortTripNeedNotBeDetected) {
  NightTruth t = MakeNight("22--22");
  t.events.restroom_trips.push_back(RestroomTrip{60.0, 120.0});  // 1 min < 3 min
  const NightMetrics m = Score(t, PerfectUpstream(t, EstStagesOf("22--22")));
  EXPECT_FALSE(m.trips[0].eligible);
  EXPECT_DOUBLE_EQ(Get(m, "identity.trips"), 1.0);
  EXPECT_DOUBLE_EQ(Get(m, "identity.trips_eligible"), 0.0);
  EXPECT_FALSE(m.metrics.Has("identity.trip_detection_rate"));
  EXPECT_DOUBLE_EQ(Get(m, "identity.reacquire_max_min"), 0.0);
}

// ----- respiration ----------------------------------------------------------

TEST(RespirationTest, RateErrorsOverMeasurableEpochsMatchTheHandComputation) {
  NightTruth t = MakeNight("2222222");
  t.primary[5].gross_movement = true;  // turn-over: excluded
  std::vector<EpochEstimate> est = PerfectUpstream(t, "LLLLLLL");
  const double rates[] = {15, 16, 17, 19, 0, 30, 15};  // epoch 4 not measured
  for (std::size_t e = 0; e < 7; ++e) est[e].resp_rate_bpm = rates[e];
  const NightMetrics m = Score(t, est);
  // Absolute errors of the rated epochs 0, 1, 2, 3, 6: 0, 1, 2, 4, 0.
  EXPECT_DOUBLE_EQ(Get(m, "resp.eligible_epochs"), 6.0);
  EXPECT_DOUBLE_EQ(Get(m, "resp.coverage"), 5.0 / 6.0);
  EXPECT_DOUBLE_EQ(Get(m, "resp.rate_mae_bpm"), 7.0 / 5.0);
  EXPECT_DOUBLE_EQ(Get(m, "resp.rate_median_ae_bpm"), 1.0);
  EXPECT_DOUBLE_EQ(Get(m, "resp.rate_p95_ae_bpm"), 3.6);  // h = 4 · 0.95 = 3.8 → 2 + 0.8 · 2
  EXPECT_DOUBLE_EQ(Get(m, "resp.rate_bias_bpm"), 7.0 / 5.0);
  EXPECT_DOUBLE_EQ(Get(m, "resp.within_threshold_fraction"), 0.8);
}

// ----- intent ---------------------------------------------------------------

TEST(IntentTest, IntentStartAndSleepOnsetLatencyErrors) {
  // In bed from epoch 0, lights out at 120 s (epoch 4), asleep at epoch 8.
  NightTruth t = MakeNight("WWWWWWWW2222");
  for (int e = 0; e < 4; ++e) t.primary[e].intent = false;
  t.events.lights_out_s = 120.0;
  std::vector<EpochEstimate> est = PerfectUpstream(t, "WWWWWWWWWWLL");  // asleep at epoch 10
  for (int e = 0; e < 6; ++e) est[e].intent = false;                     // intent from epoch 6
  const NightMetrics m = Score(t, est);
  EXPECT_DOUBLE_EQ(Get(m, "intent.detected"), 1.0);
  EXPECT_DOUBLE_EQ(Get(m, "intent.start_error_min"), 1.0);
  EXPECT_DOUBLE_EQ(Get(m, "intent.start_abs_error_min"), 1.0);
  EXPECT_DOUBLE_EQ(Get(m, "intent.epoch_accuracy"), 10.0 / 12.0);
  EXPECT_DOUBLE_EQ(Get(m, "measures.sol_min.truth"), 2.0);  // 240 s − 120 s
  EXPECT_DOUBLE_EQ(Get(m, "measures.sol_min.est"), 2.0);    // 300 s − 180 s
  EXPECT_DOUBLE_EQ(Get(m, "measures.sol_min.error"), 0.0);
}

TEST(IntentTest, WithoutAnIntentEstimateSolStartsAtTheSession) {
  NightTruth t = MakeNight("WWWW2222");
  t.events.lights_out_s = 0.0;
  std::vector<EpochEstimate> est = PerfectUpstream(t, "--WWLLLL");
  for (int e = 0; e < 8; ++e) {
    est[e].intent = false;
    est[e].session = e >= 2;
  }
  const NightMetrics m = Score(t, est);
  EXPECT_DOUBLE_EQ(Get(m, "intent.detected"), 0.0);
  EXPECT_FALSE(m.metrics.Has("intent.start_error_min"));
  EXPECT_DOUBLE_EQ(Get(m, "measures.sol_min.est"), 1.0);  // 120 s − session 60 s
  EXPECT_DOUBLE_EQ(Get(m, "measures.sol_min.error"), -1.0);
}

// ----- staging through the scorer ------------------------------------------

TEST(StagingScoreTest, OutOfBedEpochsAreExcludedAndUnscoredInBedEpochsReadAsWake) {
  // truth: - W 2 2 3 R -   estimate: L - L D D R L
  const NightTruth t = MakeNight("-W223R-");
  const NightMetrics m = Score(t, PerfectUpstream(t, "L-LDDRL"));
  // Scored: W→(none→W) ✓, 2→L ✓, 2→D ✗, 3→D ✓, R→R ✓.
  EXPECT_DOUBLE_EQ(Get(m, "staging.epochs"), 5.0);
  EXPECT_DOUBLE_EQ(Get(m, "staging.accuracy"), 0.8);
  EXPECT_DOUBLE_EQ(Get(m, "staging.unscored_fraction"), 0.2);
  EXPECT_DOUBLE_EQ(Get(m, "staging.confusion.light_as_deep"), 1.0);
  EXPECT_DOUBLE_EQ(Get(m, "staging.light.sensitivity"), 0.5);
  EXPECT_DOUBLE_EQ(Get(m, "staging.deep.ppv"), 0.5);
  EXPECT_TRUE(m.metrics.Has("staging.kappa"));
  EXPECT_EQ(*m.metrics.Direction("staging.kappa"), Better::kHigher);
}

TEST(StagingScoreTest, AnAllWakeNightLeavesKappaAndSleepOnsetMeasuresOut) {
  const NightTruth t = MakeNight("WWWWWW");
  const NightMetrics m = Score(t, PerfectUpstream(t, "WWWWWW"));
  EXPECT_DOUBLE_EQ(Get(m, "staging.accuracy"), 1.0);
  EXPECT_FALSE(m.metrics.Has("staging.kappa"));
  EXPECT_FALSE(m.metrics.Has("staging.rem.sensitivity"));
  EXPECT_DOUBLE_EQ(Get(m, "measures.tst_min.error"), 0.0);
  EXPECT_DOUBLE_EQ(Get(m, "measures.se_pct.truth"), 0.0);
  EXPECT_FALSE(m.metrics.Has("measures.sol_min.truth"));
  EXPECT_FALSE(m.metrics.Has("measures.rem_latency_min.error"));
}

TEST(StagingScoreTest, ANightWithoutRemHasNoRemLatencyOrRemSensitivity) {
  const NightTruth t = MakeNight("WW1223322W");
  const NightMetrics m = Score(t, PerfectUpstream(t, "WWLLLDDRLW"));
  EXPECT_FALSE(m.metrics.Has("measures.rem_latency_min.truth"));
  EXPECT_TRUE(m.metrics.Has("measures.rem_latency_min.est"));
  EXPECT_FALSE(m.metrics.Has("measures.rem_latency_min.error"));
  EXPECT_FALSE(m.metrics.Has("staging.rem.sensitivity"));
  EXPECT_DOUBLE_EQ(Get(m, "staging.rem.ppv"), 0.0);
  EXPECT_DOUBLE_EQ(Get(m, "measures.rem_min.error"), 0.5);
}

TEST(StagingScoreTest, NoSleepAtAllBecauseNobodyCameToBed) {
  const NightTruth t = MakeNight("------");
  const NightMetrics m = Score(t, PerfectUpstream(t, ""));
  EXPECT_DOUBLE_EQ(Get(m, "staging.epochs"), 0.0);
  EXPECT_FALSE(m.metrics.Has("staging.accuracy"));
  EXPECT_FALSE(m.metrics.Has("measures.tib_min.error"));  // no night to measure: left out, not 0
  EXPECT_FALSE(m.metrics.Has("measures.se_pct.truth"));
  EXPECT_FALSE(m.metrics.Has("identity.primary_fraction"));
  EXPECT_FALSE(m.metrics.Has("resp.rate_mae_bpm"));
}

// ----- smart alarm ----------------------------------------------------------

/// 25 epochs of 30 s: N2 to epoch 14, N3 15..19, W from 20; alarm 600 s, window
/// 300 s → ideal moment 450 s (end of epoch 14).
NightTruth AlarmNight() {
  NightTruth t = MakeNight("222222222222222" "33333" "WWWWW");
  t.events.alarm = AlarmTruth{600.0, 300.0, IdealAlarmS(t.PrimaryStages(), 30.0, 600.0, 300.0)};
  return t;
}

NightMetrics ScoreAlarm(double fire_s, EstStage stage = EstStage::kLight) {
  const NightTruth t = AlarmNight();
  return ScoreNight(t, PerfectUpstream(t, EstStagesOf("222222222222222" "33333" "WWWWW")),
                    std::vector<AlarmDecision>{AlarmDecision{fire_s, stage}});
}

TEST(AlarmTest, FiringAtTheIdealMomentInLightSleepLosesNothing) {
  const NightMetrics m = ScoreAlarm(450.0);
  EXPECT_DOUBLE_EQ(Get(m, "alarm.fired"), 1.0);
  EXPECT_DOUBLE_EQ(Get(m, "alarm.truth_stage_at_fire"), kYasaN2);  // epoch 14, just before 450 s
  EXPECT_DOUBLE_EQ(Get(m, "alarm.in_light_or_wake"), 1.0);
  EXPECT_DOUBLE_EQ(Get(m, "alarm.after_alarm"), 0.0);
  EXPECT_DOUBLE_EQ(Get(m, "alarm.sleep_lost_min"), 0.0);
  EXPECT_DOUBLE_EQ(Get(m, "alarm.lead_min"), 2.5);
  EXPECT_DOUBLE_EQ(Get(m, "alarm.stage_at_fire_correct"), 1.0);
}

TEST(AlarmTest, FiringEarlyInLightSleepLosesTheMinutesToTheIdealMoment) {
  const NightMetrics m = ScoreAlarm(330.0);
  EXPECT_DOUBLE_EQ(Get(m, "alarm.in_light_or_wake"), 1.0);
  EXPECT_DOUBLE_EQ(Get(m, "alarm.sleep_lost_min"), 2.0);
  EXPECT_DOUBLE_EQ(Get(m, "alarm.before_window"), 0.0);
  EXPECT_DOUBLE_EQ(ScoreAlarm(200.0).metrics.Get("alarm.before_window").value(), 1.0);
}

TEST(AlarmTest, FiringInDeepSleepIsNotLightAndLate) {
  const NightMetrics m = ScoreAlarm(540.0, EstStage::kLight);
  EXPECT_DOUBLE_EQ(Get(m, "alarm.truth_stage_at_fire"), kYasaN3);
  EXPECT_DOUBLE_EQ(Get(m, "alarm.in_light_or_wake"), 0.0);
  EXPECT_DOUBLE_EQ(Get(m, "alarm.sleep_lost_min"), -1.5);
  EXPECT_DOUBLE_EQ(Get(m, "alarm.sleep_lost_abs_min"), 1.5);
  EXPECT_DOUBLE_EQ(Get(m, "alarm.stage_at_fire_correct"), 0.0);
  ASSERT_TRUE(m.alarm.has_value());
  EXPECT_FALSE(m.alarm->in_light_or_wake);
}

TEST(AlarmTest, FiringAfterTheAlarmTimeIsFlagged) {
  const NightMetrics m = ScoreAlarm(630.0, EstStage::kWake);
  EXPECT_DOUBLE_EQ(Get(m, "alarm.after_alarm"), 1.0);
  EXPECT_EQ(*m.metrics.Direction("alarm.after_alarm"), Better::kLower);
  EXPECT_TRUE(m.alarm->after_alarm);
  // At exactly the alarm time it is on time, and the interrupted epoch is the one before.
  const NightMetrics on_time = ScoreAlarm(600.0, EstStage::kDeep);
  EXPECT_DOUBLE_EQ(Get(on_time, "alarm.after_alarm"), 0.0);
  EXPECT_DOUBLE_EQ(Get(on_time, "alarm.truth_stage_at_fire"), kYasaN3);
}

TEST(AlarmTest, NoAlarmConfiguredMeansNoAlarmMetricsAndNoDecisionMeansNotFired) {
  const NightTruth without = MakeNight("2222");
  const NightMetrics none = Score(without, PerfectUpstream(without, "LLLL"));
  EXPECT_FALSE(none.alarm.has_value());
  none.metrics.ForEach([](const std::string& name, double, Better) {
    EXPECT_NE(name.rfind("alarm.", 0), 0u) << name;
  });
  const NightTruth t = AlarmNight();
  const NightMetrics silent = Score(t, PerfectUpstream(t, ""));
  EXPECT_DOUBLE_EQ(Get(silent, "alarm.fired"), 0.0);
  EXPECT_FALSE(silent.metrics.Has("alarm.sleep_lost_min"));
}

// ----- failure-point isolation ---------------------------------------------

TEST(FailurePointTest, EachWrongEpochGoesToTheEarliestFailingStage) {
  // Alice in N2 throughout (truth light), intent on, 15 breaths/min.
  const NightTruth t = MakeNight("22222222");
  std::vector<EpochEstimate> est = PerfectUpstream(t, "LLLLLLLL");
  est[1].present = false;                               // presence (stage also wrong)
  est[1].stage = EstStage::kWake;
  est[2].tracking = false;                              // identity: lost her, unscored
  est[2].stage = EstStage::kNone;
  est[3].resp_rate_bpm = 20;                            // respiration: 5 bpm off
  est[3].stage = EstStage::kWake;
  est[4].intent = false;                                // intent
  est[4].stage = EstStage::kWake;
  est[5].stage = EstStage::kDeep;                       // staging alone
  est[6].resp_rate_bpm = 25;                            // upstream wrong, stage right: not an error
  est[7].tracking = false;                              // identity again
  est[7].stage = EstStage::kWake;
  const NightMetrics m = Score(t, est);
  EXPECT_EQ(m.failure, (std::vector<FailureStage>{FailureStage::kNone, FailureStage::kPresence,
                                                  FailureStage::kIdentity, FailureStage::kRespiration,
                                                  FailureStage::kIntent, FailureStage::kStaging,
                                                  FailureStage::kNone, FailureStage::kIdentity}));
  EXPECT_DOUBLE_EQ(Get(m, "failure.wrong_epochs"), 6.0);
  EXPECT_DOUBLE_EQ(Get(m, "failure.presence_epochs"), 1.0);
  EXPECT_DOUBLE_EQ(Get(m, "failure.identity_epochs"), 2.0);
  EXPECT_DOUBLE_EQ(Get(m, "failure.respiration_epochs"), 1.0);
  EXPECT_DOUBLE_EQ(Get(m, "failure.intent_epochs"), 1.0);
  EXPECT_DOUBLE_EQ(Get(m, "failure.staging_epochs"), 1.0);
  EXPECT_DOUBLE_EQ(Get(m, "failure.identity_fraction"), 2.0 / 6.0);
  EXPECT_EQ(m.dominant_failure, FailureStage::kIdentity);
}

TEST(FailurePointTest, APresenceErrorCountsEvenWhenThePrimaryIsOutOfBed) {
  NightTruth t = MakeNight("---");
  AddBody(&t, "cat", BodyRole::kPet, 1.2, 0.0, "xxx");
  std::vector<EpochEstimate> est = PerfectUpstream(t, "");
  est[1].present = true;
  const NightMetrics m = Score(t, est);
  EXPECT_EQ(m.failure[1], FailureStage::kPresence);
  EXPECT_EQ(m.dominant_failure, FailureStage::kPresence);
}

TEST(FailurePointTest, TrackingThePartnerIsAnIdentityFailure) {
  NightTruth t = MakeNight("33");
  AddBody(&t, "bob", BodyRole::kPartner, 1.6, -0.1, "xx");
  std::vector<EpochEstimate> est = PerfectUpstream(t, "DL");
  TrackBody(t, 1, 1, &est[1]);
  EXPECT_EQ(Score(t, est).failure[1], FailureStage::kIdentity);
}

TEST(FailurePointTest, ALocalIdentityFailureShowsBehindNightLongStagingErrors) {
  const NightTruth t = MakeNight("22222222");
  std::vector<EpochEstimate> est = PerfectUpstream(t, "DDDDDLLL");  // 5 staging errors
  est[6].tracking = false;                                         // 1 identity error
  est[6].stage = EstStage::kWake;
  est[7].intent = false;                                           // 1 intent error
  est[7].stage = EstStage::kWake;
  const NightMetrics m = Score(t, est);
  EXPECT_EQ(m.dominant_failure, FailureStage::kStaging);
  EXPECT_EQ(m.dominant_upstream_failure, FailureStage::kIdentity);  // tie with intent: upstream
  const NightMetrics clean = Score(t, PerfectUpstream(t, "DDLLLLLL"));
  EXPECT_EQ(clean.dominant_failure, FailureStage::kStaging);
  EXPECT_FALSE(clean.dominant_upstream_failure.has_value());
}

TEST(FailurePointTest, TiesGoToTheUpstreamStage) {
  const NightTruth t = MakeNight("2222");
  std::vector<EpochEstimate> est = PerfectUpstream(t, "LLLL");
  est[0].stage = EstStage::kDeep;  // staging
  est[3].intent = false;           // intent
  est[3].stage = EstStage::kRem;
  EXPECT_EQ(Score(t, est).dominant_failure, FailureStage::kIntent);
}

// ----- across nights and output ---------------------------------------------

TEST(AcrossNightsTest, BlandAltmanOfTotalSleepTimeOverThreeNights) {
  // TST errors −0.5, 0, −1 min: bias −0.5, SD 0.5, LoA −0.5 ± 0.98.
  const NightTruth t = MakeNight("2222");
  const std::vector<NightMetrics> nights{Score(t, PerfectUpstream(t, "LLLW")),
                                         Score(t, PerfectUpstream(t, "LLLL")),
                                         Score(t, PerfectUpstream(t, "LLWW"))};
  const MetricSet m = ScoreMeasuresAcrossNights(nights);
  EXPECT_DOUBLE_EQ(*m.Get("measures.tst_min.n"), 3.0);
  EXPECT_DOUBLE_EQ(*m.Get("measures.tst_min.bias"), -0.5);
  EXPECT_DOUBLE_EQ(*m.Get("measures.tst_min.sd"), 0.5);
  EXPECT_DOUBLE_EQ(*m.Get("measures.tst_min.loa_lower"), -0.5 - 0.98);
  EXPECT_DOUBLE_EQ(*m.Get("measures.tst_min.loa_upper"), -0.5 + 0.98);
  EXPECT_DOUBLE_EQ(*m.Get("measures.tst_min.loa_width"), 1.96);
  EXPECT_EQ(*m.Direction("measures.tst_min.bias"), Better::kTowardZero);
  EXPECT_FALSE(m.Has("measures.rem_latency_min.bias"));  // no REM on either side
  EXPECT_FALSE(m.Has("measures.tst_min.prop_slope"));    // truth TST identical every night
}

TEST(OutputTest, JsonIsDeterministicAndCarriesEverySection) {
  NightTruth t = AlarmNight();
  t.events.restroom_trips.push_back(RestroomTrip{30.0, 40.0});
  const auto est = PerfectUpstream(t, EstStagesOf("222222222222222" "33333" "WWWWW"));
  const std::vector<AlarmDecision> alarms{AlarmDecision{450.0, EstStage::kLight}};
  const std::string a = ToJson(ScoreNight(t, est, alarms));
  const std::string b = ToJson(ScoreNight(t, est, alarms));
  EXPECT_EQ(a, b);
  EXPECT_EQ(a.rfind("{\n  \"metrics\": {\n    \"alarm.after_alarm\": 0,", 0), 0u) << a.substr(0, 80);
  for (const char* key : {"\"better\"", "\"confusion\"", "\"row_normalized\"", "\"failure\": {\"dominant\": null, \"dominant_upstream\": null}",
                          "\"trips\"", "\"reacquire_min\": 0", "\"alarm\": {\"fired\": true",
                          "\"staging.kappa\": \"higher\"", "\"measures.tst_min.error\": 0"}) {
    EXPECT_NE(a.find(key), std::string::npos) << key;
  }
  const std::string summary = FormatSummary(ScoreNight(t, est, alarms));
  EXPECT_NE(summary.find("tst_min"), std::string::npos);
  EXPECT_NE(summary.find("staging.kappa"), std::string::npos);
}

TEST(OutputTest, EveryMetricNameIsDottedSnakeCase) {
  NightTruth t = AlarmNight();
  AddBody(&t, "bob", BodyRole::kPartner, 1.6, -0.1, std::string(25, 'x'));
  const NightMetrics m = ScoreNight(t, PerfectUpstream(t, ""), std::vector<AlarmDecision>{{500.0, EstStage::kDeep}});
  EXPECT_GT(m.metrics.size(), 100u);
  m.metrics.ForEach([](const std::string& name, double, Better) {
    EXPECT_NE(name.find('.'), std::string::npos) << name;
    for (char c : name) EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.') << name;
  });
}

TEST(ScoringOptionsTest, InvalidOptionsAreRejected) {
  ScoringOptions o;
  std::string error;
  EXPECT_TRUE(o.IsValid(&error));
  o.identity_gate_m = 0;
  EXPECT_FALSE(o.IsValid(&error));
  EXPECT_NE(error.find("identity_gate_m"), std::string::npos);
  const NightTruth t = MakeNight("22");
  EXPECT_THROW(ScoreNight(t, {}, {}, o), std::invalid_argument);
}

}  // namespace
}  // namespace nightsim::harness
