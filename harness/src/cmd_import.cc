// `nightsim import PATH -o OUT.h5 [--level raw|range] [--format ifxdaq|a121]`: a real
// radar recording (an Infineon ifxdaq folder or an Acconeer A121 HDF5 file) as a night
// file without truth (harness/recording_import.h), so nightsim's readers and pipeline
// tools can run on real data.

#include <fmt/core.h>

#include <boost/program_options.hpp>
#include <filesystem>
#include <iostream>

#include "command_line.h"
#include "core/errors.h"
#include "harness/cli.h"
#include "harness/commands.h"
#include "harness/night_output.h"
#include "harness/recording_import.h"

namespace po = boost::program_options;

namespace nightsim::harness {

int CmdImport(const std::vector<std::string>& args) {
  po::options_description options("options");
  std::string source, out, level_text, format_text;
  options.add_options()
      ("help,h", "show this help")
      ("out,o", po::value(&out), "night file to write (.h5); its folder is created if missing")
      ("level", po::value(&level_text),
       "radar level stored: raw or range (default: raw for ifxdaq; a121 has range only)")
      ("format", po::value(&format_text), "ifxdaq or a121 (default: detected from PATH)");
  const po::variables_map vm = ParseCommandLine(args, options, {{"path", &source}});
  if (vm.count("help")) {
    fmt::print("usage: nightsim import PATH -o OUT.h5 [--level raw|range] [--format ifxdaq|a121]\n\n"
               "Writes a real radar recording as a night file (docs/hdf5_layout.md, schema 1.1) with\n"
               "the radar data, the radar configuration and the source's own configuration, and no\n"
               "truth, estimates or metrics. PATH is an Infineon ifxdaq recording folder (holding\n"
               "RadarIfxAvian_00/, or radar.npy and config.json: FMCW, raw IF samples as volts or\n"
               "range profiles) or an Acconeer A121 HDF5 recording (pulsed coherent: range profiles,\n"
               "the mean of each frame's sweeps).\n\n");
    std::cout << options << "\n";
    return kExitOk;
  }
  if (source.empty()) throw InputError(InputProblem{"", 0, 0, "PATH", "a recording to import is required"});
  if (out.empty()) throw InputError(InputProblem{"", 0, 0, "--out", "an output night file (-o OUT.h5) is required"});
  const RecordingFormat format =
      format_text.empty() ? DetectRecordingFormat(source) : ParseRecordingFormatOption(format_text);
  const RadarLevel level = !level_text.empty()                 ? ParseLevelOption(level_text)
                           : format == RecordingFormat::kA121 ? RadarLevel::kRange
                                                              : RadarLevel::kRaw;
  const ImportedRecording recording =
      format == RecordingFormat::kA121 ? ReadA121(source, level) : ReadIfxdaq(source, level);

  const std::filesystem::path out_path(out);
  if (out_path.has_parent_path()) std::filesystem::create_directories(out_path.parent_path());
  WriteImportedNight(recording, out);
  const RadarInfo& r = recording.radar;
  const std::string shape =
      recording.level == RadarLevel::kRaw
          ? fmt::format("{} chirps × {} rx × {} samples", r.chirps_per_frame, r.rx.size(), r.samples_per_chirp)
          : fmt::format("{} rx × {} bins from {:.3f} m, {:.4f} m apart", r.rx.size(), r.range_bins, r.range_start_m,
                        r.range_bin_m);
  fmt::print("imported {} ({} {} radar): {} frames, {:.1f} s at {:.2f} frames/s, {}, level {}\n",
             recording.source_path, RecordingFormatName(format), recording.radar_type, recording.frames,
             recording.duration_s, r.frame_rate_hz, shape, LevelName(recording.level));
  fmt::print("output: {} ({:.1f} KB, no truth)\n", out, std::filesystem::file_size(out) / 1024.0);
  return kExitOk;
}

}  // namespace nightsim::harness
