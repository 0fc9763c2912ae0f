#include "harness/sweep_pipeline_knobs.h"

#include <fmt/core.h>

#include <algorithm>
#include <functional>
#include <stdexcept>

#include "scenario_detail.h"

namespace nightsim::harness {
namespace {

using Setter = std::function<std::string(PipelineSettings*, const std::string&)>;

struct KnobEntry {
  PipelineKnob knob;
  Setter set;
};

Setter Float(double pipeline::TrackingConfig::*field) {
  return [field](PipelineSettings* s, const std::string& text) -> std::string {
    const auto v = detail::ParseNumber(text);
    if (!v) return fmt::format("expected a number, got '{}'", text);
    s->tracking.*field = *v;
    return "";
  };
}

Setter Int(int pipeline::TrackingConfig::*field) {
  return [field](PipelineSettings* s, const std::string& text) -> std::string {
    const auto v = detail::ParseInteger(text);
    if (!v || *v < -1000000 || *v > 1000000) return fmt::format("expected an integer, got '{}'", text);
    s->tracking.*field = static_cast<int>(*v);
    return "";
  };
}

// Nested stage configs: a member pointer into the sub-struct, reached through the
// TrackingConfig member that holds it.
template <typename Sub>
Setter NestedFloat(Sub pipeline::TrackingConfig::*sub, double Sub::*field) {
  return [sub, field](PipelineSettings* s, const std::string& text) -> std::string {
    const auto v = detail::ParseNumber(text);
    if (!v) return fmt::format("expected a number, got '{}'", text);
    (s->tracking.*sub).*field = *v;
    return "";
  };
}

// The table. Descriptions repeat the config structs' documentation in short, so
// `nightsim sweep --list-knobs` reads on its own.
std::vector<KnobEntry> BuildTable() {
  using TC = pipeline::TrackingConfig;
  using pipeline::BreathDetectorConfig;
  using pipeline::CellAssessorConfig;
  using pipeline::PresenceConfig;
  using pipeline::TrackerConfig;
  std::vector<KnobEntry> t = {
      {{"tracking.block_s", "float", "cadence of map, assessments and decisions (s)"}, Float(&TC::block_s)},
      {{"tracking.map_window_s", "float", "covariance window of the range-angle map (s)"}, Float(&TC::map_window_s)},
      {{"tracking.num_angles", "int", "azimuth grid points of the map"}, Int(&TC::num_angles)},
      {{"tracking.capon_loading", "float", "Capon diagonal loading, fraction of trace/N"}, Float(&TC::capon_loading)},
      {{"tracking.zone_max_range_m", "float", "cells beyond this range are not assessed (m)"},
       Float(&TC::zone_max_range_m)},
      {{"tracking.detect_snr_db", "float", "map SNR of a cell worth assessing (dB)"}, Float(&TC::detect_snr_db)},
      {{"tracking.min_peak_separation_bins", "int", "non-maximum suppression along range (bins)"},
       Int(&TC::min_peak_separation_bins)},
      {{"tracking.max_cells", "int", "cells assessed per update"}, Int(&TC::max_cells)},
      {{"tracking.noise_tau_s", "float", "smoothing of the noise-floor estimate (s)"}, Float(&TC::noise_tau_s)},
      {{"tracking.motion_ratio_threshold", "float", "fast share of dynamic power meaning gross movement"},
       Float(&TC::motion_ratio_threshold)},
      {{"tracking.motion_min_snr_db", "float", "fast power above noise meaning movement (dB)"},
       Float(&TC::motion_min_snr_db)},
      {{"tracking.motion_margin_m", "float", "movement is looked for this far around the track (m)"},
       Float(&TC::motion_margin_m)},
      {{"tracking.presence_quality_ref", "float", "cell quality counting as full presence evidence"},
       Float(&TC::presence_quality_ref)},
      {{"tracking.decision_lag_s", "float", "per-second decisions are read this much later (s)"},
       Float(&TC::decision_lag_s)},
      {{"tracking.rate_margin_s", "float", "an epoch's rate uses the waveform epoch +- this (s)"},
       Float(&TC::rate_margin_s)},
      {{"tracking.min_rate_window_s", "float", "least contiguous clean waveform for a rate (s)"},
       Float(&TC::min_rate_window_s)},
      {{"tracking.min_periodicity", "float", "least autocorrelation for a reported rate"},
       Float(&TC::min_periodicity)},
      {{"tracking.min_rate_bpm", "float", "epoch rate search range, low end (/min)"}, Float(&TC::min_rate_bpm)},
      {{"tracking.max_rate_bpm", "float", "epoch rate search range, high end (/min)"}, Float(&TC::max_rate_bpm)},
      {{"tracking.finalize_delay_s", "float", "an epoch is emitted this long after its end (s)"},
       Float(&TC::finalize_delay_s)},
      {{"tracking.cell.window_s", "float", "respiration analysis window of a cell (s)"},
       NestedFloat(&TC::cell, &CellAssessorConfig::window_s)},
      {{"tracking.cell.max_radius_over_spread", "float", "arc-fit acceptance of a cell"},
       NestedFloat(&TC::cell, &CellAssessorConfig::max_radius_over_spread)},
      {{"tracking.tracker.min_range_m", "float", "nearer cells are the nightstand itself (m)"},
       NestedFloat(&TC::tracker, &TrackerConfig::min_range_m)},
      {{"tracking.tracker.acquire_max_range_m", "float", "a new primary is acquired only this close (m)"},
       NestedFloat(&TC::tracker, &TrackerConfig::acquire_max_range_m)},
      {{"tracking.tracker.track_max_range_m", "float", "an existing track may drift this far (m)"},
       NestedFloat(&TC::tracker, &TrackerConfig::track_max_range_m)},
      {{"tracking.tracker.min_quality", "float", "respiration quality of a person's cell"},
       NestedFloat(&TC::tracker, &TrackerConfig::min_quality)},
      {{"tracking.tracker.human_max_rate_bpm", "float", "upper breathing rate of an adult (/min)"},
       NestedFloat(&TC::tracker, &TrackerConfig::human_max_rate_bpm)},
      {{"tracking.tracker.min_reflectivity_db", "float", "range-compensated strength of a torso, dB(Hz) (CellAssessment::reflectivity_db)"},
       NestedFloat(&TC::tracker, &TrackerConfig::min_reflectivity_db)},
      {{"tracking.tracker.max_fast_ratio", "float", "above this a cell is a fan or constant movement"},
       NestedFloat(&TC::tracker, &TrackerConfig::max_fast_ratio)},
      {{"tracking.tracker.acquire_confirm_s", "float", "an eligible body must persist this long (s)"},
       NestedFloat(&TC::tracker, &TrackerConfig::acquire_confirm_s)},
      {{"tracking.tracker.lost_after_s", "float", "no breathing and no movement this long: gone (s)"},
       NestedFloat(&TC::tracker, &TrackerConfig::lost_after_s)},
      {{"tracking.tracker.closer_margin_m", "float", "a person this much nearer than the track ... (m)"},
       NestedFloat(&TC::tracker, &TrackerConfig::closer_margin_m)},
      {{"tracking.tracker.switch_confirm_s", "float", "... for this long becomes the primary (s)"},
       NestedFloat(&TC::tracker, &TrackerConfig::switch_confirm_s)},
      {{"tracking.presence.tau_s", "float", "time constant of the presence confidence (s)"},
       NestedFloat(&TC::presence, &PresenceConfig::tau_s)},
      {{"tracking.presence.on_threshold", "float", "confidence at which presence starts"},
       NestedFloat(&TC::presence, &PresenceConfig::on_threshold)},
      {{"tracking.presence.off_threshold", "float", "confidence below which presence ends"},
       NestedFloat(&TC::presence, &PresenceConfig::off_threshold)},
      {{"tracking.presence.session_start_s", "float", "a session starts after presence this long (s)"},
       NestedFloat(&TC::presence, &PresenceConfig::session_start_s)},
      {{"tracking.breath.hysteresis_frac", "float", "a breath turn must exceed this share of the depth"},
       NestedFloat(&TC::breath, &BreathDetectorConfig::hysteresis_frac)},
      {{"tracking.breath.max_rate_bpm", "float", "peaks closer than 60/this are merged (/min)"},
       NestedFloat(&TC::breath, &BreathDetectorConfig::max_rate_bpm)},
      {{"tracking.beamformer", "word", "range-angle beamformer: bartlett or capon"},
       [](PipelineSettings* s, const std::string& text) -> std::string {
         if (text == "bartlett") s->tracking.beamformer = pipeline::Beamformer::kBartlett;
         else if (text == "capon") s->tracking.beamformer = pipeline::Beamformer::kCapon;
         else return fmt::format("expected bartlett or capon, got '{}'", text);
         return "";
       }},
  };
  std::sort(t.begin(), t.end(), [](const KnobEntry& a, const KnobEntry& b) { return a.knob.name < b.knob.name; });
  return t;
}

const std::vector<KnobEntry>& Table() {
  static const std::vector<KnobEntry> kTable = BuildTable();
  return kTable;
}

}  // namespace

std::string PipelineSettings::KnobsText() const {
  std::string text;
  for (const auto& [name, value] : knobs) {
    if (!text.empty()) text += ';';
    text += name + "=" + value;
  }
  return text;
}

const std::vector<PipelineKnob>& PipelineKnobs() {
  static const std::vector<PipelineKnob> kKnobs = [] {
    std::vector<PipelineKnob> k;
    for (const auto& e : Table()) k.push_back(e.knob);
    return k;
  }();
  return kKnobs;
}

std::string SetPipelineKnob(PipelineSettings* settings, const std::string& name, const std::string& value_text) {
  for (const auto& e : Table()) {
    if (e.knob.name != name) continue;
    PipelineSettings trial = *settings;
    const std::string error = e.set(&trial, value_text);
    if (!error.empty()) return error;
    trial.knobs[name] = value_text;
    *settings = std::move(trial);
    return "";
  }
  std::vector<std::string> names;
  for (const auto& e : Table()) names.push_back(e.knob.name);
  return fmt::format("unknown pipeline knob '{}'{}", name, detail::DidYouMean(name, names));
}

std::string ValidatePipeline(const PipelineSettings& settings) {
  try {
    settings.tracking.Validate();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

std::unique_ptr<Pipeline> MakePipeline(const PipelineSettings& settings) {
  if (settings.knobs.empty()) return nullptr;
  return std::make_unique<pipeline::TrackingPipeline>(settings.tracking);
}

}  // namespace nightsim::harness
