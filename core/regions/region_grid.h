// How finely to sample the input square when counting linear regions (region_labeler.h). The
// count of distinct patterns on a grid is a lower bound that grows to the true count as the
// grid gets finer than the thinnest region, so the grid is as fine as a fixed cost allows: the
// forward pass over it stays within kRegionGridBudget multiply-adds (about 10 ms on one core),
// so that refreshing it with the decision boundary a few times a second costs training a few
// percent at most.
#pragma once

#include <array>

#include "core/model/network_spec.h"

namespace gradscope::core {

inline constexpr std::array<int, 4> kRegionGridResolutions = {256, 192, 128, 96};
inline constexpr double kRegionGridBudget = 4.5e7;

// Multiply-adds of one input point's forward pass through `spec`'s Dense layers.
double multiplyAddsPerPoint(const NetworkSpec& spec);
// Points per axis: the finest of kRegionGridResolutions within the budget, else `fallback`
// (the decision boundary's own grid, whose forward pass is reused).
int regionGridResolution(const NetworkSpec& spec, int fallback);

}  // namespace gradscope::core
