#include "harness/night_output.h"

#include <fmt/core.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <complex>
#include <cmath>
#include <cstdint>
#include <map>
#include <stdexcept>

#include "core/errors.h"
#include "core/rng.h"
#include "harness/atomic_file.h"
#include "harness/h5_writer.h"
#include "harness/scenario_loader.h"
#include "physics/radar_config.h"
#include "sleepers/body_signal.h"

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

const char* KindName(BodyKind k) {
  switch (k) {
    case BodyKind::kPerson: return "person";
    case BodyKind::kCat: return "cat";
    case BodyKind::kDog: return "dog";
  }
  return "?";
}

// Frames of body truth gathered before one append per column (bounded memory).
constexpr std::size_t kBodyBlockFrames = 8192;
// Per-frame body truth: positions, heading, posture and presence flags are piecewise
// constant and deflate (level 1) to a few per cent.
constexpr int kTruthDeflate = 1;
// The chest, abdomen and heart waveforms are smooth but their float mantissas are
// noise-like: they deflate only to ~75 %, and compressing them cost more than writing
// the range frames themselves. Beside range or raw frames (which dwarf them) they are
// stored uncompressed; at stream level, where they are much of the file, deflated.
constexpr int kWaveformDeflateBesideFrames = 0;
// Raw IF samples sit on the ADC's few quantization levels: shuffled and deflated at
// level 1 they shrink to ~9 % at ~110 MB/s. Range profiles are noise-like floats that
// deflate only to ~80 % at ~19 MB/s, so they are stored uncompressed.
constexpr int kRawDeflate = 1;
// The stream is small and smooth: compress it like the tables.
constexpr int kStreamDeflate = 4;

// Every body's state at frame rate, replayed from its timeline: BodySignal is a pure
// function of the timeline and the body's own streams, so the replay returns exactly
// the states physics synthesized from (same times i / frame rate, same order).
void WriteBodyFrames(H5Writer& w, const NightRun& run, RadarLevel level, FrameWindow window) {
  const double fps = run.radar.frame_rate_hz;
  // The night's length is known here: a series shorter than the 512 KiB target is one
  // chunk of exactly its rows, so a short night does not compress a mostly empty chunk.
  const auto rows = static_cast<std::size_t>(std::max<std::int64_t>(1, window.end - window.first));
  auto chunk_rows = [&](std::size_t elem_bytes) { return std::min(rows, kTargetChunkBytes / elem_bytes); };
  for (const sleepers::BodyTimeline& tl : run.night.bodies) {
    const std::string g = "/truth/bodies/" + tl.spec.id + "/frames/";
    const H5SeriesOptions opt{.deflate = kTruthDeflate, .chunk_rows = chunk_rows(sizeof(float))};
    const H5SeriesOptions flag_opt{.deflate = kTruthDeflate, .chunk_rows = chunk_rows(sizeof(std::int8_t))};
    const H5SeriesOptions wave_opt{
        .deflate = level == RadarLevel::kStream ? kTruthDeflate : kWaveformDeflateBesideFrames,
        .chunk_rows = chunk_rows(sizeof(float))};
    H5Series& x = w.Series(g + "torso_x_m", H5Elem::kFloat32, {}, "m", opt);
    H5Series& y = w.Series(g + "torso_y_m", H5Elem::kFloat32, {}, "m", opt);
    H5Series& z = w.Series(g + "torso_z_m", H5Elem::kFloat32, {}, "m", opt);
    H5Series& heading = w.Series(g + "heading_rad", H5Elem::kFloat32, {}, "rad", opt);
    H5Series& posture = w.Series(g + "posture", H5Elem::kInt8, {},
                                 "0 back, 1 left side, 2 right side, 3 front, 4 sitting, 5 standing", flag_opt);
    H5Series& in_room = w.Series(g + "in_room", H5Elem::kInt8, {}, "", flag_opt);
    H5Series& in_bed = w.Series(g + "in_bed", H5Elem::kInt8, {}, "", flag_opt);
    H5Series& motion = w.Series(g + "motion", H5Elem::kFloat32, {}, "", opt);
    H5Series& chest = w.Series(g + "chest_m", H5Elem::kFloat32, {}, "m", wave_opt);
    H5Series& abdomen = w.Series(g + "abdomen_m", H5Elem::kFloat32, {}, "m", wave_opt);
    H5Series& heart = w.Series(g + "heart_m", H5Elem::kFloat32, {}, "m", wave_opt);
    std::array<std::vector<float>, 8> f;  // x, y, z, heading, motion, chest, abdomen, heart
    std::array<std::vector<std::int8_t>, 3> c;  // posture, in_room, in_bed
    sleepers::BodySignal signal(tl);
    for (std::int64_t first = window.first; first < window.end; first += kBodyBlockFrames) {
      const std::int64_t last = std::min<std::int64_t>(window.end, first + kBodyBlockFrames);
      for (auto& v : f) v.clear();
      for (auto& v : c) v.clear();
      for (std::int64_t i = first; i < last; ++i) {
        const BodyState& s = signal.At(static_cast<double>(i) / fps);
        f[0].push_back(static_cast<float>(s.torso_m.x()));
        f[1].push_back(static_cast<float>(s.torso_m.y()));
        f[2].push_back(static_cast<float>(s.torso_m.z()));
        f[3].push_back(static_cast<float>(s.heading_rad));
        f[4].push_back(static_cast<float>(s.motion));
        f[5].push_back(static_cast<float>(s.chest_m));
        f[6].push_back(static_cast<float>(s.abdomen_m));
        f[7].push_back(static_cast<float>(s.heart_m));
        c[0].push_back(static_cast<std::int8_t>(s.posture));
        c[1].push_back(s.in_room);
        c[2].push_back(s.in_bed);
      }
      x.Append(std::span<const float>(f[0]));
      y.Append(std::span<const float>(f[1]));
      z.Append(std::span<const float>(f[2]));
      heading.Append(std::span<const float>(f[3]));
      motion.Append(std::span<const float>(f[4]));
      chest.Append(std::span<const float>(f[5]));
      abdomen.Append(std::span<const float>(f[6]));
      heart.Append(std::span<const float>(f[7]));
      posture.Append(std::span<const std::int8_t>(c[0]));
      in_room.Append(std::span<const std::int8_t>(c[1]));
      in_bed.Append(std::span<const std::int8_t>(c[2]));
    }
  }
}

}  // namespace

