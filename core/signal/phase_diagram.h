// The order-to-chaos phase diagram of one activation (Poole et al. 2016, Figure 2; Schoenholz
// et al. 2017, Figure 1): chi_1 at the fixed point q* over a grid of (sigma_w^2, sigma_b^2),
// each point ordered (chi_1 < 1), chaotic (chi_1 > 1) or at the edge between them, and the
// critical line chi_1 = 1 interpolated between grid points.
#pragma once

#include <vector>

#include "core/signal/mean_field.h"

namespace gradscope::core {

struct PhaseDiagram {
  // Grid points: sigma_w^2 = weightMax (j + 1) / columns (j = 0 .. columns - 1, so 0 is left
  // out: no weights propagate nothing) and sigma_b^2 = biasMax k / (rows - 1).
  double weightMax = 4.0;
  double biasMax = 0.5;
  int columns = 0;
  int rows = 0;
  std::vector<double> chi1;  // row-major: index k * columns + j
  // For each row, the sigma_w^2 at which chi_1 crosses 1 (NaN when it does not in the range).
  std::vector<double> criticalWeight;

  double weightAt(int column) const { return weightMax * (column + 1) / columns; }
  double biasAt(int row) const { return rows > 1 ? biasMax * row / (rows - 1) : 0.0; }
  double chi1At(int column, int row) const { return chi1[std::size_t(row * columns + column)]; }
  SignalPhase phaseAt(int column, int row) const { return classifyPhase(chi1At(column, row)); }
  bool empty() const { return chi1.empty(); }
};

// Throws Error("columns" / "rows" / "weightMax" / "biasMax", ...) for a grid of fewer than 2 x 2
// points or a range that is not positive.
PhaseDiagram computePhaseDiagram(const MeanField& meanField, double weightMax, double biasMax,
                                 int columns, int rows);

}  // namespace gradscope::core
