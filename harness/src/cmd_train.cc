// `nightsim train [--nights N] [--seed S] [--out DIR] [-j N]`: simulates a population
// of training nights, trains the intent and staging models and writes them to DIR.
// `nightsim train --evaluate [--validation] [--nights N] [--seed S] [--models DIR] [--scenario FILE …]`:
// runs the full pipeline with the models on held-out nights (or, with --validation, on
// validation nights used for tuning) and reports the figures against the quality
// targets. See harness/training.h.

#include <fmt/core.h>

#include <atomic>
#include <boost/program_options.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <iostream>
#include <limits>
#include <mutex>
#include <thread>

#include "core/errors.h"
#include "command_line.h"
#include "harness/atomic_file.h"
#include "harness/cli.h"
#include "harness/commands.h"
#include "harness/night_runner.h"
#include "harness/scenario_loader.h"
#include "harness/training.h"

namespace po = boost::program_options;

namespace nightsim::harness {
namespace {

// Runs job(i) for i in [0, n) on `jobs` threads; results are stored by index, so
// the outcome does not depend on the number of threads.
void ParallelFor(int n, int jobs, const std::function<void(int)>& job) {
  std::atomic<int> next{0};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto worker = [&] {
    for (int i = next++; i < n; i = next++) {
      try {
        job(i);
      } catch (...) {
        const std::lock_guard<std::mutex> lock(error_mutex);
        if (!error) error = std::current_exception();
        next = n;
      }
    }
  };
  std::vector<std::thread> threads;
  for (int t = 1; t < jobs; ++t) threads.emplace_back(worker);
  worker();
  for (std::thread& t : threads) t.join();
  if (error) std::rethrow_exception(error);
}

InputError OptionError(const std::string& key, const std::string& message) {
  return InputError(InputProblem{"", 0, 0, key, message});
}

}  // namespace

int CmdTrain(const std::vector<std::string>& args) {
  po::options_description options("options");
  int nights = 0, jobs = 1, scenario_nights = 4;
  std::uint64_t seed = 0;
  std::string out_dir, models_dir, base_path, report;
  std::vector<std::string> scenarios;
  options.add_options()
      ("help,h", "show this help")
      ("evaluate", "evaluate the models on held-out nights instead of training")
      ("validation", "with --evaluate: use validation nights (for tuning) instead of held-out ones")
      ("nights", po::value(&nights), "population nights (default: 60 to train, 30 to evaluate)")
      ("seed", po::value(&seed), "first night seed (default: 1 to train, 1000000 to evaluate, 500000 to validate)")
      ("base", po::value(&base_path)->default_value(std::string(NIGHTSIM_CHECKOUT_DIR) + "/scenarios/train/population.yaml"),
       "population base scenario")
      ("out", po::value(&out_dir), "training: folder the models are written to (default: the models folder)")
      ("models", po::value(&models_dir), "evaluation: folder the models are read from (default: the models folder)")
      ("scenario", po::value(&scenarios)->composing()->multitoken(),
       "evaluation: also run these scenario files (e.g. scenarios/stress/*.yaml)")
      ("scenario-nights", po::value(&scenario_nights)->default_value(4), "evaluation: seeds per --scenario file")
      ("report", po::value(&report), "evaluation: write the figures as JSON here")
      ("jobs,j", po::value(&jobs)->default_value(DefaultJobs()), "nights simulated in parallel (default: every core)");
  const po::variables_map vm = ParseCommandLine(args, options);
  if (vm.count("help")) {
    fmt::print("usage: nightsim train [options]\n       nightsim train --evaluate [options]\n\n"
               "Trains the pipeline's intent and sleep-staging models (XGBoost) on simulated\n"
               "nights drawn from a population (harness/training.h) and writes\n"
               "{0} and {1}; the same options give the same bytes.\n"
               "With --evaluate, runs the full pipeline with those models on held-out nights\n"
               "(seeds >= {2}) and prints the figures against the quality targets; with\n"
               "--evaluate --validation, on validation nights (seeds {3}..{4}) meant for tuning.\n"
               "Training seeds lie below {3}.\n\n",
               kIntentModelFile, kStagingModelFile, kHeldOutSeedStart, kValidationSeedStart, kHeldOutSeedStart - 1);
    std::cout << options << "\n";
    return kExitOk;
  }
  const bool evaluate = vm.count("evaluate") > 0;
  const bool validation = vm.count("validation") > 0;
  if (validation && !evaluate) throw OptionError("--validation", "only goes with --evaluate");
  // The seed range the nights must lie in: [first, end).
  const std::uint64_t range_first = !evaluate ? 0 : validation ? kValidationSeedStart : kHeldOutSeedStart;
  const std::uint64_t range_end = !evaluate ? kValidationSeedStart
                                  : validation ? kHeldOutSeedStart
                                               : std::numeric_limits<std::uint64_t>::max();
  const char* range_name = !evaluate ? "training" : validation ? "validation" : "held-out evaluation";
  if (!vm.count("nights")) nights = evaluate ? 30 : 60;
  if (!vm.count("seed")) seed = evaluate ? range_first : 1;
  if (nights < 0) throw OptionError("--nights", "must be >= 0");
  if (jobs < 1 || jobs > 64) throw OptionError("--jobs", "must be in 1..64");
  if (scenario_nights < 1) throw OptionError("--scenario-nights", "must be >= 1");
  if (!evaluate && nights < 1) throw OptionError("--nights", "must be >= 1 to train");
  // Every seed a run uses (population nights and scenario-file nights) lies in its range.
  // The last seed of `count` nights from --seed (a run of none still names its first seed).
  const auto last_seed = [&](int count) { return seed + static_cast<std::uint64_t>(std::max(count, 1)) - 1; };
  const int used = std::max(nights, evaluate && !scenarios.empty() ? scenario_nights : 0);
  // (Compared as seed > end − count, which cannot overflow as last_seed(used) >= end could.)
  if (seed < range_first || seed > range_end - static_cast<std::uint64_t>(std::max(used, 1))) {
    throw OptionError("--seed", fmt::format("{} seeds must lie in [{}, {}) (training below {}, validation {}..{}, "
                                            "held-out from {}); seeds {}..{} do not",
                                            range_name, range_first,
                                            range_end == std::numeric_limits<std::uint64_t>::max()
                                                ? std::string("∞") : std::to_string(range_end),
                                            kValidationSeedStart, kValidationSeedStart, kHeldOutSeedStart - 1,
                                            kHeldOutSeedStart, seed, last_seed(used)));
  }
  const Scenario base = LoadScenario(base_path);
  const auto t0 = std::chrono::steady_clock::now();
  std::mutex print_mutex;
  auto progress = [&](const std::string& line) {
    const std::lock_guard<std::mutex> lock(print_mutex);
    fmt::print(stderr, "{}\n", line);
  };

  if (!evaluate) {
    if (out_dir.empty()) out_dir = DefaultModelsDir();
    std::filesystem::create_directories(out_dir);
    std::vector<RecordedNight> recorded(static_cast<std::size_t>(nights));
    ParallelFor(nights, jobs, [&](int i) {
      const std::uint64_t s = seed + static_cast<std::uint64_t>(i);
      recorded[static_cast<std::size_t>(i)] = RecordNight(DrawPopulationScenario(base, s), s);
      progress(fmt::format("train: night seed {} recorded ({} epochs)", s, recorded[static_cast<std::size_t>(i)].rows.size()));
    });
    const TrainedModels models = TrainModels(recorded);
    WriteFileAtomically(out_dir + "/" + kIntentModelFile, models.intent_json);
    WriteFileAtomically(out_dir + "/" + kStagingModelFile, models.staging_json);
    const double wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    fmt::print("trained on {} nights (seeds {}..{}): intent rows {}, staging rows {} "
               "(wake {}, light {}, deep {}, rem {}) in {:.0f} s\nwrote {}/{} and {}/{}\n",
               nights, seed, last_seed(nights), models.intent_rows, models.staging_rows,
               models.stage_counts[0], models.stage_counts[1], models.stage_counts[2], models.stage_counts[3], wall_s,
               out_dir, kIntentModelFile, out_dir, kStagingModelFile);
    return kExitOk;
  }

  if (models_dir.empty()) models_dir = DefaultModelsDir();
  const pipeline::SleepPipelineConfig config = SleepPipelineConfigFrom(models_dir);
  struct Job {
    Scenario scenario;
    std::uint64_t seed;
  };
  std::vector<Job> work;
  for (int i = 0; i < nights; ++i) {
    const std::uint64_t s = seed + static_cast<std::uint64_t>(i);
    work.push_back({DrawPopulationScenario(base, s), s});
  }
  for (const std::string& path : scenarios) {
    const Scenario sc = LoadScenario(path);
    for (int k = 0; k < scenario_nights; ++k) work.push_back({sc, seed + static_cast<std::uint64_t>(k)});
  }
  std::vector<NightMetrics> metrics(work.size());
  std::vector<std::string> activities(work.size());
  ParallelFor(static_cast<int>(work.size()), jobs, [&](int i) {
    const Job& job = work[static_cast<std::size_t>(i)];
    pipeline::SleepPipeline pipeline(config);
    RunOptions run_options;
    run_options.seed = job.seed;
    const NightRun run = RunNight(job.scenario, run_options, &pipeline);
    metrics[static_cast<std::size_t>(i)] = run.metrics;
    for (const PersonSpec& p : job.scenario.people) {
      if (p.role == "primary") activities[static_cast<std::size_t>(i)] = p.activity;
    }
    const auto metric = [&](const char* name) { return FormatNumber(run.metrics.metrics.Get(name).value_or(NAN)); };
    progress(fmt::format("evaluate: {} seed {}: accuracy {}, kappa {}, intent start error {} min, SOL error {} min "
                         "(true {}, activity {}), alarm sleep lost {} min (true stage at fire {})",
                         job.scenario.name, job.seed, metric("staging.accuracy"), metric("staging.kappa"),
                         metric("intent.start_error_min"), metric("measures.sol_min.error"),
                         metric("measures.sol_min.truth"),
                         activities[static_cast<std::size_t>(i)], metric("alarm.sleep_lost_min"),
                         metric("alarm.truth_stage_at_fire")));
  });
  // The population nights are independent people; the scenario files (a stress
  // library) repeat one household under stresses, so they are reported apart too.
  EvaluationSummary population, files, all;
  for (std::size_t i = 0; i < work.size(); ++i) {
    AddToSummary(metrics[i], activities[i], i < static_cast<std::size_t>(nights) ? &population : &files);
    AddToSummary(metrics[i], activities[i], &all);
  }
  std::string json = "{\n";
  auto section = [&](const char* key, const std::string& title, const EvaluationSummary& s, bool last) {
    if (s.nights > 0) fmt::print("== {} ==\n{}\n", title, FormatEvaluation(s));
    json += fmt::format("\"{}\": {}{}", key, EvaluationJson(s), last ? "" : ",\n");
  };
  section("population", fmt::format("population ({}): {} nights, seeds {}..{}", range_name, nights, seed,
                                    last_seed(nights)),
          population, false);
  section("scenarios", fmt::format("scenario files ({}): {} files x {} seeds from {}", range_name, scenarios.size(),
                      scenario_nights, seed),
          files, false);
  section("all", fmt::format("all {} nights", range_name), all, true);
  json += "}\n";
  if (!report.empty()) WriteFileAtomically(report, json);
  return kExitOk;
}

}  // namespace nightsim::harness
