// The loss landscape around a trained network, in three pictures:
//
// 1. Random-direction slice (Li et al. 2018, "Visualizing the loss landscape of neural nets"):
//      f(alpha, beta) = L(theta* + alpha d1 + beta d2),   alpha, beta in [-span, span]
//    with d1, d2 filter-normalised random directions (filter_directions.h), on a grid of
//    resolution x resolution points (31 x 31 by default) whose centre is theta* itself.
// 2. The trajectory on its principal plane (Li et al. 2018, section 7): the recorded weights
//    theta_i of the run (weight_history.h), the top two principal directions of
//    {theta_i - theta*}, the path projected on them, and f over the rectangle that frames it.
// 3. The straight line from the initial to the current weights (Goodfellow, Vinyals & Saxe
//    2015, "Qualitatively characterizing neural network optimization problems"):
//      g(alpha) = L((1 - alpha) theta_0 + alpha theta*),   alpha in [-0.25, 1.25]
//
// L is the training loss on a copy of the network (weight_space_loss.h); nothing here touches
// the run. The curvature of a slice is measured at its lowest grid point by second differences:
//   d2f/dalpha2 ~ (f(a + h, b) - 2 f(a, b) + f(a - h, b)) / h^2     (h: the grid step)
// in loss per squared unit of the filter-normalised direction, so that networks of different
// scale can be compared (a flat minimum has a small curvature).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include <Eigen/Core>

#include "core/data/load_progress.h"
#include "core/landscapes/surface_grid.h"
#include "core/loss_surface/weight_history.h"
#include "core/loss_surface/weight_space_loss.h"

namespace gradscope::core {

enum class LossSurfaceMode { RandomSlice, PcaTrajectory, Interpolation };

// "random_slice", "pca_trajectory", "interpolation".
std::string_view toString(LossSurfaceMode mode);
std::optional<LossSurfaceMode> lossSurfaceModeFromString(std::string_view name);

struct LossSurfaceSettings {
  LossSurfaceMode mode = LossSurfaceMode::RandomSlice;
  int resolution = 31;      // grid points per axis (odd, so that the centre is a grid point)
  double span = 1.0;        // random slice: alpha and beta in [-span, span]
  std::uint64_t seed = 1;   // of the random directions
  Index maxSamples = 2048;  // training samples L averages over (a fixed subset beyond)
  static constexpr int kMaxResolution = 201;
  static constexpr int kLinePointsPerUnit = 40;
  static constexpr double kLineBefore = 0.25;  // the line extends this far beyond both ends
};

// Throws Error naming the field ("loss_surface.resolution", ...).
void validate(const LossSurfaceSettings& settings);

struct SliceCurvature {
  double alpha = 0.0;  // d2f/dalpha2 at the lowest grid point
  double beta = 0.0;   // d2f/dbeta2
  Point2 at{0.0, 0.0};
  double mean() const { return 0.5 * (alpha + beta); }
};

// The principal plane of a trajectory, centred on the current weights.
struct TrajectoryPlane {
  Eigen::VectorXd direction1, direction2;     // orthonormal
  double explained1 = 0.0, explained2 = 0.0;  // shares of the trajectory's variance
  std::vector<Point2> path;                   // each recorded sample's coordinates
  std::vector<std::int64_t> steps;            // the step of each path point
};

struct LossSurface {
  LossSurfaceMode mode = LossSurfaceMode::RandomSlice;
  std::int64_t step = 0;     // the run's step when the weights were copied
  Index samples = 0;         // training samples L averaged over
  double currentLoss = 0.0;  // L at the current weights
  // Slice and trajectory modes: f on the grid (x: alpha, y: beta), its scale and contours.
  SurfaceMap map;
  SliceCurvature curvature;  // random slice only
  // Trajectory mode.
  std::vector<Point2> path;
  std::vector<std::int64_t> pathSteps;
  double explained1 = 0.0, explained2 = 0.0;
  // Interpolation mode: alpha (0: initial, 1: current) and L along the line.
  std::vector<double> lineAlpha, lineLoss;
  std::int64_t initialStep = 0;  // the step the line starts at (0 unless the net was rebuilt)
};

// The grid of f(alpha, beta) = L(centre + alpha d1 + beta d2) for alpha, beta on
// `resolution` evenly spaced values in [-span, span] (grid.at(c, r): alpha_c, beta_r). The
// progress function gets the fraction done after each point; false cancels (nullopt).
std::optional<SurfaceGrid> lossSlice(WeightSpaceLoss& loss, const Eigen::VectorXd& centre,
                                     const Eigen::VectorXd& d1, const Eigen::VectorXd& d2,
                                     const ViewRect& rect, int resolution,
                                     const LoadProgress& progress = {});
// The rectangle whose cell centres are `resolution` evenly spaced values from -span to span.
ViewRect sliceRect(double span, int resolution);
SliceCurvature sliceCurvature(const SurfaceGrid& grid);

// Throws Error unless the history holds at least three samples of the current weights' size.
TrajectoryPlane trajectoryPlane(const WeightHistory& history, const Eigen::VectorXd& current);

// g(alpha) at alpha = (i - before) / pointsPerUnit, so that 0 and 1 are exact grid values.
std::optional<std::pair<std::vector<double>, std::vector<double>>> lossAlongLine(
    WeightSpaceLoss& loss, const Eigen::VectorXd& from, const Eigen::VectorXd& to,
    const LoadProgress& progress = {});

// One picture of `settings.mode` around loss.weights(); nullopt when cancelled. Throws Error
// when the mode cannot be drawn yet (a trajectory needs recorded weights).
std::optional<LossSurface> computeLossSurface(WeightSpaceLoss& loss, const WeightHistory& history,
                                              const LossSurfaceSettings& settings,
                                              std::int64_t step, const LoadProgress& progress = {});

}  // namespace gradscope::core
