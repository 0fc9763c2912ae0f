// Tests the scenario loader: bad inputs (each names its file, line, key path and
// what was expected), good inputs, extends, parameters and the resolved YAML.

#include "harness/scenario_loader.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include "core/errors.h"
#include "sleepers/physiology.h"

namespace nightsim::harness {
namespace {

const std::string kData = std::string(NIGHTSIM_SOURCE_DIR) + "/tests/harness/data/scenarios/";
const std::string kScenarios = std::string(NIGHTSIM_SOURCE_DIR) + "/scenarios/";

std::vector<InputProblem> ProblemsOf(const std::string& path, const ParameterOverrides& overrides = {}) {
  try {
    LoadScenario(path, overrides);
  } catch (const InputError& e) {
    return e.problems();
  }
  ADD_FAILURE() << path << " loaded without error";
  return {};
}

std::string All(const std::vector<InputProblem>& problems) {
  std::string out;
  for (const auto& p : problems) out += p.Format() + "\n";
  return out;
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct BadCase {
  const char* file;        // under tests/harness/data/scenarios/bad/
  const char* key;         // exact key path of the (first) problem
  int line;                // 1-based line of the problem
  const char* message;     // a distinctive part of the message
  const char* in_file{""};  // the file the problem is in (relative to the data folder), when not `file`
};

void PrintTo(const BadCase& c, std::ostream* os) { *os << c.file; }

class BadScenario : public ::testing::TestWithParam<BadCase> {};

// Tests that each bad input is rejected with the key path, line and message a
// person needs to fix it, and that nothing else is reported alongside it.
TEST_P(BadScenario, names_file_line_key_and_expectation) {
  const BadCase& c = GetParam();
  const auto problems = ProblemsOf(kData + "bad/" + c.file);
  ASSERT_FALSE(problems.empty());
  const InputProblem& p = problems.front();
  SCOPED_TRACE(All(problems));
  EXPECT_EQ(problems.size(), 1u);
  const std::string expected_file = *c.in_file ? std::string(c.in_file) : std::string("bad/") + c.file;
  EXPECT_TRUE(p.file.ends_with(expected_file)) << p.file;
  EXPECT_EQ(p.key, c.key);
  EXPECT_EQ(p.line, c.line);
  EXPECT_GT(p.column, 0);
  EXPECT_NE(p.message.find(c.message), std::string::npos) << p.message;
}

const BadCase kBadCases[] = {
    {"malformed_yaml.yaml", "", 5, "malformed YAML: end of sequence flow not found"},
    {"stray_comma.yaml", "", 2, "malformed YAML: unexpected ','"},
    {"two_documents.yaml", "", 3, "expected one YAML document, found more"},
    {"not_a_mapping.yaml", "", 1, "expected a mapping (key: value lines) at the top level"},
    {"empty_file.yaml", "", 1, "the file is empty"},
    {"wrong_type.yaml", "room.width_m", 3, "expected a number in m, got 'four'"},
    {"unknown_key.yaml", "room.widht_m", 3, "unknown key 'widht_m' (did you mean 'width_m'?)"},
    {"missing_unit_suffix.yaml", "people[0].age", 4, "unknown key 'age' (did you mean 'age_y'?)"},
    {"bad_enum.yaml", "people[0].sex", 4, "got 'femal' (did you mean 'female'?)"},
    {"unknown_preset.yaml", "device.radar.preset", 4,
     "unknown radar preset 'bgt60tr31c'; known: bgt60tr13c, bgt60tr13c_wideband (did you mean 'bgt60tr13c'?)"},
    {"leakage_per_rx.yaml", "device.radar.leakage_dbc", 4, "expected one value per receive antenna (3), got 2"},
    {"rx_gain_not_a_number.yaml", "device.radar.rx_gain_db[1]", 4, "expected a number in dB, got 'loud'"},
    {"chirps_overlap.yaml", "device.radar.chirp_repetition_s", 5, "chirps overlap"},
    {"age_out_of_range.yaml", "people[0].age_y", 4, "expected a value in [0, 120] y, got 130"},
    {"negative_rate.yaml", "people[0].rates.restroom_per_night", 5, "expected a value in [0, 10] per_night, got -1"},
    {"zero_fan_rate.yaml", "room.clutter[0].rate_hz", 8, "expected a value in (0, 100] Hz, got 0"},
    {"missing_required.yaml", "room.width_m", 5, "required key 'width_m' is missing (a number in m)"},
    {"people_not_a_list.yaml", "people", 3, "expected a list ('- ' items), got a mapping"},
    {"duplicate_key.yaml", "device.yaw_deg", 4, "duplicate key 'yaw_deg' (first written at line 3)"},
    {"bad_clock.yaml", "people[0].schedule.bedtime", 5, "expected a clock time \"HH:MM\" (24-hour), got '25:10'"},
    {"time_outside_night.yaml", "people[0].schedule.bedtime", 5, "12:00 is outside the night 22:00–07:00"},
    {"night_zero_length.yaml", "night.end", 3, "the night has no length"},
    {"bed_outside_room.yaml", "room.bed", 4, "the bed (x 2.50–3.90 m, y 0.05–2.05 m) reaches outside the room"},
    {"device_in_wall.yaml", "device", 5, "is 2 cm from the wall at x = 0: inside or against it"},
    {"device_outside_room.yaml", "device", 3, "is outside the room (3.5 × 4 × 2.4 m)"},
    {"device_facing_wall.yaml", "device.yaw_deg", 4, "the device faces out of the room"},
    {"pet_spot_no_bed.yaml", "pets[0].spot", 10, "lies at the bed's foot, but the room has no bed"},
    {"pet_between_one_person.yaml", "pets[0].spot", 5, "lies between two sleepers, but the scenario has 1 person"},
    {"alarm_before_bedtime.yaml", "device.alarm", 3, "the alarm (22:45) is not after the primary's bedtime (23:00, 'alex')"},
    {"alarm_wake_without_alarm.yaml", "people[0].schedule.wake_mode", 30, "wakes by alarm, but device.alarm is not set",
     "good/base.yaml"},
    {"overlapping_events.yaml", "people[0].events[1].at", 6,
     "this get_up event at 03:05 overlaps people[0].events[0] (restroom 03:00–03:10)"},
    {"event_before_bedtime.yaml", "people[0].events[0].at", 6, "'alex' is not in bed yet at 22:30 (bedtime 23:00)"},
    {"instant_event_duration.yaml", "people[0].events[0].duration_min", 7, "a 'turn_over' event is instantaneous"},
    {"visit_reversed.yaml", "pets[0].visits[0].to", 7, "the visit ends (02:00) before it starts (03:00)"},
    {"two_primaries.yaml", "people[1].role", 4, "a second primary ('sam'; 'alex' is already primary)"},
    {"no_primary.yaml", "people", 26, "no person has role 'primary'", "good/base.yaml"},
    {"same_side.yaml", "people[1].side", 5, "side 'left' is already taken by 'alex'"},
    {"bed_side_mismatch.yaml", "device.bed_side", 3, "configured for the right side, but the primary 'alex' sleeps on the left"},
    {"duplicate_id.yaml", "pets[0].id", 3, "id 'alex' is already used by people[0]"},
    {"cycle_a.yaml", "extends", 1, "extends cycle: ", "bad/cycle_b.yaml"},
    {"extends_missing.yaml", "extends", 1, "no_such_base.yaml' does not exist"},
    {"error_in_base.yaml", "people[0].age_y", 5, "expected a value in [0, 120] y, got -3", "bad/base_with_error.yaml"},
    {"remove_missing.yaml", "people", 3, "cannot remove 'robin': the extended scenario has no element with id 'robin'"},
    {"param_unknown_unit.yaml", "parameters.reading.unit", 5, "unknown unit 'mins' (did you mean 'min'?)"},
    {"param_unit_mismatch.yaml", "people[0].schedule.activity_min", 10,
     "parameter 'reading' is in m (length), but this key takes a number in min"},
    {"param_unknown_reference.yaml", "people[0].schedule.activity_min", 10, "unknown parameter 'readin' (did you mean 'reading'?)"},
    {"param_default_out_of_range.yaml", "parameters.reading.default", 6, "expected a value ≤ 120 min, got 200"},
    {"param_embedded_unit.yaml", "people[0].schedule.activity_min", 10,
     "parameter 'reading' carries a unit (min), so it must be the whole value"},
    {"wrong_param_type.yaml", "room.width_m", 7, "parameter 'late' is a clock, but this key takes a number in m"},
    {"simulation_not_bool.yaml", "simulation.multipath", 3, "expected true or false, got 'yes'"},
    {"simulation_cull_out_of_range.yaml", "simulation.cull_below_noise_db", 4, "expected a value in [-20, 80] dB, got 100"},
    {"simulation_unknown_key.yaml", "simulation.multipth", 3, "unknown key 'multipth' (did you mean 'multipath'?)"},
};

INSTANTIATE_TEST_SUITE_P(Scenarios, BadScenario, ::testing::ValuesIn(kBadCases),
                         [](const ::testing::TestParamInfo<BadCase>& info) {
                           std::string name = info.param.file;
                           name = name.substr(0, name.find('.'));
                           return name;
                         });

// Tests that the extends cycle names the whole chain, in order.
TEST(ScenarioLoader, an_extends_cycle_names_the_chain) {
  const auto problems = ProblemsOf(kData + "bad/cycle_a.yaml");
  ASSERT_EQ(problems.size(), 1u);
  const std::string& m = problems[0].message;
  const auto a = m.find("cycle_a.yaml"), b = m.find("cycle_b.yaml"), a2 = m.rfind("cycle_a.yaml");
  ASSERT_NE(a, std::string::npos);
  EXPECT_LT(a, b);
  EXPECT_LT(b, a2);
}

// Tests that all problems are reported at once, not just the first.
TEST(ScenarioLoader, reports_every_problem_at_once) {
  const auto problems = ProblemsOf(kData + "bad/many_problems.yaml");
  ASSERT_EQ(problems.size(), 3u) << All(problems);
  EXPECT_EQ(problems[0].key, "room.height_m");
  EXPECT_EQ(problems[1].key, "device.pitch_deg");
  EXPECT_EQ(problems[2].key, "people[0].mass_kg");
  EXPECT_EQ(problems[2].line, 8);
  EXPECT_NE(problems[2].message.find("expected a number in kg, got 'heavy'"), std::string::npos);
}

// Tests that a missing scenario file is an input error naming the file.
TEST(ScenarioLoader, a_missing_file_is_an_input_error) {
  const auto problems = ProblemsOf(kData + "no_such_file.yaml");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_TRUE(problems[0].file.ends_with("no_such_file.yaml"));
  EXPECT_NE(problems[0].message.find("does not exist"), std::string::npos);
}

// Tests that extending a device or pipe is refused at once instead of reading
// forever (found by fuzzing: `extends: /dev/zero` hung the loader).
TEST(ScenarioLoader, extending_a_device_is_an_input_error_not_a_hang) {
  try {
    (void)LoadScenarioText("extends: /dev/zero\nname: x\n", kData + "inline.yaml");
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    ASSERT_EQ(e.problems().size(), 1u);
    EXPECT_EQ(e.problems()[0].key, "extends");
    EXPECT_NE(e.problems()[0].message.find("not a regular file"), std::string::npos) << e.what();
  }
}

// Tests the --set error cases: unknown name (with suggestion), out of range, wrong type.
TEST(ScenarioLoader, bad_overrides_are_input_errors) {
  const std::string file = kScenarios + "default.yaml";
  auto problems = ProblemsOf(file, {{"partner_bedtme", "23:45"}});
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].key, "--set partner_bedtme");
  EXPECT_NE(problems[0].message.find("unknown parameter 'partner_bedtme' (did you mean 'partner_bedtime'?)"),
            std::string::npos);

