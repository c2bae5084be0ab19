// Landscapes: the 2-D test surfaces (exact gradients against finite differences, their
// stationary points), the trajectory runner on them (each optimiser's first steps on the
// quadratic bowl against closed forms and hand-computed updates, clipping, schedules,
// divergence), the lecture's claims about the optimisers on the bowl with the numbers
// printed, and the sampled surface with its colour scale and contour lines.
#include <QtTest>

#include <cmath>
#include <vector>

#include <Eigen/Eigenvalues>

#include "core/landscapes/landscape.h"
#include "core/landscapes/landscape_functions.h"
#include "core/landscapes/landscape_race.h"
#include "core/landscapes/quadratic_bowl.h"
#include "core/landscapes/surface_grid.h"
#include "core/landscapes/trajectory.h"
#include "core/model/types.h"

using namespace gradscope::core;

Q_DECLARE_METATYPE(gradscope::core::LandscapeKind)
Q_DECLARE_METATYPE(gradscope::core::OptimizerKind)

namespace {

// Distance of the closest point of `t` to the origin (the bowl's minimum), and the first
// update after which the walk is within `radius` of it (-1 if never).
double closestApproach(const Trajectory& t) {
  double best = INFINITY;
  for (const Point2& p : t.points) best = std::min(best, p.norm());
  return best;
}

int firstWithin(const Trajectory& t, double radius) {
  for (std::size_t k = 0; k < t.points.size(); ++k) {
    if (t.points[k].norm() < radius) return int(k);
  }
  return -1;
}

// The bowl of the proofs: elongated (kappa = 10), axis-aligned as in the lecture's picture,
// started far out along the shallow axis and off the steep one.
const Point2 kBowlStart(-2.5, 1.0);

TrajectorySettings bowlRun(OptimizerKind kind, double rate, int steps) {
  TrajectorySettings s;
  s.optimizer = OptimizerSettings::defaultsFor(kind);
  s.optimizer.learningRate = rate;
  s.start = kBowlStart;
  s.steps = steps;
  return s;
}

// The Keras 3 update rules for one coordinate, written out from the formulas (not from the
// optimiser classes), with the gradient of the bowl recomputed at every step.
std::vector<Point2> handSteps(const OptimizerSettings& s, const Eigen::Matrix2d& h, Point2 p,
                              int steps) {
  const double lr = s.learningRate, eps = s.epsilon, b1 = s.beta1, b2 = s.beta2;
  double a[2] = {0, 0}, b[2] = {0, 0};  // first / second slots per coordinate
  if (s.kind == OptimizerKind::Adagrad) a[0] = a[1] = s.initialAccumulatorValue;
  double uProduct = 1.0;  // Nadam
  std::vector<Point2> points{p};
  for (int step = 1; step <= steps; ++step) {
    const Point2 g = h * p;
    const double t = step;
    const double mu = b1 * (1.0 - 0.5 * std::pow(0.96, t));
    const double muNext = b1 * (1.0 - 0.5 * std::pow(0.96, t + 1.0));
    uProduct *= mu;
    for (int i = 0; i < 2; ++i) {
      p[i] -= p[i] * s.weightDecay * lr;  // Keras's decoupled weight decay, before the update
      switch (s.kind) {
        case OptimizerKind::Sgd:
          p[i] -= lr * g[i];
          break;
        case OptimizerKind::Momentum:  // v = mu v - lr g; w += v
          a[i] = s.momentum * a[i] - lr * g[i];
          p[i] += a[i];
          break;
        case OptimizerKind::Nesterov:  // v = mu v - lr g; w += mu v - lr g
          a[i] = s.momentum * a[i] - lr * g[i];
          p[i] += s.momentum * a[i] - lr * g[i];
          break;
        case OptimizerKind::Adagrad:  // acc += g^2; w -= lr g / sqrt(acc + eps)
          a[i] += g[i] * g[i];
          p[i] -= lr * g[i] / std::sqrt(a[i] + eps);
          break;
        case OptimizerKind::RmsProp:  // v = rho v + (1 - rho) g^2; w -= lr g / sqrt(v + eps)
          a[i] = s.rho * a[i] + (1 - s.rho) * g[i] * g[i];
          p[i] -= lr * g[i] / std::sqrt(a[i] + eps);
          break;
        case OptimizerKind::Adam:
        case OptimizerKind::AdamW: {  // bias correction in the step, eps added to sqrt(v)
          a[i] = b1 * a[i] + (1 - b1) * g[i];
          b[i] = b2 * b[i] + (1 - b2) * g[i] * g[i];
          const double alpha = lr * std::sqrt(1 - std::pow(b2, t)) / (1 - std::pow(b1, t));
          p[i] -= alpha * a[i] / (std::sqrt(b[i]) + eps);
          break;
        }
        case OptimizerKind::Adamax:  // u = max(b2 u, |g|); w -= lr / (1 - b1^t) m / (u + eps)
          a[i] = b1 * a[i] + (1 - b1) * g[i];
          b[i] = std::max(b2 * b[i], std::abs(g[i]));
          p[i] -= lr / (1 - std::pow(b1, t)) * a[i] / (b[i] + eps);
          break;
        case OptimizerKind::Nadam: {  // Dozat's momentum cache, Keras 3 form
          a[i] = b1 * a[i] + (1 - b1) * g[i];
          b[i] = b2 * b[i] + (1 - b2) * g[i] * g[i];
          const double mHat =
              muNext * a[i] / (1 - uProduct * muNext) + (1 - mu) * g[i] / (1 - uProduct);
          const double vHat = b[i] / (1 - std::pow(b2, t));
          p[i] -= lr * mHat / (std::sqrt(vHat) + eps);
          break;
        }
        case OptimizerKind::Lion: {  // w -= lr sign(b1 m + (1 - b1) g); m = b2 m + (1 - b2) g
          const double c = b1 * a[i] + (1 - b1) * g[i];
          p[i] -= lr * double((c > 0) - (c < 0));
          a[i] = b2 * a[i] + (1 - b2) * g[i];
          break;
        }
      }
    }
    points.push_back(p);
  }
  return points;
}

// The first update in closed form: what each rule reduces to when every slot starts empty.
Point2 closedFormFirstStep(const OptimizerSettings& s, const Eigen::Matrix2d& h, const Point2& p0) {
  const Point2 g = h * p0;
  const double lr = s.learningRate, eps = s.epsilon;
  const Eigen::Array2d absG = g.array().abs();
  switch (s.kind) {
    case OptimizerKind::Sgd:
      return p0 - lr * g;
    case OptimizerKind::Momentum:  // v1 = -lr g
      return p0 - lr * g;
    case OptimizerKind::Nesterov:  // mu v1 - lr g = -(1 + mu) lr g
      return p0 - (1 + s.momentum) * lr * g;
    case OptimizerKind::Adagrad:
      return p0.array() -
             lr * g.array() / (s.initialAccumulatorValue + g.array().square() + eps).sqrt();
    case OptimizerKind::RmsProp:
      return p0.array() - lr * g.array() / ((1 - s.rho) * g.array().square() + eps).sqrt();
    case OptimizerKind::Adam:  // lr g / (|g| + eps / sqrt(1 - b2)): a step of about lr
      return p0.array() - lr * g.array() / (absG + eps / std::sqrt(1 - s.beta2));
    case OptimizerKind::AdamW:  // Adam's first step after the decay p0 (1 - wd lr)
      return (p0 - p0 * s.weightDecay * lr).array() -
             lr * g.array() / (absG + eps / std::sqrt(1 - s.beta2));
    case OptimizerKind::Lion:  // m0 = 0: the sign of the gradient, a step of exactly lr
      return p0.array() - lr * g.array().sign();
    case OptimizerKind::Adamax:  // lr g / (|g| + eps)
      return p0.array() - lr * g.array() / (absG + eps);
    case OptimizerKind::Nadam: {
      const double b1 = s.beta1;
      const double mu1 = b1 * (1 - 0.5 * 0.96), mu2 = b1 * (1 - 0.5 * 0.96 * 0.96);
      // m_hat = mu2 (1 - b1) g / (1 - mu1 mu2) + (1 - mu1) g / (1 - mu1) ; v_hat = g^2.
      const double c = mu2 * (1 - b1) / (1 - mu1 * mu2) + 1.0;
      return p0.array() - lr * c * g.array() / (absG + eps);
    }
  }
  return p0;
}

}  // namespace

