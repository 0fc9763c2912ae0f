#pragma once
// The fuzz targets whose input is an HDF5 file: HDF5 opens files by name, so each
// input is written to one temporary file per process and opened from there.

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace nightsim::fuzz {

/// Writes `data` to this process's temporary file `<TMPDIR>/<name>.<pid>.h5` (removed
/// at exit) and returns its path.
inline const std::string& WriteTempFile(const char* name, const std::uint8_t* data, std::size_t size) {
  // Never destroyed: the exit handler that removes the file runs after static
  // destructors registered later, so it must not use a std::string static.
  static const std::string* const path = [name] {
    const char* dir = std::getenv("TMPDIR");
    auto* p = new std::string(std::string(dir && *dir ? dir : "/tmp") + "/" + name + "." + std::to_string(getpid()) +
                              ".h5");
    std::atexit([] { std::remove(path->c_str()); });
    return p;
  }();
  std::FILE* out = std::fopen(path->c_str(), "wb");
  if (!out) std::abort();
  if (size > 0 && std::fwrite(data, 1, size, out) != size) std::abort();
  std::fclose(out);
  return *path;
}

}  // namespace nightsim::fuzz
