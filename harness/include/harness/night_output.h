#pragma once
/// \file
/// What nightsim writes for a night (layout: docs/hdf5_layout.md):
/// - the night file, HDF5: resolved scenario, seed, version and hashes as root
///   attributes; radar configuration; radar data at the chosen level (optional);
///   truth tables (per epoch, per person, per body, and — with radar data — every
///   body's pose and breathing at frame rate); pipeline estimates; metrics;
/// - the metrics as JSON;
/// - hypnograms as plain CSV and JSON (YASA stage codes) for truth and estimates.
/// Every file is written under a temporary name and renamed when complete.
///
/// Radar data is streamed into the file while the night runs, one chunk at a time:
///
///   NightFileWriter file(path, scenario, seed, {.frames = RadarLevel::kRange});
///   const NightRun run = RunNight(scenario, options, nullptr, file.Sink());
///   file.Finish(run);

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "harness/h5_writer.h"
#include "harness/night_runner.h"
#include "physics/stream.h"

namespace nightsim::harness {

/// Version of the HDF5 layout (root attribute `schema_version`, "major.minor"). A
/// reader accepts files of its own major version; minor versions only add objects.
inline constexpr const char* kNightSchemaVersion = "1.0";
/// Major part of kNightSchemaVersion.
inline constexpr int kNightSchemaMajor = 1;
/// Schema of imported recordings (`nightsim import`): 1.0 plus the objects of 1.1
/// (root `source*`, /radar `radar_type`, `range_start_m`, ADC attributes, `time_s`,
/// /source). Simulated nights hold none of them and stay at kNightSchemaVersion, so
/// their bytes and night keys do not change.
inline constexpr const char* kImportSchemaVersion = "1.1";

/// nightsim's version string.
const char* NightsimVersion();

/// "raw", "range" or "stream".
const char* LevelName(RadarLevel level);

/// The level named by a `--level` option ("raw", "range", "stream"). Throws
/// InputError naming --level otherwise.
RadarLevel ParseLevelOption(const std::string& text);

/// FNV-1a 64 of `text` as 16 lower-case hex digits (content hashes in night files).
std::string ContentHash(const std::string& text);

/// The frames [first, end) of a night (frame i is at i / frame rate s since the start).
struct FrameWindow {
  std::int64_t first{0};  ///< first frame index
  std::int64_t end{0};    ///< one past the last frame index
};

/// The identity of a night file's content: ContentHash of (schema version, nightsim
/// version, resolved scenario, seed, radar level or "none", and the frame window when
/// only a window is stored). Two files with the same key hold the same bytes;
/// `generate` skips a night whose file has its key.
std::string NightKey(const Scenario& scenario, std::uint64_t seed, std::optional<RadarLevel> frames,
                     std::optional<FrameWindow> window = std::nullopt);

/// Bytes one frame's radar data takes in a night file before compression: range
/// rx × bins × 8 (complex64); raw chirps × rx × samples × 4 (float32, stored
/// deflated to ~10 %); stream one sample of 33 bytes every `stream.decimation` frames.
double RadarBytesPerFrame(const RadarInfo& radar, RadarLevel level, const physics::StreamOptions& stream = {});

/// Bytes one body's state at frame rate takes per frame (8 float32 + 3 int8 columns,
/// before compression).
inline constexpr double kBodyFrameBytes = 8 * 4 + 3;

/// What a night file holds besides truth, estimates and metrics.
struct NightFileOptions {
  /// Radar data at this level (raw: IF samples; range: complex profiles; stream: the
  /// on-device stream), plus every body's state at frame rate; nullopt: neither.
  std::optional<RadarLevel> frames;
  physics::StreamOptions stream;  ///< the on-device DSP model for level stream
  /// Radar data and body states of these frames only (root attributes
  /// radar_first_frame, radar_end_frame); nullopt: the whole night. The run itself
  /// is unchanged: every frame still reaches the pipeline.
  std::optional<FrameWindow> window;
};

/// Writes one night file while the night runs. Not copyable; one per night.
class NightFileWriter {
 public:
  /// Creates the file under a temporary name beside `path` (whose folder must exist).
  /// Throws std::runtime_error when it cannot.
  NightFileWriter(std::string path, const Scenario& scenario, std::uint64_t seed, NightFileOptions options = {});
  NightFileWriter(const NightFileWriter&) = delete;
  NightFileWriter& operator=(const NightFileWriter&) = delete;
  /// Without Finish(), removes the temporary file: nothing half-written remains.
  ~NightFileWriter();

  /// The sink to pass to RunNight(): appends each frame at the chosen level (nothing
  /// when options.frames is nullopt). RunNight must synthesize raw frames for level
  /// raw and range frames otherwise (RunOptions::level = options.frames does that).
  /// Valid while the writer lives.
  FrameSink Sink();
  /// Writes attributes, radar configuration, truth, estimates and metrics of `run`
  /// (the run fed through Sink()), closes the file and renames it to its final
  /// path. Throws std::runtime_error (the temporary file is then removed) and
  /// std::logic_error when the frames received differ from run.frames.
  void Finish(const NightRun& run);
  /// Rows of radar data written so far: frames (raw, range) or stream samples.
  std::int64_t RadarRows() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Writes the radar configuration `r` as the attributes of group /radar and the
/// dataset /radar/rx_position_m (range_start_m only when nonzero).
void WriteRadarConfig(H5Writer& w, const RadarInfo& r);

/// Writes the night file of `run` without radar data to `path` atomically.
void WriteNightH5(const NightRun& run, const std::string& path);

/// The night's JSON: {"nightsim_version", "scenario", "seed", "night": ToJson(metrics)}.
std::string NightJson(const NightRun& run);

/// YASA code of a pipeline stage: wake 0, light 2, deep 3, REM 4, none −1 (YASA's
/// 4-stage integer mapping, so truth and estimates share one code table).
int YasaCodeOf(EstStage stage);

/// Hypnogram CSV: `epoch,onset_s,clock,<person id>…,pipeline`, one row per epoch,
/// truth of every person (sleepers' per-person truth, −1 out of bed) and the
/// pipeline's stage, all as YASA codes.
std::string HypnogramCsv(const NightRun& run);
/// Hypnogram JSON: {"epoch_s", "start_clock", "codes", "truth": {id: [codes]}, "pipeline": [codes]}.
std::string HypnogramJson(const NightRun& run);
/// Writes `<stem>.hypnogram.csv` and `<stem>.hypnogram.json` atomically.
void WriteHypnogramFiles(const NightRun& run, const std::string& stem);

/// The terminal summary: who was where, the primary's hypnogram truth vs pipeline,
/// then FormatSummary() of the metrics at `detail`.
std::string FormatRunSummary(const NightRun& run, SummaryDetail detail = SummaryDetail::kHeadline);

}  // namespace nightsim::harness