class TestLandscapes : public QObject {
  Q_OBJECT

 private slots:
  void gradientsMatchFiniteDifferences_data();
  void gradientsMatchFiniteDifferences();
  void criticalPointsAreStationary_data();
  void criticalPointsAreStationary();
  void bowlConditioningAndRotation();
  void invalidSettingsNameTheField();

  void firstStepsOnTheBowl_data();
  void firstStepsOnTheBowl();
  void sgdFollowsTheClosedForm();
  void momentumOvershootsWhereSgdDoesNot();
  void adagradStallsWhereRmspropAndAdamArrive();

  void clippingBoundsTheStep();
  void scheduleDrivesTheRate();
  void divergenceStopsTheWalk();
  void raceRunsEveryRacerWithItsSettings();
  void suggestedRatesStayFinite_data();
  void suggestedRatesStayFinite();

  void gridSamplesTheSurface();
  void logScaleAndLevels();
  void contoursLieOnTheirLevel();
};

void TestLandscapes::gradientsMatchFiniteDifferences_data() {
  QTest::addColumn<LandscapeKind>("kind");
  for (LandscapeKind kind : allLandscapeKinds()) {
    QTest::newRow(std::string(toString(kind)).c_str()) << kind;
  }
}

void TestLandscapes::gradientsMatchFiniteDifferences() {
  QFETCH(LandscapeKind, kind);
  LandscapeSettings settings;
  settings.kind = kind;
  settings.rotationDegrees = 30.0;  // a rotated bowl has a full Hessian
  const auto landscape = makeLandscape(settings);
  const ViewRect r = landscape->viewRect();
  const double h = 1e-6;
  for (int i = 0; i < 7; ++i) {
    for (int j = 0; j < 7; ++j) {
      const Point2 p(r.xMin + (i + 0.37) * r.width() / 7.0, r.yMin + (j + 0.61) * r.height() / 7.0);
      const Point2 g = landscape->gradient(p);
      for (int d = 0; d < 2; ++d) {
        Point2 e(0, 0);
        e[d] = h;
        const double numeric = (landscape->value(p + e) - landscape->value(p - e)) / (2 * h);
        QVERIFY2(std::abs(numeric - g[d]) <= 1e-6 * std::max(1.0, std::abs(g[d])),
                 qPrintable(QStringLiteral("(%1, %2) d%3: analytic %4, numeric %5")
                                .arg(p.x())
                                .arg(p.y())
                                .arg(d)
                                .arg(g[d])
                                .arg(numeric)));
      }
    }
  }
}

