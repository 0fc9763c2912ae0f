// Tests `nightsim sweep` and `nightsim merge` end to end on 75-minute nights
// (tests/harness/data/sweeps/short_night.yaml, ~2 s of CPU each): the aggregate is
// byte-identical for -j 1, -j 2 and a shard split; an interrupted sweep (SIGINT,
// then kill -9) resumes without redoing finished nights or leaving a partial file;
// the gate fires on a weakened pipeline and stays quiet on an unchanged one.

#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "harness/sweep.h"
#include "harness/sweep_runner.h"

extern char** environ;

namespace nightsim::harness {
namespace {

namespace fs = std::filesystem;
const std::string kData = std::string(NIGHTSIM_SOURCE_DIR) + "/tests/harness/data/sweeps/";

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class SweepRun : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("nightsim_sweep_run_" + std::to_string(::getpid()) + "_" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Runs `nightsim ARGS` to completion; returns the exit code, stderr in *err.
  int Nightsim(const std::string& args, std::string* err = nullptr) {
    const fs::path e = dir_ / "stderr";
    const std::string cmd = "'" + std::string(NIGHTSIM_BINARY) + "' " + args + " >'" + (dir_ / "stdout").string() +
                            "' 2>'" + e.string() + "'";
    const int status = std::system(cmd.c_str());
    if (err) *err = Slurp(e);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }

  // Starts `nightsim ARGS` in the background (the shell execs it: the pid is nightsim's).
  pid_t Start(const std::string& args, const std::string& log) {
    const std::string cmd = "exec '" + std::string(NIGHTSIM_BINARY) + "' " + args + " >'" + (dir_ / log).string() +
                            "' 2>&1";
    const char* argv[] = {"/bin/sh", "-c", cmd.c_str(), nullptr};
    pid_t pid = 0;
    EXPECT_EQ(posix_spawn(&pid, "/bin/sh", nullptr, nullptr, const_cast<char* const*>(argv), environ), 0);
    return pid;
  }

  // Night outputs (not hidden temporaries) in out/nights.
  static int NightFiles(const fs::path& out) {
    int n = 0;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(out / "nights", ec)) n += e.path().filename().string()[0] != '.';
    return n;
  }

