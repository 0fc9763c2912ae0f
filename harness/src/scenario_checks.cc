// Cross-field rules of a scenario (scenarios/README.md, "Checks across keys"):
// geometry, roles and sides, schedule order, overlaps, identities.
// A rule is skipped when one of its inputs already had a problem, so that one
// mistake is reported once rather than as a cascade.

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "scenario_detail.h"

namespace nightsim::harness::detail {

namespace {

// A device closer than this to a wall is taken to be inside it: the radar
// sits on furniture in front of a wall, not in the plaster.
constexpr double kWallClearanceM = 0.05;
// The boresight must still be inside the room this far ahead of the device.
constexpr double kFacingProbeM = 0.5;

class Checker {
 public:
  Checker(const Scenario& s, const WhereMap& where, Problems& problems)
      : s_(s), where_(where), problems_(problems), read_problems_(problems) {}

  void Run() {
    CheckRoom();
    CheckDevice();
    CheckPeople();
    CheckAlarm();
    CheckEvents();
    CheckPets();
    CheckIds();
  }

 private:
  void Error(const std::string& path, std::string message) { problems_.Add(WhereOf(where_, path), path, std::move(message)); }
  // A value is usable when it was read without a problem. Problems these checks find
  // do not count: a bed outside the room must not hide a pet `between` one person,
  // since validate prints every problem at once.
  bool Ok(std::initializer_list<std::string> paths) const {
    return std::none_of(paths.begin(), paths.end(), [&](const std::string& p) { return read_problems_.Under(p); });
  }
  std::string Clock(double since_start_s) const { return FormatClock(s_.night.start_clock_s + since_start_s); }
  std::string F(double v) const { return fmt::format("{:.2f}", v); }
  bool RoomOk() const { return Ok({"room.width_m", "room.length_m", "room.height_m"}); }
  std::string RoomText() const {
    return fmt::format("the room (x 0–{} m, y 0–{} m)", FormatNumber(s_.room.width_m), FormatNumber(s_.room.length_m));
  }
  bool InsideXY(double x0, double x1, double y0, double y1) const {
    return x0 >= 0 && y0 >= 0 && x1 <= s_.room.width_m && y1 <= s_.room.length_m;
  }
  bool NightOk() const { return Ok({"night"}); }

  void CheckRoom() {
    if (!RoomOk()) return;
    const RoomSpec& room = s_.room;
    if (room.has_bed && Ok({"room.bed"})) {
      const BedSpec& b = room.bed;
      const double x0 = b.center_x_m - b.width_m / 2, x1 = b.center_x_m + b.width_m / 2;
      if (!InsideXY(x0, x1, b.head_y_m, b.head_y_m + b.length_m))
        Error("room.bed", fmt::format("the bed (x {}–{} m, y {}–{} m) reaches outside {}", F(x0), F(x1), F(b.head_y_m),
                                      F(b.head_y_m + b.length_m), RoomText()));
      if (b.height_m >= room.height_m) Error("room.bed.height_m", "the bed is as high as the room");
    }
    for (std::size_t i = 0; i < room.furniture.size(); ++i) {
      const std::string path = fmt::format("room.furniture[{}]", i);
      const FurnitureSpec& f = room.furniture[i];
      if (!Ok({path})) continue;
      const double x0 = f.x_m - f.size_x_m / 2, x1 = f.x_m + f.size_x_m / 2;
      const double y0 = f.y_m - f.size_y_m / 2, y1 = f.y_m + f.size_y_m / 2;
      if (!InsideXY(x0, x1, y0, y1))
        Error(path, fmt::format("'{}' (x {}–{} m, y {}–{} m) reaches outside {}", f.name, F(x0), F(x1), F(y0), F(y1),
                                RoomText()));
      else if (f.height_m > room.height_m)
        Error(path + ".height_m", fmt::format("'{}' is higher than the room", f.name));
    }
    for (std::size_t i = 0; i < room.clutter.size(); ++i) {
      const std::string path = fmt::format("room.clutter[{}]", i);
      const ClutterSpec& c = room.clutter[i];
      if (!Ok({path})) continue;
      if (!InsideXY(c.x_m, c.x_m, c.y_m, c.y_m) || c.z_m < 0 || c.z_m > room.height_m)
        Error(path, fmt::format("'{}' at ({}, {}, {}) m is outside {}", c.name, F(c.x_m), F(c.y_m), F(c.z_m), RoomText()));
      if (c.on_s >= c.off_s && Ok({path + ".on", path + ".off"}) && NightOk())
        Error(path + ".off", fmt::format("'{}' is switched off ({}) before it is switched on ({})", c.name,
                                         Clock(c.off_s), Clock(c.on_s)));
    }
    if (Ok({"room.door"}) && !InsideXY(room.door.x_m, room.door.x_m, room.door.y_m, room.door.y_m))
      Error("room.door", fmt::format("the door at ({}, {}) m is not on the edge of or inside {}", F(room.door.x_m),
                                     F(room.door.y_m), RoomText()));
  }

