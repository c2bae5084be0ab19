#include "core/signal/phase_diagram.h"

#include <cmath>
#include <limits>

namespace gradscope::core {

PhaseDiagram computePhaseDiagram(const MeanField& meanField, double weightMax, double biasMax,
                                 int columns, int rows) {
  if (columns < 2 || columns > 1000) throw Error("columns", "must be in [2, 1000]");
  if (rows < 2 || rows > 1000) throw Error("rows", "must be in [2, 1000]");
  if (!(weightMax > 0) || !std::isfinite(weightMax)) throw Error("weightMax", "must be positive");
  if (!(biasMax > 0) || !std::isfinite(biasMax)) throw Error("biasMax", "must be positive");
  PhaseDiagram d;
  d.weightMax = weightMax;
  d.biasMax = biasMax;
  d.columns = columns;
  d.rows = rows;
  d.chi1.resize(std::size_t(columns * rows));
  d.criticalWeight.assign(std::size_t(rows), std::numeric_limits<double>::quiet_NaN());
  for (int k = 0; k < rows; ++k) {
    for (int j = 0; j < columns; ++j) {
      d.chi1[std::size_t(k * columns + j)] =
          meanField.chi1AtFixedPoint({d.weightAt(j), d.biasAt(k)});
    }
    // The first crossing of ln chi_1 = 0, interpolated linearly between neighbours.
    for (int j = 0; j + 1 < columns; ++j) {
      const double a = std::log(d.chi1At(j, k)), b = std::log(d.chi1At(j + 1, k));
      if ((a < 0) != (b < 0) && std::isfinite(a) && std::isfinite(b)) {
        const double t = a / (a - b);
        d.criticalWeight[std::size_t(k)] = d.weightAt(j) + t * (d.weightAt(j + 1) - d.weightAt(j));
        break;
      }
    }
  }
  return d;
}

}  // namespace gradscope::core
