// The canonical YAML of a resolved scenario. Written by hand rather than with
// YAML::Emitter so the text is byte-stable: fixed key order, every number in its
// shortest round-trip form, text always double-quoted. It is what outputs store
// and hash, and it loads back into the same scenario.

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "scenario_detail.h"
#include "sleepers/physiology.h"

namespace nightsim::harness::detail {

namespace {

std::string Quote(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20)
          out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
        else
          out += c;
    }
  }
  return out + "\"";
}

class Writer {
 public:
  explicit Writer(double night_start_clock_s) : start_(night_start_clock_s) {}

  /// Opens a nested mapping under `key`.
  void Open(const std::string& key) {
    Line(key + ":");
    ++depth_;
  }
  void Close() { --depth_; }
  /// Opens a list item; the first key of the item shares the "- " line.
  void Item() { item_ = true; }
  void EndItem() { --depth_; }

  void Num(const std::string& key, double v) { Line(fmt::format("{}: {}", key, FormatNumber(v))); }
  /// A value kept in SI seconds, written in minutes.
  void Min(const std::string& key, double seconds) { Num(key, seconds / 60.0); }
  void Int(const std::string& key, long long v) { Line(fmt::format("{}: {}", key, v)); }
  void Text(const std::string& key, const std::string& v) { Line(fmt::format("{}: {}", key, Quote(v))); }
  void Word(const std::string& key, const std::string& v) { Line(fmt::format("{}: {}", key, v)); }
  void Bool(const std::string& key, bool v) { Word(key, v ? "true" : "false"); }
  void Clock(const std::string& key, double since_start_s) {
    Line(fmt::format("{}: \"{}\"", key, FormatClock(start_ + since_start_s)));
  }
  /// A list of numbers, in flow style: `key: [a, b, c]`.
  void Nums(const std::string& key, const std::vector<double>& values) {
    std::vector<std::string> items;
    for (double v : values) items.push_back(FormatNumber(v));
    Line(fmt::format("{}: [{}]", key, fmt::join(items, ", ")));
  }
  void Raw(const std::string& line) { Line(line); }
  std::string str() const { return out_; }

 private:
  void Line(const std::string& text) {
    out_ += std::string(2 * depth_, ' ');
    if (item_) {
      out_ += "- ";
      ++depth_;  // the item's keys line up after "- "
      item_ = false;
    }
    out_ += text + "\n";
  }

  double start_;
  int depth_{0};
  bool item_{false};
  std::string out_;
};

const char* EventKindName(ScriptedEvent::Kind k) {
  switch (k) {
    case ScriptedEvent::Kind::kGetUp: return "get_up";
    case ScriptedEvent::Kind::kTurnOver: return "turn_over";
    case ScriptedEvent::Kind::kWake: return "wake";
    case ScriptedEvent::Kind::kLeave: return "leave";
    default: return "restroom";
  }
}

void WriteParameters(Writer& w, const Scenario& s) {
  if (s.parameters.empty()) return;
  w.Open("parameters");
  for (const auto& p : s.parameters) {
    w.Open(p.name);
    w.Word("type", p.type);
    if (!p.unit.empty()) w.Text("unit", p.unit);
    // The value in force becomes the default, so the dump reloads to the same values;
    // numbers are written as numbers (value_text is FormatNumber's, which reads back exactly).
    if (p.type == "float" || p.type == "int") w.Word("default", p.value_text);
    else w.Text("default", p.value_text);
    for (const auto& [key, bound] : {std::pair{"min", p.min}, std::pair{"max", p.max}}) {
      if (!bound) continue;
      if (p.type == "clock")
        w.Clock(key, *bound);
      else
        w.Num(key, *bound);
    }
    if (!p.choices.empty()) {
      std::vector<std::string> quoted;
      for (const auto& c : p.choices) quoted.push_back(Quote(c));
      w.Raw(fmt::format("choices: [{}]", fmt::join(quoted, ", ")));
    }
    if (!p.description.empty()) w.Text("description", p.description);
    w.Close();
  }
  w.Close();
}

