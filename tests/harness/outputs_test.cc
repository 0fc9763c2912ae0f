// Tests of the output plumbing: atomic files and the HDF5 column writer.
#include <gtest/gtest.h>
#include <hdf5.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "harness/atomic_file.h"
#include "harness/h5_writer.h"

namespace nightsim::harness {
namespace {

std::filesystem::path FreshDir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("nightsim_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

int CountFiles(const std::filesystem::path& dir) {
  int n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir)) ++n;
  return n;
}

TEST(AtomicFileTest, NothingAppearsUnderTheFinalNameUntilCommit) {
  const auto dir = FreshDir("atomic");
  const auto final_path = (dir / "night.json").string();
  {
    AtomicFile f(final_path);
    std::ofstream(f.temp_path()) << "{}";
    EXPECT_FALSE(std::filesystem::exists(final_path));
    f.Commit();
  }
  EXPECT_TRUE(std::filesystem::exists(final_path));
  EXPECT_EQ(CountFiles(dir), 1);
}

TEST(AtomicFileTest, AnAbandonedWriteLeavesNoFileBehind) {
  const auto dir = FreshDir("abandon");
  {
    AtomicFile f((dir / "night.h5").string());
    std::ofstream(f.temp_path()) << "partial";
  }
  EXPECT_EQ(CountFiles(dir), 0);
}

TEST(AtomicFileTest, WritingIntoAMissingFolderFailsCleanly) {
  EXPECT_THROW(WriteFileAtomically("/nonexistent-folder/x.json", "{}"), std::runtime_error);
}

TEST(H5WriterTest, ColumnsAndAttributesReadBack) {
  const auto dir = FreshDir("h5");
  const std::string path = (dir / "t.h5").string();
  {
    H5Writer w(path);
    w.Attr("/", "seed", std::int64_t{42});
    w.Attr("/", "scenario", std::string("night: {}"));
    w.Group("/truth/epochs");
    const std::vector<std::int8_t> stages = {0, 1, 2, 3, 4, -1};
    const std::vector<double> rates(100000, 14.5);
    w.Column("/truth/epochs/stage", stages, "");
    w.Column("/truth/epochs/rate_bpm", rates, "1/min");
    w.Column("/truth/events/kind", std::vector<std::string>{"bedtime", "lights_out"}, "");
    w.Close();
  }
  const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  ASSERT_GE(f, 0);
  const hid_t ds = H5Dopen2(f, "/truth/epochs/stage", H5P_DEFAULT);
  std::vector<std::int8_t> back(6);
  ASSERT_GE(H5Dread(ds, H5T_NATIVE_INT8, H5S_ALL, H5S_ALL, H5P_DEFAULT, back.data()), 0);
  EXPECT_EQ(back, (std::vector<std::int8_t>{0, 1, 2, 3, 4, -1}));
  H5Dclose(ds);
  const hid_t big = H5Dopen2(f, "/truth/epochs/rate_bpm", H5P_DEFAULT);
  const hid_t dcpl = H5Dget_create_plist(big);
  hsize_t chunk[1] = {0};
  H5Pget_chunk(dcpl, 1, chunk);
  EXPECT_EQ(chunk[0] * sizeof(double), 256u * 1024u);  // within the 10 KiB–1 MiB chunk rule
  H5Pclose(dcpl);
  H5Dclose(big);
  std::int64_t seed = 0;
  const hid_t a = H5Aopen(f, "seed", H5P_DEFAULT);
  H5Aread(a, H5T_NATIVE_INT64, &seed);
  H5Aclose(a);
  EXPECT_EQ(seed, 42);
  H5Fclose(f);
  // Deflate shrinks the constant column far below its raw 800 kB.
  EXPECT_LT(std::filesystem::file_size(path), 100000u);
}

}  // namespace
}  // namespace nightsim::harness
