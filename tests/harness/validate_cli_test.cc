// Tests `nightsim validate` as a user runs it: exit codes, stdout and stderr.

#include <gtest/gtest.h>

#include <string>

#include "night_file_test_util.h"

namespace {

using nightsim::harness::testing_util::CliRun;

CliRun Validate(const std::string& args) {
  namespace tu = nightsim::harness::testing_util;
  return tu::RunNightsim("validate " + args,
                         tu::FreshDir(std::string("validate_") +
                                      ::testing::UnitTest::GetInstance()->current_test_info()->name()));
}

const std::string kSource = NIGHTSIM_SOURCE_DIR;
const std::string kBad = kSource + "/tests/harness/data/scenarios/bad/";

// Tests that an invalid scenario exits 2, prints file:line:column: key: message
// with the suggestion on stderr, and writes nothing to stdout.
TEST(ValidateCli, bad_scenario_exits_2_with_located_messages) {
  const CliRun r = Validate("'" + kBad + "unknown_key.yaml'");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_NE(r.err.find("bad/unknown_key.yaml:3:3: room.widht_m: unknown key 'widht_m' (did you mean 'width_m'?)"),
            std::string::npos)
      << r.err;
}

// Tests that every problem of a file is printed, one line each.
TEST(ValidateCli, prints_every_problem) {
  const CliRun r = Validate("'" + kBad + "many_problems.yaml'");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("many_problems.yaml:3:13: room.height_m:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("many_problems.yaml:5:14: device.pitch_deg:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("many_problems.yaml:8:14: people[0].mass_kg:"), std::string::npos) << r.err;
}

// Tests that a problem found by one check does not hide another check's: a bed
// outside the room and a pet `between` one person are reported together.
TEST(ValidateCli, prints_problems_of_every_check_at_once) {
  const CliRun r = Validate("'" + kBad + "bed_outside_room_and_pet_between.yaml'");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("room.bed: the bed (x 2.50–3.90 m, y 0.05–2.05 m) reaches outside the room"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("pets[0].spot: 'tom' lies between two sleepers, but the scenario has 1 person"),
            std::string::npos)
      << r.err;
}

// Tests that the default scenario validates and prints its resolved form.
TEST(ValidateCli, default_scenario_exits_0_and_prints_resolved_yaml) {
  const CliRun r = Validate("'" + kSource + "/scenarios/default.yaml'");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.err.empty()) << r.err;
  EXPECT_EQ(r.out.rfind("# nightsim resolved scenario", 0), 0u);
  EXPECT_NE(r.out.find("name: \"default\""), std::string::npos);
  EXPECT_NE(r.out.find("      bedtime: \"23:30\""), std::string::npos);  // sam, from the parameter default
  EXPECT_EQ(r.out.find("${"), std::string::npos);
  EXPECT_EQ(r.out.find("extends"), std::string::npos);
}

// Tests --set: a good value is applied; an unknown name exits 2.
TEST(ValidateCli, set_overrides_parameters) {
  const std::string file = "'" + kSource + "/scenarios/default.yaml'";
  CliRun r = Validate(file + " --set partner_bedtime=00:45 --set=reading=30");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("      bedtime: \"00:45\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("      activity_min: 30"), std::string::npos) << r.out;
  r = Validate(file + " --set readng=30");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(r.out.empty());
  EXPECT_NE(r.err.find("--set readng: unknown parameter 'readng' (did you mean 'reading'?)"), std::string::npos)
      << r.err;
}

// Tests the usage errors and --help.
TEST(ValidateCli, usage) {
  const CliRun help = Validate("--help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--set arg"), std::string::npos) << help.out;  // the options' own descriptions
  const CliRun none = Validate("");
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.err.find("FILE: a scenario file is required"), std::string::npos) << none.err;
  EXPECT_EQ(Validate("--bogus x.yaml").exit_code, 2);
  const CliRun r = Validate("'" + kBad + "does_not_exist.yaml'");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("does not exist"), std::string::npos);
}

}  // namespace