void WriteRoom(Writer& w, const Scenario& s) {
  const RoomSpec& r = s.room;
  w.Open("room");
  w.Num("width_m", r.width_m);
  w.Num("length_m", r.length_m);
  w.Num("height_m", r.height_m);
  w.Open("reflectivity");
  w.Num("walls", r.reflectivity.walls);
  w.Num("floor", r.reflectivity.floor);
  w.Num("ceiling", r.reflectivity.ceiling);
  w.Close();
  if (r.has_bed) {
    w.Open("bed");
    w.Num("center_x_m", r.bed.center_x_m);
    w.Num("head_y_m", r.bed.head_y_m);
    w.Num("width_m", r.bed.width_m);
    w.Num("length_m", r.bed.length_m);
    w.Num("height_m", r.bed.height_m);
    w.Close();
  }
  if (r.furniture.empty()) w.Raw("furniture: []");
  else {
    w.Open("furniture");
    for (const auto& f : r.furniture) {
      w.Item();
      w.Text("name", f.name);
      w.Num("x_m", f.x_m);
      w.Num("y_m", f.y_m);
      w.Num("size_x_m", f.size_x_m);
      w.Num("size_y_m", f.size_y_m);
      w.Num("height_m", f.height_m);
      w.Num("rcs_dbsm", f.rcs_dbsm);
      w.EndItem();
    }
    w.Close();
  }
  if (r.clutter.empty()) w.Raw("clutter: []");
  else {
    w.Open("clutter");
    for (const auto& c : r.clutter) {
      w.Item();
      w.Text("name", c.name);
      w.Word("kind", c.kind == ClutterSpec::Kind::kCurtain ? "curtain" : "fan");
      w.Num("x_m", c.x_m);
      w.Num("y_m", c.y_m);
      w.Num("z_m", c.z_m);
      w.Num("rate_hz", c.rate_hz);
      w.Num("oscillation_hz", c.oscillation_hz);
      w.Num("amplitude_m", c.amplitude_m);
      w.Num("rcs_dbsm", c.rcs_dbsm);
      w.Clock("on", c.on_s);
      w.Clock("off", std::min(c.off_s, s.night.duration_s));
      w.EndItem();
    }
    w.Close();
  }
  w.Open("door");
  w.Num("x_m", r.door.x_m);
  w.Num("y_m", r.door.y_m);
  w.Close();
  w.Close();
}

void WriteDevice(Writer& w, const DeviceSpec& d) {
  w.Open("device");
  w.Num("x_m", d.x_m);
  w.Num("y_m", d.y_m);
  w.Num("z_m", d.z_m);
  w.Num("yaw_deg", d.yaw_deg);
  w.Num("pitch_deg", d.pitch_deg);
  w.Word("bed_side", d.bed_side);
  if (d.alarm_s) w.Clock("alarm", *d.alarm_s);
  w.Min("smart_window_min", d.smart_window_s);
  const RadarParams& r = d.radar;
  w.Open("radar");
  w.Text("preset", r.preset);
  w.Num("start_hz", r.start_hz);
  w.Num("bandwidth_hz", r.bandwidth_hz);
  w.Int("samples_per_chirp", r.samples_per_chirp);
  w.Num("sample_rate_hz", r.sample_rate_hz);
  w.Num("chirp_s", r.chirp_s);
  w.Int("chirps_per_frame", r.chirps_per_frame);
  w.Num("chirp_repetition_s", r.chirp_repetition_s);
  w.Num("frame_rate_hz", r.frame_rate_hz);
  if (!r.rx_positions_m.empty()) {
    w.Open("rx_positions_m");
    for (const auto& p : r.rx_positions_m)
      w.Raw(fmt::format("- [{}, {}, {}]", FormatNumber(p[0]), FormatNumber(p[1]), FormatNumber(p[2])));
    w.Close();
  }
  w.Num("tx_power_dbm", r.tx_power_dbm);
  w.Num("antenna_gain_dbi", r.antenna_gain_dbi);
  w.Num("azimuth_fov_deg", r.azimuth_fov_deg);
  w.Num("elevation_fov_deg", r.elevation_fov_deg);
  w.Num("noise_figure_db", r.noise_figure_db);
  w.Num("if_gain_db", r.if_gain_db);
  w.Num("if_highpass_hz", r.if_highpass_hz);
  w.Num("if_lowpass_hz", r.if_lowpass_hz);
  w.Int("adc_bits", r.adc_bits);
  w.Num("adc_full_scale_v", r.adc_full_scale_v);
  w.Num("phase_noise_dbc_hz", r.phase_noise_dbc_hz);
  w.Num("rf_gain_db", r.rf_gain_db);
  if (!r.leakage_dbc.empty()) w.Nums("leakage_dbc", r.leakage_dbc);
  w.Num("leakage_path_m", r.leakage_path_m);
  w.Num("leakage_jitter_db", r.leakage_jitter_db);
  w.Num("leakage_drift_deg", r.leakage_drift_deg);
  if (!r.rx_gain_db.empty()) w.Nums("rx_gain_db", r.rx_gain_db);
  if (!r.rx_phase_deg.empty()) w.Nums("rx_phase_deg", r.rx_phase_deg);
  if (!r.dc_offset_v.empty()) w.Nums("dc_offset_v", r.dc_offset_v);
  w.Close();
  w.Close();
}

