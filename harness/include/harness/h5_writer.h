#pragma once
/// \file
/// A thin RAII writer over the HDF5 C library for what nightsim writes: groups,
/// scalar attributes, tables stored as one 1-D dataset per column (what h5py users
/// read straight into numpy arrays), small fixed matrices, and series — datasets
/// that grow along their first (time) dimension while a night runs, written one
/// whole chunk at a time so that memory stays bounded by one chunk per series
/// (uncompressed series store each chunk directly, bypassing HDF5's chunk cache and
/// type conversion: the cost of writing them is close to that of a plain write).
///
/// Files are byte-for-byte reproducible: no object carries a modification time
/// (H5Pset_obj_track_times off), so the same calls give the same bytes.
///
/// Complex values are stored as the compound {r: float32, i: float32}, which h5py
/// reads as numpy complex64 and which has the memory layout of std::complex<float>.

#include <hdf5.h>

#include <complex>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace nightsim::harness {

/// Element type of a series.
enum class H5Elem { kInt8, kInt32, kInt64, kFloat32, kFloat64, kComplex64 };

/// Size of one element of `elem`, bytes.
std::size_t H5ElemBytes(H5Elem elem);

/// Largest chunk a series uses, bytes: HDF5's default chunk cache holds 1 MiB per
/// dataset, so a chunk that fits is assembled and compressed once.
inline constexpr std::size_t kMaxChunkBytes = 1024 * 1024;
/// Chunk size a series aims at, bytes (within the 10 KiB – 1 MiB rule of the layout).
inline constexpr std::size_t kTargetChunkBytes = 512 * 1024;

/// How a series is stored.
struct H5SeriesOptions {
  /// Deflate level 0..9; 0 stores the data uncompressed (noise-like radar samples
  /// do not compress enough to pay for the time). Compressed series are shuffled first.
  int deflate{0};
  /// Rows per chunk; 0 chooses kTargetChunkBytes / row bytes (at least 1).
  std::size_t chunk_rows{0};
};

/// A dataset of shape [rows, row_shape...] growing along rows. Obtained from
/// H5Writer::Series(); owned by the writer and valid until it is closed.
class H5Series {
 public:
  H5Series(const H5Series&) = delete;
  H5Series& operator=(const H5Series&) = delete;
  ~H5Series();

  /// Appends whole rows. The span's element type must match the series' H5Elem and its
  /// length must be a multiple of the elements per row; throws std::invalid_argument
  /// otherwise and std::runtime_error when HDF5 fails.
  void Append(std::span<const std::int8_t> values);
  void Append(std::span<const std::int32_t> values);
  void Append(std::span<const std::int64_t> values);
  void Append(std::span<const float> values);
  void Append(std::span<const double> values);
  void Append(std::span<const std::complex<float>> values);

  /// Rows appended so far (written or buffered).
  std::int64_t rows() const { return rows_written_ + static_cast<std::int64_t>(buffered_rows_); }
  /// Elements per row (product of the row shape).
  std::size_t row_elements() const { return row_elements_; }
  /// Rows per chunk.
  std::size_t chunk_rows() const { return chunk_rows_; }
  /// Writes the buffered rows (a partial chunk) to the file. Called by H5Writer::Close().
  void Flush();

 private:
  friend class H5Writer;
  H5Series(hid_t dataset, hid_t mem_type, H5Elem elem, std::vector<hsize_t> row_shape, std::size_t chunk_rows,
           bool direct, std::string path);
  void AppendBytes(const void* data, std::size_t count, H5Elem elem);
  void WriteRows(const unsigned char* data, std::size_t rows);

  hid_t dataset_{-1};
  hid_t mem_type_{-1};  // owned when it is a compound (complex); else a predefined type
  H5Elem elem_;
  std::vector<hsize_t> row_shape_;
  std::size_t row_elements_{1};
  std::size_t row_bytes_{0};
  std::size_t chunk_rows_{1};
  bool direct_{false};  // unfiltered: whole chunks written with H5Dwrite_chunk
  std::string path_;
  std::vector<unsigned char> buffer_;  // one chunk
  std::size_t buffered_rows_{0};
  std::int64_t rows_written_{0};
};

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

  /// A 1-D dataset at `path` with a `unit` attribute ("" = dimensionless). Chunked
  /// (at most 256 KiB) and deflate-compressed: tables of a night are slowly varying.
  void Column(const std::string& path, std::span<const double> values, const std::string& unit);
  void Column(const std::string& path, std::span<const float> values, const std::string& unit);
  void Column(const std::string& path, std::span<const std::int64_t> values, const std::string& unit);
  void Column(const std::string& path, std::span<const std::int32_t> values, const std::string& unit);
  void Column(const std::string& path, std::span<const std::int8_t> values, const std::string& unit);
  /// A 1-D dataset of variable-length UTF-8 strings.
  void Column(const std::string& path, const std::vector<std::string>& values, const std::string& unit);

  /// A small contiguous 2-D float64 dataset [rows, cols] (row-major `values`).
  /// Throws std::invalid_argument when values.size() != rows · cols.
  void Matrix(const std::string& path, std::span<const double> values, std::size_t rows, std::size_t cols,
              const std::string& unit);

  /// Creates an empty series at `path` of shape [0, row_shape...] with a `unit`
  /// attribute; rows are appended through the returned object. Throws
  /// std::invalid_argument when a row exceeds kMaxChunkBytes.
  H5Series& Series(const std::string& path, H5Elem elem, const std::vector<std::size_t>& row_shape,
                   const std::string& unit, const H5SeriesOptions& options = {});

  /// Flushes every series, then the file, and closes; further calls throw. Called by
  /// the destructor if needed (which swallows errors: call Close() to see them).
  void Close();

 private:
  void WriteColumn(const std::string& path, hid_t type, const void* data, std::size_t count, std::size_t elem_bytes,
                   const std::string& unit);
  void CheckOpen() const;
  hid_t file_{-1};
  std::vector<std::unique_ptr<H5Series>> series_;
};

}  // namespace nightsim::harness