  problems = ProblemsOf(file, {{"reading", "200"}});
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].key, "--set reading");
  EXPECT_NE(problems[0].message.find("expected a value in [0, 120] min, got 200"), std::string::npos);

  problems = ProblemsOf(file, {{"reading", "long"}});
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].message.find("expected a number in min, got 'long'"), std::string::npos);

  // Clock ranges cross midnight: 22:30–02:00 excludes 03:00 but not 01:30.
  problems = ProblemsOf(file, {{"partner_bedtime", "03:00"}});
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].message.find("expected a clock time from 22:30 to 02:00"), std::string::npos);
  EXPECT_NO_THROW(LoadScenario(file, {{"partner_bedtime", "01:30"}}));

  EXPECT_THROW(ParseOverrides({"reading"}), InputError);
  EXPECT_THROW(ParseOverrides({"reading=1", "reading=2"}), InputError);
  EXPECT_EQ(ParseOverrides({"a=b=c"}).at("a"), "b=c");
}

// Tests that default.yaml is a couple in a double bed, the device on the
// primary's nightstand, and an alarm with a 30-min smart window.
TEST(ScenarioLoader, default_scenario_loads_with_expected_values) {
  const Scenario s = LoadScenario(kScenarios + "default.yaml");
  EXPECT_EQ(s.name, "default");
  EXPECT_DOUBLE_EQ(s.night.start_clock_s, 22.5 * 3600);
  EXPECT_DOUBLE_EQ(s.night.duration_s, 9 * 3600);
  EXPECT_DOUBLE_EQ(s.night.epoch_s, 30);
  EXPECT_DOUBLE_EQ(s.room.width_m, 4.0);
  EXPECT_DOUBLE_EQ(s.room.length_m, 4.5);
  EXPECT_DOUBLE_EQ(s.room.height_m, 2.5);
  EXPECT_TRUE(s.room.has_bed);
  EXPECT_DOUBLE_EQ(s.room.bed.width_m, 1.6);
  ASSERT_EQ(s.people.size(), 2u);
  EXPECT_EQ(s.people[0].id, "alex");
  EXPECT_EQ(s.people[0].role, "primary");
  EXPECT_EQ(s.people[0].side, "left");
  EXPECT_EQ(s.people[0].activity, "reading");
  EXPECT_DOUBLE_EQ(s.people[0].activity_s, 20 * 60);  // from parameter 'reading'
  EXPECT_DOUBLE_EQ(s.people[0].bedtime_s, 30 * 60);
  EXPECT_EQ(s.people[1].id, "sam");
  EXPECT_EQ(s.people[1].role, "partner");
  EXPECT_EQ(s.people[1].side, "right");
  EXPECT_DOUBLE_EQ(s.people[1].bedtime_s, 3600);  // 23:30 from parameter 'partner_bedtime'
  EXPECT_EQ(s.device.bed_side, "left");
  ASSERT_TRUE(s.device.alarm_s.has_value());
  EXPECT_DOUBLE_EQ(*s.device.alarm_s, 8.5 * 3600);  // 07:00
  EXPECT_DOUBLE_EQ(s.device.smart_window_s, 1800);
  // The device stands on the left nightstand, left of the bed's head end, facing into the bed.
  const auto& stand = s.room.furniture.at(0);
  EXPECT_EQ(stand.name, "nightstand_left");
  EXPECT_LT(std::abs(s.device.x_m - stand.x_m), stand.size_x_m / 2);
  EXPECT_GT(s.device.z_m, stand.height_m);
  EXPECT_LT(s.device.x_m, s.room.bed.center_x_m - s.room.bed.width_m / 2);
  EXPECT_EQ(s.device.radar.preset, "bgt60tr13c");
  ASSERT_EQ(s.parameters.size(), 2u);
  EXPECT_EQ(s.parameters[0].name, "partner_bedtime");
  EXPECT_EQ(s.parameters[1].name, "reading");
  EXPECT_EQ(s.parameters[1].unit, "min");
  EXPECT_EQ(s.parameters[1].value_text, "20");
}

