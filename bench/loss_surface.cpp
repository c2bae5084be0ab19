// Loss-surface cost: one 31 x 31 random-direction slice (961 evaluations of the training loss
// on a copy of the network, the Loss surface view's default) of
//   default: the default experiment (two spirals, 480 training samples, 4 x 16 tanh), and
//   fashion:  784-300-100-10 ReLU on 2,048 random "images" (the view's sample budget),
// each after 200 training steps, float32; also the trajectory's plane and the 1-D line for
// the default network. The target is at most 2 s for the default network's slice.
#include <benchmark/benchmark.h>

#include "app/scenarios/default_experiment.h"
#include "app/worker/training_run.h"
#include "core/loss_surface/loss_surface.h"
#include "core/model/hidden_layer_list.h"

using namespace gradscope;

namespace {

std::unique_ptr<app::TrainingRun> trainedRun(bool fashion) {
  core::ExperimentConfig config = app::defaultExperiment();
  if (fashion) {
    config.model.hiddenLayers = 2;
    config.model.layers =
        core::parseHiddenLayers("300 relu, 100 relu", config.model.hiddenActivation).layers;
  }
  std::unique_ptr<app::TrainingRun> run;
  if (fashion) {
    core::Dataset data;
    data.task = core::TaskKind::MultiClass;
    core::Rng rng(3);
    data.inputs.resize(784, 2560);
    for (Eigen::Index i = 0; i < data.inputs.size(); ++i) data.inputs(i) = rng.uniform();
    data.targets = Eigen::MatrixXd::Zero(10, 2560);
    for (Eigen::Index j = 0; j < 2560; ++j) data.targets(Eigen::Index(rng.below(10)), j) = 1.0;
    run = app::TrainingRun::create(config, data);
  } else {
    run = app::TrainingRun::create(config);
  }
  for (int i = 0; i < 200; ++i) run->step();
  return run;
}

void surface(benchmark::State& state, bool fashion, core::LossSurfaceMode mode) {
  const auto run = trainedRun(fashion);
  core::LossSurfaceSettings settings;
  settings.mode = mode;
  for (auto _ : state) {
    auto loss = run->weightSpaceLoss(settings.maxSamples);  // the copy, as the view takes it
    auto result = core::computeLossSurface(*loss, run->weightHistory(), settings, 200);
    benchmark::DoNotOptimize(result);
    state.counters["samples"] = double(loss->sampleCount());
  }
  state.counters["weights"] = double(run->parameters().size());
}

}  // namespace

BENCHMARK_CAPTURE(surface, default_slice, false, core::LossSurfaceMode::RandomSlice)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(surface, default_trajectory, false, core::LossSurfaceMode::PcaTrajectory)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(surface, default_line, false, core::LossSurfaceMode::Interpolation)
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(surface, fashion_slice, true, core::LossSurfaceMode::RandomSlice)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

BENCHMARK_MAIN();
