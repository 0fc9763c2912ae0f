#pragma once
/// \file
/// One night end to end (docs/design.md §1): scenario → sleepers → physics → pipeline,
/// with the truth recorded alongside and the scorer joining the two at the end.
/// The pipeline receives the radar's own configuration, the app settings and the
/// frames — nothing else.

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "core/scenario.h"
#include "frame/pipeline_api.h"
#include "harness/metrics.h"
#include "harness/truth.h"
#include "pipeline/sleep_pipeline.h"
#include "sleepers/night.h"

namespace nightsim::harness {

/// How to run a night.
struct RunOptions {
  std::uint64_t seed{1};                  ///< run seed: every random stream derives from it
  RadarLevel level{RadarLevel::kRange};   ///< what physics synthesizes (the pipeline reads range or raw)
};

/// Receives every frame as synthesized (for exporting radar data), in order.
using FrameSink = std::function<void(const RadarFrame&)>;

/// Everything a run produced.
struct NightRun {
  Scenario scenario;
  std::uint64_t seed{0};
  RadarInfo radar;
  AppSettings settings;
  sleepers::Night night;                 ///< timelines and per-person truth
  NightTruth truth;                      ///< what the scorer needs
  std::vector<EpochEstimate> estimates;  ///< the pipeline's output
  std::vector<AlarmDecision> alarms;
  NightMetrics metrics;
  std::int64_t frames{0};
  double simulate_s{0};                  ///< wall time of the frame loop
};

/// The app settings a user of `scenario` would have configured.
AppSettings SettingsFor(const Scenario& scenario);

/// nightsim's own pipeline as `nightsim run` uses it: SleepPipeline with the models of
/// DefaultModelsDir(). Throws InputError when they are missing.
std::unique_ptr<pipeline::SleepPipeline> MakeNightsimPipeline();

/// Runs `scenario` with `pipeline` (when null: MakeNightsimPipeline()); calls
/// `sink` with every frame when given. Throws std::invalid_argument for a scenario
/// the models reject.
NightRun RunNight(const Scenario& scenario, const RunOptions& options, Pipeline* pipeline = nullptr,
                  const FrameSink& sink = {});

/// Builds the scorer's truth from the simulated night: per-epoch stages and intent
/// from the sleepers model, in-room/in-bed and device-frame range/azimuth of every
/// body, the primary's breathing rate from its breaths, gross movement, restroom
/// trips and the ideal alarm moment. Independent of radar and pipeline, so
/// `nightsim score` can rebuild it for an exported night.
NightTruth BuildNightTruth(const Scenario& scenario, const sleepers::Night& night);

}  // namespace nightsim::harness
