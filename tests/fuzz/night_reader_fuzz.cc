// libFuzzer target: a night file is user input (`nightsim score NIGHT.h5 …`), so the
// reader must turn any bytes into a night or an InputError — never a crash, a hang or
// undefined behaviour in nightsim's own code. HDF5 opens files by name, so each input
// is written to one temporary file per process and opened from there (fuzz_temp_file.h).
//
// Every accessor `nightsim score` and the tests use is called, and a night whose
// truth reads back is scored against its own estimates, as `score` would.
//
// Seeds (tests/fuzz/corpus/night_reader): the night files of
//   nightsim run tests/harness/data/night_file/minute_night.yaml --out minute_night
//   nightsim run …/minute_night.yaml --level stream --export-frames --out minute_night_stream
// a copy of the first cut to 4 KiB, a foreign HDF5 file and one with schema 9.0 (h5py),
// a text file, and an imported recording without truth (schema 1.1):
//   nightsim import tests/fuzz/corpus/a121/three_frames.h5 -o imported_a121.h5
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/errors.h"
#include "fuzz_temp_file.h"
#include "harness/metrics.h"
#include "harness/night_reader.h"

namespace {

template <typename F>
void Try(F&& f) {
  try {
    f();
  } catch (const nightsim::InputError&) {
  }
}

}  // namespace

// HDF5 sizes its metadata buffers from the file, so a damaged file can make it ask
// malloc for petabytes. glibc then returns null and HDF5 fails the call (the reader
// turns that into an InputError); ASan by default aborts instead. Return null as in
// production: nightsim's own `new` still reports an oversized request as a crash.
extern "C" const char* __asan_default_options() { return "allocator_may_return_null=1"; }

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string& path = nightsim::fuzz::WriteTempFile("night_reader_fuzz", data, size);
  using nightsim::harness::NightReader;
  Try([&] {
    const NightReader night(path);
    Try([&] { (void)night.Radar(); });
    Try([&] { (void)night.Settings(); });
    Try([&] { (void)night.RadarType(); });
    Try([&] { (void)night.FrameTimes(); });
    Try([&] { (void)night.Metrics(); });
    Try([&] {
      const auto truth = night.Truth();
      const auto estimates = night.Estimates();
      const auto alarms = night.Alarms();
      (void)nightsim::harness::ScoreNight(truth, estimates, alarms);
    });
    Try([&] {
      const std::int64_t rows = night.RadarRows();
      const std::int64_t some = std::min<std::int64_t>(rows, 2);
      Try([&] { (void)night.RangeFrames(0, some); });
      Try([&] { (void)night.RawFrames(0, some); });
      Try([&] { (void)night.Stream(); });
    });
    Try([&] {
      for (const auto& body : night.Truth().bodies) Try([&] { (void)night.BodyFramesOf(body.id); });
    });
  });
  return 0;
}