void TestLandscapes::criticalPointsAreStationary_data() { gradientsMatchFiniteDifferences_data(); }

void TestLandscapes::criticalPointsAreStationary() {
  QFETCH(LandscapeKind, kind);
  const auto landscape = makeLandscape({kind, 10.0, 0.0});
  const auto points = landscape->criticalPoints();
  QVERIFY(!points.empty());
  QVERIFY(points.front().kind == CriticalKind::GlobalMinimum);
  for (const CriticalPoint& c : points) {
    QVERIFY(landscape->gradient(c.position).norm() < 1e-9);
    QCOMPARE(landscape->value(c.position), c.value);
    QVERIFY(landscape->viewRect().contains(c.position));
    if (c.kind == CriticalKind::Saddle) continue;
    // A minimum: every nearby point is higher.
    for (int a = 0; a < 8; ++a) {
      const double angle = a * M_PI / 4;
      const Point2 q = c.position + 1e-3 * Point2(std::cos(angle), std::sin(angle));
      QVERIFY(landscape->value(q) > c.value);
    }
    QVERIFY(c.value >= landscape->minimumValue());
  }
  QVERIFY(landscape->viewRect().contains(landscape->defaultStart()));
  qInfo("%s: %zu critical points, f* = %.6g", landscape->name().c_str(), points.size(),
        landscape->minimumValue());
}

void TestLandscapes::bowlConditioningAndRotation() {
  const QuadraticBowl bowl(25.0, 30.0);
  const Eigen::SelfAdjointEigenSolver<Eigen::Matrix2d> eigen(bowl.hessian());
  QVERIFY(std::abs(eigen.eigenvalues()[0] - 1.0) < 1e-12);
  QVERIFY(std::abs(eigen.eigenvalues()[1] - 25.0) < 1e-12);
  // The shallow axis points at 30 degrees.
  const Point2 shallow(std::cos(M_PI / 6), std::sin(M_PI / 6));
  QVERIFY(std::abs(bowl.value(2.0 * shallow) - 2.0) < 1e-12);  // 1/2 * 1 * 2^2
  const Point2 steep(-std::sin(M_PI / 6), std::cos(M_PI / 6));
  QVERIFY(std::abs(bowl.value(2.0 * steep) - 50.0) < 1e-12);  // 1/2 * 25 * 2^2
}

void TestLandscapes::invalidSettingsNameTheField() {
  auto fieldOf = [](auto&& action) -> std::string {
    try {
      action();
    } catch (const Error& e) {
      return e.field();
    }
    return "no error";
  };
  QCOMPARE(fieldOf([] {
             makeLandscape({LandscapeKind::QuadraticBowl, 0.5, 0.0});
           }),
           std::string("landscape.condition_number"));
  QCOMPARE(fieldOf([] {
             makeLandscape({LandscapeKind::QuadraticBowl, 10.0, NAN});
           }),
           std::string("landscape.rotation_degrees"));
  const auto bowl = makeLandscape({});
  TrajectorySettings t;
  t.steps = -1;
  QCOMPARE(fieldOf([&] { runTrajectory(*bowl, t); }), std::string("trajectory.steps"));
  t.steps = 10;
  t.start = Point2(NAN, 0.0);
  QCOMPARE(fieldOf([&] { runTrajectory(*bowl, t); }), std::string("trajectory.start"));
  RaceSettings race;
  race.setLearningRate(OptimizerKind::Adam, 0.0);
  QCOMPARE(fieldOf([&] { runRace(*bowl, race); }), std::string("race.learning_rate.adam"));
  race = RaceSettings();
  race.beta2 = 1.0;
  QCOMPARE(fieldOf([&] { runRace(*bowl, race); }), std::string("optimizer.beta_2"));
  race = RaceSettings();
  race.optimizers = {OptimizerKind::Sgd, OptimizerKind::Sgd};
  QCOMPARE(fieldOf([&] { runRace(*bowl, race); }), std::string("race.optimizers"));
  race = RaceSettings();
  race.clip = {ClipMode::Norm, -1.0};
  QCOMPARE(fieldOf([&] { runRace(*bowl, race); }).substr(0, 4), std::string("clip"));
}

