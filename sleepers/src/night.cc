#include "sleepers/night.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <deque>
#include <memory>
#include <numbers>
#include <set>
#include <stdexcept>

#include "core/des.h"
#include "core/rng.h"
#include "core/ticks.h"
#include "sleepers/hypnogram_model.h"
#include "sleepers/physiology.h"

namespace nightsim::sleepers {

const char* ToString(EventKind kind) {
  switch (kind) {
    case EventKind::kBedtime: return "bedtime";
    case EventKind::kLightsOut: return "lights_out";
    case EventKind::kSleepOnset: return "sleep_onset";
    case EventKind::kStageChange: return "stage_change";
    case EventKind::kAwakening: return "awakening";
    case EventKind::kTurnOver: return "turn_over";
    case EventKind::kRestroomTrip: return "restroom_trip";
    case EventKind::kReturnToBed: return "return_to_bed";
    case EventKind::kApnea: return "apnea";
    case EventKind::kPetOnBed: return "pet_on_bed";
    case EventKind::kPetOffBed: return "pet_off_bed";
    case EventKind::kAlarm: return "alarm";
    case EventKind::kFinalAwakening: return "final_awakening";
    case EventKind::kRise: return "rise";
    case EventKind::kScripted: return "scripted";
  }
  return "unknown";
}

namespace {

constexpr double kLyingHeadingRad = -std::numbers::pi / 2;  // feet towards +y, so the head points to −y
constexpr double kTurnOverMinS = 2.0, kTurnOverMaxS = 5.0;
constexpr double kGetUpDownS = 3.0;
// Hand and arm movements of the pre-sleep activity, per hour: a phone is scrolled and
// re-gripped every half minute or so, a page turned every minute or two, a TV watched
// almost still.
constexpr double kPhoneHandlingPerH = 90.0, kReadingHandlingPerH = 45.0, kTvHandlingPerH = 12.0;

// Lying-posture occupancy of adults (side ≈ 54 %, back ≈ 38 %, front ≈ 7 %, docs/design.md §4);
// front is 8 % here so that the shares sum to 1.
constexpr std::array<Posture, 4> kLyingPostures = {Posture::kBack, Posture::kLeftSide, Posture::kRightSide,
                                                   Posture::kFront};
constexpr std::array<double, 4> kLyingOccupancy = {0.38, 0.27, 0.27, 0.08};
// Posture changes are drawn as "shift to a posture drawn from the occupancy"; a draw of
// the current posture is a shift in place. This keeps the occupancy exactly, and the
// fraction of shifts that change posture is 1 − Σ p².
constexpr double kChangingShiftFraction = 1.0 - (0.38 * 0.38 + 0.27 * 0.27 * 2 + 0.08 * 0.08);

// Relative posture-shift rate by stage (W, N1, N2, N3, REM): mostly in wake and light
// sleep, rare in N3, few in REM (atonia).
constexpr std::array<double, 5> kShiftStageWeight = {2.4, 2.0, 1.0, 0.15, 0.35};

Tick EpochTicks(double epoch_s) { return SecondsToTicks(epoch_s); }

// The pre-sleep activity of a spec (validated by the scenario loader); one mapping, so
// the state the person is in and the handling stream that checks it always agree.
Activity ActivityOf(const std::string& activity) {
  return activity == "reading" ? Activity::kReading
         : activity == "tv"    ? Activity::kTv
         : activity == "phone" ? Activity::kPhone
         : activity == "lying" ? Activity::kLying
                               : Activity::kNone;
}

// Shared machinery of people and pets: the current state, recording, walking.
class Actor {
 public:
  Actor(des::Simulation& sim, BodyTimeline& tl) : sim_(sim), tl_(tl) {}
  virtual ~Actor() = default;

 protected:
  double Now() const { return TicksToSeconds(sim_.now()); }

  // Appends the current state at now; a change at the same instant replaces the last point.
  // Every change of a person's stage code is a truth event.
  void Push() {
    current_.t_s = Now();
    const int before = tl_.states.empty() ? kOutOfBed : tl_.states.back().stage;
    if (!tl_.states.empty() && tl_.states.back().t_s == current_.t_s) {
      tl_.states.back() = current_;
    } else {
      tl_.states.push_back(current_);
    }
    if (tl_.is_person && current_.stage != before) Emit(EventKind::kStageChange, 0, current_.stage);
  }
  void Emit(EventKind kind, double duration_s = 0, int value = 0, std::string detail = {}) {
    tl_.events.push_back({Now(), tl_.spec.id, kind, duration_s, value, std::move(detail)});
  }
  void AddMovement(MovementKind kind, double duration_s, double motion, double limb_m, Posture from, Posture to) {
    tl_.movements.push_back({Now(), duration_s, kind, motion, limb_m, from, to});
  }

