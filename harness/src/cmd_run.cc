// `nightsim run SCENARIO [--seed N] [--set name=value …] [--level stream|range|raw]
// [--export-frames [--from T] [--to T]] [--out PATH]`: one night end to end — simulate, feed the pipeline
// frame by frame, score against the truth, print a summary and write PATH.h5 (with the
// radar data at --level when --export-frames), PATH.json, PATH.predictions.csv and the
// hypnograms PATH.hypnogram.{csv,json}.

#include <fmt/core.h>

#include <boost/program_options.hpp>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <iostream>

#include "core/errors.h"
#include "command_line.h"
#include "harness/atomic_file.h"
#include "harness/cli.h"
#include "harness/commands.h"
#include "harness/night_output.h"
#include "harness/night_runner.h"
#include "harness/predictions_csv.h"
#include "harness/scenario_loader.h"
#include "physics/radar_config.h"

namespace po = boost::program_options;

namespace nightsim::harness {
namespace {

/// `--from`/`--to`: a clock time (HH:MM[:SS], read like the scenario's times: the
/// first such moment after the night's start) or seconds since the night's start.
std::optional<double> NightTimeS(const std::string& text, const Scenario& scenario) {
  if (text.find(':') != std::string::npos) {
    const std::optional<double> clock_s = ParseClockTime(text);
    if (!clock_s) return std::nullopt;
    return std::fmod(*clock_s - scenario.night.start_clock_s + 86400.0, 86400.0);
  }
  double s = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), s);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(s)) return std::nullopt;
  return s;
}

/// The frames between --from and --to (frames whose time lies in [from, to)).
/// Throws InputError naming the option and the night's span otherwise.
FrameWindow ExportWindow(const std::string& from_text, const std::string& to_text, const Scenario& scenario,
                         double frame_rate_hz) {
  const double night_s = scenario.night.duration_s;
  const std::string span = fmt::format("the night runs {}–{} (0–{} s)", FormatClockTime(scenario.night.start_clock_s),
                                       FormatClockTime(scenario.night.start_clock_s + night_s), night_s);
  std::vector<InputProblem> problems;
  auto read = [&](const std::string& text, const char* option, double fallback_s) {
    if (text.empty()) return fallback_s;
    const std::optional<double> t = NightTimeS(text, scenario);
    if (!t) {
      problems.push_back({"", 0, 0, option, fmt::format("'{}' is neither a clock time (23:30) nor seconds", text)});
    } else if (*t < 0 || *t > night_s) {
      problems.push_back({"", 0, 0, option, fmt::format("'{}' is outside the night: {}", text, span)});
    }
    return t.value_or(fallback_s);
  };
  const double from_s = read(from_text, "--from", 0.0);
  const double to_s = read(to_text, "--to", night_s);
  if (problems.empty() && from_s >= to_s) {
    problems.push_back({"", 0, 0, "--to", fmt::format("{} is not after --from {}", to_text, from_text.empty() ? "(the night's start)" : from_text)});
  }
  if (!problems.empty()) throw InputError(std::move(problems));
  const auto frames = static_cast<std::int64_t>(std::floor(night_s * frame_rate_hz));
  return FrameWindow{std::min(frames, static_cast<std::int64_t>(std::ceil(from_s * frame_rate_hz))),
                     std::min(frames, static_cast<std::int64_t>(std::ceil(to_s * frame_rate_hz)))};
}

/// "1.04 GB" / "38.2 MB" / "512 kB".
std::string Bytes(double bytes) {
  if (bytes >= 1e9) return fmt::format("{:.2f} GB", bytes / 1e9);
  if (bytes >= 1e6) return fmt::format("{:.1f} MB", bytes / 1e6);
  return fmt::format("{:.0f} kB", bytes / 1e3);
}

/// What --export-frames costs per hour of night with the default radar, for --help.
std::string ExportSizeHelp() {
  const RadarInfo radar = physics::MakeRadarInfo(RadarParams{});
  const double frames_per_h = 3600.0 * radar.frame_rate_hz;
  return fmt::format(
      "Size of --export-frames per hour of night with the default radar ({} rx, {} range bins,\n"
      "{} chirps × {} samples, {} frames/s), before compression:\n"
      "  range   {:>9}/h  rx × bins × 8 B per frame (a 9-h night: {})\n"
      "  raw     {:>9}/h  chirps × rx × samples × 4 B per frame, stored deflated to ~30 %\n"
      "  stream  {:>9}/h\n"
      "  and {}/h per body for its state at frame rate. --from/--to store a window only;\n"
      "  the size is printed before writing.\n\n",
      radar.rx.size(), radar.range_bins, radar.chirps_per_frame, radar.samples_per_chirp, radar.frame_rate_hz,
      Bytes(frames_per_h * RadarBytesPerFrame(radar, RadarLevel::kRange)),
      Bytes(9 * frames_per_h * RadarBytesPerFrame(radar, RadarLevel::kRange)),
      Bytes(frames_per_h * RadarBytesPerFrame(radar, RadarLevel::kRaw)),
      Bytes(frames_per_h * RadarBytesPerFrame(radar, RadarLevel::kStream)), Bytes(frames_per_h * kBodyFrameBytes));
}

}  // namespace

