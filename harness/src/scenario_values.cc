// Units, clock times, numbers and the `parameters:` block of a scenario.

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>

#include "scenario_detail.h"

namespace nightsim::harness::detail {

namespace {

// Units convert only within a dimension. Rates and decibel flavours each get a
// dimension of their own on purpose: "per_hour" silently becoming "per_night",
// or dBm becoming dBi, would be a bug, not a convenience.
const std::vector<UnitInfo>& Units() {
  static const std::vector<UnitInfo> kUnits = {
      {"", "dimensionless", 1.0},
      {"s", "time", 1.0},         {"ms", "time", 1e-3},       {"us", "time", 1e-6},
      {"min", "time", 60.0},      {"h", "time", 3600.0},
      {"m", "length", 1.0},       {"cm", "length", 1e-2},     {"mm", "length", 1e-3},
      {"Hz", "frequency", 1.0},   {"kHz", "frequency", 1e3},  {"MHz", "frequency", 1e6},
      {"GHz", "frequency", 1e9},
      {"kg", "mass", 1.0},        {"g", "mass", 1e-3},
      {"y", "age", 1.0},
      {"deg", "angle", 1.0},
      {"bpm", "per minute", 1.0},
      {"per_hour", "per hour", 1.0},
      {"per_night", "per night", 1.0},
      {"V", "voltage", 1.0},
      {"dB", "dB", 1.0},          {"dBm", "dBm", 1.0},        {"dBi", "dBi", 1.0},
      {"dBsm", "dBsm", 1.0},      {"dBc/Hz", "dBc/Hz", 1.0},
  };
  return kUnits;
}

}  // namespace

std::optional<UnitInfo> FindUnit(std::string_view name) {
  for (const auto& u : Units())
    if (u.name == name) return u;
  return std::nullopt;
}

std::vector<std::string> UnitNames() {
  std::vector<std::string> names;
  for (const auto& u : Units())
    if (!u.name.empty()) names.push_back(u.name);
  return names;
}

std::optional<double> ParseNumber(std::string_view text) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty()) return std::nullopt;
  double value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) return std::nullopt;
  return value;
}

std::optional<bool> ParseBool(std::string_view text) {
  if (text == "true") return true;
  if (text == "false") return false;
  return std::nullopt;
}

std::optional<long long> ParseInteger(std::string_view text) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty()) return std::nullopt;
  long long value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::string FormatNumber(double value) {
  if (value == 0) return "0";  // never "-0"
  return fmt::format("{}", value);
}

std::optional<double> ParseClock(std::string_view text) {
  int parts[3] = {0, 0, 0};
  int count = 0;
  std::size_t pos = 0;
  while (count < 3) {
    const std::size_t colon = text.find(':', pos);
    const std::string_view field = text.substr(pos, colon == std::string_view::npos ? text.npos : colon - pos);
    if (field.empty() || field.size() > 2 || (count > 0 && field.size() != 2)) return std::nullopt;
    if (!std::all_of(field.begin(), field.end(), [](char c) { return c >= '0' && c <= '9'; })) return std::nullopt;
    parts[count++] = std::stoi(std::string(field));
    if (colon == std::string_view::npos) break;
    pos = colon + 1;
    if (count == 3) return std::nullopt;  // a fourth field
  }
  if (count < 2 || parts[0] > 23 || parts[1] > 59 || parts[2] > 59) return std::nullopt;
  return parts[0] * 3600.0 + parts[1] * 60.0 + parts[2];
}

std::string FormatClock(double seconds_after_midnight, bool with_seconds) {
  long long s = std::llround(seconds_after_midnight);
  s = ((s % 86400) + 86400) % 86400;
  const long long h = s / 3600, m = (s / 60) % 60, sec = s % 60;
  return sec || with_seconds ? fmt::format("{:02}:{:02}:{:02}", h, m, sec) : fmt::format("{:02}:{:02}", h, m);
}

// ---------------------------------------------------------------------------------

