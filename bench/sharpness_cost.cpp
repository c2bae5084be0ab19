// The cost of the Sharpness chart: training steps of a run with the sharpness estimated as the
// worker does while the chart is shown (app/worker/sharpness_schedule.h: every 10 steps by
// default, within 8% of the training time) against the same steps with the chart hidden
// (nothing estimated, the worker's hidden path), and the time of one estimate alone.
//
//   default  the dashboard's default experiment (two spirals, 4 x 16 tanh, momentum, batch 32)
//   eos      scenario 23's network (sine, 2 x 32 tanh, full batch of 400, SGD 0.1)
//
// Quote shown/hidden per experiment: the training slowdown the chart costs.
#include <benchmark/benchmark.h>

#include <chrono>

#include "app/scenarios/default_experiment.h"
#include "app/worker/sharpness_schedule.h"
#include "app/worker/training_run.h"

using namespace gradscope;

namespace {

core::ExperimentConfig experiment(int which) {
  core::ExperimentConfig c = app::defaultExperiment();
  c.training.epochs = core::kMaxEpochs;
  if (which == 1) {
    c.data.kind = core::DatasetKind::Sine;
    c.data.samples = 500;
    c.data.noise = 0.0;
    c.model.hiddenLayers = 2;
    c.model.width = 32;
    c.optimizer = core::OptimizerSettings::defaultsFor(core::OptimizerKind::Sgd);
    c.optimizer.learningRate = 0.1;
    c.training.batchSize = 400;
  }
  return c;
}

std::unique_ptr<app::TrainingRun> makeRun(int which) {
  auto run = app::TrainingRun::create(experiment(which));
  core::ProbeSettings probes;  // the dashboard's probes, as the worker runs them
  run->setProbeSettings(probes);
  return run;
}

double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// range(0): experiment; range(1): 1 = chart shown.
void BM_Training(benchmark::State& state) {
  const int which = int(state.range(0));
  const bool shown = state.range(1) != 0;
  auto run = makeRun(which);
  app::SharpnessSchedule schedule;
  std::int64_t estimates = 0;
  for (int i = 0; i < 50; ++i) run->step();  // past the first steps' transients
  for (auto _ : state) {
    const core::StepProbe& probe = run->step();
    if (!shown) continue;  // the worker's hidden path: nothing at all
    const double started = now();
    if (schedule.due(probe.record.step, started)) {
      benchmark::DoNotOptimize(run->measureSharpness());
      schedule.spent(started, now());
      ++estimates;
    }
  }
  state.counters["estimates_per_1000_steps"] =
      1000.0 * double(estimates) / double(state.iterations());
}

void BM_OneEstimate(benchmark::State& state) {
  auto run = makeRun(int(state.range(0)));
  for (int i = 0; i < 200; ++i) run->step();
  run->measureSharpness();  // the first one starts from a random vector
  for (auto _ : state) {
    run->step();
    benchmark::DoNotOptimize(run->measureSharpness());
  }
}

}  // namespace

BENCHMARK(BM_Training)
    ->ArgNames({"experiment", "shown"})
    ->Args({0, 0})
    ->Args({0, 1})
    ->Args({1, 0})
    ->Args({1, 1})
    ->MinTime(2.0)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_OneEstimate)->ArgName("experiment")->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();