  void CheckDevice() {
    if (!RoomOk() || !Ok({"device.x_m", "device.y_m", "device.z_m"})) return;
    const DeviceSpec& d = s_.device;
    const RoomSpec& room = s_.room;
    const std::string at = fmt::format("the device at ({}, {}, {}) m", F(d.x_m), F(d.y_m), F(d.z_m));
    if (!InsideXY(d.x_m, d.x_m, d.y_m, d.y_m) || d.z_m < 0 || d.z_m > room.height_m) {
      Error("device", fmt::format("{} is outside the room ({} × {} × {} m)", at, FormatNumber(room.width_m),
                                  FormatNumber(room.length_m), FormatNumber(room.height_m)));
      return;
    }
    const double clearances[] = {d.x_m, room.width_m - d.x_m, d.y_m, room.length_m - d.y_m, d.z_m,
                                 room.height_m - d.z_m};
    const char* surfaces[] = {"the wall at x = 0", "the wall at x = width_m", "the wall at y = 0",
                              "the wall at y = length_m", "the floor", "the ceiling"};
    for (int i = 0; i < 6; ++i) {
      if (clearances[i] >= kWallClearanceM) continue;
      Error("device", fmt::format("{} is {} cm from {}: inside or against it; keep at least {} cm from every wall, "
                                  "the floor and the ceiling",
                                  at, FormatNumber(std::round(clearances[i] * 1000) / 10), surfaces[i],
                                  FormatNumber(kWallClearanceM * 100)));
      return;
    }
    if (room.has_bed && Ok({"room.bed"})) {
      const BedSpec& b = room.bed;
      if (std::fabs(d.x_m - b.center_x_m) < b.width_m / 2 && d.y_m > b.head_y_m && d.y_m < b.head_y_m + b.length_m &&
          d.z_m < b.height_m)
        Error("device", fmt::format("{} is inside the bed", at));
    }
    for (std::size_t i = 0; i < room.furniture.size(); ++i) {
      const FurnitureSpec& f = room.furniture[i];
      if (!Ok({fmt::format("room.furniture[{}]", i)})) continue;
      if (std::fabs(d.x_m - f.x_m) < f.size_x_m / 2 && std::fabs(d.y_m - f.y_m) < f.size_y_m / 2 && d.z_m < f.height_m)
        Error("device", fmt::format("{} is inside '{}' (top at {} m): put it on top", at, f.name, F(f.height_m)));
    }
    if (Ok({"device.yaw_deg"})) {
      const double yaw_rad = d.yaw_deg * std::numbers::pi / 180.0;
      const double px = d.x_m + kFacingProbeM * std::cos(yaw_rad), py = d.y_m + kFacingProbeM * std::sin(yaw_rad);
      if (!InsideXY(px, px, py, py))
        Error("device.yaw_deg", fmt::format("the device faces out of the room (yaw {}°: its boresight leaves the room "
                                            "within {} m); it must face into the room",
                                            FormatNumber(d.yaw_deg), FormatNumber(kFacingProbeM)));
    }
  }

