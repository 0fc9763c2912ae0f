// `nightsim hypnograms SCENARIO --nights N --out DIR [--seed S]`: the truth of N
// nights (no radar, no pipeline), one JSON list and one CSV per night and person,
// then the realism table of every person's nights.

#include <fmt/core.h>

#include <cmath>
#include <filesystem>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "core/errors.h"
#include "command_line.h"
#include "harness/atomic_file.h"
#include "harness/cli.h"
#include "harness/commands.h"
#include "harness/scenario_loader.h"
#include "sleepers/night.h"
#include "sleepers/sleep_measures.h"

namespace nightsim::harness {

namespace {

std::string NightCsv(const sleepers::PersonTruth& truth, double start_clock_s) {
  std::string csv = "epoch,time,stage,intent,in_bed\n";
  csv.reserve(truth.epochs.size() * 28);
  for (std::size_t i = 0; i < truth.epochs.size(); ++i) {
    const auto& e = truth.epochs[i];
    csv += fmt::format("{},{},{},{},{}\n", i, FormatClockTime(start_clock_s + e.t_s, /*with_seconds=*/true), e.stage, e.intent ? 1 : 0,
                       e.in_bed ? 1 : 0);
  }
  return csv;
}

std::string NightJson(const sleepers::PersonTruth& truth) {
  std::string json = "[";
  json.reserve(truth.epochs.size() * 3 + 2);
  for (std::size_t i = 0; i < truth.epochs.size(); ++i) {
    if (i > 0) json += ',';
    json += std::to_string(truth.epochs[i].stage);
  }
  json += "]\n";
  return json;
}

}  // namespace

int CmdHypnograms(const std::vector<std::string>& args) {
  namespace po = boost::program_options;
  std::string file, out_dir, reference_dir;
  std::vector<std::string> sets;
  int nights = 0;
  std::uint64_t seed = 1;
  po::options_description options("options");
  options.add_options()
      ("help,h", "show this help")
      ("nights", po::value(&nights), "number of nights (>= 1)")
      ("out", po::value(&out_dir), "output folder (created if missing)")
      ("seed", po::value(&seed)->default_value(1), "first seed; night i uses seed + i")
      ("set", po::value(&sets)->composing(), "name=value: set a declared scenario parameter (repeatable)")
      ("reference", po::value(&reference_dir), "folder of real hypnograms (*.json) to compare with; 'none': no column");
  const po::variables_map vm = ParseCommandLine(args, options, {{"SCENARIO", &file}});
  if (vm.count("help")) {
    fmt::print(
        "usage: nightsim hypnograms SCENARIO --nights N --out DIR [--seed S] [--set name=value ...]\n"
        "                           [--reference DIR]\n\n"
        "Simulates N nights of the scenario's sleepers (no radar, no pipeline) and writes\n"
        "their truth: DIR/<night>_<person>.json (the list of per-epoch stage codes:\n"
        "0 W, 1 N1, 2 N2, 3 N3, 4 REM, -1 out of bed) and DIR/<night>_<person>.csv\n"
        "(columns epoch, time, stage, intent, in_bed).\n"
        "Then prints, per person, the realism table: each sleep measure (mean, SD) next\n"
        "to its target (docs/design.md §4) and the same measures of the real hypnograms in\n"
        "--reference DIR (default: the Sleep-EDF calibration nights beside the checkout,\n"
        "../shared/data/hypnograms/sleep-edf-st, when that folder exists).\n\n");
    std::cout << options << "\n";
    return kExitOk;
  }
  std::vector<InputProblem> problems;
  if (file.empty()) problems.push_back({"", 0, 0, "SCENARIO", "a scenario file is required"});
  if (nights < 1) problems.push_back({"", 0, 0, "--nights", fmt::format("must be >= 1, got {}", nights)});
  if (out_dir.empty()) problems.push_back({"", 0, 0, "--out", "the output folder is required"});
  if (!problems.empty()) throw InputError(std::move(problems));
  const Scenario scenario = LoadScenario(file, ParseOverrides(sets));
  if (scenario.people.empty()) throw InputError(InputProblem{file, 0, 0, "people", "the scenario has no people"});
  if (reference_dir.empty() && std::filesystem::is_directory(NIGHTSIM_DEFAULT_REFERENCE_DIR)) {
    reference_dir = NIGHTSIM_DEFAULT_REFERENCE_DIR;
  }
  if (reference_dir == "none") reference_dir.clear();
  std::vector<std::vector<int>> reference;
  if (!reference_dir.empty()) {
    try {
      reference = sleepers::LoadHypnogramDirectory(reference_dir);
    } catch (const std::exception& e) {
      throw InputError(InputProblem{reference_dir, 0, 0, "--reference", e.what()});
    }
  }
  std::filesystem::create_directories(out_dir);

  const std::size_t width = std::max<std::size_t>(4, std::to_string(nights - 1).size());
  std::map<std::string, std::vector<sleepers::SleepMeasures>> measures;  // by person id
  for (int n = 0; n < nights; ++n) {
    const sleepers::Night night = sleepers::SimulateNight(scenario, seed + static_cast<std::uint64_t>(n));
    const std::string night_name = fmt::format("{:0{}}", n, width);
    for (const sleepers::PersonTruth& truth : night.people) {
      const std::string stem = (std::filesystem::path(out_dir) / (night_name + "_" + truth.id)).string();
      WriteFileAtomically(stem + ".json", NightJson(truth));
      WriteFileAtomically(stem + ".csv", NightCsv(truth, scenario.night.start_clock_s));
      measures[truth.id].push_back(
          sleepers::ComputeSleepMeasures(truth.StageCodes(), truth.MeasureWindow(night.epoch_s)));
    }
  }

  std::vector<sleepers::SleepMeasures> reference_measures;
  for (const auto& codes : reference) reference_measures.push_back(sleepers::ComputeSleepMeasures(codes));
  const sleepers::MeasuresAggregate reference_aggregate = sleepers::AggregateMeasures(reference_measures);
  for (const PersonSpec& person : scenario.people) {
    const auto model = sleepers::AggregateMeasures(measures[person.id]);
    fmt::print("\n{} ({}, {} y, {}): {} nights from seed {}\n", person.id, person.role, person.age_y, person.sex, nights,
               seed);
    fmt::print("{}", sleepers::FormatRealismTable(model, reference.empty() ? nullptr : &reference_aggregate,
                                                  std::filesystem::path(reference_dir).filename().string()));
  }
  fmt::print("\nwrote {} files to {}\n", 2 * nights * scenario.people.size(), out_dir);
  return kExitOk;
}

}  // namespace nightsim::harness
