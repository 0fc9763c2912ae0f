// libFuzzer target: a night file is user input (`nightsim score NIGHT.h5 …`), so the
// reader must turn any bytes into a night or an InputError — never a crash, a hang or
// undefined behaviour in nightsim's own code. HDF5 opens files by name, so each input
// is written to one temporary file per process and opened from there.
//
// Every accessor `nightsim score` and the tests use is called, and a night whose
// truth reads back is scored against its own estimates, as `score` would.
//
// Seeds (tests/fuzz/corpus/night_reader): the night files of
//   nightsim run tests/harness/data/night_file/minute_night.yaml --out minute_night
//   nightsim run …/minute_night.yaml --level stream --export-frames --out minute_night_stream
// a copy of the first cut to 4 KiB, a foreign HDF5 file and one with schema 9.0 (h5py),
// and a text file.
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/errors.h"
#include "harness/metrics.h"
#include "harness/night_reader.h"

namespace {

// Never destroyed: the exit handler that removes the file runs after static
// destructors registered later, so it must not use a std::string static.
const std::string& TempPath() {
  static const std::string* const path = [] {
    const char* dir = std::getenv("TMPDIR");
    auto* p = new std::string(std::string(dir && *dir ? dir : "/tmp") + "/night_reader_fuzz." +
                              std::to_string(getpid()) + ".h5");
    std::atexit([] { std::remove(TempPath().c_str()); });
    return p;
  }();
  return *path;
}

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
  {
    std::FILE* out = std::fopen(TempPath().c_str(), "wb");
    if (!out) std::abort();
    if (size > 0 && std::fwrite(data, 1, size, out) != size) std::abort();
    std::fclose(out);
  }
  using nightsim::harness::NightReader;
  Try([&] {
    const NightReader night(TempPath());
    Try([&] { (void)night.Radar(); });
    Try([&] { (void)night.Settings(); });
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