  // Waits until `end`, noting (not acting on) interrupts that arrive meanwhile.
  des::Process WaitThrough(Tick end) {
    for (;;) {
      des::Wake w = co_await sim_.Until(end);
      if (!w.interrupted()) co_return;
      Note(w.interrupt->cause);
    }
  }
  virtual void Note(const std::string& cause) { (void)cause; }

  // Walks from `from` to `to` (floor positions); out of bed on the way.
  des::Process WalkTo(Eigen::Vector2d from, Eigen::Vector2d to, double speed_mps) {
    const double duration_s = std::max(1.0, (to - from).norm() / speed_mps);
    tl_.walks.push_back({Now(), Now() + duration_s, from, to});
    current_.place = Place::kWalking;
    current_.posture = Posture::kStanding;
    current_.stage = tl_.is_person ? kOutOfBed : current_.stage;
    current_.intent = false;
    Push();
    co_await WaitThrough(sim_.now() + SecondsToTicks(duration_s));
  }

  des::Simulation& sim_;
  BodyTimeline& tl_;
  StatePoint current_;
};

// ---- People --------------------------------------------------------------------

class PersonActor final : public Actor {
 public:
  PersonActor(des::Simulation& sim, BodyTimeline& tl, const Scenario& scenario, const PersonSpec& spec,
              std::uint64_t seed)
      : Actor(sim, tl),
        spec_(spec),
        epoch_(EpochTicks(scenario.night.epoch_s)),
        model_(tl.physiology.hypnogram, RandomStream(seed, spec.id, "hypnogram")),
        behaviour_rng_(seed, spec.id, "behaviour"),
        move_rng_(seed, spec.id, "movement"),
        handling_rng_(seed, spec.id, "handling"),
        apnea_rng_(seed, spec.id, "apnea") {
    const BedSpec& bed = scenario.room.bed;
    const double side_sign = spec.side == "right" ? 1.0 : -1.0;
    door_ = {scenario.room.door.x_m, scenario.room.door.y_m};
    bedside_ = {bed.center_x_m + side_sign * (bed.width_m / 2 + 0.35), bed.head_y_m + 0.8};
    // Torso centre lying: a quarter bed width off the centre line, ≈ 0.3 body
    // heights from the head end (head on the pillow).
    tl.bed_torso_m = {bed.center_x_m + side_sign * bed.width_m / 4, bed.head_y_m + 0.12 + 0.26 * spec.height_m,
                      bed.height_m + 0.11};
    tl.heading_in_bed_rad = kLyingHeadingRad;

    // The schedule: every draw from the person's own "schedule" stream, in a fixed order.
    RandomStream schedule(seed, spec.id, "schedule");
    bedtime_s_ = std::max(0.0, spec.bedtime_s + schedule.Normal(0.0, spec.bedtime_sd_s));
    activity_s_ = spec.activity == "none" ? 0.0 : std::max(0.0, spec.activity_s * schedule.LogNormal(0.0, 0.35));
    const double natural_draw = schedule.Normal(0.0, 1.0);
    out_of_bed_after_s_ = std::max(20.0, spec.out_of_bed_after_s * schedule.LogNormal(0.0, 0.45));
    const bool early_rise = schedule.Bernoulli(spec.rates.early_rise_probability);
    const double early_by_s = schedule.Uniform(30 * 60.0, 90 * 60.0);
    const double planned_lights_out_s = bedtime_s_ + activity_s_ + 60.0;

    std::optional<double> alarm_s;
    if (spec.wake_mode == "alarm") {
      if (spec.role == "primary" && scenario.device.alarm_s) {
        alarm_s = scenario.device.alarm_s;
      } else if (spec.wake_s > spec.bedtime_s) {
        alarm_s = spec.wake_s;
      } else {
        alarm_s = scenario.device.alarm_s;
      }
    }
    if (alarm_s) {
      alarm_s_ = *alarm_s;
      planned_wake_s_ = *alarm_s;
      if (early_rise) natural_wake_s_ = *alarm_s - scenario.device.smart_window_s - early_by_s;
    } else {
      // Natural wake: around the scheduled time, or after a typical sleep need.
      natural_wake_s_ = spec.wake_s > spec.bedtime_s ? spec.wake_s + spec.wake_sd_s * natural_draw
                                                     : planned_lights_out_s + 8.2 * 3600.0 + spec.wake_sd_s * natural_draw;
      if (early_rise) *natural_wake_s_ -= early_by_s;
      planned_wake_s_ = *natural_wake_s_;
    }

    // Restroom urges: Poisson count, placed in the sleep period, more of them late.
    RandomStream restroom(seed, spec.id, "restroom");
    const std::int64_t trips = restroom.Poisson(tl.physiology.behaviour.restroom_per_night);
    const double lo = planned_lights_out_s + 40 * 60.0, hi = planned_wake_s_ - 20 * 60.0;
    for (std::int64_t i = 0; i < trips && hi > lo; ++i) {
      urges_s_.push_back(lo + (hi - lo) * std::pow(restroom.Uniform01(), 0.8));
    }
    std::sort(urges_s_.begin(), urges_s_.end());
    // Times away from the room; drawn here so the count of draws never depends on the night.
    for (std::size_t i = 0; i < urges_s_.size(); ++i) trip_away_s_.push_back(restroom.LogNormal(std::log(200.0), 0.4));
  }

