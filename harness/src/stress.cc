#include "harness/stress.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <exception>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <stdexcept>
#include <thread>

#include <time.h>

#include "core/errors.h"
#include "harness/night_output.h"
#include "harness/night_runner.h"
#include "harness/scenario_loader.h"

namespace nightsim::harness {

namespace {

namespace fs = std::filesystem;

// Failure stages in pipeline order; "none" last so that any failure outranks a
// clean night when seeds disagree.
constexpr std::array<const char*, 6> kFailureOrder{"presence", "identity", "respiration", "intent", "staging", "none"};


// One line {"name": value, …} in StressMetricNames() order (not alphabetical:
// the order a reader scans a row in).
std::string MetricsObject(const MetricSet& set) {
  std::string out = "{";
  bool first = true;
  for (const std::string& name : StressMetricNames()) {
    const std::optional<double> v = set.Get(name);
    if (!v) continue;
    out += (first ? "" : ", ") + JsonString(name) + ": " + FormatNumber(*v);
    first = false;
  }
  return out + "}";
}

MetricSet MeanOverNights(const std::vector<StressNight>& nights) {
  MetricSet mean;
  for (const std::string& name : StressMetricNames()) {
    double sum = 0;
    int n = 0;
    std::optional<Better> better;
    for (const StressNight& night : nights) {  // seed order: the same sum on any thread count
      if (const auto v = night.metrics.Get(name)) {
        sum += *v;
        ++n;
        better = night.metrics.Direction(name);
      }
    }
    if (n > 0) mean.Set(name, sum / n, *better);
  }
  return mean;
}

// Display width of UTF-8 text: code points (every character used here is one column).
std::size_t Columns(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

std::string PadLeft(const std::string& s, std::size_t width) {
  const std::size_t w = Columns(s);
  return w >= width ? s : std::string(width - w, ' ') + s;
}

std::string PadRight(const std::string& s, std::size_t width) {
  const std::size_t w = Columns(s);
  return w >= width ? s : s + std::string(width - w, ' ');
}

// CPU time of the calling thread (s): on a shared machine the honest cost of a
// night, which wall time is not.
double ThreadCpuS() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

constexpr const char* kNotApplicable = "–";

std::string Cell(const MetricSet& m, std::string_view name, const char* format) {
  const std::optional<double> v = m.Get(name);
  if (!v) return kNotApplicable;
  std::string text = fmt::format(fmt::runtime(format), *v);
  // A value that rounds to zero is shown unsigned ("-0.00" would suggest a direction).
  if (text.find_first_of("123456789") == std::string::npos && (text[0] == '-' || text[0] == '+')) text.erase(0, 1);
  return text;
}

// "fired/light-or-wake/after-alarm" counts over the nights; "–" without an alarm.
std::string AlarmCell(const StressResult& r) {
  int fired = 0, light = 0, late = 0, configured = 0;
  for (const StressNight& n : r.nights) {
    if (!n.metrics.Has("alarm.fired")) continue;
    ++configured;
    fired += n.metrics.Get("alarm.fired").value_or(0) > 0.5;
    light += n.metrics.Get("alarm.in_light_or_wake").value_or(0) > 0.5;
    late += n.metrics.Get("alarm.after_alarm").value_or(0) > 0.5;
  }
  if (configured == 0) return kNotApplicable;
  return fmt::format("{}/{}/{}", fired, light, late);
}

std::string StageShare(const StressResult& r, const std::string& stage) {
  const std::optional<double> share = r.mean.Get("failure." + stage + "_fraction");
  return share ? fmt::format("{} {:.0f}%", stage, 100.0 * *share) : stage;
}

// The dominant stage, then the dominant one before staging when that differs.
std::string FailureCell(const StressResult& r) {
  if (r.dominant_failure == "none") return "none";
  std::string cell = StageShare(r, r.dominant_failure);
  if (!r.dominant_upstream.empty() && r.dominant_upstream != "none" && r.dominant_upstream != r.dominant_failure) {
    cell += ", " + StageShare(r, r.dominant_upstream);
  }
  return cell;
}

// "detected/eligible" restroom trips summed over the nights; "–" without trips.
std::string TripsCell(const StressResult& r) {
  double detected = 0, eligible = 0;
  for (const StressNight& n : r.nights) {
    detected += n.metrics.Get("identity.trips_detected").value_or(0);
    eligible += n.metrics.Get("identity.trips_eligible").value_or(0);
  }
  if (eligible == 0) return kNotApplicable;
  return fmt::format("{:.0f}/{:.0f}", detected, eligible);
}

// The worst night's value of `name` (a lower-is-better metric); "–" where none has it.
std::string WorstCell(const StressResult& r, const std::string& name, const char* format) {
  std::optional<double> worst;
  for (const StressNight& n : r.nights) {
    if (const auto v = n.metrics.Get(name)) worst = std::max(worst.value_or(*v), *v);
  }
  if (!worst) return kNotApplicable;
  return fmt::format(fmt::runtime(format), *worst);
}

}  // namespace

std::optional<std::string> LeadingComment(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw InputError(InputProblem{path, 0, 0, "", "cannot read the file"});
  std::string line;
  std::getline(in, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.empty() || line[0] != '#') return std::nullopt;
  const std::size_t start = line.find_first_not_of("# \t");
  if (start == std::string::npos) return std::nullopt;
  return line.substr(start);
}

std::vector<StressScenario> LoadStressLibrary(const std::string& dir, std::string_view filter) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    throw InputError(InputProblem{dir, 0, 0, "--scenarios",
                                  "no such folder (run from the repository root, or pass --scenarios DIR)"});
  }
  std::vector<fs::path> files;
  for (const fs::directory_entry& e : fs::directory_iterator(dir)) {
    const fs::path& p = e.path();
    if (!e.is_regular_file() || p.extension() != ".yaml") continue;
    if (p.filename().string().find(filter) == std::string::npos) continue;
    files.push_back(p);
  }
  std::sort(files.begin(), files.end());  // by name: the directory's order is the file system's

