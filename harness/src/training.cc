#include "harness/training.h"

#include <fmt/core.h>
#include <xgboost/c_api.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>

#include "core/errors.h"
#include "core/rng.h"
#include "harness/night_runner.h"
#include "harness/scenario_loader.h"
#include "pipeline/sleep_pipeline.h"

namespace nightsim::harness {
namespace {

constexpr double kHour = 3600.0;
constexpr double kMin = 60.0;

[[noreturn]] void Invalid(const Scenario& base, const std::string& key, const std::string& message) {
  throw InputError(InputProblem{base.source_path, 0, 0, key, message});
}

int FindPerson(const Scenario& s, const std::string& role) {
  for (std::size_t i = 0; i < s.people.size(); ++i) {
    if (s.people[i].role == role) return static_cast<int>(i);
  }
  return -1;
}

const FurnitureSpec* FindFurniture(const Scenario& s, const std::string& name) {
  for (const FurnitureSpec& f : s.room.furniture) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

std::string DrawActivity(RandomStream* rng) {
  static const std::vector<std::string> kActivities{"none", "reading", "tv", "phone", "lying"};
  static const std::vector<double> kWeights{0.10, 0.30, 0.20, 0.25, 0.15};
  return kActivities[rng->Categorical(kWeights)];
}

void DrawBody(RandomStream* rng, PersonSpec* p) {
  const bool male = p->sex == "male";
  p->height_m = male ? rng->Uniform(1.65, 1.90) : rng->Uniform(1.55, 1.75);
  p->mass_kg = rng->Uniform(19.0, 31.0) * p->height_m * p->height_m;  // BMI · h²
}

void Check(int status, const char* what) {
  if (status != 0) throw std::runtime_error(std::string("XGBoost ") + what + ": " + XGBGetLastError());
}

// Trains one booster on a dense row-major matrix and returns its JSON.
std::string TrainBooster(const std::vector<float>& x, const std::vector<std::string>& names,
                         const std::vector<float>& labels, const std::vector<float>& weights,
                         const std::vector<std::pair<std::string, std::string>>& params, int rounds) {
  const std::size_t cols = names.size();
  const std::size_t rows = labels.size();
  if (rows == 0) {
    throw InputError(InputProblem{"", 0, 0, "--nights", "the nights gave no labelled epochs to train on: use more nights"});
  }
  if (x.size() != rows * cols) throw std::logic_error("training: inputs and labels out of step");
  DMatrixHandle matrix = nullptr;
  Check(XGDMatrixCreateFromMat(x.data(), rows, cols, std::numeric_limits<float>::quiet_NaN(), &matrix), "matrix");
  BoosterHandle booster = nullptr;
  std::string json;
  try {
    Check(XGDMatrixSetFloatInfo(matrix, "label", labels.data(), rows), "labels");
    if (!weights.empty()) Check(XGDMatrixSetFloatInfo(matrix, "weight", weights.data(), rows), "weights");
    std::vector<const char*> name_ptrs;
    for (const std::string& n : names) name_ptrs.push_back(n.c_str());
    Check(XGDMatrixSetStrFeatureInfo(matrix, "feature_name", name_ptrs.data(), name_ptrs.size()), "names");
    Check(XGBoosterCreate(&matrix, 1, &booster), "create");
    for (const auto& [k, v] : params) Check(XGBoosterSetParam(booster, k.c_str(), v.c_str()), k.c_str());
    for (int i = 0; i < rounds; ++i) Check(XGBoosterUpdateOneIter(booster, i, matrix), "update");
    bst_ulong len = 0;
    const char* data = nullptr;
    Check(XGBoosterSaveModelToBuffer(booster, R"({"format": "json"})", &len, &data), "save");
    json.assign(data, len);
  } catch (...) {
    if (booster != nullptr) XGBoosterFree(booster);
    XGDMatrixFree(matrix);
    throw;
  }
  XGBoosterFree(booster);
  XGDMatrixFree(matrix);
  return json;
}

std::vector<std::pair<std::string, std::string>> CommonParams(const TrainingOptions& o, int max_depth) {
  // One thread and the exact-order histogram method: byte-identical models.
  return {{"nthread", "1"},
          {"seed", "0"},
          {"tree_method", "hist"},
          {"max_bin", "256"},
          {"eta", fmt::format("{}", o.learning_rate)},
          {"max_depth", std::to_string(max_depth)},
          {"min_child_weight", fmt::format("{}", o.min_child_weight)},
          {"subsample", "1"},
          {"colsample_bytree", "1"},
          {"validate_parameters", "1"}};
}

void AppendRow(const std::vector<float>& inputs, std::vector<float>* x) { x->insert(x->end(), inputs.begin(), inputs.end()); }

std::string FormatPct(double v) { return std::isfinite(v) ? fmt::format("{:.1f} %", 100.0 * v) : "n/a"; }
std::string FormatNum(double v, int digits = 2) { return std::isfinite(v) ? fmt::format("{:.{}f}", v, digits) : "n/a"; }

}  // namespace

std::string DefaultModelsDir() {
  if (const char* env = std::getenv("NIGHTSIM_MODELS_DIR"); env != nullptr && *env != '\0') return env;
  return std::string(NIGHTSIM_CHECKOUT_DIR) + "/models";
}

pipeline::SleepPipelineConfig SleepPipelineConfigFrom(const std::string& models_dir) {
  auto read = [&](const char* name) {
    const std::string path = models_dir + "/" + name;
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    if (in) text << in.rdbuf();
    if (!in || text.str().empty()) {
      throw InputError(InputProblem{path, 0, 0, "", "cannot read the model file (create it with `nightsim train`)"});
    }
    return text.str();
  };
  pipeline::SleepPipelineConfig config;
  config.intent_model_json = read(kIntentModelFile);
  config.staging_model_json = read(kStagingModelFile);
  return config;
}

double Median(std::vector<double> v) {
  if (v.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

Scenario DrawPopulationScenario(const Scenario& base, std::uint64_t seed) {
  const int primary_index = FindPerson(base, "primary");
  const int partner_index = FindPerson(base, "partner");
  if (primary_index < 0) Invalid(base, "people", "the population base needs a person with role: primary");
  if (partner_index < 0) Invalid(base, "people", "the population base needs a person with role: partner");
  if (base.pets.empty()) Invalid(base, "pets", "the population base needs a pet");
  RandomStream rng(seed, "population", "draw");
  Scenario s = base;
  s.name = fmt::format("{}_s{}", base.name, seed);
  // Times are drawn as fractions of the base night, so that a short base night
  // (tests) gives the same population compressed; the ranges quoted in the header
  // are those of the 10-h base night 22:00–08:00.
  const double night_s = base.night.duration_s;
  PersonSpec primary = s.people[static_cast<std::size_t>(primary_index)];
  PersonSpec partner = s.people[static_cast<std::size_t>(partner_index)];

  // The primary.
  primary.side = rng.Bernoulli(0.5) ? "left" : "right";
  primary.age_y = rng.Uniform(20.0, 80.0);
  primary.sex = rng.Bernoulli(0.5) ? "female" : "male";
  DrawBody(&rng, &primary);
  primary.bedtime_s = rng.Uniform(0.025, 0.25) * night_s;
  primary.bedtime_sd_s = 10 * kMin;
  primary.activity = DrawActivity(&rng);
  primary.activity_s = primary.activity == "none" ? 0.0 : rng.Uniform(5.0, 60.0) * kMin * night_s / (10 * kHour);
  primary.out_of_bed_after_s = rng.Uniform(2.0, 15.0) * kMin * night_s / (10 * kHour);
  const double u_ahi = rng.Uniform01();
  primary.ahi = u_ahi < 0.65 ? 0.0 : u_ahi < 0.85 ? rng.Uniform(5.0, 15.0) : rng.Uniform(15.0, 40.0);
  primary.events.clear();
  const bool alarm = rng.Bernoulli(0.7);
  if (alarm) {
    primary.wake_mode = "alarm";
    s.device.alarm_s = rng.Uniform(0.8, 0.95) * night_s;
    s.device.smart_window_s = std::min(30 * kMin, 0.05 * night_s);
  } else {
    primary.wake_mode = "natural";
    primary.wake_s = rng.Uniform(0.775, 0.95) * night_s;
    primary.wake_sd_s = 15 * kMin;
    s.device.alarm_s.reset();
  }
  s.device.bed_side = primary.side;

  // The partner.
  const bool with_partner = rng.Bernoulli(0.55);
  if (with_partner) {
    partner.side = primary.side == "left" ? "right" : "left";
    partner.age_y = std::clamp(primary.age_y + rng.Uniform(-10.0, 10.0), 18.0, 90.0);
    partner.sex = rng.Bernoulli(0.8) ? (primary.sex == "male" ? "female" : "male") : primary.sex;
    DrawBody(&rng, &partner);
    partner.bedtime_s = std::clamp(primary.bedtime_s + rng.Uniform(-0.1, 0.1) * night_s, 0.025 * night_s, 0.3 * night_s);
    partner.activity = DrawActivity(&rng);
    partner.activity_s = partner.activity == "none" ? 0.0 : rng.Uniform(5.0, 45.0) * kMin * night_s / (10 * kHour);
    partner.wake_mode = "natural";
    partner.wake_s = rng.Uniform(0.775, 0.975) * night_s;
    partner.events.clear();
  }
  s.people = {primary};
  if (with_partner) s.people.push_back(partner);

  // The pet.
  PetSpec pet = s.pets.front();
  const bool with_pet = rng.Bernoulli(0.25);
  if (with_pet) {
    const bool dog = rng.Uniform01() < 1.0 / 3.0;
    pet.kind = dog ? "dog" : "cat";
    pet.mass_kg = dog ? rng.Uniform(6.0, 25.0) : rng.Uniform(3.0, 6.0);
    const double u_spot = rng.Uniform01();
    pet.spot = !with_partner || u_spot < 0.5 ? "foot" : u_spot < 0.75 ? "between" : partner.side;
    pet.visits.clear();
    pet.visits_per_night = rng.Uniform(1.0, 4.0);
    pet.mean_stay_s = rng.Uniform(20.0, 120.0) * kMin;
  }
  s.pets.clear();
  if (with_pet) s.pets.push_back(pet);

  // A fan on the wall opposite the head wall.
  s.room.clutter.clear();
  if (rng.Bernoulli(0.15)) {
    ClutterSpec fan;
    fan.name = "fan";
    fan.kind = ClutterSpec::Kind::kFan;
    fan.x_m = rng.Uniform(0.5, s.room.width_m - 0.5);
    fan.y_m = s.room.length_m - 0.3;
    fan.z_m = rng.Uniform(0.8, 1.6);
    fan.rate_hz = rng.Uniform(8.0, 20.0);
    fan.oscillation_hz = rng.Bernoulli(0.5) ? 0.05 : 0.0;
    s.room.clutter.push_back(fan);
  }

  // The radar on the primary's nightstand, turned towards the primary's half of the bed.
  const FurnitureSpec* stand = FindFurniture(s, "nightstand_" + primary.side);
  if (stand == nullptr) Invalid(base, "room.furniture", "the population base needs nightstand_left and nightstand_right");
  s.device.x_m = stand->x_m + rng.Uniform(-0.1, 0.1);
  s.device.y_m = rng.Uniform(0.2, 0.45);
  s.device.z_m = stand->height_m + rng.Uniform(0.05, 0.25);
  const double turn_deg = rng.Uniform(0.0, 35.0);
  s.device.yaw_deg = primary.side == "left" ? turn_deg : 180.0 - turn_deg;
  s.device.pitch_deg = rng.Uniform(-10.0, 10.0);

  // Validated like a file: the resolved text goes through the loader's checks.
  return LoadScenarioText(ResolvedYaml(s), base.source_path);
}

RecordedNight RecordNight(const Scenario& scenario, std::uint64_t seed) {
  pipeline::SleepPipeline pipeline;
  pipeline.RecordFeatures(true);
  RunOptions options;
  options.seed = seed;
  const NightRun run = RunNight(scenario, options, &pipeline);
  RecordedNight night;
  night.seed = seed;
  const int primary = FindPerson(scenario, "primary");
  night.activity = primary >= 0 ? scenario.people[static_cast<std::size_t>(primary)].activity : "";
  pipeline.TakeEpochFeatures(&night.rows);
  night.truth_stage = run.truth.PrimaryStages();
  for (const PrimaryEpochTruth& p : run.truth.primary) night.truth_intent.push_back(p.intent ? 1 : 0);
  return night;
}

TrainedModels TrainModels(const std::vector<RecordedNight>& nights, const TrainingOptions& options) {
  TrainedModels out;
  pipeline::SleepPipelineConfig config;  // no models: intent inputs only

  // Intent: every tracked in-bed epoch, labelled with the truth intent.
  std::vector<float> x, labels, weights;
  std::vector<std::string> names;
  {
    pipeline::SleepDecider probe(config);
    names = probe.IntentInputNames();
  }
  for (const RecordedNight& night : nights) {
    pipeline::SleepDecider decider(config);
    decider.on_intent_inputs = [&](std::int64_t e, const std::vector<float>& in) {
      const auto i = static_cast<std::size_t>(e);
      if (i >= night.truth_stage.size() || night.truth_stage[i] < 0) return;
      AppendRow(in, &x);
      labels.push_back(static_cast<float>(night.truth_intent[i]));
    };
    std::vector<pipeline::EpochDecision> decisions;
    for (const pipeline::EpochFeatures& row : night.rows) decider.Push(row, &decisions);
    decider.Finish(&decisions);
  }
  out.intent_rows = static_cast<std::int64_t>(labels.size());
  auto intent_params = CommonParams(options, options.intent_max_depth);
  intent_params.emplace_back("objective", "binary:logistic");
  out.intent_json = TrainBooster(x, names, labels, {}, intent_params, options.intent_rounds);

  // Staging: the epochs the run-time pipeline stages (intent decided by the model
  // just trained), labelled with the truth stage.
  config.intent_model_json = out.intent_json;
  x.clear();
  labels.clear();
  weights.clear();
  {
    pipeline::SleepDecider probe(config);
    names = probe.StagingInputNames();
  }
  for (const RecordedNight& night : nights) {
    pipeline::SleepDecider decider(config);
    decider.on_staging_inputs = [&](std::int64_t e, const std::vector<float>& in) {
      const auto i = static_cast<std::size_t>(e);
      if (i >= night.truth_stage.size() || night.truth_stage[i] < 0) return;
      const int cls = static_cast<int>(StageFromYasa(night.truth_stage[i]));
      AppendRow(in, &x);
      labels.push_back(static_cast<float>(cls));
      weights.push_back(static_cast<float>(options.stage_weights[static_cast<std::size_t>(cls)]));
      ++out.stage_counts[static_cast<std::size_t>(cls)];
    };
    std::vector<pipeline::EpochDecision> decisions;
    for (const pipeline::EpochFeatures& row : night.rows) decider.Push(row, &decisions);
    decider.Finish(&decisions);
  }
  out.staging_rows = static_cast<std::int64_t>(labels.size());
  auto staging_params = CommonParams(options, options.staging_max_depth);
  staging_params.emplace_back("objective", "multi:softprob");
  staging_params.emplace_back("num_class", "4");
  out.staging_json = TrainBooster(x, names, labels, weights, staging_params, options.staging_rounds);
  return out;
}

// ---------------------------------------------------------------------------

void AddToSummary(const NightMetrics& m, const std::string& activity, EvaluationSummary* s) {
  ++s->nights;
  for (std::size_t r = 0; r < 4; ++r) {
    for (std::size_t c = 0; c < 4; ++c) s->confusion.counts[r][c] += m.confusion.counts[r][c];
  }
  if (auto v = m.metrics.Get("measures.tst_min.error")) s->tst_error_min.push_back(*v);
  if (auto v = m.metrics.Get("intent.start_abs_error_min")) s->intent_abs_error_min.push_back(*v);
  else if (m.metrics.Get("intent.detected") == 0.0) ++s->intent_missed;
  if (auto v = m.metrics.Get("measures.sol_min.abs_error")) {
    s->sol_abs_error_min.push_back(*v);
    if (activity == "reading" || activity == "tv") s->sol_abs_error_reading_tv_min.push_back(*v);
  }
  if (auto v = m.metrics.Get("staging.kappa")) s->night_kappa.push_back(*v);
  if (m.alarm) {
    ++s->alarms;
    s->alarms_light_or_wake += m.alarm->fired && m.alarm->in_light_or_wake;
    s->alarms_after += m.alarm->fired && m.alarm->after_alarm;
    if (m.alarm->fired) s->alarm_sleep_lost_min.push_back(m.alarm->sleep_lost_min);
  }
}

namespace {

struct Figure {
  std::string name;
  double value;
  std::string shown;
  std::string target;
  bool met;
};

std::vector<Figure> Figures(const EvaluationSummary& s) {
  const ConfusionMatrix& c = s.confusion;
  const double acc = c.Accuracy().value_or(NAN);
  const double kappa = c.Kappa().value_or(NAN);
  const double wake = c.Sensitivity(EstStage::kWake).value_or(NAN);
  const double light = c.Sensitivity(EstStage::kLight).value_or(NAN);
  const double deep = c.Sensitivity(EstStage::kDeep).value_or(NAN);
  const double rem = c.Sensitivity(EstStage::kRem).value_or(NAN);
  double tst_bias = NAN;
  if (!s.tst_error_min.empty()) {
    tst_bias = 0.0;
    for (double v : s.tst_error_min) tst_bias += v;
    tst_bias /= static_cast<double>(s.tst_error_min.size());
  }
  const double intent = Median(s.intent_abs_error_min);
  const double sol = Median(s.sol_abs_error_min);
  const double sol_rt = Median(s.sol_abs_error_reading_tv_min);
  const double alarm_ok = s.alarms > 0 ? static_cast<double>(s.alarms_light_or_wake) / s.alarms : NAN;
  std::vector<double> lost;
  for (double v : s.alarm_sleep_lost_min) lost.push_back(std::max(0.0, v));
  const double lost_med = Median(lost);
  const double signed_med = Median(s.alarm_sleep_lost_min);
  return {
      {"staging.accuracy", acc, FormatPct(acc), ">= 81 %", acc >= 0.81},
      {"staging.kappa", kappa, FormatNum(kappa), ">= 0.72 (> 0.84: sleepers too easy)", kappa >= 0.72 && kappa <= 0.84},
      {"staging.wake.sensitivity", wake, FormatNum(wake), ">= 0.73", wake >= 0.73},
      {"staging.light.sensitivity", light, FormatNum(light), "-", true},
      {"staging.deep.sensitivity", deep, FormatNum(deep), ">= 0.67", deep >= 0.67},
      {"staging.rem.sensitivity", rem, FormatNum(rem), ">= 0.75", rem >= 0.75},
      {"staging.tst_bias_min", tst_bias, FormatNum(tst_bias, 1), "within +-10 min", std::abs(tst_bias) <= 10.0},
      {"intent.start_median_abs_error_min", intent, FormatNum(intent, 1), "<= 5 min", intent <= 5.0},
      {"intent.sol_median_abs_error_min", sol, FormatNum(sol, 1), "<= 5 min", sol <= 5.0},
      {"intent.sol_median_abs_error_reading_tv_min", sol_rt, FormatNum(sol_rt, 1), "<= 5 min", sol_rt <= 5.0},
      {"alarm.light_or_wake_fraction", alarm_ok, FormatPct(alarm_ok), ">= 90 %", alarm_ok >= 0.9},
      {"alarm.after_alarm", static_cast<double>(s.alarms_after), std::to_string(s.alarms_after), "0",
       s.alarms_after == 0},
      {"alarm.median_sleep_lost_min", lost_med, FormatNum(lost_med, 1), "<= 3 min", lost_med <= 3.0},
      {"alarm.median_signed_sleep_lost_min", signed_med, FormatNum(signed_med, 1), "-", true},
  };
}

}  // namespace

std::string FormatEvaluation(const EvaluationSummary& s) {
  std::ostringstream os;
  os << fmt::format("evaluation nights: {} ({} with an alarm; intent missed in {})\n", s.nights, s.alarms,
                    s.intent_missed);
  os << fmt::format("{:<44} {:>10}  {:<36} {}\n", "figure", "value", "target", "");
  for (const Figure& f : Figures(s)) {
    os << fmt::format("{:<44} {:>10}  {:<36} {}\n", f.name, f.shown, f.target,
                      f.target == "-" ? "" : (f.met ? "met" : "MISSED"));
  }
  os << "confusion (rows truth, columns pipeline; wake light deep rem):\n";
  for (std::size_t r = 0; r < 4; ++r) {
    os << fmt::format("  {:<6}", StageName(kScoredStages[r]));
    for (std::size_t c = 0; c < 4; ++c) os << fmt::format(" {:>7}", s.confusion.counts[r][c]);
    os << "\n";
  }
  return os.str();
}

std::string EvaluationJson(const EvaluationSummary& s) {
  std::ostringstream os;
  os << "{\n  \"nights\": " << s.nights << ",\n  \"alarms\": " << s.alarms
     << ",\n  \"intent_missed\": " << s.intent_missed << ",\n  \"figures\": {";
  bool first = true;
  for (const Figure& f : Figures(s)) {
    os << (first ? "\n" : ",\n") << "    \"" << f.name << "\": {\"value\": " << FormatNumber(f.value)
       << ", \"target\": \"" << f.target << "\", \"met\": " << (f.met ? "true" : "false") << "}";
    first = false;
  }
  os << "\n  },\n  \"confusion\": [";
  for (std::size_t r = 0; r < 4; ++r) {
    os << (r ? ", [" : "[");
    for (std::size_t c = 0; c < 4; ++c) os << (c ? ", " : "") << s.confusion.counts[r][c];
    os << "]";
  }
  os << "]\n}\n";
  return os.str();
}

}  // namespace nightsim::harness
