#include "harness/h5_writer.h"

#include "harness/cli.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <exception>
#include <stdexcept>

namespace nightsim::harness {
namespace {

std::atomic<bool> g_file_left_open{false};  // see Hdf5FileLeftOpen()

// The operating system's reason for the failure just reported by an HDF5 call, when
// HDF5 recorded one ("No space left on device", "Read-only file system"): its file
// drivers put it in the error stack as "error message = '…'"; "" otherwise.
std::string SystemReason() {
  std::string reason;
  H5Ewalk2(
      H5E_DEFAULT, H5E_WALK_DOWNWARD,
      [](unsigned, const H5E_error2_t* e, void* out) -> herr_t {
        const std::string desc = e->desc ? e->desc : "";
        const std::string mark = "error message = '";
        const auto at = desc.find(mark);
        if (at != std::string::npos) {
          const auto end = desc.find('\'', at + mark.size());
          *static_cast<std::string*>(out) = desc.substr(at + mark.size(), end - at - mark.size());
        }
        return 0;
      },
      &reason);
  return reason.empty() ? "" : ": " + reason;
}

void Check(herr_t status, const std::string& what) {
  if (status < 0) throw std::runtime_error("HDF5: cannot " + what + SystemReason());
}
hid_t CheckId(hid_t id, const std::string& what) {
  if (id < 0) throw std::runtime_error("HDF5: cannot " + what + SystemReason());
  return id;
}

// Closes an HDF5 handle with the matching close function when it leaves scope.
struct Handle {
  hid_t id;
  herr_t (*close)(hid_t);
  ~Handle() {
    if (id >= 0) close(id);
  }
};

void WriteAttr(hid_t file, const std::string& path, const std::string& name, hid_t type, const void* value) {
  Handle obj{CheckId(H5Oopen(file, path.c_str(), H5P_DEFAULT), "open " + path), H5Oclose};
  if (H5Aexists(obj.id, name.c_str()) > 0) Check(H5Adelete(obj.id, name.c_str()), "replace attribute " + name);
  Handle space{H5Screate(H5S_SCALAR), H5Sclose};
  Handle attr{CheckId(H5Acreate2(obj.id, name.c_str(), type, space.id, H5P_DEFAULT, H5P_DEFAULT),
                      "create attribute " + path + "@" + name),
              H5Aclose};
  Check(H5Awrite(attr.id, type, value), "write attribute " + path + "@" + name);
}

// A dataset creation list without object timestamps: the same night gives the same bytes.
hid_t TimelessDcpl() {
  const hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  H5Pset_obj_track_times(dcpl, 0);
  return dcpl;
}

hid_t TimelessGcpl() {
  const hid_t gcpl = H5Pcreate(H5P_GROUP_CREATE);
  H5Pset_obj_track_times(gcpl, 0);
  return gcpl;
}

// Creates the missing parent groups of `path` one by one, each without a timestamp
// (H5Pset_create_intermediate_group would create them with the default, timestamped,
// group creation list).
void MakeParents(hid_t file, const std::string& path) {
  Handle gcpl{TimelessGcpl(), H5Pclose};
  for (std::size_t slash = path.find('/', 1); slash != std::string::npos; slash = path.find('/', slash + 1)) {
    const std::string parent = path.substr(0, slash);
    if (H5Lexists(file, parent.c_str(), H5P_DEFAULT) > 0) continue;
    Handle g{CheckId(H5Gcreate2(file, parent.c_str(), H5P_DEFAULT, gcpl.id, H5P_DEFAULT), "create group " + parent),
             H5Gclose};
  }
}

hid_t FileTypeOf(H5Elem elem) {
  switch (elem) {
    case H5Elem::kInt8: return H5T_STD_I8LE;
    case H5Elem::kInt32: return H5T_STD_I32LE;
    case H5Elem::kInt64: return H5T_STD_I64LE;
    case H5Elem::kFloat32: return H5T_IEEE_F32LE;
    case H5Elem::kFloat64: return H5T_IEEE_F64LE;
    case H5Elem::kComplex64: break;
  }
  return -1;
}

// {r, i} compound of two float32: h5py maps exactly this to complex64.
hid_t ComplexType(hid_t member) {
  const hid_t t = H5Tcreate(H5T_COMPOUND, 2 * H5Tget_size(member));
  H5Tinsert(t, "r", 0, member);
  H5Tinsert(t, "i", H5Tget_size(member), member);
  return t;
}

hid_t MemTypeOf(H5Elem elem) {
  switch (elem) {
    case H5Elem::kInt8: return H5T_NATIVE_INT8;
    case H5Elem::kInt32: return H5T_NATIVE_INT32;
    case H5Elem::kInt64: return H5T_NATIVE_INT64;
    case H5Elem::kFloat32: return H5T_NATIVE_FLOAT;
    case H5Elem::kFloat64: return H5T_NATIVE_DOUBLE;
    // The file's own {r, i} compound of little-endian float32 (the memory layout of
    // std::complex<float> on every platform nightsim builds for): with identical
    // memory and file types HDF5 takes its no-op conversion path.
    case H5Elem::kComplex64: return ComplexType(H5T_IEEE_F32LE);
  }
  return -1;
}

}  // namespace

std::size_t H5ElemBytes(H5Elem elem) {
  switch (elem) {
    case H5Elem::kInt8: return 1;
    case H5Elem::kInt32: return 4;
    case H5Elem::kInt64: return 8;
    case H5Elem::kFloat32: return 4;
    case H5Elem::kFloat64: return 8;
    case H5Elem::kComplex64: return 8;
  }
  return 0;
}

// ---------------------------------------------------------------------------
// H5Series

H5Series::H5Series(hid_t dataset, hid_t mem_type, H5Elem elem, std::vector<hsize_t> row_shape, std::size_t chunk_rows,
                   bool direct, std::string path)
    : dataset_(dataset), mem_type_(mem_type), elem_(elem), row_shape_(std::move(row_shape)), chunk_rows_(chunk_rows),
      direct_(direct), path_(std::move(path)) {
  for (hsize_t d : row_shape_) row_elements_ *= d;
  row_bytes_ = row_elements_ * H5ElemBytes(elem_);
  buffer_.resize(chunk_rows_ * row_bytes_);
}

H5Series::~H5Series() {
  if (dataset_ >= 0) H5Dclose(dataset_);
  if (elem_ == H5Elem::kComplex64 && mem_type_ >= 0) H5Tclose(mem_type_);
}

void H5Series::Append(std::span<const std::int8_t> v) { AppendBytes(v.data(), v.size(), H5Elem::kInt8); }
void H5Series::Append(std::span<const std::int32_t> v) { AppendBytes(v.data(), v.size(), H5Elem::kInt32); }
void H5Series::Append(std::span<const std::int64_t> v) { AppendBytes(v.data(), v.size(), H5Elem::kInt64); }
void H5Series::Append(std::span<const float> v) { AppendBytes(v.data(), v.size(), H5Elem::kFloat32); }
void H5Series::Append(std::span<const double> v) { AppendBytes(v.data(), v.size(), H5Elem::kFloat64); }
void H5Series::Append(std::span<const std::complex<float>> v) { AppendBytes(v.data(), v.size(), H5Elem::kComplex64); }

void H5Series::AppendBytes(const void* data, std::size_t count, H5Elem elem) {
  if (elem != elem_) throw std::invalid_argument("H5Series " + path_ + ": element type differs from the series'");
  if (count % row_elements_ != 0) {
    throw std::invalid_argument("H5Series " + path_ + ": " + std::to_string(count) +
                                " values are not whole rows of " + std::to_string(row_elements_));
  }
  if (dataset_ < 0) throw std::runtime_error("H5Series " + path_ + ": file already closed");
  auto src = static_cast<const unsigned char*>(data);
  std::size_t rows = count / row_elements_;
  // Whole chunks straight from the caller's memory when nothing is buffered; the rest
  // through the one-chunk buffer, so every write to the file covers whole chunks.
  while (rows > 0) {
    if (buffered_rows_ == 0 && rows >= chunk_rows_) {
      const std::size_t n = rows - rows % chunk_rows_;
      WriteRows(src, n);
      src += n * row_bytes_;
      rows -= n;
      continue;
    }
    const std::size_t n = std::min(rows, chunk_rows_ - buffered_rows_);
    std::memcpy(buffer_.data() + buffered_rows_ * row_bytes_, src, n * row_bytes_);
    buffered_rows_ += n;
    src += n * row_bytes_;
    rows -= n;
    if (buffered_rows_ == chunk_rows_) {
      WriteRows(buffer_.data(), buffered_rows_);
      buffered_rows_ = 0;
    }
  }
}

void H5Series::Flush() {
  if (buffered_rows_ == 0 || dataset_ < 0) return;
  // A direct write stores the whole chunk: the rows past the data are zeros (outside
  // the dataset's extent, never read), so the file's bytes do not depend on what the
  // buffer held before.
  if (direct_) std::fill(buffer_.begin() + static_cast<std::ptrdiff_t>(buffered_rows_ * row_bytes_), buffer_.end(), 0);
  WriteRows(buffer_.data(), buffered_rows_);
  buffered_rows_ = 0;
}

void H5Series::WriteRows(const unsigned char* data, std::size_t rows) {
  const std::size_t rank = row_shape_.size() + 1;
  if (direct_) {
    // Unfiltered chunks go to the file as they are (H5Dwrite_chunk): no selection, no
    // type conversion, no copy into the chunk cache. `rows` is whole chunks, or the
    // last rows of the series at the start of a zero-padded chunk buffer (Flush).
    std::vector<hsize_t> dims(rank), offset(rank, 0);
    for (std::size_t d = 1; d < rank; ++d) dims[d] = row_shape_[d - 1];
    const std::size_t chunk_bytes = chunk_rows_ * row_bytes_;
    for (std::size_t done = 0; done < rows; done += chunk_rows_) {
      const std::size_t n = std::min(chunk_rows_, rows - done);
      dims[0] = static_cast<hsize_t>(rows_written_) + n;
      offset[0] = static_cast<hsize_t>(rows_written_);
      Check(H5Dset_extent(dataset_, dims.data()), "extend " + path_);
      Check(H5Dwrite_chunk(dataset_, H5P_DEFAULT, 0, offset.data(), chunk_bytes, data + done * row_bytes_),
            "write " + path_);
      rows_written_ += static_cast<std::int64_t>(n);
    }
    return;
  }
  std::vector<hsize_t> dims(rank), start(rank, 0), count(rank);
  dims[0] = static_cast<hsize_t>(rows_written_) + rows;
  count[0] = rows;
  start[0] = static_cast<hsize_t>(rows_written_);
  for (std::size_t d = 1; d < rank; ++d) dims[d] = count[d] = row_shape_[d - 1];
  Check(H5Dset_extent(dataset_, dims.data()), "extend " + path_);
  Handle file_space{CheckId(H5Dget_space(dataset_), "get space of " + path_), H5Sclose};
  Check(H5Sselect_hyperslab(file_space.id, H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr),
        "select rows of " + path_);
  Handle mem_space{H5Screate_simple(static_cast<int>(rank), count.data(), nullptr), H5Sclose};
  Check(H5Dwrite(dataset_, mem_type_, mem_space.id, file_space.id, H5P_DEFAULT, data), "write " + path_);
  rows_written_ += static_cast<std::int64_t>(rows);
}

// ---------------------------------------------------------------------------
// H5Writer

bool Hdf5FileLeftOpen() { return g_file_left_open; }

H5Writer::H5Writer(const std::string& path) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // errors become exceptions, not stderr dumps
  // The root group is created with the file: its creation list (a group creation
  // list) must not track times either.
  Handle fcpl{H5Pcreate(H5P_FILE_CREATE), H5Pclose};
  H5Pset_obj_track_times(fcpl.id, 0);
  file_ = CheckId(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, fcpl.id, H5P_DEFAULT), "create " + path);
}

