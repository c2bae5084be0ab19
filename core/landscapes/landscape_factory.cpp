// makeLandscape(), validate(LandscapeSettings) and the landscape names: the one place that
// maps a LandscapeKind to its surface.
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <utility>

#include "core/landscapes/landscape.h"
#include "core/landscapes/landscape_functions.h"
#include "core/landscapes/quadratic_bowl.h"
#include "core/model/types.h"

namespace gradscope::core {

namespace {

constexpr std::array<std::pair<LandscapeKind, std::string_view>, 5> kLandscapeNames{{
    {LandscapeKind::QuadraticBowl, "quadratic_bowl"},
    {LandscapeKind::Rosenbrock, "rosenbrock"},
    {LandscapeKind::Beale, "beale"},
    {LandscapeKind::Saddle, "saddle"},
    {LandscapeKind::GaussianWells, "gaussian_wells"},
}};

// Beyond this the bowl is a line to the eye and gradient descent needs absurd step counts.
constexpr double kMaxConditionNumber = 1e4;

}  // namespace

std::string_view toString(LandscapeKind kind) {
  for (const auto& [k, name] : kLandscapeNames) {
    if (k == kind) return name;
  }
  return "unknown";
}

std::optional<LandscapeKind> landscapeKindFromString(std::string_view name) {
  for (const auto& [k, n] : kLandscapeNames) {
    if (n == name) return k;
  }
  return std::nullopt;
}

std::vector<LandscapeKind> allLandscapeKinds() {
  std::vector<LandscapeKind> kinds;
  for (const auto& entry : kLandscapeNames) kinds.push_back(entry.first);
  return kinds;
}

void validate(const LandscapeSettings& s) {
  if (!std::isfinite(s.conditionNumber) || s.conditionNumber < 1.0 ||
      s.conditionNumber > kMaxConditionNumber) {
    throw Error("landscape.condition_number", "must lie in [1, 10000]");
  }
  if (!std::isfinite(s.rotationDegrees) || std::abs(s.rotationDegrees) > 360.0) {
    throw Error("landscape.rotation_degrees", "must lie in [-360, 360]");
  }
}

double Landscape::minimumValue() const {
  double best = std::numeric_limits<double>::infinity();
  for (const CriticalPoint& c : criticalPoints()) {
    if (c.kind == CriticalKind::GlobalMinimum) best = std::min(best, c.value);
  }
  return best;
}

std::unique_ptr<Landscape> makeLandscape(const LandscapeSettings& settings) {
  validate(settings);
  switch (settings.kind) {
    case LandscapeKind::QuadraticBowl:
      return std::make_unique<QuadraticBowl>(settings.conditionNumber, settings.rotationDegrees);
    case LandscapeKind::Rosenbrock:
      return std::make_unique<RosenbrockLandscape>();
    case LandscapeKind::Beale:
      return std::make_unique<BealeLandscape>();
    case LandscapeKind::Saddle:
      return std::make_unique<SaddleLandscape>();
    case LandscapeKind::GaussianWells:
      return std::make_unique<GaussianWellsLandscape>();
  }
  throw Error("landscape.kind", "unknown landscape");
}

}  // namespace gradscope::core
