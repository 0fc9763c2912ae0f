#include "harness/recording_import.h"

#include <fmt/core.h>
#include <hdf5.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <set>
#include <sstream>

#include "core/errors.h"
#include "core/rng.h"
#include "core/scenario.h"
#include "h5_reading.h"
#include "harness/atomic_file.h"
#include "harness/h5_writer.h"
#include "harness/night_output.h"
#include "physics/fmcw.h"
#include "physics/radar_config.h"

namespace nightsim::harness {
namespace {

namespace fs = std::filesystem;
using detail::Fail;
using detail::Handle;

// Largest dimension accepted in a recording's configuration. Avian chips sample at
// most 1024 points per chirp; the bound keeps RangeFromRaw's O(N²) and one frame's
// chunk (at most kMaxChunkBytes) in reach for any input.
constexpr std::int64_t kMaxSamplesPerChirp = 4096;
// An ifxdaq chip's ADC: BGT60TR13C samples 12 bits.
constexpr int kIfxdaqAdcBits = 12;
// Acconeer's approximate distance per point, m, for files whose metadata lacks the
// device's own base_step_length_m.
constexpr double kA121ApproxStepM = 2.5e-3;
// A121's carrier frequency, Hz (datasheet: 60.5 GHz).
constexpr double kA121CarrierHz = 60.5e9;
// Longest frame period accepted, s: sleep radars frame many times a second; an hour
// already means a damaged file, and it keeps durations and epoch counts finite.
constexpr double kMaxFramePeriodS = 3600.0;
// Epoch length written into imported files: the night file needs one, and 30 s is
// the scoring epoch nightsim and YASA use.
constexpr double kImportEpochS = 30.0;

std::string BaseName(const std::string& path) {
  const fs::path p = fs::path(path).lexically_normal();
  const fs::path name = p.has_filename() ? p.filename() : p.parent_path().filename();
  return name.string();
}

std::string ReadWholeFile(const std::string& path, const char* what) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) Fail(path, "", fmt::format("no such file ({} expected here)", what));
  std::ifstream in(path, std::ios::binary);
  if (!in) Fail(path, "", "cannot be read");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) Fail(path, "", "cannot be read");
  return text;
}

// ---- .npy header --------------------------------------------------------------------

// A cursor over the header's Python dict literal; every error names the file.
class DictLiteral {
 public:
  DictLiteral(std::string_view text, const std::string& path) : s_(text), path_(path) {}

  void SkipSpace() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
  }
  bool Accept(char c) {
    SkipSpace();
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  void Expect(char c, const char* where) {
    if (!Accept(c)) Bad(fmt::format("expected '{}' {}", c, where));
  }
  bool AtEnd() {
    SkipSpace();
    return i_ == s_.size();
  }
  std::string String() {
    SkipSpace();
    if (i_ >= s_.size() || (s_[i_] != '\'' && s_[i_] != '"')) Bad("expected a quoted string");
    const char quote = s_[i_++];
    const std::size_t end = s_.find(quote, i_);
    if (end == std::string_view::npos) Bad("unterminated string");
    std::string out(s_.substr(i_, end - i_));
    if (out.find('\\') != std::string::npos) Bad("escapes are not expected in a dtype string");
    i_ = end + 1;
    return out;
  }
  bool Bool() {
    SkipSpace();
    for (const auto& [word, value] : {std::pair{"True", true}, std::pair{"False", false}}) {
      const std::size_t n = std::strlen(word);
      if (s_.substr(i_, n) == word) {
        i_ += n;
        return value;
      }
    }
    Bad("expected True or False");
  }
  std::vector<std::int64_t> Tuple() {
    Expect('(', "to open the shape");
    std::vector<std::int64_t> out;
    while (!Accept(')')) {
      SkipSpace();
      std::int64_t v = 0;
      std::size_t digits = 0;
      for (; i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9'; ++i_, ++digits) {
        if (v > (std::numeric_limits<std::int64_t>::max() - 9) / 10) Bad("a dimension is too large");
        v = v * 10 + (s_[i_] - '0');
      }
      if (digits == 0) Bad("expected a non-negative integer dimension");
      out.push_back(v);
      if (!Accept(',')) {
        Expect(')', "to close the shape");
        break;
      }
    }
    return out;
  }
  [[noreturn]] void Bad(const std::string& message) const {
    Fail(path_, "", fmt::format("not a numpy .npy file: header at character {}: {}", i_, message));
  }

 private:
  std::string_view s_;
  std::string path_;
  std::size_t i_{0};
};

std::int64_t Product(const std::vector<std::int64_t>& dims) {
  std::int64_t n = 1;
  for (std::int64_t d : dims) {
    if (d != 0 && n > std::numeric_limits<std::int64_t>::max() / d) return -1;
    n *= d;
  }
  return n;
}

// ---- JSON through yaml-cpp (JSON is YAML's flow style) ---------------------------------