// Tests that clock times before the night's start clock fall on the next day.
TEST(ScenarioLoader, clock_times_cross_midnight) {
  const Scenario s = LoadScenario(kData + "good/couple.yaml");  // night 22:00–07:00
  EXPECT_DOUBLE_EQ(s.night.start_clock_s, 22 * 3600);
  EXPECT_DOUBLE_EQ(s.night.duration_s, 9 * 3600);
  const PersonSpec& alex = s.people.at(0);
  const PersonSpec& sam = s.people.at(1);
  EXPECT_DOUBLE_EQ(alex.bedtime_s, 3600);            // 23:00
  EXPECT_DOUBLE_EQ(sam.bedtime_s, 2.25 * 3600);      // 00:15
  EXPECT_DOUBLE_EQ(sam.wake_s, 8 * 3600 + 600);      // 06:10
  ASSERT_EQ(alex.events.size(), 2u);
  EXPECT_EQ(alex.events[0].kind, ScriptedEvent::Kind::kRestroom);
  EXPECT_DOUBLE_EQ(alex.events[0].at_s, 4 * 3600 + 40 * 60);  // 02:40
  EXPECT_DOUBLE_EQ(alex.events[0].duration_s, 360);
  EXPECT_EQ(alex.events[1].kind, ScriptedEvent::Kind::kTurnOver);
  EXPECT_DOUBLE_EQ(alex.events[1].duration_s, 0);
  ASSERT_EQ(s.pets.size(), 1u);
  EXPECT_DOUBLE_EQ(s.pets[0].visits.at(0).from_s, 3 * 3600);
  EXPECT_DOUBLE_EQ(s.pets[0].visits.at(0).to_s, 5.5 * 3600);
  EXPECT_DOUBLE_EQ(*s.device.alarm_s, 8.5 * 3600);  // 06:30
  EXPECT_EQ(ParseClockTime("00:15"), 900);
  EXPECT_EQ(ParseClockTime("7:05:30"), 7 * 3600 + 5 * 60 + 30);
  EXPECT_FALSE(ParseClockTime("24:00"));
  EXPECT_FALSE(ParseClockTime("12:5"));
  EXPECT_EQ(FormatClockTime(22 * 3600 + 9 * 3600), "07:00");
  EXPECT_EQ(FormatClockTime(-60), "23:59");
}

