// `nightsim score NIGHT.h5 PREDICTIONS.csv [--out FILE.json]`: scores a pipeline's
// per-epoch estimates (written by any program, in the predictions CSV format of
// harness/predictions_csv.h) against the truth stored in a night file — the same
// ScoreNight() that `nightsim run` uses, without re-simulating anything.

#include <fmt/core.h>

#include <boost/program_options.hpp>
#include <filesystem>
#include <iostream>

#include "core/errors.h"
#include "command_line.h"
#include "harness/atomic_file.h"
#include "harness/cli.h"
#include "harness/commands.h"
#include "harness/metrics.h"
#include "harness/night_output.h"
#include "harness/night_reader.h"
#include "harness/predictions_csv.h"

namespace po = boost::program_options;

namespace nightsim::harness {
int CmdScore(const std::vector<std::string>& args) {
  po::options_description options("options");
  std::string night_path, predictions_path, out, metrics_text;
  options.add_options()
      ("help,h", "show this help")
      ("metrics", po::value(&metrics_text)->default_value("headline"), kMetricsOptionHelp)
      ("out", po::value(&out), "metrics JSON to write, its folder created if missing (default: PREDICTIONS without .csv + .score.json)");
  const po::variables_map vm = ParseCommandLine(args, options, {{"night", &night_path}, {"predictions", &predictions_path}});
  if (vm.count("help")) {
    fmt::print(
        "usage: nightsim score NIGHT.h5 PREDICTIONS.csv [--out FILE.json]\n\n"
        "Scores per-epoch estimates written by any program against the truth stored in a\n"
        "night file (from `nightsim run` or `nightsim generate`), with the same scorer as\n"
        "`nightsim run`; prints the summary and writes the metrics as JSON.\n\n"
        "PREDICTIONS.csv: a header naming `stage` and `epoch` (or `time_s`), then one row\n"
        "per epoch of the night, e.g.\n"
        "  epoch,stage,present,tracking,target_range_m,target_angle_rad,resp_rate_bpm,intent\n"
        "  0,none,0,0,0,0,0,0\n"
        "  61,light,1,1,0.82,-0.21,13.9,1\n"
        "stage: wake, light, deep, rem, none, or a YASA code (0 W, 1 N1, 2 N2, 3 N3, 4 REM,\n"
        "-1 or -2 none). Optional columns: present, presence_confidence, session, tracking,\n"
        "target_range_m, target_angle_rad, resp_rate_bpm, movement, intent, alarm_fire_s,\n"
        "alarm_stage. What a file leaves out is not scored (listed as such in the summary\n"
        "and under \"not_scored\" in the JSON): present → presence, session → session,\n"
        "tracking + target_range_m + target_angle_rad (all or none) → identity,\n"
        "resp_rate_bpm → respiration, intent → intent, alarm_fire_s → alarm; staging is\n"
        "always scored. `nightsim run` writes its own pipeline's estimates in this format\n"
        "(OUT.predictions.csv). Errors name the line and the problem; exit code 2.\n\n");
    std::cout << options << "\n";
    return kExitOk;
  }
  if (night_path.empty() || predictions_path.empty()) {
    throw InputError(InputProblem{"", 0, 0, "", "expected NIGHT.h5 and PREDICTIONS.csv (see --help)"});
  }

  const SummaryDetail detail = ParseMetricsOption(metrics_text);
  const NightReader night(night_path);
  const NightTruth truth = night.Truth();
  const Predictions predictions =
      ReadPredictionsCsv(predictions_path, PredictionsNight{truth.epochs(), truth.epoch_s});
  ScoringOptions scoring;
  scoring.parts = predictions.parts;
  const NightMetrics metrics = ScoreNight(truth, predictions.estimates, predictions.alarms, scoring);

  if (out.empty()) {
    std::filesystem::path p(predictions_path);
    if (p.extension() == ".csv") p.replace_extension();
    out = p.string() + ".score.json";
  }
  const std::string json =
      fmt::format("{{\"nightsim_version\": {}, \"night_file\": {}, \"predictions\": {}, \"scenario\": {}, "
                  "\"seed\": {}, \"night\": {}}}\n",
                  JsonString(NightsimVersion()), JsonString(night_path), JsonString(predictions_path),
                  JsonString(night.info().scenario_name), night.info().seed, ToJson(metrics));
  if (const std::filesystem::path out_path(out); out_path.has_parent_path()) {
    std::filesystem::create_directories(out_path.parent_path());
  }
  WriteFileAtomically(out, json);
  fmt::print("scored {} against night {} (scenario {}, seed {}, {} epochs)\n\n{}\nmetrics: {}\n", predictions_path,
             night_path, night.info().scenario_name, night.info().seed, truth.epochs(), FormatSummary(metrics, detail), out);
  return kExitOk;
}

}  // namespace nightsim::harness