int CmdRun(const std::vector<std::string>& args) {
  po::options_description options("options");
  std::string scenario_path, level_text, out, metrics_text, from_text, to_text;
  std::uint64_t seed = 1;
  std::vector<std::string> sets;
  bool export_frames = false;
  options.add_options()
      ("help,h", "show this help")
      ("seed", po::value(&seed)->default_value(1), "run seed (every random stream derives from it)")
      ("set", po::value(&sets)->composing(), "name=value: set a declared scenario parameter (repeatable)")
      ("level", po::value(&level_text)->default_value("range"), "radar level synthesized: stream, range or raw")
      ("metrics", po::value(&metrics_text)->default_value("headline"), kMetricsOptionHelp)
      ("export-frames", po::bool_switch(&export_frames),
       "write the radar data at --level (and every body's state at frame rate) into the .h5; its size is "
       "printed first")
      ("from", po::value(&from_text),
       "with --export-frames: store the frames from this time on: a clock time (23:30; the first such moment "
       "after the night's start) or seconds since the night's start (default: the start)")
      ("to", po::value(&to_text), "with --export-frames: store the frames before this time (default: the end)")
      ("out", po::value(&out),
       "output path, with or without .h5 (default out/<scenario>_s<seed>): writes .h5, .json, .predictions.csv, "
       ".hypnogram.csv and .hypnogram.json");
  const po::variables_map vm = ParseCommandLine(args, options, {{"scenario", &scenario_path}});
  if (vm.count("help")) {
    fmt::print("usage: nightsim run SCENARIO [options]\n\n"
               "Simulates one night of SCENARIO, feeds nightsim's pipeline frame by frame,\n"
               "scores it against the ground truth, prints a summary and writes the night\n"
               "(truth, estimates, metrics; radar data with --export-frames) as HDF5\n"
               "(docs/hdf5_layout.md), the metrics as JSON, the pipeline's estimates as a\n"
               "predictions CSV (the format `nightsim score` reads) and the hypnograms as\n"
               "CSV/JSON with YASA stage codes.\n\n{}", ExportSizeHelp());
    std::cout << options << "\n";
    return kExitOk;
  }
  if (scenario_path.empty()) throw InputError(InputProblem{"", 0, 0, "SCENARIO", "a scenario file is required"});

  const SummaryDetail detail = ParseMetricsOption(metrics_text);
  const Scenario scenario = LoadScenario(scenario_path, ParseOverrides(sets));
  PrintScenarioWarnings(scenario);
  RunOptions run_options;
  run_options.seed = seed;
  run_options.level = ParseLevelOption(level_text);
  if (!export_frames && (!from_text.empty() || !to_text.empty())) {
    throw InputError(InputProblem{"", 0, 0, from_text.empty() ? "--to" : "--from",
                                  "chooses the frames to export: give --export-frames too"});
  }
  if (out.empty()) out = fmt::format("out/{}_s{}", scenario.name, seed);
  // `--out night.h5` names the night file the user expects rather than night.h5.h5.
  if (std::filesystem::path(out).extension() == ".h5") out.resize(out.size() - 3);
  const std::filesystem::path out_path(out);
  if (out_path.has_parent_path()) std::filesystem::create_directories(out_path.parent_path());

  NightFileOptions file_options;
  if (export_frames) {
    file_options.frames = run_options.level;
    const RadarInfo radar = physics::MakeRadarInfo(scenario.device.radar);
    const FrameWindow window = ExportWindow(from_text, to_text, scenario, radar.frame_rate_hz);
    if (!from_text.empty() || !to_text.empty()) file_options.window = window;
    // Say what is about to be written before minutes of writing it.
    const auto frames = static_cast<double>(window.end - window.first);
    const double radar_bytes = frames * RadarBytesPerFrame(radar, run_options.level, file_options.stream);
    const double body_bytes = frames * kBodyFrameBytes * static_cast<double>(scenario.people.size() + scenario.pets.size());
    fmt::print("exporting {} frames ({}–{}) at {} level: radar data {}{}, body states {} (before compression)\n",
               window.end - window.first, FormatClockTime(scenario.night.start_clock_s + window.first / radar.frame_rate_hz, true),
               FormatClockTime(scenario.night.start_clock_s + window.end / radar.frame_rate_hz, true), level_text,
               Bytes(radar_bytes), run_options.level == RadarLevel::kRaw ? " (stored deflated to ~30 %)" : "",
               Bytes(body_bytes));
    std::fflush(stdout);
  }
  NightFileWriter night_file(out + ".h5", scenario, seed, file_options);
  const NightRun run = RunNight(scenario, run_options, nullptr, night_file.Sink());
  night_file.Finish(run);
  WriteFileAtomically(out + ".json", NightJson(run));
  WriteFileAtomically(out + ".predictions.csv", PredictionsCsv(run.estimates, run.alarms, run.truth.epoch_s));
  WriteHypnogramFiles(run, out);
  fmt::print("{}\noutputs: {}.h5{}, {}.json, {}.predictions.csv, {}.hypnogram.csv, {}.hypnogram.json\n",
             FormatRunSummary(run, detail), out, export_frames ? fmt::format(" (radar data: {})", level_text) : "", out, out,
             out, out);
  return kExitOk;
}

}  // namespace nightsim::harness