void WriteRadarConfig(H5Writer& w, const RadarInfo& r) {
  w.Group("/radar");
  w.Attr("/radar", "start_hz", r.start_hz);
  w.Attr("/radar", "bandwidth_hz", r.bandwidth_hz);
  w.Attr("/radar", "chirp_s", r.chirp_s);
  w.Attr("/radar", "samples_per_chirp", static_cast<std::int64_t>(r.samples_per_chirp));
  w.Attr("/radar", "sample_rate_hz", r.sample_rate_hz);
  w.Attr("/radar", "chirps_per_frame", static_cast<std::int64_t>(r.chirps_per_frame));
  w.Attr("/radar", "frame_rate_hz", r.frame_rate_hz);
  w.Attr("/radar", "range_bins", static_cast<std::int64_t>(r.range_bins));
  w.Attr("/radar", "range_bin_m", r.range_bin_m);
  // Schema 1.1; simulated radars start at 0 and leave it out, so their files keep their bytes.
  if (r.range_start_m != 0.0) w.Attr("/radar", "range_start_m", r.range_start_m);
  w.Attr("/radar", "carrier_hz", r.carrier_hz());
  w.Attr("/radar", "wavelength_m", r.wavelength_m());
  std::vector<double> rx;
  for (const AntennaPosition& p : r.rx) {
    rx.push_back(p.x_m);
    rx.push_back(p.y_m);
    rx.push_back(p.z_m);
  }
  w.Matrix("/radar/rx_position_m", rx, r.rx.size(), 3, "m");
}

