// Tests `nightsim import` on the real recordings in ../shared/data/radar: the ifxdaq
// folder's ADC counts round-trip exactly through the raw level, its configuration
// lands in the attributes, its range level is RangeFromRaw of the raw level; the two
// A121 files give their frames and range points; damaged copies exit 2 naming the
// file and leave nothing behind. Also the .npy header parser on its own.

#include <gtest/gtest.h>
#include <hdf5.h>

#include <cmath>
#include <complex>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/errors.h"
#include "harness/night_reader.h"
#include "harness/recording_import.h"
#include "night_file_test_util.h"
#include "physics/fmcw.h"

namespace nightsim::harness {
namespace {

namespace fs = std::filesystem;
using testing_util::CliRun;
using testing_util::Quote;
using testing_util::RunNightsim;
using testing_util::Slurp;
using testing_util::WriteText;

using testing_util::kIfxdaq;
const fs::path kA121Sitting = testing_util::kA121 / "breathing-sitting.h5";
const fs::path kA121NoPresence = testing_util::kA121 / "breathing-sitting-no-presence.h5";

const fs::path& Dir() {
  static const fs::path kDir = testing_util::FreshDir("import");
  return kDir;
}

// Imports `source` into Dir()/`name` with `options`; fails the test unless it exits 0.
std::string Import(const fs::path& source, const std::string& name, const std::string& options = "") {
  const std::string out = (Dir() / name).string();
  const CliRun r = RunNightsim("import " + Quote(source.string()) + " -o " + Quote(out) + " " + options, Dir());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("frames"), std::string::npos) << r.out;
  return out;
}

// A root or group attribute read straight through HDF5, as any reader would.
double H5Number(const std::string& file, const std::string& object, const std::string& name) {
  const hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  const hid_t a = H5Aopen_by_name(f, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT);
  double v = std::nan("");
  if (a >= 0) H5Aread(a, H5T_NATIVE_DOUBLE, &v);
  if (a >= 0) H5Aclose(a);
  H5Fclose(f);
  return v;
}

// The counts of radar.npy [frame, rx, chirp, sample] (a v1 header, as numpy writes it).
std::vector<std::uint16_t> NpyCounts(const fs::path& npy) {
  const std::string bytes = Slurp(npy);
  const std::size_t offset = 10 + (static_cast<unsigned char>(bytes[8]) | (static_cast<unsigned char>(bytes[9]) << 8));
  std::vector<std::uint16_t> counts((bytes.size() - offset) / 2);
  for (std::size_t i = 0; i < counts.size(); ++i) {
    counts[i] = static_cast<std::uint16_t>(static_cast<unsigned char>(bytes[offset + 2 * i]) |
                                           (static_cast<unsigned char>(bytes[offset + 2 * i + 1]) << 8));
  }
  return counts;
}

// Tests that the ifxdaq recording imports as 256 frames × 8 chirps × 3 rx × 64 samples
// in nightsim's [frame, chirp, rx, sample] order, and that the attributes' conversion
// gives every ADC count back exactly.
TEST(ImportIfxdaq, RawLevelRoundTripsEveryAdcCount) {
  const std::string out = Import(kIfxdaq, "ifx_raw.h5");
  const NightReader night(out);
  EXPECT_EQ(night.info().source, "import");
  EXPECT_EQ(night.info().source_format, "ifxdaq");
  EXPECT_EQ(night.info().source_path, "infineon_bgt60tr13c_breathing");
  EXPECT_EQ(night.info().schema_version, "1.1");
  ASSERT_EQ(night.info().level, RadarLevel::kRaw);
  ASSERT_EQ(night.RadarRows(), 256);
  const std::vector<float> raw = night.RawFrames(0, 256);
  ASSERT_EQ(raw.size(), 256u * 8 * 3 * 64);
  const double lsb = H5Number(out, "/radar", "adc_lsb_v");
  const double offset = H5Number(out, "/radar", "adc_offset_counts");
  EXPECT_EQ(lsb, 2.0 / 4096);
  EXPECT_EQ(offset, 2048.0);
  const std::vector<std::uint16_t> counts = NpyCounts(kIfxdaq / "RadarIfxAvian_00" / "radar.npy");
  ASSERT_EQ(counts.size(), raw.size());
  std::size_t mismatches = 0;
  for (std::size_t f = 0; f < 256; ++f) {
    for (std::size_t rx = 0; rx < 3; ++rx) {
      for (std::size_t m = 0; m < 8; ++m) {
        for (std::size_t s = 0; s < 64; ++s) {
          const double v = raw[((f * 8 + m) * 3 + rx) * 64 + s];
          const double back = v / lsb + offset;
          if (back != counts[((f * 3 + rx) * 8 + m) * 64 + s]) ++mismatches;
        }
      }
    }
  }
  EXPECT_EQ(mismatches, 0u);
  EXPECT_DOUBLE_EQ(night.info().duration_s, 256 * 0.07726884633302689);
}

// Tests that the radar configuration and the source attributes are config.json's.
TEST(ImportIfxdaq, ConfigurationAttributesEqualConfigJson) {
  const std::string out = Import(kIfxdaq, "ifx_config.h5");
  const NightReader night(out);
  const RadarInfo r = night.Radar();
  EXPECT_EQ(night.RadarType(), "fmcw");
  EXPECT_EQ(r.start_hz, 58e9);
  EXPECT_EQ(r.bandwidth_hz, 5.5e9);
  EXPECT_EQ(r.samples_per_chirp, 64);
  EXPECT_EQ(r.sample_rate_hz, 2e6);
  EXPECT_EQ(r.chirps_per_frame, 8);
  EXPECT_DOUBLE_EQ(r.frame_rate_hz, 1.0 / 0.07726884633302689);
  EXPECT_EQ(r.range_bins, 32);
  EXPECT_NEAR(r.range_bin_m, 299792458.0 / (2 * 5.5e9), 1e-12);
  EXPECT_EQ(r.range_start_m, 0.0);
  EXPECT_EQ(r.rx.size(), 3u);
  const std::string cfg = "/source";
  EXPECT_EQ(H5Number(out, cfg, "chirp_repetition_time_s"), 0.0005911249900236726);
  EXPECT_EQ(H5Number(out, cfg, "frame_repetition_time_s"), 0.07726884633302689);
  EXPECT_EQ(H5Number(out, cfg, "end_frequency_hz"), 63.5e9);
  EXPECT_EQ(H5Number(out, cfg, "hp_cutoff_hz"), 80000);
  EXPECT_EQ(H5Number(out, cfg, "aaf_cutoff_hz"), 500000);
  EXPECT_EQ(H5Number(out, cfg, "if_gain_db"), 23);
  EXPECT_EQ(H5Number(out, cfg, "tx_power_level"), 31);
  // Frame i is at i × the frame repetition time.
  const std::vector<double> t = night.FrameTimes();
  ASSERT_EQ(t.size(), 256u);
  EXPECT_NEAR(t[255], 255 * 0.07726884633302689, 1e-12);
}

// Tests that an imported file reports its truth as absent: a clear InputError from
// every truth accessor, not a crash.
TEST(ImportIfxdaq, TruthIsReportedAbsent) {
  const std::string out = Import(kIfxdaq, "ifx_truth.h5");
  const NightReader night(out);
  EXPECT_FALSE(night.info().has_truth);
  try {
    (void)night.Truth();
    ADD_FAILURE() << "Truth() of an imported file should throw";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("imported recording"), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)night.Estimates(), InputError);
  EXPECT_THROW((void)night.Metrics(), InputError);
  EXPECT_THROW((void)night.Settings(), InputError);
}

