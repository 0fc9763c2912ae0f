#pragma once
// Internals shared by the HDF5 readers of the harness (harness/src/night_reader.cc,
// harness/src/recording_import.cc): RAII handles, existence checks and bounded reads
// that turn every failure of a damaged or foreign file into an InputError.

#include <fmt/core.h>
#include <hdf5.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/errors.h"

namespace nightsim::harness::detail {

// Closes an HDF5 handle with the matching close function when it leaves scope.
struct Handle {
  hid_t id;
  herr_t (*close)(hid_t);
  Handle(hid_t i, herr_t (*c)(hid_t)) : id(i), close(c) {}
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle() {
    if (id >= 0) close(id);
  }
};

[[noreturn]] inline void Fail(const std::string& path, const std::string& object, const std::string& message) {
  throw InputError(InputProblem{path, 0, 0, object, message});
}

// Opens the HDF5 file `path` read-only, with HDF5's error printing off (errors become
// exceptions, not stderr dumps). `expected` names what the file should be, for the
// message when it is not HDF5 at all. Throws InputError.
inline hid_t OpenReadOnly(const std::string& path, const std::string& expected) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  if (!std::filesystem::is_regular_file(path)) Fail(path, "", "no such file");
  if (H5Fis_hdf5(path.c_str()) <= 0) Fail(path, "", "not an HDF5 file (expected " + expected + ")");
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file < 0) Fail(path, "", "cannot open the HDF5 file (truncated or corrupt)");
  return file;
}

inline bool Exists(hid_t file, const std::string& object) {
  // H5Lexists fails (< 0) when a parent is missing; walk down so that counts as absent.
  for (std::size_t slash = object.find('/', 1);; slash = object.find('/', slash + 1)) {
    const std::string prefix = object.substr(0, slash);
    if (H5Lexists(file, prefix.c_str(), H5P_DEFAULT) <= 0) return false;
    if (slash == std::string::npos) return true;
  }
}

inline bool HasAttr(hid_t file, const std::string& object, const std::string& name) {
  return H5Aexists_by_name(file, object.c_str(), name.c_str(), H5P_DEFAULT) > 0;
}

// Shape of a dataset; throws when absent.
inline std::vector<hsize_t> Shape(hid_t file, const std::string& path, const std::string& object) {
  if (!Exists(file, object)) Fail(path, object, "dataset missing");
  Handle ds{H5Dopen2(file, object.c_str(), H5P_DEFAULT), H5Dclose};
  if (ds.id < 0) Fail(path, object, "not a dataset");
  Handle space{H5Dget_space(ds.id), H5Sclose};
  const int rank = H5Sget_simple_extent_ndims(space.id);
  if (rank < 0) Fail(path, object, "cannot read its shape");
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  H5Sget_simple_extent_dims(space.id, dims.data(), nullptr);
  return dims;
}

// Reads rows [first, first + count) of a dataset whose rows have `row_elements`
// elements, converting to `mem_type`.
template <typename T>
std::vector<T> ReadRows(hid_t file, const std::string& path, const std::string& object, hid_t mem_type,
                        std::int64_t first, std::int64_t count) {
  const std::vector<hsize_t> dims = Shape(file, path, object);
  if (dims.empty()) Fail(path, object, "expected an array, found a scalar");
  if (first < 0 || count < 0 || static_cast<hsize_t>(first + count) > dims[0]) {
    Fail(path, object, fmt::format("rows [{}, {}) are outside its {} rows", first, first + count, dims[0]));
  }
  // A damaged file can declare a shape far beyond its bytes: deflate shrinks at most
  // 1032:1, so no read of a real dataset needs more than 1032 times the file's size.
  hsize_t file_bytes = 0;
  if (H5Fget_filesize(file, &file_bytes) < 0) Fail(path, object, "cannot read the file's size");
  const unsigned __int128 limit = static_cast<unsigned __int128>(file_bytes) * 1032 + (1u << 20);
  unsigned __int128 bytes = static_cast<unsigned __int128>(count) * sizeof(T);
  std::size_t row_elements = 1;
  for (std::size_t d = 1; d < dims.size() && bytes <= limit; ++d) {
    row_elements *= dims[d];
    bytes *= dims[d];
  }
  if (bytes > limit) {
    Fail(path, object, fmt::format("its shape ({} rows) needs more bytes than a {}-byte file can hold", dims[0],
                                   file_bytes));
  }
  std::vector<T> out(static_cast<std::size_t>(count) * row_elements);
  if (count == 0) return out;
  Handle ds{H5Dopen2(file, object.c_str(), H5P_DEFAULT), H5Dclose};
  Handle file_space{H5Dget_space(ds.id), H5Sclose};
  std::vector<hsize_t> start(dims.size(), 0), size = dims;
  start[0] = static_cast<hsize_t>(first);
  size[0] = static_cast<hsize_t>(count);
  H5Sselect_hyperslab(file_space.id, H5S_SELECT_SET, start.data(), nullptr, size.data(), nullptr);
  Handle mem_space{H5Screate_simple(static_cast<int>(size.size()), size.data(), nullptr), H5Sclose};
  if (H5Dread(ds.id, mem_type, mem_space.id, file_space.id, H5P_DEFAULT, out.data()) < 0) {
    Fail(path, object, "cannot read (corrupt data or a type that does not convert)");
  }
  return out;
}

}  // namespace nightsim::harness::detail
