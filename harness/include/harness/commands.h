#pragma once
/// \file
/// Entry points of the subcommands (one source file each in harness/src/cmd_*.cc).
/// Each takes the arguments after the subcommand name and returns an exit code.

#include <string>
#include <vector>

namespace nightsim::harness {

/// `nightsim validate FILE [--set name=value …]`
int CmdValidate(const std::vector<std::string>& args);

/// `nightsim run SCENARIO [--seed N] [--set name=value …] [--level L] [--out PATH]`
int CmdRun(const std::vector<std::string>& args);

/// `nightsim hypnograms SCENARIO --nights N --out DIR [--seed S]`: truth of N nights
/// (JSON + CSV per night and person) and the realism table.
int CmdHypnograms(const std::vector<std::string>& args);

}  // namespace nightsim::harness