// Tests that --level range stores FmcwSynthesizer::RangeFromRaw of the raw level,
// frame by frame, with the radar configuration read back from the file.
TEST(ImportIfxdaq, RangeLevelIsRangeFromRawOfTheImportedRaw) {
  const NightReader raw_night(Import(kIfxdaq, "ifx_raw_for_range.h5"));
  const NightReader range_night(Import(kIfxdaq, "ifx_range.h5", "--level range"));
  ASSERT_EQ(range_night.info().level, RadarLevel::kRange);
  const RadarInfo info = raw_night.Radar();
  RadarParams p;
  p.start_hz = info.start_hz;
  p.bandwidth_hz = info.bandwidth_hz;
  p.chirp_s = info.chirp_s;
  p.samples_per_chirp = info.samples_per_chirp;
  p.sample_rate_hz = info.sample_rate_hz;
  p.chirps_per_frame = info.chirps_per_frame;
  p.frame_rate_hz = info.frame_rate_hz;
  for (const auto& a : info.rx) p.rx_positions_m.push_back({a.x_m, a.y_m, a.z_m});
  const physics::FmcwSynthesizer synthesizer(p);
  const std::vector<float> raw = raw_night.RawFrames(0, 256);
  const std::vector<std::complex<float>> range = range_night.RangeFrames(0, 256);
  const std::size_t per_frame = 8 * 3 * 64, per_profile = 3 * 32;
  ASSERT_EQ(range.size(), 256 * per_profile);
  std::vector<std::complex<double>> expected(per_profile);
  double worst = 0, peak = 0;
  for (std::size_t f = 0; f < 256; ++f) {
    synthesizer.RangeFromRaw(std::span<const float>(raw.data() + f * per_frame, per_frame), expected);
    for (std::size_t k = 0; k < per_profile; ++k) {
      worst = std::max(worst, std::abs(std::complex<double>(range[f * per_profile + k]) - expected[k]));
      peak = std::max(peak, std::abs(expected[k]));
    }
  }
  EXPECT_GT(peak, 1e-3);  // the leakage at the first bins is strong
  EXPECT_LE(worst, 1e-6 * peak);  // float rounding of the stored profile only
}

