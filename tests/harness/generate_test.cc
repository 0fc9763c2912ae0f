// Tests `nightsim generate`: one night file and hypnograms per night, a manifest
// with seeds, splits and parameters, the same bytes on 1 or 2 threads, and reruns
// that skip complete nights and redo missing ones; given a sweep file, one night per
// distinct sweep night, named and hashed as `nightsim sweep` plans them.

#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "harness/night_output.h"
#include "harness/night_reader.h"
#include "harness/sweep.h"
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

const std::string kFactorsSweep = std::string(NIGHTSIM_SOURCE_DIR) + "/tests/harness/data/sweeps/factors.yaml";

// Tests that a sweep file gives one night file per distinct night of the sweep's plan
// (the plain night equals the "absent" arm: one file with both roles), named by the
// same hash `nightsim sweep --plan` prints, with the point and roles in the manifest.
TEST(Generate, SweepFileGivesOneNightPerDistinctSweepNight) {
  const auto root = testing_util::FreshDir("generate_sweep");
  const auto dir = root / "set";
  const CliRun plan = RunNightsim("sweep " + Quote(kFactorsSweep) + " --plan", root);
  ASSERT_EQ(plan.exit_code, 0) << plan.err;
  EXPECT_NE(plan.out.find("6 manifest entries, 4 distinct nights"), std::string::npos) << plan.out;
  const CliRun r = RunNightsim("generate " + Quote(kFactorsSweep) + " --level stream -j 2 --out " + Quote(dir.string()),
                               root);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("generated 4 nights of sweep factors"), std::string::npos) << r.out;
  const std::string manifest = Slurp(dir / "manifest.json");
  EXPECT_NE(manifest.find("\"sweep\": {\"name\": \"factors\""), std::string::npos) << manifest;
  EXPECT_NE(manifest.find("\"manifest_nights\": 6"), std::string::npos) << manifest;
  // Every hash of the plan names one file; the manifest lists each once.
  const std::regex hash_line("^\\s*\\d+ ([0-9a-f]{16}) .* seed (\\d+)", std::regex::multiline);
  std::set<std::string> hashes;
  for (auto it = std::sregex_iterator(plan.out.begin(), plan.out.end(), hash_line); it != std::sregex_iterator(); ++it) {
    const std::string stem = "short_night_s" + (*it)[2].str() + "_" + (*it)[1].str();
    hashes.insert((*it)[1].str());
    EXPECT_TRUE(std::filesystem::exists(dir / (stem + ".h5"))) << stem;
    EXPECT_NE(manifest.find("\"night_hash\": \"" + (*it)[1].str() + "\""), std::string::npos);
  }
  EXPECT_EQ(hashes.size(), 4u);
  std::size_t entries = 0;
  for (std::size_t at = manifest.find("\"file\": "); at != std::string::npos; at = manifest.find("\"file\": ", at + 1)) {
    ++entries;
  }
  EXPECT_EQ(entries, 4u) << manifest;
  EXPECT_NE(manifest.find("\"roles\": [{\"factor\": \"\", \"arm\": \"\"}, {\"factor\": \"pet\", \"arm\": \"absent\"}]"),
            std::string::npos)
      << manifest;
  EXPECT_NE(manifest.find("\"point\": {\"cat_visits\": \"4\"}"), std::string::npos) << manifest;
  EXPECT_NE(manifest.find("\"parameters\": {\"cat_visits\": 4, \"reading\": 10}"), std::string::npos)
      << manifest;
  // --nights caps the distinct nights, in the sweep's order; a rerun skips them.
  const CliRun capped = RunNightsim(
      "generate " + Quote(kFactorsSweep) + " --level stream --nights 1 --out " + Quote(dir.string()), root);
  ASSERT_EQ(capped.exit_code, 0) << capped.err;
  EXPECT_NE(capped.out.find("generated 0 nights of sweep factors"), std::string::npos) << capped.out;
  EXPECT_NE(capped.out.find("(1 already complete)"), std::string::npos) << capped.out;
}

// Tests that a sweep's pipeline knobs configure the pipeline whose estimates the
// files hold: the same first night with a tracker that acquires only within 0.45 m
// follows the primary far less, and lands in a file of its own name.
TEST(Generate, SweepPipelineKnobsReachTheFiles) {
  const auto root = testing_util::FreshDir("generate_sweep_knobs");
  const std::string data = std::string(NIGHTSIM_SOURCE_DIR) + "/tests/harness/data/sweeps/";
  for (const char* sweep : {"determinism", "weakened"}) {
    const CliRun r = RunNightsim("generate " + Quote(data + sweep + ".yaml") + " --nights 1 --out " +
                                     Quote((root / sweep).string()),
                                 root);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  auto only_night = [](const std::filesystem::path& dir) {
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(dir)) {
      if (e.path().extension() == ".h5") files.push_back(e.path());
    }
    EXPECT_EQ(files.size(), 1u) << dir;
    return files.empty() ? std::filesystem::path() : files[0];
  };
  const auto plain = only_night(root / "determinism"), weak = only_night(root / "weakened");
  EXPECT_NE(plain.filename(), weak.filename());
  EXPECT_NE(Slurp(root / "weakened" / "manifest.json").find("\"pipeline\": \"tracking.tracker.acquire_max_range_m=0.45\""),
            std::string::npos);
  const double plain_fraction = NightReader(plain.string()).Metrics().at("identity.primary_fraction");
  const double weak_fraction = NightReader(weak.string()).Metrics().at("identity.primary_fraction");
  EXPECT_GT(plain_fraction, 0.9);
  EXPECT_LT(weak_fraction, plain_fraction - 0.2);
}

// Tests that options a sweep file decides itself are refused with a sweep.
TEST(Generate, SweepRefusesSeedAndSet) {
  const auto root = testing_util::FreshDir("generate_sweep_bad");
  const CliRun r = RunNightsim("generate " + Quote(kFactorsSweep) + " --seed 3 --set reading=5 --nights 0 --out " +
                                   Quote((root / "x").string()),
                               root);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--seed: a sweep file sets its own seeds"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--set: a sweep file sets its own parameter values"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--nights: expected a whole number >= 1"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(root / "x"));
}

// Tests that the sweep's night hash is the night files' ContentHash over its fields,
// each ended by 0xff, and keeps the value it had before they were one function
// (so existing sweep outputs still resume).
TEST(Generate, SweepNightHashIsTheSharedContentHash) {
  EXPECT_EQ(NightHash("yaml", "a=1", 1, "", "0.1.0"), "502cde3a1ab8228e");
  EXPECT_EQ(NightHash("yaml", "a=1", 1, "", "0.1.0"), ContentHash("yaml\xff" "a=1\xff" "1\xff" "\xff" "0.1.0\xff"));
}

}  // namespace
}  // namespace nightsim::harness
