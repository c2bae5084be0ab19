#include "core/landscapes/quadratic_bowl.h"

#include <cmath>
#include <numbers>
#include <sstream>

#include "core/model/types.h"

namespace gradscope::core {

QuadraticBowl::QuadraticBowl(double conditionNumber, double rotationDegrees)
    : m_kappa(conditionNumber), m_degrees(rotationDegrees) {
  validate(LandscapeSettings{LandscapeKind::QuadraticBowl, conditionNumber, rotationDegrees});
  const double theta = rotationDegrees * std::numbers::pi / 180.0;
  Eigen::Matrix2d rotation;
  rotation << std::cos(theta), -std::sin(theta), std::sin(theta), std::cos(theta);
  // H = R diag(1, kappa) R^T: curvature 1 along the rotated x axis, kappa across it.
  m_hessian = rotation * Eigen::Vector2d(1.0, m_kappa).asDiagonal() * rotation.transpose();
}

std::string QuadraticBowl::name() const {
  std::ostringstream out;
  out << "Quadratic bowl (\xCE\xBA = " << m_kappa;
  if (m_degrees != 0.0) out << ", " << m_degrees << "\xC2\xB0";
  out << ")";
  return out.str();
}

std::string QuadraticBowl::formula() const {
  return "f = \xC2\xBD (u\xC2\xB2 + \xCE\xBA v\xC2\xB2), (u, v) = the point rotated by "
         "\xE2\x88\x92\xCE\xB8";
}

double QuadraticBowl::value(const Point2& p) const { return 0.5 * p.dot(m_hessian * p); }

Point2 QuadraticBowl::gradient(const Point2& p) const { return m_hessian * p; }

std::vector<CriticalPoint> QuadraticBowl::criticalPoints() const {
  return {{Point2(0.0, 0.0), 0.0, CriticalKind::GlobalMinimum}};
}

ViewRect QuadraticBowl::viewRect() const { return {-3.0, 3.0, -3.0, 3.0}; }

Point2 QuadraticBowl::defaultStart() const {
  // Far out along the shallow axis and a little off it, so the steep axis is felt too.
  const double theta = m_degrees * std::numbers::pi / 180.0;
  const Point2 u(std::cos(theta), std::sin(theta));
  const Point2 v(-std::sin(theta), std::cos(theta));
  return -2.5 * u + 1.0 * v;
}

}  // namespace gradscope::core