  void CheckPeople() {
    const auto& people = s_.people;
    if (people.empty()) return;
    if (!s_.room.has_bed && Ok({"room"}))
      Error("people", "a person sleeps in a bed, but the room has none (add room.bed)");
    std::vector<std::size_t> primaries;
    bool roles_ok = true;
    for (std::size_t i = 0; i < people.size(); ++i) {
      if (!Ok({fmt::format("people[{}].role", i)})) roles_ok = false;
      else if (people[i].role == "primary") primaries.push_back(i);
    }
    if (roles_ok && primaries.empty())
      Error("people", "no person has role 'primary': the device is set up for exactly one primary");
    for (std::size_t k = 1; k < primaries.size(); ++k)
      Error(fmt::format("people[{}].role", primaries[k]),
            fmt::format("a second primary ('{}'; '{}' is already primary): the device is set up for exactly one",
                        people[primaries[k]].id, people[primaries[0]].id));
    for (std::size_t i = 0; i < people.size(); ++i) {
      const std::string path = fmt::format("people[{}].side", i);
      if (!Ok({path})) continue;
      for (std::size_t j = 0; j < i; ++j) {
        if (people[j].side != people[i].side || !Ok({fmt::format("people[{}].side", j)})) continue;
        Error(path, fmt::format("side '{}' is already taken by '{}': two people share a bed from opposite sides",
                                people[i].side, people[j].id));
        break;
      }
    }
    if (primaries.size() == 1 && Ok({"device.bed_side", fmt::format("people[{}].side", primaries[0])}) &&
        s_.device.bed_side != people[primaries[0]].side)
      Error("device.bed_side", fmt::format("the device is configured for the {} side, but the primary '{}' sleeps on "
                                           "the {}",
                                           s_.device.bed_side, people[primaries[0]].id, people[primaries[0]].side));
    for (std::size_t i = 0; i < people.size(); ++i) {
      const PersonSpec& p = people[i];
      const std::string sched = fmt::format("people[{}].schedule", i);
      if (p.wake_mode == "alarm" && !s_.device.alarm_s && NightOk() && Ok({sched + ".wake_mode", "device.alarm"}))
        Error(sched + ".wake_mode", fmt::format("'{}' wakes by alarm, but device.alarm is not set (set it, or use "
                                                "wake_mode: natural with a wake time)",
                                                p.id));
      if (p.wake_mode == "natural" && Ok({sched + ".bedtime", sched + ".wake"}) && NightOk() &&
          p.wake_s <= p.bedtime_s)
        Error(sched + ".wake", fmt::format("'{}' wakes ({}) before going to bed ({})", p.id, Clock(p.wake_s),
                                           Clock(p.bedtime_s)));
    }
  }

  void CheckAlarm() {
    if (!s_.device.alarm_s || !NightOk()) return;
    for (std::size_t i = 0; i < s_.people.size(); ++i) {
      const PersonSpec& p = s_.people[i];
      if (p.role != "primary" || !Ok({fmt::format("people[{}].schedule.bedtime", i)})) continue;
      if (*s_.device.alarm_s <= p.bedtime_s)
        Error("device.alarm", fmt::format("the alarm ({}) is not after the primary's bedtime ({}, '{}')",
                                          Clock(*s_.device.alarm_s), Clock(p.bedtime_s), p.id));
    }
  }

  static const char* KindName(ScriptedEvent::Kind k) {
    switch (k) {
      case ScriptedEvent::Kind::kGetUp: return "get_up";
      case ScriptedEvent::Kind::kTurnOver: return "turn_over";
      case ScriptedEvent::Kind::kWake: return "wake";
      case ScriptedEvent::Kind::kLeave: return "leave";
      default: return "restroom";
    }
  }

  void CheckEvents() {
    if (!NightOk()) return;
    for (std::size_t i = 0; i < s_.people.size(); ++i) {
      const PersonSpec& p = s_.people[i];
      const std::string base = fmt::format("people[{}].events", i);
      if (!Ok({base})) continue;
      const bool bedtime_ok = Ok({fmt::format("people[{}].schedule.bedtime", i)});
      std::vector<std::size_t> order(p.events.size());
      for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
      std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return p.events[a].at_s < p.events[b].at_s; });
      for (std::size_t k = 0; k < p.events.size(); ++k) {
        const ScriptedEvent& e = p.events[k];
        const std::string path = fmt::format("{}[{}]", base, k);
        if (bedtime_ok && e.at_s < p.bedtime_s)
          Error(path + ".at", fmt::format("'{}' is not in bed yet at {} (bedtime {})", p.id, Clock(e.at_s),
                                          Clock(p.bedtime_s)));
        if (e.at_s + e.duration_s > s_.night.duration_s)
          Error(path + ".duration_min", fmt::format("the {} event ({}–{}) runs past the end of the night ({})",
                                                    KindName(e.kind), Clock(e.at_s), Clock(e.at_s + e.duration_s),
                                                    Clock(s_.night.duration_s)));
      }
      for (std::size_t k = 1; k < order.size(); ++k) {
        const ScriptedEvent& prev = p.events[order[k - 1]];
        const ScriptedEvent& e = p.events[order[k]];
        if (e.at_s >= prev.at_s + prev.duration_s && e.at_s != prev.at_s) continue;
        Error(fmt::format("{}[{}].at", base, order[k]),
              fmt::format("this {} event at {} overlaps {}[{}] ({} {}–{}) of the same person", KindName(e.kind),
                          Clock(e.at_s), base, order[k - 1], KindName(prev.kind), Clock(prev.at_s),
                          Clock(prev.at_s + prev.duration_s)));
      }
    }
  }