  void Start(int priority) {
    main_ = sim_.StartAt(0, Main(), "person:" + spec_.id, priority);
    sim_.StartAt(0, Movements(), "movement:" + spec_.id, priority);
    if (const Activity a = ActivityOf(spec_.activity); a == Activity::kPhone || a == Activity::kReading || a == Activity::kTv) {
      sim_.StartAt(0, Handling(), "handling:" + spec_.id, priority);
    }
    if (tl_.physiology.behaviour.ahi > 0) sim_.StartAt(0, Apneas(), "apnea:" + spec_.id, priority);
    if (alarm_s_) sim_.StartAt(0, Interrupter(*alarm_s_, "alarm"), "alarm:" + spec_.id, priority);
    if (natural_wake_s_) sim_.StartAt(0, Interrupter(*natural_wake_s_, "natural"), "wake:" + spec_.id, priority);
    for (double t : urges_s_) sim_.StartAt(0, Interrupter(t, "restroom"), "restroom:" + spec_.id, priority);
    std::vector<std::size_t> order(spec_.events.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    // Scripted events in time order, ties by their position in the scenario.
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return spec_.events[a].at_s < spec_.events[b].at_s; });
    for (std::size_t i : order) {
      sim_.StartAt(0, Interrupter(spec_.events[i].at_s, "script:" + std::to_string(i)), "script:" + spec_.id, priority);
    }
  }

 private:
  enum class Phase { kAway, kPreSleep, kSleep, kFinalWake, kGone };

  des::Process Interrupter(double at_s, std::string cause) {
    co_await sim_.Until(SecondsToTicks(std::max(0.0, at_s)));
    // Urges only matter while the person is in bed trying to sleep; scripts always
    // reach the person (who ignores those that make no sense at that moment).
    if (cause == "restroom" && phase_ != Phase::kSleep) co_return;
    if (cause == "natural" && phase_ == Phase::kGone) co_return;
    main_.Interrupt(cause);
  }

  void Note(const std::string& cause) override {
    if (cause == "alarm") {
      alarm_rang_ = true;
    } else if (cause == "natural") {
      natural_due_ = true;
    } else if (cause.rfind("script:", 0) == 0) {
      pending_scripts_.push_back(std::stoul(cause.substr(7)));
    }
    // A restroom urge while already up is moot.
  }

  bool WakeDue() const { return alarm_rang_ || natural_due_; }
  Tick NextBoundary(Tick t) const { return (t + epoch_ - 1) / epoch_ * epoch_; }

  void SetStage(int stage) {
    if (current_.stage == stage) return;
    current_.stage = stage;
    Push();
  }

  Posture DrawLyingPosture(RandomStream& rng) { return kLyingPostures[rng.Categorical(kLyingOccupancy)]; }

  void ChangePosture(Posture to, double duration_s, double motion) {
    const Posture from = current_.posture;
    AddMovement(MovementKind::kTurnOver, duration_s, motion, 0.05, from, to);
    current_.posture = to;
    Push();
    if (from != to) Emit(EventKind::kTurnOver, duration_s, static_cast<int>(to));
  }

  des::Process GetIntoBed(Posture posture, bool intent) {
    AddMovement(MovementKind::kGetUpDown, kGetUpDownS, 0.9, 0.1, Posture::kStanding, posture);
    current_.place = Place::kInBed;
    current_.posture = posture;
    current_.stage = kWake;
    current_.intent = intent;
    Push();
    co_await WaitThrough(sim_.now() + SecondsToTicks(kGetUpDownS));
  }

  des::Process LeaveBed() {
    AddMovement(MovementKind::kGetUpDown, kGetUpDownS, 0.9, 0.1, current_.posture, Posture::kStanding);
    current_.posture = Posture::kSitting;
    current_.intent = false;
    Push();
    co_await WaitThrough(sim_.now() + SecondsToTicks(kGetUpDownS));
  }

