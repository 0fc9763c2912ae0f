#pragma once
/// \file
/// What `nightsim run` writes for a night: an HDF5 file (resolved scenario, seed,
/// version as attributes; truth, pipeline estimates and metrics as tables) and a
/// JSON file of the metrics, each written under a temporary name and renamed.

#include <string>

#include "harness/night_runner.h"

namespace nightsim::harness {

/// Version of the HDF5 layout written by WriteNightH5 (root attribute `schema_version`).
inline constexpr const char* kNightSchemaVersion = "0.1";

/// nightsim's version string.
const char* NightsimVersion();

/// Writes the night's HDF5 file to `path` atomically. Throws std::runtime_error.
void WriteNightH5(const NightRun& run, const std::string& path);

/// The night's JSON: {"nightsim_version", "scenario", "seed", "night": ToJson(metrics)}.
std::string NightJson(const NightRun& run);

/// The terminal summary: who was where, the primary's hypnogram truth vs pipeline,
/// and the headline metrics.
std::string FormatRunSummary(const NightRun& run);

}  // namespace nightsim::harness
