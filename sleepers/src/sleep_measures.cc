#include "sleepers/sleep_measures.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace nightsim::sleepers {
namespace {

bool IsSleep(int code) { return code >= kN1 && code <= kRem; }

MeasureSummary Summarize(std::vector<double> v) {
  MeasureSummary s;
  s.n = v.size();
  if (v.empty()) return s;
  double sum = 0;
  for (double x : v) sum += x;
  s.mean = sum / static_cast<double>(v.size());
  double ss = 0;
  for (double x : v) ss += (x - s.mean) * (x - s.mean);
  s.sd = std::sqrt(ss / static_cast<double>(v.size()));
  std::sort(v.begin(), v.end());
  const std::size_t mid = v.size() / 2;
  s.median = v.size() % 2 == 1 ? v[mid] : 0.5 * (v[mid - 1] + v[mid]);
  return s;
}

}  // namespace

SleepMeasures ComputeSleepMeasures(std::span<const int> codes, const MeasureOptions& options) {
  for (int c : codes) {
    if (c < kOutOfBed || c > kRem) throw std::invalid_argument("ComputeSleepMeasures: code outside -1..4");
  }
  const std::size_t begin = options.lights_out_epoch;
  const std::size_t end = options.rise_epoch.value_or(codes.size());
  if (begin > end || end > codes.size()) throw std::invalid_argument("ComputeSleepMeasures: window outside the hypnogram");
  const double epoch_min = options.epoch_s / 60.0;

  SleepMeasures m;
  m.tib_min = static_cast<double>(end - begin) * epoch_min;
  std::size_t onset = end, last = end;
  for (std::size_t i = begin; i < end; ++i) {
    if (!IsSleep(codes[i])) continue;
    if (onset == end) onset = i;
    last = i;
  }
  if (onset == end) return m;
  m.slept = true;
  m.sol_min = static_cast<double>(onset - begin) * epoch_min;
  m.spt_min = static_cast<double>(last + 1 - onset) * epoch_min;

  // Inside the SPT an out-of-bed (or unscored) epoch is wake.
  std::vector<int> spt(codes.begin() + static_cast<std::ptrdiff_t>(onset),
                       codes.begin() + static_cast<std::ptrdiff_t>(last + 1));
  for (int& c : spt) {
    if (c == kOutOfBed) c = kWake;
  }
  std::array<std::int64_t, 5> count{};
  for (int c : spt) ++count[static_cast<std::size_t>(c)];
  const std::int64_t sleep_epochs = count[1] + count[2] + count[3] + count[4];
  m.tst_min = static_cast<double>(sleep_epochs) * epoch_min;
  m.waso_min = static_cast<double>(count[0]) * epoch_min;
  m.se_pct = m.tib_min > 0 ? 100.0 * m.tst_min / m.tib_min : 0.0;
  const double tst_epochs = static_cast<double>(sleep_epochs);
  m.n1_pct = 100.0 * static_cast<double>(count[1]) / tst_epochs;
  m.n2_pct = 100.0 * static_cast<double>(count[2]) / tst_epochs;
  m.n3_pct = 100.0 * static_cast<double>(count[3]) / tst_epochs;
  m.rem_pct = 100.0 * static_cast<double>(count[4]) / tst_epochs;

  int run = 0;
  std::optional<std::size_t> last_rem;
  const auto merge_epochs = static_cast<std::size_t>(std::llround(options.rem_merge_gap_s / options.epoch_s));
  for (std::size_t i = 0; i < spt.size(); ++i) {
    const int c = spt[i];
    if (c == kWake) {
      ++run;
    } else if (run > 0) {
      m.wake_bouts_epochs.push_back(run);
      run = 0;
    }
    if (c == kRem) {
      if (!m.rem_latency_min) m.rem_latency_min = static_cast<double>(i) * epoch_min;
      if (!last_rem || i - *last_rem > merge_epochs) ++m.rem_periods;
      last_rem = i;
    }
    if (i + 1 < spt.size()) {
      ++m.from_count[static_cast<std::size_t>(c)];
      if (spt[i + 1] == c) ++m.stay_count[static_cast<std::size_t>(c)];
    }
  }
  // The SPT ends on a sleep epoch, so no wake run is left open.
  m.awakenings = static_cast<int>(m.wake_bouts_epochs.size());

  const std::size_t n = spt.size();
  for (std::size_t third = 0; third < 3; ++third) {
    const std::size_t a = n * third / 3, b = n * (third + 1) / 3;
    if (b <= a) continue;
    std::int64_t n3 = 0, rem = 0;
    for (std::size_t i = a; i < b; ++i) {
      n3 += spt[i] == kN3;
      rem += spt[i] == kRem;
    }
    m.n3_third_pct[third] = 100.0 * static_cast<double>(n3) / static_cast<double>(b - a);
    m.rem_third_pct[third] = 100.0 * static_cast<double>(rem) / static_cast<double>(b - a);
  }
  return m;
}

