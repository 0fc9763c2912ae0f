// Reads the merged scenario Tree into `Scenario` structs: the key schema of
// scenarios/README.md, `${}` substitution with unit checks, value ranges.
// Cross-field rules live in scenario_checks.cc, the canonical dump in scenario_dump.cc.

#include "harness/scenario_loader.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "physics/radar_config.h"
#include "scenario_detail.h"

namespace nightsim::harness {

using detail::Entry;
using detail::Param;
using detail::ParamTable;
using detail::Problems;
using detail::Src;
using detail::Tree;
using detail::WhereMap;

namespace {

// --- values -----------------------------------------------------------------------

enum class Want { kNumber, kInteger, kBool, kText, kClock };

/// A key's value range, in the key's unit.
struct Range {
  double min{-1e300};
  double max{1e300};
  bool min_open{false};  ///< min itself is not allowed
  bool max_open{false};

  bool Contains(double v) const {
    return (min_open ? v > min : v >= min) && (max_open ? v < max : v <= max);
  }
  std::string Text(const std::string& unit) const {
    const std::string u = unit.empty() ? "" : " " + unit;
    if (max >= 1e300) return fmt::format("{} {}{}", min_open ? ">" : "≥", detail::FormatNumber(min), u);
    return fmt::format("in {}{}, {}{}{}", min_open ? "(" : "[", detail::FormatNumber(min), detail::FormatNumber(max),
                       max_open ? ")" : "]", u);
  }
};

Range Closed(double lo, double hi) { return Range{lo, hi, false, false}; }
Range Positive(double hi = 1e300) { return Range{0, hi, true, false}; }

std::string Describe(const Tree& t) {
  switch (t.kind) {
    case Tree::Kind::kMap: return "a mapping";
    case Tree::Kind::kSeq: return "a list";
    case Tree::Kind::kNull: return "nothing";
    default: return fmt::format("'{}'", t.text);
  }
}

std::string WantText(Want want, const std::string& unit) {
  switch (want) {
    case Want::kNumber: return unit.empty() ? "a number" : fmt::format("a number in {}", unit);
    case Want::kInteger: return unit.empty() ? "an integer" : fmt::format("an integer in {}", unit);
    case Want::kBool: return "true or false";
    case Want::kClock: return "a clock time \"HH:MM\"";
    default: return "a text value";
  }
}

/// Reading state shared by every key: problems, parameters, the night (for clocks)
/// and where each key path was written.
struct Ctx {
  Problems& problems;
  const ParamTable& params;
  WhereMap where;
  std::optional<double> night_start_clock_s;
  double night_duration_s{0};
  std::vector<InputProblem> warnings;  // limits of a valid scenario (Scenario::warnings)

  void Error(const Src& at, const std::string& path, std::string message) {
    problems.Add(at, path, std::move(message));
  }
  void Warn(const Src& at, const std::string& path, std::string message) {
    warnings.push_back(InputProblem{at.file, at.line, at.column, path, std::move(message)});
  }
};

/// The scalar value after `${}` substitution. A whole-value reference to a
/// number parameter is returned already converted to the key's unit.
struct Scalar {
  std::string text;
  std::optional<double> number;  // set for a whole `${p}` number reference
  std::string origin;            // " (from parameter 'p')" or ""
};

std::vector<std::string> ParamNames(const ParamTable& params) {
  std::vector<std::string> names;
  for (const auto& [name, p] : params) names.push_back(name);
  return names;
}

const Param* LookUp(Ctx& ctx, const std::string& name, const Src& at, const std::string& path) {
  const auto it = ctx.params.find(name);
  if (it != ctx.params.end()) return &it->second;
  const auto names = ParamNames(ctx.params);
  ctx.Error(at, path,
            names.empty() ? fmt::format("unknown parameter '{}': this scenario declares no parameters", name)
                          : fmt::format("unknown parameter '{}'{}", name, detail::DidYouMean(name, names)));
  return nullptr;
}

std::optional<Scalar> Substitute(Ctx& ctx, const Tree& node, const std::string& path, Want want,
                                 const std::string& unit) {
  const std::string& text = node.text;
  if (text.find("${") == std::string::npos) return Scalar{text, std::nullopt, ""};
  // A whole-value reference: typed, so its unit can be checked and converted.
  if (text.size() > 3 && text.rfind("${", 0) == 0 && text.back() == '}' && text.find('}') == text.size() - 1) {
    const std::string name = text.substr(2, text.size() - 3);
    const Param* p = LookUp(ctx, name, node.src, path);
    if (!p) return std::nullopt;
    const std::string& type = p->spec.type;
    const std::string origin = fmt::format(" (from parameter '{}')", name);
    auto mismatch = [&](const std::string& what) {
      ctx.Error(node.src, path, fmt::format("parameter '{}' is {}, but this key takes {}", name, what, WantText(want, unit)));
      return std::nullopt;
    };
    if (want == Want::kNumber || want == Want::kInteger) {
      if (type != "float" && type != "int") return mismatch(fmt::format("a {}", type));
      if (want == Want::kInteger && type != "int") return mismatch("a float");
      const auto pu = detail::FindUnit(p->spec.unit), ku = detail::FindUnit(unit);
      if (!pu || !ku || pu->dimension != ku->dimension)
        return mismatch(p->spec.unit.empty() ? std::string("dimensionless")
                                             : fmt::format("in {} ({})", p->spec.unit, pu ? pu->dimension : "?"));
      const double converted = p->number * pu->to_si / ku->to_si;
      return Scalar{detail::FormatNumber(converted), converted, origin};
    }
    if (want == Want::kBool && type != "bool") return mismatch(fmt::format("a {}", type));
    if (want == Want::kClock && type != "clock") return mismatch(fmt::format("a {}", type));
    if (want == Want::kText && type != "string") return mismatch(fmt::format("a {}", type));
    return Scalar{p->text, std::nullopt, origin};
  }
  // References inside a longer text insert the value's text.
  std::string out;
  std::size_t pos = 0;
  while (true) {
    const std::size_t open = text.find("${", pos);
    if (open == std::string::npos) break;
    const std::size_t close = text.find('}', open);
    if (close == std::string::npos) {
      ctx.Error(node.src, path, "unclosed '${': a parameter reference is written ${name}");
      return std::nullopt;
    }
    out += text.substr(pos, open - pos);
    const std::string name = text.substr(open + 2, close - open - 2);
    const Param* p = LookUp(ctx, name, node.src, path);
    if (!p) return std::nullopt;
    if (!p->spec.unit.empty() && want != Want::kText) {
      ctx.Error(node.src, path,
                fmt::format("parameter '{}' carries a unit ({}), so it must be the whole value (${{{}}}) where its "
                            "unit can be checked",
                            name, p->spec.unit, name));
      return std::nullopt;
    }
    out += p->text;
    pos = close + 1;
  }
  out += text.substr(pos);
  return Scalar{out, std::nullopt, ""};
}

// --- mappings -------------------------------------------------------------------------

/// Reads one mapping; remembers the keys it was asked for, so that Finish()
/// can name every other key as unknown with the nearest valid one.
class MapReader {
 public:
  MapReader(Ctx& ctx, const Tree* node, std::string path, Src src)
      : ctx_(ctx), node_(node), path_(std::move(path)), src_(std::move(src)) {
    if (node_ && node_->IsNull()) node_ = nullptr;
    if (node_ && node_->kind != Tree::Kind::kMap) {
      ctx_.Error(node_->src, path_, fmt::format("expected a mapping (key: value lines), got {}", Describe(*node_)));
      node_ = nullptr;
      bad_ = true;
    }
    if (node_) src_ = node_->src;
    ctx_.where.emplace(path_, src_);
  }