  // Out of bed and back: to the bathroom (`leave_room`) or standing by the bed.
  des::Process Trip(double away_s, bool leave_room, EventKind kind, std::string detail) {
    const double speed = tl_.physiology.behaviour.walk_speed_mps;
    co_await WaitThrough(sim_.now() + SecondsToTicks(behaviour_rng_.Uniform(15.0, 75.0)));  // wake, decide
    const double left_s = Now();
    co_await LeaveBed();
    const Eigen::Vector2d target = leave_room ? door_ : Eigen::Vector2d(bedside_ + Eigen::Vector2d(0, 0.8));
    co_await WalkTo(bedside_, target, speed);
    if (leave_room) {
      current_.place = Place::kAway;
      Push();
    } else {
      tl_.walks.push_back({Now(), Now() + away_s, target, target});
    }
    co_await WaitThrough(sim_.now() + SecondsToTicks(away_s));
    co_await WalkTo(target, bedside_, speed);
    const double back_s = Now();
    tl_.events.push_back({left_s, tl_.spec.id, kind, back_s - left_s, 0, std::move(detail)});
    co_await GetIntoBed(DrawLyingPosture(behaviour_rng_), true);
    Emit(EventKind::kReturnToBed);
  }

  // Runs the scripted events that arrived; returns whether any took the person out of sleep.
  des::Process RunScripts() {
    while (!pending_scripts_.empty()) {
      const std::size_t index = pending_scripts_.front();
      pending_scripts_.pop_front();
      const ScriptedEvent& e = spec_.events[index];
      const bool in_bed = current_.place == Place::kInBed;
      const char* names[] = {"restroom", "get_up", "turn_over", "wake", "leave"};
      const std::string name = names[static_cast<int>(e.kind)];
      if (!in_bed || phase_ == Phase::kAway || phase_ == Phase::kGone) {
        Emit(EventKind::kScripted, 0, 0, name + " skipped: not in bed");
        continue;
      }
      Emit(EventKind::kScripted, e.duration_s, 0, name);
      script_disturbed_sleep_ = script_disturbed_sleep_ || e.kind != ScriptedEvent::Kind::kTurnOver;
      switch (e.kind) {
        case ScriptedEvent::Kind::kTurnOver: {
          Posture to = current_.posture;
          while (to == current_.posture) to = DrawLyingPosture(behaviour_rng_);
          ChangePosture(to, 3.0, 0.8);
          break;
        }
        case ScriptedEvent::Kind::kWake:
          SetStage(kWake);
          Emit(EventKind::kAwakening, e.duration_s, 0, "scripted");
          co_await WaitThrough(sim_.now() + SecondsToTicks(e.duration_s));
          break;
        case ScriptedEvent::Kind::kRestroom:
          SetStage(kWake);
          co_await Trip(e.duration_s, true, EventKind::kRestroomTrip, "scripted");
          break;
        case ScriptedEvent::Kind::kLeave:
          SetStage(kWake);
          co_await Trip(e.duration_s, true, EventKind::kRestroomTrip, "scripted leave");
          break;
        case ScriptedEvent::Kind::kGetUp:
          SetStage(kWake);
          co_await Trip(e.duration_s, false, EventKind::kRestroomTrip, "scripted get up");
          break;
      }
    }
  }

  // Awake in bed until `end`, acting on scripts as they come.
  des::Process AwakeUntil(Tick end) {
    while (sim_.now() < end) {
      des::Wake w = co_await sim_.Until(end);
      if (!w.interrupted()) break;
      Note(w.interrupt->cause);
      co_await RunScripts();
      if (alarm_rang_ && phase_ == Phase::kPreSleep) break;
    }
  }

  des::Process Main() {
    current_ = StatePoint{0.0, Place::kAway, Posture::kStanding, kOutOfBed, false, Activity::kNone};
    Push();
    co_await WaitThrough(SecondsToTicks(bedtime_s_));
    Emit(EventKind::kBedtime);
    co_await WalkTo(door_, bedside_, tl_.physiology.behaviour.walk_speed_mps);
    const std::string& a = spec_.activity;
    const bool sitting = a == "reading" || a == "tv" || (a == "phone" && behaviour_rng_.Bernoulli(0.6));
    co_await GetIntoBed(sitting ? Posture::kSitting : DrawLyingPosture(behaviour_rng_), false);
    current_.activity = ActivityOf(a);
    Push();
    phase_ = Phase::kPreSleep;
    pending_scripts_.clear();  // scripts timed before bedtime make no sense in bed
    co_await AwakeUntil(sim_.now() + SecondsToTicks(activity_s_));

    if (!alarm_rang_) {
      current_.activity = Activity::kNone;
      current_.intent = true;
      Push();
      if (current_.posture == Posture::kSitting) ChangePosture(DrawLyingPosture(behaviour_rng_), 4.0, 0.7);
      tl_.lights_out_s = Now();
      Emit(EventKind::kLightsOut);
      phase_ = Phase::kSleep;
      co_await Sleep();
    }
    co_await FinalWake();
  }

