// `nightsim validate FILE [--set name=value …]`: loads a scenario and prints it
// fully resolved, or every problem (RunCli prints InputError problems, exit 2).
// Arguments are parsed by hand: two options do not justify linking
// Boost.Program_options into the harness library.

#include <fmt/core.h>

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
  std::vector<std::string> files, sets;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      PrintValidateHelp();
      return kExitOk;
    }
    if (a == "--set") {
      if (i + 1 == args.size()) {
        fmt::print(stderr, "error: nightsim validate: --set needs name=value\n");
        return kExitBadInput;
      }
      sets.push_back(args[++i]);
    } else if (a.rfind("--set=", 0) == 0) {
      sets.push_back(a.substr(6));
    } else if (a.size() > 1 && a[0] == '-') {
      fmt::print(stderr, "error: nightsim validate: unknown option '{}' (see --help)\n", a);
      return kExitBadInput;
    } else {
      files.push_back(a);
    }
  }
  if (files.size() != 1) {
    fmt::print(stderr, "error: nightsim validate: expected exactly one scenario FILE, got {} (see --help)\n",
               files.size());
    return kExitBadInput;
  }
  const Scenario scenario = LoadScenario(files[0], ParseOverrides(sets));
  fmt::print("{}", scenario.resolved_yaml);
  return kExitOk;
}

}  // namespace nightsim::harness