  bool present() const { return node_ != nullptr; }
  bool bad() const { return bad_; }
  const Src& src() const { return src_; }
  const std::string& path() const { return path_; }
  std::string Path(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }

  /// The value of `key` (nullptr when absent or null); registers the key as valid.
  const Tree* Get(const std::string& key) {
    known_.push_back(key);
    if (!node_) return nullptr;
    const Tree* t = node_->Find(key);
    if (!t || t->IsNull()) return nullptr;
    ctx_.where[Path(key)] = t->src;
    return t;
  }

  void Missing(const std::string& key, Want want, const std::string& unit = "") {
    ctx_.Error(src_, Path(key), fmt::format("required key '{}' is missing ({})", key, WantText(want, unit)));
  }

  /// A number in `unit`, stored in SI (`*out_si`). Returns true when the file set it.
  bool Number(const std::string& key, const std::string& unit, Range range, double* out_si, bool required = false) {
    const Tree* t = Get(key);
    if (!t) {
      if (required && !bad_) Missing(key, Want::kNumber, unit);
      return false;
    }
    return ReadNumber(*t, Path(key), unit, range, Want::kNumber, out_si);
  }

  bool OptNumber(const std::string& key, const std::string& unit, Range range, std::optional<double>* out_si) {
    double v = 0;
    if (!Number(key, unit, range, &v)) return false;
    *out_si = v;
    return true;
  }

  bool Integer(const std::string& key, Range range, int* out, bool required = false) {
    const Tree* t = Get(key);
    if (!t) {
      if (required && !bad_) Missing(key, Want::kInteger);
      return false;
    }
    double v = 0;
    if (!ReadNumber(*t, Path(key), "", range, Want::kInteger, &v)) return false;
    *out = static_cast<int>(v);
    return true;
  }

  bool Text(const std::string& key, std::string* out, bool required = false) {
    const Tree* t = Get(key);
    if (!t) {
      if (required && !bad_) Missing(key, Want::kText);
      return false;
    }
    const auto s = ScalarOf(*t, Path(key), Want::kText, "");
    if (!s) return false;
    *out = s->text;
    return true;
  }

  /// An identifier-like word (ids and names): letters, digits, '_' and '-'.
  bool Id(const std::string& key, std::string* out) {
    std::string v;
    if (!Text(key, &v, true)) return false;
    const bool ok = !v.empty() && v.size() <= 64 && std::all_of(v.begin(), v.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
    });
    if (!ok) {
      ctx_.Error(ctx_.where[Path(key)], Path(key),
                 fmt::format("expected a word of letters, digits, '_' or '-' (at most 64), got '{}'", v));
      return false;
    }
    *out = v;
    return true;
  }

