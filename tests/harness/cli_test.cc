// Tests the command line as a new user meets it (issue #26): --version, an output
// path given with its extension, an output given as one more argument, and one
// default for the parallel commands' -j.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <regex>
#include <string>

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
