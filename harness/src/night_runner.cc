#include "harness/night_runner.h"

#include <chrono>
#include <cmath>
#include <limits>
#include <memory>
#include <stdexcept>

#include "harness/training.h"
#include "physics/antenna.h"
#include "physics/radar_simulator.h"
#include "pipeline/sleep_pipeline.h"
#include "sleepers/body_signal.h"

namespace nightsim::harness {
namespace {

// Geometry and breathing of the truth are sampled at this step (s): fine enough to
// see every breath (periods >= 1.5 s) and to average a body's position per epoch.
constexpr double kTruthStepS = 0.5;
// BodyState::motion above this counts as gross movement (turn-over, walking).
constexpr double kGrossMotion = 0.2;

int PrimaryIndex(const Scenario& s) {
  for (std::size_t i = 0; i < s.people.size(); ++i) {
    if (s.people[i].role == "primary") return static_cast<int>(i);
  }
  return -1;
}

BodyRole RoleOf(const Scenario& s, std::size_t body) {
  if (body >= s.people.size()) return BodyRole::kPet;
  return s.people[body].role == "primary" ? BodyRole::kPrimary : BodyRole::kPartner;
}

}  // namespace

AppSettings SettingsFor(const Scenario& scenario) {
  AppSettings s;
  s.bed_side = scenario.device.bed_side == "right" ? BedSide::kRight : BedSide::kLeft;
  s.alarm_s = scenario.device.alarm_s;
  s.smart_window_s = scenario.device.smart_window_s;
  s.epoch_s = scenario.night.epoch_s;
  s.night_start_clock_s = scenario.night.start_clock_s;
  return s;
}

NightTruth BuildNightTruth(const Scenario& scenario, const sleepers::Night& night) {
  const double epoch_s = scenario.night.epoch_s;
  const auto n = static_cast<std::size_t>(std::floor(scenario.night.duration_s / epoch_s));
  const physics::DevicePose pose = physics::DevicePose::From(scenario.device);
  const int primary = PrimaryIndex(scenario);

  NightTruth truth;
  truth.epoch_s = epoch_s;
  truth.primary.assign(n, PrimaryEpochTruth{});
  for (std::size_t b = 0; b < night.bodies.size(); ++b) {
    const sleepers::BodyTimeline& tl = night.bodies[b];
    BodyTruth body;
    body.id = tl.spec.id;
    body.role = RoleOf(scenario, b);
    body.epochs.assign(n, BodyEpochTruth{});

    sleepers::BodySignal signal(tl);
    std::vector<double> breath_periods_s;  // breaths starting in the current epoch
    double last_breath_t0 = -1e300;
    const int steps = static_cast<int>(std::lround(epoch_s / kTruthStepS));
    for (std::size_t e = 0; e < n; ++e) {
      int in_room = 0, in_bed = 0;
      bool moving = false;
      Eigen::Vector3d sum = Eigen::Vector3d::Zero();
      breath_periods_s.clear();
      bool apnea = false;
      for (int k = 0; k < steps; ++k) {
        const double t = static_cast<double>(e) * epoch_s + (k + 0.5) * kTruthStepS;
        const BodyState& st = signal.At(t);
        if (st.in_room) {
          ++in_room;
          sum += st.torso_m;
        }
        in_bed += st.in_bed;
        moving |= st.motion > kGrossMotion;
        const sleepers::Breath& br = signal.current_breath();
        if (br.t0_s != last_breath_t0) {
          last_breath_t0 = br.t0_s;
          if (br.apnea) apnea = true;
          else if (br.t0_s >= static_cast<double>(e) * epoch_s) breath_periods_s.push_back(br.period_s);
        }
      }
      BodyEpochTruth& row = body.epochs[e];
      row.in_room = 2 * in_room > steps;
      row.in_bed = 2 * in_bed > steps;
      if (in_room > 0) {
        const Eigen::Vector3d mean = sum / in_room;
        row.range_m = (mean - pose.origin_m).norm();
        double el = 0;
        pose.Angles(mean - pose.origin_m, &row.azimuth_rad, &el);
      }
      if (static_cast<int>(b) == primary) {
        PrimaryEpochTruth& p = truth.primary[e];
        const sleepers::PersonEpochTruth& pe = night.people[b].epochs[e];
        p.stage = row.in_bed ? (pe.stage < 0 ? 0 : pe.stage) : kYasaOutOfBed;
        p.in_bed = row.in_bed;
        p.in_zone = pe.in_zone;
        p.intent = pe.intent;
        p.gross_movement = moving;
        if (row.in_bed && !apnea && breath_periods_s.size() >= 2) {
          double total = 0;
          for (double d : breath_periods_s) total += d;
          p.resp_rate_bpm = 60.0 * static_cast<double>(breath_periods_s.size()) / total;
        }
      }
    }
    truth.bodies.push_back(std::move(body));
  }

  if (primary >= 0) {
    const sleepers::BodyTimeline& tl = night.bodies[static_cast<std::size_t>(primary)];
    if (tl.lights_out_s >= 0) truth.events.lights_out_s = tl.lights_out_s;
    std::optional<double> leave;
    for (const sleepers::TruthEvent& ev : tl.events) {
      switch (ev.kind) {
        case sleepers::EventKind::kSleepOnset:
          if (!truth.events.sleep_onset_s) truth.events.sleep_onset_s = ev.t_s;
          break;
        case sleepers::EventKind::kFinalAwakening: truth.events.final_awakening_s = ev.t_s; break;
        case sleepers::EventKind::kRestroomTrip: leave = ev.t_s; break;
        case sleepers::EventKind::kReturnToBed:
          if (leave) truth.events.restroom_trips.push_back({*leave, ev.t_s});
          leave.reset();
          break;
        default: break;
      }
    }
    if (scenario.device.alarm_s) {
      const double alarm_s = *scenario.device.alarm_s;
      const std::vector<int> stages = truth.PrimaryStages();
      truth.events.alarm =
          AlarmTruth{alarm_s, scenario.device.smart_window_s,
                     IdealAlarmS(stages, epoch_s, alarm_s, scenario.device.smart_window_s)};
    }
  }
  truth.Validate();
  return truth;
}

std::unique_ptr<pipeline::SleepPipeline> MakeNightsimPipeline() {
  return std::make_unique<pipeline::SleepPipeline>(SleepPipelineConfigFrom(DefaultModelsDir()));
}

NightRun RunNight(const Scenario& scenario, const RunOptions& options, Pipeline* pipeline, const FrameSink& sink) {
  NightRun run;
  run.scenario = scenario;
  run.seed = options.seed;
  run.night = sleepers::SimulateNight(scenario, options.seed);

  physics::RadarSimulator radar(scenario.room, scenario.device, options.seed,
                                physics::RadarSimulatorOptions{scenario.simulation});
  run.radar = radar.info();
  run.settings = SettingsFor(scenario);

  std::unique_ptr<Pipeline> own;
  if (pipeline == nullptr) {
    own = MakeNightsimPipeline();
    pipeline = own.get();
  }
  pipeline->Start(run.radar, run.settings);

  std::vector<BodySpec> specs;
  std::vector<sleepers::BodySignal> signals;
  signals.reserve(run.night.bodies.size());
  for (const auto& tl : run.night.bodies) {
    specs.push_back(tl.spec);
    signals.emplace_back(tl);
  }
  std::vector<BodyState> states(specs.size());

  // The pipeline reads range profiles (raw frames go through its own range FFT);
  // the stream level is derived from range frames downstream.
  const RadarLevel synth_level = options.level == RadarLevel::kRaw ? RadarLevel::kRaw : RadarLevel::kRange;
  const double fps = run.radar.frame_rate_hz;
  run.frames = static_cast<std::int64_t>(std::floor(scenario.night.duration_s * fps));
  RadarFrame frame;
  const auto t0 = std::chrono::steady_clock::now();
  for (std::int64_t i = 0; i < run.frames; ++i) {
    const double t_s = static_cast<double>(i) / fps;
    for (std::size_t b = 0; b < signals.size(); ++b) states[b] = signals[b].At(t_s);
    radar.SynthesizeFrame(i, specs, states, synth_level, &frame);
    if (sink) sink(frame);
    pipeline->OnFrame(frame, &run.estimates, &run.alarms);
  }
  pipeline->Finish(&run.estimates, &run.alarms);
  run.simulate_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  run.truth = BuildNightTruth(scenario, run.night);
  run.metrics = ScoreNight(run.truth, run.estimates, run.alarms);
  return run;
}

}  // namespace nightsim::harness
