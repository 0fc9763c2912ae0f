// JSON and terminal renderings of scored metrics. Written by hand so key order
// and number formatting are fixed: two runs of a night give identical bytes.
#include <cmath>
#include <string>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "harness/metrics.h"

namespace nightsim::harness {

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (ch) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20) out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
        else out += ch;
    }
  }
  return out + "\"";
}

namespace {


const char* JsonBool(bool b) { return b ? "true" : "false"; }

std::string JsonOptional(std::optional<double> v) { return v ? FormatNumber(*v) : "null"; }

/// {"key": value, …} over a MetricSet, one entry per line at `indent`.
template <typename ValueOf>
std::string MetricObject(const MetricSet& set, int indent, ValueOf value_of) {
  if (set.size() == 0) return "{}";
  const std::string pad(static_cast<std::size_t>(indent) + 2, ' ');
  std::string out = "{\n";
  bool first = true;
  set.ForEach([&](const std::string& name, double value, Better better) {
    if (!first) out += ",\n";
    first = false;
    out += pad + JsonString(name) + ": " + value_of(value, better);
  });
  return out + "\n" + std::string(static_cast<std::size_t>(indent), ' ') + "}";
}

template <typename Cell>
std::string Matrix(Cell cell) {
  std::string out = "[";
  for (std::size_t r = 0; r < 4; ++r) {
    out += r == 0 ? "[" : ", [";
    for (std::size_t c = 0; c < 4; ++c) out += (c == 0 ? "" : ", ") + cell(r, c);
    out += "]";
  }
  return out + "]";
}

/// Reading aid for the terminal table; descriptive metrics get none.
const char* DirectionNote(Better better) {
  switch (better) {
    case Better::kHigher: return "(higher is better)";
    case Better::kLower: return "(lower is better)";
    case Better::kTowardZero: return "(closer to 0 is better)";
    case Better::kNone: return "";
  }
  return "";
}

bool StartsWith(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

/// One metric of the terminal table.
std::string MetricLine(const std::string& name, double value, Better better) {
  return fmt::format("{:<40} {:>12}  {}\n", name, FormatNumber(value), DirectionNote(better));
}

/// The confusion matrix, then every metric but the measures and the matrix's, by group.
std::string FormatAllMetrics(const NightMetrics& night) {
  std::string out = "\nconfusion (rows truth, columns pipeline; epochs)\n";
  out += fmt::format("{:<8}", "");
  for (EstStage s : kScoredStages) out += fmt::format(" {:>7}", StageName(s));
  out += "\n";
  for (std::size_t r = 0; r < 4; ++r) {
    out += fmt::format("{:<8}", StageName(kScoredStages[r]));
    for (std::size_t c = 0; c < 4; ++c) out += fmt::format(" {:>7}", night.confusion.counts[r][c]);
    out += "\n";
  }
  out += "\n";
  std::string group;
  night.metrics.ForEach([&](const std::string& name, double value, Better better) {
    if (StartsWith(name, "measures.") || StartsWith(name, "staging.confusion.")) return;
    const std::string this_group = name.substr(0, name.find('.'));
    if (this_group != group && !group.empty()) out += "\n";
    group = this_group;
    out += MetricLine(name, value, better);
  });
  return out;
}

}  // namespace

std::string FormatNumber(double value) {
  if (!std::isfinite(value)) return "null";
  if (value == 0) return "0";  // no "-0"
  return fmt::format("{:.6g}", value);
}

std::string MetricSet::ToJson() const {
  return MetricObject(*this, 0, [](double v, Better) { return FormatNumber(v); });
}

std::string MetricSet::DirectionsToJson() const {
  return MetricObject(*this, 0, [](double, Better b) { return JsonString(BetterName(b)); });
}

std::string ToJson(const NightMetrics& night) {
  std::string out = "{\n";
  out += "  \"metrics\": " + MetricObject(night.metrics, 2, [](double v, Better) { return FormatNumber(v); });
  out += ",\n  \"better\": " +
         MetricObject(night.metrics, 2, [](double, Better b) { return JsonString(BetterName(b)); });

  out += ",\n  \"confusion\": {\n    \"labels\": [\"wake\", \"light\", \"deep\", \"rem\"],\n";
  out += "    \"counts\": " +
         Matrix([&](std::size_t r, std::size_t c) { return std::to_string(night.confusion.counts[r][c]); });
  const auto normalized = night.confusion.RowNormalized();
  out += ",\n    \"row_normalized\": " +
         Matrix([&](std::size_t r, std::size_t c) { return FormatNumber(normalized[r][c]); });
  out += "\n  }";

  out += ",\n  \"failure\": {\"dominant\": ";
  out += night.dominant_failure ? JsonString(FailureStageName(*night.dominant_failure)) : "null";
  out += ", \"dominant_upstream\": ";
  out += night.dominant_upstream_failure ? JsonString(FailureStageName(*night.dominant_upstream_failure)) : "null";
  out += "}";

  out += ",\n  \"trips\": [";
  for (std::size_t i = 0; i < night.trips.size(); ++i) {
    const TripOutcome& t = night.trips[i];
    out += i == 0 ? "\n" : ",\n";
    out += fmt::format(
        "    {{\"leave_s\": {}, \"return_s\": {}, \"eligible\": {}, \"detected\": {}, \"reacquire_min\": {}}}",
        FormatNumber(t.leave_s), FormatNumber(t.return_s), JsonBool(t.eligible), JsonBool(t.detected),
        JsonOptional(t.reacquire_min));
  }
  out += night.trips.empty() ? "]" : "\n  ]";

  out += ",\n  \"alarm\": ";
  if (!night.alarm) {
    out += "null";
  } else if (!night.alarm->fired) {
    out += "{\"fired\": false}";
  } else {
    const AlarmOutcome& a = *night.alarm;
    out += fmt::format(
        "{{\"fired\": true, \"fire_s\": {}, \"truth_stage_at_fire\": {}, \"in_light_or_wake\": {}, "
        "\"after_alarm\": {}, \"before_window\": {}, \"sleep_lost_min\": {}}}",
        FormatNumber(a.fire_s), a.truth_stage_at_fire, JsonBool(a.in_light_or_wake), JsonBool(a.after_alarm),
        JsonBool(a.before_window), FormatNumber(a.sleep_lost_min));
  }
  // Only when something was left out, so a fully scored night's JSON keeps its bytes.
  if (!night.not_scored.empty()) {
    out += ",\n  \"not_scored\": [";
    for (std::size_t i = 0; i < night.not_scored.size(); ++i) out += (i == 0 ? "" : ", ") + JsonString(night.not_scored[i]);
    out += "]";
  }
  return out + "\n}\n";
}

const std::vector<std::string>& HeadlineMetrics() {
  static const std::vector<std::string> kNames = {
      "presence.f1",           "presence.detection_delay_min", "identity.primary_fraction",
      "identity.switches",     "identity.trip_detection_rate", "resp.coverage",
      "resp.rate_mae_bpm",     "intent.start_error_min",       "staging.accuracy",
      "staging.kappa",         "alarm.in_light_or_wake",       "alarm.sleep_lost_min",
      "failure.wrong_epochs",
  };
  return kNames;
}

std::optional<SummaryDetail> ParseSummaryDetail(std::string_view text) {
  if (text == "headline") return SummaryDetail::kHeadline;
  if (text == "all") return SummaryDetail::kAll;
  return std::nullopt;
}

std::string FormatSummary(const NightMetrics& night, SummaryDetail detail) {
  std::string out;
  auto cell = [](std::optional<double> v) { return v ? FormatNumber(*v) : std::string("n/a"); };

  out += fmt::format("{:<18} {:>10} {:>10} {:>10}\n", "sleep measure", "truth", "pipeline", "error");
  std::vector<std::optional<double>> est;
  night.est_measures.ForEach([&](const char*, std::optional<double> v) { est.push_back(v); });
  std::size_t i = 0;
  night.truth_measures.ForEach([&](const char* name, std::optional<double> t) {
    const std::optional<double> x = est[i++];
    const std::optional<double> error = t && x ? std::optional<double>(*x - *t) : std::nullopt;
    out += fmt::format("{:<18} {:>10} {:>10} {:>10}\n", name, cell(t), cell(x), cell(error));
  });

  if (detail == SummaryDetail::kHeadline) {
    out += "\n";
    std::size_t shown = 0;
    for (const std::string& name : HeadlineMetrics()) {
      if (const auto v = night.metrics.Get(name)) {
        out += MetricLine(name, *v, *night.metrics.Direction(name));
        ++shown;
      }
    }
    // The measures.* metrics are the table above; the rest is what --metrics all adds.
    std::size_t rest = 0;
    night.metrics.ForEach([&](const std::string& name, double, Better) { rest += !StartsWith(name, "measures."); });
    out += fmt::format("({} more metrics and the confusion matrix: --metrics all; all of them in the JSON)\n",
                       rest - shown);
  } else {
    out += FormatAllMetrics(night);
  }

  if (!night.not_scored.empty()) {
    out += fmt::format("\nnot scored (not in the estimates): {}\n", fmt::join(night.not_scored, ", "));
  }
  if (night.dominant_failure) {
    out += fmt::format("\ndominant failure point{}: {}", night.not_scored.empty() ? "" : " among the scored parts",
                       FailureStageName(*night.dominant_failure));
    if (night.dominant_upstream_failure && night.dominant_upstream_failure != night.dominant_failure) {
      out += fmt::format(" (before staging: {})", FailureStageName(*night.dominant_upstream_failure));
    }
    out += "\n";
  }
  return out;
}

}  // namespace nightsim::harness
