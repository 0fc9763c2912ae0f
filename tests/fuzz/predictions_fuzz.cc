// libFuzzer target: the predictions CSV parser (`nightsim score NIGHT PREDICTIONS.csv`)
// must turn any bytes into Predictions or an InputError — never a crash, a hang or
// undefined behaviour.
//
// The night the file must fit comes from the input itself when it starts with the
// comment line "#night EPOCHS EPOCH_S" (the parser skips comments, so seeds stay
// valid CSV files), so the fuzzer also varies the epoch count and length: the
// epoch-from-time arithmetic depends on both. Default: 8 epochs of 30 s.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "core/errors.h"
#include "harness/predictions_csv.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  nightsim::harness::PredictionsNight night{8, 30.0};
  long long epochs = 0;
  double epoch_s = 0;
  // A night file's epochs are bounded by the data it holds; cap them here so the
  // fuzzer spends its time on parsing, not on allocating empty rows.
  if (std::sscanf(text.c_str(), "#night %lld %lf", &epochs, &epoch_s) == 2 && epochs >= 0 && epochs <= 4096 &&
      epoch_s > 0 && epoch_s <= 3600) {
    night = {epochs, epoch_s};
  }
  try {
    const auto predictions = nightsim::harness::ParsePredictionsCsv(text, "fuzz.csv", night);
    if (predictions.estimates.size() != static_cast<std::size_t>(night.epochs)) __builtin_trap();
  } catch (const nightsim::InputError&) {
  }
  return 0;
}
