// Tests `nightsim generate`: one night file and hypnograms per night, a manifest
// with seeds, splits and parameters, the same bytes on 1 or 2 threads, and reruns
// that skip complete nights and redo missing ones.

#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <string>

#include "harness/night_reader.h"
#include "night_file_test_util.h"

namespace nightsim::harness {
namespace {

using testing_util::CliRun;
using testing_util::Quote;
using testing_util::RunNightsim;
using testing_util::Slurp;

CliRun Generate(const std::filesystem::path& dir, const std::string& extra) {
  return RunNightsim("generate " + Quote(testing_util::kMinuteNight) + " --nights 3 --seed 40 --level stream --out " +
                         Quote(dir.string()) + " " + extra,
                     dir.parent_path());
}

// Tests the files and the manifest of a generated set.
TEST(Generate, WritesNightsHypnogramsAndManifest) {
  const auto root = testing_util::FreshDir("generate_manifest");
  const auto dir = root / "set";
  const CliRun r = Generate(dir, "-j 2");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (int seed : {40, 41, 42}) {
    const std::string stem = "minute_night_s" + std::to_string(seed);
    ASSERT_TRUE(std::filesystem::exists(dir / (stem + ".h5"))) << stem;
    EXPECT_TRUE(std::filesystem::exists(dir / (stem + ".hypnogram.csv")));
    EXPECT_TRUE(std::filesystem::exists(dir / (stem + ".hypnogram.json")));
    const NightReader night((dir / (stem + ".h5")).string());
    EXPECT_EQ(night.info().seed, static_cast<std::uint64_t>(seed));
    EXPECT_EQ(night.info().level, RadarLevel::kStream);
    EXPECT_EQ(night.RadarRows(), 600);  // 1 min at 10 Hz
  }
  const std::string manifest = Slurp(dir / "manifest.json");
  EXPECT_NE(manifest.find("\"level\": \"stream\""), std::string::npos) << manifest;
  EXPECT_NE(manifest.find("\"file\": \"minute_night_s41.h5\""), std::string::npos) << manifest;
  EXPECT_NE(manifest.find("\"fractions\": {\"train\": 0.8, \"val\": 0.1, \"test\": 0.1"), std::string::npos);
  const std::regex night_entry("\"seed\": (4[0-2]), \"split\": \"(train|val|test)\"");
  EXPECT_EQ(std::distance(std::sregex_iterator(manifest.begin(), manifest.end(), night_entry), std::sregex_iterator()),
            3);
  EXPECT_NE(manifest.find("\"epochs\": 2, \"frames\": 1200, \"radar_rows\": 600"), std::string::npos) << manifest;
  // The hypnogram CSV: one row per epoch, the person's truth and the pipeline, YASA codes.
  const std::string csv = Slurp(dir / "minute_night_s40.hypnogram.csv");
  EXPECT_EQ(csv.substr(0, csv.find('\n')), "epoch,onset_s,clock,alex,pipeline");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 3);
}

// Tests that a rerun skips complete nights (files untouched), redoes a missing one,
// and that one and two threads give the same bytes.
TEST(Generate, RerunSkipsCompleteNightsAndThreadsDoNotChangeBytes) {
  const auto root = testing_util::FreshDir("generate_rerun");
  const auto one = root / "one", two = root / "two";
  ASSERT_EQ(Generate(one, "-j 1").exit_code, 0);
  ASSERT_EQ(Generate(two, "-j 2").exit_code, 0);
  for (const char* f : {"minute_night_s40.h5", "minute_night_s41.h5", "minute_night_s42.h5", "manifest.json"}) {
    EXPECT_TRUE(Slurp(one / f) == Slurp(two / f)) << f << " differs between -j 1 and -j 2";
  }
  const auto before = std::filesystem::last_write_time(one / "minute_night_s40.h5");
  std::filesystem::remove(one / "minute_night_s41.h5");
  const CliRun again = Generate(one, "-j 2");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("generated 1 night of"), std::string::npos) << again.out;
  EXPECT_NE(again.out.find("(2 already complete)"), std::string::npos) << again.out;
  EXPECT_EQ(std::filesystem::last_write_time(one / "minute_night_s40.h5"), before);
  EXPECT_TRUE(Slurp(one / "minute_night_s41.h5") == Slurp(two / "minute_night_s41.h5"));
  // Progress goes to stderr as plain lines when it is not a terminal.
  EXPECT_NE(again.err.find("seed 40 already complete, skipped"), std::string::npos) << again.err;
}

// Tests that bad options exit 2 and write nothing.
TEST(Generate, BadOptionsExit2) {
  const auto root = testing_util::FreshDir("generate_bad");
  const CliRun r = RunNightsim("generate " + Quote(testing_util::kMinuteNight) + " --nights 0 --level cube --out " +
                                   Quote((root / "x").string()),
                               root);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--nights: expected a whole number >= 1"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(root / "x"));
  const CliRun l = RunNightsim("generate " + Quote(testing_util::kMinuteNight) + " --nights 1 --level cube --out " +
                                   Quote((root / "x").string()),
                               root);
  EXPECT_EQ(l.exit_code, 2);
  EXPECT_NE(l.err.find("--level: expected stream, range or raw, got 'cube'"), std::string::npos) << l.err;
}

}  // namespace
}  // namespace nightsim::harness