  // Lights out to the final awakening.
  des::Process Sleep() {
    int previous = kWake;
    bool asleep = false;
    Tick onset = 0;
    Tick bout_end = NextBoundary(sim_.now()) + epoch_ * model_.DrawOnsetLatencyEpochs();
    int bout_stage = kWake;
    bool trip_pending = false;
    for (;;) {
      des::Wake w = co_await sim_.Until(bout_end);
      if (w.interrupted()) {
        const std::string cause = w.interrupt->cause;
        if (cause == "alarm") {
          alarm_rang_ = true;
          co_return;
        }
        if (cause == "restroom") trip_pending = true;
        Note(cause);
        // N3 is hard to wake from: a natural wake waits for the bout to end; anything
        // else ends the bout at the next epoch boundary.
        const bool turn_only = !trip_pending && !natural_due_ && !pending_scripts_.empty() &&
                               std::all_of(pending_scripts_.begin(), pending_scripts_.end(), [&](std::size_t i) {
                                 return spec_.events[i].kind == ScriptedEvent::Kind::kTurnOver;
                               });
        if (turn_only) {
          co_await RunScripts();
        } else if (!(natural_due_ && !trip_pending && pending_scripts_.empty() && bout_stage == kN3)) {
          bout_end = std::min(bout_end, NextBoundary(sim_.now()));
        }
        continue;
      }
      if (WakeDue()) co_return;
      if (trip_pending || !pending_scripts_.empty()) {
        script_disturbed_sleep_ = false;
        if (trip_pending) {
          trip_pending = false;
          SetStage(kWake);
          co_await Trip(trip_away_s_[std::min(trips_done_++, trip_away_s_.size() - 1)], true,
                        EventKind::kRestroomTrip, "urge");
          script_disturbed_sleep_ = true;
        }
        co_await RunScripts();
        if (WakeDue()) co_return;
        if (script_disturbed_sleep_) {
          // Back in bed awake: fall asleep again, starting on the epoch grid.
          SetStage(kWake);
          bout_stage = previous = kWake;
          bout_end = NextBoundary(sim_.now()) + epoch_ * model_.DrawReturnLatencyEpochs();
          continue;
        }
      }
      if (!asleep) {
        asleep = true;
        onset = sim_.now();
        Emit(EventKind::kSleepOnset);
      }
      const int epoch_since_onset = static_cast<int>((sim_.now() - onset) / epoch_);
      const StageBout bout = model_.Next(epoch_since_onset, previous);
      SetStage(bout.stage);
      if (bout.awakening) Emit(EventKind::kAwakening, bout.epochs * TicksToSeconds(epoch_), 0, "spontaneous");
      previous = bout_stage = bout.stage;
      bout_end = sim_.now() + epoch_ * bout.epochs;
    }
  }

  des::Process FinalWake() {
    phase_ = Phase::kFinalWake;
    if (alarm_rang_) Emit(EventKind::kAlarm);
    Emit(EventKind::kFinalAwakening, 0, 0, alarm_rang_ ? "alarm" : "natural");
    current_.intent = false;
    current_.activity = Activity::kNone;
    if (current_.place == Place::kInBed) SetStage(kWake);
    Push();
    co_await AwakeUntil(sim_.now() + SecondsToTicks(out_of_bed_after_s_));
    if (current_.place == Place::kInBed) {
      co_await LeaveBed();
      co_await WalkTo(bedside_, door_, tl_.physiology.behaviour.walk_speed_mps);
    }
    current_.place = Place::kAway;
    current_.stage = kOutOfBed;
    Push();
    tl_.rise_s = Now();
    Emit(EventKind::kRise);
    phase_ = Phase::kGone;
  }

  // Posture shifts, limb movements, REM twitches and fidgeting, by thinning a
  // Poisson process at a bounding rate with state-dependent acceptance.
  des::Process Movements() {
    const double shift_per_h = tl_.physiology.behaviour.turnover_per_hour / kChangingShiftFraction;
    constexpr double kLimbPerH = 4.0, kTwitchPerH = 24.0, kFidgetPerH = 40.0;
    const double max_per_h = shift_per_h * 2.4 + kLimbPerH * 2.4 + kTwitchPerH + kFidgetPerH;
    for (;;) {
      const double wait_s = move_rng_.Exponential(max_per_h / 3600.0);
      const double u = move_rng_.Uniform01() * max_per_h;
      co_await sim_.Timeout(SecondsToTicks(wait_s));
      if (phase_ == Phase::kGone) co_return;
      if (current_.place != Place::kInBed) continue;
      if (!tl_.movements.empty() && tl_.movements.back().t0_s + tl_.movements.back().duration_s > Now()) continue;
      if (current_.posture == Posture::kSitting) {
        if (u < kFidgetPerH) AddMovement(MovementKind::kFidget, move_rng_.Uniform(0.8, 3.0), 0.15, 0.03, current_.posture, current_.posture);
        continue;
      }
      const int stage = std::max(0, current_.stage);
      const double w = kShiftStageWeight[static_cast<std::size_t>(stage)];
      const double shift = shift_per_h * w, limb = kLimbPerH * w, twitch = stage == kRem ? kTwitchPerH : 0.0;
      if (u < shift) {
        ChangePosture(DrawLyingPosture(move_rng_), move_rng_.Uniform(kTurnOverMinS, kTurnOverMaxS),
                      move_rng_.Uniform(0.5, 1.0));
      } else if (u < shift + limb) {
        AddMovement(MovementKind::kLimb, move_rng_.Uniform(1.0, 4.0), move_rng_.Uniform(0.15, 0.4),
                    move_rng_.Uniform(0.01, 0.04), current_.posture, current_.posture);
      } else if (u < shift + limb + twitch) {
        AddMovement(MovementKind::kTwitch, move_rng_.Uniform(0.2, 0.6), 0.05, move_rng_.Uniform(0.002, 0.006),
                    current_.posture, current_.posture);
      }
    }
  }