// Tests the extends merge: mappings deep-merge, lists of people/furniture merge
// by id/name, `remove: true` drops an inherited element, new elements append.
TEST(ScenarioLoader, extends_deep_merges_and_merges_lists_by_id) {
  const Scenario s = LoadScenario(kData + "good/couple.yaml");
  EXPECT_EQ(s.name, "couple");
  EXPECT_DOUBLE_EQ(s.room.width_m, 3.5);          // inherited
  EXPECT_DOUBLE_EQ(s.room.bed.width_m, 1.6);      // overridden
  EXPECT_DOUBLE_EQ(s.room.bed.center_x_m, 1.75);  // inherited beside the override
  ASSERT_EQ(s.room.furniture.size(), 1u);         // nightstand removed, chair added
  EXPECT_EQ(s.room.furniture[0].name, "chair");
  ASSERT_EQ(s.people.size(), 2u);
  EXPECT_EQ(s.people[0].id, "alex");
  EXPECT_DOUBLE_EQ(s.people[0].age_y, 52);       // overridden by id
  EXPECT_EQ(s.people[0].role, "primary");        // inherited by id
  EXPECT_DOUBLE_EQ(s.people[0].bedtime_s, 3600);
  EXPECT_EQ(s.people[1].id, "sam");
  EXPECT_EQ(s.pets.at(0).id, "cat_blue");  // "${tag}" inside a string
  ASSERT_EQ(s.room.clutter.size(), 1u);
  EXPECT_DOUBLE_EQ(s.room.clutter[0].rate_hz, 12);
  EXPECT_DOUBLE_EQ(s.room.clutter[0].on_s, 1.5 * 3600);
  EXPECT_DOUBLE_EQ(s.room.clutter[0].off_s, 5 * 3600);

  const Scenario alone = LoadScenario(kData + "good/pet_alone.yaml");
  EXPECT_TRUE(alone.people.empty());
  ASSERT_EQ(alone.pets.size(), 1u);
}

