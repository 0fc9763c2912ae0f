#pragma once
/// \file
/// Pipeline knobs a sweep file may set (`pipeline:` section): named, documented
/// settings of nightsim's own pipeline, so a sweep can compare configurations or
/// show a CI gate firing on a deliberately weakened one.
///
/// Names are `<stage config>.<field>` paths into the pipeline's config structs,
/// e.g. `tracking.detect_snr_db`, `tracking.tracker.acquire_max_range_m`,
/// `tracking.presence.on_threshold`. Today every knob lives in
/// pipeline::TrackingConfig under the prefix `tracking.`; when a pipeline that
/// wraps TrackingPipeline with more stages (intent, staging) becomes the default,
/// its config gets a member in PipelineSettings, its fields a prefix of their own
/// in the knob table (harness/src/sweep_pipeline_knobs.cc), and MakePipeline()
/// builds it — sweep files naming `tracking.*` knobs keep working.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "frame/pipeline_api.h"
#include "pipeline/tracking_pipeline.h"

namespace nightsim::harness {

/// The configuration of nightsim's pipeline as a sweep sets it.
struct PipelineSettings {
  pipeline::TrackingConfig tracking;             ///< radar DSP, presence, tracking, respiration
  std::map<std::string, std::string> knobs;      ///< knobs set, name → value text (for hashes, reports)

  /// "name=value;name=value" in name order; "" when every setting is the default.
  std::string KnobsText() const;
};

/// A knob: its name, value type ("float", "int" or "word") and what it sets.
struct PipelineKnob {
  std::string name;
  std::string type;
  std::string description;
};

/// Every knob, in name order.
const std::vector<PipelineKnob>& PipelineKnobs();

/// Sets knob `name` to `value_text`. Returns "" on success, else what was wrong
/// (unknown name with the nearest one, a value of the wrong type); the settings
/// are unchanged then. Consistency across knobs is checked by ValidatePipeline().
std::string SetPipelineKnob(PipelineSettings* settings, const std::string& name, const std::string& value_text);

/// "" when the pipeline accepts the settings, else its message (naming the field).
std::string ValidatePipeline(const PipelineSettings& settings);

/// The pipeline for `settings`; nullptr when no knob is set, so RunNight() uses
/// nightsim's default pipeline. Throws std::invalid_argument for invalid settings.
std::unique_ptr<Pipeline> MakePipeline(const PipelineSettings& settings);

}  // namespace nightsim::harness
