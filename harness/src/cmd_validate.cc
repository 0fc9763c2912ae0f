// `nightsim validate FILE [--set name=value …]`: loads a scenario and prints it
// fully resolved, or every problem (RunCli prints InputError problems, exit 2).

#include <fmt/core.h>

#include <iostream>

#include "core/errors.h"
#include "command_line.h"
#include "harness/cli.h"
#include "harness/commands.h"
#include "harness/scenario_loader.h"

namespace nightsim::harness {

int CmdValidate(const std::vector<std::string>& args) {
  namespace po = boost::program_options;
  std::string file;
  std::vector<std::string> sets;
  po::options_description options("options");
  options.add_options()
      ("help,h", "show this help")
      ("set", po::value(&sets)->composing(),
       "name=value: set a declared parameter (repeatable; the value in the parameter's own unit, a clock as HH:MM)");
  const po::variables_map vm = ParseCommandLine(args, options, {{"FILE", &file}});
  if (vm.count("help")) {
    fmt::print(
        "usage: nightsim validate FILE [--set name=value ...]\n\n"
        "Checks a scenario (schema: scenarios/README.md) and prints it fully resolved\n"
        "(extends merged, parameters substituted, every default explicit) on stdout.\n"
        "On an invalid scenario, prints every problem as file:line:column: key: message\n"
        "on stderr, writes nothing to stdout and exits 2.\n\n");
    std::cout << options << "\n";
    return kExitOk;
  }
  if (file.empty()) throw InputError(InputProblem{"", 0, 0, "FILE", "a scenario file is required"});
  const Scenario scenario = LoadScenario(file, ParseOverrides(sets));
  fmt::print("{}", scenario.resolved_yaml);
  return kExitOk;
}

}  // namespace nightsim::harness
