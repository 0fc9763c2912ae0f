#include "harness/analysis.h"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "core/errors.h"
#include "harness/metrics.h"
#include "harness/night_output.h"
#include "harness/night_runner.h"
#include "pipeline/sleep_pipeline.h"

namespace nightsim::harness {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Frames read from the file at a time: memory stays bounded for a whole night.
constexpr std::int64_t kFramesPerRead = 256;

std::optional<double> MedianOf(std::vector<double> v) {
  if (v.empty()) return std::nullopt;
  std::sort(v.begin(), v.end());
  const std::size_t mid = v.size() / 2;
  return v.size() % 2 == 1 ? v[mid] : 0.5 * (v[mid - 1] + v[mid]);
}

// The pipeline's state after the update that just happened.
AnalysisRow RowAfterUpdate(const pipeline::TrackingPipeline& tracking) {
  const pipeline::TrackState& track = tracking.track();
  const pipeline::PresenceState& presence = tracking.presence();
  const std::vector<pipeline::CellAssessment>& cells = tracking.cells();
  AnalysisRow r;
  r.time_s = tracking.last_update_s();
  r.present = presence.present;
  r.presence_confidence = presence.confidence;
  r.tracking = track.tracking;
  r.acquiring = track.acquiring;
  r.cells = static_cast<int>(cells.size());
  // The person's cell: the tracked one, else the one being confirmed as the primary
  // (a recording shorter than the confirmation time never gets a track).
  const int cell = track.tracking ? track.cell : track.acquiring ? track.acquiring_cell : -1;
  r.target_range_m = r.target_azimuth_rad = r.resp_rate_bpm = r.signal_quality = r.snr_db = kNaN;
  if (cell >= 0 && static_cast<std::size_t>(cell) < cells.size()) {
    const pipeline::CellAssessment& c = cells[static_cast<std::size_t>(cell)];
    r.target_range_m = c.range_m;
    r.target_azimuth_rad = c.azimuth_rad;
    if (c.rate_bpm > 0.0) r.resp_rate_bpm = c.rate_bpm;
    r.signal_quality = c.quality;
    r.snr_db = c.snr_db;
  }
  r.breathing_range_m = r.breathing_rate_bpm = r.breathing_quality = r.breathing_reflectivity_db = kNaN;
  const auto best = std::max_element(cells.begin(), cells.end(), [](const auto& x, const auto& y) {
    return x.quality < y.quality;
  });
  if (best != cells.end() && best->rate_bpm > 0.0) {
    r.breathing_range_m = best->range_m;
    r.breathing_rate_bpm = best->rate_bpm;
    r.breathing_quality = best->quality;
    r.breathing_reflectivity_db = best->reflectivity_db;
  }
  if (cell < 0 && track.tracking) {
    r.target_range_m = track.range_m;  // coasting: the track's last position
    r.target_azimuth_rad = track.azimuth_rad;
  }
  return r;
}

void Summarise(NightAnalysis* a) {
  std::vector<double> rates, ranges, qualities, breathing_rates, breathing_ranges, breathing_strengths;
  int present = 0, person = 0;
  for (const AnalysisRow& r : a->series) {
    present += r.present;
    if (std::isfinite(r.signal_quality)) {
      ++person;
      ranges.push_back(r.target_range_m);
      qualities.push_back(r.signal_quality);
    }
    if (std::isfinite(r.breathing_rate_bpm)) {
      breathing_rates.push_back(r.breathing_rate_bpm);
      breathing_ranges.push_back(r.breathing_range_m);
      breathing_strengths.push_back(r.breathing_reflectivity_db);
    }
    if (std::isfinite(r.resp_rate_bpm)) {
      rates.push_back(r.resp_rate_bpm);
      if (!a->first_rate_s) a->first_rate_s = r.time_s;
    }
  }
  const double n = static_cast<double>(std::max<std::size_t>(a->series.size(), 1));
  a->present_fraction = present / n;
  a->person_fraction = person / n;
  a->resp_rate_bpm = MedianOf(rates);
  a->target_range_m = MedianOf(ranges);
  a->signal_quality = MedianOf(qualities);
  a->breathing_rate_bpm = MedianOf(breathing_rates);
  a->breathing_range_m = MedianOf(breathing_ranges);
  a->breathing_reflectivity_db = MedianOf(breathing_strengths);
}

std::string Field(double v, const char* format = "{:.4f}") {
  return std::isfinite(v) ? fmt::format(fmt::runtime(format), v) : std::string();
}

std::string JsonNumber(const std::optional<double>& v) {
  return v && std::isfinite(*v) ? fmt::format("{:.6g}", *v) : std::string("null");
}

}  // namespace

