// Regression gates: the sweep's plain nights against a stored aggregate, paired by
// (scenario, point, seed), and their JUnit XML / Markdown renderings.

#include <fmt/core.h>

#include <cmath>

#include "harness/sweep_report.h"
#include "scenario_detail.h"
#include "sweep_detail.h"

namespace nightsim::harness {
namespace {

std::string PairKey(const std::string& scenario, const std::string& point, std::uint64_t seed) {
  return scenario + "|" + point + "|" + std::to_string(seed);
}

double Worsening(Better better, double current, double baseline) {
  switch (better) {
    case Better::kHigher: return baseline - current;
    case Better::kLower: return current - baseline;
    case Better::kTowardZero: return std::abs(current) - std::abs(baseline);
    case Better::kNone: break;
  }
  return 0;
}

std::string Xml(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string Verdict(const GateResult& r) {
  if (!r.note.empty()) return "skipped";
  return r.failed ? "FAIL" : "ok";
}

std::string Describe(const GateResult& r) {
  if (!r.note.empty()) return r.note;
  return fmt::format("{}: baseline {} → {} over {} paired nights; worse by {} [{}, {}] (tolerance {})", r.gate.metric,
                     FormatNumber(r.baseline_mean), FormatNumber(r.current_mean), r.pairs,
                     FormatNumber(r.worse.estimate), FormatNumber(r.worse.lower), FormatNumber(r.worse.upper),
                     FormatNumber(r.gate.tolerance));
}

}  // namespace

bool GateReport::Failed() const {
  for (const auto& r : results) {
    if (r.failed) return true;
  }
  return false;
}

GateReport EvaluateGates(const SweepSpec& spec, const SweepManifest& manifest,
                         const std::map<std::string, NightRecord>& records, const std::string& baseline_path) {
  const YAML::Node doc = detail::ReadJsonFile(baseline_path);
  if (!doc.IsMap() || !doc["nights"].IsSequence()) {
    throw InputError(InputProblem{baseline_path, 0, 0, "--baseline",
                                  "cannot read a sweep aggregate (aggregate.json with a \"nights\" list)"});
  }
  // Baseline plain nights by pairing key.
  std::map<std::string, std::map<std::string, double>> baseline;
  for (const auto& n : doc["nights"]) {
    if (!n.IsMap() || n["factor"].as<std::string>("") != "") continue;
    const auto seed = detail::ParseInteger(n["seed"].as<std::string>(""));
    if (!seed || !n["metrics"].IsMap()) {
      throw InputError(InputProblem{baseline_path, n.Mark().line + 1, n.Mark().column + 1, "nights",
                                    "a night without seed or metrics"});
    }
    auto& metrics = baseline[PairKey(n["scenario"].as<std::string>(""), n["point"].as<std::string>(""),
                                     static_cast<std::uint64_t>(*seed))];
    for (const auto& kv : n["metrics"]) {
      if (const auto v = detail::ParseNumber(kv.second.as<std::string>(""))) metrics[kv.first.as<std::string>("")] = *v;
    }
  }

  GateReport report;
  report.baseline_path = baseline_path;
  std::vector<const SweepNight*> plain;
  for (const SweepNight& n : manifest.nights) {
    if (!n.factor.empty()) continue;
    plain.push_back(&n);
    if (!baseline.count(PairKey(spec.scenarios[n.scenario].path, n.PointText(), n.seed))) ++report.unpaired_nights;
  }
  for (const SweepGate& g : spec.gates) {
    GateResult r;
    r.gate = g;
    r.better = KnownMetrics().at(g.metric);
    std::vector<double> worse, base_values, cur_values;
    for (const SweepNight* n : plain) {
      const auto b = baseline.find(PairKey(spec.scenarios[n->scenario].path, n->PointText(), n->seed));
      if (b == baseline.end()) continue;
      const auto bv = b->second.find(g.metric);
      const auto cv = records.at(n->hash).metrics.Get(g.metric);
      // A metric not applicable to a night on either side has nothing to compare.
      if (bv == b->second.end() || !cv) continue;
      base_values.push_back(bv->second);
      cur_values.push_back(*cv);
      worse.push_back(Worsening(r.better, *cv, bv->second));
    }
    r.pairs = static_cast<int>(worse.size());
    if (worse.empty()) {
      r.note = fmt::format("{}: no night has it in both this run and the baseline", g.metric);
    } else {
      r.baseline_mean = Mean(base_values);
      r.current_mean = Mean(cur_values);
      r.worse = SweepMeanCi(worse, "gate|" + g.metric);
      r.failed = r.worse.estimate > g.tolerance && r.worse.lower > 0;
    }
    report.results.push_back(std::move(r));
  }
  return report;
}

std::string GateJUnitXml(const SweepSpec& spec, const GateReport& report) {
  int failures = 0, skipped = 0;
  for (const auto& r : report.results) {
    failures += r.failed;
    skipped += !r.note.empty();
  }
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format("<testsuites name=\"nightsim sweep\" tests=\"{}\" failures=\"{}\" skipped=\"{}\">\n",
                     report.results.size(), failures, skipped);
  out += fmt::format("  <testsuite name=\"sweep.{}\" tests=\"{}\" failures=\"{}\" skipped=\"{}\">\n", Xml(spec.name),
                     report.results.size(), failures, skipped);
  for (const auto& r : report.results) {
    out += fmt::format("    <testcase classname=\"sweep.{}\" name=\"{}\">", Xml(spec.name), Xml(r.gate.metric));
    if (!r.note.empty()) {
      out += fmt::format("<skipped message=\"{}\"/>", Xml(r.note));
    } else if (r.failed) {
      out += fmt::format("<failure message=\"{}\"/>", Xml(Describe(r)));
    } else {
      out += fmt::format("<system-out>{}</system-out>", Xml(Describe(r)));
    }
    out += "</testcase>\n";
  }
  out += "  </testsuite>\n</testsuites>\n";
  return out;
}

std::string GateMarkdown(const SweepSpec& spec, const GateReport& report) {
  std::string out = fmt::format("## nightsim sweep `{}`: {}\n\n", spec.name,
                                report.Failed() ? "❌ regression" : "✅ no significant regression");
  out += fmt::format(
      "Paired with baseline `{}` by (scenario, point, seed). A gate fails when the mean paired worsening exceeds "
      "its tolerance and its 95 % bootstrap CI excludes zero.\n\n",
      report.baseline_path);
  out += "| metric | better | tolerance | pairs | baseline | current | worse by (95 % CI) | verdict |\n";
  out += "|---|---|---:|---:|---:|---:|---|---|\n";
  for (const auto& r : report.results) {
    if (!r.note.empty()) {
      out += fmt::format("| `{}` | {} | {} | 0 | | | | skipped: {} |\n", r.gate.metric, BetterName(r.better),
                         FormatNumber(r.gate.tolerance), r.note);
      continue;
    }
    out += fmt::format("| `{}` | {} | {} | {} | {} | {} | {} [{}, {}] | {} |\n", r.gate.metric, BetterName(r.better),
                       FormatNumber(r.gate.tolerance), r.pairs, FormatNumber(r.baseline_mean),
                       FormatNumber(r.current_mean), FormatNumber(r.worse.estimate), FormatNumber(r.worse.lower),
                       FormatNumber(r.worse.upper), Verdict(r));
  }
  if (report.unpaired_nights > 0) {
    out += fmt::format("\n{} night(s) of this run have no baseline night with the same key (new scenarios, points "
                       "or seeds) and are not compared.\n", report.unpaired_nights);
  }
  return out;
}

}  // namespace nightsim::harness
