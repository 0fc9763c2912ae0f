// `nightsim run SCENARIO [--seed N] [--set name=value …] [--level stream|range|raw]
// [--export-frames] [--out PATH]`: one night end to end — simulate, feed the pipeline
// frame by frame, score against the truth, print a summary and write PATH.h5 (with the
// radar data at --level when --export-frames), PATH.json, PATH.predictions.csv and the
// hypnograms PATH.hypnogram.{csv,json}.

#include <fmt/core.h>

#include <boost/program_options.hpp>
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

namespace po = boost::program_options;

namespace nightsim::harness {

int CmdRun(const std::vector<std::string>& args) {
  po::options_description options("options");
  std::string scenario_path, level_text, out, metrics_text;
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
       "write the radar data at --level (and every body's state at frame rate) into the .h5")
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
               "CSV/JSON with YASA stage codes.\n\n");
    std::cout << options << "\n";
    return kExitOk;
  }
  if (scenario_path.empty()) throw InputError(InputProblem{"", 0, 0, "SCENARIO", "a scenario file is required"});

  const SummaryDetail detail = ParseMetricsOption(metrics_text);
  const Scenario scenario = LoadScenario(scenario_path, ParseOverrides(sets));
  RunOptions run_options;
  run_options.seed = seed;
  run_options.level = ParseLevelOption(level_text);
  if (out.empty()) out = fmt::format("out/{}_s{}", scenario.name, seed);
  // `--out night.h5` names the night file the user expects rather than night.h5.h5.
  if (std::filesystem::path(out).extension() == ".h5") out.resize(out.size() - 3);
  const std::filesystem::path out_path(out);
  if (out_path.has_parent_path()) std::filesystem::create_directories(out_path.parent_path());

  NightFileOptions file_options;
  if (export_frames) file_options.frames = run_options.level;
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