MeasuresAggregate AggregateMeasures(std::span<const SleepMeasures> nights) {
  MeasuresAggregate a;
  a.nights = nights.size();
  std::vector<double> tst, sol, waso, se, n1, n2, n3, rem, reml, aw, remp;
  std::array<std::vector<double>, 3> n3t, remt;
  std::array<std::int64_t, 5> from{}, stay{};
  double log_sum = 0;
  std::size_t bouts = 0, long_bouts = 0;
  for (const SleepMeasures& m : nights) {
    if (!m.slept) continue;
    tst.push_back(m.tst_min);
    sol.push_back(m.sol_min);
    waso.push_back(m.waso_min);
    se.push_back(m.se_pct);
    n1.push_back(m.n1_pct);
    n2.push_back(m.n2_pct);
    n3.push_back(m.n3_pct);
    rem.push_back(m.rem_pct);
    if (m.rem_latency_min) reml.push_back(*m.rem_latency_min);
    aw.push_back(m.awakenings);
    remp.push_back(m.rem_periods);
    for (int t = 0; t < 3; ++t) {
      n3t[t].push_back(m.n3_third_pct[t]);
      remt[t].push_back(m.rem_third_pct[t]);
    }
    for (int s = 0; s < 5; ++s) {
      from[s] += m.from_count[s];
      stay[s] += m.stay_count[s];
    }
    for (int d : m.wake_bouts_epochs) {
      // Continuous MLE with the discrete correction d_min − 1/2 (Clauset et al. 2009).
      log_sum += std::log(d / 0.5);
      ++bouts;
      long_bouts += d >= 10;
    }
  }
  a.tst_min = Summarize(tst);
  a.sol_min = Summarize(sol);
  a.waso_min = Summarize(waso);
  a.se_pct = Summarize(se);
  a.n1_pct = Summarize(n1);
  a.n2_pct = Summarize(n2);
  a.n3_pct = Summarize(n3);
  a.rem_pct = Summarize(rem);
  a.rem_latency_min = Summarize(reml);
  a.awakenings = Summarize(aw);
  a.rem_periods = Summarize(remp);
  for (int t = 0; t < 3; ++t) {
    a.n3_third_pct[t] = Summarize(n3t[t]);
    a.rem_third_pct[t] = Summarize(remt[t]);
  }
  for (int s = 0; s < 5; ++s) {
    a.stay_probability[s] = from[s] > 0 ? static_cast<double>(stay[s]) / static_cast<double>(from[s]) : 0.0;
  }
  if (bouts > 0 && log_sum > 0) {
    a.wake_bout_alpha = 1.0 + static_cast<double>(bouts) / log_sum;
    a.wake_bout_p_ge_10 = static_cast<double>(long_bouts) / static_cast<double>(bouts);
  }
  return a;
}

const std::vector<RealismTarget>& RealismTargets() {
  // docs/design.md §4, healthy adults. The wake-bout rows encode "heavy-tailed": a
  // geometric tail with the same mean would give α far above 2 and almost no bout ≥ 5 min.
  static const std::vector<RealismTarget> kTargets = {
      {"TST mean (min)", 426, 436, [](const MeasuresAggregate& a) { return a.tst_min.mean; }},
      {"TST SD (min)", 45, 70, [](const MeasuresAggregate& a) { return a.tst_min.sd; }},
      {"SOL mean (min)", 16, 20, [](const MeasuresAggregate& a) { return a.sol_min.mean; }},
      {"SOL median (min)", 12, 17, [](const MeasuresAggregate& a) { return a.sol_min.median; }},
      {"WASO mean (min)", 28, 40, [](const MeasuresAggregate& a) { return a.waso_min.mean; }},
      {"SE mean (%)", 85, 89, [](const MeasuresAggregate& a) { return a.se_pct.mean; }},
      {"N1 (% TST)", 7, 10, [](const MeasuresAggregate& a) { return a.n1_pct.mean; }},
      {"N2 (% TST)", 52, 57, [](const MeasuresAggregate& a) { return a.n2_pct.mean; }},
      {"N3 (% TST)", 14, 17, [](const MeasuresAggregate& a) { return a.n3_pct.mean; }},
      {"REM (% TST)", 20, 22, [](const MeasuresAggregate& a) { return a.rem_pct.mean; }},
      {"REM latency mean (min)", 87, 130, [](const MeasuresAggregate& a) { return a.rem_latency_min.mean; }},
      {"REM latency SD (min)", 40, 60, [](const MeasuresAggregate& a) { return a.rem_latency_min.sd; }},
      {"awakenings", 16, 26, [](const MeasuresAggregate& a) { return a.awakenings.mean; }},
      {"REM periods", 3.5, 4.5, [](const MeasuresAggregate& a) { return a.rem_periods.mean; }},
      {"N3 third 1 (%)", 24, 32, [](const MeasuresAggregate& a) { return a.n3_third_pct[0].mean; }},
      {"N3 third 2 (%)", 7, 13, [](const MeasuresAggregate& a) { return a.n3_third_pct[1].mean; }},
      {"N3 third 3 (%)", 1, 5, [](const MeasuresAggregate& a) { return a.n3_third_pct[2].mean; }},
      {"REM third 1 (%)", 6, 10, [](const MeasuresAggregate& a) { return a.rem_third_pct[0].mean; }},
      {"REM third 2 (%)", 17, 23, [](const MeasuresAggregate& a) { return a.rem_third_pct[1].mean; }},
      {"REM third 3 (%)", 25, 31, [](const MeasuresAggregate& a) { return a.rem_third_pct[2].mean; }},
      {"stay W", 0.67, 0.70, [](const MeasuresAggregate& a) { return a.stay_probability[0]; }},
      {"stay N1", 0.48, 0.49, [](const MeasuresAggregate& a) { return a.stay_probability[1]; }},
      {"stay N2", 0.88, 0.93, [](const MeasuresAggregate& a) { return a.stay_probability[2]; }},
      {"stay N3", 0.77, 0.94, [](const MeasuresAggregate& a) { return a.stay_probability[3]; }},
      {"stay REM", 0.91, 0.96, [](const MeasuresAggregate& a) { return a.stay_probability[4]; }},
      {"wake bout power-law alpha", 1.5, 2.2, [](const MeasuresAggregate& a) { return a.wake_bout_alpha; }},
      {"wake bouts >= 5 min (frac)", 0.03, 0.12, [](const MeasuresAggregate& a) { return a.wake_bout_p_ge_10; }},
  };
  return kTargets;
}