  std::vector<StressScenario> library;
  std::vector<InputProblem> problems;
  for (const fs::path& p : files) {
    const std::string path = p.string();
    try {
      const std::optional<std::string> comment = LeadingComment(path);
      if (!comment) {
        problems.push_back(InputProblem{path, 1, 1, "",
                                        "a library scenario starts with a comment line saying what it stresses"});
      }
      StressScenario s{p.filename().string(), comment.value_or(""), LoadScenario(path)};
      PrintScenarioWarnings(s.scenario);
      library.push_back(std::move(s));
    } catch (const InputError& e) {
      problems.insert(problems.end(), e.problems().begin(), e.problems().end());
    }
  }
  // Rows and JSON entries are keyed by name, so two files may not share one.
  for (std::size_t i = 0; i < library.size(); ++i) {
    for (std::size_t k = 0; k < i; ++k) {
      if (library[k].scenario.name != library[i].scenario.name) continue;
      problems.push_back(InputProblem{library[i].scenario.source_path, 0, 0, "name",
                                      fmt::format("'{}' is also the name of {}", library[i].scenario.name,
                                                  library[k].file)});
    }
  }
  if (problems.empty() && library.empty()) {
    problems.push_back(InputProblem{dir, 0, 0, filter.empty() ? "" : "--filter",
                                    filter.empty() ? "no *.yaml scenario in the folder"
                                                   : fmt::format("no scenario file name contains '{}'", filter)});
  }
  if (!problems.empty()) throw InputError(std::move(problems));
  return library;
}

bool StressOptions::IsValid(std::string* error) const {
  // The upper bounds catch a negative number wrapped into an unsigned one.
  if (seeds < 1 || seeds > kMaxSeeds) {
    if (error) *error = fmt::format("--seeds: expected 1 to {} seeds, got {}", kMaxSeeds, seeds);
    return false;
  }
  if (first_seed > UINT64_MAX - (seeds - 1)) {
    if (error) *error = "--first-seed: the last seed would overflow a 64-bit seed";
    return false;
  }
  if (jobs < 1 || jobs > kMaxJobs) {
    if (error) *error = fmt::format("-j: expected 1 to {} workers, got {}", kMaxJobs, jobs);
    return false;
  }
  return true;
}

