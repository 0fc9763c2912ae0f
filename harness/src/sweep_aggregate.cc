// The sweep aggregate: JSON and a table, both deterministic (fixed key order,
// FormatNumber, bootstrap streams keyed by the group and metric they summarize).

#include <fmt/core.h>

#include <stdexcept>

#include "core/rng.h"
#include "harness/night_output.h"
#include "harness/sweep_report.h"
#include "sweep_detail.h"

namespace nightsim::harness {
namespace {

using detail::JsonString;

// Values of each metric across a group of nights, in manifest order.
using Samples = std::map<std::string, std::vector<double>, std::less<>>;

void AddNight(const MetricSet& metrics, Samples* samples) {
  metrics.ForEach([&](const std::string& name, double value, Better) { (*samples)[name].push_back(value); });
}

std::string StatsJson(const Samples& samples, const std::string& key, int indent) {
  const std::string pad(static_cast<std::size_t>(indent) + 2, ' ');
  std::string out = "{";
  bool first = true;
  for (const auto& [name, values] : samples) {
    const ConfidenceInterval ci = SweepMeanCi(values, key + "|" + name);
    out += fmt::format("{}\n{}{}: {{\"n\": {}, \"mean\": {}, \"lower\": {}, \"upper\": {}}}", first ? "" : ",", pad,
                       JsonString(name), values.size(), FormatNumber(ci.estimate), FormatNumber(ci.lower),
                       FormatNumber(ci.upper));
    first = false;
  }
  return out + "\n" + std::string(static_cast<std::size_t>(indent), ' ') + "}";
}

std::string TableRows(const Samples& samples, const std::string& key, const std::vector<std::string>& metrics) {
  std::string out;
  for (const auto& m : metrics) {
    const auto it = samples.find(m);
    if (it == samples.end()) {
      out += fmt::format("    {:<34} {:>10}\n", m, "n/a");
      continue;
    }
    const ConfidenceInterval ci = SweepMeanCi(it->second, key + "|" + m);
    out += fmt::format("    {:<34} {:>10}  [{}, {}]  n={}\n", m, FormatNumber(ci.estimate), FormatNumber(ci.lower),
                       FormatNumber(ci.upper), it->second.size());
  }
  return out;
}

}  // namespace

ConfidenceInterval SweepMeanCi(std::span<const double> values, std::string_view key) {
  RandomStream rng(0, StableId(key), StableId("sweep.bootstrap"));
  return BootstrapCi(values, Mean, kSweepBootstrapResamples, kSweepCiLevel, rng);
}

SweepAggregate AggregateSweep(const SweepSpec& spec, const SweepManifest& manifest,
                              const std::map<std::string, NightRecord>& records) {
  auto record = [&](const SweepNight& n) -> const MetricSet& {
    const auto it = records.find(n.hash);
    if (it == records.end()) throw std::invalid_argument("AggregateSweep: no record for night " + n.hash);
    return it->second.metrics;
  };

  SweepAggregate out;
  std::string& j = out.json;
  std::string& t = out.table;
  j += "{\n\"sweep\": " + JsonString(spec.name) + ",\n";
  j += "\"nightsim_version\": " + JsonString(NightsimVersion()) + ",\n";
  j += "\"bootstrap\": {\"resamples\": " + std::to_string(kSweepBootstrapResamples) + ", \"level\": " +
       FormatNumber(kSweepCiLevel) + "},\n";
  j += "\"pipeline\": {";
  for (auto it = spec.pipeline.knobs.begin(); it != spec.pipeline.knobs.end(); ++it)
    j += (it == spec.pipeline.knobs.begin() ? "" : ", ") + JsonString(it->first) + ": " + JsonString(it->second);
  j += "},\n";

  // Every night with every metric: what a later run pairs with (--baseline).
  Samples directions_seen;
  std::map<std::string, Better> better;
  j += "\"nights\": [";
  for (const SweepNight& n : manifest.nights) {
    const MetricSet& m = record(n);
    m.ForEach([&](const std::string& name, double, Better b) { better[name] = b; });
    j += fmt::format("{}\n  {{\"scenario\": {}, \"point\": {}, \"factor\": {}, \"arm\": {}, \"seed\": {}, \"hash\": {},\n"
                     "   \"metrics\": {{",
                     n.index == 0 ? "" : ",", JsonString(spec.scenarios[n.scenario].path), JsonString(n.PointText()),
                     JsonString(n.factor), JsonString(n.arm), n.seed, JsonString(n.hash));
    bool first = true;
    m.ForEach([&](const std::string& name, double value, Better) {
      j += (first ? "" : ", ") + JsonString(name) + ": " + FormatNumber(value);
      first = false;
    });
    j += "}}";
  }
  j += "\n],\n\"better\": {";
  for (auto it = better.begin(); it != better.end(); ++it)
    j += fmt::format("{}\n  {}: \"{}\"", it == better.begin() ? "" : ",", JsonString(it->first), BetterName(it->second));
  j += "\n},\n";

  t += fmt::format("sweep {} — {} nights ({} distinct), {} scenario{}, {} seed{}, nightsim {}\n", spec.name,
                   manifest.nights.size(), records.size(), spec.scenarios.size(), spec.scenarios.size() == 1 ? "" : "s",
                   spec.seeds.size(), spec.seeds.size() == 1 ? "" : "s", NightsimVersion());
  if (!spec.pipeline.knobs.empty()) t += "pipeline: " + spec.pipeline.KnobsText() + "\n";
  t += fmt::format("mean [95 % bootstrap CI] n=nights\n");

  // Groups of plain nights: per scenario, then per value of each swept parameter.
  j += "\"groups\": [";
  bool first_group = true;
  auto group = [&](std::size_t si, const std::string& parameter, const std::string& value) {
    Samples samples;
    int nights = 0;
    for (const SweepNight& n : manifest.nights) {
      if (n.scenario != si || !n.factor.empty()) continue;
      if (!parameter.empty() && n.point.at(parameter) != value) continue;
      AddNight(record(n), &samples);
      ++nights;
    }
    const std::string& path = spec.scenarios[si].path;
    const std::string key = "group|" + path + "|" + parameter + "|" + value;
    j += fmt::format("{}\n  {{\"scenario\": {}, \"parameter\": {}, \"value\": {}, \"nights\": {},\n   \"metrics\": {}}}",
                     first_group ? "" : ",", JsonString(path), JsonString(parameter), JsonString(value), nights,
                     StatsJson(samples, key, 3));
    first_group = false;
    t += parameter.empty() ? fmt::format("\nscenario {} ({} nights)\n", path, nights)
                           : fmt::format("  {} = {} ({} nights)\n", parameter, value, nights);
    t += TableRows(samples, key, spec.report_metrics);
  };
  for (std::size_t si = 0; si < spec.scenarios.size(); ++si) {
    group(si, "", "");
    for (const auto& [parameter, values] : spec.scenarios[si].values) {
      if (values.size() < 2) continue;
      for (const auto& v : values) group(si, parameter, v);
    }
  }
  j += "\n],\n";

  // Paired effects: changed − reference for the same (scenario, point, seed).
  j += "\"effects\": [";
  bool first_effect = true;
  for (std::size_t si = 0; si < spec.scenarios.size(); ++si) {
    for (const SweepFactor& f : spec.factors) {
      std::map<std::string, const MetricSet*> reference;
      for (const SweepNight& n : manifest.nights) {
        if (n.scenario == si && n.factor == f.name && n.arm == f.arms[0].name)
          reference[n.PointText() + "|" + std::to_string(n.seed)] = &record(n);
      }
      Samples diffs;
      int pairs = 0;
      for (const SweepNight& n : manifest.nights) {
        if (n.scenario != si || n.factor != f.name || n.arm != f.arms[1].name) continue;
        // The arm's own value replaces the reference's in the point text; pair by
        // the swept point, which both arms share.
        SweepNight base = n;
        for (const auto& [k, v] : f.arms[0].values) base.point[k] = v;
        const auto it = reference.find(base.PointText() + "|" + std::to_string(n.seed));
        if (it == reference.end()) continue;
        ++pairs;
        record(n).ForEach([&](const std::string& name, double value, Better) {
          if (const auto r = it->second->Get(name)) diffs[name].push_back(value - *r);
        });
      }
      const std::string& path = spec.scenarios[si].path;
      const std::string key = "effect|" + path + "|" + f.name;
      j += fmt::format("{}\n  {{\"scenario\": {}, \"factor\": {}, \"reference\": {}, \"changed\": {}, \"pairs\": {},\n"
                       "   \"metrics\": {}}}",
                       first_effect ? "" : ",", JsonString(path), JsonString(f.name), JsonString(f.arms[0].name),
                       JsonString(f.arms[1].name), pairs, StatsJson(diffs, key, 3));
      first_effect = false;
      t += fmt::format("\neffect of {} ({} − {}) in {} ({} pairs): mean paired difference\n", f.name, f.arms[1].name,
                       f.arms[0].name, path, pairs);
      t += TableRows(diffs, key, spec.report_metrics);
    }
  }
  j += "\n]\n}\n";
  return out;
}

}  // namespace nightsim::harness