  bool Choice(const std::string& key, const std::vector<std::string>& choices, std::string* out, bool required = false) {
    const Tree* t = Get(key);
    if (!t) {
      if (required && !bad_)
        ctx_.Error(src_, Path(key), fmt::format("required key '{}' is missing (one of {})", key, fmt::join(choices, ", ")));
      return false;
    }
    const auto s = ScalarOf(*t, Path(key), Want::kText, "");
    if (!s) return false;
    if (std::find(choices.begin(), choices.end(), s->text) == choices.end()) {
      ctx_.Error(t->src, Path(key),
                 fmt::format("expected one of {}; got '{}'{}{}", fmt::join(choices, ", "), s->text, s->origin,
                             detail::DidYouMean(s->text, choices)));
      return false;
    }
    *out = s->text;
    return true;
  }

  /// true or false. Returns true when the file set it.
  bool Flag(const std::string& key, bool* out) {
    const Tree* t = Get(key);
    if (!t) return false;
    const auto s = ScalarOf(*t, Path(key), Want::kBool, "");
    if (!s) return false;
    const auto v = detail::ParseBool(s->text);
    if (!v) {
      ctx_.Error(t->src, Path(key), fmt::format("expected {}, got '{}'{}", WantText(Want::kBool, ""), s->text, s->origin));
      return false;
    }
    *out = *v;
    return true;
  }

  /// A clock time, stored as seconds since the night's start; must fall inside the night.
  bool Clock(const std::string& key, double* out_s, bool required = false) {
    const Tree* t = Get(key);
    if (!t) {
      if (required && !bad_) Missing(key, Want::kClock);
      return false;
    }
    const auto s = ScalarOf(*t, Path(key), Want::kClock, "");
    if (!s) return false;
    const auto clock = detail::ParseClock(s->text);
    if (!clock) {
      ctx_.Error(t->src, Path(key), fmt::format("expected a clock time \"HH:MM\" (24-hour), got '{}'{}", s->text, s->origin));
      return false;
    }
    if (!ctx_.night_start_clock_s) return false;  // the night itself is broken: reported there
    const double start = *ctx_.night_start_clock_s;
    const double since_start = std::fmod(*clock - start + 86400.0, 86400.0);
    if (since_start > ctx_.night_duration_s) {
      ctx_.Error(t->src, Path(key),
                 fmt::format("{}{} is outside the night {}–{} (a clock time before the night's start is on the next day)",
                             s->text, s->origin, detail::FormatClock(start),
                             detail::FormatClock(start + ctx_.night_duration_s)));
      return false;
    }
    *out_s = since_start;
    return true;
  }

  /// A list of 1 to `max_count` numbers in `unit`, each in `range`, stored in SI. Returns
  /// true when the file set it and every item is valid.
  bool Numbers(const std::string& key, const std::string& unit, Range range, std::size_t max_count,
               std::vector<double>* out_si) {
    const Tree* t = List(key);
    if (!t) return false;
    if (t->seq.empty() || t->seq.size() > max_count) {
      ctx_.Error(t->src, Path(key), fmt::format("expected a list of 1 to {} numbers in {}", max_count, unit));
      return false;
    }
    std::vector<double> values(t->seq.size());
    bool ok = true;
    for (std::size_t i = 0; i < t->seq.size(); ++i) {
      ok = ReadNumber(t->seq[i], fmt::format("{}[{}]", Path(key), i), unit, range, Want::kNumber, &values[i]) && ok;
    }
    if (ok) *out_si = values;
    return ok;
  }

  /// A nested mapping (possibly absent: then every key reads as absent).
  MapReader Sub(const std::string& key, bool required = false) {
    const Tree* t = Get(key);
    if (!t && required && !bad_)
      ctx_.Error(src_, Path(key), fmt::format("required mapping '{}' is missing", key));
    return MapReader(ctx_, t, Path(key), t ? t->src : src_);
  }

  /// A list (nullptr when absent or not a list; the latter is reported).
  const Tree* List(const std::string& key) {
    const Tree* t = Get(key);
    if (t && t->kind != Tree::Kind::kSeq) {
      ctx_.Error(t->src, Path(key), fmt::format("expected a list ('- ' items), got {}", Describe(*t)));
      return nullptr;
    }
    return t;
  }

  /// Reports every key that was not asked for (duplicates were reported by the parser).
  void Finish() {
    if (!node_) return;
    for (const Entry& e : node_->map) {
      if (std::find(known_.begin(), known_.end(), e.key) != known_.end()) continue;
      ctx_.Error(e.key_src, Path(e.key),
                 fmt::format("unknown key '{}'{}", e.key, detail::DidYouMean(e.key, known_)));
    }
  }

  /// Shared by keys and list elements.
  bool ReadNumber(const Tree& t, const std::string& path, const std::string& unit, Range range, Want want,
                  double* out_si) {
    const auto s = ScalarOf(t, path, want, unit);
    if (!s) return false;
    std::optional<double> v = s->number ? s->number : detail::ParseNumber(s->text);
    if (v && want == Want::kInteger && (*v != std::floor(*v) || std::fabs(*v) > 1e9)) v.reset();
    if (!v) {
      ctx_.Error(t.src, path, fmt::format("expected {}, got '{}'{}", WantText(want, unit), s->text, s->origin));
      return false;
    }
    if (!range.Contains(*v)) {
      ctx_.Error(t.src, path,
                 fmt::format("expected a value {}, got {}{}", range.Text(unit), detail::FormatNumber(*v), s->origin));
      return false;
    }
    *out_si = *v * detail::FindUnit(unit).value().to_si;  // a key with an unknown unit is a bug: throw
    return true;
  }

