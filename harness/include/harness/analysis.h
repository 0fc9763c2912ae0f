#pragma once
/// \file
/// nightsim's pipeline on the stored radar frames of a night file, without truth
/// (`nightsim analyze`): real recordings imported by `nightsim import`, or simulated
/// nights exported with their frames. Besides the per-epoch estimates it keeps one
/// row per pipeline update (every TrackingConfig::block_s), because a short
/// recording holds less than one 30-s epoch of decisions.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "frame/pipeline_api.h"
#include "harness/night_reader.h"

namespace nightsim::harness {

/// The pipeline's state after one update. NaN where there is nothing to say.
struct AnalysisRow {
  double time_s{0.0};               ///< time of the frame that triggered the update, s
  bool present{false};              ///< presence decision
  double presence_confidence{0.0};  ///< 0..1
  bool tracking{false};             ///< the primary user is tracked
  bool acquiring{false};            ///< a person is being confirmed as the primary
  /// Range of the person's cell (the tracked one, or the one being confirmed), m.
  double target_range_m{0.0};
  double target_azimuth_rad{0.0};   ///< its azimuth (0 with one receiver)
  double resp_rate_bpm{0.0};        ///< that cell's breathing rate over the analysis window, 1/min
  double signal_quality{0.0};       ///< that cell's respiration quality, 0..1
  double snr_db{0.0};               ///< that cell's dynamic power over the noise, dB
  int cells{0};                     ///< cells assessed at the update
  /// The assessed cell with the best respiration quality, whether or not it passed
  /// the person test: its range, rate, quality and range-compensated strength, dB(Hz)
  /// (CellAssessment::reflectivity_db; a cell SNR for a radar without chirps, such as
  /// an imported A121, whose strengths the person test was not calibrated for).
  double breathing_range_m{0.0};
  double breathing_rate_bpm{0.0};
  double breathing_quality{0.0};
  double breathing_reflectivity_db{0.0};
};

/// Everything `nightsim analyze` reports on one night file.
struct NightAnalysis {
  NightFileInfo info;                     ///< the file's root attributes
  RadarInfo radar;                        ///< what the pipeline was told
  std::string radar_type;                 ///< "fmcw" or "pulsed_coherent"
  RadarLevel level{RadarLevel::kRange};   ///< level of the frames fed
  AppSettings settings;                   ///< what the pipeline was told
  std::int64_t frames{0};                 ///< frames fed
  double data_s{0.0};                     ///< time covered by the frames, s
  std::vector<EpochEstimate> estimates;   ///< the pipeline's per-epoch output (last epoch possibly partial)
  std::vector<AlarmDecision> alarms;
  std::vector<AnalysisRow> series;        ///< one row per update
  // What can be said without truth, over the updates:
  double present_fraction{0.0};           ///< share of updates with presence
  double person_fraction{0.0};            ///< share of updates with a person's cell (tracked or being confirmed)
  std::optional<double> resp_rate_bpm;    ///< median breathing rate of the person's cell
  std::optional<double> target_range_m;   ///< median range of the person's cell
  std::optional<double> signal_quality;   ///< median respiration quality of the person's cell
  std::optional<double> first_rate_s;     ///< time of the first update with a breathing rate
  std::optional<double> breathing_rate_bpm;         ///< median rate of the best breathing cell
  std::optional<double> breathing_range_m;          ///< its median range
  std::optional<double> breathing_reflectivity_db;  ///< its median range-compensated strength, dB(Hz)
};

/// Feeds the raw or range frames of the night file at `path` to nightsim's pipeline
/// (MakeNightsimPipeline()), with the file's app settings (defaults for a recording,
/// which has none) and `bed_side` when given. Throws InputError for a file that is not
/// a night file, has no raw or range frames, or whose radar the pipeline refuses.
NightAnalysis AnalyzeNight(const std::string& path, std::optional<BedSide> bed_side = std::nullopt);

/// The per-update series as CSV: time_s, present, presence_confidence, tracking,
/// acquiring, target_range_m, target_azimuth_rad, resp_rate_bpm, signal_quality,
/// snr_db, cells, breathing_range_m, breathing_rate_bpm, breathing_quality,
/// breathing_reflectivity_db (an empty field where the value is NaN).
std::string AnalysisSeriesCsv(const NightAnalysis& analysis);
/// The summary as JSON (the file, the radar, the fractions and medians; null when unknown).
std::string AnalysisJson(const NightAnalysis& analysis);
/// A few lines for the terminal.
std::string FormatAnalysisSummary(const NightAnalysis& analysis);

}  // namespace nightsim::harness
