// Probe overhead: the cost of GradScope's per-layer measurements on the reference networks
// `deep` (100 inputs, 20 x 100 sigmoid, 10 softmax, batch 64) and `mnist` (784-256-256-10
// relu, batch 128), float32. Each case trains with the Trainer (shuffled mini-batches of a
// fixed random data set, SGD) either bare or with a Prober attached: the cheap probes on
// every step and histograms, weight norms, update ratios and optimiser state every `stride`
// steps (default 10). Overhead = probed time / bare time - 1; the target is below 5%. The
// interleavedOverhead cases measure it with both trainers taking turns.
#include <benchmark/benchmark.h>

#include <chrono>

#include "core/model/experiment_config.h"
#include "core/model/trainer.h"
#include "core/probes/probes.h"

using namespace gradscope::core;

namespace {

struct Case {
  NetworkSpec spec;
  Dataset data;
  Index batch;
};

Case makeCase(bool deep) {
  ModelConfig model;
  model.hiddenLayers = deep ? 20 : 2;
  model.width = deep ? 100 : 256;
  model.hiddenActivation = {deep ? ActivationKind::Sigmoid : ActivationKind::Relu};
  const Index inputs = deep ? 100 : 784;
  Case c{buildNetworkSpec(model, inputs, 10, TaskKind::MultiClass), {}, deep ? 64 : 128};
  const Index samples = c.batch * 32;
  Rng rng(7);
  c.data.task = TaskKind::MultiClass;
  c.data.inputs.resize(inputs, samples);
  for (Index i = 0; i < c.data.inputs.size(); ++i) c.data.inputs(i) = rng.normal();
  c.data.targets = Eigen::MatrixXd::Zero(10, samples);
  for (Index j = 0; j < samples; ++j) c.data.targets(Index(rng.below(10)), j) = 1.0;
  return c;
}

// `cheapOnly`: the expensive probes off, to see the per-step probes alone.
void trainingStep(benchmark::State& state, bool deep, bool probed, bool cheapOnly = false) {
  const Case c = makeCase(deep);
  TrainingSettings training;
  training.batchSize = c.batch;
  training.epochs = kMaxEpochs;
  Trainer<float> trainer(c.spec, LossKind::CategoricalCrossentropy, c.data, Dataset{},
                         OptimizerSettings::defaultsFor(OptimizerKind::Sgd), ScheduleSettings{},
                         training);
  ProbeSettings settings;
  if (cheapOnly) {
    settings.stride = 100000;
    settings.histograms = false;
  }
  Prober<float> prober(settings);
  if (probed) trainer.setProber(&prober);
  for (int i = 0; i < 20; ++i) trainer.step();  // warm-up: buffers allocated
  for (auto _ : state) {
    const StepRecord record = trainer.step();
    benchmark::DoNotOptimize(record.loss.data);
  }
  state.SetItemsProcessed(state.iterations());
}

// The same comparison with a bare and a probed trainer taking turns, kBlock steps each, so
// that machine noise (clock speed, the other core, memory placement) hits both alike: run
// one after the other, the bare and probed cases above differ by up to 4% between runs.
// Turns are long because the prober's cost budget compares its work with the wall time
// between steps, and the other trainer's turn looks like one long step: with turns of 20
// steps that doubled the histograms' share. Reports each one's time per step and the
// overhead in percent.
void interleavedOverhead(benchmark::State& state, bool deep) {
  constexpr int kBlock = 400;
  const Case c = makeCase(deep);
  TrainingSettings training;
  training.batchSize = c.batch;
  training.epochs = kMaxEpochs;
  const auto sgd = OptimizerSettings::defaultsFor(OptimizerKind::Sgd);
  Trainer<float> bare(c.spec, LossKind::CategoricalCrossentropy, c.data, Dataset{}, sgd,
                      ScheduleSettings{}, training);
  Trainer<float> probed(c.spec, LossKind::CategoricalCrossentropy, c.data, Dataset{}, sgd,
                        ScheduleSettings{}, training);
  Prober<float> prober{ProbeSettings{}};
  probed.setProber(&prober);
  const auto timeBlock = [](Trainer<float>& trainer) {
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < kBlock; ++i) benchmark::DoNotOptimize(trainer.step().loss.data);
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  timeBlock(bare);  // warm-up: buffers allocated
  timeBlock(probed);
  double bareSeconds = 0.0, probedSeconds = 0.0;
  for (auto _ : state) {
    bareSeconds += timeBlock(bare);
    probedSeconds += timeBlock(probed);
  }
  const double steps = double(state.iterations()) * kBlock;
  state.counters["bare_us"] = bareSeconds / steps * 1e6;
  state.counters["probed_us"] = probedSeconds / steps * 1e6;
  state.counters["overhead_pct"] = (probedSeconds / bareSeconds - 1.0) * 100.0;
}

}  // namespace

BENCHMARK_CAPTURE(interleavedOverhead, deep, true)->MinTime(4.0);
BENCHMARK_CAPTURE(interleavedOverhead, mnist, false)->MinTime(4.0);
BENCHMARK_CAPTURE(trainingStep, deep_bare, true, false)->MinTime(2.0);
BENCHMARK_CAPTURE(trainingStep, deep_probed, true, true)->MinTime(2.0);
BENCHMARK_CAPTURE(trainingStep, deep_cheap_probes_only, true, true, true)->MinTime(2.0);
BENCHMARK_CAPTURE(trainingStep, mnist_bare, false, false)->MinTime(2.0);
BENCHMARK_CAPTURE(trainingStep, mnist_probed, false, true)->MinTime(2.0);

BENCHMARK_MAIN();
