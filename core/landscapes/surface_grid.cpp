#include "core/landscapes/surface_grid.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <utility>

#include "core/model/nice_numbers.h"
#include "core/model/types.h"

namespace gradscope::core {

namespace {

constexpr int kMaxGridSize = 4096;
// Log mode shows at most this many decades below the largest gap: finer detail near the
// minimum is below what the eye separates.
constexpr double kLogDecades = 6.0;

}  // namespace

Point2 SurfaceGrid::cellCentre(int column, int row) const {
  return {rect.xMin + (double(column) + 0.5) * rect.width() / double(columns),
          rect.yMin + (double(row) + 0.5) * rect.height() / double(rows)};
}

SurfaceGrid sampleSurface(const Landscape& landscape, const ViewRect& rect, int columns, int rows) {
  if (columns < 2 || columns > kMaxGridSize) throw Error("grid.columns", "must lie in [2, 4096]");
  if (rows < 2 || rows > kMaxGridSize) throw Error("grid.rows", "must lie in [2, 4096]");
  if (!(rect.width() > 0.0) || !(rect.height() > 0.0) || !std::isfinite(rect.width()) ||
      !std::isfinite(rect.height())) {
    throw Error("grid.rect", "must have a positive finite width and height");
  }
  SurfaceGrid grid;
  grid.rect = rect;
  grid.columns = columns;
  grid.rows = rows;
  grid.values.resize(std::size_t(columns) * std::size_t(rows));
  double lo = std::numeric_limits<double>::infinity();
  double hi = -lo;
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < columns; ++c) {
      const double v = landscape.value(grid.cellCentre(c, r));
      grid.values[std::size_t(r) * std::size_t(columns) + std::size_t(c)] = v;
      if (std::isfinite(v)) {
        lo = std::min(lo, v);
        hi = std::max(hi, v);
      }
    }
  }
  grid.minValue = std::isfinite(lo) ? lo : 0.0;
  grid.maxValue = std::isfinite(hi) ? hi : 0.0;
  return grid;
}

double SurfaceScale::position(double value) const {
  if (std::isnan(value)) return value;
  if (log) {
    const double gap = value - minimum;
    if (!(gap > lo)) return 0.0;
    return std::clamp(std::log10(gap / lo) / std::log10(hi / lo), 0.0, 1.0);
  }
  if (!(hi > lo)) return 0.0;
  return std::clamp((value - lo) / (hi - lo), 0.0, 1.0);
}

std::vector<double> SurfaceScale::levels(int linearCount) const {
  std::vector<double> levels;
  if (!(hi > lo)) return levels;
  if (log) {
    // 1 and 3 (or 1, 2 and 5) times each power of ten: about even steps on the log colour
    // scale, round labels.
    const std::vector<double> multiples =
        denseLog ? std::vector<double>{1.0, 2.0, 5.0} : std::vector<double>{1.0, 3.0};
    for (int k = int(std::floor(std::log10(lo))); k <= int(std::ceil(std::log10(hi))); ++k) {
      for (double m : multiples) {
        const double gap = m * std::pow(10.0, k);
        if (gap > lo && gap < hi) levels.push_back(minimum + gap);
      }
    }
    return levels;
  }
  const double step = niceStepAtLeast((hi - lo) / double(std::max(1, linearCount)));
  for (double v = std::ceil(lo / step) * step; v < hi; v += step) {
    if (v > lo) levels.push_back(std::abs(v) < 1e-9 * step ? 0.0 : v);
  }
  return levels;
}

SurfaceScale surfaceScale(const Landscape& landscape, const SurfaceGrid& grid) {
  return surfaceScale(grid, landscape.logScale(), landscape.minimumValue());
}

SurfaceScale surfaceScale(const SurfaceGrid& grid, bool log, double minimum) {
  SurfaceScale scale;
  scale.log = log;
  if (!scale.log) {
    scale.lo = grid.minValue;
    scale.hi = grid.maxValue > grid.minValue ? grid.maxValue : grid.minValue + 1.0;
    return scale;
  }
  scale.minimum = minimum;
  double smallest = std::numeric_limits<double>::infinity();
  for (double v : grid.values) {
    const double gap = v - scale.minimum;
    if (gap > 0.0 && std::isfinite(gap)) smallest = std::min(smallest, gap);
  }
  scale.hi = std::max(grid.maxValue - scale.minimum, std::numeric_limits<double>::min());
  const double floor = scale.hi * std::pow(10.0, -kLogDecades);
  scale.lo = std::isfinite(smallest) ? std::max(smallest, floor) : floor;
  if (!(scale.hi > scale.lo)) scale.hi = scale.lo * 10.0;
  return scale;
}

