// Tests the sweep aggregate and the regression gate on fabricated night records
// (no night is run): when the gate fires and when it stays quiet, and what the
// JUnit XML and Markdown say.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "harness/atomic_file.h"
#include "harness/sweep.h"
#include "harness/sweep_report.h"

namespace nightsim::harness {
namespace {

namespace fs = std::filesystem;
const std::string kData = std::string(NIGHTSIM_SOURCE_DIR) + "/tests/harness/data/sweeps/";

// Records for every night of `m`: presence.f1 = f1(i), identity.primary_fraction =
// 0.9, resp.rate_bias_bpm = bias(i), where i is the manifest index.
template <typename F1, typename Bias>
std::map<std::string, NightRecord> Records(const SweepManifest& m, F1 f1, Bias bias) {
  std::map<std::string, NightRecord> r;
  for (const auto& n : m.nights) {
    NightRecord rec;
    rec.hash = n.hash;
    rec.metrics.Set("presence.f1", f1(n.index), Better::kHigher);
    rec.metrics.Set("identity.primary_fraction", 0.9, Better::kHigher);
    rec.metrics.Set("resp.rate_bias_bpm", bias(n.index), Better::kTowardZero);
    r[n.hash] = rec;
  }
  return r;
}

class SweepGate : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("nightsim_sweep_gate_" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    spec_ = LoadSweep(kData + "determinism.yaml");
    spec_.gates.push_back({"resp.rate_bias_bpm", 0.2});
    manifest_ = ExpandSweep(spec_);
    baseline_ = (dir_ / "baseline.json").string();
    const auto base = Records(manifest_, [](std::size_t i) { return 0.90 + 0.01 * static_cast<double>(i); },
                              [](std::size_t i) { return i % 2 ? 0.5 : -0.5; });
    WriteFileAtomically(baseline_, AggregateSweep(spec_, manifest_, base).json);
  }
  void TearDown() override { fs::remove_all(dir_); }

  const GateResult& Result(const GateReport& r, const std::string& metric) {
    for (const auto& g : r.results) {
      if (g.gate.metric == metric) return g;
    }
    ADD_FAILURE() << "no gate " << metric;
    return r.results.front();
  }

