#pragma once
/// \file
/// Outputs are written under a temporary name in the destination folder and renamed
/// when complete, so nothing half-written is ever presented as finished.

#include <string>

namespace nightsim::harness {

/// A file being written. Write to temp_path(); Commit() renames it to the final
/// path. Destroyed without Commit(), the temporary file is removed.
class AtomicFile {
 public:
  /// Prepares `final_path` (its folder must exist). Throws std::runtime_error if it cannot.
  explicit AtomicFile(std::string final_path);
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  ~AtomicFile();

  const std::string& temp_path() const { return temp_path_; }
  const std::string& final_path() const { return final_path_; }
  /// Flushes the temporary file to disk and renames it over the final path.
  /// Throws std::runtime_error on failure (the temporary file is then removed).
  void Commit();

 private:
  std::string final_path_;
  std::string temp_path_;
  bool committed_{false};
};

/// Writes `text` to `path` atomically (temporary name + rename).
void WriteFileAtomically(const std::string& path, const std::string& text);

}  // namespace nightsim::harness
