#include "core/landscapes/trajectory.h"

#include <cmath>

#include "core/model/parameter_tensor.h"
#include "core/optimizers/optimizer.h"

namespace gradscope::core {

namespace {

constexpr int kMaxSteps = 100'000;

}  // namespace

void validate(const TrajectorySettings& settings) {
  validate(settings.optimizer);
  validate(settings.clip);
  validate(settings.schedule);
  if (settings.steps < 0 || settings.steps > kMaxSteps) {
    throw Error("trajectory.steps", "must lie in [0, 100000]");
  }
  if (!settings.start.allFinite()) throw Error("trajectory.start", "must be a finite point");
}

Trajectory runTrajectory(const Landscape& landscape, const TrajectorySettings& settings) {
  validate(settings);
  auto optimizer = makeOptimizer<double>(settings.optimizer);
  const auto schedule = makeSchedule(settings.schedule, settings.optimizer.learningRate);
  const GradientClipper<double> clipper(settings.clip);
  // The point is one weight tensor of two elements (clipnorm then equals global_clipnorm).
  const ParameterLayout layout{{"point", 0, TensorRole::Kernel, 0, 2, 2, 1}};

  Trajectory t;
  t.kind = settings.optimizer.kind;
  const auto capacity = std::size_t(settings.steps) + 1;
  t.points.reserve(capacity);
  t.losses.reserve(capacity);
  t.learningRates.reserve(capacity - 1);
  t.gradientNorms.reserve(capacity - 1);

  // Element by element: GCC 12 warns (wrongly) about AVX-512 loads when a fixed 2-vector is
  // assigned to a dynamic one.
  Vector<double> params(2);
  params << settings.start.x(), settings.start.y();
  Vector<double> grads(2);
  t.points.push_back(settings.start);
  t.losses.push_back(landscape.value(settings.start));
  if (!std::isfinite(t.losses.back())) {
    t.diverged = true;
    return t;
  }
  for (int step = 0; step < settings.steps; ++step) {
    const Point2 g = landscape.gradient(Point2(params[0], params[1]));
    grads << g.x(), g.y();
    if (!grads.allFinite()) {
      t.diverged = true;
      break;
    }
    const ClipResult clip = clipper.apply(grads, layout);
    const double rate = schedule->learningRate(step);
    if (const auto momentum = schedule->momentum(step)) {
      OptimizerSettings planned = optimizer->settings();
      applyPlannedMomentum(planned, *momentum);
      optimizer->setSettings(planned);
    }
    optimizer->update(params, grads, rate, &layout);

    const Point2 next(params[0], params[1]);
    const double loss = landscape.value(next);
    if (!next.allFinite() || !std::isfinite(loss) || next.norm() > kDivergenceRadius) {
      t.diverged = true;
      break;
    }
    t.points.push_back(next);
    t.losses.push_back(loss);
    t.learningRates.push_back(rate);
    t.gradientNorms.push_back(clip.normBefore);
    if (clip.clipped) ++t.clippedSteps;
  }
  return t;
}

}  // namespace gradscope::core
