#include "command_line.h"

#include <fmt/core.h>

#include <algorithm>
#include <thread>

#include "core/errors.h"

namespace nightsim::harness {

namespace po = boost::program_options;

SummaryDetail ParseMetricsOption(const std::string& text) {
  if (const auto detail = ParseSummaryDetail(text)) return *detail;
  throw InputError(InputProblem{"", 0, 0, "--metrics", fmt::format("expected headline or all, got '{}'", text)});
}

int DefaultJobs() { return static_cast<int>(std::max(1u, std::thread::hardware_concurrency())); }

po::variables_map ParseCommandLine(const std::vector<std::string>& args, const po::options_description& options,
                                   std::initializer_list<PositionalArg> positional) {
  // Positional values are hidden options, so --help lists only the real ones.
  po::options_description hidden;
  po::positional_options_description order;
  for (const auto& [name, value] : positional) {
    hidden.add_options()(name, po::value(value));
    order.add(name, 1);
  }
  // Arguments past the declared ones land here and are reported below: Boost's own
  // "too many positional options" names neither the argument nor the fix, and the
  // usual slip is an output file given as one more argument (`report a.h5 b.html`).
  hidden.add_options()("nightsim-extra-argument", po::value<std::vector<std::string>>());
  order.add("nightsim-extra-argument", -1);
  po::options_description all;
  all.add(options).add(hidden);
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(all).positional(order).run(), vm);
  if (vm.count("nightsim-extra-argument")) {
    const po::option_description* out = options.find_nothrow("out", false);
    // "-o" when the option has a short name, else "--out" (Boost gives "out" then).
    const std::string name =
        out == nullptr ? "" : out->canonical_display_name(po::command_line_style::allow_dash_for_short);
    const std::string hint =
        out == nullptr ? ""
                       : fmt::format("; use {}{} OUT to name the output", name.front() == '-' ? "" : "--", name);
    std::vector<InputProblem> problems;
    for (const std::string& a : vm["nightsim-extra-argument"].as<std::vector<std::string>>()) {
      problems.push_back({"", 0, 0, a,
                          fmt::format("unexpected argument (the command takes {} positional argument{}){}",
                                      positional.size(), positional.size() == 1 ? "" : "s", hint)});
    }
    throw InputError(std::move(problems));
  }
  po::notify(vm);
  return vm;
}

}  // namespace nightsim::harness
