// Several optimisers racing from one start point on one landscape: the settings of the
// Landscapes view as one value, and the trajectories they produce.
//
// Each optimiser has its own learning rate (SGD's step is lr |g| while Adam's is about lr, so
// no single rate suits both); momentum, rho, the betas and epsilon are shared, each read by
// the optimisers that have it. The momentum setting drives SGD with momentum and Nesterov;
// plain SGD and RMSprop run without momentum, as in the lecture's comparison. The schedule
// is a shape: each optimiser's own rate is its initial (or, for 1cycle, peak) rate.
#pragma once

#include <array>
#include <vector>

#include "core/landscapes/landscape.h"
#include "core/landscapes/trajectory.h"

namespace gradscope::core {

inline constexpr int kOptimizerKindCount = 8;

// Index of `kind` in OptimizerKind order (Sgd = 0 ... Nadam = 7).
int optimizerIndex(OptimizerKind kind);
// All eight kinds in the lecture's order: SGD, momentum, Nesterov, AdaGrad, RMSprop, Adam,
// AdaMax, Nadam.
std::vector<OptimizerKind> allOptimizerKinds();

struct RaceSettings {
  LandscapeSettings landscape;
  Point2 start{-2.5, 1.0};
  std::vector<OptimizerKind> optimizers = allOptimizerKinds();  // the racers, in order
  // The quadratic bowl's suggestion (suggestedLearningRates).
  std::array<double, kOptimizerKindCount> learningRates{0.05, 0.05, 0.05, 0.05,
                                                        0.05, 0.05, 0.05, 0.05};
  double momentum = 0.9;  // SGD with momentum, Nesterov
  double rho = 0.9;       // RMSprop
  double beta1 = 0.9;     // Adam, AdaMax, Nadam
  double beta2 = 0.999;   // Adam, AdaMax, Nadam
  double epsilon = 1e-7;  // AdaGrad, RMSprop, Adam, AdaMax, Nadam
  ClipSettings clip;
  ScheduleSettings schedule;
  int steps = 500;

  double learningRate(OptimizerKind kind) const {
    return learningRates[std::size_t(optimizerIndex(kind))];
  }
  void setLearningRate(OptimizerKind kind, double rate) {
    learningRates[std::size_t(optimizerIndex(kind))] = rate;
  }
  bool operator==(const RaceSettings&) const = default;
};

// Learning rates that make each optimiser move visibly without diverging from the landscape's
// default start within the default step count: the lecture's pictures out of the box.
std::array<double, kOptimizerKindCount> suggestedLearningRates(LandscapeKind kind);

// The optimiser settings of one racer (Keras defaults for everything the race does not set).
OptimizerSettings optimizerSettingsFor(const RaceSettings& race, OptimizerKind kind);
// The race's schedule shape started at (or peaking at) `learningRate`.
ScheduleSettings scheduleFor(const ScheduleSettings& shape, double learningRate);
TrajectorySettings trajectorySettingsFor(const RaceSettings& race, OptimizerKind kind);

// Throws Error naming the first invalid field ("landscape.condition_number",
// "race.learning_rate.adam", "optimizer.beta_2", "race.optimizers", ...).
void validate(const RaceSettings& race);

// One trajectory per racer, in race.optimizers order. Throws Error on invalid settings.
std::vector<Trajectory> runRace(const Landscape& landscape, const RaceSettings& race);

}  // namespace gradscope::core