 private:
  std::optional<Scalar> ScalarOf(const Tree& t, const std::string& path, Want want, const std::string& unit) {
    if (t.kind != Tree::Kind::kScalar) {
      ctx_.Error(t.src, path, fmt::format("expected {}, got {}", WantText(want, unit), Describe(t)));
      return std::nullopt;
    }
    return Substitute(ctx_, t, path, want, unit);
  }

  Ctx& ctx_;
  const Tree* node_;
  std::string path_;
  Src src_;
  bool bad_{false};
  std::vector<std::string> known_;
};

/// The elements of a list that are mappings, with their paths; others are reported.
std::vector<std::pair<const Tree*, std::string>> Elements(Ctx& ctx, const Tree* list, const std::string& path,
                                                          const char* what) {
  std::vector<std::pair<const Tree*, std::string>> out;
  if (!list) return out;
  for (std::size_t i = 0; i < list->seq.size(); ++i) {
    const Tree& e = list->seq[i];
    const std::string p = fmt::format("{}[{}]", path, i);
    if (e.kind != Tree::Kind::kMap)
      ctx.Error(e.src, p, fmt::format("expected a mapping ({}), got {}", what, Describe(e)));
    else
      out.emplace_back(&e, p);
  }
  return out;
}

// --- the schema ---------------------------------------------------------------------

const std::vector<std::string> kSides = {"left", "right"};

void ReadNight(Ctx& ctx, MapReader& top, NightSpec& night) {
  MapReader r = top.Sub("night", true);
  double start = 0, end = 0;
  bool ok = true;
  for (auto [key, out] : {std::pair{"start", &start}, std::pair{"end", &end}}) {
    const Tree* t = r.Get(key);
    if (!t) {
      if (!r.bad()) r.Missing(key, Want::kClock);
      ok = false;
      continue;
    }
    const auto s = t->kind == Tree::Kind::kScalar ? Substitute(ctx, *t, r.Path(key), Want::kClock, "") : std::nullopt;
    if (t->kind != Tree::Kind::kScalar) ctx.Error(t->src, r.Path(key), fmt::format("expected a clock time \"HH:MM\", got {}", Describe(*t)));
    const auto clock = s ? detail::ParseClock(s->text) : std::nullopt;
    if (s && !clock)
      ctx.Error(t->src, r.Path(key), fmt::format("expected a clock time \"HH:MM\" (24-hour), got '{}'{}", s->text, s->origin));
    if (!clock) {
      ok = false;
      continue;
    }
    *out = *clock;
  }
  r.Number("epoch_s", "s", Closed(1, 300), &night.epoch_s);
  r.Finish();
  if (!ok) return;
  const double duration = std::fmod(end - start + 86400.0, 86400.0);
  if (duration == 0) {
    ctx.Error(ctx.where[r.Path("end")], r.Path("end"), "the night has no length: end equals start");
    return;
  }
  night.start_clock_s = start;
  night.duration_s = duration;
  ctx.night_start_clock_s = start;
  ctx.night_duration_s = duration;
  if (duration < night.epoch_s)
    ctx.Error(ctx.where[r.Path("epoch_s")], r.Path("epoch_s"), "the night is shorter than one epoch");
}

void ReadRoom(Ctx& ctx, MapReader& top, RoomSpec& room) {
  MapReader r = top.Sub("room", true);
  r.Number("width_m", "m", Closed(1, 20), &room.width_m, true);
  r.Number("length_m", "m", Closed(1, 20), &room.length_m, true);
  r.Number("height_m", "m", Closed(1.8, 6), &room.height_m, true);

  MapReader refl = r.Sub("reflectivity");
  refl.Number("walls", "", Closed(0, 1), &room.reflectivity.walls);
  refl.Number("floor", "", Closed(0, 1), &room.reflectivity.floor);
  refl.Number("ceiling", "", Closed(0, 1), &room.reflectivity.ceiling);
  refl.Finish();

  MapReader bed = r.Sub("bed");
  room.has_bed = bed.present();
  if (bed.present()) {
    bed.Number("center_x_m", "m", Closed(0, 20), &room.bed.center_x_m, true);
    bed.Number("head_y_m", "m", Closed(0, 20), &room.bed.head_y_m, true);
    bed.Number("width_m", "m", Closed(0.7, 2.5), &room.bed.width_m);
    bed.Number("length_m", "m", Closed(1.5, 2.5), &room.bed.length_m);
    bed.Number("height_m", "m", Closed(0.1, 1.2), &room.bed.height_m);
  }
  bed.Finish();

  for (const auto& [node, path] : Elements(ctx, r.List("furniture"), r.Path("furniture"), "one piece of furniture")) {
    MapReader f(ctx, node, path, node->src);
    FurnitureSpec spec;
    f.Id("name", &spec.name);
    f.Number("x_m", "m", Closed(-50, 50), &spec.x_m, true);
    f.Number("y_m", "m", Closed(-50, 50), &spec.y_m, true);
    f.Number("size_x_m", "m", Positive(10), &spec.size_x_m);
    f.Number("size_y_m", "m", Positive(10), &spec.size_y_m);
    f.Number("height_m", "m", Positive(6), &spec.height_m);
    f.Number("rcs_dbsm", "dBsm", Closed(-60, 30), &spec.rcs_dbsm);
    f.Finish();
    room.furniture.push_back(spec);
  }

  for (const auto& [node, path] : Elements(ctx, r.List("clutter"), r.Path("clutter"), "one moving reflector")) {
    MapReader c(ctx, node, path, node->src);
    ClutterSpec spec;
    c.Id("name", &spec.name);
    std::string kind = "fan";
    c.Choice("kind", {"fan", "curtain"}, &kind, true);
    spec.kind = kind == "curtain" ? ClutterSpec::Kind::kCurtain : ClutterSpec::Kind::kFan;
    if (spec.kind == ClutterSpec::Kind::kCurtain) {  // a curtain sways slowly and does not oscillate
      spec.rate_hz = 0.2;
      spec.oscillation_hz = 0.0;
    }
    c.Number("x_m", "m", Closed(-50, 50), &spec.x_m, true);
    c.Number("y_m", "m", Closed(-50, 50), &spec.y_m, true);
    c.Number("z_m", "m", Closed(-50, 50), &spec.z_m);
    c.Number("rate_hz", "Hz", Positive(100), &spec.rate_hz);
    c.Number("oscillation_hz", "Hz", Closed(0, 2), &spec.oscillation_hz);
    c.Number("amplitude_m", "m", Positive(2), &spec.amplitude_m);
    c.Number("rcs_dbsm", "dBsm", Closed(-60, 30), &spec.rcs_dbsm);
    spec.on_s = 0;
    spec.off_s = ctx.night_duration_s;
    c.Clock("on", &spec.on_s);
    c.Clock("off", &spec.off_s);
    c.Finish();
    room.clutter.push_back(spec);
  }

  MapReader door = r.Sub("door");
  room.door = DoorSpec{0.3, std::max(0.0, room.length_m - 0.3)};
  if (door.present()) {
    door.Number("x_m", "m", Closed(-50, 50), &room.door.x_m, true);
    door.Number("y_m", "m", Closed(-50, 50), &room.door.y_m, true);
  }
  door.Finish();
  r.Finish();
}

void ReadRadar(Ctx& ctx, MapReader& r, RadarParams& radar) {
  const std::vector<std::string> presets = physics::RadarPresetNames();
  std::string preset = presets.front();
  const bool named = r.Text("preset", &preset);
  if (!physics::ApplyRadarPreset(preset, &radar)) {
    ctx.Error(named ? ctx.where[r.Path("preset")] : r.src(), r.Path("preset"),
              fmt::format("unknown radar preset '{}'; known: {}{}", preset, fmt::join(presets, ", "),
                          detail::DidYouMean(preset, presets)));
  }
  radar.preset = preset;
  r.Number("start_hz", "Hz", Closed(1e9, 300e9), &radar.start_hz);
  r.Number("bandwidth_hz", "Hz", Positive(20e9), &radar.bandwidth_hz);
  const bool samples = r.Integer("samples_per_chirp", Closed(8, 4096), &radar.samples_per_chirp);
  const bool rate = r.Number("sample_rate_hz", "Hz", Positive(1e9), &radar.sample_rate_hz);
  const bool chirp = r.Number("chirp_s", "s", Positive(0.1), &radar.chirp_s);
  if (!chirp && (samples || rate)) radar.chirp_s = radar.samples_per_chirp / radar.sample_rate_hz;
  r.Integer("chirps_per_frame", Closed(1, 4096), &radar.chirps_per_frame);
  r.Number("chirp_repetition_s", "s", Positive(0.1), &radar.chirp_repetition_s);
  r.Number("frame_rate_hz", "Hz", Positive(10000), &radar.frame_rate_hz);
  if (const Tree* rx = r.List("rx_positions_m")) {
    std::vector<std::array<double, 3>> positions;
    bool ok = !rx->seq.empty() && rx->seq.size() <= 16;
    if (!ok) ctx.Error(rx->src, r.Path("rx_positions_m"), "expected 1 to 16 antenna positions [x, y, z]");
    for (std::size_t i = 0; ok && i < rx->seq.size(); ++i) {
      const Tree& p = rx->seq[i];
      const std::string path = fmt::format("{}[{}]", r.Path("rx_positions_m"), i);
      if (p.kind != Tree::Kind::kSeq || p.seq.size() != 3) {
        ctx.Error(p.src, path, fmt::format("expected a position [x, y, z] in m, got {}", Describe(p)));
        ok = false;
        break;
      }
      std::array<double, 3> xyz{};
      for (int k = 0; k < 3; ++k)
        ok = r.ReadNumber(p.seq[k], path, "m", Closed(-0.5, 0.5), Want::kNumber, &xyz[k]) && ok;
      positions.push_back(xyz);
    }
    if (ok) radar.rx_positions_m = positions;
  }
  r.Number("tx_power_dbm", "dBm", Closed(-50, 40), &radar.tx_power_dbm);
  r.Number("antenna_gain_dbi", "dBi", Closed(-20, 40), &radar.antenna_gain_dbi);
  r.Number("azimuth_fov_deg", "deg", Range{0, 180, true, false}, &radar.azimuth_fov_deg);
  r.Number("elevation_fov_deg", "deg", Range{0, 180, true, false}, &radar.elevation_fov_deg);
  r.Number("noise_figure_db", "dB", Closed(0, 50), &radar.noise_figure_db);
  r.Number("if_gain_db", "dB", Closed(-20, 100), &radar.if_gain_db);
  r.Number("if_highpass_hz", "Hz", Closed(0, 1e9), &radar.if_highpass_hz);
  r.Number("if_lowpass_hz", "Hz", Positive(1e9), &radar.if_lowpass_hz);
  r.Integer("adc_bits", Closed(1, 32), &radar.adc_bits);
  r.Number("adc_full_scale_v", "V", Positive(100), &radar.adc_full_scale_v);
  r.Number("phase_noise_dbc_hz", "dBc/Hz", Closed(-200, 0), &radar.phase_noise_dbc_hz);
  r.Number("rf_gain_db", "dB", Closed(-20, 60), &radar.rf_gain_db);
  r.Numbers("leakage_dbc", "dB", Closed(-200, 0), physics::kMaxRx, &radar.leakage_dbc);
  r.Number("leakage_path_m", "m", Positive(1), &radar.leakage_path_m);
  r.Number("leakage_jitter_db", "dB", Closed(-200, 0), &radar.leakage_jitter_db);
  r.Number("leakage_drift_deg", "deg", Closed(0, 180), &radar.leakage_drift_deg);
  r.Numbers("rx_gain_db", "dB", Closed(-40, 40), physics::kMaxRx, &radar.rx_gain_db);
  r.Numbers("rx_phase_deg", "deg", Closed(-360, 360), physics::kMaxRx, &radar.rx_phase_deg);
  r.Numbers("dc_offset_v", "V", Closed(-100, 100), physics::kMaxRx, &radar.dc_offset_v);
  r.Finish();
  if (ctx.problems.Under(r.path())) return;  // cross-field checks need sane single values
  for (const auto& p : physics::CheckRadarParams(radar)) {
    const std::string path = r.Path(p.key);
    if (p.warning) {
      ctx.Warn(detail::WhereOf(ctx.where, path), path, p.message);
    } else {
      ctx.Error(detail::WhereOf(ctx.where, path), path, p.message);
    }
  }
}

void ReadDevice(Ctx& ctx, MapReader& top, DeviceSpec& device, bool* bed_side_given) {
  MapReader r = top.Sub("device", true);
  r.Number("x_m", "m", Closed(-50, 50), &device.x_m, true);
  r.Number("y_m", "m", Closed(-50, 50), &device.y_m, true);
  r.Number("z_m", "m", Closed(-50, 50), &device.z_m, true);
  r.Number("yaw_deg", "deg", Closed(-360, 360), &device.yaw_deg, true);
  r.Number("pitch_deg", "deg", Closed(-90, 90), &device.pitch_deg);
  *bed_side_given = r.Choice("bed_side", kSides, &device.bed_side);
  double alarm = 0;
  if (r.Clock("alarm", &alarm)) device.alarm_s = alarm;
  r.Number("smart_window_min", "min", Closed(0, 120), &device.smart_window_s);
  MapReader radar = r.Sub("radar");
  ReadRadar(ctx, radar, device.radar);
  r.Finish();
}

void ReadSimulation(MapReader& top, SimulationSpec& sim) {
  MapReader r = top.Sub("simulation");
  r.Flag("noise", &sim.noise);
  r.Flag("quantize", &sim.quantize);
  r.Flag("static_scene", &sim.static_scene);
  r.Flag("multipath", &sim.multipath);
  r.Flag("clutter", &sim.clutter);
  r.Flag("rcs_fluctuation", &sim.rcs_fluctuation);
  r.Flag("leakage", &sim.leakage);
  r.Flag("rx_mismatch", &sim.rx_mismatch);
  r.Flag("dc_offset", &sim.dc_offset);
  r.Flag("if_filters", &sim.if_filters);
  r.Number("kernel_floor_below_noise_db", "dB", Closed(0, 80), &sim.kernel_floor_below_noise_db);
  r.Number("cull_below_noise_db", "dB", Closed(-20, 80), &sim.cull_below_noise_db);
  r.Finish();
}

ScriptedEvent::Kind EventKind(const std::string& kind) {
  if (kind == "get_up") return ScriptedEvent::Kind::kGetUp;
  if (kind == "turn_over") return ScriptedEvent::Kind::kTurnOver;
  if (kind == "wake") return ScriptedEvent::Kind::kWake;
  if (kind == "leave") return ScriptedEvent::Kind::kLeave;
  return ScriptedEvent::Kind::kRestroom;
}

void ReadPerson(Ctx& ctx, const Tree* node, const std::string& path, PersonSpec& p) {
  MapReader r(ctx, node, path, node->src);
  r.Id("id", &p.id);
  r.Choice("role", {"primary", "partner"}, &p.role, true);
  r.Choice("side", kSides, &p.side, true);
  r.Number("age_y", "y", Closed(0, 120), &p.age_y);
  r.Choice("sex", {"female", "male"}, &p.sex);
  r.Number("height_m", "m", Closed(0.3, 2.5), &p.height_m);
  r.Number("mass_kg", "kg", Closed(2, 300), &p.mass_kg);

  MapReader s = r.Sub("schedule", true);
  p.bedtime_sd_s = 600;
  p.activity_s = 900;
  p.wake_sd_s = 900;
  p.out_of_bed_after_s = 300;
  s.Clock("bedtime", &p.bedtime_s, true);
  s.Number("bedtime_sd_min", "min", Closed(0, 120), &p.bedtime_sd_s);
  s.Choice("activity", {"none", "reading", "tv", "phone", "lying"}, &p.activity);
  s.Number("activity_min", "min", Closed(0, 300), &p.activity_s);
  s.Choice("wake_mode", {"alarm", "natural"}, &p.wake_mode);
  if (p.wake_mode == "natural") {
    s.Clock("wake", &p.wake_s, true);
  } else if (s.Get("wake")) {
    ctx.Error(ctx.where[s.Path("wake")], s.Path("wake"), "'wake' is only used with wake_mode: natural");
  }
  s.Number("wake_sd_min", "min", Closed(0, 120), &p.wake_sd_s);
  s.Number("out_of_bed_after_min", "min", Closed(0, 120), &p.out_of_bed_after_s);
  s.Finish();

  MapReader ph = r.Sub("physiology");
  ph.OptNumber("breathing_rate_bpm", "bpm", Closed(4, 40), &p.breathing_rate_bpm);
  ph.OptNumber("heart_rate_bpm", "bpm", Closed(30, 200), &p.heart_rate_bpm);
  ph.Number("ahi", "per_hour", Closed(0, 150), &p.ahi);
  ph.Number("central_apnea_fraction", "", Closed(0, 1), &p.central_apnea_fraction);
  ph.Finish();

  for (const auto& [enode, epath] : Elements(ctx, r.List("events"), r.Path("events"), "one scripted event")) {
    MapReader e(ctx, enode, epath, enode->src);
    ScriptedEvent ev;
    std::string kind = "restroom";
    e.Choice("kind", {"restroom", "get_up", "turn_over", "wake", "leave"}, &kind, true);
    ev.kind = EventKind(kind);
    e.Clock("at", &ev.at_s, true);
    const bool instant = ev.kind == ScriptedEvent::Kind::kTurnOver || ev.kind == ScriptedEvent::Kind::kWake;
    ev.duration_s = instant ? 0.0 : kind == "restroom" ? 300.0 : kind == "get_up" ? 600.0 : 3600.0;
    if (instant) {
      if (e.Get("duration_min"))
        ctx.Error(ctx.where[e.Path("duration_min")], e.Path("duration_min"),
                  fmt::format("a '{}' event is instantaneous: it takes no duration", kind));
    } else {
      e.Number("duration_min", "min", Positive(600), &ev.duration_s);
    }
    e.Finish();
    p.events.push_back(ev);
  }

  MapReader rates = r.Sub("rates");
  rates.OptNumber("restroom_per_night", "per_night", Closed(0, 10), &p.rates.restroom_per_night);
  rates.OptNumber("turnover_per_hour", "per_hour", Closed(0, 30), &p.rates.turnover_per_hour);
  rates.Number("early_rise_probability", "", Closed(0, 1), &p.rates.early_rise_probability);
  rates.Finish();
  r.Finish();
}

void ReadPet(Ctx& ctx, const Tree* node, const std::string& path, PetSpec& p) {
  MapReader r(ctx, node, path, node->src);
  r.Id("id", &p.id);
  r.Choice("kind", {"cat", "dog"}, &p.kind, true);
  p.mass_kg = p.kind == "dog" ? 12.0 : 4.5;
  r.Choice("spot", {"foot", "between", "left", "right"}, &p.spot);
  r.Number("mass_kg", "kg", Closed(0.5, 100), &p.mass_kg);
  for (const auto& [vnode, vpath] : Elements(ctx, r.List("visits"), r.Path("visits"), "one visit: from, to")) {
    MapReader v(ctx, vnode, vpath, vnode->src);
    PetVisit visit;
    v.Clock("from", &visit.from_s, true);
    v.Clock("to", &visit.to_s, true);
    v.Finish();
    p.visits.push_back(visit);
  }
  r.Number("visits_per_night", "per_night", Closed(0, 20), &p.visits_per_night);
  p.mean_stay_s = 3600;
  r.Number("mean_stay_min", "min", Positive(720), &p.mean_stay_s);
  r.Finish();
}

Scenario ReadScenario(Ctx& ctx, const Tree& root, const std::string& path, bool* bed_side_given) {
  Scenario s;
  s.source_path = path;
  s.name = std::filesystem::path(path).stem().string();
  MapReader top(ctx, &root, "", root.src);
  top.Get("parameters");  // read by ReadParameters
  top.Text("name", &s.name);
  top.Text("description", &s.description);
  ReadNight(ctx, top, s.night);
  ReadRoom(ctx, top, s.room);
  ReadDevice(ctx, top, s.device, bed_side_given);
  for (const auto& [node, p] : Elements(ctx, top.List("people"), "people", "one person")) {
    s.people.emplace_back();
    ReadPerson(ctx, node, p, s.people.back());
  }
  for (const auto& [node, p] : Elements(ctx, top.List("pets"), "pets", "one pet")) {
    s.pets.emplace_back();
    ReadPet(ctx, node, p, s.pets.back());
  }
  ReadSimulation(top, s.simulation);
  top.Finish();
  s.warnings = ctx.warnings;
  return s;
}

[[noreturn]] void Throw(Problems& problems) { throw InputError(std::move(problems.list)); }

Scenario Resolve(std::optional<Tree> root, const std::string& path, const ParameterOverrides& overrides,
                 Problems& problems) {
  if (!root) Throw(problems);
  ParamTable params = detail::ReadParameters(*root, overrides, problems);
  Ctx ctx{problems, params, {}, std::nullopt, 0, {}};
  bool bed_side_given = false;
  Scenario s = ReadScenario(ctx, *root, path, &bed_side_given);
  if (ctx.night_start_clock_s) detail::CheckClockParameters(params, *ctx.night_start_clock_s, problems);
  s.parameters = detail::ParameterSpecs(params);
  // The device is set up for the primary: its bed side follows theirs unless given.
  if (!bed_side_given)
    for (const auto& p : s.people)
      if (p.role == "primary") s.device.bed_side = p.side;
  detail::CheckScenario(s, ctx.where, problems);
  if (problems.Any()) Throw(problems);
  s.resolved_yaml = detail::DumpScenario(s);
  return s;
}

}  // namespace