// A JSON object read from a file, with typed accessors whose errors name the key path.
class JsonMap {
 public:
  JsonMap(YAML::Node node, std::string path, std::string key) : n_(std::move(node)), path_(std::move(path)), key_(std::move(key)) {
    if (!n_.IsMap()) Fail(path_, key_, "expected a JSON object");
  }
  static JsonMap Parse(const std::string& text, const std::string& path, const std::string& what) {
    YAML::Node root;
    try {
      root = YAML::Load(text);
    } catch (const YAML::Exception& e) {
      Fail(path, "", fmt::format("not valid JSON ({}): line {}, column {}: {}", what, e.mark.line + 1,
                                 e.mark.column + 1, e.msg));
    }
    if (!root.IsMap()) Fail(path, "", fmt::format("not {} (expected a JSON object)", what));
    return JsonMap(root, path, "");
  }
  std::string Key(const std::string& name) const { return key_.empty() ? name : key_ + "." + name; }
  bool Has(const std::string& name) const { return n_[name] && !n_[name].IsNull(); }
  YAML::Node Get(const std::string& name) const {
    const YAML::Node v = n_[name];
    if (!v) Fail(path_, Key(name), "missing");
    return v;
  }
  JsonMap Map(const std::string& name) const { return JsonMap(Get(name), path_, Key(name)); }
  double Number(const std::string& name) const {
    const YAML::Node v = Get(name);
    try {
      if (v.IsScalar()) {
        const double x = v.as<double>();
        if (std::isfinite(x)) return x;
      }
    } catch (const YAML::Exception&) {
    }
    Fail(path_, Key(name), "expected a finite number");
  }
  double Positive(const std::string& name) const {
    const double x = Number(name);
    if (!(x > 0)) Fail(path_, Key(name), fmt::format("must be > 0, got {}", x));
    return x;
  }
  std::int64_t Integer(const std::string& name, std::int64_t lo, std::int64_t hi) const {
    const YAML::Node v = Get(name);
    std::int64_t x = 0;
    try {
      if (!v.IsScalar()) throw YAML::Exception(YAML::Mark::null_mark(), "");
      x = v.as<std::int64_t>();
    } catch (const YAML::Exception&) {
      Fail(path_, Key(name), "expected an integer");
    }
    if (x < lo || x > hi) Fail(path_, Key(name), fmt::format("must be in {}..{}, got {}", lo, hi, x));
    return x;
  }
  std::string Text(const std::string& name) const {
    const YAML::Node v = Get(name);
    if (!v.IsScalar()) Fail(path_, Key(name), "expected a string");
    return v.Scalar();
  }
  std::vector<int> Integers(const std::string& name, int lo, int hi) const {
    const YAML::Node v = Get(name);
    if (!v.IsSequence()) Fail(path_, Key(name), "expected a list of integers");
    std::vector<int> out;
    for (std::size_t i = 0; i < v.size(); ++i) {
      try {
        const int x = v[i].as<int>();
        if (x < lo || x > hi) throw YAML::Exception(YAML::Mark::null_mark(), "");
        out.push_back(x);
      } catch (const YAML::Exception&) {
        Fail(path_, fmt::format("{}[{}]", Key(name), i), fmt::format("expected an integer in {}..{}", lo, hi));
      }
    }
    return out;
  }
  const YAML::Node& node() const { return n_; }

 private:
  YAML::Node n_;
  std::string path_;
  std::string key_;
};

// ---- ifxdaq --------------------------------------------------------------------------

// The chip's calibrated fingerprint (leakage, gains, offsets: the bgt60tr13c_wideband
// preset) with the recording's configuration. The BGT60TR13C's RX antennas 1–3 are nightsim's default L
// (physics/radar_config.h); a recording may use any subset, in its own order. The TX
// power level is not mapped to dBm (no published curve): the preset's power stands for it.
RadarParams IfxdaqRadarParams(const IfxdaqConfig& c) {
  RadarParams p = physics::FindRadarPreset("bgt60tr13c_wideband")->params;
  p.start_hz = c.start_hz;
  p.bandwidth_hz = c.end_hz - c.start_hz;
  p.samples_per_chirp = c.samples_per_chirp;
  p.sample_rate_hz = c.sample_rate_hz;
  // ifxdaq's start/end frequencies bound the sampled part of the ramp.
  p.chirp_s = c.samples_per_chirp / c.sample_rate_hz;
  p.chirps_per_frame = c.chirps_per_frame;
  p.chirp_repetition_s = c.chirp_repetition_s;
  p.frame_rate_hz = 1.0 / c.frame_repetition_s;
  p.if_gain_db = c.if_gain_db;
  p.if_highpass_hz = c.highpass_hz;
  p.if_lowpass_hz = c.aaf_cutoff_hz;
  p.adc_bits = kIfxdaqAdcBits;
  const std::vector<std::array<double, 3>> l = physics::ResolveRxPositions(p);
  for (int a : c.rx_antennas) p.rx_positions_m.push_back(l[static_cast<std::size_t>(a - 1)]);
  for (std::vector<double>* per_rx : {&p.leakage_dbc, &p.rx_gain_db, &p.rx_phase_deg, &p.dc_offset_v}) {
    if (per_rx->empty()) continue;
    std::vector<double> picked;
    for (int a : c.rx_antennas) picked.push_back((*per_rx)[static_cast<std::size_t>(a - 1)]);
    *per_rx = picked;
  }
  return p;
}