std::string FormatRealismTable(const MeasuresAggregate& model, const MeasuresAggregate* reference,
                               const std::string& reference_name) {
  std::ostringstream out;
  char line[200];
  std::snprintf(line, sizeof line, "%-28s %10s %8s   %-17s %12s\n", "measure", "model", "(SD)", "target",
                reference ? reference_name.c_str() : "");
  out << line;
  // The SD column is shown for rows that are means of a per-night measure.
  auto sd_of = [](const MeasuresAggregate& a, const std::string& name) -> std::optional<double> {
    if (name == "TST mean (min)") return a.tst_min.sd;
    if (name == "SOL mean (min)") return a.sol_min.sd;
    if (name == "WASO mean (min)") return a.waso_min.sd;
    if (name == "SE mean (%)") return a.se_pct.sd;
    if (name == "N1 (% TST)") return a.n1_pct.sd;
    if (name == "N2 (% TST)") return a.n2_pct.sd;
    if (name == "N3 (% TST)") return a.n3_pct.sd;
    if (name == "REM (% TST)") return a.rem_pct.sd;
    if (name == "REM latency mean (min)") return a.rem_latency_min.sd;
    if (name == "awakenings") return a.awakenings.sd;
    if (name == "REM periods") return a.rem_periods.sd;
    return std::nullopt;
  };
  for (const RealismTarget& t : RealismTargets()) {
    const double v = t.value(model);
    const bool ok = v >= t.lo && v <= t.hi;
    char range[64], sd[32] = "", ref[64] = "";
    std::snprintf(range, sizeof range, "%.4g–%.4g", t.lo, t.hi);
    if (auto s = sd_of(model, t.name)) std::snprintf(sd, sizeof sd, "(%.3g)", *s);
    if (reference) {
      const auto rs = sd_of(*reference, t.name);
      if (rs) {
        std::snprintf(ref, sizeof ref, "%.4g (%.3g)", t.value(*reference), *rs);
      } else {
        std::snprintf(ref, sizeof ref, "%.4g", t.value(*reference));
      }
    }
    std::snprintf(line, sizeof line, "%-28s %10.4g %8s %c %-17s %12s\n", t.name.c_str(), v, sd, ok ? ' ' : '!',
                  range, ref);
    out << line;
  }
  std::snprintf(line, sizeof line, "nights: model %zu%s\n", model.nights,
                reference ? (", " + reference_name + " " + std::to_string(reference->nights)).c_str() : "");
  out << line;
  return out.str();
}

std::vector<int> LoadHypnogramJson(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read hypnogram file " + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  std::vector<int> codes;
  std::size_t i = 0;
  auto skip_space = [&] {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
  };
  auto fail = [&](const char* what) {
    throw std::runtime_error(path + ": not a JSON list of integers (" + what + " at byte " + std::to_string(i) + ")");
  };
  skip_space();
  if (i >= text.size() || text[i] != '[') fail("expected '['");
  ++i;
  skip_space();
  if (i < text.size() && text[i] == ']') return codes;
  for (;;) {
    skip_space();
    const std::size_t start = i;
    if (i < text.size() && text[i] == '-') ++i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
    if (i == start || (i == start + 1 && text[start] == '-')) fail("expected an integer");
    codes.push_back(std::stoi(text.substr(start, i - start)));
    skip_space();
    if (i < text.size() && text[i] == ',') {
      ++i;
      continue;
    }
    if (i < text.size() && text[i] == ']') break;
    fail("expected ',' or ']'");
  }
  return codes;
}

std::vector<std::vector<int>> LoadHypnogramDirectory(const std::string& directory) {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(directory)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") files.push_back(entry.path().string());
  }
  std::sort(files.begin(), files.end());
  std::vector<std::vector<int>> nights;
  nights.reserve(files.size());
  for (const auto& f : files) nights.push_back(LoadHypnogramJson(f));
  return nights;
}

}  // namespace nightsim::sleepers
