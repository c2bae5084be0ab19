// One optimiser's walk on a 2-D landscape, with the same parts as the network trainer: the
// point is a flat parameter vector of two elements, each step takes the exact gradient,
// clips it with GradientClipper, asks the Schedule for the rate (and a planned momentum),
// and lets the Optimizer update the point, in Trainer::step()'s order. Being deterministic
// and cheap (a few thousand steps take well under a millisecond), a trajectory is simply
// recomputed from the start whenever a setting changes.
#pragma once

#include <vector>

#include "core/landscapes/landscape.h"
#include "core/optimizers/gradient_clipper.h"
#include "core/optimizers/optimizer_settings.h"
#include "core/schedules/schedule.h"

namespace gradscope::core {

struct TrajectorySettings {
  OptimizerSettings optimizer;
  ClipSettings clip;
  // Constant (the default) uses optimizer.learningRate throughout.
  ScheduleSettings schedule;
  Point2 start{0.0, 0.0};
  int steps = 300;  // updates to take
};

// Throws Error naming the first invalid field ("trajectory.steps", "optimizer.rho", ...).
void validate(const TrajectorySettings& settings);

struct Trajectory {
  OptimizerKind kind = OptimizerKind::Sgd;
  // points[k] is the point after k updates (points[0] is the start); losses[k] = f(points[k]).
  std::vector<Point2> points;
  std::vector<double> losses;
  // Per update k (one fewer than points): the rate used and the gradient's norm before
  // clipping (at points[k]).
  std::vector<double> learningRates;
  std::vector<double> gradientNorms;
  int clippedSteps = 0;
  // The walk stopped early because the point or its gradient stopped being finite or left
  // the region |p| < kDivergenceRadius: the optimiser diverged.
  bool diverged = false;

  int updates() const { return int(points.size()) - 1; }
};

// Far outside every landscape's view: a point beyond it counts as diverged.
inline constexpr double kDivergenceRadius = 1e6;

// Runs settings.steps updates (fewer when the walk diverges). Throws Error on invalid
// settings.
Trajectory runTrajectory(const Landscape& landscape, const TrajectorySettings& settings);

}  // namespace gradscope::core