void AddIfxdaqSource(const IfxdaqConfig& c, const std::string& config_json, ImportedRecording* r) {
  auto list = [](const std::vector<int>& v) {
    std::string out;
    for (std::size_t i = 0; i < v.size(); ++i) out += (i ? "," : "") + std::to_string(v[i]);
    return out;
  };
  r->source_text = {{"config_json", config_json},
                    {"rx_antennas", list(c.rx_antennas)},
                    {"tx_antennas", list(c.tx_antennas)},
                    {"mimo_mode", c.mimo_mode}};
  r->source_numbers = {{"start_frequency_hz", c.start_hz},
                       {"end_frequency_hz", c.end_hz},
                       {"num_samples_per_chirp", c.samples_per_chirp},
                       {"sample_rate_hz", c.sample_rate_hz},
                       {"num_chirps_per_frame", c.chirps_per_frame},
                       {"chirp_repetition_time_s", c.chirp_repetition_s},
                       {"frame_repetition_time_s", c.frame_repetition_s},
                       {"hp_cutoff_hz", c.highpass_hz},
                       {"aaf_cutoff_hz", c.aaf_cutoff_hz},
                       {"if_gain_db", c.if_gain_db},
                       {"tx_power_level", c.tx_power_level}};
}

// ---- A121 ----------------------------------------------------------------------------

// One complex sample of A121's sparse IQ service, as stored: compound {real, imag} int16.
struct A121Iq {
  std::int16_t real;
  std::int16_t imag;
};

const std::string kA121Entry = "/sessions/session_0/group_0/entry_0";

// A scalar string dataset (Acconeer stores its JSON documents so).
std::string ScalarString(hid_t file, const std::string& path, const std::string& object) {
  if (!detail::Exists(file, object)) Fail(path, object, "missing (not an Acconeer A121 recording?)");
  Handle ds{H5Dopen2(file, object.c_str(), H5P_DEFAULT), H5Dclose};
  if (ds.id < 0) Fail(path, object, "not a dataset");
  Handle type{H5Dget_type(ds.id), H5Tclose};
  Handle space{H5Dget_space(ds.id), H5Sclose};
  if (H5Tget_class(type.id) != H5T_STRING || H5Sget_simple_extent_ndims(space.id) != 0) {
    Fail(path, object, "expected a scalar string");
  }
  Handle mem{H5Tcopy(H5T_C_S1), H5Tclose};
  H5Tset_cset(mem.id, H5Tget_cset(type.id));
  if (H5Tis_variable_str(type.id) > 0) {
    H5Tset_size(mem.id, H5T_VARIABLE);
    char* text = nullptr;
    if (H5Dread(ds.id, mem.id, H5S_ALL, H5S_ALL, H5P_DEFAULT, &text) < 0) Fail(path, object, "cannot read");
    std::string out = text ? text : "";
    H5free_memory(text);
    return out;
  }
  const std::size_t size = H5Tget_size(type.id);
  if (size == 0 || size > (1u << 24)) Fail(path, object, "implausible string size");
  std::string out(size, '\0');
  H5Tset_size(mem.id, size);
  if (H5Dread(ds.id, mem.id, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()) < 0) Fail(path, object, "cannot read");
  out.resize(out.find('\0') == std::string::npos ? size : out.find('\0'));
  return out;
}

// The only sensor's configuration in the session's only group.
JsonMap A121SensorConfig(const JsonMap& session, const std::string& path) {
  const YAML::Node groups = session.Get("groups");
  if (!groups.IsSequence() || groups.size() != 1) Fail(path, "session_config.groups", "expected exactly one group");
  const JsonMap group(groups[0], path, "session_config.groups[0]");
  if (group.node().size() != 1) Fail(path, "session_config.groups[0]", "expected exactly one sensor");
  const auto sensor = group.node().begin();
  // JSON keys are strings, but YAML (which parses it) also allows a list as a key.
  const std::string id = sensor->first.IsScalar() ? sensor->first.Scalar() : "?";
  return JsonMap(sensor->second, path, "session_config.groups[0]." + id);
}

void WriteSource(H5Writer& w, const ImportedRecording& r) {
  w.Group("/source");
  for (const auto& [name, text] : r.source_text) w.Attr("/source", name, text);
  for (const auto& [name, value] : r.source_numbers) w.Attr("/source", name, value);
}

}  // namespace

const char* RecordingFormatName(RecordingFormat format) {
  return format == RecordingFormat::kA121 ? "a121" : "ifxdaq";
}

RecordingFormat ParseRecordingFormatOption(const std::string& text) {
  for (RecordingFormat f : {RecordingFormat::kIfxdaq, RecordingFormat::kA121}) {
    if (text == RecordingFormatName(f)) return f;
  }
  throw InputError(InputProblem{"", 0, 0, "--format", "expected ifxdaq or a121, got '" + text + "'"});
}