H5Writer::~H5Writer() {
  if (file_ < 0) return;
  try {
    Close();
  } catch (const std::exception&) {
    // A destructor must not throw; the file is incomplete and its AtomicFile removes it.
  }
}

void H5Writer::CheckOpen() const {
  if (file_ < 0) throw std::runtime_error("HDF5: file already closed");
}

void H5Writer::Close() {
  if (file_ < 0) return;
  // The datasets and the file are closed even when a write fails (a full disk): a
  // file left open is closed again by HDF5's own exit handler, which crashes
  // (SIGSEGV in H5F__close_cb, HDF5 1.10) on a file whose flush failed.
  std::exception_ptr first_error;
  for (auto& s : series_) {
    try {
      s->Flush();
    } catch (...) {
      if (!first_error) first_error = std::current_exception();
    }
  }
  series_.clear();  // closes the datasets before the file
  const hid_t f = file_;
  file_ = -1;
  if (first_error) {
    if (H5Fclose(f) < 0) g_file_left_open = true;
    std::rethrow_exception(first_error);
  }
  const herr_t flushed = H5Fflush(f, H5F_SCOPE_GLOBAL);
  const std::string flush_reason = flushed < 0 ? SystemReason() : "";
  const herr_t closed = H5Fclose(f);
  if (closed < 0) g_file_left_open = true;
  if (flushed < 0) throw std::runtime_error("HDF5: cannot flush file" + flush_reason);
  Check(closed, "close file");
}

