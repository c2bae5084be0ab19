// The elongated quadratic bowl of the lecture's AdaGrad picture, with adjustable conditioning
// and rotation:
//   f(p) = 1/2 (u^2 + kappa v^2),   (u, v) = R(-theta) p,
// i.e. f(p) = 1/2 p^T H p with H = R(theta) diag(1, kappa) R(theta)^T. The shallow axis makes
// angle theta with the x axis; kappa (the condition number of H) is the ratio of the steep to
// the shallow curvature. Minimum f = 0 at the origin.
//
// Gradient descent with rate lr multiplies the coordinate along each axis by (1 - lr lambda)
// per step (lambda = 1 or kappa), so it converges for lr < 2 / kappa and zig-zags across the
// steep axis for lr > 1 / kappa: the bowl shows why one learning rate cannot suit both axes.
#pragma once

#include <Eigen/Core>

#include "core/landscapes/landscape.h"

namespace gradscope::core {

class QuadraticBowl : public Landscape {
 public:
  // Throws Error unless kappa >= 1 and theta are finite.
  QuadraticBowl(double conditionNumber, double rotationDegrees);

  LandscapeKind kind() const override { return LandscapeKind::QuadraticBowl; }
  std::string name() const override;
  std::string formula() const override;
  double value(const Point2& p) const override;
  Point2 gradient(const Point2& p) const override;
  std::vector<CriticalPoint> criticalPoints() const override;
  ViewRect viewRect() const override;
  Point2 defaultStart() const override;
  bool logScale() const override { return true; }

  // H, for closed-form checks.
  const Eigen::Matrix2d& hessian() const { return m_hessian; }
  double conditionNumber() const { return m_kappa; }
  double rotationDegrees() const { return m_degrees; }

 private:
  double m_kappa;
  double m_degrees;
  Eigen::Matrix2d m_hessian;
};

}  // namespace gradscope::core