// Tests that --set overrides reach every use of a parameter, with unit conversion.
TEST(ScenarioLoader, parameter_overrides_apply_everywhere) {
  const Scenario s = LoadScenario(kData + "good/couple.yaml",
                                  {{"partner_bedtime", "01:00"}, {"fan_speed", "20"}, {"tag", "red"}});
  EXPECT_DOUBLE_EQ(s.people[1].bedtime_s, 3 * 3600);
  EXPECT_DOUBLE_EQ(s.room.clutter[0].rate_hz, 20);
  EXPECT_EQ(s.pets[0].id, "cat_red");
  for (const auto& p : s.parameters) {
    if (p.name == "fan_speed") {
      EXPECT_EQ(p.value_text, "20");
    }
  }

  // A parameter in kHz used at a key in Hz is converted.
  const Scenario k = LoadScenarioText(
      "extends: good/base.yaml\n"
      "parameters:\n  bw:\n    type: float\n    unit: GHz\n    default: 2\n"
      "device:\n  radar:\n    bandwidth_hz: ${bw}\n",
      kData + "inline.yaml");
  EXPECT_DOUBLE_EQ(k.device.radar.bandwidth_hz, 2e9);

  const auto specs = ScenarioParameters(kScenarios + "default.yaml", {{"reading", "45"}});
  ASSERT_EQ(specs.size(), 2u);
  EXPECT_EQ(specs[1].name, "reading");
  EXPECT_EQ(specs[1].value_text, "45");
  EXPECT_EQ(specs[1].default_text, "20");
  EXPECT_DOUBLE_EQ(*specs[1].max, 120);
  EXPECT_EQ(specs[0].type, "clock");
  EXPECT_DOUBLE_EQ(*specs[0].min, 0);  // 22:30 = the night's start
}

