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

/// True when an HDF5 file could not be closed because a write failed (a full disk).
/// HDF5 1.10's exit handler then crashes closing it again (SIGSEGV in H5F__close_cb),
/// so the process must end with std::_Exit; its temporary file is already removed.
bool Hdf5FileLeftOpen();

/// Runs the command line; returns the process exit code.
int RunCli(int argc, const char* const* argv);

}  // namespace nightsim::harness