namespace {

void WriteTruth(H5Writer& w, const NightRun& run) {
  const NightTruth& t = run.truth;
  const std::size_t n = t.primary.size();
  w.Group("/truth");
  w.Attr("/truth", "epoch_s", t.epoch_s);
  w.Attr("/truth", "epochs", static_cast<std::int64_t>(n));
  const int primary = t.PrimaryBodyIndex();
  w.Attr("/truth", "primary", primary >= 0 ? t.bodies[static_cast<std::size_t>(primary)].id : std::string());
  const TruthEvents& ev = t.events;
  if (ev.lights_out_s) w.Attr("/truth", "lights_out_s", *ev.lights_out_s);
  if (ev.sleep_onset_s) w.Attr("/truth", "sleep_onset_s", *ev.sleep_onset_s);
  if (ev.final_awakening_s) w.Attr("/truth", "final_awakening_s", *ev.final_awakening_s);
  if (ev.alarm) {
    w.Attr("/truth", "alarm_s", ev.alarm->alarm_s);
    w.Attr("/truth", "smart_window_s", ev.alarm->smart_window_s);
    w.Attr("/truth", "ideal_alarm_s", ev.alarm->ideal_s);
  }
  w.Column("/truth/primary/time_s", ColumnOf<double>(n, [&](auto e) { return e * t.epoch_s; }), "s");
  w.Column("/truth/primary/stage", ColumnOf<std::int8_t>(n, [&](auto e) { return t.primary[e].stage; }),
           "YASA code: 0 W, 1 N1, 2 N2, 3 N3, 4 REM, -1 out of bed");
  w.Column("/truth/primary/in_bed", ColumnOf<std::int8_t>(n, [&](auto e) { return t.primary[e].in_bed; }), "");
  w.Column("/truth/primary/in_zone", ColumnOf<std::int8_t>(n, [&](auto e) { return t.primary[e].in_zone; }), "");
  w.Column("/truth/primary/intent", ColumnOf<std::int8_t>(n, [&](auto e) { return t.primary[e].intent; }), "");
  w.Column("/truth/primary/resp_rate_bpm", ColumnOf<double>(n, [&](auto e) { return t.primary[e].resp_rate_bpm; }),
           "1/min");
  w.Column("/truth/primary/gross_movement",
           ColumnOf<std::int8_t>(n, [&](auto e) { return t.primary[e].gross_movement; }), "");
  w.Column("/truth/restroom_trips/leave_s",
           ColumnOf<double>(ev.restroom_trips.size(), [&](auto i) { return ev.restroom_trips[i].leave_s; }), "s");
  w.Column("/truth/restroom_trips/return_s",
           ColumnOf<double>(ev.restroom_trips.size(), [&](auto i) { return ev.restroom_trips[i].return_s; }), "s");

  std::vector<std::string> ids, roles, kinds;
  for (std::size_t b = 0; b < t.bodies.size(); ++b) {
    const BodyTruth& body = t.bodies[b];
    ids.push_back(body.id);
    roles.push_back(BodyRoleName(body.role));
    kinds.push_back(b < run.night.bodies.size() ? KindName(run.night.bodies[b].spec.kind) : "person");
    const std::string g = "/truth/bodies/" + body.id;
    w.Group(g);
    w.Attr(g, "role", std::string(BodyRoleName(body.role)));
    w.Attr(g, "kind", kinds.back());
    w.Attr(g, "index", static_cast<std::int64_t>(b));
    const auto& e = body.epochs;
    w.Column(g + "/epochs/in_room", ColumnOf<std::int8_t>(n, [&](auto i) { return e[i].in_room; }), "");
    w.Column(g + "/epochs/in_bed", ColumnOf<std::int8_t>(n, [&](auto i) { return e[i].in_bed; }), "");
    w.Column(g + "/epochs/range_m", ColumnOf<double>(n, [&](auto i) { return e[i].range_m; }), "m");
    w.Column(g + "/epochs/azimuth_rad", ColumnOf<double>(n, [&](auto i) { return e[i].azimuth_rad; }), "rad");
  }
  // Scorer order of the bodies (tracked-body indices refer to it): groups list by name.
  w.Column("/truth/body_ids", ids, "");
  w.Column("/truth/body_roles", roles, "");
  w.Column("/truth/body_kinds", kinds, "");

  for (const sleepers::PersonTruth& p : run.night.people) {
    const std::string g = "/truth/people/" + p.id;
    const std::size_t m = p.epochs.size();
    w.Column(g + "/stage", ColumnOf<std::int8_t>(m, [&](auto i) { return p.epochs[i].stage; }),
             "YASA code: 0 W, 1 N1, 2 N2, 3 N3, 4 REM, -1 out of bed");
    w.Column(g + "/intent", ColumnOf<std::int8_t>(m, [&](auto i) { return p.epochs[i].intent; }), "");
    w.Column(g + "/in_bed", ColumnOf<std::int8_t>(m, [&](auto i) { return p.epochs[i].in_bed; }), "");
    w.Column(g + "/in_zone", ColumnOf<std::int8_t>(m, [&](auto i) { return p.epochs[i].in_zone; }), "");
  }

  const auto& events = run.night.events;
  w.Column("/truth/events/time_s", ColumnOf<double>(events.size(), [&](auto i) { return events[i].t_s; }), "s");
  std::vector<std::string> body_ids, event_kinds, details;
  for (const auto& e : events) {
    body_ids.push_back(e.body_id);
    event_kinds.push_back(sleepers::ToString(e.kind));
    details.push_back(e.detail);
  }
  w.Column("/truth/events/body", body_ids, "");
  w.Column("/truth/events/kind", event_kinds, "");
  w.Column("/truth/events/duration_s", ColumnOf<double>(events.size(), [&](auto i) { return events[i].duration_s; }),
           "s");
  w.Column("/truth/events/value", ColumnOf<std::int32_t>(events.size(), [&](auto i) { return events[i].value; }),
           "stage (YASA) for stage_change; 1 = central for apnea");
  w.Column("/truth/events/detail", details, "");
}

void WriteEstimates(H5Writer& w, const NightRun& run) {
  const auto& est = run.estimates;
  const std::size_t m = est.size();
  w.Column("/pipeline/epochs/epoch", ColumnOf<std::int64_t>(m, [&](auto i) { return est[i].epoch; }), "");
  w.Column("/pipeline/epochs/present", ColumnOf<std::int8_t>(m, [&](auto i) { return est[i].present; }), "");
  w.Column("/pipeline/epochs/presence_confidence",
           ColumnOf<double>(m, [&](auto i) { return est[i].presence_confidence; }), "");
  w.Column("/pipeline/epochs/session", ColumnOf<std::int8_t>(m, [&](auto i) { return est[i].session; }), "");
  w.Column("/pipeline/epochs/tracking", ColumnOf<std::int8_t>(m, [&](auto i) { return est[i].tracking; }), "");
  w.Column("/pipeline/epochs/target_range_m", ColumnOf<double>(m, [&](auto i) { return est[i].target_range_m; }),
           "m");
  w.Column("/pipeline/epochs/target_angle_rad",
           ColumnOf<double>(m, [&](auto i) { return est[i].target_angle_rad; }), "rad");
  w.Column("/pipeline/epochs/resp_rate_bpm", ColumnOf<double>(m, [&](auto i) { return est[i].resp_rate_bpm; }),
           "1/min");
  w.Column("/pipeline/epochs/movement", ColumnOf<double>(m, [&](auto i) { return est[i].movement; }), "");
  w.Column("/pipeline/epochs/intent", ColumnOf<std::int8_t>(m, [&](auto i) { return est[i].intent; }), "");
  w.Column("/pipeline/epochs/stage", ColumnOf<std::int8_t>(m, [&](auto i) { return YasaCodeOf(est[i].stage); }),
           "YASA code: 0 wake, 2 light, 3 deep, 4 REM, -1 none");
  w.Column("/pipeline/alarms/fire_s", ColumnOf<double>(run.alarms.size(), [&](auto i) { return run.alarms[i].fire_s; }),
           "s");
  w.Column("/pipeline/alarms/stage_at_fire",
           ColumnOf<std::int8_t>(run.alarms.size(), [&](auto i) { return YasaCodeOf(run.alarms[i].stage_at_fire); }),
           "YASA code: 0 wake, 2 light, 3 deep, 4 REM, -1 none");
}

void WriteMetrics(H5Writer& w, const NightRun& run) {
  std::vector<std::string> names;
  std::vector<double> values;
  run.metrics.metrics.ForEach([&](const std::string& name, double v, Better) {
    names.push_back(name);
    values.push_back(v);
  });
  w.Column("/metrics/name", names, "");
  w.Column("/metrics/value", values, "see name");
  w.Attr("/metrics", "json", ToJson(run.metrics));
}

}  // namespace