namespace {

const std::vector<std::string> kParamTypes = {"float", "int", "bool", "string", "clock"};
const std::vector<std::string> kParamKeys = {"type", "unit", "default", "min", "max", "description", "choices"};

bool IsIdentifier(std::string_view name) {
  if (name.empty() || !(std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_')) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; });
}

std::string Describe(const Tree& t) {
  switch (t.kind) {
    case Tree::Kind::kMap: return "a mapping";
    case Tree::Kind::kSeq: return "a list";
    case Tree::Kind::kNull: return "nothing";
    default: return fmt::format("'{}'", t.text);
  }
}

std::string RangeText(const ParameterSpec& s) {
  const std::string unit = s.unit.empty() ? "" : " " + s.unit;
  if (s.min && s.max) return fmt::format("in [{}, {}]{}", FormatNumber(*s.min), FormatNumber(*s.max), unit);
  if (s.min) return fmt::format("≥ {}{}", FormatNumber(*s.min), unit);
  return fmt::format("≤ {}{}", FormatNumber(*s.max), unit);
}

// Parses `text` as a value of `p`'s type into `p`; returns what was expected on failure.
std::optional<std::string> SetValue(Param& p, const std::string& text) {
  const std::string& type = p.spec.type;
  if (type == "float" || type == "int") {
    const auto v = ParseNumber(text);
    if (!v || (type == "int" && (*v != std::floor(*v) || text.find_first_of(".eE") != std::string::npos)))
      return fmt::format("expected {}{}, got '{}'", type == "int" ? "an integer" : "a number",
                         p.spec.unit.empty() ? "" : " in " + p.spec.unit, text);
    if ((p.spec.min && *v < *p.spec.min) || (p.spec.max && *v > *p.spec.max))
      return fmt::format("expected a value {}, got {}", RangeText(p.spec), text);
    p.number = *v;
    p.text = FormatNumber(*v);
  } else if (type == "bool") {
    const auto v = ParseBool(text);
    if (!v) return fmt::format("expected true or false, got '{}'", text);
    p.number = *v ? 1 : 0;
    p.text = text;
  } else if (type == "clock") {
    const auto v = ParseClock(text);
    if (!v) return fmt::format("expected a clock time \"HH:MM\", got '{}'", text);
    p.number = *v;  // seconds after midnight until the night is known
    p.text = FormatClock(*v);
  } else {
    if (!p.spec.choices.empty() && std::find(p.spec.choices.begin(), p.spec.choices.end(), text) == p.spec.choices.end())
      return fmt::format("expected one of {}, got '{}'{}", fmt::format("'{}'", fmt::join(p.spec.choices, "', '")),
                         text, DidYouMean(text, p.spec.choices));
    p.text = text;
  }
  p.spec.value_text = p.text;
  return std::nullopt;
}

void ReadOne(const Entry& e, ParamTable& table, Problems& problems) {
  const std::string path = "parameters." + e.key;
  if (!IsIdentifier(e.key)) {
    problems.Add(e.key_src, path, "a parameter name is a word of letters, digits and '_' (not starting with a digit)");
    return;
  }
  if (table.count(e.key)) {
    problems.Add(e.key_src, path, fmt::format("parameter '{}' is declared twice", e.key));
    return;
  }
  const Tree& d = e.value;
  if (d.kind != Tree::Kind::kMap) {
    problems.Add(d.src, path, fmt::format("expected a mapping with type, default and optionally unit, min, max, "
                                          "description, choices; got {}", Describe(d)));
    return;
  }
  const std::size_t problems_before = problems.list.size();
  for (const auto& k : d.map)
    if (std::find(kParamKeys.begin(), kParamKeys.end(), k.key) == kParamKeys.end())
      problems.Add(k.key_src, path + "." + k.key,
                   fmt::format("unknown key '{}'{}", k.key, DidYouMean(k.key, kParamKeys)));
  auto scalar = [&](const char* key) -> const Tree* {
    const Tree* t = d.Find(key);
    if (!t || t->IsNull()) return nullptr;
    if (t->kind != Tree::Kind::kScalar) {
      problems.Add(t->src, path + "." + key, fmt::format("expected a single value, got {}", Describe(*t)));
      return nullptr;
    }
    if (t->text.find("${") != std::string::npos) {
      problems.Add(t->src, path + "." + key, "parameters cannot refer to other parameters");
      return nullptr;
    }
    return t;
  };
  Param p;
  p.src = e.key_src;
  p.spec.name = e.key;
  const Tree* type = scalar("type");
  if (!type) {
    if (!d.Find("type"))
      problems.Add(d.src, path + ".type", "required key is missing: one of float, int, bool, string, clock");
    return;
  }
  if (std::find(kParamTypes.begin(), kParamTypes.end(), type->text) == kParamTypes.end()) {
    problems.Add(type->src, path + ".type",
                 fmt::format("expected one of float, int, bool, string, clock; got '{}'{}", type->text,
                             DidYouMean(type->text, kParamTypes)));
    return;
  }
  p.spec.type = type->text;
  const bool numeric = p.spec.type == "float" || p.spec.type == "int";
  if (const Tree* unit = scalar("unit")) {
    if (!numeric) {
      problems.Add(unit->src, path + ".unit", fmt::format("a {} parameter has no unit", p.spec.type));
    } else if (!FindUnit(unit->text)) {
      problems.Add(unit->src, path + ".unit",
                   fmt::format("unknown unit '{}'{}; known units: {}", unit->text, DidYouMean(unit->text, UnitNames()),
                               fmt::join(UnitNames(), ", ")));
    } else {
      p.spec.unit = unit->text;
    }
  }
  if (const Tree* description = scalar("description")) p.spec.description = description->text;
  if (const Tree* choices = d.Find("choices"); choices && !choices->IsNull()) {
    if (p.spec.type != "string") {
      problems.Add(choices->src, path + ".choices", "only a string parameter has choices");
    } else if (choices->kind != Tree::Kind::kSeq || choices->seq.empty()) {
      problems.Add(choices->src, path + ".choices", "expected a non-empty list of words");
    } else {
      for (const auto& c : choices->seq) {
        if (c.kind != Tree::Kind::kScalar)
          problems.Add(c.src, path + ".choices", "expected a word");
        else
          p.spec.choices.push_back(c.text);
      }
    }
  }
  for (const char* bound : {"min", "max"}) {
    const Tree* t = scalar(bound);
    if (!t) continue;
    std::optional<double> v;
    if (numeric) {
      v = ParseNumber(t->text);
      if (!v) problems.Add(t->src, path + "." + bound, fmt::format("expected a number, got '{}'", t->text));
    } else if (p.spec.type == "clock") {
      v = ParseClock(t->text);
      if (!v) problems.Add(t->src, path + "." + bound, fmt::format("expected a clock time \"HH:MM\", got '{}'", t->text));
    } else {
      problems.Add(t->src, path + "." + bound, fmt::format("a {} parameter has no {}", p.spec.type, bound));
    }
    (std::string(bound) == "min" ? p.spec.min : p.spec.max) = v;
  }
  if (numeric && p.spec.min && p.spec.max && *p.spec.min > *p.spec.max)
    problems.Add(d.Find("max")->src, path + ".max", "max is below min");
  const Tree* def = scalar("default");
  if (!def) {
    if (!d.Find("default")) problems.Add(d.src, path + ".default", "required key is missing: the default value");
    return;
  }
  p.spec.default_text = def->text;
  if (problems.list.size() != problems_before) return;
  // Clock ranges are checked once the night is known (they cross midnight).
  const auto min = p.spec.min, max = p.spec.max;
  if (p.spec.type == "clock") p.spec.min = p.spec.max = std::nullopt;
  if (auto why = SetValue(p, def->text)) {
    problems.Add(def->src, path + ".default", *why);
    return;
  }
  p.spec.min = min;
  p.spec.max = max;
  table.emplace(e.key, std::move(p));
}

}  // namespace

ParamTable ReadParameters(const Tree& root, const std::map<std::string, std::string>& overrides,
                          Problems& problems) {
  ParamTable table;
  const Tree* block = root.Find("parameters");
  if (block && !block->IsNull()) {
    if (block->kind != Tree::Kind::kMap)
      problems.Add(block->src, "parameters", "expected a mapping of parameter name → declaration");
    else
      for (const auto& e : block->map) ReadOne(e, table, problems);
  }
  std::vector<std::string> names;
  for (const auto& [name, p] : table) names.push_back(name);
  for (const auto& [name, value] : overrides) {
    const Src where{"", 0, 0};
    const std::string key = "--set " + name;
    const auto it = table.find(name);
    if (it == table.end()) {
      problems.Add(where, key,
                   names.empty() ? fmt::format("unknown parameter '{}': the scenario declares no parameters", name)
                                 : fmt::format("unknown parameter '{}'{}; declared: {}", name, DidYouMean(name, names),
                                               fmt::join(names, ", ")));
      continue;
    }
    Param& p = it->second;
    const auto min = p.spec.min, max = p.spec.max;
    if (p.spec.type == "clock") p.spec.min = p.spec.max = std::nullopt;
    if (auto why = SetValue(p, value)) problems.Add(where, key, *why);
    p.spec.min = min;
    p.spec.max = max;
    p.src = where;
  }
  return table;
}

void CheckClockParameters(ParamTable& params, double night_start_clock_s, Problems& problems) {
  auto relative = [&](double clock_s) { return std::fmod(clock_s - night_start_clock_s + 86400.0, 86400.0); };
  for (auto& [name, p] : params) {
    if (p.spec.type != "clock") continue;
    if (p.spec.min) p.spec.min = relative(*p.spec.min);
    if (p.spec.max) p.spec.max = relative(*p.spec.max);
    const double v = relative(p.number);
    if ((p.spec.min && v < *p.spec.min) || (p.spec.max && v > *p.spec.max)) {
      const std::string lo = p.spec.min ? FormatClock(*p.spec.min + night_start_clock_s) : "the night's start";
      const std::string hi = p.spec.max ? FormatClock(*p.spec.max + night_start_clock_s) : "the night's end";
      problems.Add(p.src, p.src.file.empty() ? "--set " + name : "parameters." + name,
                   fmt::format("expected a clock time from {} to {} (crossing midnight), got {}", lo, hi, p.text));
    }
  }
}

std::vector<ParameterSpec> ParameterSpecs(const ParamTable& params) {
  std::vector<ParameterSpec> specs;
  for (const auto& [name, p] : params) specs.push_back(p.spec);
  return specs;
}

}  // namespace nightsim::harness::detail
