// libFuzzer target: the scenario loader must turn any bytes into a Scenario or an
// InputError — never a crash, a hang or undefined behaviour.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/errors.h"
#include "harness/scenario_loader.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    // Anchored in scenarios/, so `extends: base_bedroom.yaml` in the corpus resolves
    // and the merge, parameter and check code is reached, not just the parser.
    (void)nightsim::harness::LoadScenarioText(text, NIGHTSIM_SOURCE_DIR "/scenarios/fuzz.yaml");
  } catch (const nightsim::InputError&) {
  }
  return 0;
}
