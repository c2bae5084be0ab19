#include "core/loss_surface/loss_surface.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/loss_surface/filter_directions.h"
#include "core/model/random.h"
#include "core/probes/principal_components.h"

namespace gradscope::core {

namespace {

// The trajectory's rectangle extends this share of its extent beyond the path on every side.
constexpr double kPathMargin = 0.25;
// The contours go down to this share of the largest gap above the minimum (three decades):
// finer ones only ring the lowest grid point.
constexpr double kLowestGap = 1e-3;

bool report(const LoadProgress& progress, double fraction) {
  return !progress || progress(fraction);
}

}  // namespace

std::string_view toString(LossSurfaceMode mode) {
  switch (mode) {
    case LossSurfaceMode::RandomSlice:
      return "random_slice";
    case LossSurfaceMode::PcaTrajectory:
      return "pca_trajectory";
    case LossSurfaceMode::Interpolation:
      return "interpolation";
  }
  return "unknown";
}

std::optional<LossSurfaceMode> lossSurfaceModeFromString(std::string_view name) {
  for (LossSurfaceMode mode : {LossSurfaceMode::RandomSlice, LossSurfaceMode::PcaTrajectory,
                               LossSurfaceMode::Interpolation}) {
    if (toString(mode) == name) return mode;
  }
  return std::nullopt;
}

void validate(const LossSurfaceSettings& settings) {
  if (settings.resolution < 3 || settings.resolution > LossSurfaceSettings::kMaxResolution ||
      settings.resolution % 2 == 0) {
    throw Error("loss_surface.resolution", "must be an odd number in [3, 201]");
  }
  if (!(settings.span > 0.0) || !std::isfinite(settings.span)) {
    throw Error("loss_surface.span", "must be a positive number");
  }
  if (settings.maxSamples < 1) throw Error("loss_surface.samples", "must be at least 1");
}

ViewRect sliceRect(double span, int resolution) {
  const double half = span / double(resolution - 1);  // half a grid step
  return {-span - half, span + half, -span - half, span + half};
}

std::optional<SurfaceGrid> lossSlice(WeightSpaceLoss& loss, const Eigen::VectorXd& centre,
                                     const Eigen::VectorXd& d1, const Eigen::VectorXd& d2,
                                     const ViewRect& rect, int resolution,
                                     const LoadProgress& progress) {
  SurfaceGrid grid;
  grid.rect = rect;
  grid.columns = resolution;
  grid.rows = resolution;
  grid.values.assign(std::size_t(resolution) * std::size_t(resolution), 0.0);
  const double n = double(grid.values.size());
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  Eigen::VectorXd theta(centre.size());
  for (int r = 0; r < resolution; ++r) {
    for (int c = 0; c < resolution; ++c) {
      // Cell centres of the rectangle; a coordinate within rounding of 0 is 0, so that the
      // middle of a slice rectangle is the centre itself, bit for bit.
      const Point2 p = grid.cellCentre(c, r);
      const double a = std::abs(p.x()) < 1e-12 * grid.rect.width() ? 0.0 : p.x();
      const double b = std::abs(p.y()) < 1e-12 * grid.rect.height() ? 0.0 : p.y();
      theta = a == 0.0 && b == 0.0 ? centre : Eigen::VectorXd(centre + a * d1 + b * d2);
      const double v = loss.lossAt(theta);
      grid.values[std::size_t(r) * std::size_t(resolution) + std::size_t(c)] = v;
      if (std::isfinite(v)) {
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
      if (!report(progress, double(r * resolution + c + 1) / n)) return std::nullopt;
    }
  }
  grid.minValue = std::isfinite(lo) ? lo : 0.0;
  grid.maxValue = std::isfinite(hi) ? hi : 0.0;
  return grid;
}

SliceCurvature sliceCurvature(const SurfaceGrid& grid) {
  SliceCurvature result;
  if (grid.columns < 3 || grid.rows < 3) return result;
  int bestC = grid.columns / 2, bestR = grid.rows / 2;
  double best = std::numeric_limits<double>::infinity();
  for (int r = 1; r + 1 < grid.rows; ++r) {
    for (int c = 1; c + 1 < grid.columns; ++c) {
      if (grid.at(c, r) < best) {
        best = grid.at(c, r);
        bestC = c;
        bestR = r;
      }
    }
  }
  const double hx = grid.rect.width() / grid.columns, hy = grid.rect.height() / grid.rows;
  const double f = grid.at(bestC, bestR);
  result.alpha = (grid.at(bestC + 1, bestR) - 2.0 * f + grid.at(bestC - 1, bestR)) / (hx * hx);
  result.beta = (grid.at(bestC, bestR + 1) - 2.0 * f + grid.at(bestC, bestR - 1)) / (hy * hy);
  result.at = grid.cellCentre(bestC, bestR);
  return result;
}

TrajectoryPlane trajectoryPlane(const WeightHistory& history, const Eigen::VectorXd& current) {
  if (history.size() < 3) {
    throw Error("loss_surface.trajectory",
                "needs at least 3 recorded weights (train a few steps first)");
  }
  const Index n = Index(history.size());
  Eigen::MatrixXd offsets(current.size(), n);
  for (Index i = 0; i < n; ++i) {
    const Eigen::VectorXf& sample = history.sample(std::size_t(i));
    if (sample.size() != current.size()) {
      throw Error("loss_surface.trajectory", "the recorded weights belong to another network");
    }
    offsets.col(i) = sample.cast<double>() - current;
  }
  const PrincipalComponents pca = principalComponents(offsets, 2);
  if (pca.directions.cols() < 2 || !(pca.variances(0) > 0.0)) {
    throw Error("loss_surface.trajectory", "the weights have not moved yet");
  }
  TrajectoryPlane plane;
  plane.direction1 = pca.directions.col(0);
  plane.direction2 = pca.directions.col(1);
  if (pca.totalVariance > 0.0) {
    plane.explained1 = pca.variances(0) / pca.totalVariance;
    plane.explained2 = pca.variances(1) / pca.totalVariance;
  }
  // Li et al. plot theta_i - theta* itself on the directions (not the centred points), so
  // that the current weights sit at the origin.
  const Eigen::MatrixXd coordinates = pca.directions.transpose() * offsets;
  for (Index i = 0; i < n; ++i) plane.path.emplace_back(coordinates(0, i), coordinates(1, i));
  plane.steps = history.steps();
  return plane;
}

std::optional<std::pair<std::vector<double>, std::vector<double>>> lossAlongLine(
    WeightSpaceLoss& loss, const Eigen::VectorXd& from, const Eigen::VectorXd& to,
    const LoadProgress& progress) {
  const int perUnit = LossSurfaceSettings::kLinePointsPerUnit;
  const int before = int(std::lround(LossSurfaceSettings::kLineBefore * perUnit));
  const int count = perUnit + 2 * before + 1;
  std::vector<double> alphas, losses;
  for (int i = 0; i < count; ++i) {
    const double alpha = double(i - before) / double(perUnit);
    // The ends themselves, not (1 - 1) from + 1 to, which may differ in the last bit.
    const Eigen::VectorXd theta = i == before ? from
                                  : i == before + perUnit
                                      ? to
                                      : Eigen::VectorXd((1.0 - alpha) * from + alpha * to);
    alphas.push_back(alpha);
    losses.push_back(loss.lossAt(theta));
    if (!report(progress, double(i + 1) / double(count))) return std::nullopt;
  }
  return std::pair{std::move(alphas), std::move(losses)};
}

std::optional<LossSurface> computeLossSurface(WeightSpaceLoss& loss, const WeightHistory& history,
                                              const LossSurfaceSettings& settings,
                                              std::int64_t step, const LoadProgress& progress) {
  validate(settings);
  const Eigen::VectorXd centre = loss.weights();
  LossSurface surface;
  surface.mode = settings.mode;
  surface.step = step;
  surface.samples = loss.sampleCount();
  switch (settings.mode) {
    case LossSurfaceMode::RandomSlice: {
      Rng rng(settings.seed);
      const Eigen::VectorXd d1 = filterNormalizedDirection(loss.layout(), centre, rng);
      const Eigen::VectorXd d2 = filterNormalizedDirection(loss.layout(), centre, rng);
      auto grid = lossSlice(loss, centre, d1, d2, sliceRect(settings.span, settings.resolution),
                            settings.resolution, progress);
      if (!grid) return std::nullopt;
      const int middle = settings.resolution / 2;
      surface.currentLoss = grid->at(middle, middle);
      surface.curvature = sliceCurvature(*grid);
      SurfaceScale scale = surfaceScale(*grid, true, grid->minValue);
      scale.denseLog = true;
      scale.lo = std::max(scale.lo, scale.hi * kLowestGap);
      surface.map = mapSurface(std::move(*grid), scale);
      break;
    }
    case LossSurfaceMode::PcaTrajectory: {
      const TrajectoryPlane plane = trajectoryPlane(history, centre);
      double xMin = 0.0, xMax = 0.0, yMin = 0.0, yMax = 0.0;
      for (const Point2& p : plane.path) {
        xMin = std::min(xMin, p.x());
        xMax = std::max(xMax, p.x());
        yMin = std::min(yMin, p.y());
        yMax = std::max(yMax, p.y());
      }
      // A square-ish frame: the second direction often spans far less than the first.
      const double extent = std::max({xMax - xMin, yMax - yMin, 1e-6});
      const double mx = kPathMargin * extent + 0.5 * (extent - (xMax - xMin));
      const double my = kPathMargin * extent + 0.5 * (extent - (yMax - yMin));
      const ViewRect rect{xMin - mx, xMax + mx, yMin - my, yMax + my};
      auto grid = lossSlice(loss, centre, plane.direction1, plane.direction2, rect,
                            settings.resolution, progress);
      if (!grid) return std::nullopt;
      surface.currentLoss = loss.lossAt(centre);
      SurfaceScale scale = surfaceScale(*grid, true, grid->minValue);
      scale.denseLog = true;
      scale.lo = std::max(scale.lo, scale.hi * kLowestGap);
      surface.map = mapSurface(std::move(*grid), scale);
      surface.path = plane.path;
      surface.pathSteps = plane.steps;
      surface.explained1 = plane.explained1;
      surface.explained2 = plane.explained2;
      break;
    }
    case LossSurfaceMode::Interpolation: {
      if (history.empty() || history.sample(0).size() != centre.size()) {
        throw Error("loss_surface.initial_weights", "not recorded for this network yet");
      }
      const Eigen::VectorXd initial = history.sample(0).cast<double>();
      auto line = lossAlongLine(loss, initial, centre, progress);
      if (!line) return std::nullopt;
      surface.lineAlpha = std::move(line->first);
      surface.lineLoss = std::move(line->second);
      const int at1 = int(std::lround((1.0 + LossSurfaceSettings::kLineBefore) *
                                      LossSurfaceSettings::kLinePointsPerUnit));
      surface.currentLoss = surface.lineLoss[std::size_t(at1)];
      surface.initialStep = history.steps().front();
      break;
    }
  }
  return surface;
}

}  // namespace gradscope::core