RecordingFormat DetectRecordingFormat(const std::string& path) {
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // H5Fis_hdf5 on a text file must not print HDF5's stack
  std::error_code ec;
  const fs::path p(path);
  if (fs::is_directory(p, ec)) {
    if (fs::is_directory(p / "RadarIfxAvian_00", ec) ||
        (fs::exists(p / "radar.npy", ec) && fs::exists(p / "config.json", ec))) {
      return RecordingFormat::kIfxdaq;
    }
    Fail(path, "", "a folder, but not an ifxdaq recording (no RadarIfxAvian_00/, nor radar.npy and config.json)");
  }
  if (!fs::exists(p, ec)) Fail(path, "", "no such file or folder");
  if (H5Fis_hdf5(path.c_str()) > 0) {
    const Handle file{detail::OpenReadOnly(path, "an Acconeer A121 recording"), H5Fclose};
    if (detail::Exists(file.id, "/sessions")) return RecordingFormat::kA121;
    Fail(path, "", "an HDF5 file, but not an Acconeer A121 recording (no /sessions group)");
  }
  Fail(path, "", "not a recording nightsim can import (expected an ifxdaq folder or an Acconeer A121 .h5; see --format)");
}

NpyHeader ParseNpyHeader(std::string_view bytes, const std::string& path) {
  static constexpr std::string_view kMagic("\x93NUMPY", 6);
  if (bytes.size() < 10 || bytes.substr(0, 6) != kMagic) {
    Fail(path, "", "not a numpy .npy file (no \\x93NUMPY magic; truncated or foreign)");
  }
  const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(bytes[i]); };
  const int major = byte(6);
  if (major < 1 || major > 3) Fail(path, "", fmt::format("numpy .npy format version {}.{} is not 1, 2 or 3", major, byte(7)));
  std::size_t length = 0, start = 10;
  if (major == 1) {
    length = byte(8) | (std::size_t{byte(9)} << 8);
  } else {
    if (bytes.size() < 12) Fail(path, "", "truncated numpy .npy header");
    length = byte(8) | (std::size_t{byte(9)} << 8) | (std::size_t{byte(10)} << 16) | (std::size_t{byte(11)} << 24);
    start = 12;
  }
  if (length > bytes.size() - start) {
    Fail(path, "", fmt::format("truncated numpy .npy header ({} bytes declared, {} present)", length, bytes.size() - start));
  }
  DictLiteral d(bytes.substr(start, length), path);
  NpyHeader h;
  h.data_offset = start + length;
  std::set<std::string> seen;
  d.Expect('{', "to open the header dict");
  while (!d.Accept('}')) {
    const std::string key = d.String();
    if (!seen.insert(key).second) d.Bad("key '" + key + "' repeated");
    d.Expect(':', "after a key");
    if (key == "descr") h.descr = d.String();
    else if (key == "fortran_order") h.fortran_order = d.Bool();
    else if (key == "shape") h.shape = d.Tuple();
    else d.Bad("unexpected key '" + key + "'");
    if (!d.Accept(',')) {
      d.Expect('}', "to close the header dict");
      break;
    }
  }
  if (!d.AtEnd()) d.Bad("text after the header dict");
  if (seen.size() != 3) d.Bad("expected the keys 'descr', 'fortran_order' and 'shape'");
  return h;
}

IfxdaqConfig ParseIfxdaqConfig(const std::string& json_text, const std::string& path) {
  const JsonMap root = JsonMap::Parse(json_text, path, "an ifxdaq config.json");
  const JsonMap s = root.Map("device_config").Map("fmcw_single_shape");
  IfxdaqConfig c;
  c.start_hz = s.Positive("start_frequency_Hz");
  c.end_hz = s.Positive("end_frequency_Hz");
  if (!(c.end_hz > c.start_hz)) Fail(path, s.Key("end_frequency_Hz"), "must be above start_frequency_Hz");
  c.samples_per_chirp = static_cast<int>(s.Integer("num_samples_per_chirp", 2, kMaxSamplesPerChirp));
  if (c.samples_per_chirp % 2 != 0) Fail(path, s.Key("num_samples_per_chirp"), "must be even (range bins = samples / 2)");
  c.sample_rate_hz = s.Positive("sample_rate_Hz");
  c.chirps_per_frame = static_cast<int>(s.Integer("num_chirps_per_frame", 1, kMaxSamplesPerChirp));
  c.chirp_repetition_s = s.Positive("chirp_repetition_time_s");
  c.frame_repetition_s = s.Positive("frame_repetition_time_s");
  if (c.frame_repetition_s > kMaxFramePeriodS) {
    Fail(path, s.Key("frame_repetition_time_s"), fmt::format("must be at most {} s", kMaxFramePeriodS));
  }
  c.highpass_hz = s.Number("hp_cutoff_Hz");
  c.aaf_cutoff_hz = s.Number("aaf_cutoff_Hz");
  c.if_gain_db = s.Number("if_gain_dB");
  c.tx_power_level = static_cast<int>(s.Integer("tx_power_level", 0, 255));
  // The BGT60TR13C's receivers are RX1–RX3 (nightsim's default L).
  c.rx_antennas = s.Integers("rx_antennas", 1, 3);
  if (c.rx_antennas.empty()) Fail(path, s.Key("rx_antennas"), "no receive antenna");
  if (std::set<int>(c.rx_antennas.begin(), c.rx_antennas.end()).size() != c.rx_antennas.size()) {
    Fail(path, s.Key("rx_antennas"), "an antenna is listed twice");
  }
  if (s.Has("tx_antennas")) c.tx_antennas = s.Integers("tx_antennas", 1, 8);
  if (s.Has("mimo_mode")) c.mimo_mode = s.Text("mimo_mode");
  return c;
}