void WritePerson(Writer& w, const PersonSpec& p) {
  w.Item();
  w.Text("id", p.id);
  w.Word("role", p.role);
  w.Word("side", p.side);
  w.Num("age_y", p.age_y);
  w.Word("sex", p.sex);
  w.Num("height_m", p.height_m);
  w.Num("mass_kg", p.mass_kg);
  w.Open("schedule");
  w.Clock("bedtime", p.bedtime_s);
  w.Min("bedtime_sd_min", p.bedtime_sd_s);
  w.Word("activity", p.activity);
  w.Min("activity_min", p.activity_s);
  w.Word("wake_mode", p.wake_mode);
  if (p.wake_mode == "natural") w.Clock("wake", p.wake_s);
  w.Min("wake_sd_min", p.wake_sd_s);
  w.Min("out_of_bed_after_min", p.out_of_bed_after_s);
  w.Close();
  // Rates the scenario leaves to the model are written as the model resolves them
  // from age and sex (exactly: FormatNumber reads back to the same double), so the
  // dump shows every value in force and reloads to the same night. The comment is
  // written whether or not they were given, so a reloaded dump dumps the same text.
  const sleepers::Physiology model = sleepers::ResolvePersonPhysiology(p);
  w.Open("physiology");
  w.Raw("# unless the scenario gives them: the model's defaults for this age and sex");
  w.Num("breathing_rate_bpm", model.breathing.rate_bpm);
  w.Num("heart_rate_bpm", model.heart.rate_bpm);
  w.Num("ahi", p.ahi);
  w.Num("central_apnea_fraction", p.central_apnea_fraction);
  w.Close();
  if (p.events.empty()) w.Raw("events: []");
  else {
    w.Open("events");
    for (const auto& e : p.events) {
      w.Item();
      w.Word("kind", EventKindName(e.kind));
      w.Clock("at", e.at_s);
      if (e.kind != ScriptedEvent::Kind::kTurnOver && e.kind != ScriptedEvent::Kind::kWake)
        w.Min("duration_min", e.duration_s);
      w.EndItem();
    }
    w.Close();
  }
  w.Open("rates");
  w.Raw("# unless the scenario gives them: the model's defaults for this age and sex");
  w.Num("restroom_per_night", model.behaviour.restroom_per_night);
  w.Num("turnover_per_hour", model.behaviour.turnover_per_hour);
  w.Num("early_rise_probability", p.rates.early_rise_probability);
  w.Close();
  w.EndItem();
}

void WritePet(Writer& w, const PetSpec& p) {
  w.Item();
  w.Text("id", p.id);
  w.Word("kind", p.kind);
  w.Word("spot", p.spot);
  w.Num("mass_kg", p.mass_kg);
  if (p.visits.empty()) w.Raw("visits: []");
  else {
    w.Open("visits");
    for (const auto& v : p.visits) {
      w.Item();
      w.Clock("from", v.from_s);
      w.Clock("to", v.to_s);
      w.EndItem();
    }
    w.Close();
  }
  w.Num("visits_per_night", p.visits_per_night);
  w.Min("mean_stay_min", p.mean_stay_s);
  w.EndItem();
}

void WriteSimulation(Writer& w, const SimulationSpec& sim) {
  w.Open("simulation");
  w.Bool("noise", sim.noise);
  w.Bool("quantize", sim.quantize);
  w.Bool("static_scene", sim.static_scene);
  w.Bool("multipath", sim.multipath);
  w.Bool("clutter", sim.clutter);
  w.Bool("rcs_fluctuation", sim.rcs_fluctuation);
  w.Bool("leakage", sim.leakage);
  w.Bool("rx_mismatch", sim.rx_mismatch);
  w.Bool("dc_offset", sim.dc_offset);
  w.Bool("if_filters", sim.if_filters);
  w.Num("kernel_floor_below_noise_db", sim.kernel_floor_below_noise_db);
  w.Num("cull_below_noise_db", sim.cull_below_noise_db);
  w.Close();
}

}  // namespace

std::string DumpScenario(const Scenario& s) {
  Writer w(s.night.start_clock_s);
  w.Raw("# nightsim resolved scenario: every value explicit, parameters substituted");
  w.Text("name", s.name);
  w.Text("description", s.description);
  WriteParameters(w, s);
  w.Open("night");
  w.Clock("start", 0);
  w.Clock("end", s.night.duration_s);
  w.Num("epoch_s", s.night.epoch_s);
  w.Close();
  WriteRoom(w, s);
  WriteDevice(w, s.device);
  if (s.people.empty()) w.Raw("people: []");
  else {
    w.Open("people");
    for (const auto& p : s.people) WritePerson(w, p);
    w.Close();
  }
  if (s.pets.empty()) w.Raw("pets: []");
  else {
    w.Open("pets");
    for (const auto& p : s.pets) WritePet(w, p);
    w.Close();
  }
  WriteSimulation(w, s.simulation);
  return w.str();
}

}  // namespace nightsim::harness::detail
