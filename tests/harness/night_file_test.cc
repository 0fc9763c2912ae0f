// Tests of the night file: what is written at each radar level reads back (C++
// reader) exactly as it was simulated, the truth read back scores identically, the
// bytes are reproducible, series chunks obey the layout's rule, and foreign or
// damaged files are rejected as bad input.

#include <gtest/gtest.h>
#include <hdf5.h>

#include <algorithm>
#include <complex>
#include <cstdint>
#include <filesystem>
#include <vector>

#include "core/errors.h"
#include "harness/h5_writer.h"
#include "harness/night_output.h"
#include "harness/night_reader.h"
#include "harness/scenario_loader.h"
#include "night_file_test_util.h"
#include "physics/stream.h"
#include "sleepers/body_signal.h"

namespace nightsim::harness {
namespace {

using testing_util::FreshDir;
using testing_util::Slurp;

// The short night at range level, written twice from one run: as range frames and as
// the on-device stream, with every synthesized frame kept for comparison.
struct RangeAndStream {
  NightRun run;
  std::vector<RadarFrame> frames;
  std::string range_path, stream_path;
};

const RangeAndStream& ShortNight() {
  static const RangeAndStream kNight = [] {
    RangeAndStream n;
    const auto dir = FreshDir("night_file_short");
    n.range_path = (dir / "range.h5").string();
    n.stream_path = (dir / "stream.h5").string();
    const Scenario scenario = LoadScenario(testing_util::kShortNight);
    NightFileWriter range_file(n.range_path, scenario, 7, {.frames = RadarLevel::kRange, .stream = {}, .window = {}});
    NightFileWriter stream_file(n.stream_path, scenario, 7, {.frames = RadarLevel::kStream, .stream = {}, .window = {}});
    const FrameSink to_range = range_file.Sink();
    const FrameSink to_stream = stream_file.Sink();
    RunOptions options;
    options.seed = 7;
    options.level = RadarLevel::kRange;
    n.run = RunNight(scenario, options, nullptr, [&](const RadarFrame& f) {
      to_range(f);
      to_stream(f);
      n.frames.push_back(f);
    });
    range_file.Finish(n.run);
    stream_file.Finish(n.run);
    return n;
  }();
  return kNight;
}

// Tests that range frames, truth, estimates and metrics read back exactly as simulated.
TEST(NightFile, RangeLevelReadsBackExactlyAsSimulated) {
  const RangeAndStream& n = ShortNight();
  const NightReader night(n.range_path);
  EXPECT_EQ(night.info().schema_version, kNightSchemaVersion);
  EXPECT_EQ(night.info().seed, 7u);
  EXPECT_EQ(night.info().scenario_name, "short_night");
  EXPECT_EQ(night.info().level, RadarLevel::kRange);
  EXPECT_EQ(night.info().frames, n.run.frames);
  EXPECT_EQ(night.info().epochs, 20);
  EXPECT_EQ(night.info().night_key, NightKey(n.run.scenario, 7, RadarLevel::kRange));
  ASSERT_EQ(night.RadarRows(), n.run.frames);
  ASSERT_EQ(static_cast<std::int64_t>(n.frames.size()), n.run.frames);

  const RadarInfo radar = night.Radar();
  EXPECT_EQ(radar.range_bins, n.run.radar.range_bins);
  EXPECT_EQ(radar.frame_rate_hz, n.run.radar.frame_rate_hz);
  ASSERT_EQ(radar.rx.size(), n.run.radar.rx.size());
  EXPECT_EQ(radar.rx[1].x_m, n.run.radar.rx[1].x_m);

  // Every frame, read in two uneven slices that cross chunk boundaries.
  const std::int64_t half = 4321;
  const auto a = night.RangeFrames(0, half);
  const auto b = night.RangeFrames(half, n.run.frames - half);
  const std::size_t per_frame = n.frames[0].range.size();
  for (std::int64_t i = 0; i < n.run.frames; ++i) {
    const auto& src = i < half ? a : b;
    const std::size_t offset = static_cast<std::size_t>(i < half ? i : i - half) * per_frame;
    ASSERT_TRUE(std::equal(n.frames[i].range.begin(), n.frames[i].range.end(), src.begin() + offset))
        << "frame " << i;
  }
  EXPECT_THROW(night.RangeFrames(n.run.frames - 1, 2), InputError);
  EXPECT_THROW(night.RawFrames(0, 1), InputError);

  const AppSettings settings = night.Settings();
  EXPECT_EQ(settings.bed_side, n.run.settings.bed_side);
  EXPECT_EQ(settings.alarm_s, n.run.settings.alarm_s);
  const auto estimates = night.Estimates();
  ASSERT_EQ(estimates.size(), n.run.estimates.size());
  for (std::size_t i = 0; i < estimates.size(); ++i) {
    EXPECT_EQ(estimates[i].epoch, n.run.estimates[i].epoch);
    EXPECT_EQ(estimates[i].stage, n.run.estimates[i].stage);
    EXPECT_EQ(estimates[i].target_range_m, n.run.estimates[i].target_range_m);
    EXPECT_EQ(estimates[i].resp_rate_bpm, n.run.estimates[i].resp_rate_bpm);
    EXPECT_EQ(estimates[i].tracking, n.run.estimates[i].tracking);
  }
  const auto metrics = night.Metrics();
  EXPECT_EQ(metrics.size(), n.run.metrics.metrics.size());
  EXPECT_EQ(metrics.at("join.epochs"), 20.0);
}

// Tests that the truth read from the file scores to the very same metrics as the run:
// `nightsim score` needs no re-simulation.
TEST(NightFile, TruthReadBackScoresLikeTheRun) {
  const RangeAndStream& n = ShortNight();
  const NightReader night(n.range_path);
  const NightTruth truth = night.Truth();
  ASSERT_EQ(truth.epochs(), n.run.truth.epochs());
  ASSERT_EQ(truth.bodies.size(), 3u);
  EXPECT_EQ(truth.bodies[0].id, "alex");
  EXPECT_EQ(truth.bodies[2].role, BodyRole::kPet);
  ASSERT_TRUE(truth.events.alarm.has_value());
  EXPECT_EQ(truth.events.alarm->ideal_s, n.run.truth.events.alarm->ideal_s);
  const NightMetrics again = ScoreNight(truth, night.Estimates(), night.Alarms());
  EXPECT_EQ(ToJson(again), ToJson(n.run.metrics));
}

// Tests that every body's per-frame state in the file is the state physics saw.
TEST(NightFile, BodyStatesAtFrameRateMatchTheSimulatedSignals) {
  const RangeAndStream& n = ShortNight();
  const NightReader night(n.range_path);
  for (const sleepers::BodyTimeline& tl : n.run.night.bodies) {
    const BodyFrames f = night.BodyFramesOf(tl.spec.id);
    ASSERT_EQ(static_cast<std::int64_t>(f.chest_m.size()), n.run.frames) << tl.spec.id;
    sleepers::BodySignal signal(tl);
    for (std::int64_t i = 0; i < n.run.frames; ++i) {
      const BodyState& s = signal.At(static_cast<double>(i) / n.run.radar.frame_rate_hz);
      ASSERT_EQ(f.chest_m[i], static_cast<float>(s.chest_m)) << tl.spec.id << " frame " << i;
      ASSERT_EQ(f.torso_y_m[i], static_cast<float>(s.torso_m.y()));
      ASSERT_EQ(f.posture[i], static_cast<std::int8_t>(s.posture));
      ASSERT_EQ(f.in_bed[i], s.in_bed ? 1 : 0);
    }
  }
  EXPECT_THROW(night.BodyFramesOf("nobody"), InputError);
}

// Tests that the stream level holds exactly what the on-device DSP model makes of the frames.
TEST(NightFile, StreamLevelHoldsTheOnDeviceStreamOfTheFrames) {
  const RangeAndStream& n = ShortNight();
  const NightReader night(n.stream_path);
  EXPECT_EQ(night.info().level, RadarLevel::kStream);
  physics::StreamProcessor dsp(n.run.radar);
  std::vector<physics::StreamSample> expected;
  for (const RadarFrame& f : n.frames) {
    if (auto s = dsp.OnFrame(f)) expected.push_back(*s);
  }
  const auto stream = night.Stream();
  ASSERT_EQ(stream.size(), expected.size());
  EXPECT_EQ(night.RadarRows(), static_cast<std::int64_t>(expected.size()));
  EXPECT_EQ(stream.size(), 6000u);  // 10 Hz for 10 min
  for (std::size_t i = 0; i < stream.size(); ++i) {
    ASSERT_EQ(stream[i].frame_index, expected[i].frame_index);
    ASSERT_EQ(stream[i].time_s, expected[i].time_s);
    ASSERT_EQ(stream[i].target, expected[i].target);
    ASSERT_EQ(static_cast<float>(stream[i].respiration_m), static_cast<float>(expected[i].respiration_m)) << i;
    ASSERT_EQ(static_cast<float>(stream[i].distance_m), static_cast<float>(expected[i].distance_m));
  }
  EXPECT_THROW(night.RangeFrames(0, 1), InputError);
}

// Tests that raw IF frames read back exactly (they are stored compressed).
TEST(NightFile, RawLevelReadsBackExactlyAsSimulated) {
  const auto dir = FreshDir("night_file_raw");
  const std::string path = (dir / "raw.h5").string();
  const Scenario scenario = LoadScenario(testing_util::kMinuteNight);
  NightFileWriter file(path, scenario, 3, {.frames = RadarLevel::kRaw, .stream = {}, .window = {}});
  const FrameSink sink = file.Sink();
  std::vector<float> all;
  RunOptions options;
  options.seed = 3;
  options.level = RadarLevel::kRaw;
  const NightRun run = RunNight(scenario, options, nullptr, [&](const RadarFrame& f) {
    sink(f);
    all.insert(all.end(), f.raw.begin(), f.raw.end());
  });
  file.Finish(run);
  const NightReader night(path);
  ASSERT_EQ(night.RadarRows(), 1200);
  EXPECT_EQ(night.RawFrames(0, 1200), all);
  const std::size_t per_frame = all.size() / 1200;
  const auto middle = night.RawFrames(600, 5);
  EXPECT_TRUE(std::equal(middle.begin(), middle.end(), all.begin() + 600 * per_frame));
  // Stored as 12-bit counts in 16 bits and deflated: under 40 % of the 29.5 MB of floats
  // (16-bit storage alone is 50 %; deflate cannot take the noise's low bits, log2(σ√(2πe))
  // ≈ 3.6 bits at the reference chip's σ ≈ 3 counts, nor the leakage tone's high byte).
  EXPECT_LT(std::filesystem::file_size(path), all.size() * sizeof(float) * 2 / 5);
}

// Tests that the same scenario and seed give byte-identical files (no timestamps).
TEST(NightFile, SameScenarioAndSeedGiveIdenticalBytes) {
  const auto dir = FreshDir("night_file_bytes");
  const Scenario scenario = LoadScenario(testing_util::kMinuteNight);
  for (const char* name : {"a.h5", "b.h5"}) {
    NightFileWriter file((dir / name).string(), scenario, 11, {.frames = RadarLevel::kRange, .stream = {}, .window = {}});
    RunOptions options;
    options.seed = 11;
    file.Finish(RunNight(scenario, options, nullptr, file.Sink()));
  }
  const std::string a = Slurp(dir / "a.h5"), b = Slurp(dir / "b.h5");
  ASSERT_GT(a.size(), 1200u * 3 * 64 * 8);
  EXPECT_TRUE(a == b) << "the two files differ";
}

// Tests that a writer abandoned without Finish() leaves nothing behind.
TEST(NightFile, AnAbandonedNightLeavesNoFile) {
  const auto dir = FreshDir("night_file_abandon");
  {
    const Scenario scenario = LoadScenario(testing_util::kMinuteNight);
    NightFileWriter file((dir / "n.h5").string(), scenario, 1, {.frames = RadarLevel::kRange, .stream = {}, .window = {}});
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir));
}

// Tests that files that are not night files are rejected as bad input, with the reason.
TEST(NightFile, ForeignAndDamagedFilesAreBadInput) {
  const auto dir = FreshDir("night_file_foreign");
  auto message = [](const std::string& path) -> std::string {
    try {
      NightReader r(path);
    } catch (const InputError& e) {
      return e.what();
    }
    return "no error";
  };
  testing_util::WriteText(dir / "text.h5", "epoch,stage\n0,wake\n");
  EXPECT_NE(message((dir / "text.h5").string()).find("not an HDF5 file"), std::string::npos);
  {
    H5Writer w((dir / "foreign.h5").string());
    w.Attr("/", "creator", std::string("someone else"));
  }
  EXPECT_NE(message((dir / "foreign.h5").string()).find("not a nightsim night file"), std::string::npos);
  EXPECT_NE(message((dir / "missing.h5").string()).find("no such file"), std::string::npos);
  // A night file cut short (a copy interrupted mid-way).
  const std::string whole = Slurp(ShortNight().range_path);
  testing_util::WriteText(dir / "cut.h5", whole.substr(0, whole.size() / 2));
  EXPECT_NE(message((dir / "cut.h5").string()), "no error");
}

// Tests that series chunks stay within 10 KiB – 1 MiB, rows append across chunk
// boundaries, and a partial chunk is flushed on close.
TEST(H5Series, ChunksWithinTheLayoutRuleAndPartialChunksAreKept) {
  const auto dir = FreshDir("h5_series");
  const std::string path = (dir / "s.h5").string();
  {
    H5Writer w(path);
    H5Series& range = w.Series("/radar/range", H5Elem::kComplex64, {3, 64}, "V");
    H5Series& raw = w.Series("/radar/raw", H5Elem::kFloat32, {16, 3, 128}, "V", {.deflate = 1, .chunk_rows = 0});
    H5Series& col = w.Series("/t/x", H5Elem::kFloat32, {}, "m", {.deflate = 4, .chunk_rows = 0});
    for (H5Series* s : {&range, &raw, &col}) {
      const std::size_t chunk_bytes = s->chunk_rows() * s->row_elements() * H5ElemBytes(
          s == &range ? H5Elem::kComplex64 : H5Elem::kFloat32);
      EXPECT_GE(chunk_bytes, 10u * 1024) << s->chunk_rows();
      EXPECT_LE(chunk_bytes, kMaxChunkBytes);
    }
    std::vector<std::complex<float>> frame(3 * 64);
    for (int i = 0; i < 1000; ++i) {  // 1000 rows: two whole chunks of 341 and a partial one
      for (std::size_t k = 0; k < frame.size(); ++k) frame[k] = {static_cast<float>(i), static_cast<float>(k)};
      range.Append(std::span<const std::complex<float>>(frame));
    }
    std::vector<float> x(100000);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i);
    col.Append(std::span<const float>(x));
    EXPECT_THROW(col.Append(std::span<const double>()), std::invalid_argument);
    EXPECT_THROW(range.Append(std::span<const std::complex<float>>(frame.data(), 5)), std::invalid_argument);
    w.Close();
  }
  const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  ASSERT_GE(f, 0);
  const hid_t ds = H5Dopen2(f, "/radar/range", H5P_DEFAULT);
  const hid_t space = H5Dget_space(ds);
  hsize_t dims[3] = {0, 0, 0};
  H5Sget_simple_extent_dims(space, dims, nullptr);
  EXPECT_EQ(dims[0], 1000u);
  EXPECT_EQ(dims[2], 64u);
  // The {r, i} compound with the memory layout of std::complex<float>.
  const hid_t type = H5Dget_type(ds);
  EXPECT_EQ(H5Tget_class(type), H5T_COMPOUND);
  EXPECT_EQ(H5Tget_member_index(type, "r"), 0);
  EXPECT_EQ(H5Tget_member_index(type, "i"), 1);
  std::vector<std::complex<float>> back(1000 * 3 * 64);
  const hid_t mem = H5Tcreate(H5T_COMPOUND, 8);
  H5Tinsert(mem, "r", 0, H5T_NATIVE_FLOAT);
  H5Tinsert(mem, "i", 4, H5T_NATIVE_FLOAT);
  ASSERT_GE(H5Dread(ds, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, back.data()), 0);
  EXPECT_EQ(back[999 * 192 + 191], std::complex<float>(999.0f, 191.0f));
  EXPECT_EQ(back[500 * 192 + 3], std::complex<float>(500.0f, 3.0f));
  H5Tclose(mem);
  H5Tclose(type);
  H5Sclose(space);
  H5Dclose(ds);
  H5Fclose(f);
}

