#include "harness/h5_writer.h"

#include <algorithm>
#include <stdexcept>

namespace nightsim::harness {
namespace {

void Check(herr_t status, const std::string& what) {
  if (status < 0) throw std::runtime_error("HDF5: cannot " + what);
}
hid_t CheckId(hid_t id, const std::string& what) {
  if (id < 0) throw std::runtime_error("HDF5: cannot " + what);
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

}  // namespace

H5Writer::H5Writer(const std::string& path) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // errors become exceptions, not stderr dumps
  file_ = CheckId(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT), "create " + path);
}

H5Writer::~H5Writer() {
  if (file_ >= 0) H5Fclose(file_);
}

void H5Writer::Close() {
  if (file_ < 0) return;
  Check(H5Fflush(file_, H5F_SCOPE_GLOBAL), "flush file");
  const hid_t f = file_;
  file_ = -1;
  Check(H5Fclose(f), "close file");
}

void H5Writer::Group(const std::string& path) {
  if (file_ < 0) throw std::runtime_error("HDF5: file already closed");
  Handle lcpl{H5Pcreate(H5P_LINK_CREATE), H5Pclose};
  H5Pset_create_intermediate_group(lcpl.id, 1);
  if (H5Lexists(file_, path.c_str(), H5P_DEFAULT) > 0) return;
  Handle g{CheckId(H5Gcreate2(file_, path.c_str(), lcpl.id, H5P_DEFAULT, H5P_DEFAULT), "create group " + path),
           H5Gclose};
}

void H5Writer::Attr(const std::string& path, const std::string& name, const std::string& value) {
  Handle type{H5Tcopy(H5T_C_S1), H5Tclose};
  H5Tset_size(type.id, H5T_VARIABLE);
  H5Tset_cset(type.id, H5T_CSET_UTF8);
  const char* data = value.c_str();
  WriteAttr(file_, path, name, type.id, &data);
}

void H5Writer::Attr(const std::string& path, const std::string& name, double value) {
  WriteAttr(file_, path, name, H5T_NATIVE_DOUBLE, &value);
}

void H5Writer::Attr(const std::string& path, const std::string& name, std::int64_t value) {
  WriteAttr(file_, path, name, H5T_NATIVE_INT64, &value);
}

void H5Writer::WriteColumn(const std::string& path, hid_t type, const void* data, std::size_t count,
                           std::size_t elem_bytes, const std::string& unit) {
  if (file_ < 0) throw std::runtime_error("HDF5: file already closed");
  const hsize_t dims[1] = {count};
  Handle space{H5Screate_simple(1, dims, nullptr), H5Sclose};
  Handle dcpl{H5Pcreate(H5P_DATASET_CREATE), H5Pclose};
  if (count > 0) {
    // Chunks of at most 256 KiB along time; deflate pays off on these slowly varying tables.
    const hsize_t chunk[1] = {std::max<hsize_t>(1, std::min<hsize_t>(count, (256 * 1024) / elem_bytes))};
    Check(H5Pset_chunk(dcpl.id, 1, chunk), "chunk " + path);
    Check(H5Pset_shuffle(dcpl.id), "shuffle " + path);
    Check(H5Pset_deflate(dcpl.id, 4), "compress " + path);
  }
  Handle lcpl{H5Pcreate(H5P_LINK_CREATE), H5Pclose};
  H5Pset_create_intermediate_group(lcpl.id, 1);
  Handle ds{CheckId(H5Dcreate2(file_, path.c_str(), type, space.id, lcpl.id, dcpl.id, H5P_DEFAULT), "create " + path),
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

}  // namespace nightsim::harness
