#pragma once
/// \file
/// The one way the subcommands parse their arguments (Boost.Program_options).

#include <boost/program_options.hpp>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include "harness/metrics.h"

namespace nightsim::harness {

/// The `--metrics headline|all` option of the commands printing a night's summary.
/// Throws InputError for another value.
SummaryDetail ParseMetricsOption(const std::string& text);

/// Help text of `--metrics`.
inline constexpr const char* kMetricsOptionHelp =
    "headline: the sleep measures, a dozen headline metrics and the failure point; all: also the confusion "
    "matrix and every other metric (the JSON always has all)";

/// One positional argument: its name (as in messages) and where its value goes.
using PositionalArg = std::pair<const char*, std::string*>;

/// Threads of the commands that run nights in parallel (`-j`): every core, since the
/// nights are independent and no output depends on it; at least 1.
int DefaultJobs();

/// Parses `args` against `options` plus the positional arguments `positional`, taken
/// in order, one value each, and stores every value (po::notify). Throws
/// boost::program_options::error for an unknown option or a missing value, and
/// InputError for a positional argument too many (naming it, and pointing at --out
/// when the command has one).
boost::program_options::variables_map ParseCommandLine(const std::vector<std::string>& args,
                                                       const boost::program_options::options_description& options,
                                                       std::initializer_list<PositionalArg> positional = {});

}  // namespace nightsim::harness