ImportedRecording ConvertIfxdaq(std::string_view npy, const std::string& config_json, RadarLevel level,
                                const std::string& npy_path, const std::string& config_path) {
  if (level == RadarLevel::kStream) {
    throw InputError(InputProblem{"", 0, 0, "--level", "an imported recording is stored at raw or range level"});
  }
  const IfxdaqConfig c = ParseIfxdaqConfig(config_json, config_path);
  const NpyHeader h = ParseNpyHeader(npy, npy_path);
  if (h.descr != "<u2" && h.descr != "|u2") {
    Fail(npy_path, "", fmt::format("dtype '{}': expected little-endian uint16 ('<u2') ADC counts", h.descr));
  }
  if (h.fortran_order) Fail(npy_path, "", "Fortran-ordered array: expected C order");
  const auto shape_text = [&] {
    std::string t;
    for (std::size_t i = 0; i < h.shape.size(); ++i) t += (i ? ", " : "") + std::to_string(h.shape[i]);
    return "(" + t + ")";
  };
  const std::int64_t elements = Product(h.shape);
  const std::size_t data_bytes = npy.size() - h.data_offset;
  if (elements < 0 || static_cast<std::uint64_t>(elements) > data_bytes / 2 ||
      static_cast<std::uint64_t>(elements) * 2 != data_bytes) {
    Fail(npy_path, "", fmt::format("{} bytes of data, its shape {} needs {} (truncated or damaged)", data_bytes,
                                   shape_text(), elements < 0 ? std::string("more") : std::to_string(elements * 2)));
  }
  const auto nrx = static_cast<std::int64_t>(c.rx_antennas.size());
  if (h.shape.size() != 4 || h.shape[0] < 1 || h.shape[1] != nrx || h.shape[2] != c.chirps_per_frame ||
      h.shape[3] != c.samples_per_chirp) {
    Fail(npy_path, "",
         fmt::format("shape {} contradicts {}: expected (frames >= 1, rx {}, chirps {}, samples {})", shape_text(),
                     BaseName(config_path), nrx, c.chirps_per_frame, c.samples_per_chirp));
  }
  const std::size_t frame_bytes = static_cast<std::size_t>(nrx * c.chirps_per_frame * c.samples_per_chirp) * sizeof(float);
  if (frame_bytes > kMaxChunkBytes) {
    Fail(npy_path, "", fmt::format("a frame of {} bytes exceeds the {} a night file's chunk holds", frame_bytes,
                                   kMaxChunkBytes));
  }

  const RadarParams p = IfxdaqRadarParams(c);
  ImportedRecording r;
  r.format = RecordingFormat::kIfxdaq;
  r.radar_type = "fmcw";
  r.radar = physics::MakeRadarInfo(p);
  r.device = p;
  r.level = level;
  r.frames = h.shape[0];
  r.duration_s = static_cast<double>(r.frames) * c.frame_repetition_s;
  // Counts become nightsim's raw unit, volts after its ADC model (RadarParams
  // defaults): v = (count − 2^(bits−1)) · lsb, lsb = 2 · full scale / 2^bits; exact in float.
  r.adc_bits = kIfxdaqAdcBits;
  r.adc_lsb_v = physics::AdcLsbV(p);
  r.adc_offset_counts = std::ldexp(1.0, kIfxdaqAdcBits - 1);
  AddIfxdaqSource(c, config_json, &r);

  const std::size_t chirps = static_cast<std::size_t>(c.chirps_per_frame);
  const std::size_t samples = static_cast<std::size_t>(c.samples_per_chirp);
  const std::size_t rxs = static_cast<std::size_t>(nrx);
  const std::size_t per_frame = chirps * rxs * samples;
  const unsigned char* data = reinterpret_cast<const unsigned char*>(npy.data()) + h.data_offset;
  const std::uint16_t max_count = static_cast<std::uint16_t>((1u << kIfxdaqAdcBits) - 1);
  // The file's [frame, rx, chirp, sample] becomes nightsim's [frame, chirp, rx, sample].
  r.raw.resize(static_cast<std::size_t>(r.frames) * per_frame);
  for (std::size_t f = 0; f < static_cast<std::size_t>(r.frames); ++f) {
    for (std::size_t rx = 0; rx < rxs; ++rx) {
      for (std::size_t m = 0; m < chirps; ++m) {
        const std::size_t in = ((f * rxs + rx) * chirps + m) * samples;
        const std::size_t out = ((f * chirps + m) * rxs + rx) * samples;
        for (std::size_t s = 0; s < samples; ++s) {
          const std::uint16_t count = static_cast<std::uint16_t>(data[2 * (in + s)] | (data[2 * (in + s) + 1] << 8));
          if (count > max_count) {
            Fail(npy_path, "", fmt::format("count {} at [{}, {}, {}, {}] is outside the {}-bit ADC's 0..{}", count, f,
                                           rx, m, s, kIfxdaqAdcBits, max_count));
          }
          r.raw[out + s] = static_cast<float>((count - r.adc_offset_counts) * r.adc_lsb_v);
        }
      }
    }
  }
  if (level == RadarLevel::kRange) {
    const physics::FmcwSynthesizer synthesizer(p);
    const std::size_t per_profile = rxs * static_cast<std::size_t>(r.radar.range_bins);
    std::vector<std::complex<double>> profile(per_profile);
    r.range.reserve(static_cast<std::size_t>(r.frames) * per_profile);
    for (std::size_t f = 0; f < static_cast<std::size_t>(r.frames); ++f) {
      synthesizer.RangeFromRaw(std::span<const float>(r.raw.data() + f * per_frame, per_frame), profile);
      for (const auto& v : profile) r.range.emplace_back(static_cast<float>(v.real()), static_cast<float>(v.imag()));
    }
    r.raw.clear();
    r.raw.shrink_to_fit();
  }
  return r;
}

