// Tests the command line as a new user meets it (issue #26): --version, an output
// path given with its extension, an output given as one more argument, and one
// default for the parallel commands' -j.

#include <gtest/gtest.h>

#include <algorithm>
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

// Tests that --version prints the version alone and exits 0.
TEST(Cli, VersionPrintsTheVersionAndExits0) {
  const auto dir = testing_util::FreshDir("cli_version");
  const CliRun r = RunNightsim("--version", dir);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::regex_match(r.out, std::regex("nightsim [^\\n ]+\\n"))) << r.out;
  EXPECT_TRUE(r.err.empty()) << r.err;
}

// Tests that `run --out x.h5` writes x.h5 (and x.json …), not x.h5.h5.
TEST(Cli, RunOutAcceptsThePathWithItsExtension) {
  const auto dir = testing_util::FreshDir("cli_out_h5");
  const CliRun r =
      RunNightsim("run " + Quote(testing_util::kMinuteNight) + " --out " + Quote((dir / "x.h5").string()), dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::filesystem::exists(dir / "x.h5"));
  EXPECT_TRUE(std::filesystem::exists(dir / "x.json"));
  EXPECT_FALSE(std::filesystem::exists(dir / "x.h5.h5"));
}

// Tests that an output named as one more positional argument is answered with the
// option to use, naming the argument.
TEST(Cli, ExtraArgumentPointsAtTheOutputOption) {
  const auto dir = testing_util::FreshDir("cli_extra");
  const CliRun r = RunNightsim("report a.h5 b.html", dir);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("b.html: unexpected argument (the command takes 1 positional argument); use -o OUT to name "
                       "the output"),
            std::string::npos)
      << r.err;
  const CliRun s = RunNightsim("score a.h5 b.csv c.json", dir);
  EXPECT_EQ(s.exit_code, 2);
  EXPECT_NE(s.err.find("c.json: unexpected argument (the command takes 2 positional arguments); use --out OUT"),
            std::string::npos)
      << s.err;
}

// Tests that run prints the headline metrics by default (who was where, the
// hypnograms, the measures, a dozen metrics, the failure point) and everything
// with --metrics all, while the JSON keeps every metric either way.
TEST(Cli, RunPrintsHeadlineMetricsUnlessAllAreAsked) {
  const auto dir = testing_util::FreshDir("cli_metrics");
  const std::string run = "run " + Quote(testing_util::kShortNight) + " --seed 5 --out " + Quote((dir / "n").string());
  const CliRun headline = RunNightsim(run, dir);
  ASSERT_EQ(headline.exit_code, 0) << headline.err;
  for (const char* part : {"who was where", "hypnogram of", "sleep measure", "staging.accuracy", "presence.f1",
                           "more metrics and the confusion matrix: --metrics all", "dominant failure point"}) {
    EXPECT_NE(headline.out.find(part), std::string::npos) << part << "\n" << headline.out;
  }
  EXPECT_EQ(headline.out.find("confusion (rows truth"), std::string::npos) << headline.out;
  EXPECT_EQ(headline.out.find("join.epochs"), std::string::npos) << headline.out;
  EXPECT_LT(std::count(headline.out.begin(), headline.out.end(), '\n'), 50) << headline.out;
  const std::string json = testing_util::Slurp(dir / "n.json");
  EXPECT_NE(json.find("\"join.epochs\""), std::string::npos);

  const CliRun all = RunNightsim(run + " --metrics all", dir);
  ASSERT_EQ(all.exit_code, 0) << all.err;
  EXPECT_NE(all.out.find("confusion (rows truth"), std::string::npos);
  EXPECT_NE(all.out.find("join.epochs"), std::string::npos);
  EXPECT_EQ(testing_util::Slurp(dir / "n.json"), json);

  const CliRun bad = RunNightsim(run + " --metrics some", dir);
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--metrics: expected headline or all, got 'some'"), std::string::npos) << bad.err;
}

// Tests that run --export-frames says how much it will write, and that --from/--to
// store exactly the frames of that window (the same bytes as the whole night's
// export there, the body states too) while the night and its metrics are unchanged.
TEST(Cli, ExportFramesOfAWindow) {
  const auto dir = testing_util::FreshDir("cli_window");
  const std::string run = "run " + Quote(testing_util::kShortNight) + " --seed 3 --export-frames --out ";
  const CliRun whole = RunNightsim(run + Quote((dir / "whole").string()), dir);
  ASSERT_EQ(whole.exit_code, 0) << whole.err;
  EXPECT_NE(whole.out.find("exporting 12000 frames (22:58:00–23:08:00) at range level: radar data 18.4 MB"),
            std::string::npos)
      << whole.out;
  const CliRun window = RunNightsim(run + Quote((dir / "window").string()) + " --from 23:00 --to 300", dir);
  ASSERT_EQ(window.exit_code, 0) << window.err;
  EXPECT_NE(window.out.find("exporting 3600 frames (23:00:00–23:03:00)"), std::string::npos) << window.out;

  const NightReader a((dir / "whole.h5").string());
  const NightReader b((dir / "window.h5").string());
  EXPECT_EQ(a.info().radar_first_frame, 0);
  EXPECT_EQ(a.info().radar_end_frame, 12000);
  EXPECT_EQ(b.info().radar_first_frame, 2400);  // 23:00 is 120 s after 22:58, at 20 frames/s
  EXPECT_EQ(b.info().radar_end_frame, 6000);
  EXPECT_EQ(b.info().frames, 12000);
  ASSERT_EQ(b.RadarRows(), 3600);
  EXPECT_EQ(b.RangeFrames(0, 3600), a.RangeFrames(2400, 3600));
  const std::vector<float> chest = a.BodyFramesOf("alex").chest_m;
  EXPECT_EQ(b.BodyFramesOf("alex").chest_m, std::vector<float>(chest.begin() + 2400, chest.begin() + 6000));
  EXPECT_NE(a.info().night_key, b.info().night_key);
  EXPECT_EQ(testing_util::Slurp(dir / "whole.json"), testing_util::Slurp(dir / "window.json"));

  const CliRun no_export = RunNightsim("run " + Quote(testing_util::kShortNight) + " --from 23:00", dir);
  EXPECT_EQ(no_export.exit_code, 2);
  EXPECT_NE(no_export.err.find("--from: chooses the frames to export: give --export-frames too"), std::string::npos)
      << no_export.err;
  const CliRun outside = RunNightsim(run + Quote((dir / "x").string()) + " --from 300 --to 23:01", dir);
  EXPECT_EQ(outside.exit_code, 2);
  EXPECT_NE(outside.err.find("--to: 23:01 is not after --from 300"), std::string::npos) << outside.err;
}

// Tests that every command running nights in parallel has the same -j default.
TEST(Cli, ParallelCommandsShareOneJobsDefault) {
  const auto dir = testing_util::FreshDir("cli_jobs");
  std::string first;
  for (const char* command : {"generate", "sweep", "stress", "train"}) {
    const CliRun r = RunNightsim(std::string(command) + " --help", dir);
    ASSERT_EQ(r.exit_code, 0) << command;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(r.out, m, std::regex("--jobs \\] arg \\(=(\\d+)\\)"))) << command << r.out;
    if (first.empty()) first = m[1];
    EXPECT_EQ(m[1], first) << command;
  }
}

}  // namespace
}  // namespace nightsim::harness
