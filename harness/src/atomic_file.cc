#include "harness/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace nightsim::harness {
namespace {
std::string TempName(const std::string& final_path) {
  static std::atomic<unsigned> counter{0};
  const std::filesystem::path p(final_path);
  // Hidden and marked, so a listing or a resumed sweep never mistakes it for output.
  std::string name = ".";  // appends only: GCC 12 -O3 -Wrestrict false positive on operator+
  name += p.filename().string();
  name += ".tmp-";
  name += std::to_string(::getpid());
  name += '-';
  name += std::to_string(counter.fetch_add(1));
  return (p.parent_path() / name).string();
}
}  // namespace

AtomicFile::AtomicFile(std::string final_path) : final_path_(std::move(final_path)) {
  temp_path_ = TempName(final_path_);
}

AtomicFile::~AtomicFile() {
  if (!committed_) std::remove(temp_path_.c_str());
}

void AtomicFile::Commit() {
  const int fd = ::open(temp_path_.c_str(), O_RDONLY);
  if (fd < 0 || ::fsync(fd) != 0) {
    const std::string why = std::strerror(errno);
    if (fd >= 0) ::close(fd);
    throw std::runtime_error("cannot flush " + temp_path_ + ": " + why);
  }
  ::close(fd);
  if (std::rename(temp_path_.c_str(), final_path_.c_str()) != 0) {
    throw std::runtime_error("cannot rename " + temp_path_ + " to " + final_path_ + ": " + std::strerror(errno));
  }
  committed_ = true;
}

void WriteFileAtomically(const std::string& path, const std::string& text) {
  AtomicFile file(path);
  {
    std::ofstream out(file.temp_path(), std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error("cannot write " + path + ": " + std::strerror(errno));
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    out.flush();
    if (!out) throw std::runtime_error("cannot write " + path + ": " + std::strerror(errno));
  }
  file.Commit();
}

}  // namespace nightsim::harness
