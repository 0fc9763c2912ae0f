#pragma once
/// \file
/// A thin RAII writer over the HDF5 C library for what nightsim writes: groups,
/// scalar attributes, and tables stored as one 1-D dataset per column (what h5py
/// users read straight into numpy arrays). Columns are chunked along time and
/// deflate-compressed.

#include <hdf5.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace nightsim::harness {

/// Writes one HDF5 file. Errors throw std::runtime_error naming the object.
class H5Writer {
 public:
  /// Creates (truncates) `path`.
  explicit H5Writer(const std::string& path);
  H5Writer(const H5Writer&) = delete;
  H5Writer& operator=(const H5Writer&) = delete;
  ~H5Writer();

  /// Creates group `path` ("/truth/epochs") and any missing parents.
  void Group(const std::string& path);
  /// Scalar attributes on the object at `path` ("/" for the file).
  void Attr(const std::string& path, const std::string& name, const std::string& value);
  void Attr(const std::string& path, const std::string& name, double value);
  void Attr(const std::string& path, const std::string& name, std::int64_t value);

  /// A 1-D dataset at `path` with a `unit` attribute ("" = dimensionless).
  void Column(const std::string& path, std::span<const double> values, const std::string& unit);
  void Column(const std::string& path, std::span<const float> values, const std::string& unit);
  void Column(const std::string& path, std::span<const std::int64_t> values, const std::string& unit);
  void Column(const std::string& path, std::span<const std::int32_t> values, const std::string& unit);
  void Column(const std::string& path, std::span<const std::int8_t> values, const std::string& unit);
  /// A 1-D dataset of variable-length UTF-8 strings.
  void Column(const std::string& path, const std::vector<std::string>& values, const std::string& unit);

  /// Flushes and closes; further calls throw. Called by the destructor if needed.
  void Close();

 private:
  void WriteColumn(const std::string& path, hid_t type, const void* data, std::size_t count, std::size_t elem_bytes,
                   const std::string& unit);
  hid_t file_{-1};
};

}  // namespace nightsim::harness
