// Tests the stress-library runner (harness/stress.h) and `nightsim stress` on two
// 40-minute scenarios written for the test, so a full run costs seconds of CPU:
// determinism over worker counts, the table's rows, the JSON, aggregation and the
// errors a user can make.

#include "harness/stress.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/errors.h"

namespace nightsim::harness {
namespace {

namespace fs = std::filesystem;

const std::string kSource = NIGHTSIM_SOURCE_DIR;

std::string Slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void Write(const fs::path& p, const std::string& text) {
  std::ofstream out(p);
  out << text;
}

// A fresh folder per test, removed afterwards.
class TempDir {
 public:
  TempDir() {
    path_ = fs::temp_directory_path() / ("nightsim_stress_" + std::to_string(::getpid()) + "_" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// Two short nights (40 min at range level: under 1 s of CPU each) extending the
// repository's base bedroom: a sleeper with an alarm, and an empty room.
void WriteShortLibrary(const fs::path& dir) {
  const std::string base = kSource + "/scenarios/base_bedroom.yaml";
  Write(dir / "a_solo_short.yaml",
        "# A short solo night: the runner's test subject.\n"
        "extends: " + base + "\n"
        "name: a_solo_short\n"
        "night: {start: \"23:00\", end: \"23:40\"}\n"
        "device: {bed_side: left, alarm: \"23:35\", smart_window_min: 10}\n"
        "people:\n"
        "  - id: alex\n"
        "    role: primary\n"
        "    side: left\n"
        "    schedule: {bedtime: \"23:02\", bedtime_sd_min: 1, activity: none, activity_min: 0, wake_mode: alarm}\n"
        "    rates: {restroom_per_night: 0}\n");
  Write(dir / "b_empty_short.yaml",
        "# A short empty night: nobody to track.\n"
        "extends: " + base + "\n"
        "name: b_empty_short\n"
        "night: {start: \"23:00\", end: \"23:40\"}\n");
}

struct CliRun {
  int exit_code{-1};
  std::string out, err;
};

CliRun Stress(const TempDir& tmp, const std::string& args) {
  const std::string cmd = "'" + std::string(NIGHTSIM_BINARY) + "' stress " + args + " >'" +
                          (tmp.path() / "stdout").string() + "' 2>'" + (tmp.path() / "stderr").string() + "'";
  const int status = std::system(cmd.c_str());
  CliRun r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = Slurp(tmp.path() / "stdout");
  r.err = Slurp(tmp.path() / "stderr");
  return r;
}

// Tests that the nights, their aggregation and the JSON are the same bytes on one
// worker and on two (RunNight keeps no shared state), and that the CLI writes
// exactly the library's JSON with one table row per scenario.
TEST(StressRunner, json_is_identical_for_one_and_two_workers_and_the_cli_writes_it) {
  TempDir tmp;
  const fs::path lib = tmp.path() / "lib";
  fs::create_directories(lib);
  WriteShortLibrary(lib);
  const std::vector<StressScenario> library = LoadStressLibrary(lib.string());
  ASSERT_EQ(library.size(), 2u);

  StressOptions one;
  one.seeds = 2;
  one.first_seed = 7;
  one.jobs = 1;
  StressOptions two = one;
  two.jobs = 2;
  const std::vector<StressResult> r1 = RunStress(library, one);
  const std::vector<StressResult> r2 = RunStress(library, two);
  const std::string json1 = StressJson(r1, one);
  EXPECT_EQ(json1, StressJson(r2, two));

  ASSERT_EQ(r1.size(), 2u);
  EXPECT_EQ(r1[0].name, "a_solo_short");
  EXPECT_EQ(r1[0].stresses, "A short solo night: the runner's test subject.");
  ASSERT_EQ(r1[0].nights.size(), 2u);
  EXPECT_EQ(r1[0].nights[0].seed, 7u);
  EXPECT_EQ(r1[0].nights[1].seed, 8u);
  // The sleeper's night is scored for staging and the alarm; the empty room is not.
  EXPECT_TRUE(r1[0].nights[0].metrics.Has("measures.tst_min.truth"));
  EXPECT_TRUE(r1[0].nights[0].metrics.Has("alarm.fired"));
  EXPECT_FALSE(r1[1].nights[0].metrics.Has("identity.primary_fraction"));
  EXPECT_FALSE(r1[1].nights[0].metrics.Has("alarm.fired"));
  EXPECT_TRUE(r1[1].nights[0].metrics.Has("presence.false_session_min"));
  // The mean is the plain average over the seeds that have the metric.
  const double a = *r1[0].nights[0].metrics.Get("failure.wrong_epochs");
  const double b = *r1[0].nights[1].metrics.Get("failure.wrong_epochs");
  EXPECT_DOUBLE_EQ(*r1[0].mean.Get("failure.wrong_epochs"), (a + b) / 2);

  const CliRun cli =
      Stress(tmp, "--scenarios '" + lib.string() + "' --seeds 2 --first-seed 7 -j 2 --quiet --json '" +
                      (tmp.path() / "out" / "stress.json").string() + "'");
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  EXPECT_EQ(Slurp(tmp.path() / "out" / "stress.json"), json1);
  EXPECT_TRUE(cli.err.empty()) << cli.err;
  int rows = 0, solo_rows = 0, empty_rows = 0;
  std::istringstream lines(cli.out);
  for (std::string line; std::getline(lines, line);) {
    solo_rows += line.rfind("a_solo_short ", 0) == 0;
    empty_rows += line.rfind("b_empty_short ", 0) == 0;
    rows += line.rfind("a_solo_short ", 0) == 0 || line.rfind("b_empty_short ", 0) == 0;
  }
  EXPECT_EQ(solo_rows, 1) << cli.out;
  EXPECT_EQ(empty_rows, 1) << cli.out;
  EXPECT_EQ(rows, 2) << cli.out;
  EXPECT_NE(cli.out.find("scenario"), std::string::npos);
  EXPECT_NE(cli.out.find("2 scenarios × 2 seeds (seeds 7–8)"), std::string::npos) << cli.out;
}

// Tests that --filter selects by file name and progress lines go to stderr.
TEST(StressRunner, filter_selects_scenarios_by_file_name) {
  TempDir tmp;
  WriteShortLibrary(tmp.path());
  EXPECT_EQ(LoadStressLibrary(tmp.path().string(), "empty").size(), 1u);
  const CliRun cli = Stress(tmp, "--scenarios '" + tmp.path().string() + "' --seeds 1 -j 1 --filter empty");
  ASSERT_EQ(cli.exit_code, 0) << cli.err;
  EXPECT_EQ(cli.out.find("a_solo_short"), std::string::npos) << cli.out;
  EXPECT_NE(cli.out.find("b_empty_short"), std::string::npos) << cli.out;
  EXPECT_NE(cli.err.find("[1/1] b_empty_short seed 1:"), std::string::npos) << cli.err;
}

StressNight NightFailing(const char* stage) {
  StressNight n;
  n.dominant_failure = stage;
  return n;
}

// Tests that the scenario's failure point is the seeds' most frequent one, that
// ties go to the upstream stage and that a clean night never outranks a failure.
TEST(StressAggregation, most_frequent_failure_breaks_ties_upstream) {
  EXPECT_EQ(MostFrequentFailure({NightFailing("staging"), NightFailing("identity"), NightFailing("staging")}),
            "staging");
  EXPECT_EQ(MostFrequentFailure({NightFailing("staging"), NightFailing("identity")}), "identity");
  EXPECT_EQ(MostFrequentFailure({NightFailing("none"), NightFailing("intent")}), "intent");
  EXPECT_EQ(MostFrequentFailure({NightFailing("none"), NightFailing("none")}), "none");
  EXPECT_EQ(MostFrequentFailure({}), "none");
}

// Tests that the table shows "–" where a metric does not apply, the alarm counts
// and the failure with its share, one row per scenario in the given order.
TEST(StressTable, shows_a_dash_for_metrics_that_do_not_apply) {
  StressResult empty;
  empty.name = "empty";
  empty.nights.push_back(NightFailing("presence"));
  empty.dominant_failure = "presence";
  empty.mean.Set("presence.false_session_min", 12.4, Better::kLower);
  empty.mean.Set("failure.presence_fraction", 1.0, Better::kNone);
  StressResult couple;
  couple.name = "couple";
  couple.dominant_failure = "identity";
  for (double fired : {1.0, 1.0, 0.0}) {
    StressNight n = NightFailing("identity");
    n.metrics.Set("alarm.fired", fired, Better::kHigher);
    if (fired > 0) n.metrics.Set("alarm.in_light_or_wake", 1.0, Better::kHigher);
    if (fired > 0) n.metrics.Set("alarm.after_alarm", 0.0, Better::kLower);
    couple.nights.push_back(n);
  }
  couple.mean.Set("identity.primary_fraction", 0.614, Better::kHigher);
  couple.mean.Set("staging.kappa", -0.001, Better::kHigher);
  couple.mean.Set("measures.tst_min.error", -42.4, Better::kTowardZero);
  couple.mean.Set("failure.identity_fraction", 0.5, Better::kNone);
  StressOptions options;
  const std::string table = FormatStressTable({empty, couple}, options);

  std::istringstream lines(table);
  std::string line, empty_row, couple_row;
  while (std::getline(lines, line)) {
    if (line.rfind("empty ", 0) == 0) empty_row = line;
    if (line.rfind("couple ", 0) == 0) couple_row = line;
  }
  ASSERT_FALSE(empty_row.empty()) << table;
  ASSERT_FALSE(couple_row.empty()) << table;
  EXPECT_NE(empty_row.find("–"), std::string::npos) << empty_row;
  EXPECT_NE(empty_row.find(" 12 "), std::string::npos) << empty_row;
  EXPECT_NE(empty_row.find("presence 100%"), std::string::npos) << empty_row;
  EXPECT_NE(couple_row.find("0.61"), std::string::npos) << couple_row;
  EXPECT_NE(couple_row.find(" 0.00 "), std::string::npos) << couple_row;  // not "-0.00"
  EXPECT_NE(couple_row.find("-42"), std::string::npos) << couple_row;
  EXPECT_NE(couple_row.find("2/2/0"), std::string::npos) << couple_row;
  EXPECT_NE(couple_row.find("identity 50%"), std::string::npos) << couple_row;
  EXPECT_LT(table.find("empty "), table.find("couple "));
}

// Tests the restroom-trip cells (summed over seeds, the worst re-acquisition) and
// that a tracking failure shows behind a dominant staging failure.
TEST(StressTable, shows_trips_the_worst_reacquisition_and_the_failure_before_staging) {
  StressResult trips;
  trips.name = "trips";
  trips.dominant_failure = "staging";
  trips.dominant_upstream = "identity";
  for (double reacquire_max_min : {0.5, 2.25}) {
    StressNight n = NightFailing("staging");
    n.metrics.Set("identity.trips_detected", 2, Better::kHigher);
    n.metrics.Set("identity.trips_eligible", 3, Better::kNone);
    n.metrics.Set("identity.reacquire_max_min", reacquire_max_min, Better::kLower);
    trips.nights.push_back(n);
  }
  trips.mean.Set("resp.rate_median_ae_bpm", 0.214, Better::kLower);
  trips.mean.Set("failure.staging_fraction", 0.8, Better::kNone);
  trips.mean.Set("failure.identity_fraction", 0.15, Better::kNone);
  const std::string table = FormatStressTable({trips}, StressOptions{});
  const std::size_t start = table.find("\ntrips ");
  ASSERT_NE(start, std::string::npos) << table;
  const std::string row = table.substr(start + 1, table.find('\n', start + 1) - start - 1);
  EXPECT_NE(row.find(" 4/6 "), std::string::npos) << row;
  EXPECT_NE(row.find(" 2.2 "), std::string::npos) << row;  // the worse night, not the mean
  EXPECT_NE(row.find(" 0.21 "), std::string::npos) << row;
  EXPECT_NE(row.find("staging 80%, identity 15%"), std::string::npos) << row;
}

// Tests that the stress comment is the first line's text and that anything else
// on the first line is not taken for one.
TEST(StressLibraryLoading, leading_comment_is_the_first_line_only) {
  TempDir tmp;
  Write(tmp.path() / "a.yaml", "#  A cat at the feet.\n# more\nname: a\n");
  Write(tmp.path() / "b.yaml", "name: b\n# late comment\n");
  Write(tmp.path() / "c.yaml", "#\n");
  EXPECT_EQ(LeadingComment((tmp.path() / "a.yaml").string()), "A cat at the feet.");
  EXPECT_EQ(LeadingComment((tmp.path() / "b.yaml").string()), std::nullopt);
  EXPECT_EQ(LeadingComment((tmp.path() / "c.yaml").string()), std::nullopt);
  EXPECT_THROW(LeadingComment((tmp.path() / "missing.yaml").string()), InputError);
}

// Tests that every library problem is reported at once: a file without its
// comment, an invalid scenario and a duplicate scenario name, each with its file.
TEST(StressLibraryLoading, reports_every_bad_file) {
  TempDir tmp;
  WriteShortLibrary(tmp.path());
  Write(tmp.path() / "c_uncommented.yaml",
        "extends: " + kSource + "/scenarios/base_bedroom.yaml\nname: c_uncommented\n");
  Write(tmp.path() / "e_twin.yaml",
        "# The same name as another file.\nextends: " + kSource + "/scenarios/base_bedroom.yaml\nname: b_empty_short\n");
  Write(tmp.path() / "d_invalid.yaml",
        "# Broken on purpose.\nextends: " + kSource + "/scenarios/base_bedroom.yaml\nroom: {widht_m: 3}\n");
  try {
    LoadStressLibrary(tmp.path().string());
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    std::string all;
    for (const InputProblem& p : e.problems()) all += p.Format() + "\n";
    EXPECT_NE(all.find("c_uncommented.yaml:1:1: a library scenario starts with a comment line"), std::string::npos)
        << all;
    EXPECT_NE(all.find("d_invalid.yaml:3:"), std::string::npos) << all;
    EXPECT_NE(all.find("widht_m"), std::string::npos) << all;
    EXPECT_NE(all.find("name: 'b_empty_short' is also the name of b_empty_short.yaml"), std::string::npos) << all;
  }
}

// Tests the command line's bad input: exit 2 with a message, nothing on stdout.
TEST(StressCli, bad_input_exits_2) {
  TempDir tmp;
  WriteShortLibrary(tmp.path());
  const std::string lib = "--scenarios '" + tmp.path().string() + "'";
  for (const std::string& args :
       {std::string("--scenarios '") + (tmp.path() / "nowhere").string() + "'", lib + " --seeds 0", lib + " -j 0",
        lib + " --seeds -1", lib + " --filter zzz", lib + " --bogus", lib + " --seeds many"}) {
    const CliRun r = Stress(tmp, args);
    EXPECT_EQ(r.exit_code, 2) << args << "\n" << r.err;
    EXPECT_NE(r.err.find("error:"), std::string::npos) << args << "\n" << r.err;
    EXPECT_TRUE(r.out.empty()) << args << "\n" << r.out;
  }
}

// Tests that invalid options are refused before any night runs.
TEST(StressRunner, invalid_options_throw) {
  StressOptions o;
  o.seeds = 0;
  EXPECT_THROW(RunStress({}, o), std::invalid_argument);
  o = StressOptions{};
  o.jobs = 0;
  EXPECT_THROW(RunStress({}, o), std::invalid_argument);
  o = StressOptions{};
  o.first_seed = UINT64_MAX;
  o.seeds = 2;
  std::string error;
  EXPECT_FALSE(o.IsValid(&error));
  EXPECT_NE(error.find("--first-seed"), std::string::npos) << error;
}

}  // namespace
}  // namespace nightsim::harness
