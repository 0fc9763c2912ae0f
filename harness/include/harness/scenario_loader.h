#pragma once
/// \file
/// Scenario files (YAML, schema in scenarios/README.md) → validated `Scenario`
/// structs. Every function here throws `nightsim::InputError` carrying every
/// problem found (file, line, column, key path, what was expected, and the
/// nearest valid key for a typo); nothing is returned half-valid.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/scenario.h"

namespace nightsim::harness {

/// `--set` values: parameter name → value text, in the parameter's own unit
/// ("45" for a parameter in min, "23:30" for a clock).
using ParameterOverrides = std::map<std::string, std::string>;

/// Loads the scenario at `path`: follows `extends` (relative to each file),
/// merges, applies `overrides` to the declared parameters, substitutes `${name}`
/// references, checks every value and the cross-field rules, and fills
/// `resolved_yaml`. Throws InputError.
Scenario LoadScenario(const std::string& path, const ParameterOverrides& overrides = {});

/// Same, for YAML text already in memory; `path` names it in messages and is the
/// directory `extends` is relative to. Throws InputError.
Scenario LoadScenarioText(const std::string& yaml_text, const std::string& path,
                          const ParameterOverrides& overrides = {});

/// The canonical YAML of a resolved scenario: fixed key order, every value
/// explicit, clock times as "HH:MM", no `extends` and no `${}`. Loading it gives
/// the same scenario (and the same text) again.
std::string ResolvedYaml(const Scenario& scenario);

/// The parameters the scenario at `path` declares (after `extends`), in name
/// order, with `value_text` = the default (or the override). For sweeps.
/// Throws InputError when the file or a declaration is invalid.
std::vector<ParameterSpec> ScenarioParameters(const std::string& path, const ParameterOverrides& overrides = {});

/// Prints the scenario's warnings (Scenario::warnings) on stderr, one
/// "warning: file:line:column: key: message" line each.
void PrintScenarioWarnings(const Scenario& scenario);

/// Parses repeated `--set name=value` arguments. Throws InputError on a missing
/// '=' or a name given twice.
ParameterOverrides ParseOverrides(const std::vector<std::string>& name_equals_value);

/// Radar parameters as a scenario's `device.radar` mapping resolves them: the
/// `preset` (default "bgt60tr13c") first, then explicit keys override it;
/// `chirp_s` follows samples_per_chirp / sample_rate_hz unless given.
/// `radar_yaml` is that mapping as YAML text ("" = the preset alone).
/// Throws InputError (keys reported under `device.radar`).
RadarParams ResolveRadarParams(const std::string& radar_yaml);

/// "HH:MM" or "HH:MM:SS" (24-hour clock) → seconds after midnight; nullopt if malformed.
std::optional<double> ParseClockTime(std::string_view text);

/// Seconds after midnight (any real number; rounded to the second, wrapped to a day) →
/// "HH:MM" (whole minutes) or "HH:MM:SS"; always "HH:MM:SS" `with_seconds`.
std::string FormatClockTime(double seconds_after_midnight, bool with_seconds = false);

}  // namespace nightsim::harness