  // What the pre-sleep activity itself does with the hands and arms, sitting or lying:
  // scrolling and re-gripping a phone, turning pages, reaching for the remote. A stream
  // of its own, so the night's other movements keep their draws. Start runs it only for
  // phone, reading and TV.
  des::Process Handling() {
    const Activity activity = ActivityOf(spec_.activity);
    // Mean rate (per hour), limb excursion (m) and motion of one handling movement.
    const double per_h = activity == Activity::kPhone ? kPhoneHandlingPerH
                         : activity == Activity::kReading ? kReadingHandlingPerH
                                                          : kTvHandlingPerH;
    const double limb_lo_m = activity == Activity::kReading ? 0.03 : 0.01;
    const double limb_hi_m = activity == Activity::kReading ? 0.08 : 0.04;
    for (;;) {
      const double wait_s = handling_rng_.Exponential(per_h / 3600.0);
      const double duration_s = handling_rng_.Uniform(0.6, 2.5);
      const double motion = handling_rng_.Uniform(0.05, 0.2);
      const double limb_m = handling_rng_.Uniform(limb_lo_m, limb_hi_m);
      co_await sim_.Timeout(SecondsToTicks(wait_s));
      if (phase_ == Phase::kGone || phase_ == Phase::kSleep) co_return;
      if (phase_ != Phase::kPreSleep || current_.activity != activity || current_.place != Place::kInBed) continue;
      if (!tl_.movements.empty() && tl_.movements.back().t0_s + tl_.movements.back().duration_s > Now()) continue;
      AddMovement(MovementKind::kFidget, duration_s, motion, limb_m, current_.posture, current_.posture);
    }
  }

  // Apneas at the configured AHI: more in REM and on the back, fewer in N3.
  des::Process Apneas() {
    const BehaviourParams& b = tl_.physiology.behaviour;
    constexpr double kMaxFactor = 3.6;
    for (;;) {
      co_await sim_.Timeout(SecondsToTicks(apnea_rng_.Exponential(b.ahi * kMaxFactor / 3600.0)));
      const double u = apnea_rng_.Uniform01();
      const double duration_s = std::clamp(10.0 + apnea_rng_.Gamma(2.0, 6.0), 10.0, 40.0);
      const bool central = apnea_rng_.Bernoulli(b.central_fraction);
      if (phase_ == Phase::kGone) co_return;
      const int stage = current_.stage;
      if (current_.place != Place::kInBed || stage < kN1) continue;
      const double stage_factor = stage == kRem ? 1.6 : stage == kN3 ? 0.5 : 1.0;
      const double posture_factor = current_.posture == Posture::kBack ? 1.5 : 0.8;
      if (u * kMaxFactor >= stage_factor * posture_factor) continue;
      tl_.apneas.push_back({Now(), duration_s, central});
      Emit(EventKind::kApnea, duration_s, central ? 1 : 0, central ? "central" : "obstructive");
      // The event and the recovery breaths that end it.
      co_await sim_.Timeout(SecondsToTicks(duration_s + 8.0));
    }
  }

