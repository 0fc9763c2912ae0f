// `nightsim merge SWEEP DIR… [--out DIR] [--baseline BASELINE.json]`: joins the
// outputs of a sweep's shards into the aggregate a local run gives.

#include <fmt/core.h>

#include <boost/program_options.hpp>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "core/errors.h"
#include "harness/atomic_file.h"
#include "harness/cli.h"
#include "harness/commands.h"
#include "harness/sweep.h"
#include "harness/sweep_report.h"
#include "harness/sweep_runner.h"
#include "sweep_detail.h"

namespace po = boost::program_options;

namespace nightsim::harness {

int CmdMerge(const std::vector<std::string>& args) {
  namespace fs = std::filesystem;
  po::options_description options("options");
  std::string out, baseline;
  std::vector<std::string> positional_args;
  options.add_options()
      ("help,h", "show this help")
      ("out", po::value(&out), "output folder (default out/sweep-<name>): gets every night and the aggregate")
      ("baseline", po::value(&baseline), "aggregate.json of an earlier run: gate as nightsim sweep --baseline does");
  po::options_description hidden;
  hidden.add_options()("args", po::value(&positional_args)->composing());
  po::options_description all;
  all.add(options).add(hidden);
  po::positional_options_description positional;
  positional.add("args", -1);
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
  po::notify(vm);
  if (vm.count("help")) {
    fmt::print("usage: nightsim merge SWEEP SHARD_DIR... [options]\n\n"
               "Joins the night outputs of a sweep's shards (each SHARD_DIR is the --out of a\n"
               "`nightsim sweep SWEEP --shard I/N` run) into one folder and writes the aggregate —\n"
               "byte-identical to the aggregate of a local run of the whole sweep.\n"
               "exit codes: 0 ok, 1 nights missing or a gate failed, 2 bad input\n\n");
    std::cout << options << "\n";
    return kExitOk;
  }
  if (positional_args.size() < 2) {
    throw InputError(InputProblem{"", 0, 0, "SWEEP SHARD_DIR...", "a sweep file and at least one shard folder are required"});
  }
  const std::string sweep_path = positional_args[0];
  const std::vector<std::string> dirs(positional_args.begin() + 1, positional_args.end());
  for (const auto& d : dirs) {
    std::error_code ec;
    if (!fs::is_directory(fs::path(d) / "nights", ec)) {
      throw InputError(InputProblem{d, 0, 0, "SHARD_DIR", "not a sweep output folder (no nights/ in it)"});
    }
  }
  if (!baseline.empty() && !detail::ReadJsonFile(baseline).IsMap()) {
    throw InputError(InputProblem{baseline, 0, 0, "--baseline", "cannot read a sweep aggregate (JSON)"});
  }
  const SweepSpec spec = LoadSweep(sweep_path);
  const SweepManifest manifest = ExpandSweep(spec);
  if (out.empty()) out = "out/sweep-" + spec.name;

  std::vector<std::size_t> missing;
  const auto records = CollectNightRecords(manifest, dirs, &missing);
  if (!missing.empty()) {
    fmt::print(stderr, "error: {} of {} nights are in none of the shard folders, e.g.:\n", missing.size(),
               manifest.nights.size());
    for (std::size_t i = 0; i < missing.size() && i < 5; ++i) {
      const SweepNight& n = manifest.nights[missing[i]];
      fmt::print(stderr, "  {} seed {} {} (shard {} of {} nights)\n", spec.scenarios[n.scenario].path, n.seed,
                 n.PointText(), n.index, manifest.nights.size());
    }
    return kExitCheckFailed;
  }
  // The merged folder holds every night too, so it can be resumed or merged again.
  fs::create_directories(fs::path(out) / "nights");
  for (const auto& [hash, record] : records) {
    const std::string target = NightPath(out, hash);
    if (ReadNightRecord(target, hash)) continue;
    for (const auto& d : dirs) {
      const std::string source = NightPath(d, hash);
      if (!ReadNightRecord(source, hash)) continue;
      std::ifstream in(source, std::ios::binary);
      std::ostringstream text;
      text << in.rdbuf();
      WriteFileAtomically(target, text.str());
      break;
    }
  }
  fmt::print(stderr, "merged {} nights from {} folder{} into {}\n", records.size(), dirs.size(),
             dirs.size() == 1 ? "" : "s", out);
  return WriteSweepOutputs(spec, manifest, records, out, baseline, stdout);
}

}  // namespace nightsim::harness