const char* NightsimVersion() { return NIGHTSIM_VERSION; }

const char* LevelName(RadarLevel level) {
  switch (level) {
    case RadarLevel::kRaw: return "raw";
    case RadarLevel::kRange: return "range";
    case RadarLevel::kStream: return "stream";
  }
  return "?";
}

RadarLevel ParseLevelOption(const std::string& text) {
  for (RadarLevel level : {RadarLevel::kRaw, RadarLevel::kRange, RadarLevel::kStream}) {
    if (text == LevelName(level)) return level;
  }
  throw InputError(InputProblem{"", 0, 0, "--level", "expected stream, range or raw, got '" + text + "'"});
}

std::string ContentHash(const std::string& text) { return fmt::format("{:016x}", Fnv1a(text)); }

double RadarBytesPerFrame(const RadarInfo& radar, RadarLevel level, const physics::StreamOptions& stream) {
  const auto rx = static_cast<double>(radar.rx.size());
  switch (level) {
    case RadarLevel::kRange: return rx * radar.range_bins * sizeof(std::complex<float>);
    case RadarLevel::kRaw: return rx * radar.chirps_per_frame * radar.samples_per_chirp * sizeof(float);
    case RadarLevel::kStream:  // frame_index, time_s, target, four float32 columns
      return (8 + 8 + 1 + 4 * 4) / static_cast<double>(std::max(1, stream.decimation));
  }
  return 0;
}

