// `nightsim realism RECORDING [SCENARIO]`: simulates the recording's device, as it was
// configured, in a room (SCENARIO's, or a person lying in front of the radar) and prints
// the statistics of harness/realism.h side by side with the recording's. Exit 1 when a
// statistic is outside its tolerance.

#include <fmt/core.h>

#include <boost/program_options.hpp>
#include <iostream>

#include "command_line.h"
#include "core/errors.h"
#include "harness/cli.h"
#include "harness/commands.h"
#include "harness/night_runner.h"
#include "harness/realism.h"
#include "harness/recording_import.h"
#include "harness/scenario_loader.h"
#include "physics/radar_config.h"

namespace po = boost::program_options;

namespace nightsim::harness {
namespace {

// The room `realism` uses without a SCENARIO: one person lying in bed, the radar beside
// the chest and tilted down at it, about 0.35 m away, as the shared recording was made.
constexpr const char* kPersonInFront = R"(name: person_in_front
description: one person lying in bed, the radar beside the chest, tilted down at it (about 0.35 m)
night: {start: "22:30", end: "22:35", epoch_s: 30}
room:
  width_m: 4.0
  length_m: 4.5
  height_m: 2.5
  bed: {center_x_m: 2.0, head_y_m: 0.1, width_m: 1.6, length_m: 2.0, height_m: 0.55}
  furniture:
    - {name: nightstand, x_m: 0.9, y_m: 0.3, size_x_m: 0.4, size_y_m: 0.4, height_m: 0.55, rcs_dbsm: -5}
device:
  x_m: 1.3
  y_m: 0.7
  z_m: 0.95
  yaw_deg: 0
  pitch_deg: -35
  bed_side: left
people:
  - id: sleeper
    role: primary
    side: left
    schedule: {bedtime: "22:30", bedtime_sd_min: 0, activity: lying, activity_min: 60, wake_mode: natural,
               wake: "22:34"}
    rates: {restroom_per_night: 0}
)";

// An empty recording of the shape of `info`'s frames.
CountsRecording EmptyLike(const RadarInfo& info) {
  CountsRecording c;
  c.chirps = info.chirps_per_frame;
  c.rx = static_cast<int>(info.rx.size());
  c.samples = info.samples_per_chirp;
  c.range_bin_m = info.range_bin_m;
  return c;
}

}  // namespace

int CmdRealism(const std::vector<std::string>& args) {
  po::options_description options("options");
  std::string recording_path, scenario_path;
  std::uint64_t seed = 1;
  options.add_options()
      ("help,h", "show this help")
      ("seed", po::value(&seed)->default_value(1), "run seed of the simulated night");
  const po::variables_map vm =
      ParseCommandLine(args, options, {{"recording", &recording_path}, {"scenario", &scenario_path}});
  if (vm.count("help")) {
    fmt::print("usage: nightsim realism RECORDING [SCENARIO] [--seed N]\n\n"
               "Simulates the device of RECORDING (an Infineon ifxdaq folder: the BGT60TR13C's fingerprint with\n"
               "the recording's configuration) in SCENARIO's room, or with a person lying in front of the\n"
               "radar, as many frames as the recording has from the start of the night, and prints side by\n"
               "side, per receiver: the ADC\n"
               "standard deviation (within x2.5), the strongest return closer than 6 cm above the noise\n"
               "floor (the transmitter's leakage; within 10 dB), the frame-to-frame noise floor at the\n"
               "farthest bins (within 6 dB), and the spread of ADC level between receivers (within 6 dB).\n"
               "Exit 1 when one is outside its tolerance. Acconeer A121 recordings (pulsed coherent: no\n"
               "chirps or ADC counts) cannot be compared: nightsim simulates FMCW radars.\n\n");
    std::cout << options << "\n";
    return kExitOk;
  }
  if (recording_path.empty()) throw InputError(InputProblem{"", 0, 0, "RECORDING", "a recording is required"});
  if (DetectRecordingFormat(recording_path) != RecordingFormat::kIfxdaq) {
    throw InputError(InputProblem{recording_path, 0, 0, "",
                                  "an Acconeer A121 recording is a pulsed coherent radar's; nightsim simulates "
                                  "FMCW radars, so there is nothing to compare it with (realism takes ifxdaq folders)"});
  }
  const ImportedRecording real = ReadIfxdaq(recording_path, RadarLevel::kRaw);

  Scenario scenario = scenario_path.empty() ? LoadScenarioText(kPersonInFront, "<realism: person in front>")
                                            : LoadScenario(scenario_path);
  scenario.device.radar = real.device;
  std::vector<InputProblem> problems;
  for (const auto& p : physics::CheckRadarParams(real.device)) {
    if (!p.warning) problems.push_back({recording_path, 0, 0, "device.radar." + p.key, p.message});
  }
  if (!problems.empty()) throw InputError(problems);
  const double frame_s = 1.0 / real.device.frame_rate_hz;
  if (scenario.night.duration_s < real.frames * frame_s) {
    throw InputError(InputProblem{scenario_path, 0, 0, "night",
                                  fmt::format("the night ({:.0f} s) is shorter than the recording ({:.1f} s)",
                                              scenario.night.duration_s, real.frames * frame_s)});
  }

  // Counts: volts / LSB (the ADC's mid-scale offset does not matter, every statistic is
  // taken around a mean).
  CountsRecording measured = EmptyLike(real.radar);
  measured.frames = static_cast<int>(real.frames);
  measured.counts.reserve(real.raw.size());
  for (float v : real.raw) measured.counts.push_back(static_cast<float>(v / real.adc_lsb_v));
  // The simulated night's first frames, as many as the recording has.
  CountsRecording simulated = EmptyLike(real.radar);
  RunOptions run;
  run.seed = seed;
  run.level = RadarLevel::kRaw;
  RunNight(scenario, run, nullptr, [&](const RadarFrame& f) {
    if (simulated.frames >= measured.frames) return;
    for (float v : f.raw) simulated.counts.push_back(static_cast<float>(v / real.adc_lsb_v));  // the same ADC
    ++simulated.frames;
  });

  fmt::print("recording: {} ({} frames, {:.1f} s, {} RX, {} samples x {} chirps, IF gain {:g} dB)\n",
             real.source_path, measured.frames, measured.frames * frame_s, measured.rx, measured.samples,
             measured.chirps, real.device.if_gain_db);
  fmt::print("simulated: {} (seed {}), the chip's fingerprint (preset {}) with the recording's configuration\n\n",
             scenario_path.empty() ? "a person lying in front of the radar" : scenario.name, seed,
             real.device.preset);
  const std::vector<RealismRow> rows = CompareRealism(MeasureRealism(measured), MeasureRealism(simulated));
  fmt::print("{}", FormatRealism(rows));
  for (const RealismRow& row : rows) {
    if (!row.pass) return kExitCheckFailed;
  }
  return kExitOk;
}

}  // namespace nightsim::harness