void TestLandscapes::firstStepsOnTheBowl_data() {
  QTest::addColumn<OptimizerKind>("kind");
  for (OptimizerKind kind : allOptimizerKinds()) {
    QTest::newRow(std::string(toString(kind)).c_str()) << kind;
  }
}

void TestLandscapes::firstStepsOnTheBowl() {
  QFETCH(OptimizerKind, kind);
  // A rotated bowl, so both coordinates of the gradient mix both coordinates of the point.
  const QuadraticBowl bowl(10.0, 30.0);
  TrajectorySettings s = bowlRun(kind, 0.05, 3);
  s.start = Point2(-2.0, 1.5);
  const Trajectory t = runTrajectory(bowl, s);
  QCOMPARE(t.updates(), 3);
  QVERIFY(!t.diverged);

  const Point2 closed = closedFormFirstStep(s.optimizer, bowl.hessian(), s.start);
  const std::vector<Point2> hand = handSteps(s.optimizer, bowl.hessian(), s.start, 3);
  QVERIFY((t.points[0] - s.start).norm() == 0.0);
  QVERIFY2((t.points[1] - closed).norm() < 1e-13,
           qPrintable(QStringLiteral("step 1: (%1, %2), closed form (%3, %4)")
                          .arg(t.points[1].x(), 0, 'g', 17)
                          .arg(t.points[1].y(), 0, 'g', 17)
                          .arg(closed.x(), 0, 'g', 17)
                          .arg(closed.y(), 0, 'g', 17)));
  for (int k = 1; k <= 3; ++k) {
    QVERIFY2((t.points[std::size_t(k)] - hand[std::size_t(k)]).norm() < 1e-12,
             qPrintable(QStringLiteral("step %1 differs from the hand computation").arg(k)));
    QCOMPARE(t.losses[std::size_t(k)], bowl.value(t.points[std::size_t(k)]));
  }
  qInfo("%-9s p1 = (%.9f, %.9f)  p2 = (%.9f, %.9f)  p3 = (%.9f, %.9f)",
        std::string(toString(kind)).c_str(), t.points[1].x(), t.points[1].y(), t.points[2].x(),
        t.points[2].y(), t.points[3].x(), t.points[3].y());
}

void TestLandscapes::sgdFollowsTheClosedForm() {
  // Plain gradient descent on f = 1/2 p^T H p is linear: p_t = (I - lr H)^t p_0.
  const QuadraticBowl bowl(10.0, 30.0);
  const Trajectory t = runTrajectory(bowl, bowlRun(OptimizerKind::Sgd, 0.05, 200));
  const Eigen::Matrix2d m = Eigen::Matrix2d::Identity() - 0.05 * bowl.hessian();
  Eigen::Matrix2d power = Eigen::Matrix2d::Identity();
  double worst = 0.0;
  for (int k = 0; k <= 200; ++k) {
    worst = std::max(worst, (t.points[std::size_t(k)] - power * kBowlStart).norm());
    power = m * power;
  }
  qInfo("SGD on the bowl: 200 steps, largest deviation from (I - lr H)^t p0 = %.3g", worst);
  QVERIFY(worst < 1e-12);
}