std::string MostFrequentFailure(const std::vector<StressNight>& nights, std::string StressNight::*field) {
  std::array<int, kFailureOrder.size()> counts{};
  for (const StressNight& n : nights) {
    for (std::size_t i = 0; i < kFailureOrder.size(); ++i) {
      if (n.*field == kFailureOrder[i]) ++counts[i];
    }
  }
  std::size_t best = kFailureOrder.size() - 1;
  for (std::size_t i = 0; i < kFailureOrder.size(); ++i) {
    if (counts[i] > counts[best] || (counts[i] == counts[best] && counts[i] > 0 && i < best)) best = i;
  }
  return kFailureOrder[best];
}

const std::vector<std::string>& StressMetricNames() {
  static const std::vector<std::string> kNames = {
      "identity.primary_fraction",   "identity.partner_fraction",  "identity.pet_fraction",
      "identity.untracked_fraction", "identity.partner_min",       "identity.pet_min",
      "identity.idf1",               "identity.switches",
      "identity.trips_eligible",     "identity.trips_detected",    "identity.trip_detection_rate",
      "identity.reacquire_failures", "identity.reacquire_mean_min", "identity.reacquire_max_min",
      "presence.f1",                 "presence.precision",         "presence.recall",
      "presence.primary_recall",     "presence.partner_only_min",
      "presence.false_session_min",  "presence.false_session_starts", "presence.detection_delay_min",
      "resp.rate_mae_bpm",           "resp.rate_median_ae_bpm",    "intent.start_error_min",
      "staging.kappa",               "staging.accuracy",
      "measures.tst_min.truth",      "measures.tst_min.est",       "measures.tst_min.error",
      "alarm.fired",                 "alarm.in_light_or_wake",     "alarm.after_alarm",
      "alarm.sleep_lost_min",
      "failure.wrong_epochs",        "failure.presence_fraction",  "failure.identity_fraction",
      "failure.respiration_fraction", "failure.intent_fraction",   "failure.staging_fraction",
      "join.missing_estimates",
  };
  return kNames;
}

