// `nightsim validate FILE [--set name=value …]`: loads a scenario and prints it
// fully resolved, or every problem (RunCli prints InputError problems, exit 2).

#include <fmt/core.h>

#include "command_line.h"
#include "harness/cli.h"
#include "harness/commands.h"
#include "harness/scenario_loader.h"

namespace nightsim::harness {

namespace {

void PrintValidateHelp() {
  fmt::print(
      "usage: nightsim validate FILE [--set name=value ...]\n\n"
      "Checks a scenario (schema: scenarios/README.md) and prints it fully resolved\n"
      "(extends merged, parameters substituted, every default explicit) on stdout.\n"
      "On an invalid scenario, prints every problem as file:line:column: key: message\n"
      "on stderr, writes nothing to stdout and exits 2.\n\n"
      "options:\n"
      "  --set name=value   set a declared parameter (repeatable; the value is in the\n"
      "                     parameter's own unit, a clock as HH:MM)\n"
      "  -h, --help         show this help\n");
}

}  // namespace

int CmdValidate(const std::vector<std::string>& args) {
  namespace po = boost::program_options;
  std::string file;
  std::vector<std::string> sets;
  po::options_description options("options");
  options.add_options()("help,h", "show this help")("set", po::value(&sets)->composing(), "name=value");
  const po::variables_map vm = ParseCommandLine(args, options, {{"FILE", &file}});
  if (vm.count("help")) {
    PrintValidateHelp();
    return kExitOk;
  }
  if (file.empty()) {
    fmt::print(stderr, "error: nightsim validate: expected a scenario FILE (see --help)\n");
    return kExitBadInput;
  }
  const Scenario scenario = LoadScenario(file, ParseOverrides(sets));
  fmt::print("{}", scenario.resolved_yaml);
  return kExitOk;
}

}  // namespace nightsim::harness
