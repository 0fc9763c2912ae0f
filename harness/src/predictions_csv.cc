#include "harness/predictions_csv.h"

#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include "core/errors.h"
#include "harness/metrics.h"

namespace nightsim::harness {
namespace {

enum class Col {
  kEpoch, kTimeS, kStage, kPresent, kPresenceConfidence, kSession, kTracking, kTargetRangeM, kTargetAngleRad,
  kRespRateBpm, kMovement, kIntent, kAlarmFireS, kAlarmStage,
};

struct ColumnSpec {
  const char* name;
  Col col;
};
constexpr std::array<ColumnSpec, 14> kColumns{{
    {"epoch", Col::kEpoch},
    {"time_s", Col::kTimeS},
    {"stage", Col::kStage},
    {"present", Col::kPresent},
    {"presence_confidence", Col::kPresenceConfidence},
    {"session", Col::kSession},
    {"tracking", Col::kTracking},
    {"target_range_m", Col::kTargetRangeM},
    {"target_angle_rad", Col::kTargetAngleRad},
    {"resp_rate_bpm", Col::kRespRateBpm},
    {"movement", Col::kMovement},
    {"intent", Col::kIntent},
    {"alarm_fire_s", Col::kAlarmFireS},
    {"alarm_stage", Col::kAlarmStage},
}};

std::string AllColumnNames() {
  std::string out;
  for (const auto& c : kColumns) out += (out.empty() ? "" : ", ") + std::string(c.name);
  return out;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> SplitFields(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (;;) {
    const std::size_t comma = line.find(',', start);
    out.push_back(Trim(line.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start)));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

std::optional<EstStage> ParseStage(std::string_view text) {
  const std::string s = Lower(text);
  if (s == "wake" || s == "w" || s == "0") return EstStage::kWake;
  if (s == "light" || s == "n1" || s == "n2" || s == "1" || s == "2") return EstStage::kLight;
  if (s == "deep" || s == "n3" || s == "3") return EstStage::kDeep;
  if (s == "rem" || s == "r" || s == "4") return EstStage::kRem;
  if (s == "none" || s == "-1" || s == "-2") return EstStage::kNone;
  return std::nullopt;
}

std::optional<bool> ParseFlag(std::string_view text) {
  const std::string s = Lower(text);
  if (s == "1" || s == "true" || s == "yes") return true;
  if (s == "0" || s == "false" || s == "no") return false;
  return std::nullopt;
}

std::optional<double> ParseNumber(std::string_view text) {
  double v = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (ec != std::errc() || ptr != end || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<std::int64_t> ParseInteger(std::string_view text) {
  std::int64_t v = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, v);
  if (ec != std::errc() || ptr != end) return std::nullopt;
  return v;
}

// Collects problems up to the cap and counts the rest.
class Problems {
 public:
  explicit Problems(std::string file) : file_(std::move(file)) {}
  void Add(int line, int column, std::string key, std::string message) {
    if (list_.size() < kMaxPredictionProblems) {
      list_.push_back(InputProblem{file_, line, column, std::move(key), std::move(message)});
    } else {
      ++dropped_;
    }
  }
  bool empty() const { return list_.empty(); }
  void ThrowIfAny() {
    if (list_.empty()) return;
    if (dropped_ > 0) list_.push_back(InputProblem{file_, 0, 0, "", fmt::format("… and {} more problems", dropped_)});
    throw InputError(std::move(list_));
  }

 private:
  std::string file_;
  std::vector<InputProblem> list_;
  std::size_t dropped_{0};
};

}  // namespace

Predictions ParsePredictionsCsv(std::string_view text, const std::string& file, const PredictionsNight& night) {
  Problems problems(file);
  const double night_end_s = static_cast<double>(night.epochs) * night.epoch_s;
  std::vector<std::optional<Col>> header;  // per field; nullopt: unknown column (already reported)
  std::map<Col, int> column_of;            // column → field index
  int header_line = 0;
  std::vector<std::optional<EpochEstimate>> rows(static_cast<std::size_t>(std::max<std::int64_t>(0, night.epochs)));
  std::vector<int> row_line(rows.size(), 0);
  Predictions out;

  int line_no = 0;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const std::size_t nl = text.find('\n', pos);
    const std::string_view raw = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    ++line_no;
    const std::string_view line = Trim(raw);
    if (line.empty() || line.front() == '#') continue;
    if (line.find('"') != std::string_view::npos) {
      problems.Add(line_no, static_cast<int>(line.find('"')) + 1, "", "quoted fields are not supported");
      continue;
    }
    const std::vector<std::string_view> fields = SplitFields(line);

    if (header_line == 0) {
      header_line = line_no;
      for (std::size_t f = 0; f < fields.size(); ++f) {
        const std::string name = Lower(fields[f]);
        const auto it = std::find_if(kColumns.begin(), kColumns.end(), [&](const ColumnSpec& c) { return name == c.name; });
        if (it == kColumns.end()) {
          problems.Add(line_no, static_cast<int>(f) + 1, std::string(fields[f]),
                       fields[f].empty() ? "empty column name" : "unknown column; expected one of " + AllColumnNames());
          header.push_back(std::nullopt);
        } else if (column_of.count(it->col)) {
          problems.Add(line_no, static_cast<int>(f) + 1, it->name, "column appears twice");
          header.push_back(std::nullopt);
        } else {
          column_of[it->col] = static_cast<int>(f);
          header.push_back(it->col);
        }
      }
      if (!column_of.count(Col::kStage)) problems.Add(line_no, 0, "stage", "the header must name a stage column");
      if (!column_of.count(Col::kEpoch) && !column_of.count(Col::kTimeS)) {
        problems.Add(line_no, 0, "epoch", "the header must name an epoch or a time_s column");
      }
      // Identity is the tracked target's position: a flag alone cannot be attributed.
      constexpr std::array<Col, 3> kIdentityCols{Col::kTracking, Col::kTargetRangeM, Col::kTargetAngleRad};
      const auto identity_given = std::count_if(kIdentityCols.begin(), kIdentityCols.end(),
                                                [&](Col c) { return column_of.count(c) > 0; });
      if (identity_given > 0 && identity_given < 3) {
        problems.Add(line_no, 0, "tracking",
                     "identity is scored from tracking, target_range_m and target_angle_rad together: give all three "
                     "or none");
      }
      out.parts.presence = column_of.count(Col::kPresent) > 0;
      out.parts.session = column_of.count(Col::kSession) > 0;
      out.parts.identity = identity_given == 3;
      out.parts.respiration = column_of.count(Col::kRespRateBpm) > 0;
      out.parts.intent = column_of.count(Col::kIntent) > 0;
      out.parts.alarm = column_of.count(Col::kAlarmFireS) > 0;
      if (!problems.empty()) problems.ThrowIfAny();  // rows cannot be read without a sound header
      continue;
    }

    if (fields.size() != header.size()) {
      problems.Add(line_no, 0, "", fmt::format("{} fields, the header has {}", fields.size(), header.size()));
      continue;
    }
    auto field = [&](Col c) -> std::optional<std::string_view> {
      const auto it = column_of.find(c);
      if (it == column_of.end() || fields[static_cast<std::size_t>(it->second)].empty()) return std::nullopt;
      return fields[static_cast<std::size_t>(it->second)];
    };
    auto column = [&](Col c) { return column_of.at(c) + 1; };
    auto name = [](Col c) { return std::string(kColumns[static_cast<std::size_t>(c)].name); };
    bool ok = true;

    std::optional<std::int64_t> epoch;
    if (const auto f = field(Col::kEpoch)) {
      epoch = ParseInteger(*f);
      if (!epoch) {
        problems.Add(line_no, column(Col::kEpoch), "epoch", fmt::format("'{}' is not a whole number", *f));
        ok = false;
      } else if (*epoch < 0 || *epoch >= night.epochs) {
        problems.Add(line_no, column(Col::kEpoch), "epoch",
                     fmt::format("epoch {} is outside the night (epochs 0–{})", *epoch, night.epochs - 1));
        ok = false;
      }
    }
    if (const auto f = field(Col::kTimeS)) {
      const std::optional<double> t = ParseNumber(*f);
      if (!t) {
        problems.Add(line_no, column(Col::kTimeS), "time_s", fmt::format("'{}' is not a number", *f));
        ok = false;
      } else if (*t < 0 || *t >= night_end_s) {
        problems.Add(line_no, column(Col::kTimeS), "time_s",
                     fmt::format("time {} s is outside the night [0, {}) s", *t, night_end_s));
        ok = false;
      } else {
        // t < epochs · epoch_s, yet t / epoch_s can round up to `epochs` when epoch_s is
        // not exact in binary (17.3 s, 3 epochs, t = 51.9 s): that time is in the last epoch.
        const auto from_time =
            std::min(static_cast<std::int64_t>(std::floor(*t / night.epoch_s)), night.epochs - 1);
        if (epoch && ok && *epoch != from_time) {
          problems.Add(line_no, column(Col::kTimeS), "time_s",
                       fmt::format("time {} s lies in epoch {}, but the row says epoch {}", *t, from_time, *epoch));
          ok = false;
        }
        if (!epoch) epoch = from_time;
      }
    }
    if (ok && !epoch) {
      problems.Add(line_no, 0, column_of.count(Col::kEpoch) ? "epoch" : "time_s", "missing: every row needs its epoch");
      ok = false;
    }

    EpochEstimate e;
    const std::optional<std::string_view> stage_text = field(Col::kStage);
    if (!stage_text) {
      problems.Add(line_no, column(Col::kStage), "stage", "missing: every row needs a stage (none when not scored)");
      ok = false;
    } else if (const auto st = ParseStage(*stage_text)) {
      e.stage = *st;
    } else {
      problems.Add(line_no, column(Col::kStage), "stage",
                   fmt::format("unknown stage '{}'; expected wake, light, deep, rem, none or a YASA code -2..4",
                               *stage_text));
      ok = false;
    }
    e.present = e.session = e.stage != EstStage::kNone;
    const std::array<std::pair<Col, bool*>, 4> flags{{{Col::kPresent, &e.present},
                                                      {Col::kSession, &e.session},
                                                      {Col::kTracking, &e.tracking},
                                                      {Col::kIntent, &e.intent}}};
    for (const auto& [c, target] : flags) {
      if (const auto f = field(c)) {
        if (const auto v = ParseFlag(*f)) {
          *target = *v;
        } else {
          problems.Add(line_no, column(c), name(c), fmt::format("'{}' is not a flag (0/1, true/false)", *f));
          ok = false;
        }
      }
    }
    const std::array<std::pair<Col, double*>, 5> numbers{{{Col::kPresenceConfidence, &e.presence_confidence},
                                                          {Col::kTargetRangeM, &e.target_range_m},
                                                          {Col::kTargetAngleRad, &e.target_angle_rad},
                                                          {Col::kRespRateBpm, &e.resp_rate_bpm},
                                                          {Col::kMovement, &e.movement}}};
    for (const auto& [c, target] : numbers) {
      if (const auto f = field(c)) {
        if (const auto v = ParseNumber(*f)) {
          *target = *v;
        } else {
          problems.Add(line_no, column(c), name(c), fmt::format("'{}' is not a finite number", *f));
          ok = false;
        }
      }
    }
    std::optional<double> alarm_s;
    if (const auto f = field(Col::kAlarmFireS)) {
      alarm_s = ParseNumber(*f);
      if (!alarm_s) {
        problems.Add(line_no, column(Col::kAlarmFireS), "alarm_fire_s", fmt::format("'{}' is not a number", *f));
        ok = false;
      } else if (*alarm_s < 0 || *alarm_s > night_end_s) {
        problems.Add(line_no, column(Col::kAlarmFireS), "alarm_fire_s",
                     fmt::format("time {} s is outside the night [0, {}] s", *alarm_s, night_end_s));
        ok = false;
      }
    }
    EstStage alarm_stage = e.stage;
    if (const auto f = field(Col::kAlarmStage)) {
      if (const auto st = ParseStage(*f)) {
        alarm_stage = *st;
      } else {
        problems.Add(line_no, column(Col::kAlarmStage), "alarm_stage",
                     fmt::format("unknown stage '{}'; expected wake, light, deep, rem, none or a YASA code -2..4", *f));
        ok = false;
      }
    }
    if (!ok) continue;
    const auto index = static_cast<std::size_t>(*epoch);
    if (rows[index]) {
      problems.Add(line_no, 0, "epoch", fmt::format("epoch {} appears twice (first on line {})", *epoch, row_line[index]));
      continue;
    }
    e.epoch = *epoch;
    rows[index] = e;
    row_line[index] = line_no;
    if (alarm_s) out.alarms.push_back(AlarmDecision{*alarm_s, alarm_stage});
  }

  if (header_line == 0) {
    problems.Add(0, 0, "", "empty file: expected a header line such as 'epoch,stage'");
    problems.ThrowIfAny();
  }
  std::int64_t missing = 0, first_missing = -1, last_missing = -1;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (rows[i]) continue;
    if (first_missing < 0) first_missing = static_cast<std::int64_t>(i);
    last_missing = static_cast<std::int64_t>(i);
    ++missing;
  }
  if (missing > 0 && problems.empty()) {
    problems.Add(line_no, 0, "epoch",
                 fmt::format("{} rows for a night of {} epochs: {} epochs missing (first {}, last {})",
                             night.epochs - missing, night.epochs, missing, first_missing, last_missing));
  }
  problems.ThrowIfAny();
  out.estimates.reserve(rows.size());
  for (auto& r : rows) out.estimates.push_back(*r);
  std::sort(out.alarms.begin(), out.alarms.end(),
            [](const AlarmDecision& a, const AlarmDecision& b) { return a.fire_s < b.fire_s; });
  return out;
}

Predictions ReadPredictionsCsv(const std::string& path, const PredictionsNight& night) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(InputProblem{path, 0, 0, "", "cannot read the predictions file"});
  std::ostringstream text;
  text << in.rdbuf();
  return ParsePredictionsCsv(text.str(), path, night);
}

std::string PredictionsCsv(std::span<const EpochEstimate> estimates, std::span<const AlarmDecision> alarms,
                           double epoch_s) {
  // Each decision goes into the row of the epoch it fired in (the last row for one at
  // the night's very end); a second decision in the same epoch has no row of its own.
  std::map<std::int64_t, const AlarmDecision*> alarm_of_epoch;
  const std::int64_t last = estimates.empty() ? 0 : estimates.back().epoch;
  for (const AlarmDecision& a : alarms) {
    const auto epoch = std::min(last, static_cast<std::int64_t>(std::floor(a.fire_s / epoch_s)));
    alarm_of_epoch.emplace(epoch, &a);
  }
  std::string out =
      "epoch,stage,present,presence_confidence,session,tracking,target_range_m,target_angle_rad,resp_rate_bpm,"
      "movement,intent,alarm_fire_s,alarm_stage\n";
  for (const EpochEstimate& e : estimates) {
    std::string alarm = ",";
    if (const auto it = alarm_of_epoch.find(e.epoch); it != alarm_of_epoch.end()) {
      alarm = fmt::format("{},{}", it->second->fire_s, StageName(it->second->stage_at_fire));
    }
    // fmt's "{}" prints the shortest text that reads back as the same double.
    out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{}\n", e.epoch, StageName(e.stage), e.present ? 1 : 0,
                       e.presence_confidence, e.session ? 1 : 0, e.tracking ? 1 : 0, e.target_range_m,
                       e.target_angle_rad, e.resp_rate_bpm, e.movement, e.intent ? 1 : 0, alarm);
  }
  return out;
}

}  // namespace nightsim::harness
