#include "command_line.h"

namespace nightsim::harness {

namespace po = boost::program_options;

po::variables_map ParseCommandLine(const std::vector<std::string>& args, const po::options_description& options,
                                   std::initializer_list<PositionalArg> positional) {
  // Positional values are hidden options, so --help lists only the real ones.
  po::options_description hidden;
  po::positional_options_description order;
  for (const auto& [name, value] : positional) {
    hidden.add_options()(name, po::value(value));
    order.add(name, 1);
  }
  po::options_description all;
  all.add(options).add(hidden);
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(all).positional(order).run(), vm);
  po::notify(vm);
  return vm;
}

}  // namespace nightsim::harness
