// The fixed test surfaces of the Landscapes view, one small class each (the quadratic bowl,
// which has parameters, lives in quadratic_bowl.h). References: Rosenbrock (1960), Beale
// (1958) as in the optimisation test-function collections (Surjanovic & Bingham, the Virtual
// Library of Simulation Experiments); the saddle and the Gaussian wells are made for the
// lecture's pictures of saddle points and local minima.
#pragma once

#include <vector>

#include "core/landscapes/landscape.h"

namespace gradscope::core {

// f(x, y) = (1 - x)^2 + 100 (y - x^2)^2. A narrow curved valley along y = x^2: the gradient
// points across the valley, not along it, so plain gradient descent creeps towards the
// minimum f = 0 at (1, 1) while momentum follows the valley.
class RosenbrockLandscape : public Landscape {
 public:
  LandscapeKind kind() const override { return LandscapeKind::Rosenbrock; }
  std::string name() const override { return "Rosenbrock"; }
  std::string formula() const override;
  double value(const Point2& p) const override;
  Point2 gradient(const Point2& p) const override;
  std::vector<CriticalPoint> criticalPoints() const override;
  ViewRect viewRect() const override { return {-2.0, 2.0, -1.0, 3.0}; }
  Point2 defaultStart() const override { return {-1.2, 1.0}; }  // the classic start
  bool logScale() const override { return true; }
};

// f(x, y) = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2. A flat plateau
// (f = 14.2 all along x = 0) and steep walls growing like y^6: gradients range over many
// decades, the case for per-parameter step sizes. Minimum f = 0 at (3, 0.5).
class BealeLandscape : public Landscape {
 public:
  LandscapeKind kind() const override { return LandscapeKind::Beale; }
  std::string name() const override { return "Beale"; }
  std::string formula() const override;
  double value(const Point2& p) const override;
  Point2 gradient(const Point2& p) const override;
  std::vector<CriticalPoint> criticalPoints() const override;
  ViewRect viewRect() const override { return {-4.5, 4.5, -4.5, 4.5}; }
  Point2 defaultStart() const override { return {1.0, 1.5}; }
  bool logScale() const override { return true; }
};

// f(x, y) = x^2 / 2 + y^4 / 4 - y^2 / 2. A saddle at the origin (f = 0: a minimum along x, a
// maximum along y) between two valleys with minima f = -1/4 at (0, +-1). Started near the
// line y = 0, gradient descent slides into the saddle, where the gradient vanishes, and
// lingers there; methods that rescale small gradients leave it quickly.
class SaddleLandscape : public Landscape {
 public:
  LandscapeKind kind() const override { return LandscapeKind::Saddle; }
  std::string name() const override { return "Saddle"; }
  std::string formula() const override;
  double value(const Point2& p) const override;
  Point2 gradient(const Point2& p) const override;
  std::vector<CriticalPoint> criticalPoints() const override;
  ViewRect viewRect() const override { return {-2.0, 2.0, -2.0, 2.0}; }
  Point2 defaultStart() const override { return {-1.8, 0.01}; }
  bool logScale() const override { return false; }
};

// f(p) = c |p|^2 - sum_i d_i exp(-|p - m_i|^2 / (2 s_i^2)): a wide deep well (global minimum)
// and a narrow shallow one (local minimum) on a gentle bowl. Started beyond the shallow well,
// gradient descent settles in it; enough momentum rolls through to the deeper well. The
// minima are found once by Newton's method from the well centres (the bowl shifts them a
// little off the centres).
class GaussianWellsLandscape : public Landscape {
 public:
  GaussianWellsLandscape();

  LandscapeKind kind() const override { return LandscapeKind::GaussianWells; }
  std::string name() const override { return "Gaussian wells"; }
  std::string formula() const override;
  double value(const Point2& p) const override;
  Point2 gradient(const Point2& p) const override;
  std::vector<CriticalPoint> criticalPoints() const override { return m_critical; }
  ViewRect viewRect() const override { return {-3.0, 3.0, -3.0, 3.0}; }
  Point2 defaultStart() const override { return {-2.6, -2.4}; }
  bool logScale() const override { return false; }

 private:
  struct Well {
    Point2 centre;
    double depth;
    double width;
  };
  Eigen::Matrix2d hessian(const Point2& p) const;

  static constexpr double kBowl = 0.04;
  std::vector<Well> m_wells;
  std::vector<CriticalPoint> m_critical;
};

}  // namespace gradscope::core
