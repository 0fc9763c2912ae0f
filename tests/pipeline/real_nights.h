#pragma once
/// \file
/// Test-only helper: short nights simulated end to end (sleepers → physics →
/// TrackingPipeline → scorer) for integration tests of the pipeline on real
/// synthesized frames. The pipeline still sees only frames, RadarInfo and
/// AppSettings; the truth stays in the harness's scorer. Header-only because
/// tests/CMakeLists.txt compiles only *_test.cc files.

#include <cstdint>
#include <limits>
#include <optional>
#include <string>

#include "harness/night_runner.h"
#include "harness/scenario_loader.h"
#include "pipeline/tracking_pipeline.h"

namespace nightsim::testing {

/// `yaml` extends the repository's scenarios/base_bedroom.yaml with
/// `extends: base_bedroom.yaml` (it is loaded as if it sat in scenarios/).
/// Runs it with seed `seed` through a TrackingPipeline with `config`.
inline harness::NightRun RunRealNight(const std::string& yaml, std::uint64_t seed,
                                      const pipeline::TrackingConfig& config = {}) {
  const Scenario scenario =
      harness::LoadScenarioText(yaml, std::string(NIGHTSIM_SOURCE_DIR) + "/scenarios/test_night.yaml");
  pipeline::TrackingPipeline pipeline(config);
  harness::RunOptions options;
  options.seed = seed;
  return harness::RunNight(scenario, options, &pipeline);
}

/// Metric `name` of a run; NaN when the scorer left it out (so a comparison fails
/// loudly instead of passing on a default).
inline double Metric(const harness::NightRun& run, const std::string& name) {
  const std::optional<double> v = run.metrics.metrics.Get(name);
  return v ? *v : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace nightsim::testing
