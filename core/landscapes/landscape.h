// Two-dimensional loss surfaces on which the optimisers can be watched directly: the lecture's
// pictures of a ball rolling downhill made literal. A network's loss lives in thousands of
// dimensions; these functions of two parameters show the same behaviours (an elongated bowl,
// a curved valley, a saddle, a local minimum) where every step can be drawn.
//
// Every surface gives its value, its exact gradient, its known stationary points (global and
// local minima, saddles) and a rectangle that frames them. The optimisers see the point as a
// flat parameter vector of two elements, exactly as they see a network's weights.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <Eigen/Core>

namespace gradscope::core {

using Point2 = Eigen::Vector2d;

enum class LandscapeKind {
  QuadraticBowl,  // 1/2 (u^2 + kappa v^2) on axes rotated by theta
  Rosenbrock,     // the curved banana valley, minimum (1, 1)
  Beale,          // flat plateaus and steep walls, minimum (3, 0.5)
  Saddle,         // a saddle at the origin between two valleys
  GaussianWells,  // a shallow local well beside a deeper global one
};

// "quadratic_bowl", "rosenbrock", "beale", "saddle", "gaussian_wells".
std::string_view toString(LandscapeKind kind);
std::optional<LandscapeKind> landscapeKindFromString(std::string_view name);
// Every kind, in menu order.
std::vector<LandscapeKind> allLandscapeKinds();

struct LandscapeSettings {
  LandscapeKind kind = LandscapeKind::QuadraticBowl;
  // QuadraticBowl only: ratio of the steep to the shallow curvature (>= 1) and the angle of
  // the shallow axis to the x axis, in degrees.
  double conditionNumber = 10.0;
  double rotationDegrees = 0.0;
  bool operator==(const LandscapeSettings&) const = default;
};

// Throws Error naming the field ("landscape.condition_number", ...).
void validate(const LandscapeSettings& settings);

enum class CriticalKind { GlobalMinimum, LocalMinimum, Saddle };

struct CriticalPoint {
  Point2 position;
  double value = 0.0;
  CriticalKind kind = CriticalKind::GlobalMinimum;
};

// An axis-aligned rectangle in parameter space.
struct ViewRect {
  double xMin = -1.0, xMax = 1.0, yMin = -1.0, yMax = 1.0;
  double width() const { return xMax - xMin; }
  double height() const { return yMax - yMin; }
  bool contains(const Point2& p) const {
    return p.x() >= xMin && p.x() <= xMax && p.y() >= yMin && p.y() <= yMax;
  }
  bool operator==(const ViewRect&) const = default;
};

class Landscape {
 public:
  virtual ~Landscape() = default;

  virtual LandscapeKind kind() const = 0;
  // "Rosenbrock", "Quadratic bowl (kappa = 10, 30 deg)", ...
  virtual std::string name() const = 0;
  // The formula in plain text, for tooltips and the documentation.
  virtual std::string formula() const = 0;

  virtual double value(const Point2& p) const = 0;
  virtual Point2 gradient(const Point2& p) const = 0;

  // Every minimum (the global one first) and saddle worth marking.
  virtual std::vector<CriticalPoint> criticalPoints() const = 0;
  // The value of the global minimum: the loss chart shows f - minimumValue() on a log axis.
  double minimumValue() const;
  // A square rectangle that frames the interesting part of the surface.
  virtual ViewRect viewRect() const = 0;
  // A start point that shows the surface's lesson (the lecture's pictures).
  virtual Point2 defaultStart() const = 0;
  // Whether f - f* spans so many decades that colours and contours need a log scale.
  virtual bool logScale() const = 0;
};

// Throws Error when the settings are invalid.
std::unique_ptr<Landscape> makeLandscape(const LandscapeSettings& settings);

}  // namespace gradscope::core