NightAnalysis AnalyzeNight(const std::string& path, std::optional<BedSide> bed_side) {
  const NightReader reader(path);
  NightAnalysis a;
  a.info = reader.info();
  if (!a.info.level || (*a.info.level != RadarLevel::kRaw && *a.info.level != RadarLevel::kRange)) {
    throw InputError(InputProblem{path, 0, 0, "/radar",
                                  fmt::format("no radar frames to analyze (radar_level {}; raw or range needed: "
                                              "`nightsim run --export-frames` or `nightsim import`)",
                                              a.info.level ? LevelName(*a.info.level) : "none")});
  }
  a.level = *a.info.level;
  a.radar = reader.Radar();
  a.radar_type = reader.RadarType();
  if (a.info.has_truth) a.settings = reader.Settings();
  a.settings.epoch_s = a.info.epoch_s;
  a.settings.night_start_clock_s = a.info.night_start_clock_s;
  if (bed_side) a.settings.bed_side = *bed_side;

  const std::unique_ptr<pipeline::SleepPipeline> pipe = MakeNightsimPipeline();
  try {
    pipe->Start(a.radar, a.settings);
  } catch (const std::invalid_argument& e) {
    throw InputError(InputProblem{path, 0, 0, "/radar", std::string("the pipeline cannot use this radar: ") + e.what()});
  }
  const std::vector<double> times_s = reader.FrameTimes();
  a.frames = reader.RadarRows();
  RadarFrame frame;
  frame.level = a.level;
  frame.num_rx = static_cast<int>(a.radar.rx.size());
  frame.num_bins = a.radar.range_bins;
  frame.num_chirps = a.radar.chirps_per_frame;
  frame.num_samples = a.radar.samples_per_chirp;
  const std::size_t per_frame = a.level == RadarLevel::kRange
                                    ? static_cast<std::size_t>(frame.num_rx) * frame.num_bins
                                    : static_cast<std::size_t>(frame.num_chirps) * frame.num_rx * frame.num_samples;
  double last_update_s = -1.0;
  for (std::int64_t first = 0; first < a.frames; first += kFramesPerRead) {
    const std::int64_t count = std::min(kFramesPerRead, a.frames - first);
    std::vector<std::complex<float>> range;
    std::vector<float> raw;
    if (a.level == RadarLevel::kRange) range = reader.RangeFrames(first, count);
    else raw = reader.RawFrames(first, count);
    for (std::int64_t k = 0; k < count; ++k) {
      const std::int64_t i = first + k;
      frame.index = i;
      frame.time_s = times_s[static_cast<std::size_t>(i)];
      const std::size_t offset = static_cast<std::size_t>(k) * per_frame;
      if (a.level == RadarLevel::kRange) {
        frame.range.assign(range.begin() + static_cast<std::ptrdiff_t>(offset),
                           range.begin() + static_cast<std::ptrdiff_t>(offset + per_frame));
      } else {
        frame.raw.assign(raw.begin() + static_cast<std::ptrdiff_t>(offset),
                         raw.begin() + static_cast<std::ptrdiff_t>(offset + per_frame));
      }
      pipe->OnFrame(frame, &a.estimates, &a.alarms);
      const pipeline::TrackingPipeline& tracking = pipe->tracking();
      if (tracking.last_update_s() != last_update_s) {
        last_update_s = tracking.last_update_s();
        a.series.push_back(RowAfterUpdate(tracking));
      }
    }
  }
  pipe->Finish(&a.estimates, &a.alarms);
  a.data_s = a.frames > 0 ? times_s.back() + 1.0 / a.radar.frame_rate_hz : 0.0;
  Summarise(&a);
  return a;
}

std::string AnalysisSeriesCsv(const NightAnalysis& a) {
  std::string out =
      "time_s,present,presence_confidence,tracking,acquiring,target_range_m,target_azimuth_rad,resp_rate_bpm,"
      "signal_quality,snr_db,cells,breathing_range_m,breathing_rate_bpm,breathing_quality,breathing_reflectivity_db\n";
  for (const AnalysisRow& r : a.series) {
    out += fmt::format("{:.4f},{:d},{:.4f},{:d},{:d},{},{},{},{},{},{},{},{},{},{}\n", r.time_s, r.present,
                       r.presence_confidence, r.tracking, r.acquiring, Field(r.target_range_m),
                       Field(r.target_azimuth_rad), Field(r.resp_rate_bpm, "{:.3f}"), Field(r.signal_quality),
                       Field(r.snr_db, "{:.2f}"), r.cells, Field(r.breathing_range_m),
                       Field(r.breathing_rate_bpm, "{:.3f}"), Field(r.breathing_quality),
                       Field(r.breathing_reflectivity_db, "{:.2f}"));
  }
  return out;
}