void H5Writer::Group(const std::string& path) {
  CheckOpen();
  if (H5Lexists(file_, path.c_str(), H5P_DEFAULT) > 0) return;
  MakeParents(file_, path);
  Handle gcpl{TimelessGcpl(), H5Pclose};
  Handle g{CheckId(H5Gcreate2(file_, path.c_str(), H5P_DEFAULT, gcpl.id, H5P_DEFAULT), "create group " + path),
           H5Gclose};
}

void H5Writer::Attr(const std::string& path, const std::string& name, const std::string& value) {
  CheckOpen();
  Handle type{H5Tcopy(H5T_C_S1), H5Tclose};
  H5Tset_size(type.id, H5T_VARIABLE);
  H5Tset_cset(type.id, H5T_CSET_UTF8);
  const char* data = value.c_str();
  WriteAttr(file_, path, name, type.id, &data);
}

void H5Writer::Attr(const std::string& path, const std::string& name, double value) {
  CheckOpen();
  WriteAttr(file_, path, name, H5T_NATIVE_DOUBLE, &value);
}

void H5Writer::Attr(const std::string& path, const std::string& name, std::int64_t value) {
  CheckOpen();
  WriteAttr(file_, path, name, H5T_NATIVE_INT64, &value);
}

void H5Writer::WriteColumn(const std::string& path, hid_t type, const void* data, std::size_t count,
                           std::size_t elem_bytes, const std::string& unit) {
  CheckOpen();
  MakeParents(file_, path);
  const hsize_t dims[1] = {count};
  Handle space{H5Screate_simple(1, dims, nullptr), H5Sclose};
  Handle dcpl{TimelessDcpl(), H5Pclose};
  if (count > 0) {
    // Chunks of at most 256 KiB along time; deflate pays off on these slowly varying tables.
    const hsize_t chunk[1] = {std::max<hsize_t>(1, std::min<hsize_t>(count, (256 * 1024) / elem_bytes))};
    Check(H5Pset_chunk(dcpl.id, 1, chunk), "chunk " + path);
    Check(H5Pset_shuffle(dcpl.id), "shuffle " + path);
    Check(H5Pset_deflate(dcpl.id, 4), "compress " + path);
  }
  Handle ds{CheckId(H5Dcreate2(file_, path.c_str(), type, space.id, H5P_DEFAULT, dcpl.id, H5P_DEFAULT),
                    "create " + path),
            H5Dclose};
  if (count > 0) Check(H5Dwrite(ds.id, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), "write " + path);
  Attr(path, "unit", unit);
}