// Tests that an uncompressed series (whole chunks written directly) gives the same
// bytes however its rows arrive — one Append of everything, or row by row through
// the chunk buffer — so the padding of the last, partial chunk cannot carry rows left
// in the buffer by an earlier chunk — and that every row reads back.
TEST(H5Series, UncompressedRowsGiveTheSameBytesInAnyPiecesAndReadBack) {
  const auto dir = FreshDir("h5_series_direct");
  std::vector<std::complex<float>> rows(1000 * 3 * 64);  // two whole chunks of 341 rows and a partial one
  for (std::size_t k = 0; k < rows.size(); ++k) rows[k] = {static_cast<float>(k), -static_cast<float>(k % 97)};
  auto write = [&](const std::string& name, std::size_t rows_per_append) {
    const std::string path = (dir / name).string();
    H5Writer w(path);
    H5Series& s = w.Series("/radar/range", H5Elem::kComplex64, {3, 64}, "V");
    for (std::size_t first = 0; first < 1000; first += rows_per_append) {
      const std::size_t n = std::min<std::size_t>(rows_per_append, 1000 - first);
      s.Append(std::span<const std::complex<float>>(rows.data() + first * 192, n * 192));
    }
    EXPECT_EQ(s.rows(), 1000);
    w.Close();
    return path;
  };
  const std::string whole = write("whole.h5", 1000), by_row = write("by_row.h5", 1), odd = write("odd.h5", 7);
  const std::string bytes = Slurp(whole);
  EXPECT_EQ(Slurp(by_row), bytes);
  EXPECT_EQ(Slurp(odd), bytes);

  const hid_t f = H5Fopen(whole.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  ASSERT_GE(f, 0);
  const hid_t ds = H5Dopen2(f, "/radar/range", H5P_DEFAULT);
  const hid_t mem = H5Tcreate(H5T_COMPOUND, 8);
  H5Tinsert(mem, "r", 0, H5T_NATIVE_FLOAT);
  H5Tinsert(mem, "i", 4, H5T_NATIVE_FLOAT);
  std::vector<std::complex<float>> back(rows.size());
  ASSERT_GE(H5Dread(ds, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, back.data()), 0);
  EXPECT_EQ(back, rows);
  H5Tclose(mem);
  H5Dclose(ds);
  H5Fclose(f);
}

}  // namespace
}  // namespace nightsim::harness