void TestLandscapes::momentumOvershootsWhereSgdDoesNot() {
  // lr = 0.05 on the kappa = 10 bowl: plain SGD multiplies x by 1 - lr = 0.95 and y by
  // 1 - 10 lr = 0.5 per step, so neither coordinate can change sign. Momentum 0.9 keeps the
  // velocity after the ball reaches the bottom and rolls past it.
  const QuadraticBowl bowl(10.0, 0.0);
  const Trajectory sgd = runTrajectory(bowl, bowlRun(OptimizerKind::Sgd, 0.05, 300));
  TrajectorySettings heavy = bowlRun(OptimizerKind::Momentum, 0.05, 300);
  heavy.optimizer.momentum = 0.9;
  const Trajectory momentum = runTrajectory(bowl, heavy);

  // Overshoot: the furthest a coordinate gets past the minimum, on the far side from the
  // start, as a fraction of where it started.
  auto overshoot = [](const Trajectory& t, int axis) {
    double worst = 0.0;
    for (const Point2& p : t.points) {
      worst = std::max(worst, -p[axis] / kBowlStart[axis]);
    }
    return worst;
  };
  auto signChanges = [](const Trajectory& t, int axis) {
    int changes = 0;
    for (std::size_t k = 1; k < t.points.size(); ++k) {
      if (t.points[k][axis] * t.points[k - 1][axis] < 0.0) ++changes;
    }
    return changes;
  };
  qInfo("SGD:      overshoot x %.4f, y %.4f; sign changes x %d, y %d; end |p| = %.2e",
        overshoot(sgd, 0), overshoot(sgd, 1), signChanges(sgd, 0), signChanges(sgd, 1),
        sgd.points.back().norm());
  qInfo("Momentum: overshoot x %.4f, y %.4f; sign changes x %d, y %d; end |p| = %.2e",
        overshoot(momentum, 0), overshoot(momentum, 1), signChanges(momentum, 0),
        signChanges(momentum, 1), momentum.points.back().norm());
  QCOMPARE(overshoot(sgd, 0), 0.0);
  QCOMPARE(overshoot(sgd, 1), 0.0);
  QCOMPARE(signChanges(sgd, 0) + signChanges(sgd, 1), 0);
  // Momentum rolls well past the bottom of the shallow axis (more than a tenth of the way
  // back), and past it again and again.
  QVERIFY(overshoot(momentum, 0) > 0.1);
  QVERIFY(signChanges(momentum, 0) >= 3);
  // Both still converge: the overshoot is the dynamics, not divergence.
  QVERIFY(sgd.points.back().norm() < 1e-3);
  QVERIFY(momentum.points.back().norm() < 1e-3);
}

void TestLandscapes::adagradStallsWhereRmspropAndAdamArrive() {
  // The lecture's elongated bowl: one learning rate (0.05) and one step budget (500) for all
  // three. AdaGrad's accumulated squared gradients only grow, so its step shrinks before it
  // gets there; RMSprop and Adam forget old gradients.
  const QuadraticBowl bowl(10.0, 0.0);
  const double rate = 0.05;
  const int budget = 500;
  const Trajectory adagrad = runTrajectory(bowl, bowlRun(OptimizerKind::Adagrad, rate, budget));
  const Trajectory rmsprop = runTrajectory(bowl, bowlRun(OptimizerKind::RmsProp, rate, budget));
  const Trajectory adam = runTrajectory(bowl, bowlRun(OptimizerKind::Adam, rate, budget));
  auto lastStep = [](const Trajectory& t) {
    return (t.points.back() - t.points[t.points.size() - 2]).norm();
  };
  auto report = [&](const char* name, const Trajectory& t) {
    qInfo(
        "constant lr %.2g, %d steps, %-8s end |p - p*| = %.3e, closest %.3e, first within "
        "1e-3 at step %d, last step %.2e",
        rate, budget, name, t.points.back().norm(), closestApproach(t), firstWithin(t, 1e-3),
        lastStep(t));
  };
  report("AdaGrad", adagrad);
  report("RMSprop", rmsprop);
  report("Adam", adam);
  // AdaGrad never gets within half a unit; the others reach 1e-3 well inside the budget.
  QVERIFY(closestApproach(adagrad) > 0.5);
  QVERIFY(firstWithin(rmsprop, 1e-3) > 0 && firstWithin(rmsprop, 1e-3) < budget);
  QVERIFY(firstWithin(adam, 1e-3) > 0 && firstWithin(adam, 1e-3) < budget);
  QVERIFY(adam.points.back().norm() < 1e-3);
  // AdaGrad is still far away yet moving slower than at the start: it stalled, it did not
  // arrive.
  QVERIFY(lastStep(adagrad) < 0.2 * (adagrad.points[1] - adagrad.points[0]).norm());

  // RMSprop's step is about lr |g| / rms(g), so with a constant rate it keeps circling the
  // minimum at a distance of the order of lr. The same schedule code as the trainer's
  // (cosine decay over the budget) lets it settle; AdaGrad stalls even earlier.
  TrajectorySettings cosine = bowlRun(OptimizerKind::RmsProp, rate, budget);
  cosine.schedule.kind = ScheduleKind::CosineDecay;
  cosine.schedule.initialLearningRate = rate;
  cosine.schedule.decaySteps = budget;
  const Trajectory rmspropCosine = runTrajectory(bowl, cosine);
  cosine.optimizer = bowlRun(OptimizerKind::Adam, rate, budget).optimizer;
  const Trajectory adamCosine = runTrajectory(bowl, cosine);
  cosine.optimizer = bowlRun(OptimizerKind::Adagrad, rate, budget).optimizer;
  const Trajectory adagradCosine = runTrajectory(bowl, cosine);
  qInfo(
      "cosine decay from %.2g over %d steps: end |p - p*| AdaGrad %.3e, RMSprop %.3e, "
      "Adam %.3e",
      rate, budget, adagradCosine.points.back().norm(), rmspropCosine.points.back().norm(),
      adamCosine.points.back().norm());
  QVERIFY(rmsprop.points.back().norm() > 1e-3);  // circling, as explained above
  QVERIFY(rmspropCosine.points.back().norm() < 1e-3);
  QVERIFY(adamCosine.points.back().norm() < 1e-3);
  QVERIFY(adagradCosine.points.back().norm() > 0.5);
}