std::string NightKey(const Scenario& scenario, std::uint64_t seed, std::optional<RadarLevel> frames,
                     std::optional<FrameWindow> window) {
  // Fields separated by a byte that YAML text never holds, so no two inputs collide by concatenation.
  const char sep = '\x1f';
  return ContentHash(std::string(kNightSchemaVersion) + sep + NightsimVersion() + sep + scenario.resolved_yaml + sep +
                     std::to_string(seed) + sep + (frames ? LevelName(*frames) : "none") +
                     (window ? fmt::format("@{}-{}", window->first, window->end) : ""));
}

int YasaCodeOf(EstStage stage) {
  switch (stage) {
    case EstStage::kWake: return kYasaWake;
    case EstStage::kLight: return kYasaN2;
    case EstStage::kDeep: return kYasaN3;
    case EstStage::kRem: return kYasaRem;
    case EstStage::kNone: break;
  }
  return kYasaOutOfBed;
}

struct NightFileWriter::Impl {
  Scenario scenario;
  std::uint64_t seed{0};
  NightFileOptions options;
  AtomicFile file;
  H5Writer w;
  RadarInfo radar;
  std::int64_t frames_seen{0};
  std::int64_t radar_rows{0};
  H5Series* range{nullptr};
  H5Series* raw{nullptr};
  std::optional<physics::StreamProcessor> stream;
  std::array<H5Series*, 7> stream_cols{};  // frame_index, time_s, target, distance, respiration, motion, quality

  Impl(std::string path, const Scenario& s, std::uint64_t sd, NightFileOptions opt)
      : scenario(s), seed(sd), options(opt), file(std::move(path)), w(file.temp_path()),
        radar(physics::MakeRadarInfo(s.device.radar)) {
    if (!options.frames) return;
    const auto nrx = static_cast<std::size_t>(radar.rx.size());
    switch (*options.frames) {
      case RadarLevel::kRange:
        range = &w.Series("/radar/range", H5Elem::kComplex64, {nrx, static_cast<std::size_t>(radar.range_bins)},
                          "V (complex amplitude after the range FFT, integrated over the frame's chirps)");
        break;
      case RadarLevel::kRaw:
        raw = &w.Series("/radar/raw", H5Elem::kFloat32,
                        {static_cast<std::size_t>(radar.chirps_per_frame), nrx,
                         static_cast<std::size_t>(radar.samples_per_chirp)},
                        "V (IF sample after the ADC)", H5SeriesOptions{.deflate = kRawDeflate, .chunk_rows = 0});
        break;
      case RadarLevel::kStream: {
        stream.emplace(radar, options.stream);
        const H5SeriesOptions opt{.deflate = kStreamDeflate, .chunk_rows = 0};
        const std::string g = "/radar/stream/";
        stream_cols = {&w.Series(g + "frame_index", H5Elem::kInt64, {}, "", opt),
                       &w.Series(g + "time_s", H5Elem::kFloat64, {}, "s", opt),
                       &w.Series(g + "target", H5Elem::kInt8, {}, "", opt),
                       &w.Series(g + "distance_m", H5Elem::kFloat32, {}, "m", opt),
                       &w.Series(g + "respiration_m", H5Elem::kFloat32, {}, "m", opt),
                       &w.Series(g + "motion", H5Elem::kFloat32, {}, "", opt),
                       &w.Series(g + "signal_quality", H5Elem::kFloat32, {}, "", opt)};
        w.Attr("/radar/stream", "decimation", static_cast<std::int64_t>(std::max(1, options.stream.decimation)));
        w.Attr("/radar/stream", "sample_rate_hz", radar.frame_rate_hz / std::max(1, options.stream.decimation));
        break;
      }
    }
  }