namespace detail {

Src WhereOf(const WhereMap& where, const std::string& path) {
  std::string p = path;
  while (true) {
    const auto it = where.find(p);
    if (it != where.end()) return it->second;
    const std::size_t cut = p.find_last_of(".[");
    if (cut == std::string::npos) break;
    p.resize(cut);
  }
  const auto root = where.find("");
  return root != where.end() ? root->second : Src{};
}

}  // namespace detail

Scenario LoadScenario(const std::string& path, const ParameterOverrides& overrides) {
  Problems problems;
  auto root = detail::LoadMerged(path, problems);
  return Resolve(std::move(root), path, overrides, problems);
}

Scenario LoadScenarioText(const std::string& yaml_text, const std::string& path, const ParameterOverrides& overrides) {
  Problems problems;
  auto root = detail::LoadMergedText(yaml_text, path, problems);
  return Resolve(std::move(root), path, overrides, problems);
}

std::string ResolvedYaml(const Scenario& scenario) { return detail::DumpScenario(scenario); }

std::vector<ParameterSpec> ScenarioParameters(const std::string& path, const ParameterOverrides& overrides) {
  Problems problems;
  auto root = detail::LoadMerged(path, problems);
  if (!root) Throw(problems);
  ParamTable params = detail::ReadParameters(*root, overrides, problems);
  // Clock parameters need the night's start for their ranges; problems of the
  // night itself belong to validation, not to this listing.
  NightSpec night;
  Problems night_problems;
  Ctx night_ctx{night_problems, params, {}, std::nullopt, 0, {}};
  MapReader night_top(night_ctx, &*root, "", root->src);
  ReadNight(night_ctx, night_top, night);
  if (night_ctx.night_start_clock_s) detail::CheckClockParameters(params, *night_ctx.night_start_clock_s, problems);
  if (problems.Any()) Throw(problems);
  return detail::ParameterSpecs(params);
}

