// Sweep files → SweepSpec. Every problem is collected with the file/line/column
// of the sweep file (the scenario loader's provenance tree) and thrown at once.

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <set>

#include "core/rng.h"
#include "harness/sweep.h"
#include "scenario_detail.h"

namespace nightsim::harness {
namespace {

namespace fs = std::filesystem;
using detail::Problems;
using detail::Src;
using detail::Tree;

const std::vector<std::string> kTopKeys = {"name",    "description", "scenarios", "seeds",   "parameters",
                                           "factors", "gates",       "metrics",   "pipeline", "sample_seed"};
const std::vector<std::string> kDistributions = {"uniform", "normal", "lognormal", "choice"};

// Random draws may produce values no one would type (23.4123456789…): six
// significant digits keep them readable in tables and keys.
std::string FormatDraw(double v, const ParameterSpec& spec) {
  if (spec.type == "int") return fmt::format("{}", static_cast<long long>(std::llround(v)));
  return fmt::format("{:.6g}", v);
}

void CheckKeys(const Tree& map, const std::string& path, const std::vector<std::string>& allowed,
               Problems& problems) {
  for (const auto& e : map.map) {
    if (std::find(allowed.begin(), allowed.end(), e.key) == allowed.end()) {
      problems.Add(e.key_src, path.empty() ? e.key : path + "." + e.key,
                   fmt::format("unknown key '{}'{}", e.key, detail::DidYouMean(e.key, allowed)));
    }
  }
}

std::optional<double> Number(const Tree* t, const std::string& key, Problems& problems) {
  if (t == nullptr || t->kind != Tree::Kind::kScalar) {
    problems.Add(t ? t->src : Src{}, key, "expected a number");
    return std::nullopt;
  }
  const auto v = detail::ParseNumber(t->text);
  if (!v) problems.Add(t->src, key, fmt::format("expected a number, got '{}'", t->text));
  return v;
}

// Where a parameter of a scenario is declared, its spec.
using SpecTable = std::map<std::string, ParameterSpec>;

// Checks `value` for parameter `name` of `scenario_path` by loading the scenario with
// it; the scenario loader's messages are reported at `at` in the sweep file.
bool CheckValue(const std::string& scenario_path, const std::string& name, const std::string& value,
                const Src& at, const std::string& key, Problems& problems) {
  try {
    LoadScenario(scenario_path, {{name, value}});
    return true;
  } catch (const InputError& e) {
    for (const auto& p : e.problems()) {
      problems.Add(at, key, fmt::format("{} = {}: {}", name, value, p.message));
    }
    return false;
  }
}

// The values one parameter takes: a scalar, a list (a set), a range
// {from, to, step[_min]}, or a distribution {uniform|normal|lognormal|choice, samples}.
std::vector<std::string> ReadValues(const Tree& t, const std::string& key, const ParameterSpec& spec,
                                    std::uint64_t sample_seed, Problems& problems) {
  std::vector<std::string> out;
  if (t.kind == Tree::Kind::kScalar) return {t.text};
  if (t.kind == Tree::Kind::kSeq) {
    if (t.seq.empty()) problems.Add(t.src, key, "expected at least one value");
    for (std::size_t i = 0; i < t.seq.size(); ++i) {
      if (t.seq[i].kind != Tree::Kind::kScalar) {
        problems.Add(t.seq[i].src, fmt::format("{}[{}]", key, i), "expected a value");
      } else {
        out.push_back(t.seq[i].text);
      }
    }
    return out;
  }
  if (t.kind != Tree::Kind::kMap) {
    problems.Add(t.src, key, "expected a value, a list of values, a range or a distribution");
    return out;
  }
  const bool numeric = spec.type == "float" || spec.type == "int";
  if (t.Find("from") || t.Find("to")) {
    CheckKeys(t, key, {"from", "to", "step", "step_min"}, problems);
    const Tree* from = t.Find("from");
    const Tree* to = t.Find("to");
    if (!from || !to) {
      problems.Add(t.src, key, "a range needs 'from' and 'to'");
      return out;
    }
    if (spec.type == "clock") {
      const Tree* step = t.Find("step_min");
      const auto a = from->kind == Tree::Kind::kScalar ? ParseClockTime(from->text) : std::nullopt;
      const auto b = to->kind == Tree::Kind::kScalar ? ParseClockTime(to->text) : std::nullopt;
      if (!a) problems.Add(from->src, key + ".from", "expected a clock time \"HH:MM\"");
      if (!b) problems.Add(to->src, key + ".to", "expected a clock time \"HH:MM\"");
      if (!step) problems.Add(t.src, key, "a clock range needs 'step_min' (minutes)");
      const auto s = step ? Number(step, key + ".step_min", problems) : std::nullopt;
      if (!a || !b || !s) return out;
      if (!(*s > 0)) {
        problems.Add(step->src, key + ".step_min", "expected a step > 0");
        return out;
      }
      // Clocks cross midnight: an end earlier than the start is on the next day.
      const double from_s = a.value_or(0), step_s = s.value_or(1) * 60.0;
      double span_s = b.value_or(0) - from_s;
      if (span_s < 0) span_s += 86400.0;
      for (double off_s = 0; off_s <= span_s + 1e-6; off_s += step_s) out.push_back(FormatClockTime(from_s + off_s));
      return out;
    }
    if (!numeric) {
      problems.Add(t.src, key, fmt::format("a range needs a float, int or clock parameter; '{}' is {}", spec.name,
                                           spec.type));
      return out;
    }
    const Tree* step = t.Find("step");
    if (!step) {
      problems.Add(t.src, key, "a range needs 'step'");
      return out;
    }
    const auto a = Number(from, key + ".from", problems);
    const auto b = Number(to, key + ".to", problems);
    const auto s = Number(step, key + ".step", problems);
    if (!a || !b || !s) return out;
    if (!(*s > 0) || *b < *a) {
      problems.Add(t.src, key, fmt::format("impossible range: from {} to {} by {} (need step > 0, to >= from)",
                                           from->text, to->text, step->text));
      return out;
    }
    const auto n = static_cast<long long>(std::floor((*b - *a) / *s + 1e-9));
    if (n > 10000) {
      problems.Add(t.src, key, fmt::format("range gives {} values; at most 10000", n + 1));
      return out;
    }
    for (long long i = 0; i <= n; ++i) out.push_back(FormatDraw(*a + static_cast<double>(i) * *s, spec));
    return out;
  }

  // A distribution: exactly one of kDistributions plus `samples`.
  CheckKeys(t, key, {"uniform", "normal", "lognormal", "choice", "samples"}, problems);
  std::string kind;
  for (const auto& d : kDistributions) {
    if (t.Find(d)) {
      if (!kind.empty()) problems.Add(t.src, key, fmt::format("both '{}' and '{}': give one distribution", kind, d));
      kind = d;
    }
  }
  if (kind.empty()) {
    problems.Add(t.src, key, "expected a range {from, to, step} or one of uniform, normal, lognormal, choice");
    return out;
  }
  const Tree* samples_t = t.Find("samples");
  if (!samples_t) {
    problems.Add(t.src, key, fmt::format("a {} distribution needs 'samples' (how many values to draw)", kind));
    return out;
  }
  const auto samples = detail::ParseInteger(samples_t->text);
  if (!samples || *samples < 1 || *samples > 10000) {
    problems.Add(samples_t->src, key + ".samples", fmt::format("expected an integer in [1, 10000], got '{}'",
                                                               samples_t->text));
    return out;
  }
  const Tree& d = *t.Find(kind);
  const std::string dkey = key + "." + kind;
  // One stream per parameter name: a parameter swept in several scenarios gets the
  // same draws in each, so their results compare point by point.
  RandomStream rng(sample_seed, StableId(spec.name), StableId("sweep.parameter_draws"));
  if (kind == "choice") {
    std::vector<std::string> options;
    if (d.kind == Tree::Kind::kSeq) {
      for (const auto& e : d.seq) {
        if (e.kind == Tree::Kind::kScalar) options.push_back(e.text);
      }
    }
    if (options.empty() || options.size() != d.seq.size()) {
      problems.Add(d.src, dkey, "expected a non-empty list of values to choose from");
      return out;
    }
    for (long long i = 0; i < *samples; ++i) out.push_back(options[rng.UniformInt(options.size())]);
    return out;
  }
  if (!numeric) {
    problems.Add(d.src, dkey, fmt::format("a {} distribution needs a float or int parameter; '{}' is {}", kind,
                                          spec.name, spec.type));
    return out;
  }
  const std::vector<std::string> args = kind == "uniform" ? std::vector<std::string>{"low", "high"}
                                        : kind == "normal" ? std::vector<std::string>{"mean", "sd"}
                                                           : std::vector<std::string>{"mu", "sigma"};
  if (d.kind != Tree::Kind::kMap) {
    problems.Add(d.src, dkey, fmt::format("expected {{{}: …, {}: …}}", args[0], args[1]));
    return out;
  }
  CheckKeys(d, dkey, args, problems);
  const auto p0 = Number(d.Find(args[0]) ? d.Find(args[0]) : &d, dkey + "." + args[0], problems);
  const auto p1 = Number(d.Find(args[1]) ? d.Find(args[1]) : &d, dkey + "." + args[1], problems);
  if (!p0 || !p1) return out;
  std::string impossible;
  if (kind == "uniform" && !(*p1 > *p0)) impossible = "needs low < high";
  if (kind == "normal" && !(*p1 > 0)) impossible = "needs sd > 0";
  if (kind == "lognormal" && !(*p1 > 0)) impossible = "needs sigma > 0";
  if (kind == "uniform" && impossible.empty() &&
      ((spec.min && *p0 < *spec.min) || (spec.max && *p1 > *spec.max))) {
    impossible = fmt::format("[{}, {}] leaves the parameter's range [{}, {}]", *p0, *p1,
                             spec.min ? FormatNumber(*spec.min) : "-inf", spec.max ? FormatNumber(*spec.max) : "inf");
  }
  if (!impossible.empty()) {
    problems.Add(d.src, dkey, fmt::format("impossible {} distribution: {}", kind, impossible));
    return out;
  }
  for (long long i = 0; i < *samples; ++i) {
    const double v = kind == "uniform" ? rng.Uniform(*p0, *p1)
                     : kind == "normal" ? rng.Normal(*p0, *p1)
                                        : rng.LogNormal(*p0, *p1);
    out.push_back(FormatDraw(v, spec));
  }
  return out;
}

std::string Stem(const std::string& path) { return fs::path(path).stem().string(); }

}  // namespace

SweepSpec LoadSweep(const std::string& path) {
  Problems problems;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(InputProblem{path, 0, 0, "", "cannot read the sweep file"});
  std::ostringstream text;
  text << in.rdbuf();
  const std::optional<Tree> root_opt = detail::ParseYaml(text.str(), path, problems);
  if (!root_opt) throw InputError(std::move(problems.list));
  const Tree& root = *root_opt;
  if (root.kind != Tree::Kind::kMap) {
    problems.Add(root.src, "", "a sweep file is a mapping (name, scenarios, seeds, parameters, …)");
    throw InputError(std::move(problems.list));
  }
  CheckKeys(root, "", kTopKeys, problems);

  SweepSpec spec;
  spec.path = path;
  spec.name = Stem(path);
  if (const Tree* t = root.Find("name"); t && t->kind == Tree::Kind::kScalar) spec.name = t->text;
  if (const Tree* t = root.Find("description"); t && t->kind == Tree::Kind::kScalar) spec.description = t->text;
  if (const Tree* t = root.Find("sample_seed")) {
    const auto v = detail::ParseInteger(t->text);
    if (!v || *v < 0) problems.Add(t->src, "sample_seed", fmt::format("expected an integer >= 0, got '{}'", t->text));
    else spec.sample_seed = static_cast<std::uint64_t>(*v);
  }

  // Seeds: N (1..N), a list, or {first, count}.
  if (const Tree* t = root.Find("seeds")) {
    auto add = [&](const Tree& s, const std::string& key) {
      const auto v = s.kind == Tree::Kind::kScalar ? detail::ParseInteger(s.text) : std::nullopt;
      if (!v || *v < 0) problems.Add(s.src, key, fmt::format("expected a seed (integer >= 0), got '{}'", s.text));
      else if (std::find(spec.seeds.begin(), spec.seeds.end(), *v) != spec.seeds.end())
        problems.Add(s.src, key, fmt::format("seed {} is listed twice", *v));
      else spec.seeds.push_back(static_cast<std::uint64_t>(*v));
    };
    if (t->kind == Tree::Kind::kScalar) {
      const auto n = detail::ParseInteger(t->text);
      if (!n || *n < 1 || *n > 100000) problems.Add(t->src, "seeds", fmt::format("expected a count in [1, 100000], a list or {{first, count}}, got '{}'", t->text));
      else for (long long i = 1; i <= *n; ++i) spec.seeds.push_back(static_cast<std::uint64_t>(i));
    } else if (t->kind == Tree::Kind::kSeq) {
      for (std::size_t i = 0; i < t->seq.size(); ++i) add(t->seq[i], fmt::format("seeds[{}]", i));
      if (t->seq.empty()) problems.Add(t->src, "seeds", "expected at least one seed");
    } else if (t->kind == Tree::Kind::kMap) {
      CheckKeys(*t, "seeds", {"first", "count"}, problems);
      const Tree* first = t->Find("first");
      const Tree* count = t->Find("count");
      long long first_seed = 1, n = 0;
      if (first) first_seed = detail::ParseInteger(first->text).value_or(-1);
      if (count) n = detail::ParseInteger(count->text).value_or(0);
      if (first_seed < 0) problems.Add(first ? first->src : t->src, "seeds.first", "expected an integer >= 0");
      if (n < 1 || n > 100000) problems.Add(count ? count->src : t->src, "seeds.count", "expected a count in [1, 100000]");
      if (first_seed >= 0 && n >= 1 && n <= 100000)
        for (long long i = 0; i < n; ++i) spec.seeds.push_back(static_cast<std::uint64_t>(first_seed + i));
    } else {
      problems.Add(t->src, "seeds", "expected a count, a list of seeds or {first, count}");
    }
  } else {
    problems.Add(root.src, "seeds", "missing required key 'seeds'");
  }

  // Pipeline knobs.
  if (const Tree* t = root.Find("pipeline"); t && !t->IsNull()) {
    if (t->kind != Tree::Kind::kMap) problems.Add(t->src, "pipeline", "expected a mapping knob: value");
    for (const auto& e : t->map) {
      if (e.value.kind != Tree::Kind::kScalar) {
        problems.Add(e.value.src, "pipeline." + e.key, "expected a value");
        continue;
      }
      const std::string error = SetPipelineKnob(&spec.pipeline, e.key, e.value.text);
      if (!error.empty()) problems.Add(e.key.empty() ? e.value.src : e.key_src, "pipeline." + e.key, error);
    }
    if (const std::string error = ValidatePipeline(spec.pipeline); !error.empty())
      problems.Add(t->src, "pipeline", "the pipeline rejects these settings: " + error);
  }

  // Metrics: gates and the table's selection.
  std::vector<std::string> metric_names;
  for (const auto& [name, better] : KnownMetrics()) metric_names.push_back(name);
  auto check_metric = [&](const std::string& name, const Src& at, const std::string& key) {
    if (KnownMetrics().find(name) == KnownMetrics().end()) {
      problems.Add(at, key, fmt::format("unknown metric '{}'{}", name, detail::DidYouMean(name, metric_names)));
      return false;
    }
    return true;
  };
  if (const Tree* t = root.Find("gates"); t && !t->IsNull()) {
    if (t->kind != Tree::Kind::kMap) problems.Add(t->src, "gates", "expected a mapping metric: {tolerance: x}");
    for (const auto& e : t->map) {
      const std::string key = "gates." + e.key;
      if (!check_metric(e.key, e.key_src, key)) continue;
      if (KnownMetrics().find(e.key)->second == Better::kNone) {
        problems.Add(e.key_src, key, "this metric is descriptive (no better direction): it cannot gate");
        continue;
      }
      const Tree* tol = e.value.kind == Tree::Kind::kMap ? e.value.Find("tolerance") : nullptr;
      if (e.value.kind == Tree::Kind::kMap) CheckKeys(e.value, key, {"tolerance"}, problems);
      if (!tol) {
        problems.Add(e.value.src, key, "expected {tolerance: x} (x >= 0, in the metric's unit)");
        continue;
      }
      const auto v = Number(tol, key + ".tolerance", problems);
      if (v && *v < 0) problems.Add(tol->src, key + ".tolerance", "expected a tolerance >= 0");
      else if (v) spec.gates.push_back({e.key, *v});
    }
  }
  if (const Tree* t = root.Find("metrics"); t && !t->IsNull()) {
    if (t->kind != Tree::Kind::kSeq) problems.Add(t->src, "metrics", "expected a list of metric names");
    for (std::size_t i = 0; i < t->seq.size(); ++i) {
      const std::string key = fmt::format("metrics[{}]", i);
      if (check_metric(t->seq[i].text, t->seq[i].src, key)) spec.report_metrics.push_back(t->seq[i].text);
    }
  } else {
    for (const char* m : {"presence.f1", "identity.primary_fraction", "identity.idf1", "resp.rate_mae_bpm",
                          "staging.kappa", "measures.tst_min.abs_error"}) {
      spec.report_metrics.emplace_back(m);
    }
  }
  for (const auto& g : spec.gates) {
    if (std::find(spec.report_metrics.begin(), spec.report_metrics.end(), g.metric) == spec.report_metrics.end())
      spec.report_metrics.push_back(g.metric);
  }

  // Scenarios, then the parameter values and factor arms each must accept.
  const fs::path base = fs::path(path).parent_path();
  const Tree* scenarios = root.Find("scenarios");
  if (!scenarios || scenarios->kind != Tree::Kind::kSeq || scenarios->seq.empty()) {
    problems.Add(scenarios ? scenarios->src : root.src, "scenarios", "expected a non-empty list of scenario files");
    throw InputError(std::move(problems.list));
  }
  const Tree* shared_params = root.Find("parameters");
  if (shared_params && !shared_params->IsNull() && shared_params->kind != Tree::Kind::kMap) {
    problems.Add(shared_params->src, "parameters", "expected a mapping parameter: values");
    shared_params = nullptr;
  }
  const Tree* factors = root.Find("factors");
  if (factors && !factors->IsNull() && factors->kind != Tree::Kind::kMap) {
    problems.Add(factors->src, "factors", "expected a mapping factor: {arm: {parameter: value}, arm: {…}}");
    factors = nullptr;
  }

  std::set<std::string> seen_paths;
  for (std::size_t i = 0; i < scenarios->seq.size(); ++i) {
    const Tree& entry = scenarios->seq[i];
    const std::string key = fmt::format("scenarios[{}]", i);
    SweepScenario sc;
    sc.line = entry.src.line;
    sc.column = entry.src.column;
    const Tree* own_params = nullptr;
    if (entry.kind == Tree::Kind::kScalar) {
      sc.path = entry.text;
    } else if (entry.kind == Tree::Kind::kMap) {
      CheckKeys(entry, key, {"path", "parameters"}, problems);
      const Tree* p = entry.Find("path");
      if (!p || p->kind != Tree::Kind::kScalar) {
        problems.Add(entry.src, key, "expected 'path: scenario.yaml'");
        continue;
      }
      sc.path = p->text;
      own_params = entry.Find("parameters");
      if (own_params && own_params->kind != Tree::Kind::kMap) {
        problems.Add(own_params->src, key + ".parameters", "expected a mapping parameter: values");
        own_params = nullptr;
      }
    } else {
      problems.Add(entry.src, key, "expected a scenario path or {path, parameters}");
      continue;
    }
    if (!seen_paths.insert(sc.path).second) {
      problems.Add(entry.src, key, fmt::format("scenario '{}' is listed twice", sc.path));
      continue;
    }
    sc.resolved_path = (base / sc.path).lexically_normal().string();
    std::error_code ec;
    if (!fs::is_regular_file(sc.resolved_path, ec)) {
      problems.Add(entry.src, key, fmt::format("unknown scenario '{}': no such file {}", sc.path, sc.resolved_path));
      continue;
    }
    SpecTable declared;
    try {
      const Scenario s = LoadScenario(sc.resolved_path);
      PrintScenarioWarnings(s);  // once per scenario of the sweep, not once per night
      sc.name = s.name;
      for (const auto& p : s.parameters) declared[p.name] = p;
    } catch (const InputError& e) {
      for (const auto& p : e.problems()) problems.Add(entry.src, key, "invalid scenario: " + p.Format());
      continue;
    }
    std::vector<std::string> declared_names;
    for (const auto& [n, p] : declared) declared_names.push_back(n);

    auto read_block = [&](const Tree* block, const std::string& block_key) {
      if (!block) return;
      for (const auto& e : block->map) {
        const std::string pkey = block_key + "." + e.key;
        const auto it = declared.find(e.key);
        if (it == declared.end()) {
          problems.Add(e.key_src, pkey,
                       fmt::format("scenario '{}' declares no parameter '{}'{}", sc.path, e.key,
                                   detail::DidYouMean(e.key, declared_names)));
          continue;
        }
        const std::size_t before = problems.list.size();
        std::vector<std::string> values = ReadValues(e.value, pkey, it->second, spec.sample_seed, problems);
        if (problems.list.size() != before) continue;
        bool ok = true;
        std::vector<std::string> distinct;
        for (const auto& v : values) {
          if (std::find(distinct.begin(), distinct.end(), v) != distinct.end()) continue;
          ok &= CheckValue(sc.resolved_path, e.key, v, e.value.src, pkey, problems);
          distinct.push_back(v);
        }
        // Draws may repeat (a choice, an int rounded): the sweep runs each point once.
        if (ok) sc.values[e.key] = distinct;
      }
    };
    read_block(shared_params, "parameters");
    read_block(own_params, key + ".parameters");

    if (factors) {
      for (const auto& f : factors->map) {
        const std::string fkey = "factors." + f.key;
        if (f.value.kind != Tree::Kind::kMap || f.value.map.size() != 2) {
          problems.Add(f.value.src, fkey, "a paired factor has exactly two arms: {reference: {…}, changed: {…}}");
          continue;
        }
        for (const auto& arm : f.value.map) {
          const std::string akey = fkey + "." + arm.key;
          if (arm.value.kind != Tree::Kind::kMap || arm.value.map.empty()) {
            problems.Add(arm.value.src, akey, "expected a mapping parameter: value");
            continue;
          }
          for (const auto& pv : arm.value.map) {
            const std::string pkey = akey + "." + pv.key;
            if (declared.find(pv.key) == declared.end()) {
              problems.Add(pv.key_src, pkey, fmt::format("scenario '{}' declares no parameter '{}'{}", sc.path, pv.key,
                                                         detail::DidYouMean(pv.key, declared_names)));
            } else if (pv.value.kind != Tree::Kind::kScalar) {
              problems.Add(pv.value.src, pkey, "an arm sets one value per parameter");
            } else if (sc.values.count(pv.key)) {
              problems.Add(pv.key_src, pkey, fmt::format("'{}' is both swept and set by this factor", pv.key));
            } else {
              CheckValue(sc.resolved_path, pv.key, pv.value.text, pv.value.src, pkey, problems);
            }
          }
        }
      }
    }
    spec.scenarios.push_back(std::move(sc));
  }

  if (factors) {
    for (const auto& f : factors->map) {
      if (f.value.kind != Tree::Kind::kMap || f.value.map.size() != 2) continue;
      SweepFactor factor;
      factor.name = f.key;
      for (const auto& arm : f.value.map) {
        FactorArm a;
        a.name = arm.key;
        for (const auto& pv : arm.value.map) a.values[pv.key] = pv.value.text;
        factor.arms.push_back(std::move(a));
      }
      spec.factors.push_back(std::move(factor));
    }
  }

  if (problems.Any()) throw InputError(std::move(problems.list));
  return spec;
}

}  // namespace nightsim::harness
