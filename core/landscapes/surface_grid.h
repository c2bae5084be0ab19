// A landscape sampled on a regular grid for the Landscapes view's colour map and contour
// lines, and the scale that maps its values to colours: linear, or logarithmic in the gap
// to the minimum f - f* for surfaces whose values span many decades (Rosenbrock's valley floor
// is 1e-3 where its walls are 1e3). The GUI only looks colours up and draws; every number
// comes from here.
#pragma once

#include <vector>

#include "core/landscapes/landscape.h"

namespace gradscope::core {

struct SurfaceGrid {
  ViewRect rect;
  int columns = 0;
  int rows = 0;
  // Row-major, row 0 at rect.yMin, sampled at the cell centres.
  std::vector<double> values;
  double minValue = 0.0;  // over the finite samples
  double maxValue = 0.0;

  double at(int column, int row) const {
    return values[std::size_t(row) * std::size_t(columns) + std::size_t(column)];
  }
  Point2 cellCentre(int column, int row) const;
};

// Throws Error unless 2 <= columns, rows <= 4096 and the rectangle has positive size.
SurfaceGrid sampleSurface(const Landscape& landscape, const ViewRect& rect, int columns, int rows);

// Maps surface values to colour positions in [0, 1] and chooses the contour levels.
struct SurfaceScale {
  bool log = false;
  double minimum = 0.0;  // f*, subtracted in log mode
  // The range mapped onto [0, 1]: of f - f* (positive) in log mode, of f otherwise.
  double lo = 0.0;
  double hi = 1.0;
  // Log mode: 1, 2 and 5 times each power of ten instead of 1 and 3 (a network's loss spans
  // only a decade or two around its minimum, where two levels a decade leave the map bare).
  bool denseLog = false;

  // 0 at lo (and below), 1 at hi (and above); NaN stays NaN.
  double position(double value) const;
  // Contour values of f, ascending, inside (lo, hi): 1 and 3 (denseLog: 1, 2 and 5) times
  // each power of ten of the gap in log mode, round steps (1, 2 or 5 times a power of ten, about
  // `linearCount` of them) in linear mode.
  std::vector<double> levels(int linearCount = 12) const;
};

// The scale for `grid`: log mode covers at most six decades below the largest gap.
SurfaceScale surfaceScale(const Landscape& landscape, const SurfaceGrid& grid);
// The same for a surface known only by its samples (a network's loss): linear over the
// samples' range, or logarithmic in the gap to `minimum`.
SurfaceScale surfaceScale(const SurfaceGrid& grid, bool log, double minimum);

struct ContourSegment {
  Point2 a;
  Point2 b;
};

// The level set f = level of the sampled surface as line segments in parameter coordinates
// (marching squares over the cells between sample points; saddle cells are split by the
// cell's mean value).
std::vector<ContourSegment> contourSegments(const SurfaceGrid& grid, double level);

// Everything the colour map draws for one landscape at one resolution.
struct SurfaceMap {
  SurfaceGrid grid;
  SurfaceScale scale;
  std::vector<double> levels;                         // contour values, ascending
  std::vector<std::vector<ContourSegment>> contours;  // one list per level
};

SurfaceMap mapSurface(const Landscape& landscape, const ViewRect& rect, int columns, int rows);
// The scale's contour levels and lines for an already sampled grid.
SurfaceMap mapSurface(SurfaceGrid grid, const SurfaceScale& scale);

}  // namespace gradscope::core