ImportedRecording ReadIfxdaq(const std::string& folder, RadarLevel level) {
  const fs::path base(folder);
  std::error_code ec;
  const fs::path dir = fs::is_directory(base / "RadarIfxAvian_00", ec) ? base / "RadarIfxAvian_00" : base;
  const std::string npy_path = (dir / "radar.npy").string();
  const std::string config_path = (dir / "config.json").string();
  const std::string config = ReadWholeFile(config_path, "the recording's device configuration");
  const std::string npy = ReadWholeFile(npy_path, "the recording's ADC samples");
  ImportedRecording r = ConvertIfxdaq(npy, config, level, npy_path, config_path);
  r.source_path = BaseName(folder);
  return r;
}

ImportedRecording ReadA121(const std::string& path, RadarLevel level) {
  if (level != RadarLevel::kRange) {
    throw InputError(InputProblem{"", 0, 0, "--level",
                                  "an A121 recording is pulsed coherent: it has range level only (--level range)"});
  }
  const Handle file{detail::OpenReadOnly(path, "an Acconeer A121 recording"), H5Fclose};
  const hid_t f = file.id;
  const std::string frame_object = kA121Entry + "/result/frame";
  const std::string tick_object = kA121Entry + "/result/tick";
  if (!detail::Exists(f, frame_object)) {
    Fail(path, frame_object, "missing: not an Acconeer A121 recording (session 0, group 0, entry 0)");
  }
  const std::string session_json = ScalarString(f, path, "/sessions/session_0/session_config");
  const std::string metadata_json = ScalarString(f, path, kA121Entry + "/metadata");
  const JsonMap session = JsonMap::Parse(session_json, path + ":/sessions/session_0/session_config", "a session config");
  const JsonMap metadata = JsonMap::Parse(metadata_json, path + ":" + kA121Entry + "/metadata", "A121 metadata");
  const JsonMap sensor = A121SensorConfig(session, path);
  const YAML::Node subsweeps = sensor.Get("subsweeps");
  if (!subsweeps.IsSequence() || subsweeps.size() != 1) Fail(path, sensor.Key("subsweeps"), "expected exactly one subsweep");
  const JsonMap sub(subsweeps[0], path, sensor.Key("subsweeps[0]"));
  const std::int64_t start_point = sub.Integer("start_point", -1000, 100000);
  const std::int64_t num_points = sub.Integer("num_points", 1, kMaxSamplesPerChirp);
  const std::int64_t step_length = sub.Integer("step_length", 1, 100000);
  const std::int64_t sweeps = sensor.Integer("sweeps_per_frame", 1, 100000);
  const double step_m = metadata.Has("base_step_length_m") ? metadata.Positive("base_step_length_m") : kA121ApproxStepM;
  if (metadata.Has("sweep_data_length") && metadata.Integer("sweep_data_length", 0, 1 << 30) != num_points) {
    Fail(path, "metadata.sweep_data_length", "differs from the subsweep's num_points");
  }

  const std::vector<hsize_t> dims = detail::Shape(f, path, frame_object);
  if (dims.size() != 3 || dims[0] < 1 || dims[1] != static_cast<hsize_t>(sweeps) ||
      dims[2] != static_cast<hsize_t>(num_points)) {
    std::string shape;
    for (std::size_t i = 0; i < dims.size(); ++i) shape += (i ? ", " : "") + std::to_string(dims[i]);
    Fail(path, frame_object,
         fmt::format("shape ({}) contradicts the session config: expected (frames >= 1, sweeps {}, points {})", shape,
                     sweeps, num_points));
  }
  {
    Handle ds{H5Dopen2(f, frame_object.c_str(), H5P_DEFAULT), H5Dclose};
    Handle type{H5Dget_type(ds.id), H5Tclose};
    if (ds.id < 0 || H5Tget_class(type.id) != H5T_COMPOUND || H5Tget_nmembers(type.id) != 2 ||
        H5Tget_member_index(type.id, "real") < 0 || H5Tget_member_index(type.id, "imag") < 0) {
      Fail(path, frame_object, "expected the compound {real int16, imag int16}");
    }
  }
  const auto frames = static_cast<std::int64_t>(dims[0]);
  Handle iq_type{H5Tcreate(H5T_COMPOUND, sizeof(A121Iq)), H5Tclose};
  H5Tinsert(iq_type.id, "real", offsetof(A121Iq, real), H5T_NATIVE_INT16);
  H5Tinsert(iq_type.id, "imag", offsetof(A121Iq, imag), H5T_NATIVE_INT16);
  const std::vector<A121Iq> iq = detail::ReadRows<A121Iq>(f, path, frame_object, iq_type.id, 0, frames);
  const std::vector<hsize_t> tick_dims = detail::Shape(f, path, tick_object);
  if (tick_dims.size() != 1 || tick_dims[0] != dims[0]) Fail(path, tick_object, "expected one tick per frame");
  const std::vector<std::int64_t> ticks =
      detail::ReadRows<std::int64_t>(f, path, tick_object, H5T_NATIVE_INT64, 0, frames);
  double ticks_per_s = 1e6;  // Acconeer's servers count microseconds
  if (detail::Exists(f, "/server_info")) {
    const JsonMap server = JsonMap::Parse(ScalarString(f, path, "/server_info"), path + ":/server_info", "server info");
    if (server.Has("ticks_per_second")) ticks_per_s = server.Positive("ticks_per_second");
  }

  ImportedRecording r;
  r.format = RecordingFormat::kA121;
  r.radar_type = "pulsed_coherent";
  r.level = RadarLevel::kRange;
  r.frames = frames;
  r.source_path = BaseName(path);
  // Measured frame times: the device's ticks jitter by a tick around the configured rate.
  r.time_s.resize(static_cast<std::size_t>(frames));
  for (std::size_t i = 0; i < r.time_s.size(); ++i) {
    if (i > 0 && ticks[i] <= ticks[i - 1]) Fail(path, tick_object, fmt::format("tick {} does not increase", i));
    // In double: the difference of two int64 ticks of a damaged file can overflow.
    r.time_s[i] = (static_cast<double>(ticks[i]) - static_cast<double>(ticks[0])) / ticks_per_s;
  }
  const double measured_rate_hz = frames > 1 ? (frames - 1) / r.time_s.back() : 0.0;
  const double frame_rate_hz = sensor.Has("frame_rate") ? sensor.Positive("frame_rate") : measured_rate_hz;
  if (!(frame_rate_hz > 0)) Fail(path, sensor.Key("frame_rate"), "no frame rate, and one frame cannot measure it");
  r.duration_s = r.time_s.back() + 1.0 / frame_rate_hz;
  if (!(r.duration_s < kMaxFramePeriodS * static_cast<double>(frames))) {
    Fail(path, tick_object, "frame times beyond an hour per frame (damaged ticks or frame rate)");
  }

  RadarInfo& radar = r.radar;
  // Pulsed: no chirp, sweep or ADC sampling in the FMCW sense; those fields are 0.
  radar.start_hz = kA121CarrierHz;
  radar.bandwidth_hz = 0;
  radar.chirp_s = 0;
  radar.samples_per_chirp = 0;
  radar.sample_rate_hz = 0;
  radar.chirps_per_frame = 0;
  radar.frame_rate_hz = frame_rate_hz;
  radar.range_bins = static_cast<int>(num_points);
  radar.range_bin_m = static_cast<double>(step_length) * step_m;
  radar.range_start_m = static_cast<double>(start_point) * step_m;
  radar.rx = {AntennaPosition{}};

  // A frame's profile is the mean over its sweeps, as FMCW frames average their chirps.
  const std::size_t points = static_cast<std::size_t>(num_points);
  const std::size_t per_frame = static_cast<std::size_t>(sweeps) * points;
  r.range.resize(static_cast<std::size_t>(frames) * points);
  for (std::size_t fr = 0; fr < static_cast<std::size_t>(frames); ++fr) {
    for (std::size_t k = 0; k < points; ++k) {
      double re = 0, im = 0;
      for (std::size_t s = 0; s < static_cast<std::size_t>(sweeps); ++s) {
        const A121Iq& v = iq[fr * per_frame + s * points + k];
        re += v.real;
        im += v.imag;
      }
      r.range[fr * points + k] = {static_cast<float>(re / sweeps), static_cast<float>(im / sweeps)};
    }
  }

  r.source_text = {{"session_config_json", session_json}, {"metadata_json", metadata_json}};
  for (const char* name : {"/lib_version", "/timestamp", "/generation"}) {
    if (detail::Exists(f, name)) r.source_text.emplace_back(name + 1, ScalarString(f, path, name));
  }
  if (sub.Has("profile")) r.source_text.emplace_back("profile", sub.Text("profile"));
  if (sub.Has("prf")) r.source_text.emplace_back("prf", sub.Text("prf"));
  r.source_numbers = {{"start_point", static_cast<double>(start_point)},
                      {"num_points", static_cast<double>(num_points)},
                      {"step_length", static_cast<double>(step_length)},
                      {"sweeps_per_frame", static_cast<double>(sweeps)},
                      {"base_step_length_m", step_m},
                      {"ticks_per_second", ticks_per_s},
                      {"first_tick", static_cast<double>(ticks[0])}};
  if (sub.Has("hwaas")) r.source_numbers.emplace_back("hwaas", sub.Number("hwaas"));
  if (sub.Has("receiver_gain")) r.source_numbers.emplace_back("receiver_gain", sub.Number("receiver_gain"));
  return r;
}

