#include "harness/night_reader.h"

#include <fmt/core.h>
#include <hdf5.h>

#include <cmath>
#include <filesystem>
#include <limits>

#include "core/errors.h"
#include "h5_reading.h"
#include "harness/night_output.h"

namespace nightsim::harness {
namespace {

using detail::Exists;
using detail::Fail;
using detail::Handle;
using detail::HasAttr;
using detail::ReadRows;
using detail::Shape;

std::string AttrString(hid_t file, const std::string& path, const std::string& object, const std::string& name) {
  if (!HasAttr(file, object, name)) Fail(path, object + "@" + name, "attribute missing");
  Handle attr{H5Aopen_by_name(file, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose};
  Handle type{H5Aget_type(attr.id), H5Tclose};
  if (attr.id < 0 || H5Tget_class(type.id) != H5T_STRING) Fail(path, object + "@" + name, "expected a string attribute");
  Handle mem{H5Tcopy(H5T_C_S1), H5Tclose};
  H5Tset_cset(mem.id, H5Tget_cset(type.id));  // HDF5 does not convert between ASCII and UTF-8
  if (H5Tis_variable_str(type.id) > 0) {
    H5Tset_size(mem.id, H5T_VARIABLE);
    char* text = nullptr;
    if (H5Aread(attr.id, mem.id, &text) < 0) Fail(path, object + "@" + name, "cannot read");
    std::string out = text ? text : "";
    H5free_memory(text);
    return out;
  }
  const std::size_t size = H5Tget_size(type.id);
  std::string out(size, '\0');
  H5Tset_size(mem.id, size);
  if (H5Aread(attr.id, mem.id, out.data()) < 0) Fail(path, object + "@" + name, "cannot read");
  out.resize(out.find('\0') == std::string::npos ? size : out.find('\0'));
  return out;
}

double AttrDouble(hid_t file, const std::string& path, const std::string& object, const std::string& name) {
  if (!HasAttr(file, object, name)) Fail(path, object + "@" + name, "attribute missing");
  Handle attr{H5Aopen_by_name(file, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose};
  double v = 0;
  if (attr.id < 0 || H5Aread(attr.id, H5T_NATIVE_DOUBLE, &v) < 0) Fail(path, object + "@" + name, "expected a number");
  return v;
}

std::int64_t AttrInt(hid_t file, const std::string& path, const std::string& object, const std::string& name) {
  if (!HasAttr(file, object, name)) Fail(path, object + "@" + name, "attribute missing");
  Handle attr{H5Aopen_by_name(file, object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT), H5Aclose};
  std::int64_t v = 0;
  if (attr.id < 0 || H5Aread(attr.id, H5T_NATIVE_INT64, &v) < 0) Fail(path, object + "@" + name, "expected an integer");
  return v;
}

std::optional<double> OptionalAttr(hid_t file, const std::string& path, const std::string& object,
                                   const std::string& name) {
  if (!HasAttr(file, object, name)) return std::nullopt;
  return AttrDouble(file, path, object, name);
}

template <typename T>
std::vector<T> ReadColumn(hid_t file, const std::string& path, const std::string& object, hid_t mem_type) {
  const std::vector<hsize_t> dims = Shape(file, path, object);
  if (dims.size() != 1) Fail(path, object, "expected a 1-D column");
  return ReadRows<T>(file, path, object, mem_type, 0, static_cast<std::int64_t>(dims[0]));
}

std::vector<double> Doubles(hid_t f, const std::string& p, const std::string& o) {
  return ReadColumn<double>(f, p, o, H5T_NATIVE_DOUBLE);
}
std::vector<float> Floats(hid_t f, const std::string& p, const std::string& o) {
  return ReadColumn<float>(f, p, o, H5T_NATIVE_FLOAT);
}
std::vector<std::int8_t> Int8s(hid_t f, const std::string& p, const std::string& o) {
  return ReadColumn<std::int8_t>(f, p, o, H5T_NATIVE_INT8);
}
std::vector<std::int64_t> Int64s(hid_t f, const std::string& p, const std::string& o) {
  return ReadColumn<std::int64_t>(f, p, o, H5T_NATIVE_INT64);
}

std::vector<std::string> Strings(hid_t file, const std::string& path, const std::string& object) {
  const std::vector<hsize_t> dims = Shape(file, path, object);
  if (dims.size() != 1) Fail(path, object, "expected a 1-D column of strings");
  Handle ds{H5Dopen2(file, object.c_str(), H5P_DEFAULT), H5Dclose};
  Handle type{H5Dget_type(ds.id), H5Tclose};
  if (H5Tget_class(type.id) != H5T_STRING || H5Tis_variable_str(type.id) <= 0) {
    Fail(path, object, "expected variable-length strings");
  }
  std::vector<char*> ptrs(dims[0], nullptr);
  Handle mem{H5Tcopy(H5T_C_S1), H5Tclose};
  H5Tset_size(mem.id, H5T_VARIABLE);
  H5Tset_cset(mem.id, H5Tget_cset(type.id));
  if (!ptrs.empty() && H5Dread(ds.id, mem.id, H5S_ALL, H5S_ALL, H5P_DEFAULT, ptrs.data()) < 0) {
    Fail(path, object, "cannot read");
  }
  std::vector<std::string> out;
  for (char* p : ptrs) {
    out.emplace_back(p ? p : "");
    H5free_memory(p);
  }
  return out;
}

EstStage StageOfYasaCode(int code, const std::string& path, const std::string& object) {
  switch (code) {
    case kYasaWake: return EstStage::kWake;
    case kYasaN1:
    case kYasaN2: return EstStage::kLight;
    case kYasaN3: return EstStage::kDeep;
    case kYasaRem: return EstStage::kRem;
    case kYasaOutOfBed: return EstStage::kNone;
    default: Fail(path, object, fmt::format("stage code {} is not a YASA code -1..4", code));
  }
}

hid_t ComplexMemType() {
  const hid_t t = H5Tcreate(H5T_COMPOUND, sizeof(std::complex<float>));
  H5Tinsert(t, "r", 0, H5T_NATIVE_FLOAT);
  H5Tinsert(t, "i", sizeof(float), H5T_NATIVE_FLOAT);
  return t;
}

}  // namespace

NightReader::NightReader(const std::string& path) : path_(path) {
  info_.path = path;
  file_ = detail::OpenReadOnly(path, "a nightsim night file");
  const hid_t f = file_;
  try {
    if (!HasAttr(f, "/", "schema_version")) {
      Fail(path, "", "an HDF5 file, but not a nightsim night file (no root attribute schema_version)");
    }
    info_.schema_version = AttrString(f, path, "/", "schema_version");
    const int major = std::atoi(info_.schema_version.c_str());
    if (major != kNightSchemaMajor) {
      Fail(path, "/@schema_version",
           fmt::format("night file schema {} cannot be read by this nightsim (schema {})", info_.schema_version,
                       kNightSchemaVersion));
    }
    info_.nightsim_version = AttrString(f, path, "/", "nightsim_version");
    info_.seed = static_cast<std::uint64_t>(AttrInt(f, path, "/", "seed"));
    info_.scenario_name = AttrString(f, path, "/", "scenario_name");
    info_.scenario_yaml = AttrString(f, path, "/", "scenario");
    info_.scenario_hash = AttrString(f, path, "/", "scenario_hash");
    info_.night_key = AttrString(f, path, "/", "night_key");
    const std::string level = AttrString(f, path, "/", "radar_level");
    if (level == "raw") info_.level = RadarLevel::kRaw;
    else if (level == "range") info_.level = RadarLevel::kRange;
    else if (level == "stream") info_.level = RadarLevel::kStream;
    else if (level != "none") Fail(path, "/@radar_level", "expected none, raw, range or stream, got '" + level + "'");
    info_.epoch_s = AttrDouble(f, path, "/", "epoch_s");
    info_.epochs = AttrInt(f, path, "/", "epochs");
    info_.duration_s = AttrDouble(f, path, "/", "duration_s");
    info_.night_start_clock_s = AttrDouble(f, path, "/", "night_start_clock_s");
    info_.frames = AttrInt(f, path, "/", "frames");
    info_.frame_rate_hz = AttrDouble(f, path, "/", "frame_rate_hz");
    // Written only for a window of the night; absent: the whole night.
    info_.radar_first_frame = HasAttr(f, "/", "radar_first_frame") ? AttrInt(f, path, "/", "radar_first_frame") : 0;
    info_.radar_end_frame =
        HasAttr(f, "/", "radar_end_frame") ? AttrInt(f, path, "/", "radar_end_frame") : info_.frames;
    if (info_.radar_first_frame < 0 || info_.radar_end_frame < info_.radar_first_frame ||
        info_.radar_end_frame > info_.frames) {
      Fail(path, "/@radar_first_frame", "the stored window of frames does not lie inside the night");
    }
    info_.parameters = Strings(f, path, "/parameters");
    if (!(info_.epoch_s > 0) || info_.epochs < 0) Fail(path, "/@epoch_s", "epoch_s must be > 0 and epochs >= 0");
    // Schema 1.1: imported recordings say where they came from; they hold no truth.
    if (HasAttr(f, "/", "source")) info_.source = AttrString(f, path, "/", "source");
    if (HasAttr(f, "/", "source_format")) info_.source_format = AttrString(f, path, "/", "source_format");
    if (HasAttr(f, "/", "source_path")) info_.source_path = AttrString(f, path, "/", "source_path");
    info_.has_truth = Exists(f, "/truth");
  } catch (...) {
    H5Fclose(file_);
    file_ = -1;
    throw;
  }
}

NightReader::~NightReader() {
  if (file_ >= 0) H5Fclose(file_);
}

RadarInfo NightReader::Radar() const {
  const hid_t f = file_;
  RadarInfo r;
  r.start_hz = AttrDouble(f, path_, "/radar", "start_hz");
  r.bandwidth_hz = AttrDouble(f, path_, "/radar", "bandwidth_hz");
  r.chirp_s = AttrDouble(f, path_, "/radar", "chirp_s");
  r.samples_per_chirp = static_cast<int>(AttrInt(f, path_, "/radar", "samples_per_chirp"));
  r.sample_rate_hz = AttrDouble(f, path_, "/radar", "sample_rate_hz");
  r.chirps_per_frame = static_cast<int>(AttrInt(f, path_, "/radar", "chirps_per_frame"));
  r.frame_rate_hz = AttrDouble(f, path_, "/radar", "frame_rate_hz");
  r.range_bins = static_cast<int>(AttrInt(f, path_, "/radar", "range_bins"));
  r.range_bin_m = AttrDouble(f, path_, "/radar", "range_bin_m");
  r.range_start_m = OptionalAttr(f, path_, "/radar", "range_start_m").value_or(0.0);
  const std::vector<hsize_t> dims = Shape(f, path_, "/radar/rx_position_m");
  if (dims.size() != 2 || dims[1] != 3) Fail(path_, "/radar/rx_position_m", "expected shape [rx, 3]");
  const auto rx = ReadRows<double>(f, path_, "/radar/rx_position_m", H5T_NATIVE_DOUBLE, 0,
                                   static_cast<std::int64_t>(dims[0]));
  for (std::size_t i = 0; i < dims[0]; ++i) r.rx.push_back({rx[3 * i], rx[3 * i + 1], rx[3 * i + 2]});
  return r;
}

std::string NightReader::RadarType() const {
  return HasAttr(file_, "/radar", "radar_type") ? AttrString(file_, path_, "/radar", "radar_type") : "fmcw";
}

std::vector<double> NightReader::FrameTimes() const {
  if (Exists(file_, "/radar/time_s")) return Doubles(file_, path_, "/radar/time_s");
  const std::int64_t rows = info_.level == RadarLevel::kStream ? 0 : RadarRows();
  std::vector<double> t(static_cast<std::size_t>(rows));
  for (std::size_t i = 0; i < t.size(); ++i) t[i] = static_cast<double>(i) / info_.frame_rate_hz;
  return t;
}

void NightReader::RequireTruth(const char* object) const {
  if (!info_.has_truth) {
    Fail(path_, object,
         fmt::format("absent: the file is an imported recording (source {}, format {}) and holds radar data only",
                     info_.source, info_.source_format.empty() ? "unknown" : info_.source_format));
  }
}

AppSettings NightReader::Settings() const {
  RequireTruth("/app_settings");
  AppSettings s;
  const std::string side = AttrString(file_, path_, "/app_settings", "bed_side");
  if (side != "left" && side != "right") Fail(path_, "/app_settings@bed_side", "expected left or right");
  s.bed_side = side == "right" ? BedSide::kRight : BedSide::kLeft;
  s.alarm_s = OptionalAttr(file_, path_, "/app_settings", "alarm_s");
  s.smart_window_s = AttrDouble(file_, path_, "/app_settings", "smart_window_s");
  s.epoch_s = info_.epoch_s;
  s.night_start_clock_s = info_.night_start_clock_s;
  return s;
}

NightTruth NightReader::Truth() const {
  RequireTruth("/truth");
  const hid_t f = file_;
  NightTruth t;
  t.epoch_s = AttrDouble(f, path_, "/truth", "epoch_s");
  const auto n = static_cast<std::size_t>(info_.epochs);
  auto column_of_n = [&](auto values, const std::string& object) {
    if (values.size() != n) Fail(path_, object, fmt::format("{} rows, the night has {} epochs", values.size(), n));
    return values;
  };
  const auto stage = column_of_n(Int8s(f, path_, "/truth/primary/stage"), "/truth/primary/stage");
  const auto in_bed = column_of_n(Int8s(f, path_, "/truth/primary/in_bed"), "/truth/primary/in_bed");
  const auto in_zone = column_of_n(Int8s(f, path_, "/truth/primary/in_zone"), "/truth/primary/in_zone");
  const auto intent = column_of_n(Int8s(f, path_, "/truth/primary/intent"), "/truth/primary/intent");
  const auto rate = column_of_n(Doubles(f, path_, "/truth/primary/resp_rate_bpm"), "/truth/primary/resp_rate_bpm");
  const auto moving = column_of_n(Int8s(f, path_, "/truth/primary/gross_movement"), "/truth/primary/gross_movement");
  t.primary.resize(n);
  for (std::size_t e = 0; e < n; ++e) {
    PrimaryEpochTruth& p = t.primary[e];
    p.stage = stage[e];
    p.in_bed = in_bed[e] != 0;
    p.in_zone = in_zone[e] != 0;
    p.intent = intent[e] != 0;
    p.resp_rate_bpm = rate[e];
    p.gross_movement = moving[e] != 0;
  }
  const auto ids = Strings(f, path_, "/truth/body_ids");
  const auto roles = Strings(f, path_, "/truth/body_roles");
  if (roles.size() != ids.size()) Fail(path_, "/truth/body_roles", "one role per body id expected");
  for (std::size_t b = 0; b < ids.size(); ++b) {
    BodyTruth body;
    body.id = ids[b];
    if (roles[b] == "primary") body.role = BodyRole::kPrimary;
    else if (roles[b] == "partner") body.role = BodyRole::kPartner;
    else if (roles[b] == "pet") body.role = BodyRole::kPet;
    else Fail(path_, "/truth/body_roles", "unknown role '" + roles[b] + "'");
    const std::string g = "/truth/bodies/" + body.id + "/epochs/";
    const auto room = column_of_n(Int8s(f, path_, g + "in_room"), g + "in_room");
    const auto bed = column_of_n(Int8s(f, path_, g + "in_bed"), g + "in_bed");
    const auto range = column_of_n(Doubles(f, path_, g + "range_m"), g + "range_m");
    const auto azimuth = column_of_n(Doubles(f, path_, g + "azimuth_rad"), g + "azimuth_rad");
    body.epochs.resize(n);
    for (std::size_t e = 0; e < n; ++e) body.epochs[e] = BodyEpochTruth{room[e] != 0, bed[e] != 0, range[e], azimuth[e]};
    t.bodies.push_back(std::move(body));
  }
  t.events.lights_out_s = OptionalAttr(f, path_, "/truth", "lights_out_s");
  t.events.sleep_onset_s = OptionalAttr(f, path_, "/truth", "sleep_onset_s");
  t.events.final_awakening_s = OptionalAttr(f, path_, "/truth", "final_awakening_s");
  const auto leave = Doubles(f, path_, "/truth/restroom_trips/leave_s");
  const auto back = Doubles(f, path_, "/truth/restroom_trips/return_s");
  if (leave.size() != back.size()) Fail(path_, "/truth/restroom_trips", "leave_s and return_s differ in length");
  for (std::size_t i = 0; i < leave.size(); ++i) t.events.restroom_trips.push_back({leave[i], back[i]});
  if (const auto alarm_s = OptionalAttr(f, path_, "/truth", "alarm_s")) {
    t.events.alarm = AlarmTruth{*alarm_s, AttrDouble(f, path_, "/truth", "smart_window_s"),
                                AttrDouble(f, path_, "/truth", "ideal_alarm_s")};
  }
  std::string error;
  if (!t.IsValid(&error)) Fail(path_, "/truth", "inconsistent truth tables: " + error);
  return t;
}

std::vector<EpochEstimate> NightReader::Estimates() const {
  RequireTruth("/pipeline/epochs");
  const hid_t f = file_;
  const std::string g = "/pipeline/epochs/";
  const auto epoch = Int64s(f, path_, g + "epoch");
  const auto present = Int8s(f, path_, g + "present");
  const auto confidence = Doubles(f, path_, g + "presence_confidence");
  const auto session = Int8s(f, path_, g + "session");
  const auto tracking = Int8s(f, path_, g + "tracking");
  const auto range = Doubles(f, path_, g + "target_range_m");
  const auto angle = Doubles(f, path_, g + "target_angle_rad");
  const auto rate = Doubles(f, path_, g + "resp_rate_bpm");
  const auto movement = Doubles(f, path_, g + "movement");
  const auto intent = Int8s(f, path_, g + "intent");
  const auto stage = Int8s(f, path_, g + "stage");
  const std::size_t m = epoch.size();
  for (std::size_t size : {present.size(), confidence.size(), session.size(), tracking.size(), range.size(),
                           angle.size(), rate.size(), movement.size(), intent.size(), stage.size()}) {
    if (size != m) Fail(path_, "/pipeline/epochs", "columns differ in length");
  }
  std::vector<EpochEstimate> out(m);
  for (std::size_t i = 0; i < m; ++i) {
    EpochEstimate& e = out[i];
    e.epoch = epoch[i];
    e.present = present[i] != 0;
    e.presence_confidence = confidence[i];
    e.session = session[i] != 0;
    e.tracking = tracking[i] != 0;
    e.target_range_m = range[i];
    e.target_angle_rad = angle[i];
    e.resp_rate_bpm = rate[i];
    e.movement = movement[i];
    e.intent = intent[i] != 0;
    e.stage = StageOfYasaCode(stage[i], path_, g + "stage");
  }
  return out;
}

std::vector<AlarmDecision> NightReader::Alarms() const {
  RequireTruth("/pipeline/alarms");
  const auto fire = Doubles(file_, path_, "/pipeline/alarms/fire_s");
  const auto stage = Int8s(file_, path_, "/pipeline/alarms/stage_at_fire");
  if (fire.size() != stage.size()) Fail(path_, "/pipeline/alarms", "columns differ in length");
  std::vector<AlarmDecision> out;
  for (std::size_t i = 0; i < fire.size(); ++i) {
    out.push_back(AlarmDecision{fire[i], StageOfYasaCode(stage[i], path_, "/pipeline/alarms/stage_at_fire")});
  }
  return out;
}

std::map<std::string, double> NightReader::Metrics() const {
  RequireTruth("/metrics");
  const auto names = Strings(file_, path_, "/metrics/name");
  const auto values = Doubles(file_, path_, "/metrics/value");
  if (names.size() != values.size()) Fail(path_, "/metrics", "name and value differ in length");
  std::map<std::string, double> out;
  for (std::size_t i = 0; i < names.size(); ++i) out[names[i]] = values[i];
  return out;
}

std::int64_t NightReader::RadarRows() const {
  if (!info_.level) return 0;
  switch (*info_.level) {
    case RadarLevel::kRaw: return static_cast<std::int64_t>(Shape(file_, path_, "/radar/raw")[0]);
    case RadarLevel::kRange: return static_cast<std::int64_t>(Shape(file_, path_, "/radar/range")[0]);
    case RadarLevel::kStream: return static_cast<std::int64_t>(Shape(file_, path_, "/radar/stream/time_s")[0]);
  }
  return 0;
}

std::vector<std::complex<float>> NightReader::RangeFrames(std::int64_t first, std::int64_t count) const {
  if (info_.level != RadarLevel::kRange) Fail(path_, "/radar/range", "the file holds no range-level data");
  Handle type{ComplexMemType(), H5Tclose};
  return ReadRows<std::complex<float>>(file_, path_, "/radar/range", type.id, first, count);
}

std::vector<float> NightReader::RawFrames(std::int64_t first, std::int64_t count) const {
  if (info_.level != RadarLevel::kRaw) Fail(path_, "/radar/raw", "the file holds no raw-level data");
  return ReadRows<float>(file_, path_, "/radar/raw", H5T_NATIVE_FLOAT, first, count);
}

std::vector<physics::StreamSample> NightReader::Stream() const {
  if (info_.level != RadarLevel::kStream) Fail(path_, "/radar/stream", "the file holds no stream-level data");
  const std::string g = "/radar/stream/";
  const auto index = Int64s(file_, path_, g + "frame_index");
  const auto time = Doubles(file_, path_, g + "time_s");
  const auto target = Int8s(file_, path_, g + "target");
  const auto distance = Floats(file_, path_, g + "distance_m");
  const auto respiration = Floats(file_, path_, g + "respiration_m");
  const auto motion = Floats(file_, path_, g + "motion");
  const auto quality = Floats(file_, path_, g + "signal_quality");
  const std::size_t n = index.size();
  for (std::size_t size : {time.size(), target.size(), distance.size(), respiration.size(), motion.size(),
                           quality.size()}) {
    if (size != n) Fail(path_, "/radar/stream", "columns differ in length");
  }
  std::vector<physics::StreamSample> out(n);
  for (std::size_t i = 0; i < n; ++i) {
    out[i] = physics::StreamSample{index[i], time[i], target[i] != 0, distance[i], respiration[i], motion[i],
                                   quality[i]};
  }
  return out;
}

BodyFrames NightReader::BodyFramesOf(const std::string& id) const {
  const std::string g = "/truth/bodies/" + id + "/frames/";
  if (!Exists(file_, "/truth/bodies/" + id + "/frames")) Fail(path_, g, "no per-frame truth for this body");
  BodyFrames b;
  b.torso_x_m = Floats(file_, path_, g + "torso_x_m");
  b.torso_y_m = Floats(file_, path_, g + "torso_y_m");
  b.torso_z_m = Floats(file_, path_, g + "torso_z_m");
  b.heading_rad = Floats(file_, path_, g + "heading_rad");
  b.motion = Floats(file_, path_, g + "motion");
  b.chest_m = Floats(file_, path_, g + "chest_m");
  b.abdomen_m = Floats(file_, path_, g + "abdomen_m");
  b.heart_m = Floats(file_, path_, g + "heart_m");
  b.posture = Int8s(file_, path_, g + "posture");
  b.in_room = Int8s(file_, path_, g + "in_room");
  b.in_bed = Int8s(file_, path_, g + "in_bed");
  return b;
}

}  // namespace nightsim::harness