// Tests that the simulation section is read (also through a bool parameter), defaults to
// the full model when absent, and survives the resolved YAML.
TEST(ScenarioLoader, simulation_section_sets_the_physics_switches) {
  EXPECT_EQ(LoadScenario(kScenarios + "default.yaml").simulation, SimulationSpec{});
  const std::string text =
      "extends: good/base.yaml\n"
      "parameters:\n  echoes:\n    type: bool\n    default: true\n"
      "simulation:\n  noise: false\n  multipath: ${echoes}\n  cull_below_noise_db: 10\n"
      "  kernel_floor_below_noise_db: 20\n";
  const Scenario s = LoadScenarioText(text, kData + "inline.yaml", {{"echoes", "false"}});
  SimulationSpec expected;
  expected.noise = false;
  expected.multipath = false;
  expected.cull_below_noise_db = 10;
  expected.kernel_floor_below_noise_db = 20;
  EXPECT_EQ(s.simulation, expected);
  const Scenario again = LoadScenarioText(s.resolved_yaml, kData + "resolved.yaml");
  EXPECT_EQ(again.simulation, expected);
  EXPECT_EQ(again.resolved_yaml, s.resolved_yaml);
  EXPECT_TRUE(LoadScenarioText(text, kData + "inline.yaml").simulation.multipath);
}