void TestLandscapes::clippingBoundsTheStep() {
  // Rosenbrock's gradient at the classic start is about 215; clipvalue 1 caps every
  // coordinate of the SGD step at lr.
  const RosenbrockLandscape rosenbrock;
  TrajectorySettings s;
  s.optimizer = OptimizerSettings::defaultsFor(OptimizerKind::Sgd);
  s.optimizer.learningRate = 0.01;
  s.start = rosenbrock.defaultStart();
  s.steps = 50;
  s.clip = {ClipMode::Value, 1.0};
  const Trajectory clipped = runTrajectory(rosenbrock, s);
  QVERIFY(clipped.clippedSteps > 0);
  QVERIFY(clipped.gradientNorms[0] > 100.0);  // recorded before clipping
  for (std::size_t k = 1; k < clipped.points.size(); ++k) {
    const Point2 step = clipped.points[k] - clipped.points[k - 1];
    QVERIFY(step.cwiseAbs().maxCoeff() <= 0.01 + 1e-15);
  }
  // Global norm clipping: the step is at most lr * c long.
  s.clip = {ClipMode::GlobalNorm, 2.0};
  const Trajectory normClipped = runTrajectory(rosenbrock, s);
  for (std::size_t k = 1; k < normClipped.points.size(); ++k) {
    QVERIFY((normClipped.points[k] - normClipped.points[k - 1]).norm() <= 0.02 + 1e-15);
  }
  // Without clipping the same rate leaves the view at once.
  s.clip = {};
  const Trajectory free = runTrajectory(rosenbrock, s);
  QVERIFY((free.points[1] - free.points[0]).norm() > 1.0);
}

void TestLandscapes::scheduleDrivesTheRate() {
  const QuadraticBowl bowl(10.0, 0.0);
  TrajectorySettings s = bowlRun(OptimizerKind::Sgd, 0.05, 100);
  s.schedule.kind = ScheduleKind::ExponentialDecay;
  s.schedule.initialLearningRate = 0.05;
  s.schedule.decaySteps = 10;
  s.schedule.decayRate = 0.5;
  const Trajectory t = runTrajectory(bowl, s);
  QCOMPARE(int(t.learningRates.size()), 100);
  for (int k = 0; k < 100; k += 7) {
    QVERIFY(std::abs(t.learningRates[std::size_t(k)] - 0.05 * std::pow(0.5, k / 10.0)) < 1e-15);
  }
  // Each coordinate shrinks by exactly (1 - rate_k lambda) at update k.
  const Point2 p0 = t.points[0], p1 = t.points[1];
  QVERIFY(std::abs(p1.x() - p0.x() * (1 - t.learningRates[0])) < 1e-15);
  QVERIFY(std::abs(t.points[51].y() - t.points[50].y() * (1 - 10 * t.learningRates[50])) < 1e-15);

  // 1cycle in a race spans the race unless told otherwise, and plans the momentum.
  RaceSettings race;
  race.optimizers = {OptimizerKind::Momentum};
  race.schedule.kind = ScheduleKind::OneCycle;
  race.schedule.totalSteps = 0;
  race.schedule.cycleMomentum = true;
  race.steps = 200;
  const TrajectorySettings planned = trajectorySettingsFor(race, OptimizerKind::Momentum);
  QCOMPARE(planned.schedule.totalSteps, std::int64_t(200));
  QCOMPARE(planned.schedule.maxRate, race.learningRate(OptimizerKind::Momentum));
  const Trajectory cycled = runRace(bowl, race).front();
  QCOMPARE(cycled.updates(), 200);
  const auto peak = std::max_element(cycled.learningRates.begin(), cycled.learningRates.end());
  QVERIFY(std::abs(*peak - race.learningRate(OptimizerKind::Momentum)) < 1e-12);
  QVERIFY(cycled.learningRates.front() < *peak / 5.0);
}

