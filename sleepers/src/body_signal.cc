#include "sleepers/body_signal.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <stdexcept>

#include "placement.h"
#include "sleepers/sleep_measures.h"

namespace nightsim::sleepers {
namespace {

// Per-stage breathing of adults, indexed W, N1, N2, N3, REM (docs/design.md §4;
// sources: Douglas et al. 1982, Krieger 1990, Tobin et al. 1983).
// Rate relative to wake: NREM slightly faster, N3/REM ≈ 0.93.
constexpr std::array<double, 5> kRateFactor = {1.00, 1.03, 1.04, 1.02, 1.10};
// Tidal excursion relative to wake: NREM ventilation 7.18 / 7.66 L/min with the
// faster rate; REM tidal volume ≈ 73 % of wake; N3 the deepest sleep stage.
constexpr std::array<double, 5> kDepthFactor = {1.00, 0.90, 0.90, 0.95, 0.73};
// SD of log breath interval: wake and REM irregular, N3 most regular.
constexpr std::array<double, 5> kIntervalSd = {0.14, 0.11, 0.075, 0.05, 0.16};
// SD of log breath depth.
constexpr std::array<double, 5> kDepthSd = {0.20, 0.15, 0.11, 0.07, 0.22};
// Weights of the fast / minute-scale / multi-minute AR(1) components of the interval
// noise: REM's intervals carry long-range correlation, NREM's are nearly white.
constexpr std::array<std::array<double, 3>, 5> kMemoryWeights = {{
    {0.70, 0.50, 0.50}, {0.80, 0.45, 0.35}, {0.85, 0.45, 0.25}, {0.90, 0.40, 0.15}, {0.45, 0.60, 0.80}}};
// Abdominal share of the excursion: ≈ 55 % in REM (intercostal atonia), ≈ 38 % in N3.
constexpr std::array<double, 5> kAbdominalShare = {0.45, 0.44, 0.42, 0.38, 0.55};
// Chance that a breath is a sigh.
// How strongly the slow per-body drift of rate and depth shows through: breathing
// in N3 is stable over minutes, wake and REM wander.
constexpr std::array<double, 5> kDriftScale = {1.0, 0.9, 0.8, 0.5, 1.0};
constexpr std::array<double, 5> kSighProbability = {1.0 / 90, 1.0 / 200, 1.0 / 350, 1.0 / 700, 1.0 / 200};
// Heart rate relative to REM (docs/design.md §4): wake 1.06, light 0.98, deep 0.99.
constexpr std::array<double, 5> kHeartFactor = {1.06, 0.98, 0.98, 0.99, 1.00};

// AR(1) coefficients per breath: ≈ 1.5 breaths, ≈ 7 breaths, ≈ 65 breaths (4 min).
constexpr double kPhiFast = 0.35, kPhiMid = 0.85, kPhiSlow = 0.985;
constexpr double kDriftTimeS = 240.0;   // per-body slow drift of rate and depth
constexpr double kDriftRateSd = 0.07, kDriftDepthSd = 0.12;
constexpr double kMaxExcursionM = 11.5e-3;

std::size_t StageIndex(int stage) { return stage >= kN1 && stage <= kRem ? static_cast<std::size_t>(stage) : 0; }

double Ar1(double x, double phi, double innovation) { return phi * x + std::sqrt(1.0 - phi * phi) * innovation; }

// Normalized breath shape, 0 at end-expiration, 1 at end-inspiration: a raised-cosine
// inhalation, a passive exponential recoil, then the end-expiratory pause.
double BreathShape(double tau_s, double inhale_s, double exhale_s) {
  if (tau_s <= 0) return 0.0;
  if (tau_s < inhale_s) return 0.5 * (1.0 - std::cos(std::numbers::pi * tau_s / inhale_s));
  const double u = (tau_s - inhale_s) / exhale_s;
  if (u >= 1.0) return 0.0;
  constexpr double k = 3.0;
  static const double kTail = std::exp(-k);
  return (std::exp(-k * u) - kTail) / (1.0 - kTail);
}

double SmoothStep01(double u) {
  u = std::clamp(u, 0.0, 1.0);
  return u * u * (3.0 - 2.0 * u);
}

}  // namespace

BreathGenerator::BreathGenerator(const BodyTimeline& timeline, RandomStream stream)
    : tl_(&timeline), rng_(std::move(stream)) {
  // Start mid-breath so that t = 0 falls at a random phase; start the slow processes
  // from their stationary distributions.
  t_s_ = -rng_.Uniform(0.0, 60.0 / tl_->physiology.breathing.rate_bpm);
  ar_fast_ = rng_.Normal();
  ar_mid_ = rng_.Normal();
  ar_slow_ = rng_.Normal();
  ar_depth_ = rng_.Normal();
  drift_rate_ = rng_.Normal(0.0, kDriftRateSd);
  drift_depth_ = rng_.Normal(0.0, kDriftDepthSd);
}

Breath BreathGenerator::Next() {
  const BodyTimeline& tl = *tl_;
  const BreathingParams& bp = tl.physiology.breathing;
  detail::AdvanceState(tl, state_index_, t_s_);
  const StatePoint& s = tl.states.empty() ? StatePoint{} : tl.states[state_index_];
  const bool asleep_stage = bp.pet ? s.stage == 2 : (s.stage >= kN1 && s.place == Place::kInBed);
  const std::size_t k = bp.pet ? (s.stage == 2 ? 2 : 0) : (asleep_stage ? StageIndex(s.stage) : 0);

  // Every breath consumes the same number of draws, whatever happens to it, so the
  // sequence of random numbers never depends on the timeline's details.
  const double e_fast = rng_.Normal(), e_mid = rng_.Normal(), e_slow = rng_.Normal(), e_depth = rng_.Normal();
  const double e_drift_rate = rng_.Normal(), e_drift_depth = rng_.Normal();
  const double e_ti = rng_.Normal(), e_te = rng_.Normal(), e_share = rng_.Normal();
  const double u_sigh = rng_.Uniform01(), u_pause = rng_.Uniform01();

  double rate_bpm = bp.rate_bpm;
  double depth = 1.0;
  double share = kAbdominalShare[k] + bp.abdominal_offset;
  if (bp.pet) {
    rate_bpm *= s.stage == 2 ? 1.0 : 1.3;
    share = 0.6;
  } else {
    rate_bpm *= kRateFactor[k];
    depth *= kDepthFactor[k];
    if (s.place == Place::kWalking) {
      rate_bpm *= 1.35;
      depth *= 1.3;
    } else if (s.posture == Posture::kSitting) {
      rate_bpm *= 1.05;
      share -= 0.08;  // upright: more ribcage
    }
  }

  const auto& w = kMemoryWeights[k];
  const double norm = std::sqrt(w[0] * w[0] + w[1] * w[1] + w[2] * w[2]);
  ar_fast_ = Ar1(ar_fast_, kPhiFast, e_fast);
  ar_mid_ = Ar1(ar_mid_, kPhiMid, e_mid);
  ar_slow_ = Ar1(ar_slow_, kPhiSlow, e_slow);
  ar_depth_ = Ar1(ar_depth_, 0.5, e_depth);
  const double noise = (w[0] * ar_fast_ + w[1] * ar_mid_ + w[2] * ar_slow_) / norm;
  const double sd = bp.variability * (bp.pet ? 0.08 : kIntervalSd[k]);
  const double drift_scale = bp.pet ? 1.0 : kDriftScale[k];
  double period_s = 60.0 / rate_bpm * std::exp(-drift_scale * drift_rate_ + sd * noise);
  period_s = std::clamp(period_s, bp.pet ? 1.0 : 1.5, bp.pet ? 6.0 : 12.0);
  const double depth_sd = bp.variability * (bp.pet ? 0.1 : kDepthSd[k]);
  double amplitude_m = bp.tidal_pp_m * depth * std::exp(drift_scale * drift_depth_ + depth_sd * ar_depth_);
  // Slow drifts evolve in time, not in breaths.
  const double rho = std::exp(-period_s / kDriftTimeS);
  drift_rate_ = rho * drift_rate_ + std::sqrt(1 - rho * rho) * kDriftRateSd * e_drift_rate;
  drift_depth_ = rho * drift_depth_ + std::sqrt(1 - rho * rho) * kDriftDepthSd * e_drift_depth;
  share = std::clamp(share + 0.03 * e_share, 0.2, 0.8);

  Breath b;
  b.t0_s = t_s_;
  b.stage = s.stage;
  double inhale_frac = std::clamp(0.36 + 0.02 * e_ti, 0.28, 0.45);  // I:E ≈ 1:1.5–2 with the pause
  double exhale_frac = std::clamp(0.44 + 0.03 * e_te, 0.35, 0.55);

  while (apnea_index_ < tl.apneas.size() && tl.apneas[apnea_index_].t0_s + tl.apneas[apnea_index_].duration_s <= t_s_) {
    ++apnea_index_;
  }
  const bool in_apnea = apnea_index_ < tl.apneas.size() && tl.apneas[apnea_index_].t0_s <= t_s_ &&
                        s.place == Place::kInBed;
  if (in_apnea) {
    const Apnea& a = tl.apneas[apnea_index_];
    b.apnea = true;
    recovery_breaths_ = 3;
    if (a.central) {
      // No effort until the event ends.
      period_s = std::max(1.0, a.t0_s + a.duration_s - t_s_);
      amplitude_m = 0;
    } else {
      // Effort against a closed airway grows through the event; ribcage and abdomen
      // move in opposite directions (paradoxical breathing).
      const double g = 0.6 + 0.8 * std::clamp((t_s_ - a.t0_s) / a.duration_s, 0.0, 1.0);
      b.chest_pp_m = -0.5 * amplitude_m * (1 - share) * g;
      b.abdomen_pp_m = amplitude_m * share * g;
    }
  } else if (recovery_breaths_ > 0) {
    // Arousal at the end of an event: large, fast recovery breaths.
    static constexpr std::array<double, 4> kRecovery = {1.0, 1.2, 1.5, 2.0};
    amplitude_m *= kRecovery[static_cast<std::size_t>(recovery_breaths_)];
    period_s *= 0.85;
    --recovery_breaths_;
  } else if (u_sigh < kSighProbability[k]) {
    b.sigh = true;
    amplitude_m *= 2.0;
    inhale_frac = std::min(0.5, inhale_frac * 1.3);
    period_s *= 1.7;
    extra_pause_s_ = 2.0 + 4.0 * u_pause;  // the post-sigh pause
  }
  if (!b.apnea) {
    // Chest-wall excursion seen from the front stays within ≈ 12 mm even in a sigh.
    b.chest_pp_m = std::min(amplitude_m * (1 - share), kMaxExcursionM);
    b.abdomen_pp_m = std::min(amplitude_m * share, kMaxExcursionM);
  }
  b.inhale_s = inhale_frac * period_s;
  b.exhale_s = exhale_frac * period_s;
  if (b.sigh) {
    b.exhale_s = (1.0 - inhale_frac) * period_s * 0.8;
    period_s += extra_pause_s_;
    extra_pause_s_ = 0;
  }
  b.period_s = period_s;
  t_s_ += period_s;
  return b;
}

BodySignal::BodySignal(const BodyTimeline& timeline)
    : tl_(&timeline),
      breaths_(timeline, RandomStream(timeline.seed, timeline.spec.id, "breathing")),
      heart_rng_(timeline.seed, timeline.spec.id, "heart") {
  if (timeline.states.empty()) throw std::invalid_argument("BodySignal: empty timeline");
  breath_ = breaths_.Next();
  beat_period_s_ = 60.0 / tl_->physiology.heart.rate_bpm;
  beat_t0_s_ = -heart_rng_.Uniform(0.0, beat_period_s_);
  beat_ar_ = heart_rng_.Normal();
}

void BodySignal::UpdatePlace(double t_s) {
  const BodyTimeline& tl = *tl_;
  detail::AdvanceState(tl, state_index_, t_s);
  detail::AdvanceWalk(tl, walk_index_, t_s);
  const StatePoint& s = tl.states[state_index_];
  state_.in_room = s.place != Place::kAway;
  state_.in_bed = s.place == Place::kInBed;
  state_.posture = s.posture;
  detail::Locate(tl, s, walk_index_, t_s, &state_.torso_m, &state_.heading_rad);

  state_.from_posture = s.posture;
  state_.transition = 1.0;
  state_.motion = 0.0;
  state_.limb_m = 0.0;
  if (s.place == Place::kWalking && !tl.walks.empty()) {
    const Walk& w = tl.walks[walk_index_];
    state_.motion = t_s < w.t1_s && w.from_m != w.to_m ? 0.7 : 0.1;
  }
  const auto& moves = tl.movements;
  while (movement_index_ < moves.size() && moves[movement_index_].t0_s + moves[movement_index_].duration_s < t_s) {
    ++movement_index_;
  }
  for (std::size_t i = movement_index_; i < moves.size() && moves[i].t0_s <= t_s; ++i) {
    const Movement& m = moves[i];
    const double u = (t_s - m.t0_s) / m.duration_s;
    if (u > 1.0) continue;
    const double envelope = std::sin(std::numbers::pi * u);
    state_.motion = std::max(state_.motion, m.motion * envelope);
    state_.limb_m = std::max(state_.limb_m, m.limb_m * envelope);
    if (m.kind == MovementKind::kTurnOver && m.to == s.posture) {
      state_.from_posture = m.from;
      state_.transition = SmoothStep01(u);
    }
  }
}

const BodyState& BodySignal::At(double t_s) {
  if (t_s < last_t_s_) throw std::invalid_argument("BodySignal::At: time went backwards");
  last_t_s_ = t_s;
  while (t_s >= breath_.t0_s + breath_.period_s) breath_ = breaths_.Next();
  while (t_s >= beat_t0_s_ + beat_period_s_) {
    beat_t0_s_ += beat_period_s_;
    detail::AdvanceState(*tl_, state_index_, beat_t0_s_);
    const StatePoint& s = tl_->states[state_index_];
    double rate = tl_->physiology.heart.rate_bpm;
    if (tl_->is_person) {
      rate *= kHeartFactor[s.place == Place::kInBed ? StageIndex(s.stage) : 0];
      if (s.place == Place::kWalking) rate *= 1.25;
      if (s.posture == Posture::kSitting) rate *= 1.04;
    }
    beat_ar_ = Ar1(beat_ar_, 0.9, heart_rng_.Normal());
    // Respiratory sinus arrhythmia: shorter beats during inhalation.
    const double breath_phase = (beat_t0_s_ - breath_.t0_s) / breath_.period_s;
    const double rsa = 0.04 * std::sin(2.0 * std::numbers::pi * breath_phase);
    beat_period_s_ = std::clamp(60.0 / rate * (1.0 + 0.03 * beat_ar_ - rsa), 0.25, 2.0);
  }
  UpdatePlace(t_s);

  const double w = BreathShape(t_s - breath_.t0_s, breath_.inhale_s, breath_.exhale_s);
  state_.chest_m = breath_.chest_pp_m * w;
  state_.abdomen_m = breath_.abdomen_pp_m * w;
  // Apex beat: a sharp outward pulse then a smaller inward one.
  const double tau = t_s - beat_t0_s_;
  if (tau < 0.45) {
    const double a = (tau - 0.08) / 0.035, b = (tau - 0.22) / 0.05;
    state_.heart_m = tl_->physiology.heart.pp_m * (std::exp(-a * a) - 0.45 * std::exp(-b * b));
  } else {
    state_.heart_m = 0.0;
  }
  return state_;
}

}  // namespace nightsim::sleepers
