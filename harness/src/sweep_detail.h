#pragma once
// Internals shared by harness/src/sweep_*.cc and the sweep commands: JSON text
// helpers (written by hand so key order and numbers are fixed), and reading JSON
// back through yaml-cpp (JSON is YAML's flow style).

#include <string>
#include <string_view>

#include <yaml-cpp/yaml.h>

#include "harness/metrics.h"

namespace nightsim::harness::detail {

/// `s` as a JSON string literal.
using harness::JsonString;  // the harness's one JSON string escaper (harness/metrics.h)

/// Parses the JSON file at `path`; a null node when it is missing or malformed.
YAML::Node ReadJsonFile(const std::string& path);

}  // namespace nightsim::harness::detail
