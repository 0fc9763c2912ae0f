// libFuzzer target: the sweep loader (`nightsim sweep FILE.yaml`) must turn any bytes
// into a checked SweepSpec (and a manifest) or an InputError — never a crash, a hang
// or undefined behaviour.
//
// LoadSweep reads a file and resolves scenario paths relative to it, so each input is
// written to <tmp>/sweeps/fuzz.yaml beside a link <tmp>/scenarios to the checkout's
// scenarios/: the corpus's `../scenarios/...` entries load real scenarios and reach
// the parameter, draw, factor and gate checks, not just the YAML parser (and
// short_night.yaml beside it, for the test sweeps of tests/harness/data/sweeps).
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "core/errors.h"
#include "harness/sweep.h"

namespace {

namespace fs = std::filesystem;

// Never destroyed: the exit handler that removes the folder runs after static
// destructors registered later, so it must not use a std::string static.
const std::string& SweepPath() {
  static const std::string* const path = [] {
    const char* dir = std::getenv("TMPDIR");
    const fs::path root = fs::path(dir && *dir ? dir : "/tmp") / ("sweep_fuzz." + std::to_string(getpid()));
    fs::create_directories(root / "sweeps");
    std::error_code ignored;
    fs::create_directory_symlink(NIGHTSIM_SOURCE_DIR "/scenarios", root / "scenarios", ignored);
    fs::create_directory_symlink(NIGHTSIM_SOURCE_DIR "/tests", root / "tests", ignored);  // sweeps/throughput.yaml
    // The test sweeps of tests/harness/data/sweeps name their scenario beside them.
    fs::create_symlink(NIGHTSIM_SOURCE_DIR "/tests/harness/data/sweeps/short_night.yaml",
                       root / "sweeps" / "short_night.yaml", ignored);
    std::atexit([] {
      std::error_code e;
      fs::remove_all(fs::path(SweepPath()).parent_path().parent_path(), e);
    });
    return new std::string((root / "sweeps" / "fuzz.yaml").string());
  }();
  return *path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  {
    std::FILE* out = std::fopen(SweepPath().c_str(), "wb");
    if (!out) std::abort();
    if (size > 0 && std::fwrite(data, 1, size, out) != size) std::abort();
    std::fclose(out);
  }
  try {
    const nightsim::harness::SweepSpec spec = nightsim::harness::LoadSweep(SweepPath());
    // Expansion multiplies scenarios × points × arms × seeds; a small file can ask for
    // millions of nights, which is a valid (if large) sweep, not a bug to find here.
    std::size_t nights = spec.seeds.size() * (1 + 2 * spec.factors.size());
    for (const auto& s : spec.scenarios) {
      for (const auto& [name, values] : s.values) nights *= std::max<std::size_t>(1, values.size());
    }
    if (nights <= 4096) (void)nightsim::harness::ExpandSweep(spec);
  } catch (const nightsim::InputError&) {
  }
  return 0;
}