void TestLandscapes::divergenceStopsTheWalk() {
  const RosenbrockLandscape rosenbrock;
  TrajectorySettings s;
  s.optimizer = OptimizerSettings::defaultsFor(OptimizerKind::Sgd);
  s.optimizer.learningRate = 0.05;
  s.start = rosenbrock.defaultStart();
  s.steps = 1000;
  const Trajectory t = runTrajectory(rosenbrock, s);
  qInfo("SGD lr 0.05 on Rosenbrock: diverged after %d updates", t.updates());
  QVERIFY(t.diverged);
  QVERIFY(t.updates() < 1000);
  QCOMPARE(t.points.size(), t.losses.size());
  QCOMPARE(t.learningRates.size() + 1, t.points.size());
  for (std::size_t k = 0; k < t.points.size(); ++k) {
    QVERIFY(t.points[k].allFinite() && std::isfinite(t.losses[k]));
    QVERIFY(t.points[k].norm() <= kDivergenceRadius);
  }
}

void TestLandscapes::raceRunsEveryRacerWithItsSettings() {
  const auto bowl = makeLandscape({});
  RaceSettings race;
  race.steps = 40;
  race.momentum = 0.5;
  race.setLearningRate(OptimizerKind::Nadam, 0.02);
  const auto trajectories = runRace(*bowl, race);
  QCOMPARE(int(trajectories.size()), 8);  // the lecture's comparison
  for (std::size_t i = 0; i < trajectories.size(); ++i) {
    const OptimizerKind kind = race.optimizers[i];
    QVERIFY(trajectories[i].kind == kind);
    // Each racer is exactly its own trajectory run alone.
    const Trajectory alone = runTrajectory(*bowl, trajectorySettingsFor(race, kind));
    QCOMPARE(trajectories[i].points.size(), alone.points.size());
    QVERIFY((trajectories[i].points.back() - alone.points.back()).norm() == 0.0);
    QCOMPARE(trajectories[i].learningRates.front(), race.learningRate(kind));
  }
  QCOMPARE(optimizerSettingsFor(race, OptimizerKind::Momentum).momentum, 0.5);
  QCOMPARE(optimizerSettingsFor(race, OptimizerKind::Nesterov).momentum, 0.5);
  QCOMPARE(optimizerSettingsFor(race, OptimizerKind::Sgd).momentum, 0.0);
  QCOMPARE(optimizerSettingsFor(race, OptimizerKind::RmsProp).momentum, 0.0);
  QCOMPARE(optimizerSettingsFor(race, OptimizerKind::Nadam).learningRate, 0.02);

  race.optimizers = {OptimizerKind::Adam, OptimizerKind::Sgd};
  const auto two = runRace(*bowl, race);
  QCOMPARE(int(two.size()), 2);
  QVERIFY(two[0].kind == OptimizerKind::Adam && two[1].kind == OptimizerKind::Sgd);
}

void TestLandscapes::suggestedRatesStayFinite_data() { gradientsMatchFiniteDifferences_data(); }

void TestLandscapes::suggestedRatesStayFinite() {
  // The suggested rates are what the view starts with: no racer may diverge from the
  // landscape's default start, and the lesson of each surface must show.
  QFETCH(LandscapeKind, kind);
  const auto landscape = makeLandscape({kind, 10.0, 0.0});
  RaceSettings race;
  race.landscape.kind = kind;
  race.start = landscape->defaultStart();
  race.learningRates = suggestedLearningRates(kind);
  const auto trajectories = runRace(*landscape, race);
  QString line;
  for (const Trajectory& t : trajectories) {
    QVERIFY2(!t.diverged, toString(t.kind).data());
    QCOMPARE(t.updates(), race.steps);
    line += QStringLiteral(" %1 %2")
                .arg(QString::fromUtf8(toString(t.kind).data()))
                .arg(t.losses.back() - landscape->minimumValue(), 0, 'e', 1);
  }
  qInfo("%s, f - f* after %d steps:%s", landscape->name().c_str(), race.steps, qPrintable(line));
  auto gap = [&](OptimizerKind k) {
    return trajectories[std::size_t(optimizerIndex(k))].losses.back() - landscape->minimumValue();
  };
  switch (kind) {
    case LandscapeKind::GaussianWells:
      // SGD settles in the local well, momentum rolls through to the global one.
      QVERIFY(gap(OptimizerKind::Sgd) > 0.1);
      QVERIFY(gap(OptimizerKind::Momentum) < 1e-6);
      break;
    case LandscapeKind::Rosenbrock:
      // SGD creeps along the valley; momentum and Adam get much closer.
      QVERIFY(gap(OptimizerKind::Momentum) < 0.1 * gap(OptimizerKind::Sgd));
      QVERIFY(gap(OptimizerKind::Adam) < 0.1 * gap(OptimizerKind::Sgd));
      break;
    case LandscapeKind::Saddle:
      // Adam leaves the saddle far sooner than SGD at the same rate.
      QVERIFY(gap(OptimizerKind::Adam) < 1e-2 * gap(OptimizerKind::Sgd));
      break;
    default:
      break;
  }
}

