// libFuzzer target: an Acconeer A121 recording is user input (`nightsim import
// FILE.h5`), so format detection and the reader must turn any bytes into a recording
// or an InputError — never a crash, a hang or undefined behaviour in nightsim's own
// code. Each input is written to a temporary file (fuzz_temp_file.h). As for
// night_reader_fuzz, crashes inside Debian's libhdf5 1.10.8 on damaged files are
// reported by scripts/fuzz but do not fail it (docs/DEVELOPING.md, "Robustness").
//
// Seeds (tests/fuzz/corpus/a121): the first 3 frames of the shared
// breathing-sitting.h5 with every object and type kept (h5py), a foreign HDF5 file
// and a text file.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/errors.h"
#include "fuzz_temp_file.h"
#include "harness/recording_import.h"

// As in night_reader_fuzz: HDF5 sizes buffers from the file; return null as glibc does.
extern "C" const char* __asan_default_options() { return "allocator_may_return_null=1"; }

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string& path = nightsim::fuzz::WriteTempFile("a121_fuzz", data, size);
  try {
    (void)nightsim::harness::DetectRecordingFormat(path);
  } catch (const nightsim::InputError&) {
  }
  try {
    (void)nightsim::harness::ReadA121(path, nightsim::RadarLevel::kRange);
  } catch (const nightsim::InputError&) {
  }
  return 0;
}