  bool InWindow(std::int64_t frame_index) const {
    return !options.window || (frame_index >= options.window->first && frame_index < options.window->end);
  }

  void OnFrame(const RadarFrame& frame) {
    if (frame.index != frames_seen) {
      throw std::logic_error(fmt::format("night file: frame {} arrived, expected {}", frame.index, frames_seen));
    }
    ++frames_seen;
    // The stream processor sees every frame, so a window holds the same samples as
    // the whole night's export does at those frames.
    if (!stream && !InWindow(frame.index)) return;
    if (range) {
      range->Append(std::span<const std::complex<float>>(frame.range));
      ++radar_rows;
    } else if (raw) {
      raw->Append(std::span<const float>(frame.raw));
      ++radar_rows;
    } else if (stream) {
      const std::optional<physics::StreamSample> s = stream->OnFrame(frame);
      if (!s || !InWindow(s->frame_index)) return;
      ++radar_rows;
      const std::int64_t index = s->frame_index;
      const std::int8_t target = s->target;
      const std::array<float, 4> v{static_cast<float>(s->distance_m), static_cast<float>(s->respiration_m),
                                   static_cast<float>(s->motion), static_cast<float>(s->signal_quality)};
      stream_cols[0]->Append(std::span<const std::int64_t>(&index, 1));
      stream_cols[1]->Append(std::span<const double>(&s->time_s, 1));
      stream_cols[2]->Append(std::span<const std::int8_t>(&target, 1));
      for (std::size_t k = 0; k < v.size(); ++k) stream_cols[3 + k]->Append(std::span<const float>(&v[k], 1));
    }
  }
};

NightFileWriter::NightFileWriter(std::string path, const Scenario& scenario, std::uint64_t seed,
                                 NightFileOptions options)
    : impl_(std::make_unique<Impl>(std::move(path), scenario, seed, options)) {}

NightFileWriter::~NightFileWriter() = default;

FrameSink NightFileWriter::Sink() {
  if (!impl_->options.frames) return {};
  return [impl = impl_.get()](const RadarFrame& frame) { impl->OnFrame(frame); };
}

void NightFileWriter::Finish(const NightRun& run) {
  Impl& m = *impl_;
  H5Writer& w = m.w;
  if (m.options.frames && m.frames_seen != run.frames) {
    throw std::logic_error(fmt::format("night file: {} frames written, the run has {}", m.frames_seen, run.frames));
  }
  const Scenario& s = run.scenario;
  w.Attr("/", "schema_version", std::string(kNightSchemaVersion));
  w.Attr("/", "nightsim_version", std::string(NightsimVersion()));
  w.Attr("/", "seed", static_cast<std::int64_t>(run.seed));
  w.Attr("/", "scenario_name", s.name);
  w.Attr("/", "scenario", s.resolved_yaml);
  w.Attr("/", "scenario_hash", ContentHash(s.resolved_yaml));
  w.Attr("/", "night_key", NightKey(s, run.seed, m.options.frames, m.options.window));
  w.Attr("/", "radar_level", std::string(m.options.frames ? LevelName(*m.options.frames) : "none"));
  w.Attr("/", "epoch_s", run.truth.epoch_s);
  w.Attr("/", "epochs", run.truth.epochs());
  w.Attr("/", "duration_s", s.night.duration_s);
  w.Attr("/", "night_start_clock_s", s.night.start_clock_s);
  w.Attr("/", "frames", run.frames);
  w.Attr("/", "frame_rate_hz", run.radar.frame_rate_hz);
  // Only for a window, so a whole night's file keeps its bytes; readers take an
  // absent window as the whole night.
  if (m.options.frames && m.options.window) {
    w.Attr("/", "radar_first_frame", m.options.window->first);
    w.Attr("/", "radar_end_frame", m.options.window->end);
  }
  std::vector<std::string> parameters;
  for (const ParameterSpec& p : s.parameters) parameters.push_back(p.name + "=" + p.value_text);
  w.Column("/parameters", parameters, "name=value in the parameter's own unit");

  w.Group("/app_settings");
  w.Attr("/app_settings", "bed_side", std::string(run.settings.bed_side == BedSide::kRight ? "right" : "left"));
  if (run.settings.alarm_s) w.Attr("/app_settings", "alarm_s", *run.settings.alarm_s);
  w.Attr("/app_settings", "smart_window_s", run.settings.smart_window_s);

  WriteRadarConfig(w, run.radar);
  WriteTruth(w, run);
  if (m.options.frames) {
    WriteBodyFrames(w, run, *m.options.frames, m.options.window.value_or(FrameWindow{0, run.frames}));
  }
  WriteEstimates(w, run);
  WriteMetrics(w, run);
  w.Close();
  m.file.Commit();
}

