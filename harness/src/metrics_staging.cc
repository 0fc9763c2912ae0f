// Epoch-by-epoch staging agreement and sleep measures (Menghini et al. 2021).
#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "harness/metrics.h"
#include "sleepers/sleep_measures.h"

namespace nightsim::harness {

namespace {

int Index(EstStage stage) {
  const int i = static_cast<int>(stage);
  if (i < 0 || i > 3) throw std::invalid_argument("staging: a scored stage (wake/light/deep/REM) is required");
  return i;
}

bool IsSleep(EstStage stage) {
  return stage == EstStage::kLight || stage == EstStage::kDeep || stage == EstStage::kRem;
}

std::optional<double> Ratio(double num, double den) {
  if (den <= 0) return std::nullopt;
  return num / den;
}

}  // namespace

EstStage StageFromYasa(int yasa) {
  switch (yasa) {
    case kYasaOutOfBed: return EstStage::kNone;
    case kYasaWake: return EstStage::kWake;
    case kYasaN1:
    case kYasaN2: return EstStage::kLight;
    case kYasaN3: return EstStage::kDeep;
    case kYasaRem: return EstStage::kRem;
  }
  throw std::invalid_argument("StageFromYasa: code -1..4 expected, got " + std::to_string(yasa));
}

const char* StageName(EstStage stage) {
  switch (stage) {
    case EstStage::kWake: return "wake";
    case EstStage::kLight: return "light";
    case EstStage::kDeep: return "deep";
    case EstStage::kRem: return "rem";
    case EstStage::kNone: return "none";
  }
  return "none";
}

void ConfusionMatrix::Add(EstStage truth, EstStage estimate) {
  ++counts[static_cast<std::size_t>(Index(truth))][static_cast<std::size_t>(Index(estimate))];
}

std::int64_t ConfusionMatrix::Total() const {
  std::int64_t total = 0;
  for (const auto& row : counts) {
    for (std::int64_t c : row) total += c;
  }
  return total;
}

std::array<std::array<double, 4>, 4> ConfusionMatrix::RowNormalized() const {
  std::array<std::array<double, 4>, 4> out{};
  for (std::size_t r = 0; r < 4; ++r) {
    std::int64_t row_sum = 0;
    for (std::int64_t c : counts[r]) row_sum += c;
    for (std::size_t c = 0; c < 4; ++c) {
      out[r][c] = row_sum > 0 ? static_cast<double>(counts[r][c]) / static_cast<double>(row_sum)
                              : std::numeric_limits<double>::quiet_NaN();
    }
  }
  return out;
}

std::optional<double> ConfusionMatrix::Accuracy() const {
  std::int64_t diagonal = 0;
  for (std::size_t k = 0; k < 4; ++k) diagonal += counts[k][k];
  return Ratio(static_cast<double>(diagonal), static_cast<double>(Total()));
}

std::optional<double> ConfusionMatrix::Kappa() const {
  const double n = static_cast<double>(Total());
  if (n <= 0) return std::nullopt;
  double observed = 0;
  double chance = 0;
  for (std::size_t k = 0; k < 4; ++k) {
    double row = 0, col = 0;
    for (std::size_t j = 0; j < 4; ++j) {
      row += static_cast<double>(counts[k][j]);
      col += static_cast<double>(counts[j][k]);
    }
    observed += static_cast<double>(counts[k][k]) / n;
    chance += (row / n) * (col / n);
  }
  // p_e = 1 only when both raters used one and the same class: κ is 0/0 there.
  if (chance >= 1.0 - 1e-12) return std::nullopt;
  return (observed - chance) / (1.0 - chance);
}

std::optional<double> ConfusionMatrix::Sensitivity(EstStage stage) const {
  const auto k = static_cast<std::size_t>(Index(stage));
  double row = 0;
  for (std::int64_t c : counts[k]) row += static_cast<double>(c);
  return Ratio(static_cast<double>(counts[k][k]), row);
}

std::optional<double> ConfusionMatrix::Specificity(EstStage stage) const {
  const auto k = static_cast<std::size_t>(Index(stage));
  double negatives = 0, true_negatives = 0;
  for (std::size_t r = 0; r < 4; ++r) {
    if (r == k) continue;
    for (std::size_t c = 0; c < 4; ++c) {
      negatives += static_cast<double>(counts[r][c]);
      if (c != k) true_negatives += static_cast<double>(counts[r][c]);
    }
  }
  return Ratio(true_negatives, negatives);
}

std::optional<double> ConfusionMatrix::Ppv(EstStage stage) const {
  const auto k = static_cast<std::size_t>(Index(stage));
  double col = 0;
  for (std::size_t r = 0; r < 4; ++r) col += static_cast<double>(counts[r][k]);
  return Ratio(static_cast<double>(counts[k][k]), col);
}

void SleepMeasures::ForEach(const std::function<void(const char*, std::optional<double>)>& f) const {
  f("tib_min", tib_min);
  f("spt_min", spt_min);
  f("tst_min", tst_min);
  f("se_pct", se_pct);
  f("sol_min", sol_min);
  f("waso_min", waso_min);
  f("light_min", light_min);
  f("deep_min", deep_min);
  f("rem_min", rem_min);
  f("light_pct", light_pct);
  f("deep_pct", deep_pct);
  f("rem_pct", rem_pct);
  f("rem_latency_min", rem_latency_min);
  f("awakenings", awakenings);
}

SleepMeasures ComputeSleepMeasures(std::span<const EstStage> stages, double epoch_s,
                                   std::optional<double> lights_out_s, int awakening_min_epochs) {
  if (!(epoch_s > 0)) throw std::invalid_argument("ComputeSleepMeasures: epoch_s must be > 0");
  if (awakening_min_epochs < 1) {
    throw std::invalid_argument("ComputeSleepMeasures: awakening_min_epochs must be >= 1");
  }
  const double epoch_min = epoch_s / 60.0;
  const std::size_t n = stages.size();

  SleepMeasures m;
  std::optional<std::size_t> first_scored, last_scored;
  for (std::size_t e = 0; e < n; ++e) {
    if (stages[e] == EstStage::kNone) continue;
    if (!first_scored) first_scored = e;
    last_scored = e;
  }
  if (!first_scored) return m;  // never in bed / nothing scored: all zero, the rest n/a

  // The window [begin, end): lights out (or the first scored epoch) … last scored epoch.
  const std::size_t end = *last_scored + 1;
  std::size_t begin = *first_scored;
  if (lights_out_s) {
    const double epoch = std::floor(std::max(0.0, *lights_out_s) / epoch_s);
    begin = epoch >= static_cast<double>(end) ? end : static_cast<std::size_t>(epoch);
  }

  // One definition for the codebase: the sleepers' measures on YASA codes
  // (light → N2; N1 vs N2 only matters for their N1/N2 split, unused here).
  std::vector<int> codes(n);
  for (std::size_t e = 0; e < n; ++e) {
    switch (stages[e]) {
      case EstStage::kWake: codes[e] = sleepers::kWake; break;
      case EstStage::kLight: codes[e] = sleepers::kN2; break;
      case EstStage::kDeep: codes[e] = sleepers::kN3; break;
      case EstStage::kRem: codes[e] = sleepers::kRem; break;
      case EstStage::kNone: codes[e] = sleepers::kOutOfBed; break;
    }
  }
  sleepers::MeasureOptions options;
  options.epoch_s = epoch_s;
  options.lights_out_epoch = begin;
  options.rise_epoch = end;
  const sleepers::SleepMeasures s = sleepers::ComputeSleepMeasures(codes, options);

  m.tib_min = s.tib_min;
  if (s.tib_min > 0) m.se_pct = s.se_pct;
  if (!s.slept) return m;
  m.tst_min = s.tst_min;
  m.spt_min = s.spt_min;
  m.waso_min = s.waso_min;
  m.sol_min = s.sol_min;
  m.rem_latency_min = s.rem_latency_min;
  for (int bout : s.wake_bouts_epochs) m.awakenings += bout >= awakening_min_epochs ? 1 : 0;

  // Stage minutes counted directly (exact), rather than back from rounded percentages.
  std::int64_t light = 0, deep = 0, rem = 0;
  for (std::size_t e = begin; e < end; ++e) {
    if (!IsSleep(stages[e])) continue;
    if (!m.sleep_onset_epoch) m.sleep_onset_epoch = static_cast<std::int64_t>(e);
    m.last_sleep_epoch = static_cast<std::int64_t>(e);
    light += stages[e] == EstStage::kLight;
    deep += stages[e] == EstStage::kDeep;
    rem += stages[e] == EstStage::kRem;
  }
  const double sleep = static_cast<double>(light + deep + rem);
  m.light_min = static_cast<double>(light) * epoch_min;
  m.deep_min = static_cast<double>(deep) * epoch_min;
  m.rem_min = static_cast<double>(rem) * epoch_min;
  m.light_pct = 100.0 * static_cast<double>(light) / sleep;
  m.deep_pct = 100.0 * static_cast<double>(deep) / sleep;
  m.rem_pct = 100.0 * static_cast<double>(rem) / sleep;
  return m;
}

}  // namespace nightsim::harness