  fs::path dir_;
  SweepSpec spec_;
  SweepManifest manifest_;
  std::string baseline_;
};

// Tests that an unchanged run passes every gate with zero worsening.
TEST_F(SweepGate, stays_quiet_on_an_unchanged_run) {
  const auto same = Records(manifest_, [](std::size_t i) { return 0.90 + 0.01 * static_cast<double>(i); },
                            [](std::size_t i) { return i % 2 ? 0.5 : -0.5; });
  const GateReport r = EvaluateGates(spec_, manifest_, same, baseline_);
  EXPECT_FALSE(r.Failed());
  ASSERT_EQ(r.results.size(), 3u);
  EXPECT_EQ(Result(r, "presence.f1").pairs, 4);
  EXPECT_DOUBLE_EQ(Result(r, "presence.f1").worse.estimate, 0);
  EXPECT_EQ(r.unpaired_nights, 0);
}

// Tests that a consistent worsening beyond the tolerance fails, and that the
// verdict reaches JUnit XML and Markdown.
TEST_F(SweepGate, fires_on_a_significant_worsening_beyond_tolerance) {
  const auto worse = Records(manifest_, [](std::size_t i) { return 0.85 + 0.01 * static_cast<double>(i); },
                             [](std::size_t i) { return i % 2 ? 0.5 : -0.5; });
  const GateReport r = EvaluateGates(spec_, manifest_, worse, baseline_);
  EXPECT_TRUE(r.Failed());
  const GateResult& f1 = Result(r, "presence.f1");
  EXPECT_TRUE(f1.failed);
  EXPECT_NEAR(f1.worse.estimate, 0.05, 1e-9);
  EXPECT_GT(f1.worse.lower, 0);
  EXPECT_FALSE(Result(r, "identity.primary_fraction").failed);
  const std::string xml = GateJUnitXml(spec_, r);
  EXPECT_NE(xml.find("<testsuite name=\"sweep.determinism\" tests=\"3\" failures=\"1\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("name=\"presence.f1\"><failure message=\"presence.f1: baseline"), std::string::npos) << xml;
  const std::string md = GateMarkdown(spec_, r);
  EXPECT_NE(md.find("regression"), std::string::npos);
  EXPECT_NE(md.find("| `presence.f1` | higher | 0.02 | 4 |"), std::string::npos) << md;
  EXPECT_NE(md.find("| FAIL |"), std::string::npos) << md;
}

// Tests that a worsening within the tolerance passes even though it is consistent.
TEST_F(SweepGate, stays_quiet_within_tolerance) {
  const auto slightly = Records(manifest_, [](std::size_t i) { return 0.89 + 0.01 * static_cast<double>(i); },
                                [](std::size_t i) { return i % 2 ? 0.5 : -0.5; });
  const GateReport r = EvaluateGates(spec_, manifest_, slightly, baseline_);
  EXPECT_NEAR(Result(r, "presence.f1").worse.estimate, 0.01, 1e-9);
  EXPECT_FALSE(r.Failed());
}

// Tests that a mean worsening beyond tolerance whose CI includes zero (noise
// pulling both ways) does not fail.
TEST_F(SweepGate, stays_quiet_when_the_ci_includes_zero) {
  const double swing[] = {-0.30, 0.45, -0.30, 0.45};  // per-night worsening: mean 0.075, two nights better
  const auto noisy = Records(manifest_,
                             [&](std::size_t i) { return 0.90 + 0.01 * static_cast<double>(i) - swing[i]; },
                             [](std::size_t i) { return i % 2 ? 0.5 : -0.5; });
  // The report is kept: Result() refers into it (a temporary here was used after free, ASan).
  const GateReport report = EvaluateGates(spec_, manifest_, noisy, baseline_);
  const GateResult& f1 = Result(report, "presence.f1");
  EXPECT_GT(f1.worse.estimate, 0.02);
  EXPECT_LT(f1.worse.lower, 0);
  EXPECT_FALSE(f1.failed);
}

// Tests the direction of a signed error: moving away from zero is worse, whichever sign.
TEST_F(SweepGate, toward_zero_metrics_worsen_by_absolute_value) {
  const auto away = Records(manifest_, [](std::size_t i) { return 0.90 + 0.01 * static_cast<double>(i); },
                            [](std::size_t i) { return i % 2 ? 1.0 : -1.0; });
  const GateReport report = EvaluateGates(spec_, manifest_, away, baseline_);
  const GateResult& bias = Result(report, "resp.rate_bias_bpm");
  EXPECT_NEAR(bias.worse.estimate, 0.5, 1e-9);
  EXPECT_TRUE(bias.failed);
  const auto closer = Records(manifest_, [](std::size_t i) { return 0.90 + 0.01 * static_cast<double>(i); },
                              [](std::size_t i) { return i % 2 ? 0.1 : -0.1; });
  EXPECT_FALSE(Result(EvaluateGates(spec_, manifest_, closer, baseline_), "resp.rate_bias_bpm").failed);
}

// Tests that the aggregate is a pure function of the records (bootstrap streams
// keyed by content) and holds the per-scenario and per-value groups.
TEST_F(SweepGate, aggregate_is_deterministic_and_grouped) {
  const auto rec = Records(manifest_, [](std::size_t i) { return 0.90 + 0.01 * static_cast<double>(i); },
                           [](std::size_t) { return 0.0; });
  const SweepAggregate a = AggregateSweep(spec_, manifest_, rec);
  EXPECT_EQ(a.json, AggregateSweep(spec_, manifest_, rec).json);
  EXPECT_NE(a.json.find("\"parameter\": \"reading\", \"value\": \"15\", \"nights\": 2"), std::string::npos) << a.json;
  // reading = 15 holds nights 2 and 3: f1 0.92 and 0.93.
  const auto section = a.table.find("reading = 15 (2 nights)\n    presence.f1 ");
  ASSERT_NE(section, std::string::npos) << a.table;
  const auto line_start = a.table.find('\n', section) + 1;
  const std::string line = a.table.substr(line_start, a.table.find('\n', line_start) - line_start);
  EXPECT_NE(line.find(" 0.925  [0.92, 0.93]  n=2"), std::string::npos) << line;
  EXPECT_THROW(AggregateSweep(spec_, manifest_, {}), std::invalid_argument);
}

}  // namespace
}  // namespace nightsim::harness
