// Rewinding a long run: trains the default experiment (spirals, 2-16-16-16-16-1, tanh, SGD
// with momentum, float32) for a number of steps with checkpoints kept as the training worker
// keeps them, and prints
//  - the checkpoint overhead: the time spent capturing and thinning checkpoints against the
//    time spent training (the worker's step rate falls by that fraction), and the step rate of
//    the same run without checkpoints;
//  - the time to reach steps drawn at random over the whole run (restore + replay), worst,
//    median and mean;
//  - the store's memory against its budget.
//
// Usage: checkpoints [steps=100000] [budget_mib=256] [reaches=200]
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "app/scenarios/default_experiment.h"
#include "app/worker/checkpoint_store.h"
#include "app/worker/training_run.h"

using namespace gradscope::app;
using Clock = std::chrono::steady_clock;

namespace {

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  const std::int64_t steps = argc > 1 ? std::atoll(argv[1]) : 100'000;
  const int budgetMib = argc > 2 ? std::atoi(argv[2]) : 256;
  const int reaches = argc > 3 ? std::atoi(argv[3]) : 200;

  gradscope::core::ExperimentConfig config = defaultExperiment();
  config.training.checkpointMemory = budgetMib;
  const auto stepsPerEpoch = TrainingRun::create(config)->stepsPerEpoch();
  config.training.epochs = int(steps / stepsPerEpoch + 1);

  // The same run twice, without and with checkpoints, in alternating blocks so that both see
  // the same machine load.
  const auto plain = TrainingRun::create(config);
  const auto run = TrainingRun::create(config);
  CheckpointStore store(std::size_t(budgetMib) << 20);
  store.restart(*run);
  double plainSeconds = 0.0, trainSeconds = 0.0, checkpointSeconds = 0.0;
  const std::int64_t block = 1000;
  for (std::int64_t done = 0; done < steps; done += block) {
    const std::int64_t n = std::min(block, steps - done);
    auto start = Clock::now();
    for (std::int64_t i = 0; i < n; ++i) plain->step();
    plainSeconds += secondsSince(start);
    for (std::int64_t i = 0; i < n; ++i) {
      start = Clock::now();
      run->step();
      const auto stepped = Clock::now();
      store.afterStep(*run);
      const auto stored = Clock::now();
      trainSeconds += std::chrono::duration<double>(stepped - start).count();
      checkpointSeconds += std::chrono::duration<double>(stored - stepped).count();
    }
  }
  std::printf("default experiment, %lld steps, float32, checkpoint every %lld steps\n",
              static_cast<long long>(steps), static_cast<long long>(store.interval()));
  std::printf("step rate without checkpoints: %.0f steps/s\n", double(steps) / plainSeconds);
  std::printf("step rate with checkpoints:    %.0f steps/s\n",
              double(steps) / (trainSeconds + checkpointSeconds));
  std::printf("time in checkpoints: %.3f s of %.3f s training = %.2f%% overhead\n",
              checkpointSeconds, trainSeconds, 100.0 * checkpointSeconds / trainSeconds);
  std::printf("store: %zu checkpoints, %.1f MiB of a %d MiB budget; one state %.1f KiB\n",
              store.count(), double(store.bytes()) / (1 << 20), budgetMib,
              double(CheckpointStore::sizeOf(run->captureState())) / 1024.0);
  std::printf("longest replay: %lld steps\n", static_cast<long long>(store.longestReplay()));

  std::mt19937_64 random(42);
  std::uniform_int_distribution<std::int64_t> anyStep(0, steps);
  std::vector<double> times;
  for (int i = 0; i < reaches; ++i) {
    const std::int64_t target = anyStep(random);
    const auto start = Clock::now();
    store.reach(*run, target);
    times.push_back(secondsSince(start) * 1000.0);
  }
  std::sort(times.begin(), times.end());
  double sum = 0.0;
  for (double t : times) sum += t;
  std::printf("reach a random step (%d draws): worst %.2f ms, median %.2f ms, mean %.2f ms\n",
              reaches, times.back(), times[times.size() / 2], sum / double(times.size()));
  return 0;
}