  const PersonSpec& spec_;
  Tick epoch_;
  SleepStageModel model_;
  RandomStream behaviour_rng_, move_rng_, handling_rng_, apnea_rng_;
  Eigen::Vector2d door_{0, 0}, bedside_{0, 0};
  double bedtime_s_{0}, activity_s_{0}, out_of_bed_after_s_{0}, planned_wake_s_{0};
  std::optional<double> alarm_s_, natural_wake_s_;
  std::vector<double> urges_s_, trip_away_s_;
  std::size_t trips_done_{0};
  des::ProcessHandle main_;
  Phase phase_{Phase::kAway};
  bool alarm_rang_{false}, natural_due_{false}, script_disturbed_sleep_{false};
  std::deque<std::size_t> pending_scripts_;
};

// ---- Pets ----------------------------------------------------------------------

class PetActor final : public Actor {
 public:
  PetActor(des::Simulation& sim, BodyTimeline& tl, const Scenario& scenario, const PetSpec& spec, std::uint64_t seed)
      : Actor(sim, tl), rng_(seed, spec.id, "pet"), move_rng_(seed, spec.id, "movement") {
    const BedSpec& bed = scenario.room.bed;
    door_ = {scenario.room.door.x_m, scenario.room.door.y_m};
    Eigen::Vector2d spot{bed.center_x_m, bed.head_y_m + bed.length_m - 0.3};  // "foot"
    if (spec.spot == "between") spot = {bed.center_x_m, bed.head_y_m + 0.9};
    if (spec.spot == "left") spot = {bed.center_x_m - bed.width_m / 2 + 0.2, bed.head_y_m + 1.1};
    if (spec.spot == "right") spot = {bed.center_x_m + bed.width_m / 2 - 0.2, bed.head_y_m + 1.1};
    tl.bed_torso_m = {spot.x(), spot.y(), bed.height_m + 0.08};
    tl.heading_in_bed_rad = rng_.Uniform(-std::numbers::pi, std::numbers::pi);
    // Floor point next to the spot, on the side nearest to it.
    floor_spot_ = {spot.x() < bed.center_x_m ? bed.center_x_m - bed.width_m / 2 - 0.3
                                             : bed.center_x_m + bed.width_m / 2 + 0.3,
                   spot.y()};
    for (const PetVisit& v : spec.visits) {
      if (v.to_s > v.from_s) visits_.push_back({v.from_s, v.to_s});
    }
    const std::int64_t n = spec.visits_per_night > 0 ? rng_.Poisson(spec.visits_per_night) : 0;
    for (std::int64_t i = 0; i < n; ++i) {
      const double from = rng_.Uniform(0.0, scenario.night.duration_s);
      visits_.push_back({from, from + rng_.Exponential(1.0 / std::max(60.0, spec.mean_stay_s))});
    }
    std::sort(visits_.begin(), visits_.end());
    // Overlapping visits are one stay.
    std::vector<std::pair<double, double>> merged;
    for (const auto& v : visits_) {
      if (!merged.empty() && v.first <= merged.back().second + 30.0) {
        merged.back().second = std::max(merged.back().second, v.second);
      } else {
        merged.push_back(v);
      }
    }
    visits_ = std::move(merged);
  }

  void Start(int priority) {
    sim_.StartAt(0, Main(), "pet:" + tl_.spec.id, priority);
    sim_.StartAt(0, Movements(), "pet-movement:" + tl_.spec.id, priority);
  }

 private:
  des::Process Main() {
    current_ = StatePoint{0.0, Place::kAway, Posture::kStanding, 0, false, Activity::kNone};
    Push();
    for (const auto& [from_s, to_s] : visits_) {
      if (from_s < Now()) continue;  // swallowed by the previous stay's walk
      co_await WaitThrough(SecondsToTicks(from_s));
      co_await WalkTo(door_, floor_spot_, tl_.physiology.behaviour.walk_speed_mps);
      AddMovement(MovementKind::kGetUpDown, 1.5, 0.8, 0.05, Posture::kStanding, Posture::kLeftSide);
      current_.place = Place::kInBed;
      current_.posture = rng_.Bernoulli(0.5) ? Posture::kLeftSide : Posture::kRightSide;
      current_.stage = 0;
      Push();
      const double on_s = Now();
      // Settles, then dozes: awake for a few minutes, asleep after.
      const double settle_s = rng_.Uniform(60.0, 600.0);
      const Tick off = SecondsToTicks(std::max(on_s + 5.0, to_s));
      if (sim_.now() + SecondsToTicks(settle_s) < off) {
        co_await WaitThrough(sim_.now() + SecondsToTicks(settle_s));
        current_.stage = 2;
        Push();
      }
      co_await WaitThrough(off);
      tl_.events.push_back({on_s, tl_.spec.id, EventKind::kPetOnBed, Now() - on_s, 0, ""});
      AddMovement(MovementKind::kGetUpDown, 1.0, 0.8, 0.05, current_.posture, Posture::kStanding);
      Emit(EventKind::kPetOffBed);
      current_.stage = 0;
      co_await WalkTo(floor_spot_, door_, tl_.physiology.behaviour.walk_speed_mps);
      current_.place = Place::kAway;
      Push();
    }
    done_ = true;
  }

  des::Process Movements() {
    for (;;) {
      co_await sim_.Timeout(SecondsToTicks(move_rng_.Exponential(12.0 / 3600.0)));
      const double u = move_rng_.Uniform01();
      const double duration_s = move_rng_.Uniform(1.0, 6.0);
      if (done_) co_return;
      if (current_.place != Place::kInBed) continue;
      // Awake pets groom and shift often; asleep they mostly lie still.
      if (u < (current_.stage == 0 ? 0.8 : 0.2)) {
        AddMovement(MovementKind::kLimb, duration_s, 0.3, 0.02, current_.posture, current_.posture);
      }
    }
  }