  // Waits (at most `timeout_s`) until out/nights holds at least `count` outputs.
  static bool WaitForNights(const fs::path& out, int count, double timeout_s) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
    while (std::chrono::steady_clock::now() < end) {
      if (NightFiles(out) >= count) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  fs::path dir_;
};

// Tests that -j 1, -j 2 and three shards merged give byte-identical aggregates,
// that every night's metrics are in the sweep's metric catalogue with their
// direction, and that the gate passes an unchanged pipeline (-j 2 against the -j 1
// aggregate) and fails a deliberately weakened one.
TEST_F(SweepRun, aggregate_is_identical_for_any_split_and_the_gate_fires_only_on_a_weakened_pipeline) {
  const std::string sweep = "'" + kData + "determinism.yaml'";
  const fs::path j1 = dir_ / "j1", j2 = dir_ / "j2";
  ASSERT_EQ(Nightsim("sweep " + sweep + " -j 1 --out '" + j1.string() + "'"), 0);
  const std::string reference = Slurp(j1 / "aggregate.json");
  ASSERT_FALSE(reference.empty());
  ASSERT_EQ(NightFiles(j1), 4);

  std::string err;
  EXPECT_EQ(Nightsim("sweep " + sweep + " -j 2 --out '" + j2.string() + "' --baseline '" + (j1 / "aggregate.json").string() + "'", &err), 0) << err;
  EXPECT_EQ(Slurp(j2 / "aggregate.json"), reference);
  EXPECT_EQ(Slurp(j2 / "aggregate.txt"), Slurp(j1 / "aggregate.txt"));
  EXPECT_NE(Slurp(j2 / "gate.xml").find("failures=\"0\""), std::string::npos);
  EXPECT_NE(Slurp(j2 / "gate.md").find("no significant regression"), std::string::npos);

  std::string shards;
  for (int i = 0; i < 3; ++i) {
    const fs::path s = dir_ / ("shard" + std::to_string(i));
    ASSERT_EQ(Nightsim("sweep " + sweep + " -j 1 --shard " + std::to_string(i) + "/3 --out '" + s.string() + "'"), 0);
    EXPECT_FALSE(fs::exists(s / "aggregate.json"));  // a shard is not the sweep
    shards += " '" + s.string() + "'";
  }
  const fs::path merged = dir_ / "merged";
  ASSERT_EQ(Nightsim("merge " + sweep + shards + " --out '" + merged.string() + "'", &err), 0) << err;
  EXPECT_EQ(Slurp(merged / "aggregate.json"), reference);
  EXPECT_EQ(NightFiles(merged), 4);
  // A merge missing a shard says so and writes no aggregate.
  EXPECT_EQ(Nightsim("merge " + sweep + " '" + (dir_ / "shard0").string() + "' --out '" + (dir_ / "partial").string() + "'"), 1);
  EXPECT_FALSE(fs::exists(dir_ / "partial" / "aggregate.json"));

  // The catalogue that validates sweep files knows every metric a night produced.
  const SweepManifest m = ExpandSweep(LoadSweep(kData + "determinism.yaml"));
  for (const auto& n : m.nights) {
    const auto record = ReadNightRecord(NightPath(j1.string(), n.hash), n.hash);
    ASSERT_TRUE(record.has_value());
    EXPECT_GT(record->metrics.size(), 50u);
    record->metrics.ForEach([&](const std::string& name, double, Better better) {
      const auto it = KnownMetrics().find(name);
      ASSERT_NE(it, KnownMetrics().end()) << name << " is missing from KnownMetrics()";
      EXPECT_EQ(it->second, better) << name;
    });
  }

  const fs::path weak = dir_ / "weak";
  EXPECT_EQ(Nightsim("sweep '" + kData + "weakened.yaml' -j 2 --out '" + weak.string() + "' --baseline '" +
                         (j1 / "aggregate.json").string() + "'", &err), 1) << err;
  const std::string xml = Slurp(weak / "gate.xml");
  EXPECT_NE(xml.find("name=\"identity.primary_fraction\"><failure"), std::string::npos) << xml;
  EXPECT_NE(Slurp(weak / "gate.md").find("| FAIL |"), std::string::npos);
}

// Tests that a sweep stopped by SIGINT (exit 130), then by kill -9, leaves only
// complete night outputs, and that rerunning the same command runs only the
// missing nights and gives the night outputs and aggregate of an uninterrupted run.
TEST_F(SweepRun, interrupted_sweep_resumes_without_redoing_nights_or_leaving_partial_files) {
  const std::string sweep = "'" + kData + "determinism.yaml'";
  const fs::path out = dir_ / "out";
  const std::string args = "sweep " + sweep + " -j 1 --out '" + out.string() + "'";

  pid_t pid = Start(args, "first.log");
  ASSERT_TRUE(WaitForNights(out, 1, 60)) << Slurp(dir_ / "first.log");
  ASSERT_EQ(::kill(pid, SIGINT), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130) << Slurp(dir_ / "first.log");
  EXPECT_NE(Slurp(dir_ / "first.log").find("rerun the same command to resume"), std::string::npos);
  const int after_sigint = NightFiles(out);
  EXPECT_GE(after_sigint, 1);
  EXPECT_LT(after_sigint, 4);
  EXPECT_FALSE(fs::exists(out / "aggregate.json"));

  pid = Start(args, "second.log");
  ASSERT_TRUE(WaitForNights(out, after_sigint + 1, 60)) << Slurp(dir_ / "second.log");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // likely mid-night now
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFSIGNALED(status));
  const std::string second = Slurp(dir_ / "second.log");
  EXPECT_NE(second.find(std::to_string(after_sigint) + " already done"), std::string::npos) << second;

  // Every visible file is a complete night output.
  const SweepManifest m = ExpandSweep(LoadSweep(kData + "determinism.yaml"));
  int complete = 0;
  for (const auto& n : m.nights) complete += ReadNightRecord(NightPath(out.string(), n.hash), n.hash).has_value();
  EXPECT_EQ(complete, NightFiles(out));

  std::string err;
  ASSERT_EQ(Nightsim(args, &err), 0) << err;
  EXPECT_NE(err.find(std::to_string(complete) + " already done"), std::string::npos) << err;
  EXPECT_NE(err.find(std::to_string(4 - complete) + " run,"), std::string::npos) << err;
  // No temporaries of the killed run remain.
  for (const auto& e : fs::directory_iterator(out / "nights")) {
    EXPECT_EQ(e.path().filename().string().find(".tmp-"), std::string::npos) << e.path();
  }

  const fs::path clean = dir_ / "clean";
  ASSERT_EQ(Nightsim("sweep " + sweep + " -j 2 --out '" + clean.string() + "'"), 0);
  EXPECT_EQ(Slurp(out / "aggregate.json"), Slurp(clean / "aggregate.json"));
  // Every night output, too, is byte for byte the uninterrupted run's.
  int compared = 0;
  for (const auto& e : fs::directory_iterator(clean / "nights")) {
    EXPECT_EQ(Slurp(out / "nights" / e.path().filename()), Slurp(e.path())) << e.path().filename();
    ++compared;
  }
  EXPECT_EQ(compared, 4);
}

}  // namespace
}  // namespace nightsim::harness
