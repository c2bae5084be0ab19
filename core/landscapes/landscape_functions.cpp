#include "core/landscapes/landscape_functions.h"

#include <algorithm>
#include <cmath>

#include <Eigen/Cholesky>

namespace gradscope::core {

// --- Rosenbrock

std::string RosenbrockLandscape::formula() const {
  return "f = (1 \xE2\x88\x92 x)\xC2\xB2 + 100 (y \xE2\x88\x92 x\xC2\xB2)\xC2\xB2";
}

double RosenbrockLandscape::value(const Point2& p) const {
  const double x = p.x(), y = p.y();
  const double valley = y - x * x;
  return (1.0 - x) * (1.0 - x) + 100.0 * valley * valley;
}

Point2 RosenbrockLandscape::gradient(const Point2& p) const {
  const double x = p.x(), y = p.y();
  const double valley = y - x * x;
  return {-2.0 * (1.0 - x) - 400.0 * x * valley, 200.0 * valley};
}

std::vector<CriticalPoint> RosenbrockLandscape::criticalPoints() const {
  return {{Point2(1.0, 1.0), 0.0, CriticalKind::GlobalMinimum}};
}

// --- Beale

std::string BealeLandscape::formula() const {
  return "f = (1.5 \xE2\x88\x92 x + xy)\xC2\xB2 + (2.25 \xE2\x88\x92 x + xy\xC2\xB2)\xC2\xB2 + "
         "(2.625 \xE2\x88\x92 x + xy\xC2\xB3)\xC2\xB2";
}

double BealeLandscape::value(const Point2& p) const {
  const double x = p.x(), y = p.y();
  const double t1 = 1.5 - x + x * y;
  const double t2 = 2.25 - x + x * y * y;
  const double t3 = 2.625 - x + x * y * y * y;
  return t1 * t1 + t2 * t2 + t3 * t3;
}

Point2 BealeLandscape::gradient(const Point2& p) const {
  const double x = p.x(), y = p.y();
  const double t1 = 1.5 - x + x * y;
  const double t2 = 2.25 - x + x * y * y;
  const double t3 = 2.625 - x + x * y * y * y;
  const double dx = 2.0 * (t1 * (y - 1.0) + t2 * (y * y - 1.0) + t3 * (y * y * y - 1.0));
  const double dy = 2.0 * x * (t1 + t2 * 2.0 * y + t3 * 3.0 * y * y);
  return {dx, dy};
}

std::vector<CriticalPoint> BealeLandscape::criticalPoints() const {
  return {{Point2(3.0, 0.5), 0.0, CriticalKind::GlobalMinimum}};
}

// --- Saddle

std::string SaddleLandscape::formula() const {
  return "f = x\xC2\xB2/2 + y\xE2\x81\xB4/4 \xE2\x88\x92 y\xC2\xB2/2";
}

double SaddleLandscape::value(const Point2& p) const {
  const double x = p.x(), y2 = p.y() * p.y();
  return 0.5 * x * x + 0.25 * y2 * y2 - 0.5 * y2;
}

Point2 SaddleLandscape::gradient(const Point2& p) const {
  const double y = p.y();
  return {p.x(), y * y * y - y};
}

std::vector<CriticalPoint> SaddleLandscape::criticalPoints() const {
  return {{Point2(0.0, 1.0), -0.25, CriticalKind::GlobalMinimum},
          {Point2(0.0, -1.0), -0.25, CriticalKind::GlobalMinimum},
          {Point2(0.0, 0.0), 0.0, CriticalKind::Saddle}};
}

// --- Gaussian wells

GaussianWellsLandscape::GaussianWellsLandscape()
    : m_wells{{Point2(1.2, 0.9), 1.0, 0.8}, {Point2(-1.1, -1.0), 0.6, 0.45}} {
  for (const Well& well : m_wells) {
    // Newton's method from the well's centre: the bowl moves the minimum by a few hundredths.
    Point2 p = well.centre;
    for (int i = 0; i < 50; ++i) {
      const Point2 step = hessian(p).ldlt().solve(gradient(p));
      p -= step;
      if (step.norm() < 1e-15) break;
    }
    m_critical.push_back({p, value(p), CriticalKind::LocalMinimum});
  }
  std::sort(m_critical.begin(), m_critical.end(),
            [](const CriticalPoint& a, const CriticalPoint& b) { return a.value < b.value; });
  m_critical.front().kind = CriticalKind::GlobalMinimum;
}

std::string GaussianWellsLandscape::formula() const {
  return "f = 0.04 |p|\xC2\xB2 \xE2\x88\x92 exp(\xE2\x88\x92|p \xE2\x88\x92 (1.2, 0.9)|\xC2\xB2 / "
         "1.28) \xE2\x88\x92 0.6 exp(\xE2\x88\x92|p + (1.1, 1)|\xC2\xB2 / 0.405)";
}

double GaussianWellsLandscape::value(const Point2& p) const {
  double f = kBowl * p.squaredNorm();
  for (const Well& w : m_wells) {
    f -= w.depth * std::exp(-(p - w.centre).squaredNorm() / (2.0 * w.width * w.width));
  }
  return f;
}

Point2 GaussianWellsLandscape::gradient(const Point2& p) const {
  Point2 g = 2.0 * kBowl * p;
  for (const Well& w : m_wells) {
    const double s2 = w.width * w.width;
    const Point2 d = p - w.centre;
    g += w.depth * std::exp(-d.squaredNorm() / (2.0 * s2)) / s2 * d;
  }
  return g;
}

Eigen::Matrix2d GaussianWellsLandscape::hessian(const Point2& p) const {
  Eigen::Matrix2d h = 2.0 * kBowl * Eigen::Matrix2d::Identity();
  for (const Well& w : m_wells) {
    const double s2 = w.width * w.width;
    const Point2 d = p - w.centre;
    const double e = w.depth * std::exp(-d.squaredNorm() / (2.0 * s2));
    h += e * (Eigen::Matrix2d::Identity() / s2 - d * d.transpose() / (s2 * s2));
  }
  return h;
}

}  // namespace gradscope::core