std::vector<StressResult> RunStress(const std::vector<StressScenario>& library, const StressOptions& options,
                                    const StressProgress& progress) {
  std::string error;
  if (!options.IsValid(&error)) throw std::invalid_argument(error);

  const auto seeds = static_cast<std::size_t>(options.seeds);
  const std::size_t total = library.size() * seeds;
  std::vector<StressNight> nights(total);
  std::vector<std::exception_ptr> failures(total);
  std::atomic<std::size_t> next{0};
  std::mutex progress_mutex;
  std::size_t done = 0;

  // Night i is scenario i / seeds with seed first_seed + i % seeds; each slot is
  // written by exactly one worker, so no two threads touch the same result.
  auto work = [&] {
    for (std::size_t i = next.fetch_add(1); i < total; i = next.fetch_add(1)) {
      const StressScenario& s = library[i / seeds];
      StressNight& night = nights[i];
      night.seed = options.first_seed + i % seeds;
      try {
        RunOptions run_options;
        run_options.seed = night.seed;
        const auto t0 = std::chrono::steady_clock::now();
        const double cpu0_s = ThreadCpuS();
        const NightRun run = RunNight(s.scenario, run_options);
        night.cpu_s = ThreadCpuS() - cpu0_s;
        night.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        for (const std::string& name : StressMetricNames()) {
          if (const auto v = run.metrics.metrics.Get(name)) night.metrics.Set(name, *v, *run.metrics.metrics.Direction(name));
        }
        night.dominant_failure =
            run.metrics.dominant_failure ? FailureStageName(*run.metrics.dominant_failure) : "none";
        night.dominant_upstream = run.metrics.dominant_upstream_failure
                                      ? FailureStageName(*run.metrics.dominant_upstream_failure)
                                      : "none";
      } catch (...) {
        failures[i] = std::current_exception();
      }
      if (progress) {
        const std::lock_guard<std::mutex> lock(progress_mutex);
        progress(s.scenario.name, night, ++done, total);
      }
    }
  };
  const std::size_t workers = std::min<std::size_t>(static_cast<std::size_t>(options.jobs), total);
  std::vector<std::thread> threads;
  for (std::size_t w = 1; w < workers; ++w) threads.emplace_back(work);
  work();  // the calling thread is worker 0
  for (std::thread& t : threads) t.join();

  for (std::size_t i = 0; i < total; ++i) {
    if (!failures[i]) continue;
    const std::string where = fmt::format("{} seed {}", library[i / seeds].scenario.name, nights[i].seed);
    try {
      std::rethrow_exception(failures[i]);
    } catch (const std::exception& e) {
      throw std::runtime_error(where + ": " + e.what());
    } catch (...) {
      throw std::runtime_error(where + ": unknown error");
    }
  }

  std::vector<StressResult> results;
  results.reserve(library.size());
  for (std::size_t k = 0; k < library.size(); ++k) {
    StressResult r;
    r.name = library[k].scenario.name;
    r.file = library[k].file;
    r.stresses = library[k].stresses;
    r.nights.assign(std::make_move_iterator(nights.begin() + static_cast<std::ptrdiff_t>(k * seeds)),
                    std::make_move_iterator(nights.begin() + static_cast<std::ptrdiff_t>((k + 1) * seeds)));
    r.mean = MeanOverNights(r.nights);
    r.dominant_failure = MostFrequentFailure(r.nights);
    r.dominant_upstream = MostFrequentFailure(r.nights, &StressNight::dominant_upstream);
    for (const StressNight& n : r.nights) {
      r.wall_s += n.wall_s;
      r.cpu_s += n.cpu_s;
    }
    results.push_back(std::move(r));
  }
  return results;
}

