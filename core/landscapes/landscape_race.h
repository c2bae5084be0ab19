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
#include "core/optimizers/optimizer_registry.h"

namespace gradscope::core {

// The racers the Landscapes window opens with: the optimisers of the lecture's comparison
// (those with a lecture rating), in registry order. The others (AdamW, whose path on a 2-D
// surface lies on Adam's, and Lion) are there to tick.
std::vector<OptimizerKind> defaultRacers();

// Learning rates that make each optimiser move visibly without diverging from the landscape's
// default start within the default step count: the lecture's pictures out of the box. An
// optimiser the tables do not list borrows the rates of its descriptor's landscapeRatesOf.
std::array<double, kOptimizerKindCount> suggestedLearningRates(LandscapeKind kind);

struct RaceSettings {
  LandscapeSettings landscape;
  Point2 start{-2.5, 1.0};
  std::vector<OptimizerKind> optimizers = defaultRacers();  // the racers, in order
  // One rate per registered optimiser, in registry order: the quadratic bowl's suggestion
  // (suggestedLearningRates).
  std::array<double, kOptimizerKindCount> learningRates =
      suggestedLearningRates(LandscapeKind::QuadraticBowl);
  double momentum = 0.9;  // the optimisers whose descriptor races with momentum
  double rho = 0.9;       // RMSprop
  double beta1 = 0.9;     // the Adam family and Lion
  double beta2 = 0.999;   // the Adam family (Lion keeps its own 0.99)
  double epsilon = 1e-7;  // the adaptive optimisers
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