// Tests that a device configured as people configure it (the shared recording's preset:
// a 0.87 m range, 12.94 frames/s) loads, with warnings naming what the night lacks, and
// that the chip's fingerprint keys and switches survive the resolved YAML.
TEST(ScenarioLoader, a_limited_radar_is_valid_with_warnings_and_its_fingerprint_round_trips) {
  const std::string text =
      "extends: good/base.yaml\n"
      "device:\n  radar:\n    preset: bgt60tr13c_wideband\n    rx_phase_deg: [0, 10, -5]\n"
      "simulation:\n  leakage: false\n  if_filters: false\n";
  const Scenario s = LoadScenarioText(text, kData + "inline.yaml");
  std::vector<std::string> keys;
  for (const auto& w : s.warnings) keys.push_back(w.key);
  EXPECT_EQ(keys, (std::vector<std::string>{"device.radar.sample_rate_hz", "device.radar.if_lowpass_hz",
                                            "device.radar.frame_rate_hz"}));
  EXPECT_EQ(s.warnings[0].line, 4);
  EXPECT_EQ(s.device.radar.leakage_dbc, (std::vector<double>{-43.2, -50.8, -56.4}));
  EXPECT_EQ(s.device.radar.rx_phase_deg, (std::vector<double>{0, 10, -5}));
  EXPECT_FALSE(s.simulation.leakage);
  EXPECT_FALSE(s.simulation.if_filters);
  EXPECT_TRUE(s.simulation.rx_mismatch);
  const Scenario again = LoadScenarioText(s.resolved_yaml, kData + "resolved.yaml");
  EXPECT_EQ(again.resolved_yaml, s.resolved_yaml);
  EXPECT_EQ(again.device.radar.dc_offset_v, s.device.radar.dc_offset_v);
  EXPECT_EQ(again.simulation, s.simulation);
  EXPECT_TRUE(LoadScenario(kScenarios + "default.yaml").warnings.empty());
}

// Tests that empty rooms (nobody, a fan) and a pet alone are valid scenarios.
TEST(ScenarioLoader, empty_room_and_pet_alone_are_valid) {
  const Scenario s = LoadScenario(kData + "good/empty_room.yaml");
  EXPECT_TRUE(s.people.empty());
  EXPECT_FALSE(s.room.has_bed);
  EXPECT_FALSE(s.device.alarm_s);
  ASSERT_EQ(s.room.clutter.size(), 1u);
  EXPECT_DOUBLE_EQ(s.room.clutter[0].off_s, s.night.duration_s);
  EXPECT_DOUBLE_EQ(s.room.door.y_m, 2.7);  // default: 0.3 m in from the foot wall
}

// Tests that the resolved YAML writes the rates the model chooses from age and sex
// (the scenario leaves them out) as the exact values the model uses: the reloaded
// scenario gives every person the same physiology, so the same night.
TEST(ScenarioLoader, resolved_yaml_writes_the_models_default_rates_exactly) {
  const Scenario a = LoadScenario(kScenarios + std::string("default.yaml"));
  ASSERT_FALSE(a.people[0].breathing_rate_bpm.has_value());  // left to the model
  const Scenario again = LoadScenarioText(a.resolved_yaml, kData + "resolved.yaml");
  ASSERT_EQ(again.people.size(), a.people.size());
  for (std::size_t i = 0; i < a.people.size(); ++i) {
    const sleepers::Physiology x = sleepers::ResolvePersonPhysiology(a.people[i]);
    const sleepers::Physiology y = sleepers::ResolvePersonPhysiology(again.people[i]);
    EXPECT_EQ(again.people[i].breathing_rate_bpm, x.breathing.rate_bpm);
    EXPECT_EQ(y.breathing.rate_bpm, x.breathing.rate_bpm);
    EXPECT_EQ(y.heart.rate_bpm, x.heart.rate_bpm);
    EXPECT_EQ(y.behaviour.turnover_per_hour, x.behaviour.turnover_per_hour);
    EXPECT_EQ(y.behaviour.restroom_per_night, x.behaviour.restroom_per_night);
  }
  EXPECT_NE(a.resolved_yaml.find("      # unless the scenario gives them: the model's defaults for this age and sex\n"
                                 "      breathing_rate_bpm: 15.59\n"),
            std::string::npos)
      << a.resolved_yaml;
  EXPECT_NE(a.resolved_yaml.find("    default: 20\n"), std::string::npos);  // a float parameter, as a number
}