std::string FormatStressTable(const std::vector<StressResult>& results, const StressOptions& options) {
  struct Column {
    const char* header;
    bool left;
  };
  const std::vector<Column> columns = {
      {"scenario", true}, {"primary", false}, {"partner", false}, {"pet", false},
      {"partner min", false}, {"pet min", false}, {"F1", false},
      {"false min", false}, {"trips", false}, {"re-acq max", false}, {"resp med", false},
      {"κ", false},     {"TST err", false}, {"alarm", false}, {"failure", true},
      {"wall s", false},  {"cpu s", false},
  };
  std::vector<std::vector<std::string>> rows;
  for (const StressResult& r : results) {
    const MetricSet& m = r.mean;
    rows.push_back({
        r.name,
        Cell(m, "identity.primary_fraction", "{:.2f}"),
        Cell(m, "identity.partner_fraction", "{:.2f}"),
        Cell(m, "identity.pet_fraction", "{:.2f}"),
        Cell(m, "identity.partner_min", "{:.0f}"),
        Cell(m, "identity.pet_min", "{:.0f}"),
        Cell(m, "presence.f1", "{:.2f}"),
        Cell(m, "presence.false_session_min", "{:.0f}"),
        TripsCell(r),
        WorstCell(r, "identity.reacquire_max_min", "{:.1f}"),
        Cell(m, "resp.rate_median_ae_bpm", "{:.2f}"),
        Cell(m, "staging.kappa", "{:.2f}"),
        Cell(m, "measures.tst_min.error", "{:+.0f}"),
        AlarmCell(r),
        FailureCell(r),
        fmt::format("{:.1f}", r.nights.empty() ? 0.0 : r.wall_s / static_cast<double>(r.nights.size())),
        fmt::format("{:.1f}", r.nights.empty() ? 0.0 : r.cpu_s / static_cast<double>(r.nights.size())),
    });
  }
  std::vector<std::size_t> width(columns.size());
  for (std::size_t c = 0; c < columns.size(); ++c) {
    width[c] = Columns(columns[c].header);
    for (const auto& row : rows) width[c] = std::max(width[c], Columns(row[c]));
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string out;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      if (c > 0) out += "  ";
      const std::string cell =
          columns[c].left ? PadRight(cells[c], width[c]) : PadLeft(cells[c], width[c]);
      out += cell;
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out + "\n";
  };
  std::vector<std::string> header;
  for (const Column& c : columns) header.push_back(c.header);

  const std::uint64_t last_seed = options.first_seed + options.seeds - 1;
  std::string out = fmt::format("stress library: {} scenario{} × {} seed{} ({}), means over seeds\n\n",
                                results.size(), results.size() == 1 ? "" : "s", options.seeds,
                                options.seeds == 1 ? "" : "s",
                                options.seeds == 1 ? fmt::format("seed {}", options.first_seed)
                                                   : fmt::format("seeds {}–{}", options.first_seed, last_seed));
  out += line(header);
  for (const auto& row : rows) out += line(row);
  out += fmt::format(
      "\nprimary/partner/pet: share of the primary's in-bed epochs tracked on that body (identity.*_fraction)\n"
      "partner min/pet min: minutes of the whole night tracked on the partner / a pet (identity.*_min)\n"
      "F1: presence epoch F1 (people in bed); false min: session minutes with nobody in bed\n"
      "trips: primary restroom trips detected / eligible, over the seeds; re-acq max: the longest time to\n"
      "  re-acquire the primary after a trip, min; resp med: median absolute respiration-rate error, bpm\n"
      "κ: 4-class staging Cohen's κ; TST err: pipeline − truth total sleep time, min\n"
      "alarm: nights the alarm fired / fired in light sleep or wake / fired after the alarm time, of {}\n"
      "failure: most frequent dominant failure stage over the seeds, with its mean share of wrong epochs,\n"
      "  then the most frequent one before staging when that differs\n"
      "–: not applicable (no primary in bed, no alarm, …); wall s, cpu s: seconds per night\n",
      options.seeds);
  return out;
}

std::string StressJson(const std::vector<StressResult>& results, const StressOptions& options) {
  std::string out = "{\n";
  out += fmt::format("  \"nightsim_version\": {},\n", JsonString(NightsimVersion()));
  out += fmt::format("  \"seeds\": {},\n  \"first_seed\": {},\n", options.seeds, options.first_seed);
  out += "  \"metrics\": [";
  for (std::size_t i = 0; i < StressMetricNames().size(); ++i) {
    out += (i == 0 ? "" : ", ") + JsonString(StressMetricNames()[i]);
  }
  out += "],\n  \"scenarios\": [";
  for (std::size_t k = 0; k < results.size(); ++k) {
    const StressResult& r = results[k];
    out += k == 0 ? "\n" : ",\n";
    out += "    {\n";
    out += fmt::format("      \"name\": {},\n      \"file\": {},\n      \"stresses\": {},\n", JsonString(r.name),
                       JsonString(r.file), JsonString(r.stresses));
    out += "      \"seeds\": [";
    for (std::size_t i = 0; i < r.nights.size(); ++i) {
      const StressNight& n = r.nights[i];
      out += i == 0 ? "\n" : ",\n";
      out += fmt::format("        {{\"seed\": {}, \"dominant_failure\": {}, \"dominant_upstream\": {}, \"metrics\": {}}}",
                         n.seed, JsonString(n.dominant_failure), JsonString(n.dominant_upstream),
                         MetricsObject(n.metrics));
    }
    out += r.nights.empty() ? "],\n" : "\n      ],\n";
    out += fmt::format("      \"mean\": {{\"dominant_failure\": {}, \"dominant_upstream\": {}, \"metrics\": {}}}\n",
                       JsonString(r.dominant_failure), JsonString(r.dominant_upstream), MetricsObject(r.mean));
    out += "    }";
  }
  out += results.empty() ? "]\n}\n" : "\n  ]\n}\n";
  return out;
}

}  // namespace nightsim::harness
