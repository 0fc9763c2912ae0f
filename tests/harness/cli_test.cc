// Tests the command line as a new user meets it (issue #26): --version, an output
// path given with its extension, an output given as one more argument, and one
// default for the parallel commands' -j.

#include <gtest/gtest.h>

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