// Tests both A121 recordings: their frame counts, 21 range points from 0.298 m spaced
// 6.0 cm (start_point 119 and step_length 24 times the metadata's base step), one rx,
// measured frame times at 20 frames/s, and frame 0 is the mean of its 16 sweeps.
TEST(ImportA121, BothRecordingsGiveTheirFramesAndRangePoints) {
  for (const auto& [source, frames] : {std::pair{kA121Sitting, 773}, std::pair{kA121NoPresence, 667}}) {
    const std::string out = Import(source, source.stem().string() + ".h5");
    const NightReader night(out);
    EXPECT_EQ(night.info().source_format, "a121");
    EXPECT_EQ(night.RadarType(), "pulsed_coherent");
    ASSERT_EQ(night.info().level, RadarLevel::kRange);
    EXPECT_EQ(night.RadarRows(), frames);
    EXPECT_EQ(night.info().frames, frames);
    const RadarInfo r = night.Radar();
    const double base_step_m = 0.00250227400101721;  // metadata.base_step_length_m
    EXPECT_EQ(r.range_bins, 21);
    EXPECT_NEAR(r.range_start_m, 119 * base_step_m, 1e-12);
    EXPECT_NEAR(r.range_start_m, 0.298, 1e-3);
    EXPECT_NEAR(r.range_bin_m, 24 * base_step_m, 1e-12);
    EXPECT_NEAR(r.range_bin_m, 0.060, 1e-3);
    EXPECT_EQ(r.rx.size(), 1u);
    EXPECT_EQ(r.bandwidth_hz, 0.0);
    EXPECT_EQ(r.frame_rate_hz, 20.0);
    const std::vector<double> t = night.FrameTimes();
    ASSERT_EQ(t.size(), static_cast<std::size_t>(frames));
    EXPECT_EQ(t[0], 0.0);
    EXPECT_NEAR(t.back() / (frames - 1), 0.05, 1e-4);

    // Frame 0 straight from the recording.
    struct Iq {
      std::int16_t real, imag;
    };
    std::vector<Iq> sweeps(16 * 21);
    const hid_t f = H5Fopen(source.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    const hid_t ds = H5Dopen2(f, "/sessions/session_0/group_0/entry_0/result/frame", H5P_DEFAULT);
    const hid_t type = H5Tcreate(H5T_COMPOUND, sizeof(Iq));
    H5Tinsert(type, "real", 0, H5T_NATIVE_INT16);
    H5Tinsert(type, "imag", 2, H5T_NATIVE_INT16);
    const hid_t space = H5Dget_space(ds);
    const hsize_t start[3] = {0, 0, 0}, count[3] = {1, 16, 21};
    H5Sselect_hyperslab(space, H5S_SELECT_SET, start, nullptr, count, nullptr);
    const hid_t mem = H5Screate_simple(3, count, nullptr);
    ASSERT_GE(H5Dread(ds, type, mem, space, H5P_DEFAULT, sweeps.data()), 0);
    for (hid_t id : {mem, space}) H5Sclose(id);
    H5Tclose(type);
    H5Dclose(ds);
    H5Fclose(f);
    const std::vector<std::complex<float>> profile = night.RangeFrames(0, 1);
    ASSERT_EQ(profile.size(), 21u);
    for (std::size_t k = 0; k < 21; ++k) {
      double re = 0, im = 0;
      for (std::size_t s = 0; s < 16; ++s) re += sweeps[s * 21 + k].real, im += sweeps[s * 21 + k].imag;
      EXPECT_FLOAT_EQ(profile[k].real(), static_cast<float>(re / 16)) << k;
      EXPECT_FLOAT_EQ(profile[k].imag(), static_cast<float>(im / 16)) << k;
    }
  }
}

// Tests that raw level is refused for a pulsed radar, naming --level.
TEST(ImportA121, RawLevelIsRefused) {
  const CliRun r = RunNightsim(
      "import " + Quote(kA121Sitting.string()) + " -o " + Quote((Dir() / "a121_raw.h5").string()) + " --level raw",
      Dir());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--level"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(Dir() / "a121_raw.h5"));
}

// A copy of the ifxdaq recording folder under `name`, for damaging.
fs::path IfxdaqCopy(const std::string& name) {
  const fs::path copy = Dir() / name;
  fs::remove_all(copy);
  fs::create_directories(copy / "RadarIfxAvian_00");
  for (const char* f : {"radar.npy", "config.json"}) {
    fs::copy_file(kIfxdaq / "RadarIfxAvian_00" / f, copy / "RadarIfxAvian_00" / f);
    fs::permissions(copy / "RadarIfxAvian_00" / f, fs::perms::owner_write, fs::perm_options::add);
  }
  return copy;
}

// Tests that damaged and foreign inputs exit 2 with `file: problem` naming the file,
// and leave no output (nor any temporary file) behind.
TEST(ImportCli, DamagedInputsExitTwoNamingTheFileAndWriteNothing) {
  struct Case {
    std::string what;
    fs::path source;
    std::string named;  // what stderr must name
    std::string options;
  };
  std::vector<Case> cases;
  {
    const fs::path c = IfxdaqCopy("truncated_npy");
    const std::string npy = Slurp(c / "RadarIfxAvian_00" / "radar.npy");
    WriteText(c / "RadarIfxAvian_00" / "radar.npy", npy.substr(0, npy.size() / 2));
    cases.push_back({"truncated npy", c, "radar.npy", ""});
  }
  {
    const fs::path c = IfxdaqCopy("short_header");
    WriteText(c / "RadarIfxAvian_00" / "radar.npy", Slurp(c / "RadarIfxAvian_00" / "radar.npy").substr(0, 40));
    cases.push_back({"npy cut inside its header", c, "radar.npy", ""});
  }
  {
    const fs::path c = IfxdaqCopy("wrong_shape");
    std::string cfg = Slurp(c / "RadarIfxAvian_00" / "config.json");
    cfg.replace(cfg.find("\"num_chirps_per_frame\": 8"), 25, "\"num_chirps_per_frame\": 16");
    WriteText(c / "RadarIfxAvian_00" / "config.json", cfg);
    cases.push_back({"shape contradicting config.json", c, "radar.npy", ""});
  }
  {
    const fs::path c = IfxdaqCopy("missing_config");
    fs::remove(c / "RadarIfxAvian_00" / "config.json");
    cases.push_back({"missing config.json", c, "config.json", "--format ifxdaq"});
  }
  {
    const fs::path c = IfxdaqCopy("bad_json");
    WriteText(c / "RadarIfxAvian_00" / "config.json", "{\"device_config\": {\"fmcw_single_shape\": [1, 2}");
    cases.push_back({"bad JSON", c, "config.json", ""});
  }
  {
    const fs::path c = Dir() / "garbage.h5";
    std::string bytes(4096, '\0');
    for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>((i * 2654435761u) >> 13);
    WriteText(c, bytes);
    cases.push_back({"garbage .h5", c, "garbage.h5", "--format a121"});
    cases.push_back({"garbage .h5, format detected", c, "garbage.h5", ""});
  }
  {
    const fs::path c = Dir() / "truncated.h5";
    const std::string bytes = Slurp(kA121Sitting);
    WriteText(c, bytes.substr(0, bytes.size() / 2));
    cases.push_back({"truncated A121 .h5", c, "truncated.h5", "--format a121"});
  }
  {
    // A nightsim night file is HDF5, but not an A121 recording.
    const fs::path c = Dir() / "foreign.h5";
    fs::copy_file(Import(kIfxdaq, "foreign_source.h5"), c, fs::copy_options::overwrite_existing);
    cases.push_back({"foreign HDF5", c, "foreign.h5", ""});
    cases.push_back({"foreign HDF5 as a121", c, "foreign.h5", "--format a121"});
  }
  {
    const fs::path c = Dir() / "notes.txt";
    WriteText(c, "not a recording\n");
    cases.push_back({"text file", c, "notes.txt", ""});
  }
  cases.push_back({"missing path", Dir() / "nowhere", "nowhere", ""});

  const fs::path out_dir = Dir() / "bad_out";
  fs::create_directories(out_dir);
  for (const Case& c : cases) {
    const fs::path out = out_dir / "out.h5";
    const CliRun r = RunNightsim("import " + Quote(c.source.string()) + " -o " + Quote(out.string()) + " " + c.options,
                                 Dir());
    EXPECT_EQ(r.exit_code, 2) << c.what << ": " << r.err;
    EXPECT_EQ(r.err.rfind("error: ", 0), 0u) << c.what << ": " << r.err;
    EXPECT_NE(r.err.find(c.named), std::string::npos) << c.what << ": " << r.err;
    EXPECT_EQ(r.err.find("HDF5-DIAG"), std::string::npos) << c.what << ": " << r.err;
    EXPECT_TRUE(fs::is_empty(out_dir)) << c.what << ": something was left in " << out_dir;
  }
}

// Tests the .npy header parser on the versions and the dtypes it must accept or refuse.
TEST(NpyHeader, ParsesVersionsAndRefusesWhatItCannotRead) {
  const auto v1 = [](const std::string& dict) {
    std::string h = dict;
    h += std::string((64 - (10 + h.size() + 1) % 64) % 64, ' ') + "\n";
    return std::string("\x93NUMPY\x01\x00", 8) + static_cast<char>(h.size() & 0xff) + static_cast<char>(h.size() >> 8) + h;
  };
  const NpyHeader h = ParseNpyHeader(v1("{'descr': '<u2', 'fortran_order': False, 'shape': (2, 3, 4, 5), }"), "x.npy");
  EXPECT_EQ(h.descr, "<u2");
  EXPECT_FALSE(h.fortran_order);
  EXPECT_EQ(h.shape, (std::vector<std::int64_t>{2, 3, 4, 5}));
  EXPECT_EQ(h.data_offset % 64, 0u);
  const NpyHeader one = ParseNpyHeader(v1("{'shape': (7,), 'fortran_order': True, 'descr': '|u2'}"), "x.npy");
  EXPECT_EQ(one.shape, (std::vector<std::int64_t>{7}));
  EXPECT_TRUE(one.fortran_order);
  std::string dict = "{'descr': '<u2', 'fortran_order': False, 'shape': (1,), }\n";
  const std::string v2 = std::string("\x93NUMPY\x02\x00", 8) + static_cast<char>(dict.size()) + std::string(3, '\0') + dict;
  EXPECT_EQ(ParseNpyHeader(v2, "x.npy").data_offset, 12 + dict.size());
  for (const std::string& bad :
       {std::string("\x93NUMPX\x01\x00\x00\x00", 10), v1("{'descr': '<u2', 'fortran_order': False}"),
        v1("{'descr': '<u2', 'fortran_order': False, 'shape': (2, -3)}"),
        v1("{'descr': '<u2', 'fortran_order': Maybe, 'shape': ()}"),
        v1("{'descr': '<u2', 'descr': '<u2', 'shape': ()}"), v1("{'descr': '<u2', 'fortran_order': False, 'shape': ()} x"),
        v1("{'descr': '<u2', 'fortran_order': False, 'shape': (99999999999999999999,)}")}) {
    EXPECT_THROW(ParseNpyHeader(bad, "x.npy"), InputError) << bad;
  }
}

}  // namespace
}  // namespace nightsim::harness