  void CheckPets() {
    for (std::size_t i = 0; i < s_.pets.size(); ++i) {
      const PetSpec& pet = s_.pets[i];
      const std::string path = fmt::format("pets[{}]", i);
      if (Ok({path + ".spot", "room"})) {
        if (!s_.room.has_bed)
          Error(path + ".spot", fmt::format("'{}' lies at the bed's {}, but the room has no bed", pet.id, pet.spot));
        else if (pet.spot == "between" && s_.people.size() < 2)
          Error(path + ".spot", fmt::format("'{}' lies between two sleepers, but the scenario has {} {}", pet.id,
                                            s_.people.size(), s_.people.size() == 1 ? "person" : "people"));
      }
      if (!Ok({path + ".visits"}) || !NightOk()) continue;
      std::vector<std::size_t> order(pet.visits.size());
      for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
      for (std::size_t k = 0; k < pet.visits.size(); ++k)
        if (pet.visits[k].to_s <= pet.visits[k].from_s)
          Error(fmt::format("{}.visits[{}].to", path, k),
                fmt::format("the visit ends ({}) before it starts ({})", Clock(pet.visits[k].to_s),
                            Clock(pet.visits[k].from_s)));
      std::stable_sort(order.begin(), order.end(),
                       [&](auto a, auto b) { return pet.visits[a].from_s < pet.visits[b].from_s; });
      for (std::size_t k = 1; k < order.size(); ++k) {
        const PetVisit& prev = pet.visits[order[k - 1]];
        const PetVisit& v = pet.visits[order[k]];
        if (v.from_s < prev.to_s)
          Error(fmt::format("{}.visits[{}].from", path, order[k]),
                fmt::format("this visit ({}–{}) overlaps {}.visits[{}] ({}–{})", Clock(v.from_s), Clock(v.to_s), path,
                            order[k - 1], Clock(prev.from_s), Clock(prev.to_s)));
      }
    }
  }

  // People and pets share one id space: ids name the random streams of entities (docs/design.md §9).
  void CheckIds() {
    std::map<std::string, std::string> seen;
    auto check = [&](const std::string& id, const std::string& path) {
      if (id.empty() || !Ok({path})) return;
      const auto [it, fresh] = seen.emplace(id, path);
      if (!fresh) Error(path, fmt::format("id '{}' is already used by {}", id, it->second.substr(0, it->second.size() - 3)));
    };
    for (std::size_t i = 0; i < s_.people.size(); ++i) check(s_.people[i].id, fmt::format("people[{}].id", i));
    for (std::size_t i = 0; i < s_.pets.size(); ++i) check(s_.pets[i].id, fmt::format("pets[{}].id", i));
    for (const char* list : {"furniture", "clutter"}) {
      std::map<std::string, std::size_t> names;
      const std::size_t n = std::string(list) == "furniture" ? s_.room.furniture.size() : s_.room.clutter.size();
      for (std::size_t i = 0; i < n; ++i) {
        const std::string& name = std::string(list) == "furniture" ? s_.room.furniture[i].name : s_.room.clutter[i].name;
        const std::string path = fmt::format("room.{}[{}].name", list, i);
        if (name.empty() || !Ok({path})) continue;
        const auto [it, fresh] = names.emplace(name, i);
        if (!fresh) Error(path, fmt::format("name '{}' is already used by room.{}[{}]", name, list, it->second));
      }
    }
  }

  const Scenario& s_;
  const WhereMap& where_;
  Problems& problems_;
  const Problems read_problems_;  // the problems of reading the scenario, before any check
};

}  // namespace

void CheckScenario(const Scenario& s, const WhereMap& where, Problems& problems) {
  Checker(s, where, problems).Run();
}

}  // namespace nightsim::harness::detail