ParameterOverrides ParseOverrides(const std::vector<std::string>& name_equals_value) {
  ParameterOverrides out;
  std::vector<InputProblem> problems;
  for (const auto& arg : name_equals_value) {
    const std::size_t eq = arg.find('=');
    if (eq == std::string::npos || eq == 0) {
      problems.push_back({"", 0, 0, "--set " + arg, "expected name=value"});
      continue;
    }
    const std::string name = arg.substr(0, eq);
    if (!out.emplace(name, arg.substr(eq + 1)).second)
      problems.push_back({"", 0, 0, "--set " + name, "parameter set twice"});
  }
  if (!problems.empty()) throw InputError(std::move(problems));
  return out;
}

RadarParams ResolveRadarParams(const std::string& radar_yaml) {
  Problems problems;
  auto tree = detail::ParseYaml(radar_yaml, "<radar>", problems);
  if (!tree) Throw(problems);
  ParamTable none;
  Ctx ctx{problems, none, {}, std::nullopt, 0, {}};
  MapReader r(ctx, &*tree, "device.radar", tree->src);
  RadarParams radar;
  if (!r.bad()) ReadRadar(ctx, r, radar);
  if (problems.Any()) Throw(problems);
  return radar;
}

void PrintScenarioWarnings(const Scenario& scenario) {
  for (const InputProblem& w : scenario.warnings) fmt::print(stderr, "warning: {}\n", w.Format());
}

std::optional<double> ParseClockTime(std::string_view text) { return detail::ParseClock(text); }

std::string FormatClockTime(double seconds_after_midnight, bool with_seconds) {
  return detail::FormatClock(seconds_after_midnight, with_seconds);
}

}  // namespace nightsim::harness
