// Tests `nightsim report`: bad inputs (missing, truncated, foreign or text files; a
// folder that is not a sweep output) exit 2 before Python runs and write nothing; a
// failing renderer leaves neither the page nor a temporary file; a night file and a
// sweep folder give self-contained pages. The figures themselves are checked by
// python/tests/test_nightsim_report.py and, rendered in Chromium, by
// tests/integration/report_render_test.py.

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "harness/h5_writer.h"
#include "night_file_test_util.h"

namespace nightsim::harness {
namespace {

namespace fs = std::filesystem;
using testing_util::CliRun;
using testing_util::Quote;
using testing_util::RunNightsim;
using testing_util::Slurp;
using testing_util::WriteText;

CliRun Report(const fs::path& input, const fs::path& out, const fs::path& dir) {
  return RunNightsim("report " + Quote(input.string()) + " -o " + Quote(out.string()), dir);
}

// Sets an environment variable for one scope (the CLI runs as a child process).
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::string& value) : name_(name) { ::setenv(name, value.c_str(), 1); }
  ~ScopedEnv() { ::unsetenv(name_); }

 private:
  const char* name_;
};

// Whether Debian's python3 can draw (python3-matplotlib, python3-h5py installed).
bool CanDraw() { return std::system("/usr/bin/python3 -c 'import matplotlib, h5py' >/dev/null 2>&1") == 0; }

// A complete night file without radar data: the minute night, run once per test binary.
const fs::path& MinuteNightFile() {
  static const fs::path path = [] {
    const fs::path dir = testing_util::FreshDir("report_night");
    const CliRun r = RunNightsim("run " + Quote(testing_util::kMinuteNight) + " --seed 2 --out " +
                                     Quote((dir / "minute").string()),
                                 dir);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return dir / "minute.h5";
  }();
  return path;
}

// Tests that a missing input, a text file, a foreign HDF5 file and a night file cut
// short each exit 2 with a message naming the file, and write nothing.
TEST(Report, BadNightFilesExit2AndWriteNothing) {
  const fs::path dir = testing_util::FreshDir("report_bad_files");
  const fs::path out = dir / "out" / "night.html";
  WriteText(dir / "text.h5", "epoch,stage\n0,wake\n");
  {
    H5Writer w((dir / "foreign.h5").string());
    w.Attr("/", "creator", std::string("someone else"));
  }
  const std::string whole = Slurp(MinuteNightFile());
  WriteText(dir / "cut.h5", whole.substr(0, whole.size() / 2));
  const struct {
    const char* file;
    const char* message;
  } cases[] = {{"missing.h5", "no such file or folder"},
               {"text.h5", "not an HDF5 file"},
               {"foreign.h5", "not a nightsim night file"},
               {"cut.h5", "cut.h5"}};
  for (const auto& c : cases) {
    const CliRun r = Report(dir / c.file, out, dir);
    EXPECT_EQ(r.exit_code, 2) << c.file << ": " << r.err;
    EXPECT_NE(r.err.find(c.file), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(c.message), std::string::npos) << c.file << ": " << r.err;
    EXPECT_FALSE(fs::exists(dir / "out")) << c.file;
  }
}

// Tests that a folder without aggregate.json, or with one that is not a sweep
// aggregate, exits 2; and that a missing -o, or -o naming the input, exits 2.
TEST(Report, NotASweepFolderExits2) {
  const fs::path dir = testing_util::FreshDir("report_bad_sweep");
  fs::create_directories(dir / "empty");
  fs::create_directories(dir / "garbage");
  WriteText(dir / "garbage" / "aggregate.json", "{\"sweep\": \"x\", \"nig");
  const CliRun empty = Report(dir / "empty", dir / "s.html", dir);
  EXPECT_EQ(empty.exit_code, 2);
  EXPECT_NE(empty.err.find("without aggregate.json"), std::string::npos) << empty.err;
  const CliRun garbage = Report(dir / "garbage", dir / "s.html", dir);
  EXPECT_EQ(garbage.exit_code, 2);
  EXPECT_NE(garbage.err.find("garbage/aggregate.json: not a sweep aggregate"), std::string::npos) << garbage.err;
  const CliRun onto_input = Report(MinuteNightFile(), MinuteNightFile(), dir);
  EXPECT_EQ(onto_input.exit_code, 2);
  EXPECT_NE(onto_input.err.find("--out is the input itself"), std::string::npos) << onto_input.err;
  const CliRun no_out = RunNightsim("report " + Quote((dir / "empty").string()), dir);
  EXPECT_EQ(no_out.exit_code, 2);
  EXPECT_NE(no_out.err.find("--out"), std::string::npos) << no_out.err;
  EXPECT_FALSE(fs::exists(dir / "s.html"));
}

