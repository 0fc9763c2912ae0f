#pragma once
/// \file
/// Reads a night file (layout: docs/hdf5_layout.md) back into nightsim's own types:
/// what `nightsim score` needs (the truth as the scorer saw it, the night's shape)
/// and what tests compare (radar data at any level, every body's per-frame state,
/// the pipeline's estimates, the metrics).
///
/// A night file is user input: a file that is not HDF5, a foreign HDF5 file, a
/// newer major schema or a missing/misshapen dataset throw InputError naming the
/// file and the object. An imported recording (`nightsim import`) has radar data but
/// no truth: info().has_truth is false and the truth, estimate, alarm, metric and
/// settings accessors throw InputError saying so.

#include <complex>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "frame/pipeline_api.h"
#include "harness/truth.h"
#include "physics/stream.h"

namespace nightsim::harness {

/// A night file's root attributes.
struct NightFileInfo {
  std::string path;
  std::string schema_version;    ///< "major.minor"
  std::string nightsim_version;  ///< version that wrote it
  std::uint64_t seed{0};
  std::string scenario_name;
  std::string scenario_yaml;     ///< resolved scenario text
  std::string scenario_hash;     ///< ContentHash(scenario_yaml)
  std::string night_key;         ///< NightKey(): identity of the content
  std::optional<RadarLevel> level;  ///< radar data stored; nullopt: none
  double epoch_s{30};
  std::int64_t epochs{0};
  double duration_s{0};
  double night_start_clock_s{0};  ///< clock time of t = 0, seconds after midnight
  std::int64_t frames{0};         ///< frames the night had (whether stored or not)
  std::int64_t radar_first_frame{0};  ///< first frame stored (a window: `run --from`); 0 for the whole night
  std::int64_t radar_end_frame{0};    ///< one past the last frame stored; `frames` for the whole night
  double frame_rate_hz{0};
  std::vector<std::string> parameters;  ///< "name=value" of the scenario's parameters
  std::string source{"simulation"};  ///< "simulation", or "import" for a real recording (schema 1.1)
  std::string source_format;         ///< imported: "ifxdaq" or "a121"; "" for a simulated night
  std::string source_path;           ///< imported: basename of the recording
  bool has_truth{true};  ///< false for imported recordings: no truth, estimates, metrics or app settings
};

/// Every body's state at frame rate (present when the file holds radar data).
struct BodyFrames {
  std::vector<float> torso_x_m, torso_y_m, torso_z_m, heading_rad, motion, chest_m, abdomen_m, heart_m;
  std::vector<std::int8_t> posture, in_room, in_bed;
};

/// One open night file.
class NightReader {
 public:
  /// Opens `path` read-only and reads its root attributes. Throws InputError.
  explicit NightReader(const std::string& path);
  NightReader(const NightReader&) = delete;
  NightReader& operator=(const NightReader&) = delete;
  ~NightReader();

  /// The root attributes.
  const NightFileInfo& info() const { return info_; }
  /// The radar configuration the pipeline received.
  RadarInfo Radar() const;
  /// Radar type: "fmcw" (simulated nights, which leave the attribute out) or
  /// "pulsed_coherent" (an imported A121: RadarInfo's chirp and sample fields are 0).
  std::string RadarType() const;
  /// Time of every stored frame, s: /radar/time_s when the file has it (measured
  /// frame times of an imported recording), else i / frame_rate_hz.
  std::vector<double> FrameTimes() const;
  /// The app settings the pipeline received.
  AppSettings Settings() const;
  /// The truth exactly as the scorer used it (bodies in scorer order).
  NightTruth Truth() const;
  /// The file's pipeline estimates and alarm decisions.
  std::vector<EpochEstimate> Estimates() const;
  std::vector<AlarmDecision> Alarms() const;
  /// The stored metrics by name.
  std::map<std::string, double> Metrics() const;

  /// Rows of radar data stored: frames (raw, range) or samples (stream); 0 without data.
  /// Row r of range or raw data (and of BodyFramesOf()) is frame
  /// info().radar_first_frame + r; stream samples carry their frame_index.
  std::int64_t RadarRows() const;
  /// Range frames [count][rx][bin] from row `first`, row-major. Throws InputError when
  /// the file has no range data or the rows are out of bounds.
  std::vector<std::complex<float>> RangeFrames(std::int64_t first, std::int64_t count) const;
  /// Raw frames [count][chirp][rx][sample], row-major.
  std::vector<float> RawFrames(std::int64_t first, std::int64_t count) const;
  /// The whole on-device stream.
  std::vector<physics::StreamSample> Stream() const;
  /// The per-frame states of body `id`. Throws InputError when absent.
  BodyFrames BodyFramesOf(const std::string& id) const;

 private:
  // Throws InputError naming `object` when the file holds no truth (an imported recording).
  void RequireTruth(const char* object) const;
  std::string path_;
  std::int64_t file_{-1};  // an hid_t, kept out of this header so users need no HDF5 include path
  NightFileInfo info_;
};

}  // namespace nightsim::harness