void WriteImportedNight(const ImportedRecording& r, const std::string& path) {
  AtomicFile file(path);
  H5Writer w(file.temp_path());
  const std::string level = LevelName(r.level);
  // The content's identity: what was imported and how, and its data.
  const char sep = '\x1f';
  std::uint64_t data_hash = r.level == RadarLevel::kRaw
                                ? Fnv1a(std::string_view(reinterpret_cast<const char*>(r.raw.data()), r.raw.size() * sizeof(float)))
                                : Fnv1a(std::string_view(reinterpret_cast<const char*>(r.range.data()),
                                                         r.range.size() * sizeof(std::complex<float>)));
  w.Attr("/", "schema_version", std::string(kImportSchemaVersion));
  w.Attr("/", "nightsim_version", std::string(NightsimVersion()));
  w.Attr("/", "seed", std::int64_t{0});
  w.Attr("/", "scenario_name", r.source_path);
  w.Attr("/", "scenario", std::string());
  w.Attr("/", "scenario_hash", ContentHash(""));
  w.Attr("/", "night_key",
         ContentHash(std::string(kImportSchemaVersion) + sep + NightsimVersion() + sep + RecordingFormatName(r.format) +
                     sep + r.source_path + sep + level + sep + fmt::format("{:016x}", data_hash)));
  w.Attr("/", "radar_level", level);
  w.Attr("/", "epoch_s", kImportEpochS);
  w.Attr("/", "epochs", static_cast<std::int64_t>(std::floor(r.duration_s / kImportEpochS)));
  w.Attr("/", "duration_s", r.duration_s);
  w.Attr("/", "night_start_clock_s", 0.0);
  w.Attr("/", "frames", r.frames);
  w.Attr("/", "frame_rate_hz", r.radar.frame_rate_hz);
  w.Attr("/", "source", std::string("import"));
  w.Attr("/", "source_format", std::string(RecordingFormatName(r.format)));
  w.Attr("/", "source_path", r.source_path);
  w.Column("/parameters", std::vector<std::string>{}, "name=value in the parameter's own unit");

  WriteRadarConfig(w, r.radar);
  w.Attr("/radar", "radar_type", r.radar_type);
  if (r.adc_bits > 0) {
    w.Attr("/radar", "adc_bits", static_cast<std::int64_t>(r.adc_bits));
    w.Attr("/radar", "adc_lsb_v", r.adc_lsb_v);
    w.Attr("/radar", "adc_offset_counts", r.adc_offset_counts);
  }
  if (!r.time_s.empty()) w.Column("/radar/time_s", r.time_s, "s");
  const auto nrx = r.radar.rx.size();
  // A recording's length is known: one chunk of exactly its frames when it is shorter
  // than the 512 KiB target, so a short recording is not padded to a whole chunk.
  const auto chunk_rows = [&](std::size_t row_bytes) {
    return std::max<std::size_t>(1, std::min(static_cast<std::size_t>(r.frames), kTargetChunkBytes / row_bytes));
  };
  if (r.level == RadarLevel::kRange) {
    const std::string unit = r.radar_type == "fmcw"
                                 ? "V (complex amplitude after the range FFT, integrated over the frame's chirps)"
                                 : "A121 sparse IQ units (int16 scale), mean over the frame's sweeps";
    const auto bins = static_cast<std::size_t>(r.radar.range_bins);
    w.Series("/radar/range", H5Elem::kComplex64, {nrx, bins}, unit,
             H5SeriesOptions{.deflate = 0, .chunk_rows = chunk_rows(nrx * bins * sizeof(std::complex<float>))})
        .Append(std::span<const std::complex<float>>(r.range));
  } else {
    const auto chirps = static_cast<std::size_t>(r.radar.chirps_per_frame);
    const auto samples = static_cast<std::size_t>(r.radar.samples_per_chirp);
    // Deflate 1, as simulated raw frames: ADC-quantized samples shrink to ~10 %.
    w.Series("/radar/raw", H5Elem::kFloat32, {chirps, nrx, samples}, "V (IF sample after the ADC)",
             H5SeriesOptions{.deflate = 1, .chunk_rows = chunk_rows(chirps * nrx * samples * sizeof(float))})
        .Append(std::span<const float>(r.raw));
  }
  WriteSource(w, r);
  w.Close();
  file.Commit();
}

}  // namespace nightsim::harness