// Tests that the resolved YAML is deterministic and loads back to the same text.
TEST(ScenarioLoader, resolved_yaml_is_deterministic_and_reloadable) {
  for (const char* file : {"default.yaml", "base_bedroom.yaml"}) {
    const Scenario a = LoadScenario(kScenarios + file);
    const Scenario b = LoadScenario(kScenarios + file);
    EXPECT_EQ(a.resolved_yaml, b.resolved_yaml);
    EXPECT_EQ(ResolvedYaml(a), a.resolved_yaml);
    const Scenario again = LoadScenarioText(a.resolved_yaml, kData + "resolved.yaml");
    EXPECT_EQ(again.resolved_yaml, a.resolved_yaml) << file;
  }
  for (const char* file : {"good/couple.yaml", "good/empty_room.yaml", "good/pet_alone.yaml"}) {
    const Scenario a = LoadScenario(kData + file);
    const Scenario again = LoadScenarioText(a.resolved_yaml, kData + "resolved.yaml");
    EXPECT_EQ(again.resolved_yaml, a.resolved_yaml) << file;
  }
}

// Tests that every key the resolved YAML can contain is documented in scenarios/README.md.
TEST(ScenarioLoader, readme_documents_every_key) {
  const std::string readme = ReadText(kScenarios + "README.md");
  ASSERT_FALSE(readme.empty());
  std::set<std::string> keys;
  std::function<void(const YAML::Node&, bool)> collect = [&](const YAML::Node& n, bool names) {
    if (n.IsMap())
      for (const auto& kv : n) {
        const std::string k = kv.first.as<std::string>();
        if (!names) keys.insert(k);
        collect(kv.second, k == "parameters");
      }
    if (n.IsSequence())
      for (const auto& c : n) collect(c, false);
  };
  for (const std::string& file : {kScenarios + "default.yaml", kData + "good/couple.yaml"})
    collect(YAML::Load(LoadScenario(file).resolved_yaml), false);
  for (const char* k : {"extends", "remove", "unit", "default", "min", "max", "choices", "description", "type",
                        "wake", "breathing_rate_bpm", "heart_rate_bpm", "restroom_per_night", "turnover_per_hour"})
    keys.insert(k);
  for (const auto& k : keys) EXPECT_NE(readme.find("`" + k + "`"), std::string::npos) << "README lacks `" << k << "`";
}

// Tests that the complete example in scenarios/README.md is a valid scenario.
TEST(ScenarioLoader, readme_example_is_valid) {
  const std::string readme = ReadText(kScenarios + "README.md");
  const auto section = readme.find("## A complete example");
  ASSERT_NE(section, std::string::npos);
  const auto open = readme.find("```yaml\n", section);
  const auto close = readme.find("```", open + 8);
  ASSERT_NE(close, std::string::npos);
  const Scenario s = LoadScenarioText(readme.substr(open + 8, close - open - 8), kScenarios + "readme_example.yaml");
  EXPECT_EQ(s.people.size(), 2u);
  EXPECT_EQ(s.pets.size(), 1u);
  EXPECT_DOUBLE_EQ(s.people[0].activity_s, 20 * 60);
}

// Tests the radar block: the preset first, explicit keys override, chirp_s follows.
TEST(ScenarioLoader, radar_preset_then_explicit_keys) {
  const RadarParams preset = ResolveRadarParams("");
  EXPECT_EQ(preset.preset, "bgt60tr13c");
  EXPECT_DOUBLE_EQ(preset.bandwidth_hz, 4e9);
  const RadarParams r = ResolveRadarParams("preset: bgt60tr13c\nframe_rate_hz: 25\nsamples_per_chirp: 256\n");
  EXPECT_DOUBLE_EQ(r.frame_rate_hz, 25);
  EXPECT_EQ(r.samples_per_chirp, 256);
  EXPECT_DOUBLE_EQ(r.chirp_s, 256 / r.sample_rate_hz);
  try {
    ResolveRadarParams("adc_bits: 12.5\nfov: 3\n");
    FAIL() << "no error";
  } catch (const InputError& e) {
    ASSERT_EQ(e.problems().size(), 2u) << e.what();
    EXPECT_EQ(e.problems()[0].key, "device.radar.adc_bits");
    EXPECT_EQ(e.problems()[1].key, "device.radar.fov");
    EXPECT_EQ(e.problems()[1].line, 2);
  }
}

}  // namespace
}  // namespace nightsim::harness
