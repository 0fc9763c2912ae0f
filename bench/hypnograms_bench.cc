// Throughput of the sleepers: whole person-nights of truth (what `nightsim
// hypnograms` does, minus file writing) and the per-frame cost of BodySignal.
// Goal (issue "Sleepers"): 10,000 person-nights in under a minute on one core.

#include <benchmark/benchmark.h>

#include "core/scenario.h"
#include "sleepers/body_signal.h"
#include "sleepers/night.h"
#include "sleepers/sleep_measures.h"

namespace {

using namespace nightsim;

Scenario OneSleeper() {
  Scenario s;
  s.night.duration_s = 10.5 * 3600.0;
  PersonSpec p;
  p.id = "alice";
  p.bedtime_s = 30 * 60.0;
  p.bedtime_sd_s = 25 * 60.0;
  p.activity = "phone";
  p.wake_mode = "natural";
  p.wake_s = 8.82 * 3600.0;
  p.wake_sd_s = 45 * 60.0;
  s.people.push_back(p);
  return s;
}

// One person-night: the DES run, the per-epoch truth and its sleep measures.
void BM_PersonNight(benchmark::State& state) {
  const Scenario s = OneSleeper();
  std::uint64_t seed = 1;
  for (auto _ : state) {
    const sleepers::Night night = sleepers::SimulateNight(s, seed++);
    const auto& truth = night.people[0];
    benchmark::DoNotOptimize(sleepers::ComputeSleepMeasures(truth.StageCodes(), truth.MeasureWindow(night.epoch_s)));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PersonNight)->Unit(benchmark::kMillisecond);

// The figure: 10,000 person-nights in one go.
void BM_TenThousandPersonNights(benchmark::State& state) {
  const Scenario s = OneSleeper();
  for (auto _ : state) {
    for (std::uint64_t seed = 1; seed <= 10000; ++seed) {
      const sleepers::Night night = sleepers::SimulateNight(s, seed);
      benchmark::DoNotOptimize(night.people[0].epochs.data());
    }
  }
  state.SetItemsProcessed(state.iterations() * 10000);
}
BENCHMARK(BM_TenThousandPersonNights)->Iterations(1)->Unit(benchmark::kSecond);

// BodySignal at 20 frames/s over a whole night (576,000+ calls); reports time per call.
void BM_BodySignalFrame(benchmark::State& state) {
  const Scenario s = OneSleeper();
  const sleepers::Night night = sleepers::SimulateNight(s, 1);
  const auto frames = static_cast<std::int64_t>(night.duration_s * 20);
  for (auto _ : state) {
    sleepers::BodySignal signal(night.bodies[0]);
    for (std::int64_t f = 0; f < frames; ++f) benchmark::DoNotOptimize(signal.At(static_cast<double>(f) * 0.05).chest_m);
  }
  state.SetItemsProcessed(state.iterations() * frames);
}
BENCHMARK(BM_BodySignalFrame)->Unit(benchmark::kMillisecond);

}  // namespace
