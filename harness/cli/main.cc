#include <fmt/core.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <stdexcept>

#include "harness/cli.h"

int main(int argc, char** argv) {
  try {
    return nightsim::harness::RunCli(argc, argv);
  } catch (const std::runtime_error& e) {
    // The world refused (a full disk, a read-only folder, a library failure): not a
    // bug of nightsim's, so not an "internal error". Outputs are written under
    // temporary names, so nothing partial is left under a final name.
    fmt::print(stderr, "error: {}\n", e.what());
    if (nightsim::harness::Hdf5FileLeftOpen()) {
      std::fflush(nullptr);
      std::_Exit(3);  // skip HDF5's exit handler, which would crash on that file
    }
    return 3;
  } catch (const std::exception& e) {
    fmt::print(stderr, "internal error: {}\n", e.what());
    return 3;
  }
}
