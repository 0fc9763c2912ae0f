#pragma once
// Internals of the scenario loader, shared by harness/src/scenario_*.cc.
// The YAML is converted once into a `Tree` that remembers, for every node and
// key, the file/line/column it came from; `extends` merges Trees, so an error
// in a value inherited from a base file still names the base file.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/errors.h"
#include "core/scenario.h"

namespace nightsim::harness::detail {

/// Where a node or key was written (1-based; 0 = unknown).
struct Src {
  std::string file;
  int line{0};
  int column{0};
};

struct Entry;

/// A YAML node with provenance.
struct Tree {
  enum class Kind { kNull, kScalar, kMap, kSeq };
  Kind kind{Kind::kNull};
  std::string text;          // scalar text
  std::vector<Entry> map;    // mapping entries in file order (duplicates kept, reported later)
  std::vector<Tree> seq;
  Src src;

  const Tree* Find(std::string_view key) const;
  Tree* Find(std::string_view key);
  bool IsNull() const { return kind == Kind::kNull; }
};

struct Entry {
  std::string key;
  Src key_src;
  Tree value;
};

/// Collects every problem; the loader throws once at the end.
struct Problems {
  std::vector<InputProblem> list;
  void Add(const Src& at, std::string key, std::string message);
  bool Any() const { return !list.empty(); }
  /// True when a problem was reported at `path` or below it.
  bool Under(std::string_view path) const;
};

// --- source: YAML files, extends -------------------------------------------------

/// Parses `text` (the content of `file`) into a Tree; syntax errors go to `problems`.
std::optional<Tree> ParseYaml(const std::string& text, const std::string& file, Problems& problems);

/// Loads `path`, follows `extends` (cycles reported with the chain) and merges.
/// Returns the merged root mapping, or nullopt after reporting problems.
std::optional<Tree> LoadMerged(const std::string& path, Problems& problems);

/// Same for text already in memory; `path` names it and anchors relative `extends`.
std::optional<Tree> LoadMergedText(const std::string& text, const std::string& path, Problems& problems);

// --- words ----------------------------------------------------------------------

/// Optimal-string-alignment (Damerau–Levenshtein) distance.
int EditDistance(std::string_view a, std::string_view b);

/// The candidate nearest to `typed`, when near enough to be a plausible typo
/// (or when `typed` lacks only a unit suffix: "width" → "width_m").
std::optional<std::string> NearestWord(std::string_view typed, const std::vector<std::string>& candidates);

/// " (did you mean 'x'?)" or "".
std::string DidYouMean(std::string_view typed, const std::vector<std::string>& candidates);

// --- units and clocks -----------------------------------------------------------

/// A unit a key or parameter may carry. Units of one dimension convert.
struct UnitInfo {
  std::string name;       // "min"
  std::string dimension;  // "time"
  double to_si{1.0};      // 1 min = 60 s
};

/// The unit called `name` ("" is dimensionless), or nullopt.
std::optional<UnitInfo> FindUnit(std::string_view name);
/// Every unit name, for "did you mean".
std::vector<std::string> UnitNames();

/// "HH:MM" or "HH:MM:SS" → seconds after midnight.
std::optional<double> ParseClock(std::string_view text);
/// Seconds after midnight → "HH:MM" (or "HH:MM:SS" when seconds are not 0 or `with_seconds`).
std::string FormatClock(double seconds_after_midnight, bool with_seconds = false);

/// Shortest text that reads back as the same double.
std::string FormatNumber(double value);

/// Parses a whole string as a finite double / an int.
std::optional<double> ParseNumber(std::string_view text);
std::optional<long long> ParseInteger(std::string_view text);
/// "true" → true, "false" → false, anything else → nullopt.
std::optional<bool> ParseBool(std::string_view text);

// --- parameters -----------------------------------------------------------------

/// A declared parameter with its value in force, parsed.
struct Param {
  ParameterSpec spec;
  Src src;             // where it was declared
  double number{0};    // float/int value in `spec.unit`; bool as 0/1
  std::string text;    // string/clock value text
};

/// Declared parameters by name.
using ParamTable = std::map<std::string, Param>;

/// Reads `parameters:` of `root`, applies `overrides`; problems reported.
ParamTable ReadParameters(const Tree& root, const std::map<std::string, std::string>& overrides,
                          Problems& problems);

/// Checks clock parameters' ranges once the night is known; fills min/max as
/// seconds since the night's start.
void CheckClockParameters(ParamTable& params, double night_start_clock_s, Problems& problems);

/// Spec list in name order.
std::vector<ParameterSpec> ParameterSpecs(const ParamTable& params);

}  // namespace nightsim::harness::detail

namespace nightsim::harness::detail {

/// Where each key path of the scenario was written ("room.bed.width_m" → file:line:col).
using WhereMap = std::map<std::string, Src>;

/// The source position for `path`, or of its nearest ancestor that was written.
Src WhereOf(const WhereMap& where, const std::string& path);

/// Cross-field checks of a scenario whose fields were read (geometry, roles,
/// schedule order, overlaps …). Skips checks whose inputs already had problems.
void CheckScenario(const Scenario& s, const WhereMap& where, Problems& problems);

/// The canonical YAML text of a resolved scenario.
std::string DumpScenario(const Scenario& s);

}  // namespace nightsim::harness::detail
