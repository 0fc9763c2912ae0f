// Expanding a sweep into its manifest, content hashes, and shard slices.

#include <fmt/core.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstdlib>

#include "harness/night_output.h"
#include "harness/sweep.h"
#include "scenario_detail.h"

namespace nightsim::harness {
namespace {

// The cartesian product of the swept values, in parameter name order, the last
// parameter varying fastest.
std::vector<ParameterOverrides> Points(const std::map<std::string, std::vector<std::string>>& values) {
  std::vector<ParameterOverrides> points(1);
  for (const auto& [name, vals] : values) {
    std::vector<ParameterOverrides> next;
    for (const auto& p : points) {
      for (const auto& v : vals) {
        ParameterOverrides q = p;
        q[name] = v;
        next.push_back(std::move(q));
      }
    }
    points = std::move(next);
  }
  return points;
}

std::optional<long long> EnvInteger(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return std::nullopt;
  const auto n = detail::ParseInteger(v);
  if (!n) throw InputError(InputProblem{"", 0, 0, name, fmt::format("expected an integer, got '{}'", v)});
  return n;
}

ShardSpec CheckedShard(long long index, long long count, const std::string& what) {
  if (count < 1 || count > 1000000 || index < 0 || index >= count) {
    throw InputError(InputProblem{"", 0, 0, "--shard", fmt::format("{}: need 0 <= index < count, got {}/{}", what,
                                                                    index, count)});
  }
  return ShardSpec{static_cast<int>(index), static_cast<int>(count)};
}

}  // namespace

std::string SweepNight::PointText() const {
  std::string text;
  for (const auto& [name, value] : point) {
    if (!text.empty()) text += ',';
    text += name + "=" + value;
  }
  return text;
}

std::string NightHash(const std::string& resolved_yaml, const std::string& point_text, std::uint64_t seed,
                      const std::string& knobs_text, const std::string& version) {
  // ContentHash (FNV-1a 64, as night files and `generate` use) over the fields, each
  // followed by 0xff, a byte that never occurs in UTF-8 text, so no two inputs collide
  // by concatenation: 64 bits make a collision in a sweep of a million nights ~3e-8
  // likely. Same values as before the hash was shared, so existing outputs resume.
  std::string text;
  for (const std::string& field : {resolved_yaml, point_text, std::to_string(seed), knobs_text, version}) {
    text += field;
    text += '\xff';
  }
  return ContentHash(text);
}

SweepManifest ExpandSweep(const SweepSpec& spec) {
  SweepManifest m;
  std::vector<InputProblem> problems;
  for (std::size_t si = 0; si < spec.scenarios.size(); ++si) {
    const SweepScenario& sc = spec.scenarios[si];
    for (const ParameterOverrides& point : Points(sc.values)) {
      // Plain night first, then each factor's two arms: same point, same seeds.
      struct Variant {
        std::string factor, arm;
        ParameterOverrides point;
      };
      std::vector<Variant> variants{{"", "", point}};
      for (const auto& f : spec.factors) {
        for (const auto& arm : f.arms) {
          ParameterOverrides p = point;
          for (const auto& [k, v] : arm.values) p[k] = v;
          variants.push_back({f.name, arm.name, std::move(p)});
        }
      }
      for (const Variant& v : variants) {
        Scenario scenario;
        try {
          scenario = LoadScenario(sc.resolved_path, v.point);
        } catch (const InputError& e) {
          SweepNight probe;
          probe.point = v.point;
          for (const auto& p : e.problems()) {
            problems.push_back(InputProblem{spec.path, sc.line, sc.column, fmt::format("scenarios[{}]", si),
                                            fmt::format("'{}' at {}{}: {}", sc.path, probe.PointText(),
                                                        v.factor.empty() ? "" : " (factor " + v.factor + ", arm " + v.arm + ")",
                                                        p.Format())});
          }
          continue;
        }
        for (std::uint64_t seed : spec.seeds) {
          SweepNight n;
          n.index = m.nights.size();
          n.scenario = si;
          n.point = v.point;
          n.factor = v.factor;
          n.arm = v.arm;
          n.seed = seed;
          // The point hashed is every declared parameter's value in force, read from
          // the resolved scenario: a factor arm equal to a plain night is one night.
          std::string in_force;
          for (const auto& p : scenario.parameters) in_force += p.name + "=" + p.value_text + ",";
          n.hash = NightHash(scenario.resolved_yaml, in_force, seed, spec.pipeline.KnobsText(), NightsimVersion());
          m.nights.push_back(std::move(n));
          m.scenarios.push_back(scenario);
        }
      }
    }
  }
  if (!problems.empty()) throw InputError(std::move(problems));
  return m;
}

SweepSpec SelectFromSweep(const SweepSpec& spec, const std::vector<std::uint64_t>& seeds,
                          const std::vector<std::string>& scenarios) {
  std::vector<InputProblem> problems;
  for (const std::uint64_t s : seeds) {
    if (std::find(spec.seeds.begin(), spec.seeds.end(), s) == spec.seeds.end()) {
      problems.push_back({spec.path, 0, 0, "--seed",
                          fmt::format("{} is not one of the sweep's seeds [{}]", s, fmt::join(spec.seeds, ", "))});
    }
  }
  auto matches = [](const SweepScenario& sc, const std::string& key) { return sc.path == key || sc.name == key; };
  for (const std::string& key : scenarios) {
    if (std::none_of(spec.scenarios.begin(), spec.scenarios.end(), [&](const auto& sc) { return matches(sc, key); })) {
      std::vector<std::string> known;
      for (const SweepScenario& sc : spec.scenarios) known.push_back(sc.name);
      problems.push_back({spec.path, 0, 0, "--scenario",
                          fmt::format("'{}' is neither a scenario path of the sweep nor a scenario name ({})", key,
                                      fmt::join(known, ", "))});
    }
  }
  if (!problems.empty()) throw InputError(std::move(problems));
  SweepSpec part = spec;
  if (!seeds.empty()) {
    std::erase_if(part.seeds, [&](std::uint64_t s) { return std::find(seeds.begin(), seeds.end(), s) == seeds.end(); });
  }
  if (!scenarios.empty()) {
    std::erase_if(part.scenarios, [&](const SweepScenario& sc) {
      return std::none_of(scenarios.begin(), scenarios.end(), [&](const std::string& key) { return matches(sc, key); });
    });
  }
  return part;
}

ShardSpec ParseShard(const std::string& text) {
  const auto slash = text.find('/');
  if (slash == std::string::npos) {
    const auto count = detail::ParseInteger(text);
    if (!count) throw InputError(InputProblem{"", 0, 0, "--shard", fmt::format("expected I/N or N, got '{}'", text)});
    std::optional<long long> index;
    if (const auto id = EnvInteger("SLURM_ARRAY_TASK_ID")) {
      index = *id - EnvInteger("SLURM_ARRAY_TASK_MIN").value_or(0);
    } else {
      index = EnvInteger("JOB_COMPLETION_INDEX");
    }
    if (!index) {
      throw InputError(InputProblem{"", 0, 0, "--shard",
                                    "--shard N takes the index from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX; "
                                    "neither is set (give I/N)"});
    }
    return CheckedShard(*index, *count, "from the environment");
  }
  const auto index = detail::ParseInteger(text.substr(0, slash));
  const auto count = detail::ParseInteger(text.substr(slash + 1));
  if (!index || !count) throw InputError(InputProblem{"", 0, 0, "--shard", fmt::format("expected I/N, got '{}'", text)});
  return CheckedShard(*index, *count, text);
}

std::optional<ShardSpec> ShardFromEnvironment() {
  const auto id = EnvInteger("SLURM_ARRAY_TASK_ID");
  if (!id) return std::nullopt;
  const auto count = EnvInteger("SLURM_ARRAY_TASK_COUNT");
  if (!count) {
    throw InputError(InputProblem{"", 0, 0, "SLURM_ARRAY_TASK_ID", "set without SLURM_ARRAY_TASK_COUNT"});
  }
  return CheckedShard(*id - EnvInteger("SLURM_ARRAY_TASK_MIN").value_or(0), *count, "Slurm array");
}

}  // namespace nightsim::harness
