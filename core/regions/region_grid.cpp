#include "core/regions/region_grid.h"

namespace gradscope::core {

double multiplyAddsPerPoint(const NetworkSpec& spec) {
  double total = 0.0;
  double width = double(spec.inputs);
  for (const LayerSpec& layer : spec.layers) {
    if (layer.kind != LayerKind::Dense) continue;
    total += width * double(layer.units);
    width = double(layer.units);
  }
  return total;
}

int regionGridResolution(const NetworkSpec& spec, int fallback) {
  const double perPoint = multiplyAddsPerPoint(spec);
  for (const int resolution : kRegionGridResolutions) {
    if (resolution > fallback && double(resolution) * resolution * perPoint <= kRegionGridBudget)
      return resolution;
  }
  return fallback;
}

}  // namespace gradscope::core
