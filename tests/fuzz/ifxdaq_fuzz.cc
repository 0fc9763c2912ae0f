// libFuzzer target: an ifxdaq recording is user input (`nightsim import FOLDER`), so
// the .npy header parser, the config.json parser and the conversion (shape checks,
// transpose, counts to volts, RangeFromRaw) must turn any bytes into a recording or an
// InputError — never a crash, a hang or undefined behaviour.
//
// Input: a 2-byte little-endian length L, then L bytes of config.json, then radar.npy.
// Seeds (tests/fuzz/corpus/ifxdaq): the first frame of the shared BGT60TR13C recording
// (headers v1, v2, v3), a 2-frame one-rx cut with its own config, a shape that
// contradicts the config, bad JSON, a Fortran-ordered and a big-endian array, and a
// truncated file (written by numpy/h5py from ../shared/data/radar).
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/errors.h"
#include "harness/recording_import.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::size_t length = std::min<std::size_t>(size - 2, data[0] | (std::size_t{data[1]} << 8));
  const std::string config(reinterpret_cast<const char*>(data) + 2, length);
  const std::string_view npy(reinterpret_cast<const char*>(data) + 2 + length, size - 2 - length);
  for (nightsim::RadarLevel level : {nightsim::RadarLevel::kRaw, nightsim::RadarLevel::kRange}) {
    try {
      (void)nightsim::harness::ConvertIfxdaq(npy, config, level, "radar.npy", "config.json");
    } catch (const nightsim::InputError&) {
    }
  }
  try {
    (void)nightsim::harness::ParseNpyHeader(npy, "radar.npy");
  } catch (const nightsim::InputError&) {
  }
  return 0;
}
