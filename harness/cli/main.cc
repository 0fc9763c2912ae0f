#include <fmt/core.h>

#include <exception>

#include "harness/cli.h"

int main(int argc, char** argv) {
  try {
    return nightsim::harness::RunCli(argc, argv);
  } catch (const std::exception& e) {
    fmt::print(stderr, "internal error: {}\n", e.what());
    return 3;
  }
}
