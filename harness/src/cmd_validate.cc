// `nightsim validate FILE [--set name=value …]`: loads a scenario and prints it
// fully resolved, or every problem (RunCli prints InputError problems, exit 2).
// `nightsim validate --list-presets`: the radar presets with their key values.

#include <fmt/core.h>
#include <fmt/ranges.h>

#include <iostream>

#include "core/errors.h"
#include "command_line.h"
#include "harness/cli.h"
#include "harness/commands.h"
#include "harness/scenario_loader.h"
#include "physics/radar_config.h"

namespace nightsim::harness {
namespace {

// One block per preset: its name, what it is, and the values that set what it can see.
void PrintPresets() {
  for (const physics::RadarPreset& preset : physics::RadarPresets()) {
    const RadarParams& p = preset.params;
    const RadarInfo info = physics::MakeRadarInfo(p);
    const double nyquist_range_m = info.range_bin_m * info.range_bins;
    fmt::print("{}{}\n  {}\n", preset.name, &preset == &physics::RadarPresets().front() ? " (default)" : "",
               preset.description);
    fmt::print("  start_hz {:g}, bandwidth_hz {:g}, samples_per_chirp {}, sample_rate_hz {:g}, chirp_s {:g}\n",
               p.start_hz, p.bandwidth_hz, p.samples_per_chirp, p.sample_rate_hz, p.chirp_s);
    fmt::print("  chirps_per_frame {}, chirp_repetition_s {:g}, frame_rate_hz {:.4g}, rx {}\n", p.chirps_per_frame,
               p.chirp_repetition_s, p.frame_rate_hz, info.rx.size());
    fmt::print("  if_gain_db {:g}, if_highpass_hz {:g}, if_lowpass_hz {:g}, tx_power_dbm {:g}\n", p.if_gain_db,
               p.if_highpass_hz, p.if_lowpass_hz, p.tx_power_dbm);
    fmt::print("  range bin {:.4g} m, {} bins, Nyquist range {:.3g} m\n", info.range_bin_m, info.range_bins,
               nyquist_range_m);
    if (!p.leakage_dbc.empty() || p.rf_gain_db != 0.0) {
      fmt::print("  fingerprint: rf_gain_db {:g}, noise_figure_db {:g}, leakage_dbc [{:g}], rx_gain_db [{:g}], "
                 "dc_offset_v [{:.4g}]\n",
                 p.rf_gain_db, p.noise_figure_db, fmt::join(p.leakage_dbc, ", "), fmt::join(p.rx_gain_db, ", "),
                 fmt::join(p.dc_offset_v, ", "));
    }
    for (const auto& w : physics::CheckRadarParams(p)) {
      if (w.warning) fmt::print("  warning: {}: {}\n", w.key, w.message);
    }
    fmt::print("\n");
  }
}

}  // namespace

int CmdValidate(const std::vector<std::string>& args) {
  namespace po = boost::program_options;
  std::string file;
  std::vector<std::string> sets;
  po::options_description options("options");
  options.add_options()
      ("help,h", "show this help")
      ("list-presets", "print the radar presets (device.radar.preset) with their key values")
      ("set", po::value(&sets)->composing(),
       "name=value: set a declared parameter (repeatable; the value in the parameter's own unit, a clock as HH:MM)");
  const po::variables_map vm = ParseCommandLine(args, options, {{"FILE", &file}});
  if (vm.count("help")) {
    fmt::print(
        "usage: nightsim validate FILE [--set name=value ...]\n"
        "       nightsim validate --list-presets\n\n"
        "Checks a scenario (schema: scenarios/README.md) and prints it fully resolved\n"
        "(extends merged, parameters substituted, every default explicit) on stdout.\n"
        "On an invalid scenario, prints every problem as file:line:column: key: message\n"
        "on stderr, writes nothing to stdout and exits 2. What is valid but limits a\n"
        "bedside night (a radar whose range falls short of the bed ...) is printed on\n"
        "stderr as a warning, and the scenario is valid.\n\n");
    std::cout << options << "\n";
    return kExitOk;
  }
  if (vm.count("list-presets")) {
    PrintPresets();
    return kExitOk;
  }
  if (file.empty()) throw InputError(InputProblem{"", 0, 0, "FILE", "a scenario file is required"});
  const Scenario scenario = LoadScenario(file, ParseOverrides(sets));
  PrintScenarioWarnings(scenario);
  fmt::print("{}", scenario.resolved_yaml);
  return kExitOk;
}

}  // namespace nightsim::harness