std::int64_t NightFileWriter::RadarRows() const { return impl_->radar_rows; }

void WriteNightH5(const NightRun& run, const std::string& path) {
  NightFileWriter writer(path, run.scenario, run.seed);
  writer.Finish(run);
}

std::string HypnogramCsv(const NightRun& run) {
  const std::size_t n = static_cast<std::size_t>(run.truth.epochs());
  std::vector<int> est(n, kYasaOutOfBed);
  for (const EpochEstimate& e : run.estimates) {
    if (e.epoch >= 0 && static_cast<std::size_t>(e.epoch) < n) est[static_cast<std::size_t>(e.epoch)] = YasaCodeOf(e.stage);
  }
  std::string csv = "epoch,onset_s,clock";
  for (const auto& p : run.night.people) csv += "," + p.id;
  csv += ",pipeline\n";
  for (std::size_t e = 0; e < n; ++e) {
    const double t = static_cast<double>(e) * run.truth.epoch_s;
    csv += fmt::format("{},{},{}", e, t, FormatClockTime(run.scenario.night.start_clock_s + t, /*with_seconds=*/true));
    for (const auto& p : run.night.people) csv += fmt::format(",{}", e < p.epochs.size() ? p.epochs[e].stage : -1);
    csv += fmt::format(",{}\n", est[e]);
  }
  return csv;
}

std::string HypnogramJson(const NightRun& run) {
  const std::size_t n = static_cast<std::size_t>(run.truth.epochs());
  auto list = [](const std::vector<int>& codes) {
    std::string out = "[";
    for (std::size_t i = 0; i < codes.size(); ++i) out += (i ? "," : "") + std::to_string(codes[i]);
    return out + "]";
  };
  std::string j = fmt::format(
      "{{\"epoch_s\": {}, \"start_clock\": \"{}\", \"codes\": \"YASA: 0 W, 1 N1, 2 N2 (pipeline: light), 3 N3 "
      "(pipeline: deep), 4 REM, -1 out of bed / not scored\",\n \"truth\": {{",
      run.truth.epoch_s, FormatClockTime(run.scenario.night.start_clock_s, /*with_seconds=*/true));
  for (std::size_t i = 0; i < run.night.people.size(); ++i) {
    const auto& p = run.night.people[i];
    std::vector<int> codes(n, kYasaOutOfBed);
    for (std::size_t e = 0; e < std::min(n, p.epochs.size()); ++e) codes[e] = p.epochs[e].stage;
    j += fmt::format("{}\n  \"{}\": {}", i ? "," : "", p.id, list(codes));
  }
  std::vector<int> est(n, kYasaOutOfBed);
  for (const EpochEstimate& e : run.estimates) {
    if (e.epoch >= 0 && static_cast<std::size_t>(e.epoch) < n) est[static_cast<std::size_t>(e.epoch)] = YasaCodeOf(e.stage);
  }
  j += "},\n \"pipeline\": " + list(est) + "}\n";
  return j;
}

void WriteHypnogramFiles(const NightRun& run, const std::string& stem) {
  WriteFileAtomically(stem + ".hypnogram.csv", HypnogramCsv(run));
  WriteFileAtomically(stem + ".hypnogram.json", HypnogramJson(run));
}

std::string NightJson(const NightRun& run) {
  return fmt::format("{{\"nightsim_version\": \"{}\", \"scenario\": {}, \"seed\": {}, \"night\": {}}}\n",
                     NightsimVersion(), JsonString(run.scenario.name), run.seed, ToJson(run.metrics));
}

std::string FormatRunSummary(const NightRun& run, SummaryDetail detail) {
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
  out += "\n" + FormatSummary(run.metrics, detail);
  return out;
}

}  // namespace nightsim::harness
