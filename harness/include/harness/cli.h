#pragma once
/// \file
/// The `nightsim` command line: subcommands, --help, exit codes.

#include <functional>
#include <string>
#include <vector>

namespace nightsim::harness {

/// Exit codes of every subcommand.
inline constexpr int kExitOk = 0;          ///< success
inline constexpr int kExitCheckFailed = 1; ///< ran, but a check/gate failed
inline constexpr int kExitBadInput = 2;    ///< bad input: nothing was written

/// A subcommand: its name, a one-line summary, and its entry point. The entry
/// point receives the arguments after the subcommand name and returns an exit code;
/// it may throw InputError (→ messages on stderr, exit 2).
struct Subcommand {
  std::string name;
  std::string summary;
  std::function<int(const std::vector<std::string>&)> run;
};

/// Every subcommand, in the order `nightsim --help` lists them.
const std::vector<Subcommand>& Subcommands();

/// Runs the command line; returns the process exit code.
int RunCli(int argc, const char* const* argv);

}  // namespace nightsim::harness