void H5Writer::Column(const std::string& path, std::span<const double> v, const std::string& unit) {
  WriteColumn(path, H5T_NATIVE_DOUBLE, v.data(), v.size(), sizeof(double), unit);
}
void H5Writer::Column(const std::string& path, std::span<const float> v, const std::string& unit) {
  WriteColumn(path, H5T_NATIVE_FLOAT, v.data(), v.size(), sizeof(float), unit);
}
void H5Writer::Column(const std::string& path, std::span<const std::int64_t> v, const std::string& unit) {
  WriteColumn(path, H5T_NATIVE_INT64, v.data(), v.size(), sizeof(std::int64_t), unit);
}
void H5Writer::Column(const std::string& path, std::span<const std::int32_t> v, const std::string& unit) {
  WriteColumn(path, H5T_NATIVE_INT32, v.data(), v.size(), sizeof(std::int32_t), unit);
}
void H5Writer::Column(const std::string& path, std::span<const std::int8_t> v, const std::string& unit) {
  WriteColumn(path, H5T_NATIVE_INT8, v.data(), v.size(), sizeof(std::int8_t), unit);
}
void H5Writer::Column(const std::string& path, const std::vector<std::string>& values, const std::string& unit) {
  Handle type{H5Tcopy(H5T_C_S1), H5Tclose};
  H5Tset_size(type.id, H5T_VARIABLE);
  H5Tset_cset(type.id, H5T_CSET_UTF8);
  std::vector<const char*> ptrs;
  ptrs.reserve(values.size());
  for (const auto& s : values) ptrs.push_back(s.c_str());
  WriteColumn(path, type.id, ptrs.data(), ptrs.size(), sizeof(char*), unit);
}

