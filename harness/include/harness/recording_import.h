#pragma once
/// \file
/// Reads real radar recordings into nightsim's frame types and writes them as a night
/// file without truth (`nightsim import`; layout: docs/hdf5_layout.md, schema 1.1):
/// - an Infineon ifxdaq recording folder (`RadarIfxAvian_00/radar.npy` uint16
///   [frame, rx, chirp, sample] 12-bit ADC counts + `config.json`): FMCW, stored raw
///   ([frame, chirp, rx, sample] volts) or at range level (FmcwSynthesizer::RangeFromRaw);
/// - an Acconeer A121 HDF5 recording (`sessions/session_0/group_0/entry_0/result/frame`,
///   int16 IQ [frame, sweep, point]): pulsed coherent, stored at range level as the
///   mean over each frame's sweeps [frame, rx = 1, point], frame times from its ticks.
///
/// A recording is user input: a missing, truncated or foreign file, a bad JSON or a
/// shape that contradicts the configuration throws InputError naming the file.

#include <complex>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/scenario.h"
#include "frame/radar_frame.h"

namespace nightsim::harness {

/// A recording format `nightsim import` reads.
enum class RecordingFormat { kIfxdaq, kA121 };

/// "ifxdaq" or "a121".
const char* RecordingFormatName(RecordingFormat format);

/// The format named by a `--format` option. Throws InputError naming --format otherwise.
RecordingFormat ParseRecordingFormatOption(const std::string& text);

/// The format of `path`: a folder holding RadarIfxAvian_00/ or radar.npy + config.json
/// is ifxdaq; an HDF5 file with a /sessions group is a121. Throws InputError otherwise.
RecordingFormat DetectRecordingFormat(const std::string& path);

/// The header of a numpy .npy file (format versions 1, 2 and 3).
struct NpyHeader {
  std::string descr;                 ///< numpy dtype string, e.g. "<u2"
  bool fortran_order{false};
  std::vector<std::int64_t> shape;   ///< dimensions; empty for a scalar
  std::size_t data_offset{0};        ///< bytes before the array data
};

/// Parses the header at the start of `bytes` (magic \x93NUMPY, version, header
/// length, a Python dict literal with exactly 'descr', 'fortran_order' and 'shape').
/// Throws InputError naming `path` when it is not a well-formed .npy header.
NpyHeader ParseNpyHeader(std::string_view bytes, const std::string& path);

/// The device configuration of an ifxdaq recording (config.json,
/// device_config.fmcw_single_shape), in SI units.
struct IfxdaqConfig {
  double start_hz{0};
  double end_hz{0};
  int samples_per_chirp{0};
  double sample_rate_hz{0};
  int chirps_per_frame{0};
  double chirp_repetition_s{0};
  double frame_repetition_s{0};
  double highpass_hz{0};          ///< hp_cutoff_Hz
  double aaf_cutoff_hz{0};        ///< aaf_cutoff_Hz (anti-aliasing low-pass)
  double if_gain_db{0};
  int tx_power_level{0};
  std::vector<int> rx_antennas;   ///< 1-based antenna numbers, in the order of the data's rx axis
  std::vector<int> tx_antennas;
  std::string mimo_mode;
};

/// Parses config.json text. Throws InputError naming `path` for bad JSON, a missing
/// or mistyped key, or values a recording cannot have (non-positive sizes and times,
/// end frequency not above start, rx antennas outside 1..4 or repeated).
IfxdaqConfig ParseIfxdaqConfig(const std::string& json_text, const std::string& path);

/// A recording read into memory (short recordings: minutes, not nights).
struct ImportedRecording {
  RecordingFormat format{RecordingFormat::kIfxdaq};
  std::string source_path;          ///< basename of what was imported
  std::string radar_type;           ///< "fmcw" or "pulsed_coherent"
  RadarInfo radar;                  ///< pulsed: bandwidth, chirp and sample fields are 0
  /// FMCW: the device as configured, over its chip's preset (fingerprint included), to
  /// simulate it (`nightsim realism`); pulsed: unused.
  RadarParams device;
  RadarLevel level{RadarLevel::kRaw};
  std::int64_t frames{0};
  std::vector<float> raw;                   ///< level raw: [frame][chirp][rx][sample], volts
  std::vector<std::complex<float>> range;   ///< level range: [frame][rx][bin]
  std::vector<double> time_s;       ///< measured frame times from the first frame, s; empty: i / frame_rate_hz
  double duration_s{0};             ///< frames / frame_rate_hz, or the measured span plus one frame period
  /// ADC conversion (ifxdaq): volts = (count − adc_offset_counts) · adc_lsb_v; 0 bits when not applicable.
  int adc_bits{0};
  double adc_lsb_v{0};
  double adc_offset_counts{0};
  /// The source's own configuration as /source attributes (name, value as text or number).
  std::vector<std::pair<std::string, std::string>> source_text;
  std::vector<std::pair<std::string, double>> source_numbers;
};

/// Converts an ifxdaq recording held in memory: `npy` the bytes of radar.npy,
/// `config_json` the text of config.json (named `npy_path` and `config_path` in
/// messages). Checks the data length against the header's shape and the shape against
/// the configuration. Level range runs FmcwSynthesizer::RangeFromRaw on every frame.
ImportedRecording ConvertIfxdaq(std::string_view npy, const std::string& config_json, RadarLevel level,
                                const std::string& npy_path, const std::string& config_path);

/// Reads an ifxdaq recording folder (the folder holding RadarIfxAvian_00/, or that
/// folder itself) at level raw or range.
ImportedRecording ReadIfxdaq(const std::string& folder, RadarLevel level);

/// Reads an Acconeer A121 HDF5 recording (session 0, group 0, entry 0). Only level
/// range exists for a pulsed radar: any other level throws InputError naming --level.
ImportedRecording ReadA121(const std::string& path, RadarLevel level);

/// Writes `recording` as a night file (schema 1.1, no truth, estimates or metrics)
/// to `path` atomically. Throws std::runtime_error when it cannot be written.
void WriteImportedNight(const ImportedRecording& recording, const std::string& path);

}  // namespace nightsim::harness