std::string AnalysisJson(const NightAnalysis& a) {
  const RadarInfo& r = a.radar;
  std::string epochs;
  for (const EpochEstimate& e : a.estimates) {
    epochs += fmt::format("{}{{\"epoch\": {}, \"present\": {}, \"tracking\": {}, \"resp_rate_bpm\": {}, "
                          "\"target_range_m\": {}}}",
                          epochs.empty() ? "" : ", ", e.epoch, e.present, e.tracking,
                          JsonNumber(e.resp_rate_bpm > 0.0 ? std::optional(e.resp_rate_bpm) : std::nullopt),
                          JsonNumber(e.tracking ? std::optional(e.target_range_m) : std::nullopt));
  }
  return fmt::format(
      "{{\"nightsim_version\": {}, \"night\": {}, \"source\": {}, \"source_format\": {}, \"source_path\": {},\n"
      " \"radar\": {{\"type\": {}, \"level\": {}, \"rx\": {}, \"range_bins\": {}, \"range_start_m\": {}, "
      "\"range_bin_m\": {}, \"frame_rate_hz\": {}}},\n"
      " \"frames\": {}, \"data_s\": {}, \"updates\": {},\n"
      " \"present_fraction\": {}, \"person_fraction\": {}, \"resp_rate_bpm_median\": {}, \"target_range_m_median\": {}, "
      "\"signal_quality_median\": {}, \"first_rate_s\": {},\n"
      " \"breathing_cell\": {{\"rate_bpm_median\": {}, \"range_m_median\": {}, \"reflectivity_db_median\": {}}},\n"
      " \"epochs\": [{}]}}\n",
      JsonString(NightsimVersion()), JsonString(a.info.path), JsonString(a.info.source), JsonString(a.info.source_format),
      JsonString(a.info.source_path), JsonString(a.radar_type), JsonString(LevelName(a.level)), r.rx.size(),
      r.range_bins, JsonNumber(r.range_start_m), JsonNumber(r.range_bin_m), JsonNumber(r.frame_rate_hz), a.frames,
      JsonNumber(a.data_s), a.series.size(), JsonNumber(a.present_fraction), JsonNumber(a.person_fraction),
      JsonNumber(a.resp_rate_bpm), JsonNumber(a.target_range_m), JsonNumber(a.signal_quality),
      JsonNumber(a.first_rate_s), JsonNumber(a.breathing_rate_bpm), JsonNumber(a.breathing_range_m),
      JsonNumber(a.breathing_reflectivity_db), epochs);
}

std::string FormatAnalysisSummary(const NightAnalysis& a) {
  const RadarInfo& r = a.radar;
  auto value = [](const std::optional<double>& v, const char* format) {
    return v ? fmt::format(fmt::runtime(format), *v) : std::string("none");
  };
  std::string out = fmt::format(
      "analyzed {} ({}, {} level): {} frames, {:.1f} s at {:.2f} frames/s, {} rx x {} bins from {:.3f} m, {:.4f} m "
      "apart\n",
      a.info.path, a.info.source == "import" ? a.info.source_format + " recording" : std::string("simulated night"),
      LevelName(a.level), a.frames, a.data_s, r.frame_rate_hz, r.rx.size(), r.range_bins, r.range_start_m,
      r.range_bin_m);
  out += fmt::format("  {} updates: present {:.0f} %, a person's cell {:.0f} %\n", a.series.size(),
                     100.0 * a.present_fraction, 100.0 * a.person_fraction);
  out += fmt::format("  breathing rate (median) {} /min (first at {}), target range {} m, signal quality {}\n",
                     value(a.resp_rate_bpm, "{:.1f}"), value(a.first_rate_s, "{:.1f} s"),
                     value(a.target_range_m, "{:.3f}"), value(a.signal_quality, "{:.2f}"));
  out += fmt::format("  best breathing cell (person test or not): rate {} /min at {} m, strength {} dB(Hz)\n",
                     value(a.breathing_rate_bpm, "{:.1f}"), value(a.breathing_range_m, "{:.3f}"),
                     value(a.breathing_reflectivity_db, "{:.1f}"));
  for (const EpochEstimate& e : a.estimates) {
    out += fmt::format("  epoch {}: present {}, tracking {}, rate {}\n", e.epoch, e.present ? "yes" : "no",
                       e.tracking ? "yes" : "no",
                       e.resp_rate_bpm > 0.0 ? fmt::format("{:.1f} /min", e.resp_rate_bpm) : std::string("none"));
  }
  return out;
}

}  // namespace nightsim::harness