// Tests that when the renderer fails after writing part of the page, neither the
// page nor any temporary file is left, and the message names the failure.
TEST(Report, FailingRendererLeavesNothing) {
  const fs::path dir = testing_util::FreshDir("report_renderer_fails");
  fs::create_directories(dir / "py" / "nightsim_report");
  WriteText(dir / "py" / "nightsim_report" / "__init__.py", "");
  WriteText(dir / "py" / "nightsim_report" / "__main__.py",
            "import sys\nopen(sys.argv[-1], 'w').write('<html>half')\nsys.exit(1)\n");
  fs::create_directories(dir / "out");
  const ScopedEnv env("NIGHTSIM_PYTHON_DIR", (dir / "py").string());
  const CliRun r = Report(MinuteNightFile(), dir / "out" / "night.html", dir);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("failed with exit code 1"), std::string::npos) << r.err;
  EXPECT_TRUE(fs::is_empty(dir / "out")) << "a page or temporary file was left behind";
}

// Tests that a night file gives one self-contained page: figures inlined as PNG data
// URIs, nothing fetched from elsewhere, the note that no frames were exported.
TEST(Report, NightFileGivesASelfContainedPage) {
  if (!CanDraw()) GTEST_SKIP() << "python3-matplotlib/python3-h5py missing (scripts/setup installs them)";
  const fs::path dir = testing_util::FreshDir("report_night_page");
  const CliRun r = Report(MinuteNightFile(), dir / "pages" / "night.html", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string page = Slurp(dir / "pages" / "night.html");
  EXPECT_EQ(page.rfind("<!DOCTYPE html>", 0), 0u);
  std::size_t images = 0;
  for (std::size_t at = page.find("src=\"data:image/png;base64,"); at != std::string::npos;
       at = page.find("src=\"data:image/png;base64,", at + 1)) {
    ++images;
  }
  EXPECT_GE(images, 6u);  // hypnogram, identity, presence, range-time, rate, confusion
  EXPECT_EQ(page.find("src=\"http"), std::string::npos);
  EXPECT_EQ(page.find("href=\"http"), std::string::npos);
  EXPECT_NE(page.find("No radar frames were exported"), std::string::npos);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir / "pages"), fs::directory_iterator()), 1);
}

// Tests that a sweep's output folder gives a page with the Bland–Altman, confusion
// and effect sections.
TEST(Report, SweepFolderGivesAPage) {
  if (!CanDraw()) GTEST_SKIP() << "python3-matplotlib/python3-h5py missing (scripts/setup installs them)";
  const fs::path dir = testing_util::FreshDir("report_sweep_page");
  const std::string sweep = std::string(NIGHTSIM_SOURCE_DIR) + "/tests/harness/data/sweeps/report.yaml";
  const CliRun s = RunNightsim("sweep " + Quote(sweep) + " -j 2 --out " + Quote((dir / "sweep").string()), dir);
  ASSERT_EQ(s.exit_code, 0) << s.err;
  const CliRun r = Report(dir / "sweep", dir / "sweep.html", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string page = Slurp(dir / "sweep.html");
  for (const char* section : {"Bland–Altman", "confusion matrix", "Counterfactual effects", "data:image/png;base64,"}) {
    EXPECT_NE(page.find(section), std::string::npos) << section;
  }
}

}  // namespace
}  // namespace nightsim::harness
