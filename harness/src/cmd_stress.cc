// `nightsim stress [--seeds N] [--first-seed S] [--json FILE] [-j N] [--scenarios DIR]
// [--filter SUBSTR] [--quiet]`: runs the stress library (scenarios/stress) over N
// seeds and prints one row per scenario; --json writes the same figures per scenario
// and per seed. Progress goes to stderr so stdout is only the table.

#include <fmt/core.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <chrono>
#include <filesystem>
#include <iostream>

#include "core/errors.h"
#include "command_line.h"
#include "harness/atomic_file.h"
#include "harness/cli.h"
#include "harness/commands.h"
#include "harness/stress.h"

namespace po = boost::program_options;

namespace nightsim::harness {

int CmdStress(const std::vector<std::string>& args) {
  po::options_description options("options");
  std::string json_path, dir = kStressLibraryDir, filter;
  StressOptions stress;
  options.add_options()
      ("help,h", "show this help")
      ("seeds", po::value(&stress.seeds)->default_value(3), "seeds per scenario (>= 1)")
      ("first-seed", po::value(&stress.first_seed)->default_value(1), "run seed of each scenario's first night")
      ("json", po::value(&json_path), "also write the figures per scenario and per seed to FILE")
      ("jobs,j", po::value(&stress.jobs)->default_value(DefaultJobs()), "nights run in parallel (threads)")
      ("scenarios", po::value(&dir)->default_value(kStressLibraryDir), "library folder (every *.yaml in it)")
      ("filter", po::value(&filter), "run only the scenarios whose file name contains SUBSTR")
      ("quiet,q", "no progress lines on stderr");
  const po::variables_map vm = ParseCommandLine(args, options);
  if (vm.count("help")) {
    fmt::print("usage: nightsim stress [options]\n\n"
               "Runs every scenario of the stress library (each file's first line says what it\n"
               "stresses) for --seeds seeds through the whole chain — sleepers, radar, pipeline,\n"
               "scoring — and prints one row per scenario: identity, presence, staging κ, TST\n"
               "error, alarm outcome and the dominant failure point, as means over the seeds.\n"
               "--json writes the same figures per scenario and per seed. Every figure (not\n"
               "the wall/CPU times) is the same for any -j.\n\n");
    std::cout << options << "\n";
    return kExitOk;
  }
  std::string error;
  if (!stress.IsValid(&error)) {
    const auto colon = error.find(':');
    throw InputError(InputProblem{"", 0, 0, error.substr(0, colon), error.substr(colon + 2)});
  }

  const std::vector<StressScenario> library = LoadStressLibrary(dir, filter);
  const bool quiet = vm.count("quiet") > 0;
  const StressProgress progress = [quiet](const std::string& scenario, const StressNight& night, std::size_t done,
                                          std::size_t total) {
    if (quiet) return;
    fmt::print(stderr, "[{}/{}] {} seed {}: {:.1f} s wall, {:.1f} s CPU\n", done, total, scenario, night.seed,
               night.wall_s, night.cpu_s);
  };
  const auto t0 = std::chrono::steady_clock::now();
  const std::vector<StressResult> results = RunStress(library, stress, progress);
  const double elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  double cpu_s = 0;
  for (const StressResult& r : results) cpu_s += r.cpu_s;

  if (!json_path.empty()) {
    const std::filesystem::path p(json_path);
    if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path());
    WriteFileAtomically(json_path, StressJson(results, stress));
  }
  fmt::print("{}", FormatStressTable(results, stress));
  fmt::print("{} nights in {:.0f} s wall, {:.0f} s CPU, {} worker{}\n", library.size() * stress.seeds, elapsed_s, cpu_s,
             stress.jobs, stress.jobs == 1 ? "" : "s");
  if (!json_path.empty()) fmt::print("json: {}\n", json_path);
  return kExitOk;
}

}  // namespace nightsim::harness