void TestLandscapes::gridSamplesTheSurface() {
  const RosenbrockLandscape rosenbrock;
  const ViewRect rect = rosenbrock.viewRect();
  const SurfaceGrid grid = sampleSurface(rosenbrock, rect, 40, 30);
  QCOMPARE(int(grid.values.size()), 40 * 30);
  double lo = INFINITY, hi = -INFINITY;
  for (int r = 0; r < grid.rows; ++r) {
    for (int c = 0; c < grid.columns; ++c) {
      const Point2 centre = grid.cellCentre(c, r);
      QVERIFY(rect.contains(centre));
      QCOMPARE(grid.at(c, r), rosenbrock.value(centre));
      lo = std::min(lo, grid.at(c, r));
      hi = std::max(hi, grid.at(c, r));
    }
  }
  QCOMPARE(grid.minValue, lo);
  QCOMPARE(grid.maxValue, hi);
  // Row 0 is the bottom of the rectangle, column 0 its left edge.
  QVERIFY(grid.cellCentre(0, 0).y() < grid.cellCentre(0, 1).y());
  QVERIFY(std::abs(grid.cellCentre(0, 0).x() - (rect.xMin + rect.width() / 80.0)) < 1e-12);
  bool threw = false;
  try {
    sampleSurface(rosenbrock, rect, 1, 30);
  } catch (const Error& e) {
    threw = e.field() == "grid.columns";
  }
  QVERIFY(threw);
}

void TestLandscapes::logScaleAndLevels() {
  const RosenbrockLandscape rosenbrock;
  const SurfaceGrid grid = sampleSurface(rosenbrock, rosenbrock.viewRect(), 120, 120);
  const SurfaceScale scale = surfaceScale(rosenbrock, grid);
  QVERIFY(scale.log);
  QCOMPARE(scale.hi, grid.maxValue);  // f* = 0
  QVERIFY(scale.lo >= scale.hi * 1e-6 * (1 - 1e-12));
  QCOMPARE(scale.position(scale.hi), 1.0);
  QCOMPARE(scale.position(scale.lo), 0.0);
  // Equal ratios, equal colour steps.
  const double a = scale.position(1.0), b = scale.position(10.0), c = scale.position(100.0);
  QVERIFY(std::abs((b - a) - (c - b)) < 1e-12);
  const std::vector<double> levels = scale.levels();
  QVERIFY(levels.size() >= 8);
  for (std::size_t i = 0; i < levels.size(); ++i) {
    QVERIFY(levels[i] > scale.lo && levels[i] < scale.hi);
    const double mantissa = levels[i] / std::pow(10.0, std::floor(std::log10(levels[i])));
    QVERIFY(std::abs(mantissa - 1.0) < 1e-9 || std::abs(mantissa - 3.0) < 1e-9);
    if (i > 0) QVERIFY(levels[i] > levels[i - 1]);
  }
  // Linear scale: round, evenly spaced levels inside the sampled range.
  const GaussianWellsLandscape wells;
  const SurfaceGrid wellGrid = sampleSurface(wells, wells.viewRect(), 100, 100);
  const SurfaceScale linear = surfaceScale(wells, wellGrid);
  QVERIFY(!linear.log);
  const std::vector<double> steps = linear.levels(12);
  QVERIFY(steps.size() >= 6 && steps.size() <= 25);
  for (std::size_t i = 1; i < steps.size(); ++i) {
    QVERIFY(std::abs((steps[i] - steps[i - 1]) - (steps[1] - steps[0])) < 1e-12);
  }
  QCOMPARE(linear.position(wellGrid.minValue), 0.0);
  QCOMPARE(linear.position(wellGrid.maxValue), 1.0);
}

void TestLandscapes::contoursLieOnTheirLevel() {
  // A round bowl: the level set f = c is the circle of radius sqrt(2c).
  const QuadraticBowl round(1.0, 0.0);
  const SurfaceGrid grid = sampleSurface(round, round.viewRect(), 200, 200);
  for (double level : {0.1, 0.5, 2.0}) {
    const auto segments = contourSegments(grid, level);
    const double radius = std::sqrt(2.0 * level);
    QVERIFY(segments.size() > 20);
    double worst = 0.0, length = 0.0;
    for (const ContourSegment& s : segments) {
      worst = std::max({worst, std::abs(s.a.norm() - radius), std::abs(s.b.norm() - radius)});
      length += (s.b - s.a).norm();
    }
    qInfo("contour f = %.1f: %zu segments, length %.4f (circle %.4f), radius error %.1e", level,
          segments.size(), length, 2 * M_PI * radius, worst);
    QVERIFY(worst < 1e-3);  // linear interpolation on a 0.03 grid
    QVERIFY(std::abs(length - 2 * M_PI * radius) < 0.01 * 2 * M_PI * radius);
  }
  QVERIFY(contourSegments(grid, -1.0).empty());  // below the minimum: no line
}

QTEST_GUILESS_MAIN(TestLandscapes)
#include "tst_landscapes.moc"