std::vector<ContourSegment> contourSegments(const SurfaceGrid& grid, double level) {
  std::vector<ContourSegment> segments;
  if (!std::isfinite(level)) return segments;
  // Edges of a cell with corners 0 (c, r), 1 (c+1, r), 2 (c+1, r+1), 3 (c, r+1):
  // edge 0 = 0-1, 1 = 1-2, 2 = 2-3, 3 = 3-0. Each case (bit i set: corner i above the level)
  // lists the edge pairs its segments join; -1 ends the list. Cases 5 and 10 (saddles) are
  // resolved below by the cell's mean value.
  static constexpr std::array<std::array<int, 4>, 16> kCases{{{-1, -1, -1, -1},
                                                              {3, 0, -1, -1},
                                                              {0, 1, -1, -1},
                                                              {3, 1, -1, -1},
                                                              {1, 2, -1, -1},
                                                              {-1, -1, -1, -1},
                                                              {0, 2, -1, -1},
                                                              {2, 3, -1, -1},
                                                              {2, 3, -1, -1},
                                                              {0, 2, -1, -1},
                                                              {-1, -1, -1, -1},
                                                              {1, 2, -1, -1},
                                                              {1, 3, -1, -1},
                                                              {0, 1, -1, -1},
                                                              {3, 0, -1, -1},
                                                              {-1, -1, -1, -1}}};
  for (int r = 0; r + 1 < grid.rows; ++r) {
    for (int c = 0; c + 1 < grid.columns; ++c) {
      const std::array<double, 4> v{grid.at(c, r), grid.at(c + 1, r), grid.at(c + 1, r + 1),
                                    grid.at(c, r + 1)};
      if (!std::isfinite(v[0]) || !std::isfinite(v[1]) || !std::isfinite(v[2]) ||
          !std::isfinite(v[3])) {
        continue;
      }
      int index = 0;
      for (int i = 0; i < 4; ++i) {
        if (v[std::size_t(i)] > level) index |= 1 << i;
      }
      if (index == 0 || index == 15) continue;
      const std::array<Point2, 4> p{grid.cellCentre(c, r), grid.cellCentre(c + 1, r),
                                    grid.cellCentre(c + 1, r + 1), grid.cellCentre(c, r + 1)};
      // Where the level crosses edge e, by linear interpolation between its corners.
      auto crossing = [&](int e) {
        const std::size_t i = std::size_t(e), j = std::size_t((e + 1) % 4);
        const double t = (level - v[i]) / (v[j] - v[i]);
        return Point2(p[i] + t * (p[j] - p[i]));
      };
      std::array<int, 4> edges = kCases[std::size_t(index)];
      if (index == 5 || index == 10) {
        const bool centreAbove = (v[0] + v[1] + v[2] + v[3]) / 4.0 > level;
        // Above centre: the below corners are cut off; below: the above corners are.
        const bool cutOdd = (index == 5) == centreAbove;  // corners 1 and 3
        edges = cutOdd ? std::array<int, 4>{0, 1, 2, 3} : std::array<int, 4>{3, 0, 1, 2};
      }
      for (std::size_t k = 0; k + 1 < edges.size() && edges[k] >= 0; k += 2) {
        segments.push_back({crossing(edges[k]), crossing(edges[k + 1])});
      }
    }
  }
  return segments;
}

SurfaceMap mapSurface(const Landscape& landscape, const ViewRect& rect, int columns, int rows) {
  SurfaceGrid grid = sampleSurface(landscape, rect, columns, rows);
  const SurfaceScale scale = surfaceScale(landscape, grid);
  return mapSurface(std::move(grid), scale);
}

SurfaceMap mapSurface(SurfaceGrid grid, const SurfaceScale& scale) {
  SurfaceMap map;
  map.grid = std::move(grid);
  map.scale = scale;
  map.levels = map.scale.levels();
  map.contours.reserve(map.levels.size());
  for (double level : map.levels) map.contours.push_back(contourSegments(map.grid, level));
  return map;
}

}  // namespace gradscope::core