  RandomStream rng_, move_rng_;
  Eigen::Vector2d door_{0, 0}, floor_spot_{0, 0};
  std::vector<std::pair<double, double>> visits_;
  bool done_{false};
};

// Priorities break ties between bodies at the same tick by a stable key (the body
// id), never by the order in which the scenario lists them.
int PriorityOf(const std::string& id) { return static_cast<int>(StableId(id) & 0x3fffffff); }

}  // namespace

std::vector<int> PersonTruth::StageCodes() const {
  std::vector<int> codes;
  codes.reserve(epochs.size());
  for (const auto& e : epochs) codes.push_back(e.stage);
  return codes;
}

MeasureOptions PersonTruth::MeasureWindow(double epoch_s) const {
  MeasureOptions o;
  o.epoch_s = epoch_s;
  o.lights_out_epoch = lights_out_epoch.value_or(epochs.size());
  o.rise_epoch = std::max(o.lights_out_epoch, rise_epoch.value_or(epochs.size()));
  return o;
}

Night SimulateNight(const Scenario& scenario, std::uint64_t seed, const NightOptions& options) {
  if (!(scenario.night.epoch_s > 0) || scenario.night.duration_s < scenario.night.epoch_s) {
    throw std::invalid_argument("SimulateNight: the night must last at least one epoch");
  }
  std::set<std::string> ids;
  for (const auto& p : scenario.people) {
    if (p.id.empty() || !ids.insert(p.id).second) throw std::invalid_argument("SimulateNight: empty or duplicate id '" + p.id + "'");
  }
  for (const auto& p : scenario.pets) {
    if (p.id.empty() || !ids.insert(p.id).second) throw std::invalid_argument("SimulateNight: empty or duplicate id '" + p.id + "'");
  }

  Night night;
  night.seed = seed;
  night.duration_s = scenario.night.duration_s;
  night.epoch_s = scenario.night.epoch_s;
  night.bodies.resize(scenario.people.size() + scenario.pets.size());
  {
    des::Simulation sim;
    std::vector<std::unique_ptr<PersonActor>> people;
    std::vector<std::unique_ptr<PetActor>> pets;
    for (std::size_t i = 0; i < scenario.people.size(); ++i) {
      const PersonSpec& spec = scenario.people[i];
      BodyTimeline& tl = night.bodies[i];
      tl.spec = {spec.id, BodyKind::kPerson, spec.height_m, spec.mass_kg};
      tl.is_person = true;
      tl.physiology = ResolvePersonPhysiology(spec);
      tl.seed = seed;
      people.push_back(std::make_unique<PersonActor>(sim, tl, scenario, spec, seed));
      people.back()->Start(PriorityOf(spec.id));
    }
    for (std::size_t i = 0; i < scenario.pets.size(); ++i) {
      const PetSpec& spec = scenario.pets[i];
      BodyTimeline& tl = night.bodies[scenario.people.size() + i];
      tl.spec = {spec.id, spec.kind == "dog" ? BodyKind::kDog : BodyKind::kCat, spec.kind == "dog" ? 0.9 : 0.45,
                 spec.mass_kg};
      tl.is_person = false;
      tl.physiology = ResolvePetPhysiology(spec);
      tl.seed = seed;
      pets.push_back(std::make_unique<PetActor>(sim, tl, scenario, spec, seed));
      pets.back()->Start(PriorityOf(spec.id));
    }
    sim.RunUntil(SecondsToTicks(scenario.night.duration_s));
  }

  for (std::size_t b = 0; b < night.bodies.size(); ++b) {
    BodyTimeline& tl = night.bodies[b];
    // Anything decided past the end of the night is not part of it.
    const double end = night.duration_s;
    std::erase_if(tl.events, [&](const TruthEvent& e) { return e.t_s > end; });
    std::stable_sort(tl.events.begin(), tl.events.end(),
                     [](const TruthEvent& a, const TruthEvent& c) { return a.t_s < c.t_s; });
    if (tl.rise_s > end) tl.rise_s = -1;
  }
  if (options.epoch_truth) {
    for (std::size_t i = 0; i < scenario.people.size(); ++i) {
      night.people.push_back(BuildPersonTruth(night.bodies[i], scenario));
    }
  }
  for (const auto& tl : night.bodies) night.events.insert(night.events.end(), tl.events.begin(), tl.events.end());
  // Bodies were appended in body order, so a stable sort by time keeps body order on ties.
  std::stable_sort(night.events.begin(), night.events.end(),
                   [](const TruthEvent& a, const TruthEvent& c) { return a.t_s < c.t_s; });
  return night;
}

}  // namespace nightsim::sleepers
