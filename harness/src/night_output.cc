#include "harness/night_output.h"

#include <fmt/core.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <map>

#include "harness/atomic_file.h"
#include "harness/h5_writer.h"

namespace nightsim::harness {
namespace {

template <typename T, typename F>
std::vector<T> ColumnOf(std::size_t n, F get) {
  std::vector<T> out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<T>(get(i));
  return out;
}

std::string Clock(const NightRun& run, double t_s) {
  const double s = std::fmod(run.scenario.night.start_clock_s + t_s, 86400.0);
  const int minutes = static_cast<int>(std::floor(s / 60.0));
  return fmt::format("{:02d}:{:02d}", minutes / 60, minutes % 60);
}

char StageChar(EstStage s) {
  switch (s) {
    case EstStage::kWake: return 'W';
    case EstStage::kLight: return 'L';
    case EstStage::kDeep: return 'D';
    case EstStage::kRem: return 'R';
    case EstStage::kNone: break;
  }
  return '.';
}

// One character per block of epochs: the most common stage in the block.
std::string Strip(const std::vector<EstStage>& stages, std::size_t per_char) {
  std::string out;
  for (std::size_t i = 0; i < stages.size(); i += per_char) {
    std::array<int, 5> count{};
    for (std::size_t k = i; k < std::min(stages.size(), i + per_char); ++k) ++count[static_cast<int>(stages[k]) + 1];
    const auto best = std::max_element(count.begin(), count.end()) - count.begin();
    out += StageChar(static_cast<EstStage>(best - 1));
  }
  return out;
}

}  // namespace

const char* NightsimVersion() { return NIGHTSIM_VERSION; }

void WriteNightH5(const NightRun& run, const std::string& path) {
  AtomicFile file(path);
  {
    H5Writer w(file.temp_path());
    w.Attr("/", "schema_version", std::string(kNightSchemaVersion));
    w.Attr("/", "nightsim_version", std::string(NightsimVersion()));
    w.Attr("/", "seed", static_cast<std::int64_t>(run.seed));
    w.Attr("/", "scenario_name", run.scenario.name);
    w.Attr("/", "scenario", run.scenario.resolved_yaml);
    w.Attr("/", "epoch_s", run.truth.epoch_s);
    w.Attr("/", "night_start_clock_s", run.scenario.night.start_clock_s);
    w.Attr("/", "frames", static_cast<std::int64_t>(run.frames));

    const NightTruth& t = run.truth;
    const std::size_t n = t.primary.size();
    w.Group("/truth/primary");
    w.Column("/truth/primary/time_s", ColumnOf<double>(n, [&](auto e) { return e * t.epoch_s; }), "s");
    w.Column("/truth/primary/stage", ColumnOf<std::int8_t>(n, [&](auto e) { return t.primary[e].stage; }),
             "YASA code: 0 W, 1 N1, 2 N2, 3 N3, 4 REM, -1 out of bed");
    w.Column("/truth/primary/in_bed", ColumnOf<std::int8_t>(n, [&](auto e) { return t.primary[e].in_bed; }), "");
    w.Column("/truth/primary/in_zone", ColumnOf<std::int8_t>(n, [&](auto e) { return t.primary[e].in_zone; }), "");
    w.Column("/truth/primary/intent", ColumnOf<std::int8_t>(n, [&](auto e) { return t.primary[e].intent; }), "");
    w.Column("/truth/primary/resp_rate_bpm",
             ColumnOf<double>(n, [&](auto e) { return t.primary[e].resp_rate_bpm; }), "1/min");
    w.Column("/truth/primary/gross_movement",
             ColumnOf<std::int8_t>(n, [&](auto e) { return t.primary[e].gross_movement; }), "");
    for (const BodyTruth& b : t.bodies) {
      const std::string g = "/truth/bodies/" + b.id;
      w.Group(g);
      w.Attr(g, "role", std::string(BodyRoleName(b.role)));
      w.Column(g + "/in_room", ColumnOf<std::int8_t>(n, [&](auto e) { return b.epochs[e].in_room; }), "");
      w.Column(g + "/in_bed", ColumnOf<std::int8_t>(n, [&](auto e) { return b.epochs[e].in_bed; }), "");
      w.Column(g + "/range_m", ColumnOf<double>(n, [&](auto e) { return b.epochs[e].range_m; }), "m");
      w.Column(g + "/azimuth_rad", ColumnOf<double>(n, [&](auto e) { return b.epochs[e].azimuth_rad; }), "rad");
    }
    const auto& ev = run.night.events;
    w.Group("/truth/events");
    w.Column("/truth/events/time_s", ColumnOf<double>(ev.size(), [&](auto i) { return ev[i].t_s; }), "s");
    std::vector<std::string> body_ids, kinds, details;
    for (const auto& e : ev) {
      body_ids.push_back(e.body_id);
      kinds.push_back(sleepers::ToString(e.kind));
      details.push_back(e.detail);
    }
    w.Column("/truth/events/body", body_ids, "");
    w.Column("/truth/events/kind", kinds, "");
    w.Column("/truth/events/duration_s", ColumnOf<double>(ev.size(), [&](auto i) { return ev[i].duration_s; }), "s");
    w.Column("/truth/events/value", ColumnOf<std::int32_t>(ev.size(), [&](auto i) { return ev[i].value; }), "");
    w.Column("/truth/events/detail", details, "");

    const auto& est = run.estimates;
    const std::size_t m = est.size();
    w.Group("/pipeline/epochs");
    w.Column("/pipeline/epochs/epoch", ColumnOf<std::int64_t>(m, [&](auto i) { return est[i].epoch; }), "");
    w.Column("/pipeline/epochs/present", ColumnOf<std::int8_t>(m, [&](auto i) { return est[i].present; }), "");
    w.Column("/pipeline/epochs/presence_confidence",
             ColumnOf<double>(m, [&](auto i) { return est[i].presence_confidence; }), "");
    w.Column("/pipeline/epochs/session", ColumnOf<std::int8_t>(m, [&](auto i) { return est[i].session; }), "");
    w.Column("/pipeline/epochs/tracking", ColumnOf<std::int8_t>(m, [&](auto i) { return est[i].tracking; }), "");
    w.Column("/pipeline/epochs/target_range_m",
             ColumnOf<double>(m, [&](auto i) { return est[i].target_range_m; }), "m");
    w.Column("/pipeline/epochs/target_angle_rad",
             ColumnOf<double>(m, [&](auto i) { return est[i].target_angle_rad; }), "rad");
    w.Column("/pipeline/epochs/resp_rate_bpm", ColumnOf<double>(m, [&](auto i) { return est[i].resp_rate_bpm; }),
             "1/min");
    w.Column("/pipeline/epochs/movement", ColumnOf<double>(m, [&](auto i) { return est[i].movement; }), "");
    w.Column("/pipeline/epochs/intent", ColumnOf<std::int8_t>(m, [&](auto i) { return est[i].intent; }), "");
    w.Column("/pipeline/epochs/stage",
             ColumnOf<std::int8_t>(m, [&](auto i) { return static_cast<int>(est[i].stage); }),
             "-1 none, 0 wake, 1 light, 2 deep, 3 REM");
    w.Group("/pipeline/alarms");
    w.Column("/pipeline/alarms/fire_s",
             ColumnOf<double>(run.alarms.size(), [&](auto i) { return run.alarms[i].fire_s; }), "s");

    std::vector<std::string> names;
    std::vector<double> values;
    run.metrics.metrics.ForEach([&](const std::string& name, double v, Better) {
      names.push_back(name);
      values.push_back(v);
    });
    w.Group("/metrics");
    w.Column("/metrics/name", names, "");
    w.Column("/metrics/value", values, "see name");
    w.Attr("/metrics", "json", ToJson(run.metrics));
    w.Close();
  }
  file.Commit();
}

std::string NightJson(const NightRun& run) {
  return fmt::format("{{\"nightsim_version\": \"{}\", \"scenario\": \"{}\", \"seed\": {}, \"night\": {}}}\n",
                     NightsimVersion(), run.scenario.name, run.seed, ToJson(run.metrics));
}

std::string FormatRunSummary(const NightRun& run) {
  std::string out;
  const double hours = run.scenario.night.duration_s / 3600.0;
  out += fmt::format("night of {} (seed {}): {} – {}, {:.1f} h, {} frames, simulated in {:.1f} s ({:.0f}× real time)\n\n",
                     run.scenario.name, run.seed, Clock(run, 0), Clock(run, run.scenario.night.duration_s), hours,
                     run.frames, run.simulate_s, run.scenario.night.duration_s / std::max(run.simulate_s, 1e-9));

  out += "who was where\n";
  for (std::size_t b = 0; b < run.night.bodies.size(); ++b) {
    const sleepers::BodyTimeline& tl = run.night.bodies[b];
    std::string role = b < run.scenario.people.size()
                           ? run.scenario.people[b].role + ", " + run.scenario.people[b].side + " side"
                           : run.scenario.pets[b - run.scenario.people.size()].kind;
    std::string line = fmt::format("  {:<8} ({})", tl.spec.id, role);
    for (const sleepers::TruthEvent& e : tl.events) {
      using sleepers::EventKind;
      switch (e.kind) {
        case EventKind::kBedtime: line += "  in bed " + Clock(run, e.t_s); break;
        case EventKind::kLightsOut: line += "  lights out " + Clock(run, e.t_s); break;
        case EventKind::kSleepOnset: line += "  asleep " + Clock(run, e.t_s); break;
        case EventKind::kRestroomTrip:
          line += fmt::format("  restroom {}–{}", Clock(run, e.t_s), Clock(run, e.t_s + e.duration_s));
          break;
        case EventKind::kPetOnBed:
          line += fmt::format("  on bed {}–{}", Clock(run, e.t_s), Clock(run, e.t_s + e.duration_s));
          break;
        case EventKind::kAlarm: line += "  alarm " + Clock(run, e.t_s); break;
        case EventKind::kFinalAwakening: line += "  awake " + Clock(run, e.t_s); break;
        case EventKind::kRise: line += "  up " + Clock(run, e.t_s); break;
        default: break;
      }
    }
    out += line + "\n";
  }

  const NightTruth& t = run.truth;
  const int primary = t.PrimaryBodyIndex();
  if (primary >= 0) {
    std::vector<EstStage> truth_stages, est_stages(t.primary.size(), EstStage::kNone);
    for (const auto& row : t.primary) truth_stages.push_back(StageFromYasa(row.stage));
    for (const EpochEstimate& e : run.estimates) {
      if (e.epoch >= 0 && e.epoch < static_cast<std::int64_t>(est_stages.size())) {
        est_stages[static_cast<std::size_t>(e.epoch)] = e.stage;
      }
    }
    const std::size_t per_char = std::max<std::size_t>(1, static_cast<std::size_t>(std::lround(600.0 / t.epoch_s)));
    out += fmt::format("\nhypnogram of {} (one character per 10 min: W wake, L light, D deep, R REM, . out of bed / none)\n",
                       t.bodies[static_cast<std::size_t>(primary)].id);
    out += "  truth     " + Strip(truth_stages, per_char) + "\n";
    out += "  pipeline  " + Strip(est_stages, per_char) + "\n";
  }
  out += "\n" + FormatSummary(run.metrics);
  return out;
}

}  // namespace nightsim::harness
