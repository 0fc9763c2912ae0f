// Tests sweep files and their expansion: parsing, rejection with located messages,
// random draws, content hashes, shards, pipeline knobs, and that the two arms of a
// paired factor share the primary's ground truth bit for bit. No night is run.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>

#include "core/errors.h"
#include "harness/night_runner.h"
#include "harness/sweep.h"
#include "harness/sweep_pipeline_knobs.h"
#include "sleepers/night.h"

namespace nightsim::harness {
namespace {

namespace fs = std::filesystem;
const std::string kData = std::string(NIGHTSIM_SOURCE_DIR) + "/tests/harness/data/sweeps/";

fs::path TempDir() {
  const fs::path dir = fs::temp_directory_path() /
                       ("nightsim_sweep_file_" + std::to_string(::getpid()) + "_" +
                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::string WriteSweep(const fs::path& dir, const std::string& text) {
  const std::string path = (dir / "sweep.yaml").string();
  std::ofstream(path) << text;
  return path;
}

std::vector<InputProblem> ProblemsOf(const std::string& path) {
  try {
    LoadSweep(path);
  } catch (const InputError& e) {
    return e.problems();
  }
  return {};
}

bool HasProblem(const std::vector<InputProblem>& problems, int line, const std::string& needle) {
  return std::any_of(problems.begin(), problems.end(), [&](const InputProblem& p) {
    return p.line == line && p.Format().find(needle) != std::string::npos;
  });
}

// Tests that a sweep expands to scenarios × points × seeds in a fixed order with
// one distinct content hash per night.
TEST(SweepFile, expands_points_and_seeds_in_a_fixed_order) {
  const SweepSpec spec = LoadSweep(kData + "determinism.yaml");
  EXPECT_EQ(spec.name, "determinism");
  EXPECT_EQ(spec.seeds, (std::vector<std::uint64_t>{3, 4}));
  ASSERT_EQ(spec.scenarios.size(), 1u);
  EXPECT_EQ(spec.scenarios[0].values.at("reading"), (std::vector<std::string>{"5", "15"}));
  const SweepManifest m = ExpandSweep(spec);
  ASSERT_EQ(m.nights.size(), 4u);
  EXPECT_EQ(m.nights[0].PointText(), "reading=5");
  EXPECT_EQ(m.nights[0].seed, 3u);
  EXPECT_EQ(m.nights[1].seed, 4u);
  EXPECT_EQ(m.nights[2].PointText(), "reading=15");
  std::set<std::string> hashes;
  for (const auto& n : m.nights) hashes.insert(n.hash);
  EXPECT_EQ(hashes.size(), 4u);
  // The scenario really is resolved at the point.
  EXPECT_EQ(m.scenarios[2].people[0].activity_s, 15 * 60.0);
  // Same file, same manifest: hashes are a pure function of the inputs.
  EXPECT_EQ(ExpandSweep(LoadSweep(kData + "determinism.yaml")).nights[3].hash, m.nights[3].hash);
}

// Tests that --seed/--scenario select part of a sweep in file order, and that its
// nights keep the hashes they have in the whole sweep (so the part pairs with a
// whole baseline, as the sanitizer stage's reduced CI gate does).
TEST(SweepFile, a_selected_part_keeps_file_order_and_the_whole_sweeps_hashes) {
  const SweepSpec whole = LoadSweep(std::string(NIGHTSIM_SOURCE_DIR) + "/sweeps/ci_stress.yaml");
  const SweepSpec part = SelectFromSweep(whole, {1}, {"../scenarios/stress/pet_cat_at_feet.yaml", "solo_sleeper"});
  EXPECT_EQ(part.seeds, (std::vector<std::uint64_t>{1}));
  ASSERT_EQ(part.scenarios.size(), 2u);
  EXPECT_EQ(part.scenarios[0].name, "solo_sleeper");  // file order, not the order asked
  EXPECT_EQ(part.scenarios[1].path, "../scenarios/stress/pet_cat_at_feet.yaml");
  const SweepManifest m = ExpandSweep(part);
  const SweepManifest all = ExpandSweep(whole);
  ASSERT_EQ(m.nights.size(), 2u);
  for (const SweepNight& n : m.nights) {
    const std::string& path = part.scenarios[n.scenario].path;
    const auto same = std::find_if(all.nights.begin(), all.nights.end(), [&](const SweepNight& a) {
      return whole.scenarios[a.scenario].path == path && a.seed == n.seed;
    });
    ASSERT_NE(same, all.nights.end()) << path;
    EXPECT_EQ(same->hash, n.hash) << path;
  }
  // Empty lists keep everything; unknown seeds or scenarios are input errors.
  EXPECT_EQ(SelectFromSweep(whole, {}, {}).scenarios.size(), whole.scenarios.size());
  EXPECT_THROW(SelectFromSweep(whole, {3}, {}), InputError);
  EXPECT_THROW(SelectFromSweep(whole, {}, {"nobody"}), InputError);
}

// Tests that the content hash changes with every input it names.
TEST(SweepFile, night_hash_covers_scenario_point_seed_knobs_and_version) {
  const std::string h = NightHash("yaml", "a=1", 1, "", "0.1.0");
  EXPECT_EQ(h.size(), 16u);
  EXPECT_NE(NightHash("yaml2", "a=1", 1, "", "0.1.0"), h);
  EXPECT_NE(NightHash("yaml", "a=2", 1, "", "0.1.0"), h);
  EXPECT_NE(NightHash("yaml", "a=1", 2, "", "0.1.0"), h);
  EXPECT_NE(NightHash("yaml", "a=1", 1, "k=1", "0.1.0"), h);
  EXPECT_NE(NightHash("yaml", "a=1", 1, "", "0.1.1"), h);
  // The weakened pipeline's nights are other nights than the default pipeline's.
  EXPECT_NE(ExpandSweep(LoadSweep(kData + "weakened.yaml")).nights[0].hash,
            ExpandSweep(LoadSweep(kData + "determinism.yaml")).nights[0].hash);
}

// Tests that a paired factor runs every seed in both arms, and that an arm equal to
// the plain night is the same night (one hash, run once).
TEST(SweepFile, factor_arms_pair_every_seed_and_share_hashes_with_equal_plain_nights) {
  const SweepSpec spec = LoadSweep(kData + "factors.yaml");
  ASSERT_EQ(spec.factors.size(), 1u);
  EXPECT_EQ(spec.factors[0].arms[0].name, "absent");
  EXPECT_EQ(spec.factors[0].arms[1].name, "present");
  EXPECT_EQ(spec.seeds, (std::vector<std::uint64_t>{7, 8}));
  const SweepManifest m = ExpandSweep(spec);
  ASSERT_EQ(m.nights.size(), 6u);  // plain × 2 seeds, absent × 2, present × 2
  EXPECT_EQ(m.nights[2].arm, "absent");
  EXPECT_EQ(m.nights[4].arm, "present");
  EXPECT_EQ(m.nights[4].point.at("cat_visits"), "4");
  EXPECT_EQ(m.nights[0].hash, m.nights[2].hash);  // cat_visits defaults to 0 = absent
  EXPECT_NE(m.nights[2].hash, m.nights[4].hash);
}

// Tests that the two arms of the pet factor share the primary's ground truth bit for
// bit (common random numbers), while the cat itself does appear in one arm only.
TEST(SweepFile, factor_arms_share_the_primarys_ground_truth_bit_for_bit) {
  const SweepManifest m = ExpandSweep(LoadSweep(kData + "factors.yaml"));
  for (std::size_t k : {0u, 1u}) {
    const Scenario& absent = m.scenarios[2 + k];
    const Scenario& present = m.scenarios[4 + k];
    ASSERT_EQ(m.nights[2 + k].seed, m.nights[4 + k].seed);
    const std::uint64_t seed = m.nights[2 + k].seed;
    const NightTruth a = BuildNightTruth(absent, sleepers::SimulateNight(absent, seed));
    const NightTruth b = BuildNightTruth(present, sleepers::SimulateNight(present, seed));
    ASSERT_EQ(a.primary.size(), b.primary.size());
    for (std::size_t e = 0; e < a.primary.size(); ++e) {
      const PrimaryEpochTruth& x = a.primary[e];
      const PrimaryEpochTruth& y = b.primary[e];
      ASSERT_EQ(x.stage, y.stage) << "epoch " << e;
      ASSERT_EQ(x.in_bed, y.in_bed) << "epoch " << e;
      ASSERT_EQ(x.in_zone, y.in_zone) << "epoch " << e;
      ASSERT_EQ(x.intent, y.intent) << "epoch " << e;
      ASSERT_EQ(x.gross_movement, y.gross_movement) << "epoch " << e;
      // Bit for bit, NaN included.
      ASSERT_EQ(std::memcmp(&x.resp_rate_bpm, &y.resp_rate_bpm, sizeof(double)), 0) << "epoch " << e;
      const BodyEpochTruth& p = a.bodies[0].epochs[e];
      const BodyEpochTruth& q = b.bodies[0].epochs[e];
      ASSERT_EQ(p.in_room, q.in_room);
      ASSERT_EQ(std::memcmp(&p.range_m, &q.range_m, sizeof(double)), 0) << "epoch " << e;
      ASSERT_EQ(std::memcmp(&p.azimuth_rad, &q.azimuth_rad, sizeof(double)), 0) << "epoch " << e;
    }
    ASSERT_EQ(a.bodies.size(), 2u);
    auto cat_epochs = [](const NightTruth& t) {
      return std::count_if(t.bodies[1].epochs.begin(), t.bodies[1].epochs.end(),
                           [](const BodyEpochTruth& r) { return r.in_bed; });
    };
    EXPECT_EQ(cat_epochs(a), 0);
    EXPECT_GT(cat_epochs(b), 0) << "the factor must change something: seed " << seed;
  }
}

// Tests that unknown scenarios, parameters, metrics and knobs, a descriptive gate
// and an impossible distribution are all reported, each at its file:line.
TEST(SweepFile, rejects_unknown_names_and_impossible_distributions_with_locations) {
  const auto problems = ProblemsOf(kData + "bad/unknown_everything.yaml");
  EXPECT_EQ(problems.size(), 6u);
  EXPECT_TRUE(HasProblem(problems, 4, "unknown scenario '../no_such_scenario.yaml'"));
  EXPECT_TRUE(HasProblem(problems, 7, "declares no parameter 'readng' (did you mean 'reading'?)"));
  EXPECT_TRUE(HasProblem(problems, 8, "impossible normal distribution: needs sd > 0"));
  EXPECT_TRUE(HasProblem(problems, 10, "unknown metric 'presence.f2' (did you mean 'presence.f1'?)"));
  EXPECT_TRUE(HasProblem(problems, 11, "cannot gate"));
  EXPECT_TRUE(HasProblem(problems, 13, "unknown pipeline knob 'tracking.detect_snr' (did you mean 'tracking.detect_snr_db'?)"));
  for (const auto& p : problems) EXPECT_NE(p.file.find("unknown_everything.yaml"), std::string::npos);

  const auto draws = ProblemsOf(kData + "bad/draw_out_of_range.yaml");
  ASSERT_EQ(draws.size(), 1u);
  EXPECT_TRUE(HasProblem(draws, 5, "impossible uniform distribution: [20, 60] leaves the parameter's range [0, 40]"));
}

// Tests that `nightsim sweep` on a bad file exits 2 and creates no output folder.
TEST(SweepFile, cli_exits_2_and_writes_nothing_for_a_bad_sweep) {
  const fs::path dir = TempDir();
  const std::string cmd = "'" + std::string(NIGHTSIM_BINARY) + "' sweep '" + kData + "bad/unknown_everything.yaml' --out '" +
                          (dir / "out").string() + "' >/dev/null 2>'" + (dir / "err").string() + "'";
  const int status = std::system(cmd.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 2);
  EXPECT_FALSE(fs::exists(dir / "out"));
  std::ifstream err(dir / "err");
  const std::string text((std::istreambuf_iterator<char>(err)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("unknown_everything.yaml:7:3: parameters.readng:"), std::string::npos) << text;
  fs::remove_all(dir);
}

// Tests ranges and random draws: deterministic for a sample seed, inside the
// parameter's range, integers where the parameter is an int, and different for
// another sample seed.
TEST(SweepFile, ranges_and_draws_are_deterministic_and_in_range) {
  const fs::path dir = TempDir();
  auto values = [&](const std::string& spec_text, int sample_seed) {
    const std::string path = WriteSweep(dir, "scenarios: ['" + kData + "short_night.yaml']\nseeds: 1\nsample_seed: " +
                                                 std::to_string(sample_seed) + "\nparameters:\n  reading: " + spec_text + "\n");
    return LoadSweep(path).scenarios[0].values.at("reading");
  };
  EXPECT_EQ(values("{from: 0, to: 20, step: 5}", 1), (std::vector<std::string>{"0", "5", "10", "15", "20"}));
  const auto uniform = values("{uniform: {low: 5, high: 35}, samples: 5}", 1);
  EXPECT_EQ(uniform.size(), 5u);
  EXPECT_EQ(uniform, values("{uniform: {low: 5, high: 35}, samples: 5}", 1));
  EXPECT_NE(uniform, values("{uniform: {low: 5, high: 35}, samples: 5}", 2));
  for (const auto& v : uniform) {
    EXPECT_GE(std::stod(v), 5);
    EXPECT_LT(std::stod(v), 35);
  }
  for (const auto& v : values("{lognormal: {mu: 2, sigma: 0.2}, samples: 4}", 1)) {
    EXPECT_GT(std::stod(v), 4);  // e^(2 ± 5σ) ⊂ (2.7, 20)
    EXPECT_LT(std::stod(v), 20);
  }
  const auto choice = values("{choice: [5, 10], samples: 6}", 1);
  EXPECT_LE(choice.size(), 2u);  // repeated draws are one point
  for (const auto& v : choice) EXPECT_TRUE(v == "5" || v == "10");
  // A normal whose draws leave the range is reported before anything runs.
  const std::string path = WriteSweep(dir, "scenarios: ['" + kData + "short_night.yaml']\nseeds: 1\nparameters:\n"
                                           "  reading: {normal: {mean: 38, sd: 10}, samples: 8}\n");
  const auto problems = ProblemsOf(path);
  ASSERT_FALSE(problems.empty());
  EXPECT_EQ(problems[0].line, 4);
  fs::remove_all(dir);
}

// Tests that shards partition the manifest and that the index comes from Slurm or
// Kubernetes when only the count is given.
TEST(SweepFile, shards_partition_the_manifest_and_read_the_scheduler_index) {
  const ShardSpec s = ParseShard("2/3");
  EXPECT_EQ(s.index, 2);
  EXPECT_EQ(s.count, 3);
  EXPECT_THROW(ParseShard("3/3"), InputError);
  EXPECT_THROW(ParseShard("x"), InputError);

  ::unsetenv("SLURM_ARRAY_TASK_ID");
  ::unsetenv("SLURM_ARRAY_TASK_MIN");
  ::unsetenv("SLURM_ARRAY_TASK_COUNT");
  ::setenv("JOB_COMPLETION_INDEX", "1", 1);
  EXPECT_EQ(ParseShard("4").index, 1);
  EXPECT_FALSE(ShardFromEnvironment().has_value());
  ::setenv("SLURM_ARRAY_TASK_ID", "5", 1);
  ::setenv("SLURM_ARRAY_TASK_MIN", "4", 1);
  ::setenv("SLURM_ARRAY_TASK_COUNT", "3", 1);
  EXPECT_EQ(ParseShard("3").index, 1);  // Slurm first
  ASSERT_TRUE(ShardFromEnvironment().has_value());
  EXPECT_EQ(ShardFromEnvironment()->index, 1);
  EXPECT_EQ(ShardFromEnvironment()->count, 3);
  ::unsetenv("SLURM_ARRAY_TASK_ID");
  ::unsetenv("SLURM_ARRAY_TASK_MIN");
  ::unsetenv("SLURM_ARRAY_TASK_COUNT");
  ::unsetenv("JOB_COMPLETION_INDEX");
  EXPECT_THROW(ParseShard("4"), InputError);
}

// Tests the pipeline knobs: a known knob changes the config, a typo gets a
// suggestion, a bad value or an inconsistent combination is refused.
TEST(SweepFile, pipeline_knobs_set_the_tracking_config_and_reject_bad_values) {
  PipelineSettings s;
  EXPECT_EQ(MakePipeline(s), nullptr);  // nothing set: the night runner's default pipeline
  EXPECT_EQ(SetPipelineKnob(&s, "tracking.tracker.acquire_max_range_m", "0.45"), "");
  EXPECT_DOUBLE_EQ(s.tracking.tracker.acquire_max_range_m, 0.45);
  EXPECT_EQ(SetPipelineKnob(&s, "tracking.max_cells", "3"), "");
  EXPECT_EQ(s.tracking.max_cells, 3);
  EXPECT_EQ(SetPipelineKnob(&s, "tracking.beamformer", "capon"), "");
  EXPECT_EQ(s.KnobsText(), "tracking.beamformer=capon;tracking.max_cells=3;tracking.tracker.acquire_max_range_m=0.45");
  EXPECT_NE(MakePipeline(s), nullptr);
  EXPECT_NE(SetPipelineKnob(&s, "tracking.max_cell", "3").find("did you mean 'tracking.max_cells'"), std::string::npos);
  EXPECT_NE(SetPipelineKnob(&s, "tracking.max_cells", "2.5"), "");
  EXPECT_EQ(s.tracking.max_cells, 3);  // unchanged by a refused value
  EXPECT_EQ(ValidatePipeline(s), "");
  EXPECT_EQ(SetPipelineKnob(&s, "tracking.block_s", "60"), "");
  EXPECT_NE(ValidatePipeline(s), "");  // map_window_s must be >= block_s
}

}  // namespace
}  // namespace nightsim::harness