void H5Writer::Matrix(const std::string& path, std::span<const double> values, std::size_t rows, std::size_t cols,
                      const std::string& unit) {
  CheckOpen();
  if (values.size() != rows * cols) throw std::invalid_argument("H5Writer::Matrix " + path + ": size mismatch");
  MakeParents(file_, path);
  const hsize_t dims[2] = {rows, cols};
  Handle space{H5Screate_simple(2, dims, nullptr), H5Sclose};
  Handle dcpl{TimelessDcpl(), H5Pclose};
  Handle ds{CheckId(H5Dcreate2(file_, path.c_str(), H5T_IEEE_F64LE, space.id, H5P_DEFAULT, dcpl.id, H5P_DEFAULT),
                    "create " + path),
            H5Dclose};
  if (!values.empty()) {
    Check(H5Dwrite(ds.id, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()), "write " + path);
  }
  Attr(path, "unit", unit);
}

H5Series& H5Writer::Series(const std::string& path, H5Elem elem, const std::vector<std::size_t>& row_shape,
                           const std::string& unit, const H5SeriesOptions& options) {
  CheckOpen();
  std::size_t row_bytes = H5ElemBytes(elem);
  for (std::size_t d : row_shape) row_bytes *= d;
  if (row_bytes == 0 || row_bytes > kMaxChunkBytes) {
    throw std::invalid_argument("H5Writer::Series " + path + ": a row of " + std::to_string(row_bytes) +
                                " bytes does not fit a chunk of at most " + std::to_string(kMaxChunkBytes));
  }
  std::size_t chunk_rows = options.chunk_rows > 0 ? options.chunk_rows : std::max<std::size_t>(1, kTargetChunkBytes / row_bytes);
  chunk_rows = std::min(chunk_rows, kMaxChunkBytes / row_bytes);

  const std::size_t rank = row_shape.size() + 1;
  std::vector<hsize_t> dims(rank, 0), maxdims(rank), chunk(rank);
  maxdims[0] = H5S_UNLIMITED;
  chunk[0] = chunk_rows;
  for (std::size_t d = 1; d < rank; ++d) dims[d] = maxdims[d] = chunk[d] = row_shape[d - 1];
  Handle space{H5Screate_simple(static_cast<int>(rank), dims.data(), maxdims.data()), H5Sclose};
  Handle dcpl{TimelessDcpl(), H5Pclose};
  Check(H5Pset_chunk(dcpl.id, static_cast<int>(rank), chunk.data()), "chunk " + path);
  if (options.deflate > 0) {
    Check(H5Pset_shuffle(dcpl.id), "shuffle " + path);
    Check(H5Pset_deflate(dcpl.id, static_cast<unsigned>(std::min(options.deflate, 9))), "compress " + path);
  }
  // Chunks are written whole and once: never read back to be filled, never pre-filled.
  Check(H5Pset_fill_time(dcpl.id, H5D_FILL_TIME_NEVER), "set fill time of " + path);
  MakeParents(file_, path);
  Handle file_type{elem == H5Elem::kComplex64 ? ComplexType(H5T_IEEE_F32LE) : H5Tcopy(FileTypeOf(elem)), H5Tclose};
  const hid_t ds = CheckId(H5Dcreate2(file_, path.c_str(), file_type.id, space.id, H5P_DEFAULT, dcpl.id, H5P_DEFAULT),
                           "create " + path);
  std::vector<hsize_t> shape(row_shape.begin(), row_shape.end());
  // Unfiltered series write their chunks directly; filtered ones go through H5Dwrite,
  // which runs the filters.
  const bool direct = options.deflate <= 0;
  series_.push_back(
      std::unique_ptr<H5Series>(new H5Series(ds, MemTypeOf(elem), elem, std::move(shape), chunk_rows, direct, path)));
  Attr(path, "unit", unit);
  return *series_.back();
}

}  // namespace nightsim::harness
