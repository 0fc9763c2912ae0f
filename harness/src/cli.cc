#include "harness/cli.h"

#include <fmt/core.h>

#include <boost/program_options/errors.hpp>
#include <exception>

#include "core/errors.h"
#include "harness/commands.h"
#include "harness/night_output.h"

namespace nightsim::harness {

const std::vector<Subcommand>& Subcommands() {
  static const std::vector<Subcommand> kCommands = {
      {"run", "simulate one night end to end, score the pipeline, write HDF5 + JSON", CmdRun},
      {"validate", "check a scenario and print it fully resolved", CmdValidate},
      {"hypnograms", "write the sleep-stage truth of many nights and their realism table", CmdHypnograms},
      {"train", "train the intent and staging models on simulated nights, or --evaluate them", CmdTrain},
      {"stress", "run the stress-test library over seeds: one row per scenario, --json per seed", CmdStress},
      {"sweep", "run a sweep file's nights on local cores (or one shard), aggregate, gate against a baseline", CmdSweep},
      {"merge", "join the outputs of a sweep's shards into its aggregate", CmdMerge},
      {"score", "score a pipeline's per-epoch predictions (CSV) against a night file's truth", CmdScore},
      {"generate", "generate a training set: N night files with radar data, truth, hypnograms, manifest", CmdGenerate},
      {"realism", "simulate a real recording's device and compare its statistics with the recording's", CmdRealism},
      {"report", "write a self-contained HTML report of a night file or a sweep's output", CmdReport},
      {"import", "write a real radar recording (ifxdaq folder, Acconeer A121 .h5) as a night file without truth", CmdImport},
      {"analyze", "run the pipeline on a night file's radar frames (a real recording) and report without truth", CmdAnalyze},
  };
  return kCommands;
}

namespace {
void PrintUsage() {
  fmt::print(
      "nightsim — synthetic nights for contactless radar sleep tracking\n\n"
      "usage: nightsim <command> [options]   (nightsim <command> --help for details)\n"
      "       nightsim --version\n\ncommands:\n");
  for (const auto& c : Subcommands()) fmt::print("  {:<12} {}\n", c.name, c.summary);
  fmt::print(
      "\nexit codes: 0 ok, 1 a check failed, 2 bad input (nothing written), 3 an output could not\n"
      "be written (full disk, read-only folder; nothing partial left), 130 interrupted\n");
}
}  // namespace

int RunCli(int argc, const char* const* argv) {
  if (argc < 2) {
    PrintUsage();
    return kExitBadInput;
  }
  const std::string name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    PrintUsage();
    return kExitOk;
  }
  if (name == "--version" || name == "-V" || name == "version") {
    fmt::print("nightsim {}\n", NightsimVersion());
    return kExitOk;
  }
  for (const auto& c : Subcommands()) {
    if (c.name != name) continue;
    std::vector<std::string> args(argv + 2, argv + argc);
    try {
      return c.run(args);
    } catch (const InputError& e) {
      for (const auto& p : e.problems()) fmt::print(stderr, "error: {}\n", p.Format());
      return kExitBadInput;
    } catch (const boost::program_options::error& e) {
      fmt::print(stderr, "error: nightsim {}: {}\n", name, e.what());
      return kExitBadInput;
    }
  }
  fmt::print(stderr, "error: unknown command '{}'\n\n", name);
  PrintUsage();
  return kExitBadInput;
}

}  // namespace nightsim::harness
