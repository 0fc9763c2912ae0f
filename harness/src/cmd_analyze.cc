// `nightsim analyze NIGHT.h5 [-o OUT] [--bed-side left|right]`: nightsim's pipeline
// on the radar frames of any night file (an imported real recording, or a simulated
// night exported with its frames) without scoring — what can be said without truth.

#include <fmt/core.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <limits>
#include <memory>

#include "command_line.h"
#include "core/errors.h"
#include "harness/analysis.h"
#include "harness/atomic_file.h"
#include "harness/cli.h"
#include "harness/commands.h"
#include "harness/predictions_csv.h"

namespace po = boost::program_options;

namespace nightsim::harness {

int CmdAnalyze(const std::vector<std::string>& args) {
  po::options_description options("options");
  std::string night_path, out, bed_side_text;
  options.add_options()
      ("help,h", "show this help")
      ("out,o", po::value(&out),
       "output path without extension (default: NIGHT without .h5): writes .analysis.json, .series.csv and "
       ".predictions.csv; its folder is created if missing")
      ("bed-side", po::value(&bed_side_text),
       "left or right: the side the user configured (default: the night's app settings; left for a recording)");
  const po::variables_map vm = ParseCommandLine(args, options, {{"night", &night_path}});
  if (vm.count("help")) {
    fmt::print("usage: nightsim analyze NIGHT.h5 [-o OUT] [--bed-side left|right]\n\n"
               "Feeds the radar frames of a night file (raw or range level: a real recording from\n"
               "`nightsim import`, or a simulated night written with --export-frames) to nightsim's\n"
               "pipeline — the one `nightsim run` uses — and writes what can be said without truth:\n"
               "OUT.predictions.csv (the per-epoch estimates, the format `nightsim score` reads),\n"
               "OUT.series.csv (one row per pipeline update: presence, the person's range and\n"
               "breathing rate, signal quality) and OUT.analysis.json (fractions and medians).\n\n");
    std::cout << options << "\n";
    return kExitOk;
  }
  if (night_path.empty()) throw InputError(InputProblem{"", 0, 0, "NIGHT", "a night file to analyze is required"});
  std::optional<BedSide> bed_side;
  if (!bed_side_text.empty()) {
    if (bed_side_text != "left" && bed_side_text != "right") {
      throw InputError(InputProblem{"", 0, 0, "--bed-side", "must be left or right, not '" + bed_side_text + "'"});
    }
    bed_side = bed_side_text == "left" ? BedSide::kLeft : BedSide::kRight;
  }
  if (out.empty()) {
    out = night_path;
    if (out.size() > 3 && out.compare(out.size() - 3, 3, ".h5") == 0) out.resize(out.size() - 3);
  }

  const NightAnalysis analysis = AnalyzeNight(night_path, bed_side);
  const std::filesystem::path out_path(out);
  if (out_path.has_parent_path()) std::filesystem::create_directories(out_path.parent_path());
  WriteFileAtomically(out + ".predictions.csv", PredictionsCsv(analysis.estimates, analysis.alarms, analysis.settings.epoch_s));
  WriteFileAtomically(out + ".series.csv", AnalysisSeriesCsv(analysis));
  WriteFileAtomically(out + ".analysis.json", AnalysisJson(analysis));
  fmt::print("{}outputs: {}.analysis.json, {}.series.csv, {}.predictions.csv\n", FormatAnalysisSummary(analysis), out,
             out, out);
  return kExitOk;
}

}  // namespace nightsim::harness
