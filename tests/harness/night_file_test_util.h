#pragma once
// Helpers of the night-file, predictions, score and generate tests: fresh folders,
// running the nightsim binary, reading files, the fixtures.

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace nightsim::harness::testing_util {

/// The 10-minute fixture night (primary, partner, cat, alarm) and the 1-minute one.
inline const std::string kShortNight = std::string(NIGHTSIM_SOURCE_DIR) + "/tests/harness/data/night_file/short_night.yaml";
inline const std::string kMinuteNight =
    std::string(NIGHTSIM_SOURCE_DIR) + "/tests/harness/data/night_file/minute_night.yaml";

/// The real recordings beside the checkout (../shared/data/radar, README there).
inline const std::filesystem::path kRadarData = std::filesystem::path(NIGHTSIM_SHARED_DIR) / "data" / "radar";
/// The Infineon BGT60TR13C ifxdaq recording folder.
inline const std::filesystem::path kIfxdaq = kRadarData / "infineon_bgt60tr13c_breathing";
/// The folder of the two Acconeer A121 recordings.
inline const std::filesystem::path kA121 = kRadarData / "acconeer_a121_breathing";

/// An empty folder under the temporary directory, unique per process and `name`.
inline std::filesystem::path FreshDir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("nightsim_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

inline std::string Slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void WriteText(const std::filesystem::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
}

/// Exit code, stdout and stderr of one run of the nightsim binary.
struct CliRun {
  int exit_code{-1};
  std::string out, err;
};

/// Runs `nightsim ARGS` (ARGS quoted by the caller) with stdout/stderr captured in `dir`.
inline CliRun RunNightsim(const std::string& args, const std::filesystem::path& dir) {
  const std::string cmd = "'" + std::string(NIGHTSIM_BINARY) + "' " + args + " >'" + (dir / "cli.out").string() +
                          "' 2>'" + (dir / "cli.err").string() + "'";
  const int status = std::system(cmd.c_str());
  CliRun r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = Slurp(dir / "cli.out");
  r.err = Slurp(dir / "cli.err");
  std::filesystem::remove(dir / "cli.out");
  std::filesystem::remove(dir / "cli.err");
  return r;
}

/// `'text'` for a shell command line.
inline std::string Quote(const std::string& text) { return "'" + text + "'"; }

}  // namespace nightsim::harness::testing_util
